"""Bearer token verification: Clerk RS256 (JWKS or PEM) and local HS256 tokens.

This is the only module that knows token formats; the rest of DRIFT sees `Claims`.
"""

import time
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings

from accounts.jwks import KeyNotFound, key_set

REQUIRED_CLAIMS = ["exp", "iat", "nbf", "sub"]


class InvalidToken(Exception):
    """The token is not one DRIFT accepts; the message says why (for logs, not clients)."""


@dataclass(frozen=True)
class Claims:
    user_id: str
    org_id: str | None
    expires_at: int
    email: str = ""
    name: str = ""
    avatar_url: str = ""


def verify(token: str) -> Claims:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"Malformed token: {exc}") from exc
    algorithm = header.get("alg")
    if algorithm == "RS256" and (settings.CLERK_JWT_KEY or settings.CLERK_JWKS_URL):
        return _claims(_decode_clerk(token, header.get("kid")))
    if algorithm == "HS256" and settings.LOCAL_AUTH_ENABLED:
        return _claims(
            _decode(token, settings.LOCAL_JWT_SECRET, "HS256", settings.LOCAL_JWT_ISSUER)
        )
    raise InvalidToken(f"Tokens signed with {algorithm!r} are not accepted")


def _decode_clerk(token: str, kid: str | None) -> dict[str, Any]:
    if settings.CLERK_JWT_KEY:
        key: Any = settings.CLERK_JWT_KEY
    else:
        keys = key_set(
            settings.CLERK_JWKS_URL, settings.JWKS_CACHE_SECONDS, settings.JWKS_FETCH_TIMEOUT
        )
        try:
            key = keys.key(kid)
        except KeyNotFound as exc:
            raise InvalidToken(str(exc)) from exc
    payload = _decode(token, key, "RS256", settings.CLERK_ISSUER or None)
    parties = settings.CLERK_AUTHORIZED_PARTIES
    if parties and payload.get("azp") and payload["azp"] not in parties:
        raise InvalidToken(f"Unauthorized party {payload['azp']!r}")
    if payload.get("sts") == "pending":
        raise InvalidToken("Session is pending")
    return payload


def _decode(token: str, key: Any, algorithm: str, issuer: str | None) -> dict[str, Any]:
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            issuer=issuer,
            leeway=settings.JWT_LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS + (["iss"] if issuer else []), "verify_aud": False},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc


def _claims(payload: dict[str, Any]) -> Claims:
    org = payload.get("o")
    org_id = (org.get("id") if isinstance(org, dict) else None) or payload.get("org_id")
    avatar = payload.get("image_url") or payload.get("picture") or payload.get("avatar_url")
    return Claims(
        user_id=str(payload["sub"]),
        org_id=str(org_id) if org_id else None,
        expires_at=int(payload["exp"]),
        email=str(payload.get("email") or ""),
        name=str(payload.get("name") or ""),
        avatar_url=str(avatar or ""),
    )


def issue_local(
    *, user_id: str, org_id: str | None, name: str = "", email: str = "", ttl: int | None = None
) -> tuple[str, int]:
    """Sign a local HS256 token with the claims a Clerk token would carry."""
    ttl = ttl or settings.LOCAL_JWT_TTL_SECONDS
    now = int(time.time())
    payload = {
        "sub": user_id,
        "org_id": org_id,
        "iss": settings.LOCAL_JWT_ISSUER,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "name": name,
        "email": email,
    }
    return jwt.encode(payload, settings.LOCAL_JWT_SECRET, algorithm="HS256"), ttl
