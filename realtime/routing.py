"""WebSocket routes and their origin check, mounted by `drift.asgi`."""

from typing import Any
from urllib.parse import ParseResult

from channels.routing import URLRouter
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.urls import path

from realtime.consumers import EventsConsumer

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


def websocket_application() -> Any:
    return BrowserOriginValidator(URLRouter(websocket_urlpatterns), allowed_origins())
