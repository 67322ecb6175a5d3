"""Version stamps mirrored in Redis, so that a cached GET or a 304 makes one round trip:
the rate limit's counter and the stamp come back from the same Lua call.

The database holds the stamps (see `drift.representations`); Redis holds a copy of
those a view names in `stamp_mirror`, as `<stamp> <org id>` under the resource's key,
for `DRIFT_STAMP_MIRROR_SECONDS` at most. A copy is never older than the rows once their
transaction has committed:

- a write drops the copy at once and again when it commits (`StampMirror.forget`); the
  services change a stamp before they announce the change, so whoever hears of it
  reads the new stamp;
- a reader that finds no copy takes a lease on the key in the same call, and fills it
  from the rows only while its lease is still there: a write dropping it in between
  means the rows it read may be older than that write (memcache's leases).

A drop lost to a Redis fault (the write goes on) leaves the copy until it expires. With
the embedded cache (no Redis) nothing is mirrored: every read asks the database.
"""

import functools
import logging
import secrets
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from redis.commands.core import Script

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

LEASE = "~"
LEASE_MS = 2000

# Count a hit (starting the window's expiry with the first one); read the other keys,
# leasing to ARGV[2] for ARGV[3] ms each one that holds nothing.
COUNT_AND_READ = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local read = {count}
for i = 2, #KEYS do
  local value = redis.call('GET', KEYS[i])
  if not value then
    value = ARGV[2]
    redis.call('SET', KEYS[i], value, 'PX', ARGV[3])
  end
  read[i] = value
end
return read
"""

# Replace the lease ARGV[1] by the value ARGV[2] for ARGV[3] seconds, if it still holds.
FILL = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
"""


def redis_cache() -> RedisCache | None:
    cache = caches["default"]
    return cache if isinstance(cache, RedisCache) else None


@functools.lru_cache(maxsize=16)
def script(cache: RedisCache, source: str) -> Script:
    """`source` registered on the cache's Redis, once per cache connection: a Redis
    client costs more to build than the call itself."""
    return cache._cache.get_client(write=True).register_script(source)


def wanted(request: "Request", view: "APIView") -> list[str]:
    """The keys of the mirrored stamps `view` reads to answer `request`: a view naming a
    `stamp_mirror` reads the stamp of the resource its URL's `pk` names."""
    mirror: StampMirror | None = getattr(view, "stamp_mirror", None)
    cache = redis_cache()
    if mirror is None or cache is None or request.method not in ("GET", "HEAD"):
        return []
    return [mirror.key(cache, view.kwargs["pk"])] if settings.STAMP_MIRROR_SECONDS else []


def count_and_read(
    cache: RedisCache, counter: str, window: int, keys: list[str], request: "Request"
) -> int:
    """Count a hit on `counter` (expiring after `window` seconds) and, in the same round
    trip, read the stamps under `keys` for `request`; returns the count."""
    lease = f"{LEASE}{secrets.token_hex(8)}"
    count, *values = script(cache, COUNT_AND_READ)(
        keys=[cache.make_and_validate_key(counter), *keys], args=[window, lease, LEASE_MS]
    )
    request._request.mirrored_stamps = (
        lease,
        dict(zip(keys, (v.decode() for v in values), strict=True)),
    )
    return count


class StampMirror:
    """The stamps of one kind of resource, mirrored in Redis.

    `load(pk)` reads the resource's `(stamp, org id)` from the database, or None when it
    does not exist; `parse` turns a stamp's text back into the stamp."""

    def __init__(
        self,
        kind: str,
        load: Callable[[Any], tuple[Any, str] | None],
        parse: Callable[[str], Any] = str,
    ) -> None:
        self.kind = kind
        self.load = load
        self.parse = parse

    def key(self, cache: RedisCache, pk: Any) -> str:
        # `make_key`: the key is ours, of safe characters; validating it costs a loop per char.
        return cache.make_key(f"stamp:{self.kind}:{pk}")

    def stamp(self, request: "Request", org_id: str | None, pk: Any) -> Any | None:
        """The resource's stamp, or None when `org_id`'s members may not see it."""
        lease, read = getattr(request, "mirrored_stamps", (None, {}))
        key = self.key(redis_cache(), pk) if read else None
        copy = read.get(key)
        if copy is not None and not copy.startswith(LEASE):
            stamp, _, owner = copy.partition(" ")
            return self.parse(stamp) if owner == org_id else None
        row = self.load(pk)
        if row is not None and copy is not None and copy == lease:
            self._fill(key, lease, f"{row[0]} {row[1]}")
        return row[0] if row is not None and row[1] == org_id else None

    def forget(self, pks: Sequence[Any]) -> None:
        """Drop the copies of these resources' stamps now and when the transaction commits."""
        cache = redis_cache()
        if cache is None or not pks:
            return
        keys = [self.key(cache, pk) for pk in pks]
        _drop(cache, keys)
        transaction.on_commit(functools.partial(_drop, cache, keys))

    @staticmethod
    def _fill(key: str, lease: str, value: str) -> None:
        try:
            script(redis_cache(), FILL)(
                keys=[key], args=[lease, value, settings.STAMP_MIRROR_SECONDS]
            )
        except Exception:
            logger.warning("Stamp mirror unavailable; %s not filled", key)


def _drop(cache: RedisCache, keys: list[str]) -> None:
    try:
        cache._cache.get_client(write=True).delete(*keys)
    except Exception:
        logger.warning("Stamp mirror unavailable; %s kept until it expires", keys)
