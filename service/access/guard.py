"""Guard every ``/v1`` route: API key and webhook signature (when configured), rate limit."""

from __future__ import annotations

from flask import Flask
from flask import g
from flask import request

from service.access.keys import authenticate
from service.access.ratelimit import RateLimiter
from service.access.signatures import MAX_FUTURE_SKEW_S
from service.access.signatures import SIGNATURE_HEADER
from service.access.signatures import TIMESTAMP_HEADER
from service.access.signatures import verify
from service.api.requests import body_bytes
from service.errors import RateLimited
from service.errors import Unauthorized
from service.jobs import JOB_ENVIRON
from service.jobs import OWNER_ENVIRON
from service.state import get_state


def _check_key() -> None:
    state = get_state()
    if state.keys:
        name = authenticate(
            state.keys,
            request.headers.get("Authorization", ""),
            request.headers.get("X-API-Key", ""),
        )
        if name is None:
            _count_failure(state.auth_failures)
            raise Unauthorized(
                "send a valid API key as 'Authorization: Bearer <key>' or 'X-API-Key'"
            )
        g.key_name = name
    secret = state.settings.webhook_secret
    if secret and request.method == "POST":
        problem = verify(
            secret, request.headers.get(TIMESTAMP_HEADER, ""),
            request.headers.get(SIGNATURE_HEADER, ""), body_bytes(),
            state.settings.signature_tolerance,
        )  # fmt: skip
        if problem:
            raise Unauthorized(f"webhook signature refused: {problem}")
        ttl = state.settings.signature_tolerance + MAX_FUTURE_SKEW_S
        if not state.replays.add(request.headers.get(SIGNATURE_HEADER, ""), "1", ttl):
            raise Unauthorized(
                "webhook signature refused: this signed request was already received"
            )
    if state.limiter is not None:
        identity = g.get("key_name") or f"addr:{request.remote_addr}"
        wait = state.limiter.check(identity)
        if wait:
            raise RateLimited(f"rate limit of {state.limiter.rate}/s exceeded", retry_after=wait)


def _count_failure(limiter: RateLimiter | None) -> None:
    """Limit failed authentications per client address: guessing keys gets 429."""
    if limiter is None:
        return
    wait = limiter.check(f"addr:{request.remote_addr}")
    if wait:
        raise RateLimited("too many failed authentications from this address", retry_after=wait)


# The OpenAPI document stays open; everything else under /v1 is guarded.
OPEN_PATHS = frozenset(("/v1/openapi.json",))
METRICS_PATH = "/metrics"


def _guard() -> None:
    if JOB_ENVIRON in request.environ:  # a job's run, checked when it was submitted
        g.key_name = request.environ.get(OWNER_ENVIRON) or "-"
        return
    if request.path.startswith("/v1/") and request.path not in OPEN_PATHS:
        _check_key()
    elif request.path == METRICS_PATH:  # it names the keys and counts their requests
        _check_key()


def register_access(app: Flask) -> None:
    """Check keys app-wide, first of all hooks.

    On the app, not the blueprint: an unknown method or path under ``/v1``
    (405, 404) and a non-JSON body (415) are answered only after the key is
    checked, so a client without one learns nothing about the routes.
    """
    app.before_request(_guard)
