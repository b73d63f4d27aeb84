"""/v1/jobs through the app: accept at once, run once, report, cancel, refuse bad input at submission."""

from __future__ import annotations

import dataclasses
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.access.keys import new_key
from service.client import verify_signature
from service.engines import EngineRegistry
from service.engines.lead import LeadSummarizer
from service.jobs.runner import JobRunner
from service.jobs.runner import start_runner
from service.jobs.runner import stop_runner
from service.settings import Settings
from service.state import EXTENSION
from tests.conftest import FakeSummarizer

PROBLEM = "application/problem+json"
SECRET = "cms-callback-secret-0123456789"
TEXT = (
    "The city council approved a new flood barrier on Monday. The vote was 7 to 2. "
    "The barrier will cost $40 million and protect 12,000 homes. Work starts in March."
)


def make_app(registry: EngineRegistry | None = None, **values: str) -> Flask:
    settings = Settings.from_mapping({"load_on_start": "false", "engine": "lead", **values})
    registry = registry or EngineRegistry({"lead": LeadSummarizer()}, default="lead")
    app = create_app(settings, engines=registry)
    registry.load_all()
    return app


def runner(app: Flask) -> JobRunner:
    return JobRunner(app, app.extensions[EXTENSION])


def make_due(app: Flask, job_id: str) -> None:
    """Skip a job's retry delay (or its callback's backoff) instead of sleeping through it."""

    def due(job: Any) -> Any:
        callback = job.callback and dataclasses.replace(
            job.callback, next_at=job.callback.next_at and 0.0
        )
        return dataclasses.replace(job, not_before=0.0, callback=callback)

    app.extensions[EXTENSION].jobs.table.change(job_id, due)


@pytest.fixture
def app() -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def submit(client: FlaskClient, body: dict[str, Any], **headers: str) -> tuple[int, Any, Any]:
    response = client.post("/v1/jobs", json=body, headers=headers)
    return response.status_code, response.headers, response.get_json()


def test_a_job_is_accepted_at_once_then_gives_what_the_route_gives(
    app: Flask, client: FlaskClient
) -> None:
    status, headers, job = submit(client, {"text": TEXT, "title": "Flood barrier", "id": "story-7"})
    assert status == 202 and headers["Location"] == f"/v1/jobs/{job['id']}"
    assert job["status"] == "queued" and job["operation"] == "summaries" and job["result"] is None
    polled = client.get(headers["Location"])
    assert polled.get_json()["status"] == "queued" and polled.headers["Retry-After"] == "1"

    assert runner(app).run_once() is True
    done = client.get(headers["Location"])
    body = done.get_json()
    assert (
        body["status"] == "succeeded"
        and body["attempts"] == 1
        and "Retry-After" not in done.headers
    )
    direct = client.post(
        "/v1/summaries", json={"text": TEXT, "title": "Flood barrier", "id": "story-7"}
    )
    expected = direct.get_json()
    for key in ("summary", "bullets", "engine", "id", "checks"):
        assert body["result"][key] == expected[key]
    assert runner(app).run_once() is False  # nothing left: it ran once


def test_batch_and_check_jobs_are_told_apart_by_their_body(app: Flask, client: FlaskClient) -> None:
    _, _, batch = submit(client, {"documents": [{"text": TEXT}, {"html": ""}]})
    _, _, check = submit(client, {"text": TEXT, "summary": "The barrier will cost $90 million."})
    assert (batch["operation"], check["operation"]) == ("summaries:batch", "checks")
    while runner(app).run_once():
        pass
    batch = client.get(f"/v1/jobs/{batch['id']}").get_json()
    check = client.get(f"/v1/jobs/{check['id']}").get_json()
    assert [item["ok"] for item in batch["result"]["results"]] == [True, False]
    assert check["status"] == "succeeded" and check["result"]["supported"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "text"), ({"text": TEXT, "html": "<p>x</p>"}, "text"), ({"text": ""}, "text"),
     ({"text": TEXT, "options": {"engine": "nope"}}, "options"), ({"text": TEXT, "extra": 1}, "extra"),
     ({"text": TEXT, "callback": {}}, "callback"), ({"text": TEXT, "callback": "http://x"}, "callback"),
     ({"text": TEXT, "callback": {"url": "https://x.example", "secret_name": "../etc"}}, "callback"),
     ({"documents": []}, "documents"), ({"text": TEXT, "summary": 5}, "summary")],
)  # fmt: skip
def test_invalid_bodies_are_refused_at_submission(
    client: FlaskClient, body: dict[str, Any], field: str
) -> None:
    status, headers, problem = submit(client, body)
    assert status == 422 and headers["Content-Type"] == PROBLEM
    assert field in problem["errors"]


def test_non_object_and_oversized_batches_are_refused(client: FlaskClient) -> None:
    assert client.post("/v1/jobs", json=[TEXT]).status_code == 422
    assert client.post("/v1/jobs", data="text", content_type="text/plain").status_code == 415
    status, _, problem = submit(client, {"documents": [{"text": TEXT}] * 17})
    assert status == 422 and "at most 16" in problem["detail"]


def test_a_job_that_fails_keeps_the_problem_of_its_route(app: Flask, client: FlaskClient) -> None:
    _, _, job = submit(client, {"text": TEXT, "options": {"language": "de"}})
    runner(app).run_once()
    ended = client.get(f"/v1/jobs/{job['id']}").get_json()
    assert ended["status"] == "failed" and ended["result"] is None
    assert ended["problem"]["status"] == 422 and ended["problem"]["type"].endswith(
        "unsupported-language"
    )


def test_passing_server_errors_are_retried_then_given_up() -> None:
    registry = EngineRegistry({"fake": FakeSummarizer(fail_load="weights corrupt")}, default="fake")
    app = make_app(registry, engine="auto", job_attempts="2")
    client = app.test_client()
    _, _, job = submit(client, {"text": TEXT})
    runner(app).run_once()
    first = client.get(f"/v1/jobs/{job['id']}").get_json()
    assert first["status"] == "queued" and first["attempts"] == 1
    assert runner(app).run_once() is False  # waiting out its backoff
    make_due(app, job["id"])
    runner(app).run_once()
    last = client.get(f"/v1/jobs/{job['id']}").get_json()
    assert last["status"] == "failed" and last["attempts"] == 2 and last["problem"]["status"] == 503


def test_delete_cancels_a_queued_job_removes_an_ended_one_and_refuses_a_running_one(
    app: Flask, client: FlaskClient
) -> None:
    _, headers, job = submit(client, {"text": TEXT})
    cancelled = client.delete(headers["Location"])
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert runner(app).run_once() is False
    removed = client.delete(headers["Location"])  # ended: its room in the store is freed
    assert removed.status_code == 200 and client.get(headers["Location"]).status_code == 404
    _, headers, _ = submit(client, {"text": TEXT})
    assert app.extensions[EXTENSION].jobs.claim("elsewhere") is not None  # running
    running = client.delete(headers["Location"])
    assert running.status_code == 409 and running.headers["Content-Type"] == PROBLEM


@pytest.mark.parametrize("method", ["get", "delete"])
def test_unknown_jobs_are_404_problems(client: FlaskClient, method: str) -> None:
    response = getattr(client, method)("/v1/jobs/0123456789abcdef")
    assert response.status_code == 404 and response.get_json()["type"].endswith("job-not-found")


def test_idempotency_key_queues_one_job_and_replays_its_location(
    app: Flask, client: FlaskClient
) -> None:
    first = submit(client, {"text": TEXT}, **{"Idempotency-Key": "cms-save-41"})
    again = submit(client, {"text": TEXT}, **{"Idempotency-Key": "cms-save-41"})
    assert first[0] == again[0] == 202 and first[2]["id"] == again[2]["id"]
    assert (
        again[1]["Location"] == first[1]["Location"] and again[1]["Idempotent-Replayed"] == "true"
    )
    assert runner(app).run_once() and not runner(app).run_once()
    other = submit(client, {"text": TEXT + " More."}, **{"Idempotency-Key": "cms-save-41"})
    assert other[0] == 422


def test_jobs_are_visible_only_to_the_key_that_made_them() -> None:
    key_a, entry_a = new_key("desk-a")
    key_b, entry_b = new_key("desk-b")
    app = make_app(api_keys=f"{entry_a},{entry_b}")
    client = app.test_client()
    status, headers, _ = submit(client, {"text": TEXT}, **{"X-API-Key": key_a})
    assert status == 202
    assert client.get(headers["Location"], headers={"X-API-Key": key_b}).status_code == 404
    assert client.delete(headers["Location"], headers={"X-API-Key": key_b}).status_code == 404
    assert client.get(headers["Location"]).status_code == 401
    runner(app).run_once()  # runs without a key: it was checked at submission
    job = client.get(headers["Location"], headers={"X-API-Key": key_a}).get_json()
    assert job["status"] == "succeeded"


def test_a_full_queue_answers_503_with_retry_after() -> None:
    client = make_app(max_queued_jobs="2").test_client()
    assert [submit(client, {"text": TEXT})[0] for _ in range(2)] == [202, 202]
    status, headers, problem = submit(client, {"text": TEXT})
    assert (
        status == 503 and problem["type"].endswith("jobs-full") and int(headers["Retry-After"]) > 0
    )


def test_callbacks_need_a_configured_secret_and_an_allowed_address() -> None:
    client = make_app(callback_secrets=f"cms:{SECRET}").test_client()
    no_secret = submit(client, {"text": TEXT, "callback": {"url": "https://93.184.216.34/x"}})
    assert no_secret[0] == 422 and "no callback secret named 'default'" in no_secret[2]["detail"]
    for url in ("http://127.0.0.1:8080/x", "http://169.254.169.254/latest/meta-data", "http://[::1]/x",
                "http://10.1.2.3/x", "http://localhost/x", "file:///etc/passwd"):  # fmt: skip
        status, headers, problem = submit(
            client, {"text": TEXT, "callback": {"url": url, "secret_name": "cms"}}
        )
        assert status == 422 and headers["Content-Type"] == PROBLEM, url
        assert problem["type"].endswith("callback-refused")


class Receiver(http.server.BaseHTTPRequestHandler):
    answers: list[int] = []
    bodies: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).bodies.append((dict(self.headers), body))
        self.send_response(type(self).answers.pop(0) if type(self).answers else 204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[int]:
    Receiver.answers, Receiver.bodies = [], []
    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def test_callback_is_signed_retried_and_delivered_once(receiver: int) -> None:
    app = make_app(callback_allow="127.0.0.1", callback_secrets=f"cms:{SECRET}")
    client = app.test_client()
    url = f"http://127.0.0.1:{receiver}/newsbrief"
    _, _, job = submit(client, {"text": TEXT, "callback": {"url": url, "secret_name": "cms"}})
    assert (
        job["callback"]["state"] == "pending" and runner(app).deliver_once() is False
    )  # not ended yet
    Receiver.answers = [500, 503]
    work = runner(app)
    work.run_once()
    for attempt in range(3):
        assert work.deliver_once() is True, attempt
        make_due(app, job["id"])
    assert work.deliver_once() is False  # delivered: nothing more is owed
    assert len(Receiver.bodies) == 3
    for headers, body in Receiver.bodies:
        assert verify_signature(
            SECRET, headers["X-Newsbrief-Timestamp"], headers["X-Newsbrief-Signature"], body
        )
        assert (
            json.loads(body)["status"] == "succeeded" and headers["X-Newsbrief-Job-Id"] == job["id"]
        )
    assert [h["X-Newsbrief-Delivery-Attempt"] for h, _ in Receiver.bodies] == ["1", "2", "3"]
    state = client.get(f"/v1/jobs/{job['id']}").get_json()["callback"]
    assert state["state"] == "delivered" and state["attempts"] == 3 and state["last_status"] == 204


def test_callback_retries_stop_after_the_retry_window(receiver: int) -> None:
    app = make_app(
        callback_allow="127.0.0.1", callback_secrets=f"default:{SECRET}", callback_retry_for="0"
    )
    client = app.test_client()
    _, _, job = submit(client, {"text": TEXT, "callback": {"url": f"http://127.0.0.1:{receiver}/"}})
    Receiver.answers = [500]
    work = runner(app)
    work.run_once()
    assert work.deliver_once() is True and work.deliver_once() is False
    state = client.get(f"/v1/jobs/{job['id']}").get_json()["callback"]
    assert state["state"] == "failed" and state["last_status"] == 500


def test_jobs_are_in_the_openapi_document(client: FlaskClient) -> None:
    spec = client.get("/v1/openapi.json").get_json()
    assert {"post"} <= set(spec["paths"]["/v1/jobs"]) and {"get", "delete"} <= set(
        spec["paths"]["/v1/jobs/{job_id}"]
    )
    schemas = spec["components"]["schemas"]
    for name in ("JobSummariesRequest", "JobBatchRequest", "JobChecksRequest", "Job"):
        assert name in schemas
    assert "callback" in schemas["JobSummariesRequest"]["properties"]
    assert "Location" in spec["paths"]["/v1/jobs"]["post"]["responses"]["202"]["headers"]


def test_worker_hooks_start_and_stop_the_runner_threads(app: Flask) -> None:
    stop_runner(app, 1.0)  # a worker that never started its runner exits cleanly
    started = start_runner(app)
    threads = list(started._threads)
    assert threads and all(t.is_alive() for t in threads)
    stop_runner(app, 5.0)
    assert not any(t.is_alive() for t in threads)


def test_a_job_queued_here_wakes_the_idle_runner_and_stop_does_not_wait_a_poll(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    import service.jobs.runner as runner_module

    monkeypatch.setattr(runner_module, "POLL_S", 600.0)  # only a wake can start it in time
    started = start_runner(app)
    time.sleep(0.3)  # the threads found nothing and went idle
    _, headers, _ = submit(client, {"text": TEXT})
    deadline = time.monotonic() + 30
    status = "queued"
    while time.monotonic() < deadline and status != "succeeded":
        time.sleep(0.05)
        status = client.get(headers["Location"]).get_json()["status"]
    assert status == "succeeded"
    threads = list(started._threads)
    stop_runner(app, 30.0)
    assert not any(t.is_alive() for t in threads)


@pytest.mark.parametrize(
    "text", ["\ud800 a lone high surrogate", "a lone low \udfff", "\udbff\ud800"]
)
def test_a_job_with_a_lone_surrogate_is_taken_like_a_direct_call(
    app: Flask, client: FlaskClient, text: str
) -> None:
    raw = json.dumps({"text": text + " " + TEXT})  # "\ud800" escapes: valid JSON, not UTF-8
    direct = client.post("/v1/summaries", data=raw, content_type="application/json")
    response = client.post("/v1/jobs", data=raw, content_type="application/json")
    assert response.status_code == 202, response.get_json()
    runner(app).run_once()
    job = client.get(response.headers["Location"]).get_json()
    assert direct.status_code == 200 and job["status"] == "succeeded"


def test_a_key_signs_callbacks_only_with_its_own_secrets() -> None:
    """Another tenant's secret would make a correctly signed delivery to that tenant's CMS."""
    cms_key, cms_entry = new_key("cms")
    rival_key, rival_entry = new_key("rival")
    secrets = f"cms:{SECRET},cms/staging:{SECRET}-staging,rival:{SECRET}-rival"
    client = make_app(api_keys=f"{cms_entry},{rival_entry}", callback_secrets=secrets).test_client()
    url = "https://93.184.216.34/hook"

    def submit_as(key: str, name: str | None) -> tuple[int, Any]:
        callback = {"url": url} if name is None else {"url": url, "secret_name": name}
        status, _, body = submit(client, {"text": TEXT, "callback": callback}, **{"X-API-Key": key})
        return status, body

    assert submit_as(cms_key, None)[0] == 202  # its own, by default
    assert submit_as(cms_key, "cms/staging")[0] == 202
    for name in ("rival", "default", "nobody"):
        status, problem = submit_as(cms_key, name)
        assert status == 422 and problem["type"].endswith("callback-refused"), name
    assert submit_as(rival_key, "cms")[0] == 422
    # Same words whether or not the other key's secret exists: nothing to probe.
    assert submit_as(rival_key, "cms")[1]["detail"].replace("'cms'", "X") == submit_as(
        rival_key, "nobody"
    )[1]["detail"].replace("'nobody'", "X")


def test_job_storage_is_bounded_per_key_and_overall_with_clear_answers() -> None:
    a_key, a_entry = new_key("desk-a")
    b_key, b_entry = new_key("desk-b")
    app = make_app(
        api_keys=f"{a_entry},{b_entry}", max_queued_jobs_per_key="2", max_stored_jobs="3",
        max_job_bytes_per_key=str(64 * 1024), job_workers="0",
    )  # fmt: skip
    client = app.test_client()
    a, b = {"X-API-Key": a_key}, {"X-API-Key": b_key}
    assert [submit(client, {"text": TEXT}, **a)[0] for _ in range(2)] == [202, 202]
    status, headers, problem = submit(client, {"text": TEXT}, **a)
    assert status == 429 and problem["type"].endswith("jobs-quota") and int(headers["Retry-After"])
    assert submit(client, {"text": TEXT}, **b)[0] == 202  # another key still has its share
    status, headers, problem = submit(client, {"text": TEXT}, **b)
    assert status == 503 and problem["type"].endswith("jobs-full") and int(headers["Retry-After"])
    status, _, problem = submit(client, {"text": "word " * 20_000}, **b)
    assert status == 413 and problem["type"].endswith("job-too-large")
    metrics = client.get("/metrics", headers=a).get_data(as_text=True)
    for reason in ("quota", "full", "too_large"):
        assert f'newsbrief_jobs_refused_total{{reason="{reason}"}}' in metrics


def test_submit_and_cancel_in_a_loop_does_not_grow_the_store() -> None:
    """Cancelled and ended jobs drop their request: 150 x 1 MB batches grew the file by 150 MB."""
    app = make_app(max_stored_jobs_per_key="40")
    client = app.test_client()
    big = {"documents": [{"text": TEXT + " " + "word " * 12_000, "id": str(n)} for n in range(4)]}
    accepted = 0
    for _ in range(50):
        status, headers, _ = submit(client, big)
        if status == 202:
            accepted += 1
            assert client.delete(headers["Location"]).status_code == 200
        else:
            assert status == 429  # its row share, not the disk, is what runs out
    held = app.extensions[EXTENSION].jobs.table.held()
    assert accepted == 40 and held.rows == 40
    assert held.bytes < 40 * 2_000  # each cancelled job keeps its status, not its 240 KB body


def test_a_slow_receiver_holds_one_callback_thread_and_never_another_keys_turn(
    receiver: int,
) -> None:
    """Key a's receiver never answers; key b's callback goes out while a's attempt waits."""
    a_key, a_entry = new_key("a")
    b_key, b_entry = new_key("b")
    app = make_app(
        api_keys=f"{a_entry},{b_entry}", callback_allow="127.0.0.1", callback_timeout="3",
        callback_secrets=f"a:{SECRET},b:{SECRET}",
    )  # fmt: skip
    client = app.test_client()
    silent = socket.create_server(("127.0.0.1", 0))
    accepted = threading.Event()
    held: list[socket.socket] = []

    def hold() -> None:
        while True:
            try:
                connection, _ = silent.accept()
            except OSError:
                return
            held.append(connection)  # read nothing, answer nothing
            accepted.set()

    threading.Thread(target=hold, daemon=True).start()
    slow_url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
    for _ in range(3):
        submit(client, {"text": TEXT, "callback": {"url": slow_url}}, **{"X-API-Key": a_key})
    fast_url = f"http://127.0.0.1:{receiver}/hook"
    submit(client, {"text": TEXT, "callback": {"url": fast_url}}, **{"X-API-Key": b_key})
    work = runner(app)
    while work.run_once():
        pass  # a's three jobs end first: their callbacks are due first
    stuck = threading.Thread(target=work.deliver_once)
    stuck.start()
    assert accepted.wait(10)
    assert work.deliver_once() is True  # a is busy here: b's callback, not a's next one
    assert len(Receiver.bodies) == 1 and stuck.is_alive()
    stuck.join(30)
    silent.close()
    for connection in held:
        connection.close()
