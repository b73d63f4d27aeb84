"""Run queued jobs and deliver their callbacks, in threads of each gunicorn worker.

A job runs as an internal request to its ``/v1`` route through the app
itself, so it gets exactly the validation, engines, checks and answer of
a direct call; only the API key, signature and rate limit are skipped
(they were checked when the job was submitted). While it runs, a heartbeat
renews the lease. A 5xx answer (engine loading, overload, timeout) puts
the job back in the queue with a delay until ``NEWSBRIEF_JOB_ATTEMPTS``
runs are spent; a 4xx ends it as failed with the problem document.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from typing import TYPE_CHECKING
from typing import Any

from service.errors import PROBLEM_BASE
from service.errors import CallbackRefused
from service.errors import JobsUnavailable
from service.jobs import JOB_ENVIRON
from service.jobs import OWNER_ENVIRON
from service.jobs.callbacks import ATTEMPT_HEADER
from service.jobs.callbacks import JOB_HEADER
from service.jobs.callbacks import may_sign
from service.jobs.callbacks import payload
from service.jobs.callbacks import send
from service.jobs.model import FAILED
from service.jobs.model import SUCCEEDED
from service.jobs.model import Job
from service.jobs.queue import Outcome
from service.metrics import CALLBACKS
from service.metrics import JOB_SECONDS
from service.metrics import JOBS

if TYPE_CHECKING:
    from flask import Flask

    from service.state import ServiceState

logger = logging.getLogger(__name__)

# Idle wait between looks at the queue. A job queued through this worker,
# or one of its jobs ending with a callback due, wakes its threads at once;
# what other workers queue is seen within this (a few store reads a second
# per pod when idle, not dozens).
POLL_S = 1.0
BACKOFF_CAP_S = 300.0
STORE_RETRY_S = 1.0
RUNNER_EXTENSION = "newsbrief.runner"  # where a worker's runner lives in app.extensions


def backoff(attempt: int, base_s: float = 1.0, cap_s: float = BACKOFF_CAP_S) -> float:
    """Return the wait before attempt ``attempt + 1``: doubling, capped, half of it jittered."""
    ceiling = min(cap_s, base_s * 2.0 ** max(0, attempt - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not secrecy


class JobRunner:
    """Take jobs and callbacks from the queue and carry them out."""

    def __init__(self, app: Flask, state: ServiceState) -> None:
        """Run against ``app`` (internal requests) with its state's queue and settings."""
        self.app = app
        self.state = state
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()
        self._nudged = threading.Event()  # work was queued here: look now
        self._threads: list[threading.Thread] = []
        self._claiming = threading.Lock()
        self._delivering: set[str] = set()  # keys with an attempt in flight in this worker

    def start(self) -> None:
        """Start ``NEWSBRIEF_JOB_WORKERS`` job threads and ``NEWSBRIEF_CALLBACK_WORKERS`` callback threads."""
        count = self.state.settings.job_workers
        if count == 0:
            return
        for index in range(count):
            self._spawn(
                f"job-runner-{index}", lambda index=index: self.run_once(f"{self.name}:{index}")
            )
        for index in range(self.state.settings.callback_workers):
            self._spawn(f"job-callbacks-{index}", self.deliver_once)

    def _spawn(self, name: str, step: Any) -> None:
        thread = threading.Thread(target=self._loop, args=(step,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout_s: float) -> None:
        """Take no more work; wait up to ``timeout_s`` for what is running to end."""
        self._stop.set()
        self.wake()
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _loop(self, step: Any) -> None:
        while not self._stop.is_set():
            try:
                busy = step()
            except JobsUnavailable:
                busy = False
                self._stop.wait(STORE_RETRY_S)
            except Exception:  # a bug must not kill the thread: log it and go on
                logger.exception("job_runner_error")
                busy = False
            if not busy and not self._stop.is_set():
                self._nudged.wait(POLL_S)
                self._nudged.clear()

    def wake(self) -> None:
        """Make the idle threads look at the queue now instead of at their next poll."""
        self._nudged.set()

    def run_once(self, runner: str | None = None) -> bool:
        """Run one due job, if any; True when one was taken."""
        queue = self.state.jobs
        job = queue.claim(runner or self.name)
        if job is None:
            return False
        limit = self.state.settings.job_attempts
        if job.attempts > limit:
            self._end(job, FAILED, None, _abandoned(job, limit), "abandoned")
            return True
        logger.info(
            "job_started job=%s operation=%s attempt=%d runner=%s",
            job.id, job.operation, job.attempts, job.runner,
        )  # fmt: skip
        with _Heartbeat(self.state, job):
            status, body, retry_after = self._dispatch(job)
        if status >= 500 and job.attempts < limit:
            delay = max(retry_after, backoff(job.attempts))
            if _until_stored(lambda: queue.retry_later(job, delay), queue.lease_s) is not None:
                JOBS.labels(job.operation, "retried").inc()
                logger.info("job_retry job=%s status=%d delay_s=%.1f", job.id, status, delay)
            return True
        if status < 300:
            self._end(job, SUCCEEDED, body, None, "succeeded")
        else:
            self._end(job, FAILED, None, body, "failed")
        return True

    def _dispatch(self, job: Job) -> tuple[int, dict[str, Any] | None, float]:
        """Send the job's body to its route inside this app; return status, JSON and Retry-After."""
        client = self.app.test_client()
        response = client.post(
            f"/v1/{job.operation}", json=job.body, headers={"X-Request-Id": job.id},
            environ_base={JOB_ENVIRON: job.id, OWNER_ENVIRON: job.owner},
        )  # fmt: skip
        body = response.get_json(silent=True)
        try:
            retry_after = float(response.headers.get("Retry-After", "0"))
        except ValueError:
            retry_after = 0.0
        return response.status_code, body if isinstance(body, dict) else None, retry_after

    def _end(
        self, job: Job, status: str, result: dict[str, Any] | None,
        problem: dict[str, Any] | None, event: str,
    ) -> None:  # fmt: skip
        queue = self.state.jobs
        ended = _until_stored(lambda: queue.finish(job, status, result, problem), queue.lease_s)
        if ended is None:
            logger.warning("job_lease_lost job=%s attempt=%d", job.id, job.attempts)
            return
        if job.callback is not None:
            self.wake()  # its callback is due
        JOBS.labels(job.operation, event).inc()
        JOB_SECONDS.labels(job.operation).observe(time.time() - job.created)
        logger.info("job_ended job=%s status=%s attempts=%d", job.id, status, job.attempts)

    def deliver_once(self) -> bool:
        """Attempt one due callback, if any, of a key with none in flight here; True when one was taken."""
        settings = self.state.settings
        with self._claiming:
            # Held past the attempt's deadline, so no other worker repeats it meanwhile.
            job = self.state.jobs.claim_delivery(
                settings.callback_timeout + 5, frozenset(self._delivering)
            )
            if job is None or job.callback is None:
                return False
            self._delivering.add(job.owner)
        try:
            self._deliver(job)
        finally:
            with self._claiming:
                self._delivering.discard(job.owner)
        return True

    def _deliver(self, job: Job) -> None:
        settings = self.state.settings
        queue = self.state.jobs
        assert job.callback is not None
        callback = job.callback
        secret = self.state.callback_secrets.get(callback.secret_name)
        if not may_sign(job.owner, callback.secret_name, bool(self.state.keys)):
            secret = None  # the keys changed since it was queued: never sign for another key
        outcome = Outcome(None, f"callback secret {callback.secret_name!r} is not configured")
        if secret is not None:
            try:
                target = self.state.callback_policy.check(callback.url)
            except CallbackRefused as exc:
                outcome = Outcome(None, exc.detail)
            else:
                headers = {JOB_HEADER: job.id, ATTEMPT_HEADER: str(callback.attempts)}
                body = payload(job.public())
                outcome = send(target, body, secret, headers, settings.callback_timeout)
        retry_at = None
        if not outcome.ok and secret is not None:
            candidate = time.time() + backoff(callback.attempts)
            if candidate <= (job.finished or time.time()) + settings.callback_retry_for:
                retry_at = candidate
        verdict = "delivered" if outcome.ok else ("retry" if retry_at else "gave_up")
        CALLBACKS.labels(verdict).inc()
        logger.info(
            "callback_attempt job=%s attempt=%d outcome=%s status=%s error=%s",
            job.id, callback.attempts, verdict, outcome.status, outcome.error,
        )  # fmt: skip
        queue.record_delivery(job, outcome, retry_at)


class _Heartbeat:
    """Renew a running job's lease every third of the lease until the block ends."""

    def __init__(self, state: ServiceState, job: Job) -> None:
        self._queue = state.jobs
        self._job = job
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="job-heartbeat", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._done.wait(self._queue.lease_s / 3):
            try:
                if not self._queue.renew(self._job):
                    logger.warning("job_lease_lost job=%s", self._job.id)
                    return
            except JobsUnavailable:
                continue  # the store is down; the lease may lapse and the job run again


def _until_stored(write: Any, within_s: float) -> Any:
    """Retry a store write while the store is down, for at most ``within_s`` seconds.

    Past that the lease has lapsed anyway: the job will run again elsewhere.
    """
    deadline = time.monotonic() + within_s
    while True:
        try:
            return write()
        except JobsUnavailable:
            if time.monotonic() >= deadline:
                return None
            time.sleep(STORE_RETRY_S)


def _abandoned(job: Job, limit: int) -> dict[str, Any]:
    return {
        "type": PROBLEM_BASE + "job-abandoned", "title": "Job abandoned", "status": 500,
        "detail": f"the job was started {limit} times and never finished "
        "(its worker stopped or timed out each time)",
    }  # fmt: skip


def start_runner(app: Flask) -> JobRunner:
    """Start the job threads of this worker (gunicorn's post_worker_init)."""
    from service.state import EXTENSION

    runner = JobRunner(app, app.extensions[EXTENSION])
    runner.start()
    app.extensions[RUNNER_EXTENSION] = runner
    return runner


def wake_runner(app: Flask) -> None:
    """Wake this worker's idle job threads (a job was just queued through it)."""
    runner = app.extensions.get(RUNNER_EXTENSION)
    if runner is not None:
        runner.wake()


def stop_runner(app: Flask, timeout: float) -> None:
    """Let this worker's running jobs finish, up to ``timeout`` seconds (worker_exit)."""
    runner = app.extensions.get(RUNNER_EXTENSION)
    if runner is not None:
        runner.stop(timeout)
