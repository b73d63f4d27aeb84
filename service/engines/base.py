"""Define the engine interface every summariser implements."""

from __future__ import annotations

import abc
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from service.bullets.scoring import Selection
from service.bullets.scoring import SummaryStyle
from service.errors import ServiceError
from service.text.article import Article

# transformers' from_pretrained builds modules under a process-global "meta
# device" context; two loads in parallel threads corrupt each other ("Cannot
# copy out of meta tensor"). Loads are rare, so they take turns.
_LOAD_LOCK = threading.RLock()  # re-entrant: a wrapper engine loads its inner one


@dataclass(frozen=True, slots=True)
class SummaryParams:
    """Per-request generation options, already validated by the API schema."""

    max_words: int = 80
    min_words: int = 0
    # The house style (a profile's box selection and summary knobs), for the
    # engines that select sentences; model engines ignore it.
    selection: Selection | None = None
    summary: SummaryStyle | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """One engine output: the summary, and whether input was cut or chunked."""

    text: str
    truncated: bool = False
    chunks: int = 1


class Summarizer(abc.ABC):
    """A summarisation engine: load once, then summarise batches of articles.

    ``load`` is idempotent and sets ``ready`` last, after warm-up, so a
    half-loaded engine is never served (the KServe model contract).
    """

    name: ClassVar[str]
    language: ClassVar[str] = "en"
    # Articles per micro-batch when NEWSBRIEF_BATCH_SIZE is 0 (auto).
    preferred_batch: int = 8
    # Batches the engine runs at once (CTranslate2 replicas sharing one copy
    # of the weights); the micro-batcher starts one runner for each.
    parallel: int = 1

    def __init__(self) -> None:
        """Start unloaded."""
        self._ready = False
        self._loaded = threading.Event()
        self.is_loading = False
        self._load_lock = threading.Lock()
        self.failure: ServiceError | None = None  # why the load failed, as clients see it
        self.load_s = self.warmup_s = 0.0  # how long the last load and its warm-up took

    @property
    def ready(self) -> bool:
        """Tell whether the engine is loaded and warmed up."""
        return self._ready

    @property
    def model(self) -> str:
        """Return the model behind the engine (``rules`` for rule-based ones)."""
        return "rules"

    @property
    def revision(self) -> str | None:
        """Return the pinned model revision, if the engine has one."""
        return None

    @property
    def backend(self) -> str | None:
        """Return what runs the model (``torch``, ``ctranslate2``), if there is one."""
        return None

    @property
    def precision(self) -> str | None:
        """Return the precision the model runs in (``float32``, ``int8``, ...)."""
        return None

    @property
    def fallback(self) -> str | None:
        """Return why the engine runs on another backend than its default, if it does."""
        return None

    def load(self, warmup_text: str = "") -> None:
        """Load weights and warm up once; later calls return at once."""
        self.is_loading = True
        try:
            with self._load_lock, _LOAD_LOCK:
                if not self._ready:
                    self._load_and_warm(warmup_text)
        finally:
            self.is_loading = False

    def _load_and_warm(self, warmup_text: str) -> None:
        started = time.perf_counter()
        self._load()
        loaded = time.perf_counter()
        if warmup_text:
            self.warmup(warmup_text)
        self.load_s, self.warmup_s = loaded - started, time.perf_counter() - loaded
        self._ready = True
        self._loaded.set()

    def wait_ready(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a load in progress; return ``ready``."""
        if self.is_loading:
            self._loaded.wait(timeout)
        return self._ready

    def _load(self) -> None:  # noqa: B027 - rule engines have nothing to load
        """Load heavy resources; rule engines override nothing."""

    def warmup(self, sample: str) -> None:
        """Run one summary so first-request latency is not a cold start."""
        from service.text.article import prepare

        self.summarize([prepare(sample)], SummaryParams())

    @abc.abstractmethod
    def summarize(self, articles: Sequence[Article], params: SummaryParams) -> list[Summary]:
        """Return one summary per article, same length and order as the input."""
