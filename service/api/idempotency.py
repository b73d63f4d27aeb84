"""Replay the stored answer for a repeated ``Idempotency-Key`` (CMS webhook retries).

Same key and same body: the first answer again, with ``Idempotent-Replayed:
true``. Same key and another body: 422. Same key while the first request
runs: 409 with ``Retry-After``. Only final answers are stored: after a 5xx, a
rate limit (429), a timeout (408) or a client that hung up (499, its work was
stopped), a retry with the same key runs again.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint
from flask import Response
from flask import g
from flask import request

from service.api.requests import body_bytes
from service.errors import InvalidInput
from service.state import get_state
from service.store.idempotency import StoredResponse

HEADER = "Idempotency-Key"
MAX_KEY_CHARS = 255
# 4xx answers that say "not now" rather than "never": a retry must run again.
TRANSIENT = frozenset({408, 425, 429, 499})


def _begin() -> Response | None:
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None:
        return None
    if not 0 < len(key) <= MAX_KEY_CHARS or not key.isprintable():
        raise InvalidInput(f"{HEADER} must be 1 to {MAX_KEY_CHARS} printable characters")
    # One tenant's keys are not another's: a guessable key ("story-7-v2")
    # used by another API key neither blocks nor reads this one's answer.
    scoped = f"{g.get('key_name', '-')}\n{request.path}\n{key}"
    body_hash = hashlib.sha256(body_bytes()).hexdigest()
    stored = get_state().idempotency.begin(scoped, body_hash)
    if stored is not None:
        response = Response(stored.body, status=stored.status, content_type=stored.content_type)
        if stored.location:
            response.headers["Location"] = stored.location
        response.headers["Idempotent-Replayed"] = "true"
        return response
    g.idempotency = (scoped, body_hash)
    return None


def _finish(response: Response) -> Response:
    claim = g.pop("idempotency", None)
    if claim is None:
        return response
    scoped, body_hash = claim
    keep = response.status_code < 500 and response.status_code not in TRANSIENT
    stored = StoredResponse(
        body_hash,
        response.status_code,
        response.get_data(),
        response.content_type,
        response.headers.get("Location"),
    )
    get_state().idempotency.finish(scoped, stored if keep else None)
    return response


def _release(error: BaseException | None) -> None:
    claim = g.pop("idempotency", None)
    if claim is not None:  # the request died before a response: free the key
        get_state().idempotency.finish(claim[0], None)


def register_idempotency(blueprint: Blueprint) -> None:
    """Install the Idempotency-Key hooks on a blueprint's POST routes."""
    blueprint.before_request(_begin)
    blueprint.after_request(_finish)
    blueprint.teardown_request(_release)
