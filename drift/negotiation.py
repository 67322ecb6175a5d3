"""Content negotiation with a fast path for what nearly every client sends."""

from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class CommonAcceptNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, answered at once when the client sends no `Accept`, `*/*` or
    the first renderer's own type, and no format override: DRF would pick the first
    renderer too, after parsing the header and the query string on every request."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: Any = None
    ) -> tuple[BaseRenderer, str]:
        first = renderers[0]
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        override = self.settings.URL_FORMAT_OVERRIDE
        if (
            accept in ("*/*", first.media_type)
            and not format_suffix
            and not (override and f"{override}=" in request.META.get("QUERY_STRING", ""))
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
