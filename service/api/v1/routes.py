"""Serve the v1 endpoints; views only validate, delegate and shape."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import UnsupportedMediaType

from service.api.idempotency import register_idempotency
from service.api.problems import service_error_body
from service.api.v1.schemas import BatchRequestSchema
from service.api.v1.schemas import BatchResponseSchema
from service.api.v1.schemas import BulletsRequestSchema
from service.api.v1.schemas import BulletsSchema
from service.api.v1.schemas import CheckResultSchema
from service.api.v1.schemas import ChecksRequestSchema
from service.api.v1.schemas import EnginesSchema
from service.api.v1.schemas import ProblemSchema
from service.api.v1.schemas import ProfilesSchema
from service.api.v1.schemas import SummaryRequestSchema
from service.api.v1.schemas import SummarySchema
from service.errors import InvalidInput
from service.errors import ServiceError
from service.errors import ValidationFailed
from service.pipeline import Options
from service.pipeline import check_document
from service.pipeline import extract_bullets
from service.pipeline import summarize_documents
from service.state import get_state

blueprint = Blueprint("v1", __name__, url_prefix="/v1", description="Summaries and key-fact boxes.")
_DOCUMENT = SummaryRequestSchema()  # a batch item is shaped like a single request


# Every status a route can answer besides 200, each as application/problem+json.
ACCESS_ERRORS = (401, 404, 405, 429, 500)
POST_ERRORS = (*ACCESS_ERRORS, 400, 409, 413, 415, 422)
GENERATION_ERRORS = (*POST_ERRORS, 499, 503, 504)
REQUEST_ID_HEADER = {
    "X-Request-Id": {
        "description": "The request's id: the caller's X-Request-Id when safe, else generated.",
        "schema": {"type": "string"},
    }
}
# The lead of seeds/000_8dc29571600dcd6e.txt, the sample article of the playground.
SEED_EXAMPLE = {
    "title": "US to let Ukraine use antipersonnel mines",
    "text": "KYIV, Ukraine -- The Biden administration will allow Ukraine to use "
    "American-supplied antipersonnel land mines to help it slow Russia's battlefield "
    "progress in the war, the U.S. defense secretary said Wednesday.\n\nThe war, which "
    "reached its 1,000-day milestone on Tuesday, has largely been going Russia's way in "
    "recent months.",
    "options": {"bullets": 3},
}
CHECK_EXAMPLE = {
    "title": SEED_EXAMPLE["title"],
    "text": SEED_EXAMPLE["text"],
    "summary": [
        "The Biden administration will allow Ukraine to use antipersonnel land mines",
        "The war reached its 2,000-day milestone on Tuesday",
    ],
}
IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "Replays the first answer to the same key and body (retried webhooks).",
}


def documented_errors(statuses: tuple[int, ...]) -> Any:
    """Document each status with the shared problem+json component response."""

    def decorate(view: Any) -> Any:
        for status in statuses:
            if status in HTTPStatus._value2member_map_:
                view = blueprint.alt_response(status, response=HTTPStatus(status).name)(view)
            else:  # 499, nginx's "client closed request"
                view = blueprint.alt_response(
                    status, schema=ProblemSchema, content_type="application/problem+json",
                    description="Client closed request",
                )(view)  # fmt: skip
        return view

    return decorate


@blueprint.before_request
def require_json() -> None:
    """Refuse bodies that are not JSON with 415 before parsing them."""
    from flask import request

    if request.method == "POST" and not request.is_json:
        raise UnsupportedMediaType("send the body as JSON with Content-Type: application/json")


register_idempotency(blueprint)


@blueprint.route("/summaries")
class Summaries(MethodView):
    """One article in, its summary and bullet box out."""

    @blueprint.arguments(SummaryRequestSchema, example=SEED_EXAMPLE)
    @blueprint.response(200, SummarySchema, headers=REQUEST_ID_HEADER)
    @documented_errors(GENERATION_ERRORS)
    @blueprint.doc(parameters=[IDEMPOTENCY_HEADER])
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Summarise one article."""
        options = Options.from_mapping(body.pop("options", None), g.get("key_name", ""))
        (result,) = summarize_documents(get_state(), [body], options)
        if isinstance(result, Exception):
            raise result
        return _with_ids(result, body.get("id"))


@blueprint.route("/summaries:batch")
class SummariesBatch(MethodView):
    """Several articles in one call, answered item by item in input order."""

    @blueprint.arguments(BatchRequestSchema)
    @blueprint.response(200, BatchResponseSchema, headers=REQUEST_ID_HEADER)
    @documented_errors(GENERATION_ERRORS)
    @blueprint.doc(parameters=[IDEMPOTENCY_HEADER])
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Summarise up to ``NEWSBRIEF_MAX_BATCH`` articles as one batch."""
        state = get_state()
        documents = body["documents"]
        limit = state.settings.max_batch
        if len(documents) > limit:
            raise InvalidInput(
                f"{len(documents)} documents; at most {limit} per batch",
                extensions={"errors": {"documents": [f"at most {limit} items"]}},
            )
        checked = [_validate_document(d) for d in documents]
        outcomes = _summarize_by_options(checked, body.get("options") or {})
        results = []
        for index, outcome in enumerate(outcomes):
            doc_id = documents[index].get("id") if isinstance(documents[index], dict) else None
            results.append(_batch_item(index, outcome, doc_id))
        return {"results": results, "request_id": g.request_id}


@blueprint.route("/bullets")
class Bullets(MethodView):
    """The "What You Need To Know" box only: rule-based, no model, fast."""

    @blueprint.arguments(BulletsRequestSchema, example=SEED_EXAMPLE)
    @blueprint.response(200, BulletsSchema, headers=REQUEST_ID_HEADER)
    @documented_errors(POST_ERRORS)
    @blueprint.doc(parameters=[IDEMPOTENCY_HEADER])
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Extract the key-fact bullets of one article."""
        options = Options.from_mapping(body.pop("options", None), g.get("key_name", ""))
        box = extract_bullets(get_state(), body, options)
        return _with_ids(box, body.get("id"))


@blueprint.route("/checks")
class Checks(MethodView):
    """Check any summary against its article: evidence and unsupported spans per sentence."""

    @blueprint.arguments(ChecksRequestSchema, example=CHECK_EXAMPLE)
    @blueprint.response(200, CheckResultSchema, headers=REQUEST_ID_HEADER)
    @documented_errors(POST_ERRORS)
    @blueprint.doc(parameters=[IDEMPOTENCY_HEADER])
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Check a summary written anywhere (a newsroom's draft, another tool's output)."""
        summary = body.pop("summary")
        return _with_ids(check_document(get_state(), body, summary), body.get("id"))


@blueprint.route("/engines")
class Engines(MethodView):
    """The engines this server offers."""

    @blueprint.response(200, EnginesSchema, headers=REQUEST_ID_HEADER)
    @documented_errors(ACCESS_ERRORS)
    def get(self) -> dict[str, Any]:
        """List engines, the default, readiness and the model behind each."""
        engines = get_state().engines
        return {"default": engines.default, "engines": engines.describe()}


@blueprint.route("/profiles")
class Profiles(MethodView):
    """The house-style profiles this server offers."""

    @blueprint.response(200, ProfilesSchema, headers=REQUEST_ID_HEADER)
    @documented_errors(ACCESS_ERRORS)
    def get(self) -> dict[str, Any]:
        """List the profiles with their count rules, fitting data and held-out reports."""
        catalog = get_state().profiles
        default = catalog.get(None, g.get("key_name", "")).name
        return {
            "default": default,
            "profiles": [p.summary() for _, p in sorted(catalog.profiles.items())],
        }


def _validate_document(document: Any) -> dict[str, Any] | ValidationFailed:
    import marshmallow as ma

    try:
        loaded: dict[str, Any] = _DOCUMENT.load(document)
    except ma.ValidationError as exc:
        return ValidationFailed("request validation failed", extensions={"errors": exc.messages})
    return loaded


def _summarize_by_options(
    checked: list[dict[str, Any] | ValidationFailed], shared: dict[str, Any]
) -> list[Any]:
    """Summarise valid documents, one engine batch per distinct set of options.

    A document's own ``options`` override the batch's, field by field. A
    group whose engine cannot run fails alone, item by item.
    """
    outcomes: list[Any] = list(checked)
    groups: dict[Options, list[int]] = {}
    for index, item in enumerate(checked):
        if not isinstance(item, ServiceError):
            options = Options.from_mapping(
                {**shared, **(item.pop("options", None) or {})}, g.get("key_name", "")
            )
            groups.setdefault(options, []).append(index)
    for options, indices in groups.items():
        documents = [item for i in indices if isinstance(item := checked[i], dict)]
        try:
            done: list[Any] = summarize_documents(get_state(), documents, options)
        except ServiceError as exc:  # e.g. the engine this group names is not loaded
            done = [exc] * len(indices)
        for index, result in zip(indices, done, strict=True):
            outcomes[index] = result
    return outcomes


def _batch_item(index: int, outcome: Any, doc_id: Any) -> dict[str, Any]:
    if isinstance(outcome, ServiceError):
        return {"index": index, "ok": False, "error": service_error_body(outcome)}
    return {"index": index, "ok": True, "result": _with_ids(outcome, doc_id)}


def _with_ids(result: dict[str, Any], doc_id: Any) -> dict[str, Any]:
    if "engine" in result:
        g.engine = result["engine"]  # for the access log line
    result = {**result, "request_id": g.request_id}
    if isinstance(doc_id, str):
        result["id"] = doc_id
    return result
