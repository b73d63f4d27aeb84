"""Hold the engines: an explicit table of factories and the registry over it.

Model engines import torch inside their factories, so ``import service``
stays light and a process that serves only ``lead``/``bullets`` never loads
torch.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from service.engines.base import Summarizer
from service.errors import EngineFailed
from service.errors import EngineNotFound
from service.errors import ModelMissing
from service.errors import ModelNotReady
from service.errors import ServiceError
from service.modelstore import ModelStore
from service.settings import Settings

logger = logging.getLogger(__name__)


def _lead(settings: Settings) -> Summarizer:
    from service.engines.lead import LeadSummarizer

    return LeadSummarizer()


def _bullets(settings: Settings) -> Summarizer:
    from service.bullets.extractor import BulletExtractor
    from service.engines.bullets import BulletsSummarizer

    return BulletsSummarizer(BulletExtractor(punctuation="period"))


def _batched(engine: Summarizer, settings: Settings) -> Summarizer:
    """Put a model engine behind the per-process micro-batcher."""
    from service.engines.batcher import BatchedSummarizer

    return BatchedSummarizer(
        engine, batch_size=settings.batch_size, wait_ms=settings.batch_wait_ms,
        queue_size=settings.queue_size, timeout_s=settings.request_timeout,
    )  # fmt: skip


def _extractive(settings: Settings) -> Summarizer:
    from service.engines.extractive import EmbeddingSummarizer

    return _batched(EmbeddingSummarizer(settings), settings)


def _abstractive(settings: Settings) -> Summarizer:
    store = ModelStore(settings.model_dir)
    if not store.is_present(settings.model):  # say why, without importing torch
        from service.engines.unfetched import UnfetchedModel

        return UnfetchedModel(store, settings.model)
    from service.engines.transformer import TransformerSummarizer

    return _batched(TransformerSummarizer(settings, store), settings)


ENGINE_FACTORIES: dict[str, Callable[[Settings], Summarizer]] = {
    "abstractive": _abstractive,
    "extractive": _extractive,
    "lead": _lead,
    "bullets": _bullets,
}


def _log_ready(name: str, engine: Summarizer) -> None:
    """Log and measure an engine that now serves (a wrapped inner engine never does)."""
    from service.metrics import LOAD_SECONDS

    LOAD_SECONDS.labels(name).set(engine.load_s + engine.warmup_s)
    logger.info(
        "engine_ready engine=%s model=%s load_s=%.2f warmup_s=%.2f",
        name, engine.model, engine.load_s, engine.warmup_s,
    )  # fmt: skip


def _log_failure(name: str, is_default: bool, exc: Exception) -> None:
    """Log why an engine cannot serve, once, at the level it deserves.

    Optional weights that are simply not fetched (a fresh ``make run``) are
    news, not an error: one INFO line with the remedy. Anything else is a
    WARNING, and an ERROR when it is the engine that answers by default.
    """
    if isinstance(exc, ModelMissing) and not is_default:
        logger.info("engine_unavailable engine=%s reason=model_missing remedy=%r", name, exc.detail)
        return
    level = logging.ERROR if is_default else logging.WARNING
    logger.log(level, "engine_load_failed engine=%s error=%s", name, exc)


def resolve_default(settings: Settings) -> str:
    """Return the engine ``NEWSBRIEF_ENGINE`` means; ``auto`` checks the disk."""
    if settings.engine != "auto":
        return settings.engine
    if ModelStore(settings.model_dir).is_present(settings.model):
        return "abstractive"
    return "extractive"


class EngineRegistry:
    """Own the engine instances of one process and say which are ready."""

    def __init__(
        self, engines: Mapping[str, Summarizer], default: str, *, load_wait_s: float = 0.0
    ) -> None:
        """Serve ``engines``; ``default`` answers requests that name none.

        ``load_wait_s``: how long a request waits for an engine that is still
        loading (a worker gunicorn just recycled) before answering 503.
        """
        if default not in engines:
            raise ValueError(f"default engine {default!r} is not among {sorted(engines)}")
        self.engines = dict(engines)
        self.default = default
        self.load_wait_s = load_wait_s
        self.loaded = threading.Event()  # set once load_all has tried every engine
        self.default_tried = threading.Event()  # set once the default engine loaded or failed

    @classmethod
    def from_settings(cls, settings: Settings) -> EngineRegistry:
        """Build every engine of the factory table; nothing heavy runs yet."""
        default = resolve_default(settings)
        engines = {name: factory(settings) for name, factory in ENGINE_FACTORIES.items()}
        logger.info("engine_default engine=%s requested=%s", default, settings.engine)
        return cls(engines, default, load_wait_s=settings.request_timeout)

    def get(self, name: str | None = None) -> Summarizer:
        """Return a ready engine by name (the default when ``None``).

        Raises:
            EngineNotFound: listing the valid names.
            ModelNotReady: the engine is still loading or failed to load.
        """
        key = name or self.default
        engine = self.engines.get(key)
        if engine is None:
            raise EngineNotFound(
                f"unknown engine {key!r}; choose one of {', '.join(sorted(self.engines))}",
                extensions={"engines": sorted(self.engines)},
            )
        if not engine.ready and not engine.wait_ready(self.load_wait_s):
            failure = engine.failure
            if failure is not None:  # permanent: the fix is named, no Retry-After
                raise type(failure)(failure.detail, extensions=failure.extensions)
            raise ModelNotReady(f"engine {key!r} is still loading")
        return engine

    def load_all(self, warmup_text: str = "") -> None:
        """Load the default engine first, then the others; record failures.

        A failure is kept on the engine (``error``) and logged; it never
        stops the other engines, and readiness reports it.
        """
        order = [self.default] + [n for n in self.engines if n != self.default]
        for name in order:
            self.engines[name].is_loading = True  # requests may wait for it
        for name in order:
            engine = self.engines[name]
            try:
                engine.load(warmup_text)
                engine.failure = None
                _log_ready(name, engine)
            except Exception as exc:  # any load failure must be reported, not raised
                # Clients see a detail without internals or server paths; the log has it all.
                engine.failure = (
                    exc
                    if isinstance(exc, ServiceError)
                    else EngineFailed(f"engine {name!r} failed to load; the server log has why")
                )
                _log_failure(name, name == self.default, exc)
                from service.metrics import LOAD_FAILURES

                LOAD_FAILURES.labels(name, "true" if name == self.default else "false").inc()
            if name == self.default:
                self.default_tried.set()
        self.loaded.set()

    def all_ready(self) -> bool:
        """Tell whether the default engine can serve (what readiness means)."""
        return self.engines[self.default].ready

    def describe(self) -> list[dict[str, Any]]:
        """Describe each engine for ``GET /v1/engines``."""
        return [
            {
                "name": name,
                "default": name == self.default,
                "ready": engine.ready,
                "model": engine.model,
                "revision": engine.revision,
                "backend": engine.backend,
                "precision": engine.precision,
                "fallback": engine.fallback,
                "language": engine.language,
                "error": engine.failure.detail if engine.failure else None,
            }
            for name, engine in self.engines.items()
        ]
