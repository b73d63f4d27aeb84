"""Where jobs are kept: Redis (shared by replicas) or the host's SQLite file.

Both tables offer the same few operations, each atomic: insert a job,
read one, change one with a function (read, decide, write in one
transaction), and list the ids that are due to run or to be delivered.
Unlike the result cache, a job store that cannot be reached raises
``JobsUnavailable``: a job that was not stored must not be acknowledged.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import Protocol

from service.errors import JobsUnavailable
from service.jobs.model import Job
from service.metrics import STORE_ERRORS
from service.store.sqlite import ThreadConnections
from service.store.sqlite import immediate

logger = logging.getLogger(__name__)

Change = Callable[[Job], Job | None]


@dataclass(frozen=True, slots=True)
class Budget:
    """What the job store may hold, overall and per API key (rows of any state, bytes, queued)."""

    queued: int
    queued_per_key: int
    rows: int
    rows_per_key: int
    bytes: int
    bytes_per_key: int

    def refusal(self, held: Held, mine: Held, size: int) -> str | None:
        """Return which budget storing ``size`` more bytes would break, or None."""
        if size > self.bytes_per_key:
            return TOO_LARGE
        if held.queued >= self.queued or held.rows >= self.rows or held.bytes + size > self.bytes:
            return FULL
        if (
            mine.queued >= self.queued_per_key
            or mine.rows >= self.rows_per_key
            or mine.bytes + size > self.bytes_per_key
        ):
            return QUOTA
        return None


@dataclass(frozen=True, slots=True)
class Held:
    """What a store (or one key) holds now."""

    rows: int = 0
    bytes: int = 0
    queued: int = 0


FULL, QUOTA, TOO_LARGE = "full", "quota", "too_large"
FILE_NAME = "jobs.sqlite3"
UNAVAILABLE = "the job store cannot be reached; retry later (a job not answered 202 was not queued)"


class JobTable(Protocol):
    """Durable jobs; every method raises ``JobsUnavailable`` when the store is down."""

    def insert(self, job: Job, budget: Budget) -> str | None:
        """Store a new job; else return the budget it would break (``FULL``, ``QUOTA``, ``TOO_LARGE``)."""

    def held(self, owner: str | None = None) -> Held:
        """Return what the store holds (one key's share when ``owner`` is given)."""

    def remove(self, job_id: str) -> None:
        """Delete a job (its owner read its result)."""

    def read(self, job_id: str) -> Job | None:
        """Return the job, or None when unknown or expired."""

    def change(self, job_id: str, change: Change) -> Job | None:
        """Apply ``change`` atomically; return what it wrote, or None when it wrote nothing."""

    def due(self, now: float, limit: int) -> list[str]:
        """Return ids of jobs a runner may take now, longest waiting first."""

    def deliveries_due(self, now: float, limit: int, skip: Collection[str] = ()) -> list[str]:
        """Return ids of jobs whose callback is due now, leaving out the keys in ``skip``."""


def expires_at(job: Job, now: float, ttl: float) -> float | None:
    """Keep a job while it runs or owes a callback; then ``ttl`` seconds more."""
    if job.due is not None or job.delivery_due is not None:
        return None
    return (job.finished or now) + ttl


class SqliteJobTable:
    """Jobs in ``<folder>/jobs.sqlite3``, shared by the workers of one host."""

    def __init__(self, folder: str, ttl: float) -> None:
        """Create the folder and table if needed; keep ended jobs ``ttl`` seconds."""
        Path(folder).mkdir(parents=True, exist_ok=True)
        self._connections = ThreadConnections(str(Path(folder) / FILE_NAME), _create)
        self._ttl = ttl
        self._run(lambda db: None)  # open now: a folder that cannot hold it fails at start

    def _run(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        try:
            return work(self._connections.get())
        except (sqlite3.Error, OSError) as exc:  # OSError: the lock file cannot be opened
            logger.warning("jobs_unavailable backend=sqlite error=%s", type(exc).__name__)
            STORE_ERRORS.labels("jobs").inc()
            raise JobsUnavailable(UNAVAILABLE) from exc

    def _write(self, db: sqlite3.Connection, job: Job, now: float) -> None:
        data = job.dumps()
        db.execute(
            "INSERT OR REPLACE INTO jobs (id, data, due, delivery_due, expires, owner, bytes) "
            "VALUES (?,?,?,?,?,?,?)",
            (job.id, data, job.due, job.delivery_due, expires_at(job, now, self._ttl), job.owner,
             len(data)),
        )  # fmt: skip

    def insert(self, job: Job, budget: Budget) -> str | None:
        """Store a new job within the budget; expired jobs are purged first."""
        now = time.time()
        size = len(job.dumps())

        def work(db: sqlite3.Connection) -> str | None:
            with immediate(db):
                db.execute("DELETE FROM jobs WHERE expires <= ?", (now,))
                refusal = budget.refusal(_held(db, None), _held(db, job.owner), size)
                if refusal is None:
                    self._write(db, job, now)
            return refusal

        refused: str | None = self._run(work)
        return refused

    def held(self, owner: str | None = None) -> Held:
        """Return the rows, bytes and queued jobs held (by one key, or by all)."""
        found: Held = self._run(lambda db: _held(db, owner))
        return found

    def remove(self, job_id: str) -> None:
        """Delete a job."""
        self._run(lambda db: db.execute("DELETE FROM jobs WHERE id = ?", (job_id,)))

    def read(self, job_id: str) -> Job | None:
        """Return a live job or None."""
        row = self._run(
            lambda db: db.execute(
                "SELECT data FROM jobs WHERE id = ? AND (expires IS NULL OR expires > ?)",
                (job_id, time.time()),
            ).fetchone()
        )
        return None if row is None else Job.loads(row[0])

    def change(self, job_id: str, change: Change) -> Job | None:
        """Read, change and write one job in one write transaction."""
        now = time.time()

        def work(db: sqlite3.Connection) -> Job | None:
            with immediate(db):
                row = db.execute("SELECT data FROM jobs WHERE id = ?", (job_id,)).fetchone()
                new = None if row is None else change(Job.loads(row[0]))
                if new is not None:
                    self._write(db, new, now)
            return new

        changed: Job | None = self._run(work)
        return changed

    def due(self, now: float, limit: int) -> list[str]:
        """Return runnable ids, earliest first."""
        return self._ids("SELECT id FROM jobs WHERE due <= ? ORDER BY due LIMIT ?", now, limit)

    def deliveries_due(self, now: float, limit: int, skip: Collection[str] = ()) -> list[str]:
        """Return ids whose callback is due, earliest first, of keys not in ``skip``."""
        others = ",".join("?" * len(skip))
        return self._ids(
            f"SELECT id FROM jobs WHERE delivery_due <= ? AND owner NOT IN ({others}) "  # noqa: S608
            "ORDER BY delivery_due LIMIT ?",
            now, *skip, limit,
        )  # fmt: skip

    def _ids(self, sql: str, *values: object) -> list[str]:
        rows = self._run(lambda db: db.execute(sql, values).fetchall())
        return [str(row[0]) for row in rows]


def _held(db: sqlite3.Connection, owner: str | None) -> Held:
    where, values = ("", ()) if owner is None else (" WHERE owner = ?", (owner,))
    rows, size, queued = db.execute(
        f"SELECT COUNT(*), COALESCE(SUM(bytes), 0), COUNT(due) FROM jobs{where}",  # noqa: S608
        values,
    ).fetchone()
    return Held(int(rows), int(size), int(queued))


def _create(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, data TEXT NOT NULL, "
        "due REAL, delivery_due REAL, expires REAL, owner TEXT NOT NULL DEFAULT '', "
        "bytes INTEGER NOT NULL DEFAULT 0)"
    )
    columns = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
    if "owner" not in columns:  # a store written before budgets: count what it holds
        db.execute("ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT ''")
        db.execute("ALTER TABLE jobs ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0")
        db.execute(
            "UPDATE jobs SET bytes = length(data), owner = coalesce(json_extract(data, '$.owner'), '')"
        )
    db.execute("CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner)")
    db.execute("CREATE INDEX IF NOT EXISTS jobs_due ON jobs (due) WHERE due IS NOT NULL")
    db.execute(
        "CREATE INDEX IF NOT EXISTS jobs_delivery ON jobs (delivery_due) "
        "WHERE delivery_due IS NOT NULL"
    )


def make_table(cache_url: str, state_dir: str, ttl: float) -> JobTable:
    """Return the Redis table when Redis is configured, else the host's SQLite one.

    Without a state folder (an app built in tests or by hand), a private
    temporary folder holds the jobs of this process.
    """
    if cache_url:
        from service.store.redis_jobs import RedisJobTable

        return RedisJobTable(cache_url, ttl)
    if state_dir:
        return SqliteJobTable(state_dir, ttl)
    import shutil
    import tempfile
    import weakref

    folder = tempfile.mkdtemp(prefix="newsbrief-jobs-")
    table = SqliteJobTable(folder, ttl)
    weakref.finalize(table, shutil.rmtree, folder, True)
    return table
