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
from pathlib import Path
from typing import Any
from typing import Protocol

from service.errors import JobsUnavailable
from service.jobs.model import Job
from service.sqlitestore import ThreadConnections
from service.sqlitestore import immediate

logger = logging.getLogger(__name__)

Change = Callable[[Job], Job | None]
FILE_NAME = "jobs.sqlite3"
UNAVAILABLE = "the job store cannot be reached; retry later (a job not answered 202 was not queued)"


class JobTable(Protocol):
    """Durable jobs; every method raises ``JobsUnavailable`` when the store is down."""

    def insert(self, job: Job, max_pending: int) -> bool:
        """Store a new job; False when ``max_pending`` jobs are queued or running."""

    def read(self, job_id: str) -> Job | None:
        """Return the job, or None when unknown or expired."""

    def change(self, job_id: str, change: Change) -> Job | None:
        """Apply ``change`` atomically; return what it wrote, or None when it wrote nothing."""

    def due(self, now: float, limit: int) -> list[str]:
        """Return ids of jobs a runner may take now, longest waiting first."""

    def deliveries_due(self, now: float, limit: int) -> list[str]:
        """Return ids of jobs whose callback is due now."""

    def pending(self) -> int:
        """Return how many jobs are queued or running."""


def _expires(job: Job, now: float, ttl: float) -> float | None:
    """Keep a job while it runs or owes a callback; then ``ttl`` seconds more."""
    if job.due is not None or job.delivery_due is not None:
        return None
    return (job.finished or now) + ttl


class SqliteJobTable:
    """Jobs in ``<folder>/jobs.sqlite3``, shared by the workers of one host."""

    def __init__(self, folder: str, ttl: float) -> None:
        """Create the folder and table if needed; keep ended jobs ``ttl`` seconds."""
        Path(folder).mkdir(parents=True, exist_ok=True)
        self._connections = ThreadConnections(str(Path(folder) / FILE_NAME))
        self._ttl = ttl
        self._run(_create)

    def _run(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        try:
            return work(self._connections.get())
        except sqlite3.Error as exc:
            logger.warning("jobs_unavailable backend=sqlite error=%s", type(exc).__name__)
            raise JobsUnavailable(UNAVAILABLE) from exc

    def _write(self, db: sqlite3.Connection, job: Job, now: float) -> None:
        db.execute(
            "INSERT OR REPLACE INTO jobs (id, data, due, delivery_due, expires) VALUES (?,?,?,?,?)",
            (job.id, job.dumps(), job.due, job.delivery_due, _expires(job, now, self._ttl)),
        )

    def insert(self, job: Job, max_pending: int) -> bool:
        """Store a new job unless the queue is full; expired jobs are purged meanwhile."""
        now = time.time()

        def work(db: sqlite3.Connection) -> bool:
            with immediate(db):
                db.execute("DELETE FROM jobs WHERE expires <= ?", (now,))
                (count,) = db.execute("SELECT COUNT(*) FROM jobs WHERE due IS NOT NULL").fetchone()
                if count >= max_pending:
                    return False
                self._write(db, job, now)
            return True

        stored: bool = self._run(work)
        return stored

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

    def deliveries_due(self, now: float, limit: int) -> list[str]:
        """Return ids whose callback is due, earliest first."""
        return self._ids(
            "SELECT id FROM jobs WHERE delivery_due <= ? ORDER BY delivery_due LIMIT ?", now, limit
        )

    def _ids(self, sql: str, now: float, limit: int) -> list[str]:
        rows = self._run(lambda db: db.execute(sql, (now, limit)).fetchall())
        return [str(row[0]) for row in rows]

    def pending(self) -> int:
        """Return how many jobs are queued or running."""
        (count,) = self._run(
            lambda db: db.execute("SELECT COUNT(*) FROM jobs WHERE due IS NOT NULL").fetchone()
        )
        return int(count)


def _create(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, data TEXT NOT NULL, "
        "due REAL, delivery_due REAL, expires REAL)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS jobs_due ON jobs (due) WHERE due IS NOT NULL")
    db.execute(
        "CREATE INDEX IF NOT EXISTS jobs_delivery ON jobs (delivery_due) "
        "WHERE delivery_due IS NOT NULL"
    )


class RedisJobTable:
    """Jobs in Redis: one string per job plus two sorted sets (due to run, due to deliver).

    Changes are optimistic transactions (WATCH the job, MULTI, EXEC, retry
    on a concurrent write). Redis must persist (AOF) for jobs to outlive a
    Redis restart; the optional k8s component configures that.
    """

    def __init__(
        self, url: str, ttl: float, prefix: str = "nb:jobs:", timeout_s: float = 1.0
    ) -> None:
        """Connect lazily to ``url``; keep ended jobs ``ttl`` seconds."""
        import redis

        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s, decode_responses=True
        )
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._watch_error = redis.WatchError
        self._ttl = ttl
        self._job = prefix + "job:"
        self._due = prefix + "due"
        self._deliveries = prefix + "deliveries"

    def _run(self, work: Callable[[], Any]) -> Any:
        try:
            return work()
        except self._errors as exc:
            logger.warning("jobs_unavailable backend=redis error=%s", type(exc).__name__)
            raise JobsUnavailable(UNAVAILABLE) from exc

    def _write(self, pipe: Any, job: Job, now: float) -> None:
        expires = _expires(job, now, self._ttl)
        ttl = None if expires is None else max(1, int(expires - now))
        pipe.set(self._job + job.id, job.dumps(), ex=ttl)
        for index, score in ((self._due, job.due), (self._deliveries, job.delivery_due)):
            if score is None:
                pipe.zrem(index, job.id)
            else:
                pipe.zadd(index, {job.id: score})

    def insert(self, job: Job, max_pending: int) -> bool:
        """Store a new job unless the queue is full."""

        def work() -> bool:
            if int(self._client.zcard(self._due)) >= max_pending:
                return False
            with self._client.pipeline() as pipe:
                self._write(pipe, job, time.time())
                pipe.execute()
            return True

        stored: bool = self._run(work)
        return stored

    def read(self, job_id: str) -> Job | None:
        """Return the job or None."""
        raw = self._run(lambda: self._client.get(self._job + job_id))
        return None if raw is None else Job.loads(raw)

    def change(self, job_id: str, change: Change) -> Job | None:
        """WATCH, read, change, write; retried when another worker wrote meanwhile."""

        def work() -> Job | None:
            with self._client.pipeline() as pipe:
                while True:
                    try:
                        pipe.watch(self._job + job_id)  # type: ignore[no-untyped-call]
                        raw = pipe.get(self._job + job_id)
                        new = None if raw is None else change(Job.loads(str(raw)))
                        if new is None:
                            pipe.unwatch()
                            return None
                        pipe.multi()
                        self._write(pipe, new, time.time())
                        pipe.execute()
                        return new
                    except self._watch_error:
                        continue

        changed: Job | None = self._run(work)
        return changed

    def due(self, now: float, limit: int) -> list[str]:
        """Return runnable ids, earliest first."""
        return list(self._run(lambda: self._client.zrangebyscore(self._due, "-inf", now, 0, limit)))

    def deliveries_due(self, now: float, limit: int) -> list[str]:
        """Return ids whose callback is due, earliest first."""
        return list(
            self._run(lambda: self._client.zrangebyscore(self._deliveries, "-inf", now, 0, limit))
        )

    def pending(self) -> int:
        """Return how many jobs are queued or running."""
        return int(self._run(lambda: self._client.zcard(self._due)))


def make_table(cache_url: str, state_dir: str, ttl: float) -> JobTable:
    """Return the Redis table when Redis is configured, else the host's SQLite one.

    Without a state folder (an app built in tests or by hand), a private
    temporary folder holds the jobs of this process.
    """
    if cache_url:
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
