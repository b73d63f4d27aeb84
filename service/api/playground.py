"""Serve the playground page at ``/`` and the sample article it loads."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort

from service.state import get_state

blueprint = Blueprint("playground", __name__)
ASSETS = {
    "index.html": "text/html",
    "style.css": "text/css",
    "app.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
}
SAMPLE_TITLE = "US to let Ukraine use antipersonnel mines"


def _asset(name: str) -> Response:
    body = files("service.playground").joinpath(name).read_bytes()
    kind = ASSETS[name]
    response = Response(
        body, content_type=kind if kind.startswith("image/") else f"{kind}; charset=utf-8"
    )
    # The page renders only with textContent; forbid anything else as a second line.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blueprint.get("/")
def index() -> Response:
    """Return the playground page."""
    return _asset("index.html")


@blueprint.get("/favicon.ico")
def favicon() -> Response:
    """Return the page's icon (browsers ask for it at this path)."""
    return _asset("favicon.svg")


@blueprint.get("/playground/<name>")
def asset(name: str) -> Response:
    """Return one of the page's static files."""
    if name not in ASSETS:
        abort(404)
    return _asset(name)


@blueprint.get("/playground/sample")
def sample() -> dict[str, Any]:
    """Return the seed article the sample button loads."""
    try:
        text = get_state().settings.warmup_file.read_text(encoding="utf-8")
    except OSError:
        abort(404)
    return {"title": SAMPLE_TITLE, "text": text}
