"""Gunicorn settings for newsbrief, derived from ``NEWSBRIEF_*`` settings.

``newsbrief serve`` runs ``gunicorn -c python:service.gunicorn_conf``; the
top-level ``gunicorn.conf.py`` re-exports this module so a plain
``gunicorn`` in the repo root behaves the same.
"""

from __future__ import annotations

import os
import tempfile

from service.settings import Settings

_settings = Settings.from_env()

# The app factory runs inside each worker (preload_app off): a torch model
# loaded before fork shares OpenMP/MKL thread pools with the parent and
# hangs workers (gunicorn#2478, pytorch#49555). One copy per worker is the price.
wsgi_app = "service:create_app()"
preload_app = False

bind = f"{_settings.host}:{_settings.port}"

# gthread: a worker's threads share one model. Requests are I/O-light and
# compute-heavy, so few threads suffice; torch itself uses
# NEWSBRIEF_TORCH_THREADS cores (default cores // workers) so workers x torch
# threads never oversubscribe the CPU.
worker_class = "gthread"
workers = _settings.workers
threads = _settings.threads

# With gthread, the timeout is a heartbeat: the worker's main loop keeps
# notifying while request threads run generate, so long generations are not
# killed; it still catches a worker that is truly stuck. Must exceed the
# longest model load plus warm-up, since loading runs in a worker thread too.
timeout = _settings.timeout
# SIGTERM: stop accepting, let in-flight requests finish, then exit.
graceful_timeout = _settings.timeout
keepalive = 5

# Recycle workers now and then to bound slow memory growth (tokenizer caches,
# fragmentation); jitter keeps them from restarting all at once.
max_requests = 2000
max_requests_jitter = 200

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
