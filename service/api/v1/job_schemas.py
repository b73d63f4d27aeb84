"""Define the contract of ``/v1/jobs``: what a job request carries and how a job reads."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from service.api.v1.schemas import BatchRequestSchema
from service.api.v1.schemas import ChecksRequestSchema
from service.api.v1.schemas import SummaryRequestSchema
from service.jobs.callbacks import MAX_URL_CHARS
from service.jobs.model import OPERATIONS


class CallbackSchema(ma.Schema):
    """Where to POST the job when it ends, signed with a secret the server holds."""

    url = ma.fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_URL_CHARS),
        metadata={
            "description": "http(s) URL; must be public or allowed by NEWSBRIEF_CALLBACK_ALLOW.",
            "example": "https://cms.example.com/newsbrief/callback",
        },
    )
    secret_name = ma.fields.String(
        validate=validate.Regexp(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}(?:/[A-Za-z0-9._-]{1,64})?$"),
        metadata={
            "description": "Which NEWSBRIEF_CALLBACK_SECRETS entry signs it. With API keys: the "
            "secret named after the calling key (the default) or 'KEYNAME/...'; without keys: "
            "any (default: 'default')."
        },
    )


def _with_callback(base: type[ma.Schema], name: str) -> type[ma.Schema]:
    fields: dict[str, Any] = {
        "callback": ma.fields.Nested(CallbackSchema, metadata={"description": "Optional callback."})
    }
    schema: type[ma.Schema] = type(name, (base,), fields)
    schema.__doc__ = f"A job that runs what {base.__name__} describes, plus an optional callback."
    return schema


# One request shape per operation: the body of the route it runs, plus a callback.
JOB_REQUESTS: dict[str, type[ma.Schema]] = {
    "summaries": _with_callback(SummaryRequestSchema, "JobSummariesRequestSchema"),
    "summaries:batch": _with_callback(BatchRequestSchema, "JobBatchRequestSchema"),
    "checks": _with_callback(ChecksRequestSchema, "JobChecksRequestSchema"),
}
JOB_REQUEST_NAMES = {
    "summaries": "JobSummariesRequest",
    "summaries:batch": "JobBatchRequest",
    "checks": "JobChecksRequest",
}


def operation_of(body: dict[str, Any]) -> str:
    """Name what a job body asks for: a batch has ``documents``, a check has ``summary``."""
    if "documents" in body:
        return "summaries:batch"
    if "summary" in body:
        return "checks"
    return "summaries"


class CallbackStateSchema(ma.Schema):
    """How the callback went so far."""

    url = ma.fields.String(required=True)
    state = ma.fields.String(
        required=True,
        validate=validate.OneOf(("pending", "delivered", "failed")),
        metadata={"description": "pending (not yet or retrying), delivered, or failed (gave up)."},
    )
    attempts = ma.fields.Integer(required=True)
    last_status = ma.fields.Integer(
        allow_none=True, metadata={"description": "The receiver's last HTTP status."}
    )
    last_error = ma.fields.String(allow_none=True)
    delivered = ma.fields.String(allow_none=True, metadata={"description": "When (RFC 3339)."})


class JobSchema(ma.Schema):
    """A job: its state and, once it ended, the answer its route would have given."""

    id = ma.fields.String(required=True)
    operation = ma.fields.String(
        required=True, validate=validate.OneOf(OPERATIONS),
        metadata={"description": "The /v1 route it runs."},
    )  # fmt: skip
    status = ma.fields.String(
        required=True,
        validate=validate.OneOf(("queued", "running", "succeeded", "failed", "cancelled")),
    )
    created = ma.fields.String(required=True, metadata={"description": "RFC 3339, UTC."})
    started = ma.fields.String(allow_none=True)
    finished = ma.fields.String(allow_none=True)
    attempts = ma.fields.Integer(required=True, metadata={"description": "Runs started so far."})
    result = ma.fields.Dict(
        allow_none=True,
        metadata={
            "description": "When succeeded: the route's 200 body (Summary, BatchResponse or CheckResult)."
        },
    )
    problem = ma.fields.Dict(
        allow_none=True,
        metadata={
            "description": "When failed: the problem document (RFC 9457) its route answered."
        },
    )
    callback = ma.fields.Nested(
        CallbackStateSchema, metadata={"description": "When one was asked for."}
    )
    request_id = ma.fields.String(
        required=True, metadata={"description": "Request id (X-Request-Id)."}
    )
