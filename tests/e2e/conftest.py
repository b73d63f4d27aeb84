"""Start the real ``newsbrief serve`` (gunicorn) on a free loopback port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from typing import Any

import pytest

READY_TIMEOUT_S = 120
# A short story the e2e tests post (four sentences, numbers in figures and words).
STORY = (
    "The city council approved a new flood barrier on Monday after a long debate. "
    "The vote was seven to two. The barrier will cost 40 million dollars and protect "
    "12,000 homes along the river. Work starts in March and should take two years."
)


@dataclass
class Server:
    """A running server and how to talk to it."""

    process: subprocess.Popen[str]
    base: str
    log: Path
    log_handle: IO[str]

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return (
                    response.status,
                    dict(response.headers),
                    json.loads(response.read() or b"null"),
                )
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read() or b"null")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(tmp_path: Path, **env: str) -> Server:
    port = free_port()
    log = tmp_path / "server.log"
    handle = log.open("w")
    environment = {
        **os.environ, "NEWSBRIEF_PORT": str(port), "HF_HUB_OFFLINE": "1",
        # Each test server its own state (jobs, idempotency): none shared between tests.
        "XDG_STATE_HOME": str(tmp_path / "state"), **env,
    }  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve"],
        env=environment,
        stdout=handle,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    server = Server(process, f"http://127.0.0.1:{port}", log, handle)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early:\n{log.read_text()}")
        try:
            if server.request("GET", "/readyz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise AssertionError(f"server not ready in {READY_TIMEOUT_S}s:\n{log.read_text()}")


def stop_server(server: Server, timeout: float = 60) -> int:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
    try:
        return server.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        return server.process.wait()
    finally:
        server.log_handle.close()


def worker_pids(server: Server) -> set[int]:
    """Return the pids of the server's gunicorn workers (the master's children)."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    return {int(p) for p in children.read_text().split()}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(
        tmp_path_factory.mktemp("server"),
        NEWSBRIEF_ENGINE="extractive",
        NEWSBRIEF_WORKERS="2",
        NEWSBRIEF_THREADS="4",
    )
    yield running
    stop_server(running)
