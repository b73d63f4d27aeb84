"""Remember answers: a result cache by content, and Idempotency-Key replay.

Both are in-process (``cachetools``) and bounded in size and time. A CMS
webhook that retries the same article gets the stored result instead of a
second generation.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache

from service.errors import IdempotencyConflict
from service.errors import IdempotencyInFlight

IDEMPOTENCY_ENTRIES = 10_000


def digest(*parts: Any) -> str:
    """Return a stable SHA-256 of JSON-serialisable parts."""
    payload = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ResultCache:
    """LRU + TTL cache of summary results; size 0 disables it."""

    def __init__(self, size: int, ttl: float) -> None:
        """Hold at most ``size`` results for ``ttl`` seconds each."""
        self._cache: TTLCache[str, dict[str, Any]] | None = (
            TTLCache(maxsize=size, ttl=ttl) if size else None
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> dict[str, Any] | None:
        """Return a stored result, or None."""
        if self._cache is None:
            return None
        with self._lock:
            found = self._cache.get(key)
            self.hits += found is not None
            self.misses += found is None
        return dict(found) if found is not None else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Store a result."""
        if self._cache is not None:
            with self._lock:
                self._cache[key] = dict(value)


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """What was answered to the first request with an Idempotency-Key."""

    body_hash: str
    status: int
    body: bytes
    content_type: str


_IN_FLIGHT = "in-flight"


class IdempotencyStore:
    """Map Idempotency-Key to the first answer; reject reuse with another body."""

    def __init__(self, ttl: float) -> None:
        """Keep answers for ``ttl`` seconds (``NEWSBRIEF_IDEMPOTENCY_TTL``)."""
        self._entries: TTLCache[str, StoredResponse | tuple[str, str]] = TTLCache(
            maxsize=IDEMPOTENCY_ENTRIES, ttl=ttl
        )
        self._lock = threading.Lock()

    def begin(self, key: str, body_hash: str) -> StoredResponse | None:
        """Return the stored answer to replay, or claim the key (None).

        Raises:
            IdempotencyConflict: the key was used with a different body.
            IdempotencyInFlight: the first request with this key is still running.
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self._entries[key] = (_IN_FLIGHT, body_hash)
                return None
        if isinstance(entry, tuple):
            if entry[1] != body_hash:
                raise IdempotencyConflict("this Idempotency-Key was used with a different body")
            raise IdempotencyInFlight("a request with this Idempotency-Key is in progress")
        if entry.body_hash != body_hash:
            raise IdempotencyConflict("this Idempotency-Key was used with a different body")
        return entry

    def finish(self, key: str, response: StoredResponse | None) -> None:
        """Store the answer, or release the key (None) so a retry can run."""
        with self._lock:
            if response is None:
                self._entries.pop(key, None)
            else:
                self._entries[key] = response
