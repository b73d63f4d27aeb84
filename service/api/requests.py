"""Give every request an id, a JSON sanity check (after the key check) and one access-log line."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import request
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.exceptions import UnsupportedMediaType

from service.disconnect import check_for
from service.disconnect import client_gone
from service.errors import ClientGone

logger = logging.getLogger(__name__)

HEADER = "X-Request-Id"
# Echo only ids that are safe to put in logs and headers.
SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Metric labels come from closed sets, so no client can mint new series.
METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
PROBES = frozenset(("/livez", "/readyz", "/v2/health/live", "/v2/health/ready"))
_PLAIN = re.compile(r"^[A-Za-z0-9._:/@+-]{1,256}$")


def logfmt_value(value: object) -> str:
    """Return a value safe for one logfmt field: plain, or quoted with escapes.

    A client's path or method can hold spaces, "=", quotes or newlines
    (``/x%0Ats=...``); quoted and JSON-escaped they stay inside one field
    of one line.
    """
    text = str(value)
    return text if _PLAIN.match(text) else json.dumps(text[:512])


def _start() -> None:
    g.started = time.perf_counter()
    client_gone.set(check_for(request.environ))
    sent = request.headers.get(HEADER, "")
    g.request_id = sent if SAFE_ID.match(sent) else uuid.uuid4().hex


def _check_body() -> None:
    """Refuse bodies that cannot be read as JSON, after the caller was authenticated."""
    if request.method != "POST":
        return
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise UnsupportedMediaType(
            f"Content-Encoding {encoding[:32]!r} is not accepted; send the JSON uncompressed"
        )
    if request.content_length is None:
        _reject_long_stream()
    if request.is_json:
        _reject_deep_json()


def body_bytes() -> bytes:
    """Return the request body, read once; a body the server cannot read is a 400.

    A malformed chunked body makes the WSGI server's reader raise its own
    parse error in the middle of the read: that is the client's fault.
    A body shorter than its Content-Length is a client that hung up mid-send
    (gunicorn marks its input terminated, so Werkzeug does not check the
    length): a 499, so its Idempotency-Key is never claimed with the hash of
    a cut body and the client's retry with the whole body runs.
    """
    try:
        data = request.get_data(cache=True)
    except HTTPException:
        raise
    except Exception as exc:
        raise BadRequest(f"the body could not be read ({type(exc).__name__})") from None
    announced = request.content_length
    if announced is not None and len(data) < announced:
        raise ClientGone(f"the client sent {len(data)} of the {announced} bytes it announced")
    return data


def _reject_long_stream() -> None:
    """Answer 413 for a chunked body that reaches the body limit.

    Without Content-Length, Werkzeug reads a streamed body only up to
    MAX_CONTENT_LENGTH and hands back the cut text, which then fails as
    "invalid JSON" (400); a body that fills the limit is too large.
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and len(body_bytes()) >= limit:
        raise RequestEntityTooLarge(f"the body reached the {limit}-byte limit")


def _reject_deep_json() -> None:
    """Answer 400 for JSON nested too deep or with a huge integer (not a 500)."""
    raw = body_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the body is not valid UTF-8 (byte {exc.start})") from None
    try:
        json.loads(raw or b"null")
    except RecursionError:
        raise BadRequest("JSON body is nested too deeply") from None
    except json.JSONDecodeError:
        return  # malformed JSON: the parser answers 400 with its own message
    except ValueError:
        # An integer of more than 4,300 digits (Python's conversion limit):
        # the body is valid JSON that no field here could use.
        raise BadRequest("JSON body holds a number too long to read") from None


def _finish(response: Response) -> Response:
    from service.metrics import LATENCY
    from service.metrics import REJECTED
    from service.metrics import REQUESTS

    response.headers[HEADER] = g.get("request_id", "")
    elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    method = request.method if request.method in METHODS else "other"
    REQUESTS.labels(route, method, str(response.status_code), g.get("key_name", "-")).inc()
    LATENCY.labels(route).observe(elapsed / 1000)
    if response.status_code >= 400:
        REJECTED.labels(str(response.status_code)).inc()
    # Orchestrator probes every few seconds: log them only when they fail.
    quiet = request.path in PROBES and response.status_code < 400
    logger.log(
        logging.DEBUG if quiet else logging.INFO,
        "request request_id=%s key=%s engine=%s method=%s path=%s status=%d bytes_in=%d latency_ms=%.1f",
        g.get("request_id", "-"),
        logfmt_value(g.get("key_name", "-")),
        logfmt_value(g.get("engine", "-")),
        logfmt_value(request.method),
        logfmt_value(request.path),
        response.status_code,
        request.content_length or 0,
        elapsed,
    )
    return response


def register_request_hooks(app: Flask) -> None:
    """Install the request-id and access-log hooks (first of all)."""
    app.before_request(_start)
    app.after_request(_finish)


def register_body_checks(app: Flask) -> None:
    """Install the body checks; registered after the access guard, so no body work comes before the key."""
    app.before_request(_check_body)
