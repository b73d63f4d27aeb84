"""Token-bucket rate limits per API key (or client address), local or in Redis.

``NEWSBRIEF_RATE_LIMIT`` tokens per second refill a bucket of
``NEWSBRIEF_RATE_BURST``; each request takes one. With ``NEWSBRIEF_CACHE_URL``
set the buckets live in Redis (one Lua script, atomic), so the limit holds
across replicas; if Redis is unreachable the local bucket answers instead.
Without Redis but with a state folder (``newsbrief serve`` makes one) the
buckets live in the host's SQLite store, so the limit holds across workers
rather than multiplying by their number.
"""

from __future__ import annotations

import logging
import threading
import time

from cachetools import TTLCache

from service.sqlitestore import SqliteStore

logger = logging.getLogger(__name__)

BUCKETS = 100_000
# KEYS[1] bucket; ARGV: rate, burst, now (s). Returns {allowed, wait_ms}.
_LUA = """
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return {allowed, math.ceil((1 - tokens) / rate * 1000)}
"""


class RateLimiter:
    """Take one token per request; tell how long to wait when the bucket is empty."""

    def __init__(
        self, rate: float, burst: int, redis_url: str = "", state_dir: str = "", name: str = "rate"
    ) -> None:
        """Limit to ``rate`` per second with bursts of ``burst``; rate 0 disables."""
        self.rate = rate
        self.burst = burst
        self.name = name
        self._local: TTLCache[str, tuple[float, float]] = TTLCache(
            maxsize=BUCKETS, ttl=max(1.0, burst / rate + 1) if rate else 1.0
        )
        self._lock = threading.Lock()
        self._script = None
        if redis_url and rate:
            import redis

            client = redis.Redis.from_url(
                redis_url, socket_timeout=0.25, socket_connect_timeout=0.25
            )
            self._script = client.register_script(_LUA)
        self._shared: SqliteStore | None = None
        if state_dir and rate and not redis_url:
            self._shared = SqliteStore(state_dir, f"nb:{name}:")

    def check(self, identity: str) -> float:
        """Take a token for ``identity``; return 0 if allowed, else seconds to wait."""
        if not self.rate:
            return 0.0
        if self._script is not None:
            try:
                allowed, wait_ms = self._script(
                    keys=[f"nb:{self.name}:{identity}"], args=[self.rate, self.burst, time.time()]
                )
                return 0.0 if int(allowed) else max(0.001, int(wait_ms) / 1000)
            except (
                Exception
            ) as exc:  # redis errors of every kind: fall back, never fail the request
                logger.warning("ratelimit_redis_unavailable error=%s", type(exc).__name__)
        if self._shared is not None:
            return self._shared.update(identity, self._take, max(1.0, self.burst / self.rate + 1))
        return self._check_local(identity)

    def _take(self, stored: str | None) -> tuple[str, float]:
        """Take one token from a stored "tokens,time" bucket; return it and the wait."""
        now = time.time()
        tokens, stamp = (float(self.burst), now)
        if stored:
            tokens, stamp = (float(part) for part in stored.split(","))
        tokens = min(float(self.burst), tokens + max(0.0, now - stamp) * self.rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
        tokens = tokens - 1 if tokens >= 1 else tokens
        return f"{tokens},{now}", wait

    def _check_local(self, identity: str) -> float:
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._local.get(identity, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
            if tokens >= 1:
                self._local[identity] = (tokens - 1, now)
                return 0.0
            self._local[identity] = (tokens, now)
            return (1 - tokens) / self.rate
