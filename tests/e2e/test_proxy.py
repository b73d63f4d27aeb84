"""The buffering proxy of k8s/base/nginx.conf, with a real nginx in front of gunicorn.

Slow clients (a header line every few seconds, or a body that never comes)
hold nginx connections, never gunicorn threads: /livez keeps answering.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import free_port
from tests.e2e.conftest import start_server
from tests.e2e.conftest import stop_server

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

if NGINX is None and os.environ.get("REQUIRE_NGINX"):
    raise RuntimeError("REQUIRE_NGINX is set but nginx is not installed")


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if NGINX is None:
        pytest.skip("nginx is not installed (.ci/run installs it)")
    folder = tmp_path_factory.mktemp("proxy")
    # Few worker threads, so that slow sockets would exhaust them without the proxy.
    app = start_server(folder, NEWSBRIEF_ENGINE="lead", NEWSBRIEF_WORKERS="1", NEWSBRIEF_THREADS="2",
                       NEWSBRIEF_TRUSTED_PROXIES="1")  # fmt: skip
    app_port = app.base.rsplit(":", 1)[1]
    port = free_port()
    conf = (ROOT / "k8s" / "base" / "nginx.conf").read_text()
    conf = conf.replace("127.0.0.1:8000", f"127.0.0.1:{app_port}").replace(
        "listen 8080", f"listen 127.0.0.1:{port}"
    )
    conf = conf.replace("/tmp/", f"{folder}/")
    (folder / "nginx.conf").write_text(conf)
    nginx = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"
         + (" user root;" if os.geteuid() == 0 else "")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/livez", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield base
    finally:
        nginx.terminate()
        nginx.wait(10)
        stop_server(app)


def livez_seconds(base: str) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(base + "/livez", timeout=10) as response:
        assert response.status == 200
    return time.monotonic() - started


def test_slow_clients_do_not_stop_livez_behind_the_proxy(proxied: str) -> None:
    host, port = proxied.removeprefix("http://").split(":")
    slow: list[socket.socket] = []
    try:
        for number in range(8):  # more than the app's worker threads
            sock = socket.create_connection((host, int(port)))
            if number % 2:  # a body announced and never sent
                sock.sendall(b"POST /v1/bullets HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 1048000\r\n\r\n{\"text\": ")  # fmt: skip
            else:  # a header line now and then
                sock.sendall(b"POST /v1/bullets HTTP/1.1\r\nHost: h\r\n")
            slow.append(sock)
        for _ in range(6):
            for number, sock in enumerate(slow):
                if number % 2 == 0:
                    sock.sendall(b"X-Slow: 1\r\n")
            assert livez_seconds(proxied) < 2.0
            time.sleep(0.5)
    finally:
        for sock in slow:
            sock.close()


def test_proxy_passes_requests_without_naming_gunicorn(proxied: str) -> None:
    request = urllib.request.Request(
        proxied + "/v1/bullets", data=b'{"text": "The council approved a new flood barrier on Monday."}',
        headers={"Content-Type": "application/json", "X-Forwarded-For": "6.6.6.6"}, method="POST",
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        assert "Server" not in response.headers or "gunicorn" not in response.headers["Server"]
