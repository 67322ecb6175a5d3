"""Request-wide concerns that sit in front of every view, API or not."""

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from drift.errors import error_response

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# A client-sent id is echoed only when it is short and harmless in a log line.
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    """Give every request an id (the client's `X-Request-ID` when sane) and echo it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sent = request.headers.get("X-Request-ID", "")
        request.request_id = sent if _CLIENT_REQUEST_ID.match(sent) else uuid.uuid4().hex
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class BodySizeLimitMiddleware:
    """Answer 413 from the declared length, before anything reads the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return payload_too_large(request)
        return self.get_response(request)


def payload_too_large(request: HttpRequest) -> HttpResponse:
    limit_mb = settings.MAX_REQUEST_BYTES / (1024 * 1024)
    return error_response(
        request,
        status=413,
        code="PAYLOAD_TOO_LARGE",
        message=f"Request body exceeds the {limit_mb:g} MB limit.",
    )


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True
