"""The gthread worker's load-aware accepts and closes, without a running server."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
from gunicorn.workers.gthread import ThreadWorker

from service import gunicorn_worker
from service.gunicorn_worker import MAX_ACCEPT_DELAY_S
from service.gunicorn_worker import ProblemThreadWorker

LIVE: list[object] = []  # connections stay alive while handled, so their ids stay unique


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> ProblemThreadWorker:
    """A worker whose gthread parts do nothing (its keep-alive answer reads ``must_close``)."""
    monkeypatch.setattr(ThreadWorker, "accept", lambda self, listener: None)
    monkeypatch.setattr(ThreadWorker, "enqueue_req", lambda self, conn: None)
    monkeypatch.setattr(ThreadWorker, "finish_request", lambda self, conn, fs: None)
    monkeypatch.setattr(ThreadWorker, "handle_request", lambda self, req, conn: not req.must_close)
    made = ProblemThreadWorker.__new__(ProblemThreadWorker)
    made.running = {}
    made.in_flight = 0
    return made


def handling(worker: ProblemThreadWorker, seconds: float) -> object:
    """Put a request in a handler thread, started ``seconds`` ago."""
    conn = object()
    LIVE.append(conn)
    worker.running[id(conn)] = time.monotonic() - seconds
    return conn


def request() -> Any:
    return SimpleNamespace(must_close=False)


def test_only_requests_handled_for_long_make_a_worker_busy(worker: ProblemThreadWorker) -> None:
    for _ in range(20):
        handling(worker, 0.0)  # box and probe calls, milliseconds each
    assert worker.long_requests() == 0
    for _ in range(3):
        handling(worker, 2.0)
    assert worker.long_requests() == 3


def test_requests_are_in_flight_from_hand_over_to_finish(worker: ProblemThreadWorker) -> None:
    for _ in range(3):
        worker.enqueue_req(object())
    worker.finish_request(object(), None)
    assert worker.in_flight == 2


@pytest.mark.parametrize("in_flight", [0, 1, 2, 50])
def test_a_free_worker_accepts_at_once_one_with_requests_waits_a_bounded_moment(
    worker: ProblemThreadWorker, monkeypatch: pytest.MonkeyPatch, in_flight: int
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(gunicorn_worker.time, "sleep", slept.append)
    for _ in range(in_flight):
        worker.enqueue_req(object())  # just handed over: none has run long yet
    worker.accept(object())
    if in_flight == 0:
        assert slept == []
    else:
        assert len(slept) == 1 and 0 < slept[0] <= MAX_ACCEPT_DELAY_S


def test_a_lone_client_keeps_its_connection(worker: ProblemThreadWorker) -> None:
    handling(worker, 0.0)  # a short call beside it does not matter
    conn = object()
    assert worker.handle_request(request(), conn) is True
    assert worker.running.keys() == {id(c) for c in LIVE[-1:]}  # its own entry is gone


def test_a_request_beside_a_long_one_closes_its_connection_to_be_placed_again(
    worker: ProblemThreadWorker,
) -> None:
    handling(worker, 1.0)
    req = request()
    assert worker.handle_request(req, object()) is False
    assert req.must_close
