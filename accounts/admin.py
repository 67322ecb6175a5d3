from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest

from accounts.models import Organization, User
from drift.admin_site import OrgScopedAdmin


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "created_at"]
    search_fields = ["id", "name"]


class MemberChangeForm(UserChangeForm):
    # Members who sign in through the identity provider have no username.
    username = forms.CharField(max_length=150, required=False, empty_value=None)

    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(OrgScopedAdmin, DjangoUserAdmin):
    """PMs manage their own organization's members (their DRIFT role above all);
    superusers manage everyone and everything about them."""

    form = MemberChangeForm

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

    def get_list_filter(self, request: HttpRequest) -> list[str]:
        return self.list_filter if request.user.is_superuser else ["role", "is_staff"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # A PM may let a member into the back office, not make anyone a superuser.
        return [
            (n, o) if n != "Access" else (n, {"fields": ["is_active", "is_staff"]})
            for n, o in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        extra = [] if request.user.is_superuser or obj is None else ["organization"]
        return [*self.readonly_fields, *extra]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not request.user.is_superuser and not change:
            obj.organization_id = request.user.organization_id
        super().save_model(request, obj, form, change)
