"""Require an API key for every ``/v1`` route when keys are configured."""

from __future__ import annotations

from flask import Blueprint
from flask import g
from flask import request

from service.auth import authenticate
from service.errors import Unauthorized
from service.state import get_state


def _check_key() -> None:
    keys = get_state().keys
    if not keys:
        return  # open service: a local run, or auth done by a gateway
    name = authenticate(
        keys, request.headers.get("Authorization", ""), request.headers.get("X-API-Key", "")
    )
    if name is None:
        raise Unauthorized("send a valid API key as 'Authorization: Bearer <key>' or 'X-API-Key'")
    g.key_name = name


def register_access(blueprint: Blueprint) -> None:
    """Check keys first on the blueprint (before Idempotency-Key claims)."""
    blueprint.before_request(_check_key)
