"""Idempotency-Key answers: the first answer to a key, replayed to its retries.

The store fails closed: if it cannot say whether a key was used, the
request is refused (503) rather than run a second time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from service.errors import IdempotencyConflict
from service.errors import IdempotencyInFlight
from service.store.policy import FailClosed

IDEMPOTENCY_BYTES = 64 * 1024 * 1024  # the in-process store's bound


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

    def __init__(self, store: FailClosed, ttl: float) -> None:
        """Keep answers in ``store`` for ``ttl`` seconds (``NEWSBRIEF_IDEMPOTENCY_TTL``)."""
        self._store = store
        self._ttl = ttl

    def begin(self, key: str, body_hash: str) -> StoredResponse | None:
        """Return the stored answer to replay, or claim the key (None).

        Raises:
            IdempotencyConflict: the key was used with a different body.
            IdempotencyInFlight: the first request with this key is still running.
            StateUnavailable: the store cannot tell; the request must not run.
        """
        if self._store.add(key, _IN_FLIGHT + body_hash, self._ttl):
            return None
        raw = self._store.get(key)
        if raw is None:  # expired between the two calls: claim it
            self._store.put(key, _IN_FLIGHT + body_hash, self._ttl)
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
            self._store.put(key, response.dumps(), self._ttl)
