"""Result cache and Idempotency-Key store on a real redis-server, including Redis dying."""

from __future__ import annotations

import time

import pytest

from service import create_app
from service.cache import RedisStore
from service.engines import EngineRegistry
from service.settings import Settings
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
    store.set("k", "v", ttl=1)
    assert store.get("k") == "v"
    assert store.add("k", "w", ttl=1) is False
    store.delete("k")
    assert store.get("k") is None
    store.set("short", "v", ttl=1)
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


def test_service_keeps_answering_when_redis_stops(redis_server: RedisServer) -> None:
    client, fake = make_client(redis_server.url)
    assert client.post("/v1/summaries", json=BODY).status_code == 200  # type: ignore[attr-defined]
    redis_server.stop()  # Redis dies mid-test
    down = client.post("/v1/summaries", json=BODY, headers={"Idempotency-Key": "k1"})  # type: ignore[attr-defined]
    assert down.status_code == 200  # a cache miss, not a 500
    assert fake.batches == [1, 1]
    state = client.application.extensions["newsbrief"]  # type: ignore[attr-defined]
    assert state.cache._store.errors > 0  # counted
    redis_server.start()  # and recovers when Redis is back
    assert client.post("/v1/summaries", json=BODY).status_code == 200  # type: ignore[attr-defined]
    assert client.post("/v1/summaries", json=BODY).status_code == 200  # type: ignore[attr-defined]
    assert fake.batches == [1, 1, 1]


def test_rate_limit_holds_across_replicas_and_survives_redis_loss(
    redis_server: RedisServer,
) -> None:
    from service.access.ratelimit import RateLimiter

    first = RateLimiter(rate=1, burst=2, redis_url=redis_server.url)
    second = RateLimiter(rate=1, burst=2, redis_url=redis_server.url)  # another replica
    assert first.check("cms") == 0 and second.check("cms") == 0
    assert first.check("cms") > 0  # the shared bucket is empty
    redis_server.stop()
    assert second.check("other") == 0  # falls back to a local bucket, no error
