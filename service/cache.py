"""Remember answers: a result cache by content, and Idempotency-Key replay.

Both live in a Store: in-process (``cachetools``, the default) or Redis
(``NEWSBRIEF_CACHE_URL``), shared by every replica. Both are bounded in
time, the in-process one also in size. A CMS webhook that retries the same
article gets the stored result instead of a second generation.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any
from typing import Protocol

from cachetools import TTLCache

from service.errors import IdempotencyConflict
from service.errors import IdempotencyInFlight

logger = logging.getLogger(__name__)

IDEMPOTENCY_BYTES = 64 * 1024 * 1024
ENTRY_OVERHEAD = 256  # key, timestamps and dict slots of one entry, roughly


def _entry_bytes(value: str) -> int:
    return len(value) + ENTRY_OVERHEAD


def digest(*parts: Any) -> str:
    """Return a stable SHA-256 of JSON-serialisable parts."""
    payload = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class Store(Protocol):
    """A key-value store with expiry; a failure reads as a miss, never raises."""

    def get(self, key: str) -> str | None:
        """Return the value, or None when absent, expired or unreachable."""

    def set(self, key: str, value: str, ttl: float) -> None:
        """Store a value for ``ttl`` seconds."""

    def add(self, key: str, value: str, ttl: float) -> bool:
        """Store only if absent; True when stored (or the store is unreachable)."""

    def delete(self, key: str) -> None:
        """Remove a key."""


class MemoryStore:
    """In-process store (the default): LRU entries with expiry, bounded by bytes.

    Bounded by the size of what it holds, not by a count: a count let a few
    huge results grow a worker by a gigabyte.
    """

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

    def set(self, key: str, value: str, ttl: float) -> None:
        """Store a value (the cache's own TTL applies); one larger than the bound is skipped."""
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

    def delete(self, key: str) -> None:
        """Remove a key."""
        with self._lock:
            self._data.pop(key, None)


class RedisStore:
    """Redis store shared by replicas; when Redis is down, every call is a miss.

    Failures are logged and counted (``errors``), never raised: the service
    keeps answering without its cache rather than failing requests.
    """

    def __init__(self, url: str, prefix: str, timeout_s: float = 0.25) -> None:
        """Connect lazily to ``url``; keys live under ``prefix``."""
        import redis

        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s,
            decode_responses=True,
        )  # fmt: skip
        self._prefix = prefix
        self._errors_type = redis.RedisError
        self.errors = 0

    def _fail(self, operation: str, exc: Exception) -> None:
        self.errors += 1
        logger.warning("cache_unavailable op=%s error=%s", operation, type(exc).__name__)

    def get(self, key: str) -> str | None:
        """Return the value or None (also when Redis is unreachable)."""
        try:
            value = self._client.get(self._prefix + key)
        except (self._errors_type, OSError) as exc:
            self._fail("get", exc)
            return None
        return value if isinstance(value, str) else None

    def set(self, key: str, value: str, ttl: float) -> None:
        """Store with expiry; dropped when Redis is unreachable."""
        try:
            self._client.set(self._prefix + key, value, ex=max(1, int(ttl)))
        except (self._errors_type, OSError) as exc:
            self._fail("set", exc)

    def add(self, key: str, value: str, ttl: float) -> bool:
        """SET NX with expiry; True when stored or when Redis is unreachable."""
        try:
            return bool(self._client.set(self._prefix + key, value, ex=max(1, int(ttl)), nx=True))
        except (self._errors_type, OSError) as exc:
            self._fail("add", exc)
            return True

    def delete(self, key: str) -> None:
        """Remove a key; ignored when Redis is unreachable."""
        try:
            self._client.delete(self._prefix + key)
        except (self._errors_type, OSError) as exc:
            self._fail("delete", exc)


def make_store(url: str, prefix: str, max_bytes: int, ttl: float, state_dir: str = "") -> Store:
    """Return a Redis store for a URL, a SQLite one for a state folder, else an in-process one."""
    if url:
        return RedisStore(url, prefix)
    if state_dir:
        from service.sqlitestore import SqliteStore

        return SqliteStore(state_dir, prefix)
    return MemoryStore(max_bytes, ttl)


class ResultCache:
    """Cache of summary results by content key; size 0 disables it."""

    def __init__(self, store: Store | None, ttl: float) -> None:
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
            self._store.set(key, json.dumps(value, ensure_ascii=False), self._ttl)


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """What was answered to the first request with an Idempotency-Key."""

    body_hash: str
    status: int
    body: bytes
    content_type: str
    location: str | None = None  # a 202's Location (a job), replayed with it

    def dumps(self) -> str:
        """Serialise for a store."""
        return json.dumps(
            {"hash": self.body_hash, "status": self.status,
             "body": self.body.decode("utf-8", "replace"), "type": self.content_type,
             "location": self.location}
        )  # fmt: skip

    @classmethod
    def loads(cls, raw: str) -> StoredResponse:
        """Read back what ``dumps`` wrote."""
        data = json.loads(raw)
        return cls(
            data["hash"], data["status"], data["body"].encode("utf-8"), data["type"],
            data.get("location"),
        )  # fmt: skip


_IN_FLIGHT = "in-flight:"


class IdempotencyStore:
    """Map Idempotency-Key to the first answer; reject reuse with another body."""

    def __init__(self, store: Store, ttl: float) -> None:
        """Keep answers in ``store`` for ``ttl`` seconds (``NEWSBRIEF_IDEMPOTENCY_TTL``)."""
        self._store = store
        self._ttl = ttl

    def begin(self, key: str, body_hash: str) -> StoredResponse | None:
        """Return the stored answer to replay, or claim the key (None).

        Raises:
            IdempotencyConflict: the key was used with a different body.
            IdempotencyInFlight: the first request with this key is still running.
        """
        if self._store.add(key, _IN_FLIGHT + body_hash, self._ttl):
            return None
        raw = self._store.get(key)
        if raw is None:  # expired between the two calls: claim it
            self._store.set(key, _IN_FLIGHT + body_hash, self._ttl)
            return None
        if raw.startswith(_IN_FLIGHT):
            if raw[len(_IN_FLIGHT) :] != body_hash:
                raise IdempotencyConflict("this Idempotency-Key was used with a different body")
            raise IdempotencyInFlight("a request with this Idempotency-Key is in progress")
        stored = StoredResponse.loads(raw)
        if stored.body_hash != body_hash:
            raise IdempotencyConflict("this Idempotency-Key was used with a different body")
        return stored

    def finish(self, key: str, response: StoredResponse | None) -> None:
        """Store the answer, or release the key (None) so a retry can run."""
        if response is None:
            self._store.delete(key)
        else:
            self._store.set(key, response.dumps(), self._ttl)
