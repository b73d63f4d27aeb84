"""Shared state behind one interface: the result cache, idempotency, replays, rate buckets, jobs.

One backend per module (``memory``, ``sqlite``, ``redis``), picked by
``open_backend`` from the settings: Redis when ``NEWSBRIEF_CACHE_URL`` is
set (every replica), else the host's SQLite file in ``NEWSBRIEF_STATE_DIR``
(every worker of a host), else this process's memory. What a failure
means is declared per use in ``policy``; the job table (``jobs``) fails
closed on its own terms (a job not stored is never acknowledged).
"""

from __future__ import annotations

from service.store.base import Store
from service.store.memory import MemoryStore


def open_backend(url: str, state_dir: str, prefix: str, max_bytes: int, ttl: float) -> Store:
    """Return the Redis store for a URL, the SQLite one for a state folder, else memory."""
    if url:
        from service.store.redis import RedisStore

        return RedisStore(url, prefix)
    if state_dir:
        from service.store.sqlite import SqliteStore

        return SqliteStore(state_dir, prefix)
    return MemoryStore(max_bytes, ttl)
