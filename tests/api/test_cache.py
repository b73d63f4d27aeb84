"""Result cache and Idempotency-Key replay."""

from __future__ import annotations

import time

import pytest
from flask.testing import FlaskClient

from service import create_app
from service.engines import EngineRegistry
from service.errors import ClientGone
from service.errors import RequestTimedOut
from service.errors import ServiceError
from service.settings import Settings
from service.store.idempotency import IdempotencyStore
from service.store.memory import MemoryStore
from service.store.policy import FailClosed
from service.store.policy import FailOpen
from service.store.results import ResultCache
from tests.conftest import FakeSummarizer

BODY = {"text": "The council approved the flood barrier on Monday after a long debate."}


def test_repeated_article_is_served_from_cache(client: FlaskClient, fake: FakeSummarizer) -> None:
    first = client.post("/v1/summaries", json=BODY).get_json()
    second = client.post("/v1/summaries", json=BODY).get_json()
    assert fake.batches == [1]
    assert first["summary"] == second["summary"]
    assert first["request_id"] != second["request_id"]


def test_cache_key_includes_options(client: FlaskClient, fake: FakeSummarizer) -> None:
    client.post("/v1/summaries", json=BODY)
    client.post("/v1/summaries", json={**BODY, "options": {"max_summary_words": 12}})
    assert fake.batches == [1, 1]


def test_cache_can_be_disabled() -> None:
    fake = FakeSummarizer()
    settings = Settings(load_on_start=False, cache_bytes=0)
    registry = EngineRegistry({"fake": fake}, default="fake")
    client = create_app(settings, engines=registry).test_client()
    registry.load_all()
    client.post("/v1/summaries", json=BODY)
    client.post("/v1/summaries", json=BODY)
    assert fake.batches == [1, 1]


def test_result_cache_entries_expire() -> None:
    cache = ResultCache(FailOpen(MemoryStore(64 * 1024, 0.05), "results"), 0.05)
    cache.put("k", {"summary": "x"})
    assert cache.get("k") == {"summary": "x"}
    time.sleep(0.1)
    assert cache.get("k") is None


def test_idempotency_key_replays_first_answer(client: FlaskClient, fake: FakeSummarizer) -> None:
    headers = {"Idempotency-Key": "story-42-v1"}
    first = client.post("/v1/summaries", json=BODY, headers=headers)
    second = client.post("/v1/summaries", json=BODY, headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.get_json() == first.get_json()  # same request_id: the stored answer
    assert second.headers["Idempotent-Replayed"] == "true"
    assert fake.batches == [1]


def test_idempotency_key_with_other_body_is_422(client: FlaskClient) -> None:
    headers = {"Idempotency-Key": "story-43"}
    client.post("/v1/summaries", json=BODY, headers=headers)
    response = client.post(
        "/v1/summaries", json={"text": "Another story entirely, about trains."}, headers=headers
    )
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.get_json()["type"].endswith("/idempotency-key-reused")


def test_idempotency_key_is_scoped_to_route(client: FlaskClient) -> None:
    headers = {"Idempotency-Key": "same-key"}
    assert client.post("/v1/summaries", json=BODY, headers=headers).status_code == 200
    assert client.post("/v1/bullets", json=BODY, headers=headers).status_code == 200


def test_idempotency_does_not_store_server_errors(
    client: FlaskClient, fake: FakeSummarizer
) -> None:
    fake._ready = False
    headers = {"Idempotency-Key": "retry-me"}
    assert client.post("/v1/summaries", json=BODY, headers=headers).status_code == 503
    fake._ready = True
    assert client.post("/v1/summaries", json=BODY, headers=headers).status_code == 200


@pytest.mark.parametrize(
    "error", [ClientGone("hung up"), RequestTimedOut("too slow")], ids=["499", "504"]
)
def test_idempotency_does_not_store_abandoned_work(
    client: FlaskClient, fake: FakeSummarizer, monkeypatch: pytest.MonkeyPatch, error: ServiceError
) -> None:
    # A backfill killed mid-request resumes with the same key: it must get a summary,
    # not the replayed answer to a client that is gone.
    def abandoned(*args: object) -> None:
        raise error

    headers = {"Idempotency-Key": "backfill:story-7"}
    with monkeypatch.context() as patch:
        patch.setattr(fake, "summarize", abandoned)
        first = client.post("/v1/summaries", json=BODY, headers=headers)
    assert first.status_code == error.status
    again = client.post("/v1/summaries", json=BODY, headers=headers)
    assert again.status_code == 200 and "Idempotent-Replayed" not in again.headers


def test_idempotency_key_must_be_printable(client: FlaskClient) -> None:
    response = client.post("/v1/summaries", json=BODY, headers={"Idempotency-Key": "x" * 300})
    assert response.status_code == 422


def test_idempotency_store_expiry_is_a_setting() -> None:
    store = IdempotencyStore(FailClosed(MemoryStore(64 * 1024, 0.05), "idempotency"), 0.05)
    assert store.begin("k", "h1") is None
    from service.store.idempotency import StoredResponse

    store.finish("k", StoredResponse("h1", 200, b"{}", "application/json"))
    assert store.begin("k", "h1") is not None
    time.sleep(0.1)
    assert store.begin("k", "h2") is None  # expired: the key is free again


def test_idempotency_in_flight_is_409() -> None:
    import pytest

    from service.errors import IdempotencyInFlight

    store = IdempotencyStore(FailClosed(MemoryStore(64 * 1024, 60), "idempotency"), 60)
    assert store.begin("k", "h") is None
    with pytest.raises(IdempotencyInFlight):
        store.begin("k", "h")


def test_memory_store_is_bounded_by_bytes_not_entries() -> None:
    store = MemoryStore(32 * 1024, 60)
    for number in range(10):
        store.put(f"k{number}", "x" * 10_000, 60)
    held = [k for k in (f"k{n}" for n in range(10)) if store.get(k) is not None]
    assert 1 <= len(held) <= 3  # 32 KiB holds three 10 KB results at most
    assert "k9" in held  # least recently used went first
    store.put("huge", "x" * 100_000, 60)  # larger than the whole bound: skipped, no error
    assert store.get("huge") is None


STORY = {
    "text": "The city council approved a new flood barrier for the town on Monday after a long "
    "debate. The barrier will cost 40 million dollars and protect about 3,000 homes along the "
    "river, officials said. Construction will start in the spring and finish within two years."
}


def _count_calls(monkeypatch: pytest.MonkeyPatch, target: object, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(target, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, counted)
    return calls


def test_repeated_box_is_served_from_cache_checks_included(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = client.application.extensions["newsbrief"]
    extracted = _count_calls(monkeypatch, state.extractors[state.profiles.default], "box")
    checked = _count_calls(monkeypatch, state.checker, "check")
    first = client.post("/v1/bullets", json=STORY).get_json()
    second = client.post("/v1/bullets", json=STORY).get_json()
    assert (len(extracted), len(checked)) == (1, 1)
    assert {**first, "elapsed_ms": 0, "request_id": ""} == {
        **second,
        "elapsed_ms": 0,
        "request_id": "",
    }
    client.post("/v1/bullets", json={**STORY, "options": {"bullets": 3}})
    client.post("/v1/bullets", json={**STORY, "options": {"checks": False}})
    assert len(extracted) == 3


def test_repeated_check_is_served_from_cache(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = client.application.extensions["newsbrief"]
    checked = _count_calls(monkeypatch, state.checker, "check")
    body = {**STORY, "summary": "The council approved a flood barrier on Monday."}
    first = client.post("/v1/checks", json=body).get_json()
    second = client.post("/v1/checks", json=body).get_json()
    assert len(checked) == 1
    assert {**first, "elapsed_ms": 0, "request_id": ""} == {
        **second,
        "elapsed_ms": 0,
        "request_id": "",
    }
    client.post("/v1/checks", json={**body, "summary": "The barrier will cost 40 million dollars."})
    assert len(checked) == 2
