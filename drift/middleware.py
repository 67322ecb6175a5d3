"""Request-wide concerns that sit in front of every view, API or not."""

import contextvars
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

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
    """Answer 413 from the declared length, before anything reads the body.

    A chunked body declares no length: under ASGI `BodySizeLimitASGI` counts it as it
    arrives; under WSGI Django reads no more than the declared length (none: nothing).
    """

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


class RateLimitHeadersMiddleware:
    """Add `RateLimit-Policy` / `RateLimit` to every rate-limited response, 429 or not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        state = getattr(request, "ratelimit", None)
        if state is not None:
            for name, value in state.headers().items():
                response[name] = value
        return response


def payload_too_large(request: HttpRequest | SimpleNamespace) -> HttpResponse:
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
        if record.request_id == "-":  # logged after the response left RequestIdMiddleware
            record.request_id = getattr(getattr(record, "request", None), "request_id", "-")
        return True


Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodySizeLimitASGI:
    """ASGI wrapper: a body over `MAX_REQUEST_BYTES`, declared or chunked, gets 413.

    Django's ASGI handler buffers the whole body before any middleware runs, so the
    limit has to sit in front of it: the body is read here, counted chunk by chunk,
    and the request is answered 413 as soon as it crosses the limit, without reading
    the rest.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = settings.MAX_REQUEST_BYTES
        if _declared_length(scope) > limit:
            return await _send_too_large(scope, send)
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > limit:
                return await _send_too_large(scope, send)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        return await self.app(scope, _replay(messages, receive), send)


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _replay(messages: list[dict[str, Any]], receive: Receive) -> Receive:
    """A `receive` that hands the buffered body back as one message, then defers."""
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
    pending = [{"type": "http.request", "body": body, "more_body": False}]
    if messages[-1]["type"] != "http.request":
        pending.append(messages[-1])

    async def replay() -> dict[str, Any]:
        return pending.pop(0) if pending else await receive()

    return replay


async def _send_too_large(scope: Scope, send: Send) -> None:
    request_id = uuid.uuid4().hex
    response = payload_too_large(SimpleNamespace(request_id=request_id))
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(response.content)).encode()),
                (b"x-request-id", request_id.encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": response.content})
