"""Token-bucket rate limits per API key (or client address), in the shared store.

``NEWSBRIEF_RATE_LIMIT`` tokens per second refill a bucket of
``NEWSBRIEF_RATE_BURST``; each request takes one. The buckets live where
the rest of the shared state does (Redis across replicas, else the host's
SQLite file across workers, else this process), changed atomically by the
store's ``update``. While that store fails, each worker keeps its buckets in
its own memory (``FallBack``): the limit holds per worker, never switches off.
"""

from __future__ import annotations

import time

from service.store.policy import FallBack


class RateLimiter:
    """Take one token per request; tell how long to wait when the bucket is empty."""

    def __init__(self, rate: float, burst: int, store: FallBack | None) -> None:
        """Limit to ``rate`` per second with bursts of ``burst`` in ``store``; rate 0 disables."""
        self.rate = rate
        self.burst = burst
        self._store = store
        self._ttl = bucket_ttl(rate, burst)

    def check(self, identity: str) -> float:
        """Take a token for ``identity``; return 0 if allowed, else seconds to wait."""
        if not self.rate or self._store is None:
            return 0.0
        return self._store.update(identity, self._take, self._ttl)

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


def bucket_ttl(rate: float, burst: int) -> float:
    """Return how long a bucket lives: until it would be full again, plus a second."""
    return max(1.0, burst / rate + 1) if rate else 1.0
