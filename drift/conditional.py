"""Conditional requests (CONTRACT §6): one ETag for a resource's GET representation,
checked by `If-None-Match` on GET (304) and by `If-Match` on PATCH (412 when stale).

The ETag hashes the representation the caller reads, so it changes whenever what the
caller sees changes (a brief's tasks included). A PATCH with `If-Match` is checked
against the current representation first, then written conditionally
(`UPDATE … WHERE version = …`, `save_versioned`), so two PATCHes sent with the same
ETag cannot both win even when they race past the first check. GETs that set no ETag
of their own get one from Django's `ConditionalGetMiddleware` (a hash of the body).
"""

import hashlib
from collections.abc import Callable
from typing import Any

import orjson
from django.db import models
from django.utils import timezone
from django.utils.http import parse_etags
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from drift.errors import PreconditionFailed

_fallback = JSONEncoder()


def etag_for(data: Any) -> str:
    """A strong ETag of a JSON representation."""
    canonical = orjson.dumps(data, default=_fallback.default, option=orjson.OPT_SORT_KEYS)
    return f'"{hashlib.sha256(canonical).hexdigest()[:32]}"'


def tagged(data: Any, **kwargs: Any) -> Response:
    """A Response carrying the ETag of its own data."""
    response = Response(data, **kwargs)
    response["ETag"] = etag_for(data)
    return response


def precondition(request: Request, instance: Any, render: Callable[[Any], Any]) -> int | None:
    """Check `If-Match` against `instance` as `render` represents it on GET.

    Returns the version the write must find (`save_versioned(if_version=...)`), or None
    when the request has no `If-Match`; raises 412 when it names another ETag.
    """
    header = request.headers.get("If-Match")
    if header is None:
        return None
    etags = parse_etags(header)
    if "*" not in etags and etag_for(render(instance)) not in etags:
        raise PreconditionFailed()
    return instance.version


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
