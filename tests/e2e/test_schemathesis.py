"""Schemathesis against the live gunicorn server: no 5xx, answers conform to the OpenAPI document."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,response_headers_conformance"
)


def test_live_server_conforms_to_its_openapi_document(server: Server) -> None:
    st = Path(sys.executable).parent / "st"
    result = subprocess.run(
        [str(st), "run", server.base + "/v1/openapi.json", "--url", server.base,
         "--checks", CHECKS, "--max-examples", "40", "--seed", "7", "--no-color"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
