"""GET representations decided by version stamps, before anything is loaded or serialized.

A view names its representation by what determines it: a key (the endpoint, the
resource, the validated query) and a stamp (a value that every write changing what the
caller sees changes, read in one cheap query that also checks the caller may see the
resource). The ETag is a digest of both (`stamped`), so `If-None-Match` is answered 304 without
loading a row, and the rendered bytes are kept in a bounded per-process cache under
that ETag: a repeat GET costs the stamp query only.

The stamp is read before the rows: a write committing in between leaves newer bytes
under an old stamp, which no request asks for again, never old bytes under a new one.
"""

from collections.abc import Callable
from typing import Any

import orjson
from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified

from drift.conditional import etag_of, not_modified
from drift.memory import BoundedCache

_bodies = BoundedCache(settings.REPRESENTATION_CACHE_BYTES)


def represented(request: HttpRequest, etag: str | None, render: Callable[[], Any]) -> HttpResponse:
    """The GET response for the representation tagged `etag` (None: the caller may not see
    it, 404): 304 when the caller holds it, else its JSON bytes, rendered by `render()`
    only when this process does not hold them yet."""
    if etag is None:
        raise Http404
    if not_modified(request, etag):
        response: HttpResponse = HttpResponseNotModified()
    else:
        body = _bodies.get(etag)
        if body is None:
            body = orjson.dumps(render())
            _bodies.put(etag, body, weight=len(body))
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    return response


def stamp_row(sql: str, *params: Any) -> tuple[Any, ...] | None:
    """The one row of a stamp query. Raw SQL: on the path of every cached GET and 304,
    the ORM compiling a query costs several times more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def db_id(model: type[Model], pk: Any) -> Any:
    """`pk` as the database stores `model`'s primary key (a UUID is text on SQLite)."""
    return model._meta.pk.get_db_prep_value(pk, connection)


def stamped(*key: Any, stamp: Any) -> str | None:
    """The ETag of the representation `key` at `stamp`; None when there is no stamp
    (the caller may not see the resource)."""
    return None if stamp is None else etag_of(*key, stamp)
