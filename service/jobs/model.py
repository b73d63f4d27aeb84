"""One job and its life: queued, running, then succeeded, failed or cancelled.

A ``Job`` is a plain value: every change returns a new one, and the stores
write it whole inside one transaction. ``due`` says when a runner may take
it (queued: not before; running: when its lease lapses) and
``delivery_due`` when its callback is next attempted.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

QUEUED = "queued"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELLED = "cancelled"
ENDED = frozenset((SUCCEEDED, FAILED, CANCELLED))

# What a job can run: the path under /v1 whose body it carries.
OPERATIONS = ("summaries", "summaries:batch", "checks")

# Callback delivery states.
PENDING = "pending"
DELIVERED = "delivered"
GAVE_UP = "failed"


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where a job's result goes when it ends, and how that went so far."""

    url: str
    secret_name: str
    state: str = PENDING
    attempts: int = 0
    next_at: float | None = None
    last_status: int | None = None
    last_error: str | None = None
    delivered_at: float | None = None


@dataclass(frozen=True, slots=True)
class Job:
    """A queued request and what became of it."""

    id: str
    operation: str
    body: dict[str, Any]
    created: float
    owner: str = ""
    status: str = QUEUED
    not_before: float = 0.0
    attempts: int = 0
    token: str = ""
    lease_until: float = 0.0
    runner: str = ""
    started: float | None = None
    finished: float | None = None
    result: dict[str, Any] | None = None
    problem: dict[str, Any] | None = None
    callback: Delivery | None = None

    @classmethod
    def new(
        cls, operation: str, body: dict[str, Any], now: float, owner: str = "",
        callback: Delivery | None = None,
    ) -> Job:  # fmt: skip
        """Return a queued job with a fresh, unguessable id."""
        return cls(secrets.token_hex(16), operation, body, now, owner, callback=callback)

    @property
    def due(self) -> float | None:
        """Return when a runner may take this job, or None once it ended."""
        if self.status == QUEUED:
            return self.not_before or self.created
        if self.status == RUNNING:
            return self.lease_until
        return None

    @property
    def delivery_due(self) -> float | None:
        """Return when the callback is next attempted, or None when nothing is owed."""
        if self.callback is None or self.status not in ENDED or self.status == CANCELLED:
            return None
        return self.callback.next_at if self.callback.state == PENDING else None

    def claimed(self, runner: str, now: float, lease_s: float) -> Job:
        """Return this job running under a new lease held by ``runner``."""
        return dataclasses.replace(
            self, status=RUNNING, attempts=self.attempts + 1, token=secrets.token_hex(8),
            lease_until=now + lease_s, runner=runner, started=self.started or now,
        )  # fmt: skip

    def ended(
        self, status: str, now: float, result: dict[str, Any] | None = None,
        problem: dict[str, Any] | None = None,
    ) -> Job:  # fmt: skip
        """Return this job ended; a callback becomes due at once."""
        callback = self.callback
        if callback is not None and status != CANCELLED:
            callback = dataclasses.replace(callback, next_at=now)
        # The request is not kept once the job ended: only its answer is owed.
        return dataclasses.replace(
            self, status=status, finished=now, result=result, problem=problem, token="",
            lease_until=0.0, callback=callback, body={},
        )  # fmt: skip

    def dumps(self) -> str:
        """Serialise for a store."""
        # ASCII escapes: a lone surrogate ("\ud800") is valid JSON but not UTF-8.
        return json.dumps(dataclasses.asdict(self), separators=(",", ":"))

    @classmethod
    def loads(cls, raw: str) -> Job:
        """Read back what ``dumps`` wrote."""
        data = json.loads(raw)
        callback = data.pop("callback")
        return cls(**data, callback=None if callback is None else Delivery(**callback))

    def public(self) -> dict[str, Any]:
        """Return the job as the API shows it (no lease token, no request body)."""
        shown: dict[str, Any] = {
            "id": self.id, "operation": self.operation, "status": self.status,
            "created": _iso(self.created), "started": _iso(self.started),
            "finished": _iso(self.finished), "attempts": self.attempts,
            "result": self.result, "problem": self.problem,
        }  # fmt: skip
        if self.callback is not None:
            shown["callback"] = {
                "url": self.callback.url, "state": self.callback.state,
                "attempts": self.callback.attempts, "last_status": self.callback.last_status,
                "last_error": self.callback.last_error,
                "delivered": _iso(self.callback.delivered_at),
            }  # fmt: skip
        return shown


def _iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return (
        datetime.fromtimestamp(moment, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )
