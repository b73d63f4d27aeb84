"""The one interface every store backend offers, and the one error a backend raises.

A backend never decides what a failure means: it raises ``StoreUnavailable``
and the policy its user declared (``service.store.policy``) answers for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol
from typing import TypeVar

T = TypeVar("T")
Change = Callable[[str | None], tuple[str, T]]


class StoreUnavailable(Exception):  # noqa: N818 - a state, as in sqlite3.OperationalError
    """The backend could not do what was asked (down, corrupt, full)."""


class Store(Protocol):
    """A key-value store with expiry; every method raises ``StoreUnavailable`` on failure."""

    shared: bool  # used by every replica (Redis), not one host's workers

    def get(self, key: str) -> str | None:
        """Return the value of a live entry, or None."""

    def put(self, key: str, value: str, ttl: float) -> None:
        """Store a value for ``ttl`` seconds."""

    def add(self, key: str, value: str, ttl: float) -> bool:
        """Store only if absent (or expired); True when this call stored it."""

    def update(self, key: str, change: Change[T], ttl: float) -> T:
        """Read, change and write one entry atomically; return ``change``'s result."""

    def delete(self, key: str) -> None:
        """Remove a key."""

    def check(self) -> None:
        """Write and read a probe entry; raise ``StoreUnavailable`` when that fails."""
