"""Property-based fuzzing of the /v1 endpoints: any JSON in, never a 5xx out."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

PATHS = ["/v1/summaries", "/v1/summaries:batch", "/v1/bullets"]
# Every code point, lone surrogates and controls included (valid in JSON strings).
TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=400)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(TEXT, children, max_size=5),
    max_leaves=20,
)
DOCUMENT = st.fixed_dictionaries(
    {},
    optional={
        "text": TEXT | JSON,
        "html": TEXT,
        "title": TEXT | st.none(),
        "id": TEXT | st.integers(),
        "options": st.dictionaries(
            st.sampled_from(["engine", "max_summary_words", "min_summary_words", "bullets", "x"]),
            JSON,
            max_size=4,
        ),
    },
)
BODY = DOCUMENT | st.fixed_dictionaries({"documents": st.lists(DOCUMENT | JSON, max_size=4)}) | JSON
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def assert_answered(client: FlaskClient, path: str, data: bytes) -> None:
    response = client.post(path, data=data, content_type="application/json")
    assert response.status_code < 500, (path, data[:200], response.data[:300])
    if response.status_code >= 400:
        assert response.content_type == "application/problem+json"
        assert {"type", "title", "status", "detail"} <= set(response.get_json())


@FUZZ
@given(path=st.sampled_from(PATHS), body=BODY)
def test_fuzz_json_bodies_never_5xx(client: FlaskClient, path: str, body: Any) -> None:
    assert_answered(client, path, json.dumps(body).encode())


@FUZZ
@given(path=st.sampled_from(PATHS), raw=st.binary(max_size=300))
def test_fuzz_raw_bytes_never_5xx(client: FlaskClient, path: str, raw: bytes) -> None:
    assert_answered(client, path, raw)


def test_server_still_healthy_after_fuzzing(client: FlaskClient) -> None:
    assert client.get("/livez").status_code == 200
    assert client.get("/readyz").status_code == 200
