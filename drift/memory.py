"""What keeps a long-running server process's memory flat: bounded in-process caches,
and the loaded application frozen out of the garbage collector's count."""

import gc
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from importlib import import_module
from typing import Any

from django.conf import settings


def freeze_loaded_application() -> None:
    """Load the URLconf (and with it every view), then freeze all that is loaded.

    Python (3.12, 3.13) collects its oldest generation only once it has grown by a
    quarter of what it holds. A request's garbage is cyclic (a DRF view and its response
    refer to each other and to the request) and a large POST outlives a young collection,
    so with Django's long-lived objects counted, 1000-activity POSTs piled up tens of MB
    between full collections. Frozen, they no longer count, and full collections keep
    pace with the garbage (README "Performance", Memory).
    """
    import_module(settings.ROOT_URLCONF)
    gc.collect()  # what is garbage now would never be collected once frozen
    gc.freeze()
    # A full collection measures the oldest generation anew, without what is frozen:
    # the next one comes once the garbage has grown by a quarter of that, not of all.
    gc.collect()


class BoundedCache:
    """A thread-safe LRU map bounded by the total weight of its values, whose entries
    may also expire."""

    def __init__(self, max_weight: int) -> None:
        self.max_weight = max_weight
        self.weight = 0
        self._entries: OrderedDict[Hashable, tuple[Any, int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[2] <= time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: Any, *, weight: int = 1, ttl: float = float("inf")) -> None:
        if weight > self.max_weight or ttl <= 0:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (value, weight, time.monotonic() + ttl)
            self.weight += weight
            while self.weight > self.max_weight:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.weight = 0

    def _drop(self, key: Hashable) -> None:
        self.weight -= self._entries.pop(key)[1]
