"""newsbrief: news summaries and "What You Need To Know" boxes over HTTP."""

from __future__ import annotations

import gc
import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from service.engines import EngineRegistry
    from service.settings import Settings


def create_app(
    settings: Settings | None = None,
    *,
    engines: EngineRegistry | None = None,
    freeze_after_load: bool = False,
) -> Flask:
    """Create and configure the app; start loading engines in the background.

    Loading runs in a thread so ``/livez`` answers at once and ``/readyz``
    answers 503 until the default engine is loaded and warmed up.

    ``freeze_after_load`` (the gunicorn worker's app): once loaded, what the
    process holds is moved out of the collector's reach (``gc.freeze``), so
    a full collection between requests scans what requests made, not the
    model's objects too: about 8 ms instead of 60-75 (``bench/README.md``).
    Not for a process that makes many apps (tests): a frozen cycle is never
    collected.
    """
    from flask import Flask

    from service.api import health
    from service.api import metrics
    from service.api import playground
    from service.api import v1
    from service.api.problems import register_error_handlers
    from service.api.requests import register_body_checks
    from service.api.requests import register_request_hooks
    from service.engines import EngineRegistry
    from service.logs import configure_logging
    from service.settings import Settings
    from service.state import EXTENSION
    from service.state import ServiceState

    settings = settings or Settings.from_env()
    configure_logging(settings)
    engines = engines or EngineRegistry.from_settings(settings)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION] = ServiceState.build(settings, engines)
    register_error_handlers(app)
    register_request_hooks(app)
    app.register_blueprint(health.blueprint)
    if not settings.metrics_port:  # else the gunicorn master serves it on its own port
        app.register_blueprint(metrics.blueprint)
    app.register_blueprint(playground.blueprint)
    v1.register(app)  # the access guard comes before any body work
    register_body_checks(app)
    if settings.load_on_start:
        warmup = _read_warmup(settings)
        threading.Thread(
            target=_load, args=(engines, warmup, freeze_after_load), name="engine-load", daemon=True
        ).start()
    return app


def _load(engines: EngineRegistry, warmup: str, freeze: bool = False) -> None:
    """Load the engines, then the language model and the checker (about 1 s), off the request path.

    Engines first: ``load_all`` marks them loading at once, so requests that
    arrive meanwhile wait for them instead of answering 503. The checker's
    word-piece vectors and stemmer load by checking the warm-up text against itself.
    """
    from service.checks.embeddings import static_encoder
    from service.checks.verdict import Checker
    from service.text.article import prepare
    from service.text.language import load_identifier

    engines.load_all(warmup)
    load_identifier()  # English text never needs it: load it before a request does
    try:
        article = prepare(warmup)
        Checker().check(article, [s.text for s in article.sentences[:3]], encoder=static_encoder())
    except Exception:  # a warm-up is an optimisation: requests load what they need
        logging.getLogger(__name__).warning("checker_warmup_failed", exc_info=True)
    if freeze:
        gc.collect()
        gc.freeze()


def _read_warmup(settings: Settings) -> str:
    try:
        return settings.warmup_file.read_text(encoding="utf-8")
    except OSError:
        return "The service started. It loaded its engines. It is ready to summarise news."
