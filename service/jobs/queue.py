"""The rules of a job's life, written once over any ``JobTable``.

Submit, read and cancel (the API); claim, renew, finish and retry (the
runners); claim and record a callback delivery (the deliverer). Every
change is one atomic ``table.change``: a claim only takes a job that is
still due, and a finish only lands while its lease token is current, so a
runner that lost its lease (it stalled, its worker was killed and the job
was taken again) cannot write a second result.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from service.errors import JobNotCancellable
from service.errors import JobNotFound
from service.errors import JobsFull
from service.errors import JobsQuota
from service.errors import JobTooLarge
from service.jobs.model import CANCELLED
from service.jobs.model import DELIVERED
from service.jobs.model import ENDED
from service.jobs.model import GAVE_UP
from service.jobs.model import PENDING
from service.jobs.model import QUEUED
from service.jobs.model import RUNNING
from service.jobs.model import Job
from service.metrics import JOBS_REFUSED
from service.store.jobs import QUOTA
from service.store.jobs import TOO_LARGE
from service.store.jobs import Budget
from service.store.jobs import JobTable

CANDIDATES = 8  # due ids read per claim; others may take some of them first


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one callback attempt went."""

    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        """Tell whether the receiver took the callback (a 2xx answer)."""
        return self.status is not None and 200 <= self.status < 300


class JobQueue:
    """Queue jobs in a table and hand them to runners under renewable leases."""

    def __init__(self, open_table: Callable[[], JobTable], lease_s: float, budget: Budget) -> None:
        """Lease jobs for ``lease_s`` seconds; store no more than ``budget`` allows.

        The table opens on first use, so an app that never sees a job
        (most test apps, the CLI) creates no store.
        """
        self._open_table = open_table
        self._table: JobTable | None = None
        self._lock = threading.Lock()
        self.lease_s = lease_s
        self.budget = budget

    @property
    def table(self) -> JobTable:
        """Return the table, opening it on first use."""
        if self._table is None:
            with self._lock:
                if self._table is None:
                    self._table = self._open_table()
        return self._table

    def submit(self, job: Job) -> Job:
        """Store a new job.

        Raises:
            JobTooLarge: the job alone is over a key's whole byte budget.
            JobsQuota: this key holds its share already (jobs, bytes or queued jobs).
            JobsFull: the store holds its budget for everyone.
            JobsUnavailable: the store cannot be reached.
        """
        refusal = self.table.insert(job, self.budget)
        if refusal is not None:
            JOBS_REFUSED.labels(refusal).inc()
        if refusal == TOO_LARGE:
            raise JobTooLarge(
                f"the job takes {len(job.dumps())} bytes; a key may store "
                f"{self.budget.bytes_per_key} (NEWSBRIEF_MAX_JOB_BYTES_PER_KEY)"
            )
        if refusal == QUOTA:
            raise JobsQuota(
                "this API key holds its share of the job store (queued jobs, stored jobs or "
                "bytes); delete jobs whose results were read, or retry later"
            )
        if refusal is not None:
            raise JobsFull("the job store is full; retry later")
        return job

    def remove(self, job_id: str, owner: str) -> Job:
        """Delete an ended job whose result its owner has read; cancel a queued one.

        Raises:
            JobNotFound: unknown, expired, or another key's job.
            JobNotCancellable: it is running.
        """
        job = self.get(job_id, owner)
        if job.status in ENDED:
            self.table.remove(job_id)
            return job
        return self.cancel(job_id, owner)

    def get(self, job_id: str, owner: str) -> Job:
        """Return a job its owner may see.

        Raises:
            JobNotFound: unknown, expired, or another key's job.
        """
        job = self.table.read(job_id)
        if job is None or job.owner != owner:
            raise JobNotFound(f"no job {job_id!r}")
        return job

    def cancel(self, job_id: str, owner: str) -> Job:
        """Cancel a queued job.

        Raises:
            JobNotFound: unknown, expired, or another key's job.
            JobNotCancellable: it already started or ended.
        """
        job = self.get(job_id, owner)
        cancelled = self.table.change(
            job_id, lambda j: j.ended(CANCELLED, time.time()) if j.status == QUEUED else None
        )
        if cancelled is None:
            current = self.table.read(job_id) or job
            raise JobNotCancellable(
                f"job {job_id!r} is {current.status}; only a queued job can be cancelled"
            )
        return cancelled

    def claim(self, runner: str) -> Job | None:
        """Take the longest-waiting due job (queued, or running under a lapsed lease)."""
        now = time.time()
        for job_id in self.table.due(now, CANDIDATES):
            taken = self.table.change(
                job_id,
                lambda j: (
                    j.claimed(runner, now, self.lease_s)
                    if j.due is not None and j.due <= now
                    else None
                ),
            )
            if taken is not None:
                return taken
        return None

    def renew(self, job: Job) -> bool:
        """Extend the lease of a running job; False when the lease was lost."""
        return (
            self._while_held(
                job, lambda j: dataclasses.replace(j, lease_until=time.time() + self.lease_s)
            )
            is not None
        )

    def finish(
        self, job: Job, status: str, result: dict[str, Any] | None = None,
        problem: dict[str, Any] | None = None,
    ) -> Job | None:  # fmt: skip
        """End a job with its result or problem; None when the lease was lost."""
        return self._while_held(job, lambda j: j.ended(status, time.time(), result, problem))

    def retry_later(self, job: Job, delay_s: float) -> Job | None:
        """Put a job back in the queue after a passing failure (503, 504)."""
        return self._while_held(
            job,
            lambda j: dataclasses.replace(
                j, status=QUEUED, token="", lease_until=0.0, not_before=time.time() + delay_s
            ),
        )

    def _while_held(self, job: Job, change: Any) -> Job | None:
        return self.table.change(
            job.id, lambda j: change(j) if j.status == RUNNING and j.token == job.token else None
        )

    def claim_delivery(self, hold_s: float, busy: Collection[str] = ()) -> Job | None:
        """Take a due callback, holding it ``hold_s`` seconds (one attempt) from other deliverers.

        Keys in ``busy`` (an attempt of theirs is in flight here) are passed over.
        """
        now = time.time()
        for job_id in self.table.deliveries_due(now, CANDIDATES, busy):

            def hold(j: Job) -> Job | None:
                if j.callback is None or j.delivery_due is None or j.delivery_due > now:
                    return None
                if j.owner in busy:
                    return None
                callback = dataclasses.replace(
                    j.callback, attempts=j.callback.attempts + 1, next_at=now + hold_s
                )
                return dataclasses.replace(j, callback=callback)

            taken = self.table.change(job_id, hold)
            if taken is not None:
                return taken
        return None

    def record_delivery(self, job: Job, outcome: Outcome, retry_at: float | None) -> Job | None:
        """Record an attempt: delivered, retried at ``retry_at``, or given up (None)."""
        assert job.callback is not None
        attempt = job.callback.attempts

        def record(j: Job) -> Job | None:
            if j.callback is None or j.callback.attempts != attempt:
                return None  # another deliverer took over after our hold lapsed
            state = DELIVERED if outcome.ok else (PENDING if retry_at is not None else GAVE_UP)
            callback = dataclasses.replace(
                j.callback, state=state, last_status=outcome.status, last_error=outcome.error,
                next_at=retry_at if state == PENDING else None,
                delivered_at=time.time() if outcome.ok else None,
            )  # fmt: skip
            return dataclasses.replace(j, callback=callback)

        return self.table.change(job.id, record)
