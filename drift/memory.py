"""Bounded in-process caches."""

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class BoundedCache:
    """A thread-safe LRU map bounded by the total weight of its values, whose entries
    may also expire."""

    def __init__(self, max_weight: int) -> None:
        self.max_weight = max_weight
        self.weight = 0
        self._entries: OrderedDict[Hashable, tuple[Any, int, float]] = OrderedDict()
        self._lock = threading.Lock()

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
