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
from service.sqlitestore import ThreadConnections
from service.sqlitestore import immediate

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
        data = job.dumps()
        db.execute(
            "INSERT OR REPLACE INTO jobs (id, data, due, delivery_due, expires, owner, bytes) "
            "VALUES (?,?,?,?,?,?,?)",
            (job.id, data, job.due, job.delivery_due, _expires(job, now, self._ttl), job.owner,
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

    def pending(self) -> int:
        """Return how many jobs are queued or running."""
        (count,) = self._run(
            lambda db: db.execute("SELECT COUNT(*) FROM jobs WHERE due IS NOT NULL").fetchone()
        )
        return int(count)


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
        self._sizes = prefix + "sizes"  # id -> "owner\tbytes\texpires\tqueued": the budgets

    def _run(self, work: Callable[[], Any]) -> Any:
        try:
            return work()
        except self._errors as exc:
            logger.warning("jobs_unavailable backend=redis error=%s", type(exc).__name__)
            raise JobsUnavailable(UNAVAILABLE) from exc

    def _write(self, pipe: Any, job: Job, now: float) -> None:
        expires = _expires(job, now, self._ttl)
        ttl = None if expires is None else max(1, int(expires - now))
        data = job.dumps()
        pipe.set(self._job + job.id, data, ex=ttl)
        size = f"{job.owner}\t{len(data)}\t{'' if expires is None else expires}\t{int(job.due is not None)}"
        pipe.hset(self._sizes, job.id, size)
        for index, score in ((self._due, job.due), (self._deliveries, job.delivery_due)):
            if score is None:
                pipe.zrem(index, job.id)
            else:
                pipe.zadd(index, {job.id: score})

    def insert(self, job: Job, budget: Budget) -> str | None:
        """Store a new job within the budget (the sizes hash WATCHed: replicas do not both pass)."""
        size = len(job.dumps())

        def work() -> str | None:
            with self._client.pipeline() as pipe:
                while True:
                    try:
                        pipe.watch(self._sizes)  # type: ignore[no-untyped-call]
                        everyone, mine, expired = self._tally(pipe.hgetall(self._sizes), job.owner)
                        refusal = budget.refusal(everyone, mine, size)
                        pipe.multi()
                        if expired:
                            pipe.hdel(self._sizes, *expired)
                        if refusal is None:
                            self._write(pipe, job, time.time())
                        pipe.execute()
                        return refusal
                    except self._watch_error:
                        continue

        refused: str | None = self._run(work)
        return refused

    def _tally(self, sizes: Any, owner: str | None) -> tuple[Held, Held, list[str]]:
        """Sum the sizes hash (all, and ``owner``'s), listing entries whose job expired."""
        now = time.time()
        totals = {None: [0, 0, 0], owner: [0, 0, 0]}
        expired = []
        for job_id, entry in dict(sizes).items():
            who, size, expires, queued = str(entry).split("\t")
            if expires and float(expires) <= now:
                expired.append(job_id)
                continue
            for key in {None, who} & totals.keys():
                totals[key][0] += 1
                totals[key][1] += int(size)
                totals[key][2] += int(queued)
        return Held(*totals[None]), Held(*totals[owner]), expired

    def held(self, owner: str | None = None) -> Held:
        """Return the rows, bytes and queued jobs held (by one key, or by all)."""
        everyone, mine, _ = self._tally(self._run(lambda: self._client.hgetall(self._sizes)), owner)
        return everyone if owner is None else mine

    def remove(self, job_id: str) -> None:
        """Delete a job and its index entries."""

        def work() -> None:
            with self._client.pipeline() as pipe:
                pipe.delete(self._job + job_id)
                pipe.zrem(self._due, job_id)
                pipe.zrem(self._deliveries, job_id)
                pipe.hdel(self._sizes, job_id)
                pipe.execute()

        self._run(work)

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

    def deliveries_due(self, now: float, limit: int, skip: Collection[str] = ()) -> list[str]:
        """Return ids whose callback is due, earliest first, of keys not in ``skip``."""
        scan = limit * 16 if skip else limit  # the owner is in the job: read more, then filter
        ids = list(
            self._run(lambda: self._client.zrangebyscore(self._deliveries, "-inf", now, 0, scan))
        )
        if skip:
            sizes = self._run(lambda: self._client.hmget(self._sizes, ids)) if ids else []
            ids = [i for i, e in zip(ids, sizes, strict=True) if str(e).split("\t")[0] not in skip]
        return ids[:limit]

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
