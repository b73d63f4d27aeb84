"""The in-process backend (no Redis, no state folder): one worker's memory, bounded by bytes."""

from __future__ import annotations

import contextlib
import threading
from typing import TypeVar

from cachetools import TTLCache

from service.store.base import Change

T = TypeVar("T")

ENTRY_OVERHEAD = 256  # key, timestamps and dict slots of one entry, roughly


def _entry_bytes(value: str) -> int:
    return len(value) + ENTRY_OVERHEAD


class MemoryStore:
    """LRU entries with expiry, bounded by the size of what they hold (never fails).

    Bounded by bytes, not by a count: a count let a few huge results grow a
    worker by a gigabyte. The store-wide ``ttl`` caps every entry's.
    """

    shared = False  # this host (or process) only

    def __init__(self, max_bytes: int, ttl: float) -> None:
        """Hold at most ``max_bytes`` of values (plus a per-entry overhead), none longer than ``ttl``."""
        self._data: TTLCache[str, str] = TTLCache(
            maxsize=max(max_bytes, ENTRY_OVERHEAD), ttl=ttl, getsizeof=_entry_bytes
        )
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        """Return the value or None."""
        with self._lock:
            return self._data.get(key)

    def put(self, key: str, value: str, ttl: float) -> None:
        """Store a value; one larger than the bound is skipped."""
        with self._lock, contextlib.suppress(ValueError):
            self._data[key] = value

    def add(self, key: str, value: str, ttl: float) -> bool:
        """Store only if absent."""
        with self._lock:
            if key in self._data:
                return False
            with contextlib.suppress(ValueError):
                self._data[key] = value
            return True

    def update(self, key: str, change: Change[T], ttl: float) -> T:
        """Read, change and write under the lock."""
        with self._lock:
            value, result = change(self._data.get(key))
            with contextlib.suppress(ValueError):
                self._data[key] = value
            return result

    def delete(self, key: str) -> None:
        """Remove a key."""
        with self._lock:
            self._data.pop(key, None)

    def check(self) -> None:
        """Memory does not fail."""
