from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Organization, User


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "created_at"]
    search_fields = ["id", "name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["name", "id"]
    list_display = ["id", "name", "email", "organization", "role", "is_staff"]
    list_filter = ["role", "is_staff", "organization"]
    search_fields = ["id", "name", "email", "username"]
    fieldsets = [
        (None, {"fields": ["id", "username", "password"]}),
        ("Profile", {"fields": ["name", "email", "avatar_url", "organization", "role"]}),
        (
            "Access",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "name",
                    "email",
                    "organization",
                    "role",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
    readonly_fields = ["id", "last_login", "date_joined"]
