"""Merge concurrent requests into model batches: one thread owns the model.

Request threads enqueue articles and wait on futures; the worker thread
takes up to ``batch_size`` articles with the same parameters, waiting at most
``batch_wait_ms`` for a batch to fill (BentoML adaptive batching, Ray Serve
``@serve.batch``). The queue is bounded (503 when full); a request that
times out is dropped from the queue, and a running batch whose requests
have all gone is stopped by its engine (``service.engines.abandon``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from dataclasses import field

from service.disconnect import ClientCheck
from service.disconnect import client_gone
from service.engines.abandon import watching
from service.engines.base import Summarizer
from service.engines.base import Summary
from service.engines.base import SummaryParams
from service.errors import ClientGone
from service.errors import Overloaded
from service.errors import RequestTimedOut
from service.errors import ServiceError
from service.metrics import BATCH_SIZE
from service.metrics import GENERATION
from service.metrics import QUEUE_DEPTH
from service.metrics import REJECTED
from service.text.article import Article

logger = logging.getLogger(__name__)

RunBatch = Callable[[Sequence[Article], SummaryParams], list[Summary]]


@dataclass
class _Job:
    article: Article
    params: SummaryParams
    enqueued: float
    future: Future[Summary] = field(default_factory=Future)
    gone: ClientCheck | None = None
    abandoned: bool = False

    def is_gone(self) -> bool:
        """Tell whether nobody waits for this job any more."""
        return self.abandoned or (self.gone is not None and self.gone())


class MicroBatcher:
    """A bounded queue and runner threads (one, or one per model replica) that call ``run``."""

    def __init__(
        self, run: RunBatch, *, batch_size: int, wait_ms: int, queue_size: int, timeout_s: float
    ) -> None:
        """Configure limits; call ``start`` before ``submit``."""
        self._run = run
        self.batch_size = batch_size
        self.wait_s = wait_ms / 1000
        self.queue_size = queue_size
        self.timeout_s = timeout_s
        self._pending: list[_Job] = []
        self._cond = threading.Condition()
        self._closed = False
        self._threads: list[threading.Thread] = []
        self.batches: list[int] = []  # sizes of recent batches, for tests and metrics
        self.label = "engine"

    def start(self, runners: int = 1) -> None:
        """Start the runner threads: one per batch the engine can run at once."""
        for number in range(max(1, runners)):
            thread = threading.Thread(
                target=self._loop, name=f"micro-batcher-{number}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    @property
    def depth(self) -> int:
        """Return how many articles wait in the queue."""
        return len(self._pending)

    def submit(self, articles: Sequence[Article], params: SummaryParams) -> list[Summary]:
        """Queue articles and wait for their summaries, in order.

        Raises:
            Overloaded: the queue cannot take them all (503, Retry-After).
            RequestTimedOut: not done within the timeout; queued work is dropped.
        """
        now = time.monotonic()
        gone = client_gone.get()
        jobs = [_Job(article, params, now, gone=gone) for article in articles]
        with self._cond:
            if self._closed:
                raise Overloaded("the server is shutting down")
            if len(self._pending) + len(jobs) > self.queue_size:
                raise Overloaded(f"{len(self._pending)} articles are queued; retry shortly")
            self._pending.extend(jobs)
            self._cond.notify()
        deadline = now + self.timeout_s
        try:
            return [
                job.future.result(timeout=max(0.0, deadline - time.monotonic())) for job in jobs
            ]
        except TimeoutError:
            self._abandon(jobs)
            raise RequestTimedOut(f"no summary within {self.timeout_s:g} s") from None

    def _abandon(self, jobs: list[_Job]) -> None:
        with self._cond:
            for job in jobs:
                job.abandoned = True  # a running batch sees it through is_abandoned()
                job.future.cancel()
            self._pending = [j for j in self._pending if not j.future.cancelled()]

    def close(self, timeout: float = 30.0) -> None:
        """Stop taking work, finish what is queued, then stop the runners."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _loop(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            self._execute(batch)

    def _next_batch(self) -> list[_Job] | None:
        with self._cond:
            while not self._pending:
                if self._closed:
                    return None
                self._cond.wait()
            first = self._pending[0]
            fill_until = first.enqueued + self.wait_s
            while not self._closed and self._count(first.params) < self.batch_size:
                remaining = fill_until - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            batch = [j for j in self._pending if j.params == first.params][: self.batch_size]
            taken = {id(j) for j in batch}
            self._pending = [j for j in self._pending if id(j) not in taken]
        return [
            j for j in batch if j.future.set_running_or_notify_cancel() and not self._hung_up(j)
        ]

    def _hung_up(self, job: _Job) -> bool:
        """Drop a job whose client closed its connection while it waited."""
        if job.gone is None or not job.gone():
            return False
        REJECTED.labels("client_gone").inc()
        job.future.set_exception(ClientGone("the client closed the connection"))
        return True

    def _count(self, params: SummaryParams) -> int:
        return sum(1 for j in self._pending if j.params == params)

    def _execute(self, batch: list[_Job]) -> None:
        if not batch:
            return
        # Similar lengths together keep padding (wasted compute) low.
        batch.sort(key=lambda j: len(j.article.text))
        self.batches.append(len(batch))
        del self.batches[:-100]
        BATCH_SIZE.labels(self.label).observe(len(batch))
        QUEUE_DEPTH.labels(self.label).set(self.depth)
        started = time.perf_counter()
        try:
            with watching(lambda: all(j.is_gone() for j in batch)):
                results = self._run([j.article for j in batch], batch[0].params)
            GENERATION.labels(self.label).observe(time.perf_counter() - started)
        except ServiceError as exc:
            for job in batch:
                job.future.set_exception(exc)
            return
        except Exception as exc:  # the worker must survive any engine failure
            logger.error("batch_failed size=%d error=%s", len(batch), exc, exc_info=exc)
            for job in batch:
                job.future.set_exception(exc)
            return
        for job, result in zip(batch, results, strict=True):
            job.future.set_result(result)


class BatchedSummarizer(Summarizer):
    """Put a model engine behind a MicroBatcher; same interface as the engine."""

    def __init__(
        self, inner: Summarizer, *, batch_size: int, wait_ms: int, queue_size: int, timeout_s: float
    ) -> None:
        """Wrap ``inner``; its thread starts when the engine has loaded."""
        super().__init__()
        self.inner = inner
        self.name = inner.name  # type: ignore[misc]
        self.language = inner.language  # type: ignore[misc]
        self.batcher = MicroBatcher(
            inner.summarize, batch_size=batch_size, wait_ms=wait_ms,
            queue_size=queue_size, timeout_s=timeout_s,
        )  # fmt: skip
        self.batcher.label = inner.name

    @property
    def model(self) -> str:
        """Return the inner engine's model."""
        return self.inner.model

    @property
    def revision(self) -> str | None:
        """Return the inner engine's revision."""
        return self.inner.revision

    @property
    def backend(self) -> str | None:
        """Return the inner engine's backend."""
        return self.inner.backend

    @property
    def precision(self) -> str | None:
        """Return the inner engine's precision."""
        return self.inner.precision

    @property
    def fallback(self) -> str | None:
        """Return why the inner engine runs on torch, if it falls back."""
        return self.inner.fallback

    def _load(self) -> None:
        self.inner.load()
        if not self.batcher.batch_size:
            self.batcher.batch_size = self.inner.preferred_batch
        self.batcher.start(runners=self.inner.parallel)

    def warmup(self, sample: str) -> None:
        """Warm up the inner engine directly (the batcher adds nothing to learn)."""
        self.inner.warmup(sample)

    def summarize(self, articles: Sequence[Article], params: SummaryParams) -> list[Summary]:
        """Summarise through the shared queue."""
        return self.batcher.submit(articles, params)
