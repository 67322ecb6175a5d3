"""System checks of identity settings, run by `manage.py check --deploy`."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def local_auth_off_in_production(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Local HS256 tokens (and `POST /api/auth/login`) are for development and the
    embedded default; a production deployment uses Clerk."""
    if settings.LOCAL_AUTH_ENABLED and not settings.DEBUG:
        return [
            Error(
                "LOCAL_AUTH_ENABLED is on with DEBUG=False: local tokens and "
                "POST /api/auth/login are open in production.",
                hint="Set LOCAL_AUTH_ENABLED=false and configure CLERK_JWKS_URL or CLERK_JWT_KEY.",
                id="drift.E001",
            )
        ]
    return []
