"""Who may do what. Tenancy itself is enforced by the org-scoped querysets."""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class IsOrgMember(BasePermission):
    """Any authenticated caller; what they see is limited to their token's org."""

    message = "Authentication required."

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        return request.user is not None


def org_id_of(request: "Request") -> str | None:
    """The caller's organization: the one their token names, or none."""
    return request.auth.org_id if request.auth is not None else None


def require_org(request: "Request") -> str:
    """The caller's organization, or 403 for a token that names none."""
    org_id = org_id_of(request)
    if not org_id:
        raise PermissionDenied("Your token names no organization.")
    return org_id
