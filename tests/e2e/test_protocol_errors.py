"""gunicorn's own protocol errors and oversize bodies, against the real server."""

from __future__ import annotations

import json
import socket

import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e


def exchange(server: Server, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    host, port = server.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(raw)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"GET /" + b"x" * 9000 + b" HTTP/1.1\r\nHost: h\r\n\r\n", 414),
        (b"GET /livez HTTP/1.1\r\nHost: h\r\nX-Evil: <script>" + b"a" * 9000 + b"\r\n\r\n", 431),
        (b"GET /livez HTTP/1.1\r\nHost: h\r\nBad Header <b>: 1\r\n\r\n", 400),
    ],
)
def test_protocol_errors_are_problem_json_without_echo(
    server: Server, raw: bytes, status: int
) -> None:
    code, headers, body = exchange(server, raw)
    assert code == status
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == status
    assert b"<" not in body and b"xxxx" not in body and b"aaaa" not in body
    assert "server" not in headers


def test_ordinary_responses_do_not_name_the_server(server: Server) -> None:
    code, headers, _ = exchange(
        server, b"GET /livez HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
    )
    assert code == 200
    assert "server" not in headers


def test_chunked_body_over_the_limit_is_413(server: Server) -> None:
    payload = json.dumps({"text": "word " * 300_000}).encode()  # 1.5 MB, over the 1 MiB default
    chunks = b"".join(
        b"%x\r\n" % len(payload[i : i + 65536]) + payload[i : i + 65536] + b"\r\n"
        for i in range(0, len(payload), 65536)
    )
    raw = (
        b"POST /v1/bullets HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks + b"0\r\n\r\n"
    )
    code, headers, body = exchange(server, raw)
    assert code == 413
    assert headers["content-type"] == "application/problem+json"
