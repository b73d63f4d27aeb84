"""Name the failures the service reports; each maps to one problem+json answer.

Engines and text code raise these; only ``service.api.problems`` turns them
into HTTP responses, so nothing here imports Flask.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any
from typing import ClassVar

PROBLEM_BASE = "https://newsbrief.dev/problems/"


class ServiceError(Exception):
    """Base of every failure the service reports to a client."""

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal server error"
    slug: ClassVar[str] = "internal"

    def __init__(
        self,
        detail: str,
        *,
        extensions: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Keep the human detail, extra problem members and response headers."""
        super().__init__(detail)
        self.detail = detail
        self.extensions = dict(extensions or {})
        self.headers = dict(headers or {})

    @property
    def type(self) -> str:
        """Return the stable URI that identifies this kind of problem."""
        return PROBLEM_BASE + self.slug


class Unauthorized(ServiceError):
    """No API key, or one that matches no configured key."""

    status = 401
    title = "Unauthorized"
    slug = "unauthorized"

    def __init__(self, detail: str) -> None:
        """Tell the client which scheme to use (RFC 9110 WWW-Authenticate)."""
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="newsbrief"'})


class RetryLater(ServiceError):
    """A failure that passes: the answer carries ``Retry-After`` (whole seconds)."""

    retry_after: ClassVar[float] = 1

    def __init__(self, detail: str, *, retry_after: float | None = None) -> None:
        """Tell clients when to come back (the class default unless given)."""
        wait = self.retry_after if retry_after is None else retry_after
        super().__init__(detail, headers={"Retry-After": str(max(1, math.ceil(wait)))})


class RateLimited(RetryLater):
    """The caller spent its request budget (``NEWSBRIEF_RATE_LIMIT``)."""

    status = 429
    title = "Too many requests"
    slug = "rate-limited"


class ValidationFailed(ServiceError):
    """A document did not match its schema (the same problem as a single request's 422)."""

    status = 422
    title = "Unprocessable Entity"
    slug = "unprocessable-entity"


class UnsupportedLanguage(ServiceError):
    """The article is in a language the service's rules and models do not cover."""

    status = 422
    title = "Unsupported language"
    slug = "unsupported-language"


class InvalidInput(ServiceError):
    """The request is well-formed JSON but its content cannot be used."""

    status = 422
    title = "Invalid input"
    slug = "invalid-input"


class UnknownProfile(ServiceError):
    """``options.profile`` names no profile this server has."""

    status = 422
    title = "Unknown profile"
    slug = "unknown-profile"


class InputTooLong(ServiceError):
    """An article is longer than ``NEWSBRIEF_MAX_INPUT_CHARS``."""

    status = 413
    title = "Input too long"
    slug = "input-too-long"


class EngineNotFound(ServiceError):
    """The request names an engine the registry does not have."""

    status = 422
    title = "Unknown engine"
    slug = "engine-not-found"


class ModelNotReady(RetryLater):
    """The engine exists but is still loading, or failed to load."""

    status = 503
    title = "Engine not ready"
    slug = "model-not-ready"

    retry_after = 5


class Overloaded(RetryLater):
    """The engine's queue is full; the client should retry later."""

    status = 503
    title = "Service overloaded"
    slug = "overloaded"

    retry_after = 2


class RequestTimedOut(ServiceError):
    """The summary was not ready within ``NEWSBRIEF_REQUEST_TIMEOUT``."""

    status = 504
    title = "Summary timed out"
    slug = "timeout"


class ClientGone(ServiceError):
    """The client hung up before its summary was generated (nginx's 499)."""

    status = 499
    title = "Client closed request"
    slug = "client-closed-request"


class IdempotencyConflict(ServiceError):
    """An Idempotency-Key was reused with a different body, or is still in flight."""

    status = 422
    title = "Idempotency key reused"
    slug = "idempotency-key-reused"


class IdempotencyInFlight(RetryLater):
    """A request with the same Idempotency-Key is still being answered."""

    status = 409
    title = "Request in progress"
    slug = "idempotency-key-in-flight"


class ModelMissing(ServiceError):
    """Model weights are not on disk; the operator must fetch them.

    Permanent until someone acts, so no ``Retry-After``: clients must not
    retry in a loop. The detail names the fix, never a server path.
    """

    status = 503
    title = "Model weights missing"
    slug = "model-missing"


class EngineFailed(ServiceError):
    """The engine failed to load for a reason other than missing weights; it will not recover by itself."""

    status = 503
    title = "Engine failed to load"
    slug = "engine-failed"


class InferenceFailed(ServiceError):
    """The engine raised while summarising; internals stay in the logs."""

    status = 500
    title = "Inference failed"
    slug = "inference-failed"


class JobNotFound(ServiceError):
    """No job with this id (never created, expired, or created with another API key)."""

    status = 404
    title = "Job not found"
    slug = "job-not-found"


class JobNotCancellable(ServiceError):
    """Only a queued job can be cancelled; this one already started or ended."""

    status = 409
    title = "Job cannot be cancelled"
    slug = "job-not-cancellable"


class StateUnavailable(RetryLater):
    """The store behind replay protection or Idempotency-Key answers failed: refuse, never guess."""

    status = 503
    title = "Shared state unavailable"
    slug = "state-unavailable"

    retry_after = 5


class JobsUnavailable(RetryLater):
    """The job store (Redis or the host's SQLite file) cannot be reached; nothing was queued."""

    status = 503
    title = "Job store unavailable"
    slug = "jobs-unavailable"

    retry_after = 5


class JobsFull(RetryLater):
    """The job store is full for everyone: queued jobs, stored jobs or bytes."""

    status = 503
    title = "Job store full"
    slug = "jobs-full"

    retry_after = 30


class JobsQuota(RetryLater):
    """This API key holds its share of the job store already (jobs, bytes or queued jobs)."""

    status = 429
    title = "Job quota spent"
    slug = "jobs-quota"

    retry_after = 60


class JobTooLarge(ServiceError):
    """One job larger than a key's whole job-store budget: it can never be stored."""

    status = 413
    title = "Job too large"
    slug = "job-too-large"


class CallbackRefused(ServiceError):
    """A callback URL that the service will not call (scheme, host or address not allowed)."""

    status = 422
    title = "Callback URL refused"
    slug = "callback-refused"
