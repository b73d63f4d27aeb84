"""Result cache and Idempotency-Key store on a real redis-server, including Redis dying."""

from __future__ import annotations

import time

import pytest

from service import create_app
from service.engines import EngineRegistry
from service.settings import Settings
from service.store.redis import RedisStore
from tests.conftest import FakeSummarizer
from tests.redis_server import RedisServer

pytestmark = pytest.mark.redis
BODY = {"text": "The council approved the flood barrier on Monday after a long debate."}


def make_client(url: str) -> tuple[object, FakeSummarizer]:
    fake = FakeSummarizer()
    registry = EngineRegistry({"fake": fake}, default="fake")
    settings = Settings(load_on_start=False, cache_url=url)
    app = create_app(settings, engines=registry)
    registry.load_all()
    return app.test_client(), fake


def test_redis_store_round_trip_and_expiry(redis_server: RedisServer) -> None:
    store = RedisStore(redis_server.url, "test:")
    store.put("k", "v", ttl=1)
    assert store.get("k") == "v"
    assert store.add("k", "w", ttl=1) is False
    store.delete("k")
    assert store.get("k") is None
    store.put("short", "v", ttl=1)
    time.sleep(1.2)
    assert store.get("short") is None


def test_result_cache_is_shared_between_app_instances(redis_server: RedisServer) -> None:
    first, fake_one = make_client(redis_server.url)
    second, fake_two = make_client(redis_server.url)  # another replica
    assert first.post("/v1/summaries", json=BODY).status_code == 200  # type: ignore[attr-defined]
    assert second.post("/v1/summaries", json=BODY).status_code == 200  # type: ignore[attr-defined]
    assert fake_one.batches == [1] and fake_two.batches == []


def test_idempotency_key_replays_across_replicas(redis_server: RedisServer) -> None:
    first, _ = make_client(redis_server.url)
    second, _ = make_client(redis_server.url)
    headers = {"Idempotency-Key": "story-7"}
    original = first.post("/v1/summaries", json=BODY, headers=headers)  # type: ignore[attr-defined]
    replay = second.post("/v1/summaries", json=BODY, headers=headers)  # type: ignore[attr-defined]
    assert replay.get_json() == original.get_json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    other = second.post(
        "/v1/summaries", json={"text": "A different story about trains."}, headers=headers
    )  # type: ignore[attr-defined]
    assert other.status_code == 422


def test_redis_store_contract(redis_server: RedisServer) -> None:
    from tests.unit.test_store import check_store_contract

    check_store_contract(RedisStore(redis_server.url, "contract:"))


def test_when_redis_stops_plain_requests_are_served_and_security_state_fails_closed(
    redis_server: RedisServer,
) -> None:
    client, fake = make_client(redis_server.url)
    assert client.post("/v1/summaries", json=BODY).status_code == 200  # type: ignore[attr-defined]
    redis_server.stop()  # Redis dies mid-test
    plain = client.post("/v1/summaries", json=BODY)  # type: ignore[attr-defined]
    assert plain.status_code == 200  # a cache miss, not a 500
    assert fake.batches == [1, 1]
    keyed = client.post("/v1/summaries", json=BODY, headers={"Idempotency-Key": "k1"})  # type: ignore[attr-defined]
    assert keyed.status_code == 503 and keyed.get_json()["type"].endswith("state-unavailable")
    assert fake.batches == [1, 1]  # refused before it ran: it could run twice otherwise
    ready = client.get("/readyz")  # type: ignore[attr-defined]
    # Every replica shares Redis: none would do better, so stay in service for plain requests.
    assert ready.status_code == 200 and ready.get_json()["status"] == "degraded"
    assert "idempotency" in ready.get_json()["failing"]
    metrics = client.get("/metrics").get_data(as_text=True)  # type: ignore[attr-defined]
    assert 'newsbrief_store_up{store="idempotency"} 0.0' in metrics
    redis_server.start()  # and recovers when Redis is back
    assert client.post("/v1/summaries", json=BODY).status_code == 200  # type: ignore[attr-defined]
    again = client.post("/v1/summaries", json=BODY, headers={"Idempotency-Key": "k1"})  # type: ignore[attr-defined]
    assert again.status_code == 200


def test_rate_limit_holds_across_replicas_and_survives_redis_loss(
    redis_server: RedisServer,
) -> None:
    from service.access.ratelimit import RateLimiter
    from service.store.memory import MemoryStore
    from service.store.policy import FallBack

    def limiter() -> RateLimiter:
        shared = RedisStore(redis_server.url, "nb:rate:")
        return RateLimiter(1, 2, FallBack(shared, "rate", MemoryStore(64 * 1024, 3)))

    first, second = limiter(), limiter()  # two replicas
    assert first.check("cms") == 0 and second.check("cms") == 0
    assert first.check("cms") > 0  # the shared bucket is empty
    redis_server.stop()
    assert second.check("other") == 0  # falls back to a local bucket, no error
    assert second.check("other") == 0 and second.check("other") > 0  # which still limits
