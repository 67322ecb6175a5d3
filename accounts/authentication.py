"""DRF authentication by `Authorization: Bearer <jwt>`."""

import logging

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import User
from accounts.services import user_sync_from_claims
from accounts.tokens import Claims, InvalidToken, verify

logger = logging.getLogger(__name__)


def bearer_token(header: str) -> str | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Sets `request.user` to the DRIFT user and `request.auth` to the token's `Claims`."""

    def authenticate(self, request: Request) -> tuple[User, Claims] | None:
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        token = bearer_token(header)
        if token is None:
            raise exceptions.AuthenticationFailed("Expected 'Authorization: Bearer <token>'.")
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
