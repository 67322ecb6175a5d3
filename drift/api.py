"""Building blocks shared by the API views of every app."""

import functools
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers


def iso(value: datetime | None) -> str | None:
    """`2026-01-31T14:30:00.000Z`: UTC, milliseconds, `Z`."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TimestampField(serializers.DateTimeField):
    def to_representation(self, value: datetime) -> str | None:
        return iso(value)


class PageQuery(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=50)
    # Bounded: a huge offset would overflow the database's 64-bit integer (a 500).
    offset = serializers.IntegerField(min_value=0, max_value=1_000_000_000, default=0)


def page(
    queryset: QuerySet,
    *,
    key: str,
    query: dict[str, Any],
    render: Callable[[Iterable[Any]], list[dict[str, Any]]],
) -> dict[str, Any]:
    """The list envelope: `{key: [...], "total", "limit", "offset"}`, total over the filter."""
    limit, offset = query["limit"], query["offset"]
    return {
        key: render(queryset[offset : offset + limit]),
        "total": queryset.count(),
        "limit": limit,
        "offset": offset,
    }


class ErrorDetailOutput(serializers.Serializer):
    field = serializers.CharField()
    issue = serializers.CharField()


class ErrorDetailsOutput(serializers.Serializer):
    field = serializers.CharField(required=False)
    issue = serializers.CharField(required=False)
    errors = ErrorDetailOutput(many=True, required=False)


class ErrorOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = ErrorDetailsOutput(required=False)
    requestId = serializers.CharField(required=False)


ErrorEnvelope = inline_serializer("ErrorEnvelope", fields={"error": ErrorOutput()})

_DESCRIPTIONS = {
    400: "Invalid input (VALIDATION_ERROR); `details.field` names the first bad field.",
    401: "Missing or invalid token (UNAUTHORIZED).",
    403: "Not allowed for this user (FORBIDDEN).",
    404: "Not found, or another organization's (NOT_FOUND).",
    409: "The change conflicts with the resource's state (CONFLICT).",
    412: "`If-Match` is stale (PRECONDITION_FAILED).",
    413: "Body over 5 MB (PAYLOAD_TOO_LARGE).",
    422: "`Idempotency-Key` reused with another body (IDEMPOTENCY_KEY_MISMATCH).",
    429: "Rate limit exceeded (RATE_LIMIT_EXCEEDED); see `Retry-After`.",
    503: "A dependency is down (SERVICE_UNAVAILABLE).",
}


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The ETag of this resource's GET; a stale one is 412 PRECONDITION_FAILED.",
)


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error envelope under the given statuses."""
    return {s: OpenApiResponse(ErrorEnvelope, description=_DESCRIPTIONS[s]) for s in statuses}


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """Validate a request body; errors become a 400 naming each field path."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def validated_query(serializer_class: type[serializers.Serializer], request: HttpRequest) -> dict:
    """The request's query parameters validated by `serializer_class` (400 as `validated`).

    Remembered per query string: clients poll with the same few queries, and validating
    one costs more than answering a cached GET."""
    return dict(_validated_query(serializer_class, request.META.get("QUERY_STRING", "")))


@functools.lru_cache(maxsize=1024)
def _validated_query(serializer_class: type[serializers.Serializer], query: str) -> dict:
    return validated(serializer_class, QueryDict(query))
