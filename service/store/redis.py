"""The Redis backend, shared by every replica (``NEWSBRIEF_CACHE_URL``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from typing import TypeVar

from service.store.base import Change
from service.store.base import StoreUnavailable

T = TypeVar("T")
_PROBE = "probe"


class RedisStore:
    """Keys under ``prefix`` in Redis; every failure raises ``StoreUnavailable``."""

    shared = True  # every replica uses it

    def __init__(self, url: str, prefix: str, timeout_s: float = 0.25) -> None:
        """Connect lazily to ``url``."""
        import redis

        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s,
            decode_responses=True,
        )  # fmt: skip
        self._prefix = prefix
        self._failures: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._watch_error = redis.WatchError

    def _run(self, work: Callable[[], T]) -> T:
        try:
            return work()
        except self._failures as exc:
            raise StoreUnavailable(f"redis: {type(exc).__name__}: {exc}") from exc

    def get(self, key: str) -> str | None:
        """Return the value or None."""
        value = self._run(lambda: self._client.get(self._prefix + key))
        return value if isinstance(value, str) else None

    def put(self, key: str, value: str, ttl: float) -> None:
        """SET with expiry."""
        self._run(lambda: self._client.set(self._prefix + key, value, ex=max(1, int(ttl))))

    def add(self, key: str, value: str, ttl: float) -> bool:
        """SET NX with expiry; True when stored."""
        return bool(
            self._run(
                lambda: self._client.set(self._prefix + key, value, ex=max(1, int(ttl)), nx=True)
            )
        )

    def update(self, key: str, change: Change[T], ttl: float) -> T:
        """WATCH, read, change, write in MULTI; retried when another client wrote meanwhile."""
        name = self._prefix + key

        def work() -> T:
            with self._client.pipeline() as pipe:
                while True:
                    try:
                        pipe.watch(name)  # type: ignore[no-untyped-call]
                        current: Any = pipe.get(name)
                        value, result = change(None if current is None else str(current))
                        pipe.multi()
                        pipe.set(name, value, ex=max(1, int(ttl)))
                        pipe.execute()
                        return result
                    except self._watch_error:
                        continue

        return self._run(work)

    def delete(self, key: str) -> None:
        """DEL."""
        self._run(lambda: self._client.delete(self._prefix + key))

    def check(self) -> None:
        """Write and read back a probe entry."""
        self.put(_PROBE, str(time.time()), 60)
        if self.get(_PROBE) is None:
            raise StoreUnavailable("redis: the probe entry did not read back")
