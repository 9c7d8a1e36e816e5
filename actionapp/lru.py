"""A thread-safe least-recently-used map (cachetools' LRUCache behind a lock), per process."""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

V = TypeVar("V")


class LruCache(Generic[V]):
    """Keep at most `size` values; the least recently used one goes first."""

    def __init__(self, size: int) -> None:
        self._values: LRUCache[Hashable, V] = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """Return the value for the key, or None."""
        with self._lock:
            return self._values.get(key)

    def put(self, key: Hashable, value: V) -> None:
        """Keep a value."""
        with self._lock:
            self._values[key] = value
