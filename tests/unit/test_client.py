"""The Python client: retries that honour Retry-After, one Idempotency-Key, problems, signatures."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

import pytest

from service.access.signatures import sign
from service.client import ApiError
from service.client import Client
from service.client import verify_signature

SUMMARY = {"summary": "S.", "bullets": ["B one two three four five"], "engine": "lead",
           "checks": {"summary": {"supported": True}, "bullets": {"supported": False}}}  # fmt: skip


class Stub(ThreadingHTTPServer):
    """Answers from a script of (status, headers, body); records what it received."""

    def __init__(self, script: list[tuple[int, dict[str, str], Any]]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.script = script
        self.seen: list[tuple[str, str, dict[str, str], Any]] = []
        self.times: list[float] = []


class Handler(BaseHTTPRequestHandler):
    server: Stub

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.server.seen.append((self.command, self.path, dict(self.headers), body))
        self.server.times.append(time.monotonic())
        status, headers, payload = self.server.script.pop(0)
        data = json.dumps(payload).encode()
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer


@pytest.fixture
def stub() -> Iterator[Stub]:
    server = Stub([])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _client(stub: Stub, **kwargs: Any) -> Client:
    return Client(f"http://127.0.0.1:{stub.server_address[1]}", backoff=0.01, **kwargs)


def test_summarize_returns_a_typed_result(stub: Stub) -> None:
    stub.script = [(200, {}, SUMMARY)]
    result = _client(stub, api_key="k3y").summarize("Some text.", title="T", engine="lead")
    assert result.summary == "S." and result.engine == "lead"
    assert result.supported is False  # one part was not supported
    method, path, headers, body = stub.seen[0]
    assert (method, path) == ("POST", "/v1/summaries")
    assert body == {"text": "Some text.", "title": "T", "options": {"engine": "lead"}}
    assert headers["Authorization"] == "Bearer k3y"
    assert headers["Idempotency-Key"]


def test_box_sends_the_previous_box_and_builds_the_next_one(stub: Stub) -> None:
    revision = {"bullets": [{"text": "A", "status": "pinned", "previous": 0, "flagged": True},
                            {"text": "B", "status": "kept", "previous": 1}], "dropped": []}  # fmt: skip
    stub.script = [(200, {}, {"bullets": ["A", "B"], "revision": revision})]
    client = _client(stub)
    box = client.box("Version two.", previous={"bullets": ["A", "B"], "pinned": [0]}, bullets=3)
    _, path, _, body = stub.seen[0]
    assert path == "/v1/bullets"
    assert body == {"text": "Version two.", "options": {"bullets": 3},
                    "previous": {"bullets": ["A", "B"], "pinned": [0]}}  # fmt: skip
    assert box.bullets == ["A", "B"] and [b["text"] for b in box.flagged] == ["A"]
    assert box.previous(pinned=[0], text="Version two.") == {
        "bullets": ["A", "B"], "pinned": [0], "text": "Version two."
    }  # fmt: skip
    stub.script = [(200, {}, SUMMARY)]
    client.summarize("Version three.", previous=box.previous())
    assert stub.seen[1][3]["previous"] == {"bullets": ["A", "B"]}


def test_503_and_429_are_retried_after_retry_after_with_one_key(stub: Stub) -> None:
    busy = {"status": 503, "title": "Service Unavailable"}
    stub.script = [(503, {"Retry-After": "1"}, busy), (429, {"Retry-After": "0"}, busy),
                   (200, {}, SUMMARY)]  # fmt: skip
    result = _client(stub).summarize("Some text.")
    assert result.summary == "S."
    keys = {headers["Idempotency-Key"] for _, _, headers, _ in stub.seen}
    assert len(stub.seen) == 3 and len(keys) == 1  # a retry is the same request
    assert stub.times[1] - stub.times[0] >= 0.95  # Retry-After honoured


def test_409_in_flight_is_waited_out_with_the_same_key(stub: Stub) -> None:
    running = {"status": 409, "title": "Conflict", "detail": "still running"}
    stub.script = [(409, {"Retry-After": "0"}, running), (200, {}, SUMMARY)]
    assert _client(stub).summarize("Some text.").summary == "S."
    assert len({headers["Idempotency-Key"] for _, _, headers, _ in stub.seen}) == 1


def test_client_errors_raise_the_problem_without_retrying(stub: Stub) -> None:
    problem = {"status": 422, "title": "Unprocessable Entity", "errors": {"text": ["empty"]}}
    stub.script = [(422, {"Content-Type": "application/problem+json"}, problem)]
    with pytest.raises(ApiError) as caught:
        _client(stub).summarize("x")
    assert caught.value.status == 422
    assert caught.value.problem["errors"] == {"text": ["empty"]}
    assert len(stub.seen) == 1


def test_retries_are_bounded(stub: Stub) -> None:
    stub.script = [(503, {}, {"status": 503})] * 3
    with pytest.raises(ApiError):
        _client(stub, retries=2).summarize("x")
    assert len(stub.seen) == 3


def test_an_unreachable_server_raises_after_its_retries() -> None:
    client = Client("http://127.0.0.1:9", retries=1, backoff=0.01, timeout=2)
    with pytest.raises(OSError):
        client.engines()


def test_summarize_many_batches_and_keeps_order_and_failures(stub: Stub) -> None:
    bad = {"status": 422, "title": "Unprocessable Entity"}
    first = {"results": [{"index": 0, "ok": True, "result": SUMMARY},
                         {"index": 1, "ok": False, "error": bad}]}  # fmt: skip
    second = {"results": [{"index": 0, "ok": True, "result": SUMMARY}]}
    stub.script = [(200, {}, first), (200, {}, second)]
    documents = [{"text": f"Story {n}."} for n in range(3)]
    results = list(_client(stub, max_batch=2).summarize_many(documents, engine="lead"))
    assert [type(r).__name__ for r in results] == ["Summary", "ApiError", "Summary"]
    assert [len(body["documents"]) for _, _, _, body in stub.seen] == [2, 1]
    assert stub.seen[0][3]["options"] == {"engine": "lead"}


def test_check_sends_a_list_summary(stub: Stub) -> None:
    answer = {"supported": False, "score": 0.2,
              "sentences": [{"sentence": "A", "supported": True}, {"sentence": "B", "supported": False}]}  # fmt: skip
    stub.script = [(200, {}, answer)]
    check = _client(stub).check(["A", "B"], "Article text.")
    assert check.unsupported == ["B"] and not check.supported
    assert stub.seen[0][3] == {"text": "Article text.", "summary": ["A", "B"]}


def test_verify_signature_agrees_with_the_server_and_refuses_the_rest() -> None:
    body = b'{"id": "job-1"}'
    now = str(int(time.time()))
    good = sign("s3cret", now, body)
    assert verify_signature("s3cret", now, good, body)
    assert verify_signature("old,s3cret", now, good, body)  # rotation
    assert not verify_signature("other", now, good, body)
    assert not verify_signature("s3cret", now, good, body + b" ")
    stale = str(int(time.time()) - 3600)
    assert not verify_signature("s3cret", stale, sign("s3cret", stale, body), body)
    assert not verify_signature("s3cret", "not-a-time", good, body)


def test_client_imports_without_flask_or_torch() -> None:
    code = (
        "import sys, service.client; "
        "print([m for m in ('flask', 'torch', 'transformers', 'werkzeug') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
