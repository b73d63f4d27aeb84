"""Persistent connections spread over the workers: each goes to the worker holding fewest."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import STORY
from tests.e2e.conftest import Server
from tests.e2e.conftest import start_server
from tests.e2e.conftest import stop_server

pytestmark = pytest.mark.e2e
CLIENTS = 4
ROUNDS = 3


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # Each summary waits up to 1.5 s for a batch to fill, so requests overlap.
    running = start_server(
        tmp_path_factory.mktemp("balance"), NEWSBRIEF_ENGINE="extractive",
        NEWSBRIEF_WORKERS="2", NEWSBRIEF_THREADS="4", NEWSBRIEF_CACHE_BYTES="0",
        NEWSBRIEF_BATCH_SIZE="8", NEWSBRIEF_BATCH_WAIT_MS="1500",
    )  # fmt: skip
    yield running
    stop_server(running)


def connect(server: Server) -> http.client.HTTPConnection:
    host, port = server.base.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=60)


def summarise(connection: http.client.HTTPConnection, marker: str) -> str:
    """POST one summary on a kept connection; return its Connection header."""
    body = json.dumps({"text": f"{STORY} Filed as {marker}."})
    connection.request("POST", "/v1/summaries", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    assert response.status == 200
    return (response.getheader("Connection") or "").lower()


def summary_pids(server: Server) -> Counter[str]:
    lines = re.findall(
        r"pid=(\d+) msg=request .*path=/v1/summaries status=200", server.log.read_text()
    )
    return Counter(lines)


def run_clients(server: Server, start: Callable[[int], None], tag: str) -> Counter[str]:
    """Run CLIENTS keep-alive clients of ROUNDS summaries each; count the answers by worker pid."""
    before = summary_pids(server)
    answers: list[str] = []

    def client(number: int) -> None:
        start(number)
        connection = connect(server)
        for round_ in range(ROUNDS):
            answers.append(
                summarise(connection, f"{tag}-{number}-{round_}")
            )  # reconnects after close
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == CLIENTS * ROUNDS
    return summary_pids(server) - before


def test_staggered_keep_alive_clients_are_spread_over_both_workers(slow_server: Server) -> None:
    # A later client arrives while earlier requests already wait in a worker's batch.
    served = run_clients(slow_server, lambda number: time.sleep(0.3 * number), "staggered")
    assert len(served) == 2 and min(served.values()) >= 2, served


def test_keep_alive_clients_connecting_at_once_are_spread_over_both_workers(
    slow_server: Server,
) -> None:
    # A load tester, or nginx's upstream pool after a restart: every client
    # connects in the same instant, before any request has run.
    ready = threading.Barrier(CLIENTS)
    served = run_clients(slow_server, lambda number: ready.wait() and None, "burst")
    assert len(served) == 2 and min(served.values()) >= ROUNDS, served


def test_a_lone_client_keeps_its_connection(slow_server: Server) -> None:
    connection = connect(slow_server)
    answers = [summarise(connection, f"lone-{n}") for n in range(3)]
    connection.close()
    assert answers == ["keep-alive"] * 3
