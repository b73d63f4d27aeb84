"""The result cache: answers by content key, so a CMS re-posting a story gets them back at once."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from service.store.policy import FailOpen


def digest(*parts: Any) -> str:
    """Return a stable SHA-256 of JSON-serialisable parts."""
    payload = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ResultCache:
    """Cache of results by content key (fails open: a failing store is a miss); None disables it."""

    def __init__(self, store: FailOpen | None, ttl: float) -> None:
        """Keep results in ``store`` (None: no caching) for ``ttl`` seconds."""
        self._store = store
        self._ttl = ttl

    def get(self, key: str) -> dict[str, Any] | None:
        """Return a stored result, or None."""
        if self._store is None:
            return None
        from service.metrics import CACHE

        raw = self._store.get(key)
        CACHE.labels("hit" if raw is not None else "miss").inc()
        return json.loads(raw) if raw is not None else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Store a result."""
        if self._store is not None:
            self._store.put(key, json.dumps(value, ensure_ascii=False), self._ttl)
