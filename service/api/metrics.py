"""Serve ``GET /metrics`` for Prometheus (open, like the health probes)."""

from __future__ import annotations

from flask import Blueprint
from flask import Response

from service.metrics import render

blueprint = Blueprint("metrics", __name__)


@blueprint.get("/metrics")
def metrics() -> Response:
    """Return every worker's metrics in the Prometheus text format."""
    body, content_type = render()
    return Response(body, content_type=content_type)
