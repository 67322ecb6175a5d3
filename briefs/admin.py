"""Briefs and tasks in the back office: tasks edited inline through the same services as
the API, and the brief's progress drawn from `briefs.metrics`."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from briefs import services
from briefs.metrics import brief_metrics
from briefs.models import Brief, Task
from drift.admin_site import OrgScopedAdmin, PMInlineMixin

TASK_FIELDS = ["role", "title", "description", "status"]
PENDING_SHOWN = 10


def adopt(obj: Model, created: Model) -> None:
    """Make the admin's unsaved `obj` the row a service created, so the admin goes on
    (redirects, inlines, log) with it."""
    vars(obj).update(vars(created))


class DeletesThroughServices:
    """The delete page and the "delete selected" action go through `delete_service`
    (called as `service(<model name>=obj, user=...)`), so a deletion in the back office
    is checked, announced and served like one made through the API."""

    delete_service: Callable[..., None]

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        self.delete_service(user=request.user, **{obj._meta.model_name: obj})

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class TaskInline(PMInlineMixin, admin.TabularInline):
    model = Task
    fields = ["key", "role", "title", "status"]
    readonly_fields = ["key"]
    extra = 1
    show_change_link = True


@admin.register(Brief)
class BriefAdmin(DeletesThroughServices, OrgScopedAdmin):
    delete_service = staticmethod(services.brief_delete)
    list_display = ["name", "key_prefix", "status", "created_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "description"]
    readonly_fields = ["key_prefix", "created_by", "created_at", "updated_at"]
    inlines = [TaskInline]
    change_form_template = "admin/briefs/brief/change_form.html"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["name", "description", "status", *self.readonly_fields]
        return ["organization", *fields] if request.user.is_superuser else fields

    def get_list_display(self, request: HttpRequest) -> list[str]:
        extra = ["organization"] if request.user.is_superuser else []
        return [*self.list_display, *extra]

    def save_model(self, request: HttpRequest, obj: Brief, form: Any, change: bool) -> None:
        if change:
            changes = {f: form.cleaned_data[f] for f in form.changed_data}
            services.brief_update(brief=obj, user=request.user, changes=changes)
            return
        org_id = obj.organization_id if request.user.is_superuser else self.org_of(request)
        created = services.brief_create(
            user=request.user,
            org_id=org_id,
            name=obj.name,
            description=obj.description,
            status=obj.status,
        )
        adopt(obj, created)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        formset.save(commit=False)
        for task in formset.deleted_objects:
            services.task_delete(task=task, user=request.user)
        for task, changed in formset.changed_objects:
            changes = {f: getattr(task, f) for f in changed if f in TASK_FIELDS}
            services.task_update(task=task, user=request.user, changes=changes)
        for task in formset.new_objects:
            created = services.task_create(
                brief=form.instance,
                user=request.user,
                **{f: getattr(task, f) for f in TASK_FIELDS},
            )
            adopt(task, created)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        brief = self.get_object(request, object_id)
        if brief is not None:
            metrics = brief_metrics(brief)
            extra_context = {
                **(extra_context or {}),
                "metrics": metrics,
                "pending": brief.submissions.filter(status="pending").order_by("-created_at")[
                    :PENDING_SHOWN
                ],
                "max_task_minutes": max(
                    (t["minutes"] for t in metrics["minutesByTask"]), default=0
                ),
                "max_person_minutes": max(
                    (p["minutes"] for p in metrics["minutesByPerson"]), default=0
                ),
            }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Task)
class TaskAdmin(DeletesThroughServices, OrgScopedAdmin):
    delete_service = staticmethod(services.task_delete)
    org_field = "brief__organization_id"
    list_display = ["key", "title", "brief", "role", "status"]
    list_filter = ["role", "status", ("brief", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["key", "title", "description"]
    list_select_related = ["brief"]
    fields = ["brief", "key", *TASK_FIELDS]
    readonly_fields = ["key"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["key", "brief"] if obj else ["key"]

    def save_model(self, request: HttpRequest, obj: Task, form: Any, change: bool) -> None:
        if change:
            changes = {f: form.cleaned_data[f] for f in form.changed_data if f in TASK_FIELDS}
            services.task_update(task=obj, user=request.user, changes=changes)
            return
        fields = {f: form.cleaned_data[f] for f in TASK_FIELDS}
        created = services.task_create(brief=obj.brief, user=request.user, **fields)
        adopt(obj, created)
