"""Version 1 of the public API: one blueprint and one OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api

from service.access.guard import register_access
from service.api.v1 import jobs as _jobs  # noqa: F401 - registers /v1/jobs on the blueprint
from service.api.v1.job_schemas import JOB_REQUEST_NAMES
from service.api.v1.job_schemas import JOB_REQUESTS
from service.api.v1.routes import blueprint
from service.api.v1.schemas import ProblemSchema
from service.api.v1.schemas import document_ref

PREFIX = "V1_"
PROBLEM_JSON = "application/problem+json"
SECURITY_SCHEMES = {
    "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "Bearer": {"type": "http", "scheme": "bearer"},
}


class VersionedApi(Api):  # type: ignore[misc]
    """flask-smorest Api whose errors use the app's problem+json handlers."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """Leave error handling to ``service.api.problems`` (one shape for all)."""

    def _register_pagination_header(self) -> None:
        """Register nothing: no v1 route is paginated (no unused PaginationMetadata)."""

    def _register_responses(self) -> None:
        """Document every error response as ``application/problem+json`` (RFC 9457)."""
        default: str = getattr(self, "DEFAULT_RESPONSE_CONTENT_TYPE")  # noqa: B009 - untyped base
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_JSON
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = default


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
            # Keys are optional server-side (NEWSBRIEF_API_KEYS): open, or either scheme.
            "security": [{}, {"ApiKey": []}, {"Bearer": []}],
            "components": {"securitySchemes": SECURITY_SCHEMES},
        },
    }
    app.config.update({PREFIX + key: value for key, value in config.items()})
    register_access(app)
    api = VersionedApi(app, config_prefix=PREFIX)
    api.ma_plugin.converter.add_attribute_function(document_ref)
    for operation, schema in JOB_REQUESTS.items():
        api.spec.components.schema(JOB_REQUEST_NAMES[operation], schema=schema)
    api.register_blueprint(blueprint)
    return api
