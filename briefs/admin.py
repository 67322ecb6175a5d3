from django.contrib import admin

from briefs.models import Brief, Task


class TaskInline(admin.TabularInline):
    model = Task
    fields = ["key", "role", "title", "status"]
    readonly_fields = ["key"]
    extra = 0
    show_change_link = True


@admin.register(Brief)
class BriefAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "status", "created_by", "created_at"]
    list_filter = ["status", "organization"]
    search_fields = ["name", "description"]
    readonly_fields = ["key_prefix", "created_at", "updated_at"]
    inlines = [TaskInline]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "brief", "role", "status"]
    list_filter = ["role", "status"]
    search_fields = ["key", "title", "description"]
    list_select_related = ["brief"]
