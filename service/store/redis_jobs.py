"""Jobs in Redis, shared by every replica (``NEWSBRIEF_CACHE_URL``): the same contract as SQLite's."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from collections.abc import Collection
from typing import Any

from service.errors import JobsUnavailable
from service.jobs.model import Job
from service.metrics import STORE_ERRORS
from service.store.jobs import UNAVAILABLE
from service.store.jobs import Budget
from service.store.jobs import Change
from service.store.jobs import Held
from service.store.jobs import expires_at

logger = logging.getLogger(__name__)


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
            STORE_ERRORS.labels("jobs").inc()
            raise JobsUnavailable(UNAVAILABLE) from exc

    def _write(self, pipe: Any, job: Job, now: float) -> None:
        expires = expires_at(job, now, self._ttl)
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
