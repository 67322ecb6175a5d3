"""WebSocket routes and their origin check, mounted by `drift.asgi`."""

from typing import Any
from urllib.parse import ParseResult

from channels.routing import URLRouter
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.urls import path

from realtime.consumers import POLICY_VIOLATION, EventsConsumer

websocket_urlpatterns = [path("ws", EventsConsumer.as_asgi())]


class BrowserOriginValidator(OriginValidator):
    """Browsers must come from an allowed host; clients that send no Origin may connect.

    Browsers always send `Origin` on a WebSocket handshake, so a missing one means a
    native client (the desktop app, a script). The socket trusts only the token sent
    over it, never a cookie, so such a client gains nothing a token does not give it.
    """

    def valid_origin(self, parsed_origin: ParseResult | None) -> bool:
        return parsed_origin is None or self.validate_origin(parsed_origin)


def allowed_origins() -> list[str]:
    """`ALLOWED_HOSTS` (as Channels' `AllowedHostsOriginValidator` reads it), plus
    `CSRF_TRUSTED_ORIGINS`, where the web app's origin is listed when it is served apart."""
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    return hosts + list(settings.CSRF_TRUSTED_ORIGINS)


def allow_policy_violation_close() -> None:
    """Let daphne close with 1008, the code CONTRACT §5 promises for auth failures.

    Daphne closes through autobahn's user-level `sendClose`, which mirrors the browser
    API and takes only 1000 and 3000-4999: a consumer closing with 1008 raises there and
    the client sees 1011 instead. RFC 6455 §7.4.1 lets a server send 1008, and autobahn's
    `sendCloseFrame` (what `sendClose` calls once its check passes) sends it as is.
    """
    try:
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:  # served by another ASGI server
        return
    server_close = WebSocketProtocol.serverClose
    if getattr(server_close, "allows_policy_violation", False):
        return

    def serverClose(self: Any, code: int | None = None) -> None:
        if code == POLICY_VIOLATION:
            self.sendCloseFrame(code=code, isReply=False)
        else:
            server_close(self, code)

    serverClose.allows_policy_violation = True  # type: ignore[attr-defined]
    WebSocketProtocol.serverClose = serverClose


def websocket_application() -> Any:
    """`/ws` as `drift.asgi` serves it: origin check, routing, and 1008 closes under daphne."""
    allow_policy_violation_close()
    return BrowserOriginValidator(URLRouter(websocket_urlpatterns), allowed_origins())
