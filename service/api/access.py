"""Guard every ``/v1`` route: API key and webhook signature (when configured), rate limit."""

from __future__ import annotations

from flask import Blueprint
from flask import g
from flask import request

from service.auth import authenticate
from service.errors import RateLimited
from service.errors import Unauthorized
from service.signatures import SIGNATURE_HEADER
from service.signatures import TIMESTAMP_HEADER
from service.signatures import verify
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
            raise Unauthorized(
                "send a valid API key as 'Authorization: Bearer <key>' or 'X-API-Key'"
            )
        g.key_name = name
    secret = state.settings.webhook_secret
    if secret and request.method == "POST":
        problem = verify(
            secret, request.headers.get(TIMESTAMP_HEADER, ""),
            request.headers.get(SIGNATURE_HEADER, ""), request.get_data(cache=True),
            state.settings.signature_tolerance,
        )  # fmt: skip
        if problem:
            raise Unauthorized(f"webhook signature refused: {problem}")
    if state.limiter is not None:
        identity = g.get("key_name") or f"addr:{request.remote_addr}"
        wait = state.limiter.check(identity)
        if wait:
            raise RateLimited(f"rate limit of {state.limiter.rate}/s exceeded", retry_after=wait)


def register_access(blueprint: Blueprint) -> None:
    """Check keys first on the blueprint (before Idempotency-Key claims)."""
    blueprint.before_request(_check_key)
