"""Answer the orchestrator: liveness and readiness, plus the OIP v2 aliases."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from service.errors import ModelNotReady
from service.state import get_state

blueprint = Blueprint("health", __name__)


@blueprint.get("/livez")
@blueprint.get("/v2/health/live")
def livez() -> dict[str, Any]:
    """Report that the process answers (it never checks the engines)."""
    return {"status": "alive", "live": True}


@blueprint.get("/readyz")
@blueprint.get("/v2/health/ready")
def readyz() -> dict[str, Any]:
    """Report readiness: 200 once the default engine is loaded and warmed up."""
    engines = get_state().engines
    if not engines.all_ready():
        default = engines.engines[engines.default]
        reason = default.failure.detail if default.failure else "loading and warming up"
        raise ModelNotReady(f"default engine {engines.default!r} is not ready: {reason}")
    return {"status": "ready", "ready": True, "engine": engines.default}
