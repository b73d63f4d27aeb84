"""Jobs and signed callbacks against the real gunicorn server: kills, outages and a receiver that fails."""

from __future__ import annotations

import http.server
import os
import re
import signal
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.client import Client
from service.client import Job
from service.client import verify_signature
from tests.e2e.conftest import STORY
from tests.e2e.conftest import Server
from tests.e2e.conftest import free_port
from tests.e2e.conftest import start_server
from tests.e2e.conftest import stop_server
from tests.redis_server import RedisServer
from tests.redis_server import require_redis

pytestmark = pytest.mark.e2e
SECRET = "cms-callback-secret-0123456789"
# Every generation waits up to 2.5 s for a batch to fill: a job runs long enough to kill its worker.
SLOW = {"NEWSBRIEF_BATCH_SIZE": "8", "NEWSBRIEF_BATCH_WAIT_MS": "2500"}
JOBS_ENV = {
    "NEWSBRIEF_ENGINE": "extractive", "NEWSBRIEF_WORKERS": "2", "NEWSBRIEF_THREADS": "4",
    "NEWSBRIEF_JOB_LEASE": "5", "NEWSBRIEF_CALLBACK_ALLOW": "127.0.0.1",
    "NEWSBRIEF_CALLBACK_SECRETS": f"cms:{SECRET}", **SLOW,
}  # fmt: skip


class Receiver:
    """A CMS endpoint on loopback: verifies signatures, can fail its first answers, can be down."""

    def __init__(self, port: int, fail_first: int = 0) -> None:
        self.port = port
        self.fail_first = fail_first
        self.attempts: list[dict[str, str]] = []
        self.accepted: list[bytes] = []
        self.forged = 0
        self._server: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/newsbrief-callback"

    def start(self) -> Receiver:
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.attempts.append(dict(self.headers))
                signed = verify_signature(
                    SECRET,
                    self.headers["X-Newsbrief-Timestamp"],
                    self.headers["X-Newsbrief-Signature"],
                    body,
                )
                if not signed:
                    outer.forged += 1
                    status = 401
                elif len(outer.attempts) <= outer.fail_first:
                    status = 500
                else:
                    outer.accepted.append(body)
                    status = 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def job_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("jobs"), **JOBS_ENV)
    yield running
    stop_server(running)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver(free_port(), fail_first=2).start()
    yield started
    started.stop()


def delivered(client: Client, job_id: str) -> Job | None:
    job = client.job(job_id)
    return job if job.raw.get("callback", {}).get("state") == "delivered" else None


def test_callback_retried_after_failures_is_delivered_once_and_signed(
    job_server: Server, receiver: Receiver
) -> None:
    client = Client(job_server.base)
    job = client.submit_job(
        {"text": STORY, "id": "story-1"}, callback_url=receiver.url, secret_name="cms"
    )
    assert job.status == "queued"
    done = wait_for(lambda: delivered(client, job.id), 60, "the callback")
    time.sleep(1.5)  # anything sent twice would arrive meanwhile
    assert done.status == "succeeded" and done.raw["callback"]["attempts"] == 3
    assert len(receiver.attempts) == 3 and len(receiver.accepted) == 1 and receiver.forged == 0
    sent = Job.from_json(__import__("json").loads(receiver.accepted[0]))
    assert sent.id == job.id and sent.summary().raw["id"] == "story-1"
    assert {a["X-Newsbrief-Job-Id"] for a in receiver.attempts} == {job.id}


def test_receiver_down_for_a_while_gets_the_callback_when_back(job_server: Server) -> None:
    client = Client(job_server.base)
    later = Receiver(free_port())
    job = client.submit_job({"text": STORY}, callback_url=later.url, secret_name="cms")
    wait_for(lambda: client.job(job.id).raw["callback"]["attempts"] >= 2, 60, "refused attempts")
    state = client.job(job.id).raw["callback"]
    assert state["state"] == "pending" and "ConnectionRefused" in state["last_error"]
    later.start()
    try:
        wait_for(lambda: delivered(client, job.id), 60, "the callback after the outage")
        time.sleep(1.5)
        assert len(later.accepted) == 1
    finally:
        later.stop()


@pytest.mark.parametrize(
    "url", ["http://10.0.0.7/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/",
            "http://192.168.1.1/", "http://localhost.:9/x"],
)  # fmt: skip
def test_private_callback_urls_are_refused_at_submission(job_server: Server, url: str) -> None:
    body = {"text": STORY, "callback": {"url": url, "secret_name": "cms"}}
    if url.startswith("http://localhost"):
        body["callback"]["url"] = "http://127.0.0.2/x"  # loopback, but not the allowed address
    status, headers, problem = job_server.request("POST", "/v1/jobs", body)
    assert status == 422 and headers["Content-Type"] == "application/problem+json"
    assert problem["type"].endswith("callback-refused")


def runner_pid(server: Server, job_id: str) -> int:
    found = re.findall(rf"job_started job={job_id} .*runner=[^:\s]+:(\d+):", server.log.read_text())
    return int(found[-1]) if found else 0


def test_a_job_whose_worker_is_killed_completes_once_on_another(
    job_server: Server, receiver: Receiver
) -> None:
    receiver.fail_first = 0
    client = Client(job_server.base)
    fresh = f"{STORY} The story was filed at {time.time()}."  # not in the result cache
    job = client.submit_job(
        {"text": fresh, "id": "killed"}, callback_url=receiver.url, secret_name="cms"
    )
    pid = wait_for(lambda: runner_pid(job_server, job.id), 30, "the job to start")
    assert client.job(job.id).status == "running"
    os.kill(pid, signal.SIGKILL)
    done = client.wait(job.id, timeout=60, poll=0.3)
    assert done.status == "succeeded" and done.raw["attempts"] == 2
    assert runner_pid(job_server, job.id) != pid  # the second run was another worker's
    wait_for(lambda: delivered(client, job.id), 30, "the callback")
    time.sleep(1.5)
    assert len(receiver.accepted) == 1
    # gunicorn replaced the worker; it accepts nothing until its engine loads, its sibling answers
    wait_for(lambda: booted_after(job_server, pid), 30, "a replacement worker")
    wait_for(lambda: job_server.request("GET", "/readyz")[0] == 200, 60, "readiness")


def booted_after(server: Server, killed: int) -> bool:
    booted = re.findall(r"Booting worker with pid: (\d+)", server.log.read_text())
    return str(killed) in booted and booted[-1] != str(killed)


def test_client_jobs_poll_cancel_and_idempotency(job_server: Server) -> None:
    client = Client(job_server.base)
    first = client.submit_job({"text": STORY}, idempotency_key="cms-save-77")
    again = client.submit_job({"text": STORY}, idempotency_key="cms-save-77")
    assert first.id == again.id
    batch = client.submit_job({"documents": [{"text": STORY, "id": "a"}, {"text": "", "id": "b"}]})
    waited = client.wait(first, timeout=60, poll=0.3)
    assert waited.summary().summary
    results = client.wait(batch, timeout=60, poll=0.3).result
    assert results is not None and [r["ok"] for r in results["results"]] == [True, False]


def test_redis_stopped_mid_run_gives_clear_errors_and_loses_no_job(tmp_path: Path) -> None:
    require_redis()
    redis = RedisServer(free_port(), data_dir=str(tmp_path / "redis"))
    (tmp_path / "redis").mkdir()
    redis.start()
    server = start_server(tmp_path, **{**JOBS_ENV, "NEWSBRIEF_CACHE_URL": redis.url})
    try:
        client = Client(server.base, retries=0)
        jobs = [client.submit_job({"text": f"{STORY} Story {n}."}) for n in range(4)]
        wait_for(lambda: client.job(jobs[0].id).status == "running", 30, "a job to run")
        redis.stop()
        status, headers, problem = server.request("POST", "/v1/jobs", {"text": STORY})
        assert status == 503 and headers["Content-Type"] == "application/problem+json"
        assert problem["type"].endswith("jobs-unavailable") and int(headers["Retry-After"]) > 0
        assert server.request("GET", f"/v1/jobs/{jobs[1].id}")[0] == 503
        time.sleep(3)  # runners meet the outage: claims and finishes fail meanwhile
        redis.start()
        ended = [client.wait(job.id, timeout=90, poll=0.5) for job in jobs]
        assert [job.status for job in ended] == ["succeeded"] * 4
        assert client.submit_job({"text": STORY}).status == "queued"
    finally:
        stop_server(server)
        redis.stop()


def test_a_queued_job_survives_a_restart_with_default_settings(tmp_path: Path) -> None:
    """No NEWSBRIEF_STATE_DIR, no Redis: the server's default store outlives it."""
    quiet = {"NEWSBRIEF_ENGINE": "extractive", "NEWSBRIEF_WORKERS": "1"}
    first = start_server(tmp_path, **quiet, NEWSBRIEF_JOB_WORKERS="0")  # queues, runs nothing
    try:
        queued = Client(first.base).submit_job({"text": STORY})
        assert queued.status == "queued"
    finally:
        stop_server(first)
    second = start_server(tmp_path, **quiet)
    try:
        done = Client(second.base).wait(queued, timeout=60, poll=0.3)
        assert done.status == "succeeded" and done.summary().summary
    finally:
        stop_server(second)
