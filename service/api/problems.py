"""Render every failure as ``application/problem+json`` (RFC 9457)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask import Response
from flask import g
from flask import json
from werkzeug.exceptions import HTTPException

from service.errors import PROBLEM_BASE
from service.errors import ServiceError

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"


def problem_body(
    status: int, title: str, detail: str, type_: str, extensions: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return a problem document as a dict (also used for batch items)."""
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    body.update(extensions or {})
    request_id = g.get("request_id")
    if request_id:
        body["request_id"] = request_id
    return body


def problem_response(
    status: int,
    title: str,
    detail: str,
    type_: str,
    *,
    extensions: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Return a problem+json response."""
    body = problem_body(status, title, detail, type_, extensions)
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    response.headers.update(headers or {})
    return response


def service_error_body(error: ServiceError) -> dict[str, Any]:
    """Return the problem document of a ServiceError."""
    return problem_body(error.status, error.title, error.detail, error.type, error.extensions)


def handle_service_error(error: ServiceError) -> Response:
    """Answer an error the service raised on purpose."""
    return problem_response(
        error.status, error.title, error.detail, error.type,
        extensions=error.extensions, headers=error.headers,
    )  # fmt: skip


def handle_http_exception(error: HTTPException) -> Response:
    """Answer a Werkzeug/webargs HTTP error (404, 405, 413, 415, 422, ...)."""
    code = error.code or 500
    headers = {k: v for k, v in error.get_response().headers.items() if k.lower() != "content-type"}
    headers.pop("Content-Length", None)
    extensions: dict[str, Any] = {}
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    detail = error.description or error.name
    if isinstance(messages, dict):
        # webargs nests messages by location ({"json": {...}}); clients want field paths.
        fields = messages.get("json", messages)
        if isinstance(fields, dict):
            extensions["errors"] = fields
            detail = "request validation failed"
        else:
            detail = " ".join(str(m) for m in fields)
    slug = error.name.lower().replace(" ", "-")
    return problem_response(
        code, error.name, detail, PROBLEM_BASE + slug, extensions=extensions, headers=headers
    )


def handle_unexpected(error: Exception) -> Response:
    """Answer anything unforeseen with a bare 500; details go to the log only."""
    logger.error("unhandled_error error=%s", type(error).__name__, exc_info=error)
    return problem_response(
        500, "Internal server error",
        "the server failed to handle this request; it has been logged",
        PROBLEM_BASE + "internal",
    )  # fmt: skip


def register_error_handlers(app: Flask) -> None:
    """Install the three handlers every error goes through."""
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
