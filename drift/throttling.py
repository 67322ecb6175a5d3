"""Rate limits per user (per client IP without one) on an atomic shared counter.

The counter lives in the cache: Redis in production (atomic INCR across
processes, one round trip per request), process memory in the embedded default. Limits come from
`settings.RATE_LIMITS`, so they can be set from the environment.
"""

import logging
import math
import time
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import BaseThrottle

from drift import stamps

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """`"10/hour"` -> `(10, 3600)`."""
    count, _, period = rate.partition("/")
    try:
        return int(count), PERIODS[period.strip().rstrip("s")]
    except (KeyError, ValueError):
        raise ValueError(f"Bad rate {rate!r}: expected N/second|minute|hour|day") from None


class RateLimitState(NamedTuple):
    """One request's standing in its scope's window, as the RateLimit headers tell it."""

    scope: str
    limit: int
    window: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        """`RateLimit-Policy` and `RateLimit` (IETF draft-ietf-httpapi-ratelimit-headers)."""
        name = self.scope.replace(":", "-")
        return {
            "RateLimit-Policy": f'"{name}";q={self.limit};w={self.window}',
            "RateLimit": f'"{name}";r={max(0, self.remaining)};t={self.reset}',
        }


class ScopedWindowThrottle(BaseThrottle):
    """Fixed-window limit per scope. A view names its scopes per method in `throttle_scopes`;
    without one, reads count against `api:read` and writes against `api:write`.

    The outcome is left on the request as `ratelimit` for `RateLimitHeadersMiddleware`.
    When the cache is unreachable the request is let through (and logged): Redis down
    must not take the API down with it.
    """

    def __init__(self) -> None:
        self.retry_after: float | None = None

    def allow_request(self, request: "Request", view: "APIView") -> bool:
        scope = self.scope(request, view)
        if scope is None:
            return True
        limit, window = parse_rate(settings.RATE_LIMITS[scope])
        now = time.time()
        key = f"throttle:{scope}:{self.identity(request)}:{int(now // window)}"
        try:
            count = self.hit(key, window, request, view)
        except Exception:
            logger.warning("Rate limit counter unavailable; letting %s through", scope)
            return True
        reset = max(1, math.ceil(window - (now % window)))
        request._request.ratelimit = RateLimitState(scope, limit, window, limit - count, reset)
        if count <= limit:
            return True
        self.retry_after = reset
        return False

    def wait(self) -> float | None:
        return self.retry_after

    @staticmethod
    def scope(request: "Request", view: "APIView") -> str | None:
        scopes = getattr(view, "throttle_scopes", None)
        if scopes is not None:
            return scopes.get(request.method)
        return "api:read" if request.method in ("GET", "HEAD") else "api:write"

    def identity(self, request: "Request") -> str:
        user = request.user
        return f"user:{user.pk}" if user is not None else f"ip:{self.get_ident(request)}"

    @staticmethod
    def hit(key: str, window: int, request: "Request", view: "APIView") -> int:
        """Count a request in the window `key`, which expires after the window; returns
        the count. One round trip on Redis, which also reads the stamps the view will
        read (`drift.stamps`)."""
        cache = caches["default"]
        if isinstance(cache, RedisCache):
            keys = stamps.wanted(request, view)
            return stamps.count_and_read(cache, key, window + 1, keys, request)
        cache.add(key, 0, timeout=window + 1)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 1)
            return 1
