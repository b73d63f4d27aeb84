"""The gthread worker's least-loaded accepts and hand-backs, without a running server."""

from __future__ import annotations

import os
import time
from types import SimpleNamespace
from typing import Any

import pytest
from gunicorn.workers.gthread import ThreadWorker

from service.gunicorn_worker import FREE
from service.gunicorn_worker import RECYCLE_WAIT
from service.gunicorn_worker import RESTING
from service.gunicorn_worker import LoadTable
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
    made.nr_conns = 0
    made.alive = True
    made.nr, made.max_requests = 0, 10_000  # requests served, and when gunicorn recycles
    return made


def with_sibling(worker: ProblemThreadWorker, mine: int, sibling: int) -> LoadTable:
    """Give ``worker`` a table slot beside one sibling holding ``sibling`` connections."""
    table = LoadTable(4)
    worker.load_table, worker.slot = table, table.claim([])
    table.loads[table.claim([worker.slot])] = sibling
    worker.nr_conns = mine
    worker.publish()
    return table


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


def test_the_table_gives_each_live_worker_its_own_slot_and_frees_it() -> None:
    table = LoadTable(3)
    first = table.claim([])
    second = table.claim([first])
    assert first != second and table.loads[second] == RESTING
    assert table.least_other(first) is None  # booting: it holds a slot, not connections
    table.loads[second] = 0
    assert table.least_other(first) == 0
    table.loads[first], table.loads[second] = 0, 5
    assert table.least_other(first) == 5 and table.least_other(second) == 0
    table.free(second)
    assert table.loads[second] == FREE and table.least_other(first) is None
    assert table.claim([first]) == second  # a replacement reuses the freed slot


def test_the_table_is_shared_with_forked_workers() -> None:
    table = LoadTable(2)
    slot = table.claim([])
    pid = os.fork()
    if pid == 0:  # the worker writes its count, as a forked gunicorn worker does
        table.loads[slot] = 7
        os._exit(0)
    os.waitpid(pid, 0)
    assert table.loads[slot] == 7


@pytest.mark.parametrize(("mine", "sibling", "listens"), [(0, 0, True), (3, 3, True), (2, 3, True),
                                                          (1, 0, False), (9, 7, False)])  # fmt: skip
def test_only_a_worker_holding_no_more_connections_than_a_sibling_listens(
    worker: ProblemThreadWorker, mine: int, sibling: int, listens: bool
) -> None:
    with_sibling(worker, mine, sibling)
    assert worker.has_room() is listens


@pytest.mark.parametrize("state", ["booting", "stopping"])
def test_a_sibling_that_takes_no_connections_neither_gates_nor_empties_a_worker(
    worker: ProblemThreadWorker, state: str
) -> None:
    """A recycled worker's replacement loads for seconds; a stopping one accepts nothing.

    Read as holding no connections, either would stop its sibling listening
    and make it close every connection it answers, so no worker took any.
    """
    table = with_sibling(worker, 6, 0)
    sibling = ProblemThreadWorker.__new__(ProblemThreadWorker)
    sibling.load_table, sibling.slot, sibling.nr_conns = table, 1 - worker.slot, 0
    if state == "booting":  # the sibling was recycled: its replacement has its slot
        table.free(sibling.slot)
        assert table.claim([worker.slot]) == sibling.slot
    else:
        sibling.alive = False  # gunicorn's flag once max_requests is reached or on SIGTERM
        sibling.publish()
    assert table.loads[sibling.slot] == RESTING
    assert worker.has_room()
    req = request()
    assert worker.handle_request(req, object()) is True and not req.must_close


@pytest.mark.parametrize(("sibling", "served", "due_at"), [
    (RESTING, 999, 1000 + RECYCLE_WAIT),  # due now, a sibling boots or stops: wait
    (RESTING, 500, 1000),  # not due yet: nothing changes
    (3, 999, 1000),  # due now, the sibling serves: recycle
    (FREE, 999, 1000),  # due now, no sibling: recycle (one worker has a gap anyway)
])  # fmt: skip
def test_a_recycle_waits_while_a_sibling_takes_no_connections(
    worker: ProblemThreadWorker, sibling: int, served: int, due_at: int
) -> None:
    table = with_sibling(worker, 4, 0)
    table.loads[1 - worker.slot] = sibling
    worker.nr, worker.max_requests = served, 1000
    worker.handle_request(request(), object())
    assert worker.max_requests == due_at


def test_without_a_table_or_a_sibling_a_worker_always_listens(worker: ProblemThreadWorker) -> None:
    worker.nr_conns = 50
    assert worker.has_room()
    worker.load_table, worker.slot = LoadTable(2), 0
    assert worker.has_room()


@pytest.mark.parametrize(("mine", "sibling", "long", "hands_back"), [
    (1, 0, False, False),  # a lone client keeps its connection
    (5, 4, False, False),  # one over: not worth a reconnect while the work is short
    (6, 4, False, True),   # two over: one goes back to be placed again
    (5, 4, True, True),    # one over while a generation holds a thread here
    (4, 4, True, False),   # a sibling no less loaded would not take it
])  # fmt: skip
def test_a_worker_hands_back_a_connection_when_a_sibling_holds_fewer(
    worker: ProblemThreadWorker, mine: int, sibling: int, long: bool, hands_back: bool
) -> None:
    with_sibling(worker, mine, sibling)
    if long:
        handling(worker, 1.0)
    req = request()
    assert worker.handle_request(req, object()) is not hands_back
    assert req.must_close is hands_back


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
