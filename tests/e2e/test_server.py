import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import SEED
from tests.e2e.conftest import Server
from tests.e2e.conftest import free_port
from tests.e2e.conftest import start_server
from tests.e2e.conftest import stop_server
from tests.e2e.conftest import worker_pids

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def test_server_summarises_seed_with_embedded_default(server: Server) -> None:
    status, headers, body = server.request("POST", "/v1/summaries", {"text": SEED.read_text()})
    assert status == 200
    assert body["engine"] == "extractive"
    assert 3 <= len(body["bullets"]) <= 5
    assert 0 < len(body["summary"].split()) <= 75
    assert headers["X-Request-Id"] == body["request_id"]


def test_server_answers_every_endpoint(server: Server) -> None:
    text = SEED.read_text()
    assert server.request("POST", "/v1/bullets", {"text": text})[0] == 200
    status, _, body = server.request(
        "POST", "/v1/summaries:batch", {"documents": [{"text": text}, {"text": ""}]}
    )
    assert status == 200 and [r["ok"] for r in body["results"]] == [True, False]
    status, _, engines = server.request("GET", "/v1/engines")
    assert status == 200 and engines["default"] == "extractive"
    assert server.request("GET", "/v1/openapi.json")[0] == 200
    for path in ("/livez", "/readyz", "/v2/health/live", "/v2/health/ready"):
        assert server.request("GET", path)[0] == 200


def test_server_metrics_sum_every_worker(server: Server) -> None:
    import urllib.request

    for _ in range(6):
        server.request("POST", "/v1/bullets", {"text": SEED.read_text()})
    with urllib.request.urlopen(server.base + "/metrics", timeout=30) as response:
        text = response.read().decode()
    lines = [
        line
        for line in text.splitlines()
        if line.startswith("newsbrief_requests_total{") and "/v1/bullets" in line
    ]
    assert sum(float(line.rsplit(" ", 1)[1]) for line in lines) >= 6
    assert "newsbrief_model_load_seconds" in text


def test_server_bad_input_is_4xx_problem(server: Server) -> None:
    status, headers, body = server.request("POST", "/v1/summaries", {"text": ""})
    assert status == 422 and headers["Content-Type"] == "application/problem+json"
    assert "text" in body["errors"]


def test_server_handles_concurrent_requests(server: Server) -> None:
    text = SEED.read_text()
    paths = ["/v1/summaries", "/v1/bullets"] * 10

    def call(path: str) -> int:
        return server.request("POST", path, {"text": text})[0]

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(call, paths))
    assert statuses == [200] * 20


def test_server_exits_cleanly_on_sigterm(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    running = start_server(
        tmp_path, NEWSBRIEF_ENGINE="lead", NEWSBRIEF_WORKERS="1", TMPDIR=str(scratch)
    )
    assert running.request("GET", "/readyz")[0] == 200
    assert [p.name.rsplit("-", 1)[0] for p in scratch.glob("newsbrief-*")] == ["newsbrief-metrics"]
    state = tmp_path / "state" / "newsbrief"  # XDG_STATE_HOME: the state outlives the server
    assert (state / "store.sqlite3").exists()
    assert stop_server(running, timeout=30) == 0
    assert not list(scratch.glob("newsbrief-*"))  # no temporary folder left behind
    assert (state / "store.sqlite3").exists()
    assert (
        "Shutting down" in running.log.read_text() or "Handling signal" in running.log.read_text()
    )


def test_metrics_on_their_own_port_are_not_on_the_api(tmp_path: Path) -> None:
    import urllib.request

    port = free_port()
    running = start_server(
        tmp_path,
        NEWSBRIEF_ENGINE="extractive",
        NEWSBRIEF_WORKERS="2",
        NEWSBRIEF_METRICS_PORT=str(port),
    )
    try:
        for _ in range(4):
            assert running.request("POST", "/v1/bullets", {"text": SEED.read_text()})[0] == 200
        assert running.request("GET", "/metrics")[0] == 404
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
            text = response.read().decode()
        lines = [
            line
            for line in text.splitlines()
            if line.startswith("newsbrief_requests_total{") and "/v1/bullets" in line
        ]
        assert sum(float(line.rsplit(" ", 1)[1]) for line in lines) >= 4  # summed over both workers
        master = running.process.pid
        listening = _listening_inodes(port)
        assert listening & _socket_inodes(master)  # the master serves /metrics ...
        workers = worker_pids(running)
        assert len(workers) == 2
        for worker in workers:  # ... and no worker holds its socket
            assert not listening & _socket_inodes(worker)
    finally:
        stop_server(running)


def _listening_inodes(port: int) -> set[str]:
    """Return the inodes of the sockets listening on ``port`` (Linux /proc/net)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1].rsplit(":", 1)[1] == f"{port:04X}" and fields[3] == "0A":
                inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    """Return the inodes of the sockets process ``pid`` holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes
