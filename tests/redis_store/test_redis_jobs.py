"""The job queue's contract on a real redis-server, and what happens while Redis is down."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from service.errors import JobsUnavailable
from service.jobs.queue import JobQueue
from service.store.redis_jobs import RedisJobTable
from tests.redis_server import RedisServer
from tests.redis_server import free_port
from tests.redis_server import require_redis
from tests.unit.test_job_queue import check_budget_contract
from tests.unit.test_job_queue import check_claims_race
from tests.unit.test_job_queue import check_delivery_contract
from tests.unit.test_job_queue import check_queue_contract
from tests.unit.test_job_queue import new_job
from tests.unit.test_job_queue import room

pytestmark = pytest.mark.redis
_prefixes = itertools.count()


def table(server: RedisServer) -> RedisJobTable:
    return RedisJobTable(server.url, ttl=3600, prefix=f"test{next(_prefixes)}:")


def test_redis_queue_contract(redis_server: RedisServer) -> None:
    check_queue_contract(table(redis_server))


def test_redis_budget_contract(redis_server: RedisServer) -> None:
    check_budget_contract(table(redis_server))


def test_redis_delivery_contract(redis_server: RedisServer) -> None:
    check_delivery_contract(table(redis_server))


def test_redis_claims_race(redis_server: RedisServer) -> None:
    check_claims_race(table(redis_server))


def test_redis_down_raises_and_nothing_is_lost_once_it_is_back(tmp_path: Path) -> None:
    require_redis()
    durable = RedisServer(free_port(), data_dir=str(tmp_path))
    durable.start()
    try:
        queue = JobQueue(lambda: table(durable), lease_s=30, budget=room(queued=10))
        job = queue.submit(new_job())
        durable.stop()
        for call in (lambda: queue.submit(new_job()), lambda: queue.get(job.id, ""),
                     lambda: queue.claim("w")):  # fmt: skip
            with pytest.raises(JobsUnavailable):
                call()
        durable.start()
        taken = queue.claim("w")
        assert taken is not None and taken.id == job.id
    finally:
        durable.stop()
