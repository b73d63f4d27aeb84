"""Small hostile requests get a clear 4xx, never a 500 (issue 17, low items)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

BIG = "1" * 5000


@pytest.mark.parametrize(
    "body",
    [
        '{"text": "The council met on Monday.", "options": {"bullets": ' + BIG + "}}",
        '{"text": "The council met on Monday.", "id": ' + BIG + "}",
        '{"documents": [{"text": "The council met.", "id": ' + BIG + "}]}",
    ],
)
@pytest.mark.parametrize("path", ["/v1/summaries", "/v1/bullets", "/v1/summaries:batch"])
def test_huge_integer_is_a_client_error(client: FlaskClient, path: str, body: str) -> None:
    response = client.post(path, data=body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.content_type == "application/problem+json"
