"""DRF authentication by `Authorization: Bearer <jwt>`."""

import logging
import time

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import User
from accounts.services import user_sync_from_claims
from accounts.tokens import Claims, InvalidToken, verify
from drift.memory import BoundedCache

logger = logging.getLogger(__name__)


def bearer_token(header: str) -> str | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


# Verified tokens of this process: verifying a JWT and reading its user on every request
# of a polling client costs more than the rest of a cached GET.
_verified = BoundedCache(settings.AUTH_CACHE_ENTRIES)


@receiver(setting_changed)
def _forget_verified_tokens(*, setting: str, **kwargs: object) -> None:
    """A new bound applies to tokens verified before it (tests change it per test)."""
    if setting == "AUTH_CACHE_SECONDS":
        _verified.clear()


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Sets `request.user` to the DRIFT user and `request.auth` to the token's `Claims`.

    A verified token's user and claims are reused for `AUTH_CACHE_SECONDS` at most, never
    past the token's `exp`: a deactivated user is refused within that bound.
    """

    def authenticate(self, request: Request) -> tuple[User, Claims] | None:
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        token = bearer_token(header)
        if token is None:
            raise exceptions.AuthenticationFailed("Expected 'Authorization: Bearer <token>'.")
        if settings.AUTH_CACHE_SECONDS <= 0:
            return self.verified(token)
        known = _verified.get(token)
        if known is not None:
            return known
        user, claims = self.verified(token)
        ttl = min(settings.AUTH_CACHE_SECONDS, claims.expires_at - time.time())
        _verified.put(token, (user, claims), ttl=ttl)
        return user, claims

    @staticmethod
    def verified(token: str) -> tuple[User, Claims]:
        try:
            claims = verify(token)
        except InvalidToken as exc:
            logger.info("Rejected token: %s", exc)
            raise exceptions.AuthenticationFailed("Invalid or expired token.") from exc
        user = user_sync_from_claims(claims=claims)
        if not user.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.")
        return user, claims

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="drift"'
