"""Serve ``/v1/jobs``: accept work at once (202), report it, cancel it while queued."""

from __future__ import annotations

import time
from typing import Any

import marshmallow as ma
from flask import current_app
from flask import g
from flask import request
from flask.views import MethodView

from service.api.v1.job_schemas import JOB_REQUEST_NAMES
from service.api.v1.job_schemas import JOB_REQUESTS
from service.api.v1.job_schemas import JobSchema
from service.api.v1.job_schemas import operation_of
from service.api.v1.routes import ACCESS_ERRORS
from service.api.v1.routes import IDEMPOTENCY_HEADER
from service.api.v1.routes import POST_ERRORS
from service.api.v1.routes import REQUEST_ID_HEADER
from service.api.v1.routes import SEED_EXAMPLE
from service.api.v1.routes import blueprint
from service.api.v1.routes import documented_errors
from service.errors import CallbackRefused
from service.errors import InvalidInput
from service.errors import ValidationFailed
from service.jobs.callbacks import may_sign
from service.jobs.model import ENDED
from service.jobs.model import Delivery
from service.jobs.model import Job
from service.jobs.runner import wake_runner
from service.metrics import JOBS
from service.state import get_state

POLL_AFTER_S = "1"  # Retry-After on an unfinished job: when to look again
JOB_HEADERS = {
    **REQUEST_ID_HEADER,
    "Location": {"description": "The job's URL.", "schema": {"type": "string"}},
}
REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {"$ref": f"#/components/schemas/{name}"} for name in JOB_REQUEST_NAMES.values()
                ]
            },
            "example": {**SEED_EXAMPLE, "callback": {"url": "https://cms.example.com/hook"}},
        }
    },
    "description": "The body of /v1/summaries, /v1/summaries:batch (has 'documents') or "
    "/v1/checks (has 'summary'), plus an optional callback.",
}


@blueprint.route("/jobs")
class Jobs(MethodView):
    """Queue work and answer at once; the result is read later or called back."""

    @blueprint.response(202, JobSchema, headers=JOB_HEADERS)
    @documented_errors((*POST_ERRORS, 503))
    @blueprint.doc(parameters=[IDEMPOTENCY_HEADER], requestBody=REQUEST_BODY)
    def post(self) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Queue a summary, a batch or a check; poll ``Location`` or wait for the callback."""
        state = get_state()
        body = request.get_json()
        if not isinstance(body, dict):
            raise ValidationFailed("the body must be a JSON object")
        operation = operation_of(body)
        try:
            loaded = JOB_REQUESTS[operation]().load(body)
        except ma.ValidationError as exc:
            raise ValidationFailed(
                "request validation failed", extensions={"errors": exc.messages}
            ) from None
        limit = state.settings.max_batch
        if operation == "summaries:batch" and len(loaded["documents"]) > limit:
            raise InvalidInput(
                f"{len(loaded['documents'])} documents; at most {limit} per batch",
                extensions={"errors": {"documents": [f"at most {limit} items"]}},
            )
        callback = _callback(loaded.get("callback"))
        work = {key: value for key, value in body.items() if key != "callback"}
        owner = g.get("key_name", "")
        job = state.jobs.submit(Job.new(operation, work, time.time(), owner, callback))
        JOBS.labels(operation, "submitted").inc()
        wake_runner(current_app)
        location = f"/v1/jobs/{job.id}"
        return _shown(job), 202, {"Location": location, "Retry-After": POLL_AFTER_S}


@blueprint.route("/jobs/<job_id>")
class JobById(MethodView):
    """One job."""

    @blueprint.response(200, JobSchema, headers=REQUEST_ID_HEADER)
    @documented_errors((*ACCESS_ERRORS, 503))
    def get(self, job_id: str) -> Any:
        """Read a job: its state, and its result or problem once it ended."""
        job = get_state().jobs.get(job_id, g.get("key_name", ""))
        headers = {} if job.status in ENDED else {"Retry-After": POLL_AFTER_S}
        return _shown(job), 200, headers

    @blueprint.response(200, JobSchema, headers=REQUEST_ID_HEADER)
    @documented_errors((*ACCESS_ERRORS, 409, 503))
    def delete(self, job_id: str) -> dict[str, Any]:
        """Cancel a queued job, or delete an ended one whose result was read (409 while it runs)."""
        return _shown(get_state().jobs.remove(job_id, g.get("key_name", "")))


def _callback(spec: dict[str, Any] | None) -> Delivery | None:
    """Check a requested callback now, so a bad one is a 422 and not a failed delivery later."""
    if spec is None:
        return None
    state = get_state()
    owner = g.get("key_name", "")
    name = spec.get("secret_name") or (owner if state.keys else "default")
    if name not in state.callback_secrets or not may_sign(owner, name, bool(state.keys)):
        # The same answer whether another key's secret exists or not.
        raise CallbackRefused(
            f"no callback secret named {name!r} for this API key (NEWSBRIEF_CALLBACK_SECRETS: "
            "with API keys, a key signs with the secret of its own name, or its name/...); "
            "callbacks are always signed"
        )
    state.callback_policy.check(spec["url"])
    return Delivery(spec["url"], name)


def _shown(job: Job) -> dict[str, Any]:
    return {**job.public(), "request_id": g.request_id}
