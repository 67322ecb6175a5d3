"""A JWKS key set fetched over HTTP, cached, and kept when a refetch fails.

PyJWT's `PyJWKClient` waits 30 s by default and drops its cache on a failed
fetch; an identity provider's hiccup must not log everybody out, so this one
waits `timeout` seconds at most, keeps the last good keys, refetches on an unknown
`kid` at most once a minute, and after a failed fetch waits `FAILED_FETCH_BACKOFF_SECONDS`
before trying again, so an outage does not make every request wait on the network.

Verification is synchronous and runs where Django runs sync code: a WSGI worker, or
under ASGI a worker thread (`sync_to_async`, `database_sync_to_async` in `/ws`),
never the event loop.
"""

import json
import logging
import threading
import time
import urllib.request
from functools import lru_cache

import jwt

logger = logging.getLogger(__name__)

REFETCH_INTERVAL_SECONDS = 60
FAILED_FETCH_BACKOFF_SECONDS = 10


class KeyNotFound(Exception):
    pass


class JWKSKeySet:
    def __init__(self, url: str, *, ttl: float, timeout: float) -> None:
        self.url = url
        self.ttl = ttl
        self.timeout = timeout
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._missed_at = float("-inf")
        self._failed_at = float("-inf")
        self._lock = threading.Lock()

    def key(self, kid: str | None) -> jwt.PyJWK:
        if self._expired() and not self._backing_off():
            self._refresh()
        found = self._lookup(kid)
        if found is None and self._may_refetch_for_unknown_kid():
            self._missed_at = time.monotonic()
            self._refresh()
            found = self._lookup(kid)
        if found is None:
            raise KeyNotFound(f"No signing key with kid {kid!r}")
        return found

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid) if kid else None

    def _may_refetch_for_unknown_kid(self) -> bool:
        since_miss = time.monotonic() - self._missed_at
        return since_miss >= REFETCH_INTERVAL_SECONDS and not self._backing_off()

    def _expired(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at > self.ttl

    def _backing_off(self) -> bool:
        return time.monotonic() - self._failed_at < FAILED_FETCH_BACKOFF_SECONDS

    def _refresh(self) -> None:
        with self._lock:
            try:
                with urllib.request.urlopen(self.url, timeout=self.timeout) as response:
                    document = json.load(response)
                keys = jwt.PyJWKSet.from_dict(document).keys
            except (OSError, ValueError, jwt.PyJWTError) as exc:
                logger.warning(
                    "JWKS fetch from %s failed (%s); keeping the last good keys", self.url, exc
                )
                self._failed_at = time.monotonic()
                return
            self._keys = {key.key_id: key for key in keys if key.key_id}
            self._fetched_at = time.monotonic()


@lru_cache(maxsize=8)
def key_set(url: str, ttl: float, timeout: float) -> JWKSKeySet:
    return JWKSKeySet(url, ttl=ttl, timeout=timeout)
