"""Version 1 of the public API: one blueprint and one OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api

from service.api.access import register_access
from service.api.v1.routes import blueprint
from service.api.v1.schemas import ProblemSchema

PREFIX = "V1_"


class VersionedApi(Api):  # type: ignore[misc]
    """flask-smorest Api whose errors use the app's problem+json handlers."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """Leave error handling to ``service.api.problems`` (one shape for all)."""


def register(app: Flask) -> Api:
    """Mount ``/v1`` and serve its OpenAPI document at ``/v1/openapi.json``."""
    config: dict[str, Any] = {
        "API_TITLE": "newsbrief",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "info": {
                "description": "Summaries and 'What You Need To Know' boxes for news articles.",
            },
        },
    }
    app.config.update({PREFIX + key: value for key, value in config.items()})
    register_access(app)
    api = VersionedApi(app, config_prefix=PREFIX)
    api.register_blueprint(blueprint)
    return api
