"""Idempotency-Key across the gunicorn workers of one host (no Redis): generated once."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e
BODY = json.dumps(
    {"text": "The council approved a new flood barrier on Monday after a debate."}
).encode()


def post(server: Server, key: str) -> tuple[int, str | None]:
    request = urllib.request.Request(server.base + "/v1/summaries", data=BODY, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Idempotency-Key", key)
    request.add_header("Connection", "close")  # a new connection each time: any worker may take it
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Idempotent-Replayed")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Idempotent-Replayed")


def test_sequential_repeats_across_workers_are_replayed(server: Server) -> None:
    first = post(server, "story-1-v1")
    assert first == (200, None)
    for _ in range(8):  # two workers: some repeats land on the other one
        assert post(server, "story-1-v1") == (200, "true")


def test_concurrent_repeats_across_workers_generate_once(server: Server) -> None:
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: post(server, "story-2-v1"), range(8)))
    generated = [a for a in answers if a == (200, None)]
    assert len(generated) == 1, answers
    assert all(a in ((200, "true"), (409, None)) for a in answers if a != (200, None)), answers


def test_a_retry_after_hanging_up_mid_body_runs_with_the_whole_body(server: Server) -> None:
    host, port = server.base.removeprefix("http://").split(":")
    head = (
        "POST /v1/summaries HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
        f"Idempotency-Key: story-cut\r\nContent-Length: {len(BODY)}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head + BODY[: len(BODY) // 2])  # then the client dies (a killed backfill)
    deadline = time.monotonic() + 30
    while (answer := post(server, "story-cut"))[0] == 409 and time.monotonic() < deadline:
        time.sleep(0.2)  # the cut request may still hold the key for a moment
    assert answer == (200, None)
