"""Conditional requests (CONTRACT §6): one ETag for a resource's GET representation,
checked by `If-None-Match` on GET (304) and by `If-Match` on PATCH (412 when stale).

An ETag names a representation by what determines it (endpoint, resource, version
stamps, query; see `drift.representations`), never by hashing a rendered body, so it is
known before anything is loaded and changes whenever what the caller sees changes. A
PATCH with `If-Match` is checked against the current ETag first, then written
conditionally (`UPDATE … WHERE version = …`, `save_versioned`), so two PATCHes sent
with the same ETag cannot both win even when they race past the first check. GETs that
set no ETag of their own get one from Django's `ConditionalGetMiddleware` (a hash of
the body).
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import parse_etags
from rest_framework.response import Response

from drift.errors import PreconditionFailed

# Part of every ETag: bump it when a representation's format changes.
FORMAT = 1


def etag_of(*name: Any) -> str:
    """The strong ETag of the representation `name` identifies."""
    digest = hashlib.blake2b(repr((FORMAT, *name)).encode(), digest_size=16).hexdigest()
    return f'"{digest}"'


def not_modified(request: HttpRequest, etag: str) -> bool:
    """Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 says)."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    etags = parse_etags(header)
    return "*" in etags or etag in etags or f"W/{etag}" in etags


def tagged(data: Any, etag: str, **kwargs: Any) -> Response:
    """A Response carrying `etag`, the ETag a GET of the same representation gives."""
    response = Response(data, **kwargs)
    response["ETag"] = etag
    return response


def precondition(request: HttpRequest, etag: Callable[[], str | None], version: int) -> int | None:
    """Check `If-Match` against `etag()`, the current ETag of the resource's GET (asked
    for only when the request has an `If-Match`).

    Returns `version`, the version the write must find (`save_versioned(if_version=...)`),
    or None when the request has no `If-Match`; raises 412 when it names another ETag.
    """
    header = request.headers.get("If-Match")
    if header is None:
        return None
    etags = parse_etags(header)
    if "*" not in etags and etag() not in etags:
        raise PreconditionFailed()
    return version


def save_versioned(instance: models.Model, fields: list[str], *, if_version: int | None) -> None:
    """`instance.save(update_fields=fields)`, or, with `if_version`, the same write as
    `UPDATE … WHERE pk = … AND version = if_version`: 412 when another write won."""
    if if_version is None:
        instance.save(update_fields=fields)
        return
    if "updated_at" in fields:
        instance.updated_at = timezone.now()
    values = {name: getattr(instance, name) for name in fields}
    written = (
        type(instance)._base_manager.filter(pk=instance.pk, version=if_version).update(**values)
    )
    if written != 1:
        raise PreconditionFailed()
