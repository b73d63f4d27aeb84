"""A real redis-server on a free loopback port, for the Redis and e2e tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass
class RedisServer:
    port: int
    data_dir: str = ""  # set: persist as production runs it for jobs (append-only file)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        durable = ["--appendonly", "yes", "--appendfsync", "always", "--dir", self.data_dir]
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             *(durable if self.data_dir else ["--appendonly", "no"])],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_redis() -> None:
    if shutil.which("redis-server") is None:
        if os.environ.get("REQUIRE_REDIS_SERVER"):
            pytest.fail("redis-server is required here (.ci/run installs it)")
        pytest.skip("redis-server is not installed (.ci/run installs it)")


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    require_redis()
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()
