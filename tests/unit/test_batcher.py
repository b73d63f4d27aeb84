"""The micro-batcher with a fake model: batching, order, limits, timeouts, shutdown."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from service.engines.abandon import is_abandoned
from service.engines.base import Summary
from service.engines.base import SummaryParams
from service.engines.batcher import MicroBatcher
from service.errors import Overloaded
from service.errors import RequestTimedOut
from service.text.article import Article
from service.text.article import prepare


class FakeModel:
    """Echo each article's text; remember every batch; optionally slow."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls: list[tuple[list[str], SummaryParams]] = []
        self.release = threading.Event()
        self.release.set()

    def __call__(self, articles: Sequence[Article], params: SummaryParams) -> list[Summary]:
        self.release.wait(10)
        time.sleep(self.delay)
        self.calls.append(([a.text for a in articles], params))
        return [Summary(a.text.upper()) for a in articles]


def batcher(model: FakeModel, **limits: float) -> MicroBatcher:
    options = {"batch_size": 4, "wait_ms": 50, "queue_size": 16, "timeout_s": 5.0, **limits}
    running = MicroBatcher(model, **options)  # type: ignore[arg-type]
    running.start()
    return running


def article(text: str) -> Article:
    return prepare(text)


def submit_concurrently(b: MicroBatcher, texts: list[str], params: SummaryParams) -> list[str]:
    with ThreadPoolExecutor(len(texts)) as pool:
        futures = [pool.submit(b.submit, [article(t)], params) for t in texts]
        return [f.result()[0].text for f in futures]


def test_batcher_merges_concurrent_requests_up_to_batch_size() -> None:
    model = FakeModel()
    b = batcher(model, batch_size=4, wait_ms=200)
    texts = [f"Story number {i} is here." for i in range(8)]
    results = submit_concurrently(b, texts, SummaryParams())
    assert results == [t.upper() for t in texts]  # every caller gets its own answer
    assert sorted(len(batch) for batch, _ in model.calls) == [4, 4]
    b.close()


def test_batcher_sends_a_partial_batch_after_max_wait() -> None:
    model = FakeModel()
    b = batcher(model, batch_size=8, wait_ms=30)
    started = time.monotonic()
    (result,) = b.submit([article("Alone in the queue.")], SummaryParams())
    assert result.text == "ALONE IN THE QUEUE."
    assert time.monotonic() - started < 2
    assert [len(batch) for batch, _ in model.calls] == [1]
    b.close()


def test_batcher_keeps_result_order_within_a_request() -> None:
    model = FakeModel()
    b = batcher(model)
    texts = [
        "A much longer story than the others, with many words in it.",
        "Short one.",
        "Mid-sized story here.",
    ]
    results = b.submit([article(t) for t in texts], SummaryParams())
    assert [r.text for r in results] == [t.upper() for t in texts]
    b.close()


def test_batcher_never_mixes_option_sets() -> None:
    model = FakeModel()
    b = batcher(model, batch_size=8, wait_ms=200)
    with ThreadPoolExecutor(6) as pool:
        futures = [
            pool.submit(b.submit, [article(f"Story {i}.")], SummaryParams(max_words=20 + i % 2))
            for i in range(6)
        ]
        [f.result() for f in futures]
    for texts, params in model.calls:  # each batch holds only its own option set
        assert all(int(t.split()[1].rstrip(".")) % 2 == params.max_words - 20 for t in texts)
    assert {p.max_words for _, p in model.calls} == {20, 21}
    assert len(model.calls) == 2
    b.close()


def test_batcher_full_queue_answers_overloaded() -> None:
    model = FakeModel()
    model.release.clear()  # the worker blocks on the first batch
    b = batcher(model, batch_size=1, wait_ms=0, queue_size=2)
    pool = ThreadPoolExecutor(3)
    first = pool.submit(b.submit, [article("First story.")], SummaryParams())
    time.sleep(0.2)  # the worker now holds the first job
    queued = [pool.submit(b.submit, [article(f"Queued {i}.")], SummaryParams()) for i in range(2)]
    time.sleep(0.2)
    with pytest.raises(Overloaded) as caught:
        b.submit([article("One too many.")], SummaryParams())
    assert caught.value.status == 503 and caught.value.headers["Retry-After"]
    model.release.set()
    assert first.result(5)[0].text == "FIRST STORY."
    assert all(f.result(5) for f in queued)
    pool.shutdown()
    b.close()


def test_batcher_timeout_drops_queued_work() -> None:
    model = FakeModel()
    model.release.clear()
    b = batcher(model, batch_size=1, wait_ms=0, timeout_s=0.3)
    pool = ThreadPoolExecutor(1)
    blocker = pool.submit(b.submit, [article("Blocking story.")], SummaryParams())
    time.sleep(0.1)
    with pytest.raises(RequestTimedOut) as caught:
        b.submit([article("Late story.")], SummaryParams())
    assert caught.value.status == 504
    assert b.depth == 0  # the timed-out job left the queue
    model.release.set()
    with pytest.raises(RequestTimedOut):
        blocker.result(5)
    time.sleep(0.2)
    assert all("Late story." not in texts for texts, _ in model.calls)  # never generated
    pool.shutdown()
    b.close()


def test_batcher_close_answers_queued_work_then_refuses() -> None:
    model = FakeModel(delay=0.05)
    b = batcher(model, batch_size=2, wait_ms=0)
    with ThreadPoolExecutor(4) as pool:
        futures = [
            pool.submit(b.submit, [article(f"Story {i}.")], SummaryParams()) for i in range(4)
        ]
        time.sleep(0.02)
        b.close()
        assert [f.result(5)[0].text for f in futures] == [f"STORY {i}." for i in range(4)]
    with pytest.raises(Overloaded):
        b.submit([article("After close.")], SummaryParams())


def test_batcher_engine_failure_reaches_every_caller_and_worker_survives() -> None:
    calls = {"n": 0}

    def flaky(articles: Sequence[Article], params: SummaryParams) -> list[Summary]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("CUDA out of memory")
        return [Summary("ok") for _ in articles]

    b = MicroBatcher(flaky, batch_size=2, wait_ms=0, queue_size=4, timeout_s=5)
    b.start()
    with pytest.raises(RuntimeError):
        b.submit([article("First.")], SummaryParams())
    assert b.submit([article("Second.")], SummaryParams())[0].text == "ok"
    b.close()


def test_batcher_skips_jobs_whose_client_hung_up() -> None:
    from service.disconnect import client_gone
    from service.errors import ClientGone

    model = FakeModel()
    model.release.clear()
    b = batcher(model, batch_size=1, wait_ms=0)
    pool = ThreadPoolExecutor(2)
    blocker = pool.submit(b.submit, [article("Blocking story.")], SummaryParams())
    time.sleep(0.1)

    def hung_up_request() -> list[Summary]:
        client_gone.set(lambda: True)  # as the view sets it for a closed socket
        return b.submit([article("Nobody is waiting.")], SummaryParams())

    abandoned = pool.submit(hung_up_request)
    time.sleep(0.1)
    model.release.set()
    assert blocker.result(5)[0].text == "BLOCKING STORY."
    with pytest.raises(ClientGone):
        abandoned.result(5)
    assert all("Nobody is waiting." not in texts for texts, _ in model.calls)
    pool.shutdown()
    b.close()


def test_socket_closed_detects_a_peer_that_hung_up() -> None:
    import socket

    from service.disconnect import socket_closed

    left, right = socket.socketpair()
    assert socket_closed(left) is False
    right.close()
    assert socket_closed(left) is True
    left.close()


def test_batcher_running_batch_sees_its_timed_out_request_as_abandoned() -> None:
    seen: list[float] = []

    def slow_model(articles: Sequence[Article], params: SummaryParams) -> list[Summary]:
        started = time.monotonic()
        while time.monotonic() - started < 10 and not is_abandoned():
            time.sleep(0.01)  # a generation step; the engine checks between steps
        seen.append(time.monotonic() - started)
        return [Summary("late") for _ in articles]

    b = MicroBatcher(slow_model, batch_size=1, wait_ms=0, queue_size=4, timeout_s=0.3)
    b.start()
    with pytest.raises(RequestTimedOut):
        b.submit([article("A story that takes too long to summarise.")], SummaryParams())
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen and seen[0] < 3  # stopped soon after the 504, not after its 10 s of work
    b.close()


def test_is_abandoned_is_false_outside_a_batch() -> None:
    assert not is_abandoned()


@pytest.mark.parametrize("runners", [1, 2, 3])
def test_batcher_runs_one_batch_per_runner_at_once(runners: int) -> None:
    """Replicas sharing one model copy each take a batch: none waits while one is free."""
    running, most = [0], [0]
    lock = threading.Lock()

    def slow(articles: Sequence[Article], params: SummaryParams) -> list[Summary]:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1
        return [Summary(a.text.upper()) for a in articles]

    b = MicroBatcher(slow, batch_size=1, wait_ms=0, queue_size=16, timeout_s=10.0)
    b.start(runners=runners)
    texts = [f"Story number {i} is here." for i in range(runners * 2)]
    assert submit_concurrently(b, texts, SummaryParams()) == [t.upper() for t in texts]
    assert most[0] == runners
    b.close()
    assert not any(thread.is_alive() for thread in b._threads)
