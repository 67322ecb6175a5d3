"""The PM back office: who may use the admin, and what each PM may see in it.

Only active staff with the PM role (and superusers) get in: a developer or a
designer is refused at login even when marked staff. PMs see and change only
their own organization's rows; superusers see everything.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from accounts.models import Organization, Role, User
from briefs.models import Brief, Task


def is_back_office_user(user: Any) -> bool:
    """Superusers, and active staff whose DRIFT role is PM."""
    if not (user.is_active and user.is_staff):
        return False
    return bool(user.is_superuser or getattr(user, "role", None) == Role.PM)


# How a related model reaches its organization, for the choices of a foreign key.
SCOPES = {
    Organization: "pk",
    User: "organization_id",
    Brief: "organization_id",
    Task: "brief__organization_id",
}


class PMAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "not_pm": "The DRIFT back office is for PMs: this account's role is not PM.",
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not is_back_office_user(user):
            raise forms.ValidationError(self.error_messages["not_pm"], code="not_pm")


class DriftAdminSite(admin.AdminSite):
    site_header = "DRIFT back office"
    site_title = "DRIFT"
    index_title = "Review work and follow briefs"
    login_form = PMAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return is_back_office_user(request.user)


class OrgScopedAdmin(admin.ModelAdmin):
    """A PM manages their own organization's rows; a superuser manages all.

    `org_field` is the lookup from the model to its organization id. PMs are
    allowed by role rather than by Django's per-model permissions, so a PM who
    was only marked staff can work at once.
    """

    org_field = "organization_id"

    def org_of(self, request: HttpRequest) -> str | None:
        return request.user.organization_id

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        org_id = self.org_of(request)
        return queryset.filter(**{self.org_field: org_id}) if org_id else queryset.none()

    def in_scope(self, request: HttpRequest, obj: Model | None) -> bool:
        if request.user.is_superuser or obj is None:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def _pm(self, request: HttpRequest) -> bool:
        return is_back_office_user(request.user) and request.user.organization_id is not None

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Choices limited to the PM's organization (users, briefs, the org itself)."""
        lookup = SCOPES.get(db_field.related_model)
        if lookup and not request.user.is_superuser:
            related = db_field.related_model._default_manager
            kwargs["queryset"] = related.filter(**{lookup: self.org_of(request)})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or self._pm(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or self._pm(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        allowed = request.user.is_superuser or self._pm(request)
        return allowed and self.in_scope(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_change_permission(request, obj)


class PMInlineMixin:
    """Inline rows follow their parent's scoping: a PM who may change the parent (checked
    by its OrgScopedAdmin) may change its rows, without Django's per-model permissions."""

    def _allowed(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_back_office_user(request.user)

    has_view_permission = _allowed
    has_change_permission = _allowed
    has_delete_permission = _allowed

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_back_office_user(request.user)
