"""A failing shared store (a corrupt file, a full disk) never switches security off (#28)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from flask.testing import FlaskClient

from service import create_app
from service.access.signatures import sign
from service.engines import EngineRegistry
from service.settings import Settings
from tests.conftest import FakeSummarizer
from tests.unit.test_store import corrupt

BODY = {"text": "The council approved the flood barrier on Monday after a long debate."}
SECRET = "webhook-secret-0123456789"


def client_with_broken_store(
    tmp_path: Path, **values: object
) -> tuple[FlaskClient, FakeSummarizer]:
    fake = FakeSummarizer()
    registry = EngineRegistry({"fake": fake}, default="fake")
    settings = Settings(load_on_start=False, state_dir=str(tmp_path), **values)  # type: ignore[arg-type]
    app = create_app(settings, engines=registry)
    registry.load_all()
    corrupt(tmp_path)
    return app.test_client(), fake


def test_a_signed_webhook_is_refused_not_accepted_three_times(tmp_path: Path) -> None:
    client, fake = client_with_broken_store(tmp_path, webhook_secret=SECRET)
    raw = json.dumps(BODY).encode()
    stamp = str(int(time.time()))
    headers = {"X-Newsbrief-Timestamp": stamp, "X-Newsbrief-Signature": sign(SECRET, stamp, raw)}
    answers = [
        client.post("/v1/summaries", data=raw, content_type="application/json", headers=headers)
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [503, 503, 503]
    assert answers[0].get_json()["type"].endswith("state-unavailable")
    assert answers[0].headers["Retry-After"]
    assert fake.batches == []  # nothing ran: it could not be told from a replay


def test_an_idempotency_key_is_refused_while_plain_requests_are_served(tmp_path: Path) -> None:
    client, fake = client_with_broken_store(tmp_path)
    keyed = [
        client.post("/v1/summaries", json=BODY, headers={"Idempotency-Key": "story-7"})
        for _ in range(2)
    ]
    assert [k.status_code for k in keyed] == [503, 503] and fake.batches == []
    assert client.post("/v1/summaries", json=BODY).status_code == 200
    assert client.post("/v1/bullets", json=BODY).status_code == 200


def test_rate_limits_hold_per_worker_when_the_store_fails(tmp_path: Path) -> None:
    client, _ = client_with_broken_store(tmp_path, rate_limit=1, rate_burst=3)
    statuses = [client.post("/v1/bullets", json=BODY).status_code for _ in range(10)]
    assert statuses.count(200) <= 4 and statuses.count(429) >= 6  # 3 of burst, maybe one refill


def test_readiness_and_metrics_show_the_failing_store(tmp_path: Path) -> None:
    client, _ = client_with_broken_store(tmp_path)
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "idempotency" in ready.get_json()["detail"]
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'newsbrief_store_up{store="idempotency"} 0.0' in metrics
    assert 'newsbrief_store_errors_total{store="idempotency"}' in metrics
    assert client.get("/livez").status_code == 200  # alive: not a reason to restart it


def test_a_working_store_is_ready(tmp_path: Path) -> None:
    fake = FakeSummarizer()
    registry = EngineRegistry({"fake": fake}, default="fake")
    app = create_app(Settings(load_on_start=False, state_dir=str(tmp_path)), engines=registry)
    registry.load_all()
    assert app.test_client().get("/readyz").status_code == 200
