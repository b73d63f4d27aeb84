"""Answer the orchestrator: liveness and readiness, plus the OIP v2 aliases."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from service.errors import ModelNotReady
from service.errors import StateUnavailable
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
    """Report readiness: the default engine loaded and warmed up, and the security stores working.

    A store behind replay protection or Idempotency-Key answers that fails
    its check (or failed in the last 30 s) is refused by the requests that
    need it. If it is this host's (SQLite: a full or broken disk), the pod
    is not ready, so traffic goes to pods whose store works. If it is the
    store every replica shares (Redis), no pod would do better: the pod stays
    ready for the requests that do not need it and reports ``degraded``.
    """
    state = get_state()
    engines = state.engines
    if not engines.all_ready():
        default = engines.engines[engines.default]
        reason = default.failure.detail if default.failure else "loading and warming up"
        raise ModelNotReady(f"default engine {engines.default!r} is not ready: {reason}")
    failing = {s.name: (s, p) for s in state.security_stores if (p := s.problem()) is not None}
    for name, (store, problem) in failing.items():
        if not store.store.shared:
            raise StateUnavailable(f"the {name} store is failing: {problem}")
    if failing:
        degraded = {name: problem for name, (_, problem) in failing.items()}
        return {"status": "degraded", "ready": True, "engine": engines.default, "failing": degraded}
    return {"status": "ready", "ready": True, "engine": engines.default}
