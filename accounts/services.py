"""Use cases for people and organizations."""

from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Organization, Role, User
from accounts.tokens import Claims, issue_local


def user_sync_from_claims(*, claims: Claims) -> User:
    """Create or refresh the DRIFT user a verified token speaks for.

    Writes only when something changed, so a steady stream of requests costs one read.
    The role is DRIFT's own and never comes from the token.
    """
    user = User.objects.filter(pk=claims.user_id).first()
    fresh = {
        "organization_id": claims.org_id,
        "name": claims.name,
        "email": claims.email,
        "avatar_url": claims.avatar_url,
    }
    changed = {
        field: value
        for field, value in fresh.items()
        if value and (user is None or getattr(user, field) != value)
    }
    if user is not None and not changed:
        return user
    with transaction.atomic():
        if claims.org_id:
            Organization.objects.get_or_create(id=claims.org_id)
        if user is None:
            user, _ = User.objects.get_or_create(
                id=claims.user_id, defaults={**changed, "password": make_password(None)}
            )
            return user
        for field, value in changed.items():
            setattr(user, field, value)
        user.save(update_fields=[f.removesuffix("_id") for f in changed])
    return user


@transaction.atomic
def user_upsert(
    *, user_id: str, org_id: str, role: str | None = None, name: str = "", email: str = ""
) -> User:
    """Create or update a user by id (operators' `issue_token`, demo seeds)."""
    Organization.objects.get_or_create(id=org_id)
    defaults: dict[str, object] = {"organization_id": org_id}
    if role:
        defaults["role"] = Role(role)
    if name:
        defaults["name"] = name
    if email:
        defaults["email"] = email
    user, created = User.objects.update_or_create(id=user_id, defaults=defaults)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def user_token(*, user: User) -> tuple[str, int]:
    """A local token for `user`, with the claims a Clerk token would carry."""
    return issue_local(
        user_id=user.pk, org_id=user.organization_id, name=user.name, email=user.email
    )


def user_login(*, username: str, password: str) -> tuple[str, int] | None:
    """Exchange a username and password for a local token; None when they do not match."""
    user = authenticate(username=username, password=password)
    if user is None:
        return None
    return user_token(user=user)
