"""The job queue's rules over the SQLite table (the Redis table runs the same contract in tests/redis_store)."""

from __future__ import annotations

import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from service.errors import JobNotCancellable
from service.errors import JobNotFound
from service.errors import JobsFull
from service.errors import JobsQuota
from service.errors import JobsUnavailable
from service.errors import JobTooLarge
from service.jobs.model import FAILED
from service.jobs.model import SUCCEEDED
from service.jobs.model import Delivery
from service.jobs.model import Job
from service.jobs.queue import JobQueue
from service.jobs.queue import Outcome
from service.jobs.runner import backoff
from service.store.jobs import Budget
from service.store.jobs import JobTable
from service.store.jobs import SqliteJobTable

BODY = {"text": "The council approved the budget on Monday."}


def room(queued: int = 100, **limits: int) -> Budget:
    """Return a budget bounded by ``queued`` unfinished jobs (and any limit named), else roomy."""
    roomy = {"queued": queued, "queued_per_key": queued, "rows": 10_000, "rows_per_key": 10_000,
             "bytes": 10**9, "bytes_per_key": 10**8}  # fmt: skip
    return Budget(**{**roomy, **limits})


def new_job(owner: str = "", callback: Delivery | None = None) -> Job:
    return Job.new("summaries", BODY, time.time(), owner, callback)


def lapse(table: JobTable, job_id: str) -> None:
    """Make a running job's lease lapse now (its worker died)."""
    table.change(job_id, lambda j: dataclasses.replace(j, lease_until=time.time() - 1))


def check_queue_contract(table: JobTable) -> None:
    """What every table must give the queue: one run at a time, one result, bounded, cancellable."""
    queue = JobQueue(lambda: table, lease_s=30, budget=room(queued=3))
    first, second = queue.submit(new_job()), queue.submit(new_job(owner="desk-a"))
    assert queue.get(first.id, "").status == "queued"
    with pytest.raises(JobNotFound):
        queue.get(second.id, "desk-b")

    taken = queue.claim("worker-1")
    assert taken is not None and taken.id == first.id and taken.status == "running"
    assert taken.attempts == 1 and taken.token
    again = queue.claim("worker-2")
    assert again is not None and again.id == second.id  # the running one is not handed out twice
    assert queue.claim("worker-3") is None
    assert queue.renew(taken)

    lapse(table, first.id)  # worker-1 died: its lease lapses, another worker takes the job
    retaken = queue.claim("worker-3")
    assert retaken is not None and retaken.id == first.id and retaken.attempts == 2
    assert not queue.renew(taken) and queue.finish(taken, SUCCEEDED, {"summary": "stale"}) is None
    ended = queue.finish(retaken, SUCCEEDED, {"summary": "fresh"})
    assert ended is not None and queue.get(first.id, "").result == {"summary": "fresh"}
    assert queue.finish(retaken, FAILED, None, {"status": 500}) is None  # ends once

    with pytest.raises(JobNotCancellable):
        queue.cancel(first.id, "")
    queued = queue.submit(new_job())
    assert queue.cancel(queued.id, "").status == "cancelled"
    assert queue.claim("worker-4") is None

    later = queue.retry_later(again, delay_s=60)
    assert later is not None and later.status == "queued" and queue.claim("worker-5") is None
    queue.submit(new_job())
    queue.submit(new_job())
    with pytest.raises(JobsFull):
        queue.submit(new_job())  # 3 queued or running: the bound


def check_budget_contract(table: JobTable) -> None:
    """Rows and bytes are bounded overall and per key; an ended job keeps its answer, not its request."""
    size = len(new_job(owner="a").dumps())
    queue = JobQueue(
        lambda: table, lease_s=30,
        budget=room(queued=50, queued_per_key=3, rows=8, rows_per_key=5, bytes_per_key=6 * size),
    )  # fmt: skip
    mine = [queue.submit(new_job(owner="a")) for _ in range(3)]
    with pytest.raises(JobsQuota):
        queue.submit(new_job(owner="a"))  # 3 queued: its queue share
    for _ in mine:  # they end: a key's stored jobs still count, against rows_per_key
        taken = queue.claim("w")
        assert taken is not None and queue.finish(taken, SUCCEEDED, {"summary": "done"})
    assert all(queue.get(job.id, "a").status == "succeeded" for job in mine)
    assert table.held("a").queued == 0 and table.held("a").rows == 3
    assert table.held("a").bytes < 3 * size  # the request bodies are gone
    queue.submit(new_job(owner="a")), queue.submit(new_job(owner="a"))
    with pytest.raises(JobsQuota):
        queue.submit(new_job(owner="a"))  # 5 stored: its row share
    for _ in range(3):
        queue.submit(new_job(owner="b"))  # another key is not held up by "a"
    with pytest.raises(JobsFull):
        queue.submit(new_job(owner="c"))  # 8 stored in all: the store is full for everyone
    assert queue.remove(mine[0].id, "a").status == "succeeded"  # a read result frees its room
    with pytest.raises(JobNotFound):
        queue.get(mine[0].id, "a")
    queue.submit(new_job(owner="c"))
    huge = Job.new("summaries", {"text": "x" * 7 * size}, time.time(), "c")
    with pytest.raises(JobTooLarge):
        queue.submit(huge)
    assert table.held().rows == 8


def check_delivery_contract(table: JobTable) -> None:
    """A due callback is held by one deliverer per attempt, and a success is recorded once."""
    queue = JobQueue(lambda: table, lease_s=30, budget=room(queued=10))
    job = queue.submit(new_job(callback=Delivery("https://cms.example.com/hook", "default")))
    assert queue.claim_delivery(15) is None  # nothing is owed before the job ends
    running = queue.claim("worker-1")
    assert running is not None
    queue.finish(running, SUCCEEDED, {"summary": "done"})

    attempt = queue.claim_delivery(15)
    assert attempt is not None and attempt.callback is not None and attempt.callback.attempts == 1
    assert queue.claim_delivery(15) is None  # held by the first deliverer
    retry_at = time.time() - 1  # due again at once, for the test
    queue.record_delivery(attempt, Outcome(503, "Service Unavailable"), retry_at)
    second = queue.claim_delivery(15)
    assert second is not None and second.callback is not None and second.callback.attempts == 2
    assert queue.record_delivery(attempt, Outcome(200, None), None) is None  # a stale attempt
    delivered = queue.record_delivery(second, Outcome(204, None), None)
    assert delivered is not None and delivered.callback is not None
    assert delivered.callback.state == "delivered" and delivered.callback.last_status == 204
    assert queue.claim_delivery(15) is None
    assert queue.get(job.id, "").callback.state == "delivered"  # type: ignore[union-attr]

    hook = Delivery("https://cms.example.com/hook", "default")
    for owner in ("busy", "busy", "free"):  # the busy key's callbacks fall due first
        queue.submit(new_job(owner=owner, callback=hook))
        ran = queue.claim("worker-1")
        assert ran is not None and queue.finish(ran, SUCCEEDED, {"summary": "done"})
    passed_over = queue.claim_delivery(15, busy={"busy"})
    assert passed_over is not None and passed_over.owner == "free"


def check_claims_race(table: JobTable) -> None:
    """Many threads claiming at once: each job goes to exactly one of them."""
    queue = JobQueue(lambda: table, lease_s=30, budget=room(queued=100))
    ids = {queue.submit(new_job()).id for _ in range(20)}
    taken: list[str] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        while (job := queue.claim(name)) is not None:
            with lock:
                taken.append(job.id)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == sorted(ids)


@pytest.fixture
def table(tmp_path: Path) -> SqliteJobTable:
    return SqliteJobTable(str(tmp_path), ttl=3600)


def test_sqlite_queue_contract(table: SqliteJobTable) -> None:
    check_queue_contract(table)


def test_sqlite_budget_contract(table: SqliteJobTable) -> None:
    check_budget_contract(table)


def test_sqlite_delivery_contract(table: SqliteJobTable) -> None:
    check_delivery_contract(table)


def test_sqlite_claims_race(table: SqliteJobTable) -> None:
    check_claims_race(table)


def test_two_processes_share_one_sqlite_file(tmp_path: Path) -> None:
    """Workers of one host open the file separately; a job stored by one is seen by the other."""
    writer, reader = SqliteJobTable(str(tmp_path), 3600), SqliteJobTable(str(tmp_path), 3600)
    job = JobQueue(lambda: writer, 30, room(queued=10)).submit(new_job())
    assert JobQueue(lambda: reader, 30, room(queued=10)).claim("other") is not None
    assert writer.read(job.id).status == "running"  # type: ignore[union-attr]


def test_ended_jobs_expire_after_their_ttl(tmp_path: Path) -> None:
    table = SqliteJobTable(str(tmp_path), ttl=60)
    queue = JobQueue(lambda: table, 30, room(queued=10))
    job = queue.submit(new_job())
    running = queue.claim("w")
    assert running is not None
    queue.finish(running, SUCCEEDED, {})
    table.change(job.id, lambda j: dataclasses.replace(j, finished=time.time() - 61))
    with pytest.raises(JobNotFound):
        queue.get(job.id, "")


def test_an_unreachable_store_raises_rather_than_losing_a_job(tmp_path: Path) -> None:
    table = SqliteJobTable(str(tmp_path), 3600)
    (tmp_path / "jobs.sqlite3").unlink()
    (tmp_path / "jobs.sqlite3").mkdir()  # the file is gone and cannot be recreated
    queue = JobQueue(lambda: table, 30, room(queued=10))
    with ThreadPoolExecutor(1) as pool:  # a thread with no connection yet opens one
        with pytest.raises(JobsUnavailable):
            pool.submit(queue.submit, new_job()).result()


def test_job_round_trips_through_its_serialisation() -> None:
    job = new_job(callback=Delivery("https://x.example/h", "cms", attempts=2, last_status=500))
    assert Job.loads(job.dumps()) == job


@pytest.mark.parametrize("attempt", range(1, 15))
def test_backoff_doubles_with_jitter_and_is_capped(attempt: int) -> None:
    ceiling = min(300.0, 2.0 ** (attempt - 1))
    waits = [backoff(attempt) for _ in range(50)]
    assert all(ceiling / 2 <= w <= ceiling for w in waits)
    assert len(set(waits)) > 1  # jittered: retries from many jobs do not line up
