"""A small per-process cache of rendered public pages."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class PageCache:
    """Least-recently-used cache of rendered HTML, keyed by everything the HTML depends on."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._pages: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> str:
        """Return the cached page for the key, rendering and keeping it on a miss."""
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
                return page
        page = render()
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)
        return page

    def clear(self) -> None:
        """Forget every page."""
        with self._lock:
            self._pages.clear()
