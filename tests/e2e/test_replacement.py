"""A worker gunicorn replaces (crashed, recycled) takes no connection until its model is in."""

from __future__ import annotations

import os
import re
import signal
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest

from tests.e2e.conftest import Server
from tests.e2e.conftest import worker_pids

pytestmark = pytest.mark.e2e
LOADED = re.compile(r"pid=(\d+) msg=engine_ready engine=extractive")


def probe(server: Server) -> int:
    try:
        with urllib.request.urlopen(server.base + "/readyz", timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def loaded(server: Server) -> set[int]:
    """Return the pids of the workers whose default engine is in."""
    return {int(pid) for pid in LOADED.findall(server.log.read_text())}


def test_readiness_stays_200_while_a_replaced_worker_loads(server: Server) -> None:
    """Probes during the replacement's model load all reach the sibling that can serve."""
    before = worker_pids(server)
    assert len(before) == 2
    deadline = time.monotonic() + 60
    while not before <= loaded(server) and time.monotonic() < deadline:
        time.sleep(0.2)  # readiness went 200 with one worker in: wait for the other too
    assert before <= loaded(server)
    os.kill(min(before), signal.SIGKILL)
    statuses: Counter[int] = Counter()
    deadline = time.monotonic() + 60
    loaded_at = None
    while time.monotonic() < deadline:
        statuses[probe(server)] += 1
        if loaded_at is None and loaded(server) - before:
            loaded_at = time.monotonic()  # the replacement loaded: probe a while longer
        if loaded_at is not None and time.monotonic() > loaded_at + 1:
            break
    assert loaded_at is not None, "the replacement never loaded its engine"
    print(f"\nreplacement: /readyz answers while it loaded {dict(statuses)}")
    assert set(statuses) == {200}
    assert len(worker_pids(server)) == 2
