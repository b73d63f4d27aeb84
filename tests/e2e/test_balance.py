"""Persistent connections spread over the workers: a busy worker does not keep them all."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections import Counter
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


def test_concurrent_keep_alive_clients_are_spread_over_both_workers(slow_server: Server) -> None:
    before = summary_pids(slow_server)
    answers: list[str] = []

    def client(number: int) -> None:
        # Staggered: a later client arrives while earlier requests already wait in a
        # worker's batch (a busy worker). Started together, every request of a
        # batch finishes together and the next round starts together again, so
        # no worker is ever seen busy and whether any hand-back happens is luck.
        time.sleep(0.3 * number)
        connection = connect(slow_server)
        for round_ in range(ROUNDS):
            answers.append(summarise(connection, f"{number}-{round_}"))  # reconnects after close
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    served = summary_pids(slow_server) - before
    assert len(answers) == CLIENTS * ROUNDS
    assert "close" in answers  # busy workers hand connections back to be placed again
    assert len(served) == 2 and min(served.values()) >= 2, served


def test_a_lone_client_keeps_its_connection(slow_server: Server) -> None:
    connection = connect(slow_server)
    answers = [summarise(connection, f"lone-{n}") for n in range(3)]
    connection.close()
    assert answers == ["keep-alive"] * 3
