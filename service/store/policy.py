"""What a store failure means, declared once for each use of a store.

- ``FailClosed`` (replay protection, Idempotency-Key answers): the request
  that needs the state is refused with 503 ``state-unavailable``, and
  ``/readyz`` says not ready while the store fails; requests that do not
  need it (a plain summary) are served as usual.
- ``FallBack`` (rate buckets): the limit is kept in this worker's memory
  while the shared store fails, so it never switches off (it holds per
  worker instead of per host or cluster).
- ``FailOpen`` (the result cache): a failure is a miss.

Every failure is logged and counted (``newsbrief_store_errors_total``), and
``newsbrief_store_up`` says whether each store passed its last check.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from service.errors import StateUnavailable
from service.metrics import STORE_ERRORS
from service.metrics import STORE_UP
from service.store.base import Change
from service.store.base import Store
from service.store.base import StoreUnavailable
from service.store.memory import MemoryStore

logger = logging.getLogger(__name__)
T = TypeVar("T")

RECENT_S = 30.0  # a failure this recent keeps a fail-closed store "not ready"


class _Watched:
    """A store with a name, its failures counted and its health known."""

    def __init__(self, store: Store, name: str) -> None:
        self.store = store
        self.name = name
        self._failed_at: float | None = None

    def _failed(self, exc: StoreUnavailable) -> None:
        self._failed_at = time.monotonic()
        STORE_ERRORS.labels(self.name).inc()
        STORE_UP.labels(self.name).set(0)
        logger.warning("store_unavailable store=%s error=%s", self.name, str(exc)[:200])

    def problem(self) -> str | None:
        """Check the store now; return why it is not usable, or None."""
        try:
            self.store.check()
        except StoreUnavailable as exc:
            self._failed(exc)
            return str(exc)
        if self._failed_at is not None and time.monotonic() - self._failed_at < RECENT_S:
            return "it failed in the last 30 s"
        STORE_UP.labels(self.name).set(1)
        return None


class FailClosed(_Watched):
    """Security state: when the store fails, refuse what needs it (503); never guess."""

    def _guarded(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except StoreUnavailable as exc:
            self._failed(exc)
            raise StateUnavailable(
                f"the {self.name} store is unavailable, and this request needs it; "
                "it was not run (retry later)"
            ) from None

    def get(self, key: str) -> str | None:
        """Return the value or None; raise ``StateUnavailable`` when the store fails."""
        return self._guarded(lambda: self.store.get(key))

    def put(self, key: str, value: str, ttl: float) -> None:
        """Store a value; raise ``StateUnavailable`` when the store fails."""
        self._guarded(lambda: self.store.put(key, value, ttl))

    def add(self, key: str, value: str, ttl: float) -> bool:
        """Store if absent; raise ``StateUnavailable`` when the store fails (never a guess)."""
        return self._guarded(lambda: self.store.add(key, value, ttl))

    def delete(self, key: str) -> None:
        """Remove a key; raise ``StateUnavailable`` when the store fails."""
        self._guarded(lambda: self.store.delete(key))


class FallBack(_Watched):
    """Rate buckets: the shared store, or this worker's memory while it fails."""

    def __init__(self, store: Store, name: str, local: MemoryStore) -> None:
        """Use ``store``; ``local`` answers while it fails."""
        super().__init__(store, name)
        self._local = local

    def update(self, key: str, change: Change[T], ttl: float) -> T:
        """Change an entry in the shared store, else in this worker's memory."""
        try:
            return self.store.update(key, change, ttl)
        except StoreUnavailable as exc:
            self._failed(exc)
            return self._local.update(key, change, ttl)


class FailOpen(_Watched):
    """The result cache: a failing store is a miss, and a write is skipped."""

    def get(self, key: str) -> str | None:
        """Return the value, or None (also when the store fails)."""
        try:
            return self.store.get(key)
        except StoreUnavailable as exc:
            self._failed(exc)
            return None

    def put(self, key: str, value: str, ttl: float) -> None:
        """Store a value, or skip it when the store fails."""
        try:
            self.store.put(key, value, ttl)
        except StoreUnavailable as exc:
            self._failed(exc)
