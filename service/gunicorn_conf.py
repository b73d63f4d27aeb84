"""Gunicorn settings for newsbrief, derived from ``NEWSBRIEF_*`` settings.

``newsbrief serve`` runs ``gunicorn -c python:service.gunicorn_conf``; the
top-level ``gunicorn.conf.py`` re-exports this module so a plain
``gunicorn`` in the repo root behaves the same.
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import socket
import tempfile
import time

from service.gunicorn_worker import LoadTable
from service.settings import Settings
from service.settings import default_state_dir

_settings = Settings.from_env()

# The app factory runs inside each worker (preload_app off): a torch model
# loaded before fork shares OpenMP/MKL thread pools with the parent and
# hangs workers (gunicorn#2478, pytorch#49555). One copy per worker is the price.
wsgi_app = "service:create_app(freeze_after_load=True)"
preload_app = False

bind = f"{_settings.host}:{_settings.port}"

# Layout: workers x torch threads = cores, never more (oversubscribed OpenMP
# pools thrash). Default: one worker per core (NEWSBRIEF_WORKERS=0), each with
# one torch thread: on CPU, separate processes beat intra-op threads because
# the decoder's per-token matmuls are too small to split well (bench/README.md).
# Each worker holds its own model copy, so memory scales with workers. A
# CTranslate2 copy (the default where one was converted) is the exception:
# one worker runs a replica per core on a single copy of the weights
# (Settings.effective_workers).
# gthread: a worker's threads share that copy; they only wait on the
# micro-batcher, so a few (NEWSBRIEF_THREADS) let requests queue and batch
# while one generates. Without a model, two: the rules hold the GIL, and
# more threads only stretch each request (Settings.effective_threads).
# (the gthread worker, answering gunicorn's own 400/414/431 as problem+json
# without echoing the request, with no Server header, and giving each new
# connection to the worker that holds fewest: without that, keep-alive
# clients pile onto one worker, which queues while a core idles, bench/README.md)
worker_class = "service.gunicorn_worker.ProblemThreadWorker"
workers = _settings.effective_workers
threads = _settings.effective_threads

# With gthread, the timeout is a heartbeat: the worker's main loop keeps
# notifying while request threads run generate, so long generations are not
# killed; it still catches a worker that is truly stuck. Must exceed the
# longest model load plus warm-up, since loading runs in a worker thread too.
timeout = _settings.timeout
# SIGTERM: stop accepting, let in-flight requests finish, then exit. No
# request outlives NEWSBRIEF_REQUEST_TIMEOUT in the batcher; 10 s more covers
# writing the answer. Keep terminationGracePeriodSeconds above this.
graceful_timeout = _settings.request_timeout + 10
keepalive = 5

# Recycle workers now and then to bound slow memory growth (tokenizer caches,
# fragmentation); jitter keeps them from restarting all at once. A recycled
# (or crashed, or added) worker loads its model before it accepts a
# connection (post_worker_init), so its siblings answer meanwhile: no 503
# from /readyz and no request waiting on a load in a pod that can serve.
max_requests = 10000
max_requests_jitter = 1000

# Heartbeat file on tmpfs: on a disk-backed or read-only root filesystem
# the fchmod heartbeat can block (gunicorn docs, "blocking os.fchmod").
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()

# The control socket defaults to $HOME/.gunicorn, which is read-only in the
# container and shared between instances on one host; nothing here uses it.
control_socket_disable = True

# The app writes its own logfmt access line per request with the request id.
accesslog = None
errorlog = "-"
loglevel = _settings.log_level.lower()


# Prometheus multiprocess mode: a fresh folder per server, set before the
# workers fork so each writes its own files; a dead worker's live gauges are
# dropped (prometheus-client docs, "Multiprocess Mode").
_CREATED: list[str] = []  # folders this server made, removed when it exits
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _CREATED.append(tempfile.mkdtemp(prefix="newsbrief-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _CREATED[-1]


# One SQLite store for what the workers of a host share (jobs, Idempotency-Key
# answers, replay protection, rate buckets) unless Redis is set. It outlives
# the server: queued jobs survive a restart (the image sets /var/lib/newsbrief).
if not os.environ.get("NEWSBRIEF_STATE_DIR") and not os.environ.get("NEWSBRIEF_CACHE_URL"):
    os.environ["NEWSBRIEF_STATE_DIR"] = str(default_state_dir())


_METRICS_SOCKETS: list[socket.socket] = []  # the master's /metrics socket, closed in workers


def when_ready(server: object) -> None:
    """Serve /metrics from the master on NEWSBRIEF_METRICS_PORT, summed over the workers."""
    if _settings.metrics_port:
        from prometheus_client import CollectorRegistry
        from prometheus_client import multiprocess
        from prometheus_client import start_http_server

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        httpd, _ = start_http_server(_settings.metrics_port, addr=_settings.host, registry=registry)
        _METRICS_SOCKETS.append(httpd.socket)


def post_fork(server: object, worker: object) -> None:
    """Close the master's /metrics socket in a new worker: fork copies it, nothing there serves it.

    A worker holding it would keep the port bound after a master that died
    and was restarted next to still-exiting workers.
    """
    for listening in _METRICS_SOCKETS:
        listening.close()


def on_exit(server: object) -> None:
    """Remove the metrics folder this server created."""
    for folder in _CREATED:
        shutil.rmtree(folder, ignore_errors=True)


def child_exit(server: object, worker: object) -> None:
    """Mark a worker's metrics dead and free its slot of the load table when it exits."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined,no-untyped-call]
    _LOADS.free(worker.slot)  # type: ignore[attr-defined]


_FORKS = itertools.count(1)  # workers this master has forked
# Each worker's open connections, shared with the workers (service.gunicorn_worker):
# a new connection goes to a least-loaded worker. One slot per live worker; a
# replacement forks while its predecessor may still be exiting, so twice the most.
_LOADS = LoadTable(2 * 64)


def pre_fork(server: object, worker: object) -> None:
    """Give a worker its slot of the load table; mark each after the first set a replacement."""
    worker.replacement = next(_FORKS) > server.cfg.workers  # type: ignore[attr-defined]
    live = server.WORKERS.values()  # type: ignore[attr-defined]
    worker.slot = _LOADS.claim(w.slot for w in live)  # type: ignore[attr-defined]
    worker.load_table = _LOADS  # type: ignore[attr-defined]


def post_worker_init(worker: object) -> None:
    """Start this worker's job threads once its app exists (never before fork).

    A replacement first waits for its default engine (heart-beating, up to
    the worker timeout): it takes no connection until it can serve, while
    the workers of the first set answer at once, /readyz saying 503 until
    their model is in.
    """
    from service.jobs.runner import start_runner
    from service.state import EXTENSION

    if getattr(worker, "replacement", False) and _settings.load_on_start:
        engines = worker.wsgi.extensions[EXTENSION].engines  # type: ignore[attr-defined]
        deadline = time.monotonic() + _settings.timeout
        while not engines.default_tried.wait(1.0):
            worker.notify()  # type: ignore[attr-defined]
            if time.monotonic() > deadline:
                logging.getLogger(__name__).warning("replacement_serving_before_load")
                break
    start_runner(worker.wsgi)  # type: ignore[attr-defined]


def worker_exit(server: object, worker: object) -> None:
    """Let a running job finish before the worker exits; one cut short runs again elsewhere."""
    from service.jobs.runner import stop_runner

    app = getattr(worker, "wsgi", None)
    if app is not None:
        stop_runner(app, _settings.request_timeout)
