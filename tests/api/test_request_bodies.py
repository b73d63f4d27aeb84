"""Bodies: the key is checked before any body work; unreadable bodies are clear 4xx answers."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from flask.testing import FlaskClient
from gunicorn.http.errors import InvalidChunkSize

from service import create_app
from service.access.keys import new_key
from service.engines import EngineRegistry
from service.settings import Settings
from tests.conftest import FakeSummarizer

KEY, ENTRY = new_key("cms")
AUTH = {"X-API-Key": KEY}
TEXT = "The council approved the flood barrier on Monday. The vote was 7 to 2."
DEEP = b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


@pytest.fixture
def secured() -> FlaskClient:
    registry = EngineRegistry({"fake": FakeSummarizer()}, default="fake")
    app = create_app(Settings(load_on_start=False, api_keys=ENTRY), engines=registry)
    registry.load_all()
    return app.test_client()


class Exploding(io.RawIOBase):
    """A request stream that breaks mid-read, as a malformed chunked body does in gunicorn."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        raise InvalidChunkSize(b"zz")  # not an OSError: Werkzeug does not catch it


def chunked(**headers: str) -> dict[str, object]:
    """Return test-client arguments for a chunked body that breaks when read."""
    return {
        "content_type": "application/json",
        "headers": {"Transfer-Encoding": "chunked", **headers},
        "environ_overrides": {"wsgi.input": Exploding(), "wsgi.input_terminated": True},
    }


@pytest.mark.parametrize("path", ["/v1/summaries", "/v1/bullets", "/v1/jobs", "/v1/checks"])
def test_an_anonymous_body_is_never_read(secured: FlaskClient, path: str) -> None:
    deep = secured.post(path, data=DEEP, content_type="application/json")
    broken = secured.post(path, **chunked())  # type: ignore[arg-type]
    assert deep.status_code == broken.status_code == 401


@pytest.mark.parametrize("path", ["/v1/summaries", "/v1/jobs"])
def test_a_body_that_breaks_mid_read_is_a_400_for_a_keyed_caller(
    secured: FlaskClient, path: str
) -> None:
    response = secured.post(path, **chunked(**AUTH))  # type: ignore[arg-type]
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert "could not be read" in response.get_json()["detail"]


@pytest.mark.parametrize("sent", [0, 1, 40])
def test_a_body_cut_short_of_its_length_is_a_499_that_leaves_the_key_free(
    secured: FlaskClient, sent: int
) -> None:
    whole = json.dumps({"text": TEXT}).encode()
    headers = {**AUTH, "Idempotency-Key": "story-9"}
    cut = secured.post(
        "/v1/summaries", content_type="application/json", headers=headers,
        environ_overrides={  # what gunicorn hands over when the client hangs up mid-send
            "wsgi.input": io.BytesIO(whole[:sent]), "wsgi.input_terminated": True,
            "CONTENT_LENGTH": str(len(whole)),
        },
    )  # fmt: skip
    assert cut.status_code == 499
    assert cut.content_type == "application/problem+json"
    assert f"{sent} of the {len(whole)} bytes" in cut.get_json()["detail"]
    retried = secured.post("/v1/summaries", data=whole, content_type="application/json",
                           headers=headers)  # fmt: skip
    assert retried.status_code == 200, retried.get_json()
    assert "Idempotent-Replayed" not in retried.headers


@pytest.mark.parametrize(
    "raw",
    [
        b'{"text": "caf\xe9 au lait"}',  # Latin-1, not UTF-8
        b'{"text": "\xed\xa0\x80"}',  # an encoded surrogate
        gzip.compress(json.dumps({"text": TEXT}).encode()),  # gzip without its header
    ],
)
def test_a_body_that_is_not_utf8_says_so(secured: FlaskClient, raw: bytes) -> None:
    response = secured.post(
        "/v1/summaries", data=raw, content_type="application/json", headers=AUTH
    )
    assert response.status_code == 400
    detail = response.get_json()["detail"]
    assert "UTF-8" in detail and "number" not in detail


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_a_compressed_body_is_415_naming_the_encoding(secured: FlaskClient, encoding: str) -> None:
    response = secured.post(
        "/v1/summaries", data=gzip.compress(json.dumps({"text": TEXT}).encode()),
        content_type="application/json", headers={"Content-Encoding": encoding, **AUTH},
    )  # fmt: skip
    assert response.status_code == 415
    assert encoding in response.get_json()["detail"]


@pytest.mark.parametrize("value", [4.5, "4", True, 4.0, "four"])
@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/summaries", "bullets"),
        ("/v1/bullets", "bullets"),
        ("/v1/summaries", "max_summary_words"),
    ],
)
def test_counts_are_strict_json_integers(
    secured: FlaskClient, path: str, field: str, value: object
) -> None:
    body = {"text": TEXT, "options": {field: value}}
    response = secured.post(path, json=body, headers=AUTH)
    assert response.status_code == 422
    assert field in json.dumps(response.get_json()["errors"])


def test_a_whole_number_is_still_taken(secured: FlaskClient) -> None:
    body = {"text": TEXT, "options": {"bullets": 3}}
    assert secured.post("/v1/bullets", json=body, headers=AUTH).status_code == 200
