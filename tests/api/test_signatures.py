"""HMAC-SHA256 webhook signatures with a timestamp window."""

from __future__ import annotations

import json
import time

import pytest
from flask.testing import FlaskClient

from service import create_app
from service.access.signatures import sign
from service.access.signatures import verify
from service.engines import EngineRegistry
from service.settings import Settings
from tests.conftest import FakeSummarizer

BODY = json.dumps({"text": "The council approved the flood barrier on Monday."}).encode()


@pytest.fixture
def signed() -> FlaskClient:
    registry = EngineRegistry({"fake": FakeSummarizer()}, default="fake")
    settings = Settings(load_on_start=False, webhook_secret="new-secret,old-secret")
    app = create_app(settings, engines=registry)
    registry.load_all()
    return app.test_client()


def post(client: FlaskClient, secret: str, timestamp: str, body: bytes = BODY) -> int:
    headers = {
        "X-Newsbrief-Timestamp": timestamp,
        "X-Newsbrief-Signature": sign(secret, timestamp, body),
    }
    return client.post(
        "/v1/summaries", data=body, content_type="application/json", headers=headers
    ).status_code


@pytest.mark.parametrize("secret", ["new-secret", "old-secret"])
def test_signed_request_is_accepted_with_either_secret(signed: FlaskClient, secret: str) -> None:
    assert post(signed, secret, str(int(time.time()))) == 200


def test_wrong_secret_stale_timestamp_and_tampered_body_are_401(signed: FlaskClient) -> None:
    now = str(int(time.time()))
    assert post(signed, "guess", now) == 401
    assert post(signed, "new-secret", str(int(time.time()) - 3600)) == 401
    headers = {"X-Newsbrief-Timestamp": now, "X-Newsbrief-Signature": sign("new-secret", now, BODY)}
    tampered = BODY.replace(b"Monday", b"Sunday")
    response = signed.post(
        "/v1/summaries", data=tampered, content_type="application/json", headers=headers
    )
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"


def test_unsigned_request_is_401_when_a_secret_is_set(signed: FlaskClient) -> None:
    assert (
        signed.post("/v1/summaries", data=BODY, content_type="application/json").status_code == 401
    )
    assert signed.get("/livez").status_code == 200


def test_verify_rejects_non_numeric_timestamp() -> None:
    assert verify("s", "yesterday", "sha256=00", BODY, 300) is not None
    assert verify("s", "100", sign("s", "100", BODY), BODY, 300, now=150) is None


def test_signed_request_is_accepted_once(signed: FlaskClient) -> None:
    now = str(int(time.time()))
    assert post(signed, "new-secret", now) == 200
    assert post(signed, "new-secret", now) == 401  # the same captured request, replayed
    other = json.dumps({"text": "The council met again on Tuesday."}).encode()
    assert post(signed, "new-secret", now, other) == 200  # a new body in the same second


@pytest.mark.parametrize(("ahead", "status"), [(10, 200), (290, 401), (3600, 401)])
def test_timestamp_ahead_of_the_clock_is_refused_beyond_a_small_skew(
    signed: FlaskClient, ahead: int, status: int
) -> None:
    assert post(signed, "new-secret", str(int(time.time()) + ahead)) == status


def test_replays_are_refused_across_workers_sharing_a_state_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    clients = []
    for _ in range(2):  # two apps = two workers of one host
        registry = EngineRegistry({"fake": FakeSummarizer()}, default="fake")
        settings = Settings(load_on_start=False, webhook_secret="s", state_dir=str(tmp_path))
        app = create_app(settings, engines=registry)
        registry.load_all()
        clients.append(app.test_client())
    now = str(int(time.time()))
    assert post(clients[0], "s", now) == 200
    assert post(clients[1], "s", now) == 401
