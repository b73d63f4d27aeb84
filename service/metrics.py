"""Prometheus metrics, multiprocess-safe under gunicorn.

Under ``newsbrief serve`` the gunicorn config points ``PROMETHEUS_MULTIPROC_DIR``
at a fresh folder before workers fork, so every worker writes its own files
and ``/metrics`` sums them (prometheus-client multiprocess mode). In a single
process (tests, the CLI) the default registry is used.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram
from prometheus_client import generate_latest
from prometheus_client import multiprocess

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)

REQUESTS = Counter(
    "newsbrief_requests_total",
    "HTTP requests by route, status and API key name ('-' when keys are off).",
    ["route", "method", "status", "key"],
)
LATENCY = Histogram(
    "newsbrief_request_seconds",
    "HTTP request latency by route.",
    ["route"],
    buckets=LATENCY_BUCKETS,
)
REJECTED = Counter("newsbrief_rejected_total", "Requests refused, by reason.", ["reason"])
GENERATION = Histogram(
    "newsbrief_generation_seconds", "Engine time per batch.", ["engine"], buckets=LATENCY_BUCKETS
)
BATCH_SIZE = Histogram(
    "newsbrief_batch_size",
    "Articles per engine batch.",
    ["engine"],
    buckets=(1, 2, 4, 8, 16, 32, 64),
)
QUEUE_DEPTH = Gauge(
    "newsbrief_queue_depth",
    "Articles waiting for the model.",
    ["engine"],
    multiprocess_mode="livesum",
)
UNSUPPORTED = Counter(
    "newsbrief_unsupported_sentences_total",
    "Returned or checked sentences the checker could not ground in the article.",
    ["engine", "part"],
)
CHECKED = Counter(
    "newsbrief_checked_sentences_total",
    "Sentences checked against their article.",
    ["engine", "part"],
)
CACHE = Counter("newsbrief_cache_total", "Result cache lookups.", ["result"])
JOBS = Counter(
    "newsbrief_jobs_total",
    "Job events by operation: submitted, succeeded, failed, cancelled, retried, abandoned.",
    ["operation", "event"],
)
JOBS_REFUSED = Counter(
    "newsbrief_jobs_refused_total",
    "Jobs not stored, by the budget they would break (full, quota, too_large).",
    ["reason"],
)
STORE_ERRORS = Counter(
    "newsbrief_store_errors_total",
    "Failed operations on a shared store (replays, idempotency, rate, cache, jobs).",
    ["store"],
)
STORE_UP = Gauge(
    "newsbrief_store_up",
    "Whether each store passed its last use or check (1) or failed (0).",
    ["store"],
    multiprocess_mode="livemin",
)
JOB_SECONDS = Histogram(
    "newsbrief_job_seconds",
    "Seconds from submission to the end of a job, by operation.",
    ["operation"],
    buckets=(*LATENCY_BUCKETS, 300, 900, 3600),
)
CALLBACKS = Counter(
    "newsbrief_callback_attempts_total",
    "Callback attempts by outcome: delivered, retry, gave_up.",
    ["outcome"],
)
LOAD_FAILURES = Counter(
    "newsbrief_engine_load_failures_total",
    "Engines that failed to load, by engine and whether it is the default (readiness fails then).",
    ["engine", "default"],
)
LOAD_SECONDS = Gauge(
    "newsbrief_model_load_seconds",
    "Seconds to load and warm up.",
    ["engine"],
    multiprocess_mode="max",
)


def render() -> tuple[bytes, str]:
    """Return the exposition text of every worker (or this process)."""
    from prometheus_client import CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
