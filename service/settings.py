"""Read and validate the service settings from ``NEWSBRIEF_*`` variables."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREFIX = "NEWSBRIEF_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENGINE_CHOICES = ("auto", "abstractive", "extractive", "lead", "bullets")
DEVICE_CHOICES = ("auto", "cpu", "cuda")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
PUNCTUATION_CHOICES = ("none", "period")
QUANTIZE_CHOICES = ("auto", "none", "int8", "ct2-int8", "ct2-float32")
UNSUPPORTED_CHOICES = ("flag", "drop", "fallback")
DTYPE_CHOICES = ("auto", "float32", "float16", "bfloat16")


class SettingsError(ValueError):
    """Raised when one or more ``NEWSBRIEF_*`` variables are invalid."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        """Keep every problem so the start-up error names them all."""
        self.problems = dict(problems)
        lines = [f"  {PREFIX}{k.upper()}: {v}" for k, v in self.problems.items()]
        super().__init__("invalid settings:\n" + "\n".join(lines))


def default_state_dir() -> Path:
    """Return where a server keeps its shared state when no folder is set: it outlives the server.

    ``$XDG_STATE_HOME/newsbrief`` (``~/.local/state/newsbrief``), the XDG
    base-directory place for state that should persist between restarts.
    """
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "newsbrief"


def _default_threads() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class Settings:
    """Hold every tunable of the service; built once, never mutated.

    Each field maps to ``NEWSBRIEF_<FIELD>``. Defaults are safe for a laptop:
    loopback only, bounded sizes, one worker.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    engine: str = "auto"
    model: str = "distilbart-cnn-12-6"
    model_dir: Path = PROJECT_ROOT / "models"
    device: str = "auto"
    torch_threads: int = 0
    workers: int = 0
    threads: int = 0  # 0: 4 when the default engine serves a seq2seq model, else 2
    timeout: int = 120
    max_body_bytes: int = 1024 * 1024
    # Proxies in front that set X-Forwarded-For (the nginx sidecar: 1). With 0
    # the header is ignored, so a client cannot spoof its address.
    trusted_proxies: int = 0
    # Languages the box rules and the engines serve (ISO 639-1, comma-separated);
    # an article detected in another answers 422 unsupported-language.
    languages: str = "en"
    max_input_chars: int = 200_000
    max_batch: int = 16
    generate_batch: int = 8
    max_chunks: int = 8
    num_beams: int = 0
    quantize: str = "auto"
    dtype: str = "auto"
    batch_size: int = 0
    batch_wait_ms: int = 10
    queue_size: int = 64
    request_timeout: int = 60
    cache_bytes: int = 64 * 1024 * 1024
    cache_url: str = ""
    cache_ttl: int = 3600
    idempotency_ttl: int = 86400
    # Folder of the SQLite store that the workers of one host share (jobs,
    # idempotency, replay protection, rate buckets); empty keeps them in-process
    # (an app built by hand or in tests). A server uses default_state_dir().
    state_dir: str = ""
    api_keys: str = ""
    rate_limit: int = 0
    rate_burst: int = 20
    # Failed authentication per client address (a key guesser gets 429 past it).
    auth_failure_rate: int = 1
    auth_failure_burst: int = 10
    webhook_secret: str = ""
    signature_tolerance: int = 300
    bullet_punctuation: str = "none"
    # House-style profiles: the server default, a folder of a newsroom's own
    # (newsbrief profiles fit), and defaults per API key (key:profile,...).
    profile: str = "general"
    profiles_dir: str = ""
    key_profiles: str = ""
    # What to do with a returned sentence the checker cannot ground in the
    # article: flag it (keep, marked), drop it, or fall back to the extractive
    # summary when an abstractive one fails.
    unsupported: str = "flag"
    max_check_sentences: int = 50
    # Jobs (POST /v1/jobs): threads per worker that run them (0: this
    # instance only accepts jobs), the lease a runner holds and renews, runs
    # before a job that keeps failing or killing its worker is given up, and
    # how long an ended job stays readable. The store's budgets, overall and
    # per API key: queued or running jobs, stored jobs of any state, and bytes
    # (a job's request while it waits, its result once it ended).
    job_workers: int = 1
    job_lease: int = 30
    job_attempts: int = 3
    job_ttl: int = 7 * 86400
    max_queued_jobs: int = 10_000
    max_queued_jobs_per_key: int = 2_500
    max_stored_jobs: int = 100_000
    max_stored_jobs_per_key: int = 25_000
    max_job_bytes: int = 256 * 1024 * 1024
    max_job_bytes_per_key: int = 64 * 1024 * 1024
    # Callbacks: allowed hosts and networks (empty: any public address),
    # named signing secrets (name:secret,...; empty: the webhook secret is
    # "default"), the deadline of one whole attempt, and how long to keep retrying.
    callback_allow: str = ""
    callback_secrets: str = ""
    callback_timeout: int = 10
    callback_retry_for: int = 3600
    # Callback threads per worker. Each key has at most one attempt in flight
    # per worker, so a slow receiver holds one thread, never the others' turn.
    callback_workers: int = 4
    warmup_file: Path = PROJECT_ROOT / "seeds" / "000_8dc29571600dcd6e.txt"
    load_on_start: bool = True
    log_level: str = "INFO"
    # /metrics on its own listener (on NEWSBRIEF_HOST, for the scraper) so it is
    # not exposed with the API; 0 serves it on the API port (one box).
    metrics_port: int = 0

    def __post_init__(self) -> None:
        """Check ranges and choices; name every bad field at once."""
        problems: dict[str, str] = {}
        if self.api_keys:
            from service.access.keys import parse_keys

            try:
                parse_keys(self.api_keys)
            except ValueError as exc:
                problems["api_keys"] = str(exc)
        if self.callback_secrets:
            from service.jobs.callbacks import parse_secrets

            try:
                parse_secrets(self.callback_secrets)
            except ValueError as exc:
                problems["callback_secrets"] = str(exc)
        from service.profiles.catalog import Catalog
        from service.profiles.profile import ProfileError

        try:
            Catalog.load(self.profiles_dir, self.profile, self.key_profiles)
        except ProfileError as exc:
            problems["profiles_dir" if exc.source.endswith(".json") else "profile"] = str(exc)
        if self.cache_url and not self.cache_url.startswith(("redis://", "rediss://", "unix://")):
            problems["cache_url"] = (
                f"must be a redis://, rediss:// or unix:// URL, got {self.cache_url!r}"
            )
        _check_choice(problems, "engine", self.engine, ENGINE_CHOICES)
        _check_choice(problems, "device", self.device, DEVICE_CHOICES)
        _check_choice(problems, "log_level", self.log_level, LOG_LEVELS)
        _check_choice(problems, "quantize", self.quantize, QUANTIZE_CHOICES)
        _check_choice(problems, "dtype", self.dtype, DTYPE_CHOICES)
        _check_choice(problems, "bullet_punctuation", self.bullet_punctuation, PUNCTUATION_CHOICES)
        _check_choice(problems, "unsupported", self.unsupported, UNSUPPORTED_CHOICES)
        for name, low, high in _RANGES:
            value = getattr(self, name)
            if not low <= value <= high:
                problems[name] = f"must be between {low} and {high}, got {value}"
        if problems:
            raise SettingsError(problems)

    @property
    def effective_workers(self) -> int:
        """Return the worker count: set, or one per core, or one for a converted model.

        On CPU one single-threaded worker per core measured faster than one
        worker using every core (bench/README.md): intra-op threads scale
        poorly on the small decoder matmuls, processes do not share a GIL.
        A CTranslate2 copy is the exception: it is not fork-safe, so each
        worker would hold its own copy of the weights, while one worker runs
        one replica per core on a single copy (as fast, half the memory on
        two cores).
        """
        if self.workers:
            return self.workers
        return 1 if self.serves_converted_copy else _default_threads()

    @property
    def effective_threads(self) -> int:
        """Return the threads per worker: set, or 4 beside a seq2seq model, else 2.

        A generation waits on the model (torch or CTranslate2 release the
        GIL, and a converted copy runs a replica per core), so threads keep
        the replicas busy and the box answered meanwhile. The rules and the
        word-piece summary hold the GIL throughout: a worker's threads take
        turns, and more of them only stretch each request. Two (one left
        for a probe beside a slow request) served as many boxes as four with
        p99 55 ms against 67 ms (bench/README.md).
        """
        if self.threads:
            return self.threads
        return 4 if self.serves_model else 2

    @property
    def serves_model(self) -> bool:
        """Tell whether the default engine is a seq2seq model: pinned, or auto with its weights here."""
        from service.modelstore import ModelStore

        if self.engine == "auto":
            return ModelStore(self.model_dir).is_present(self.model)
        return self.engine == "abstractive"

    @property
    def serves_converted_copy(self) -> bool:
        """Tell whether the default engine will serve a CTranslate2 copy on the CPU.

        Read from the disk before any worker starts (the layout depends on
        it); a copy that then fails to load falls back to torch in that one
        worker.
        """
        from service.ct2 import QUANTIZATIONS
        from service.ct2 import ct2_path
        from service.modelstore import ModelStore

        if self.quantize not in ("auto", *QUANTIZATIONS) or self.device == "cuda":
            return False
        if not self.serves_model or not ModelStore(self.model_dir).is_present(self.model):
            return False  # another engine, or a pinned model not fetched yet
        weights = QUANTIZATIONS.get(self.quantize, "float32")
        return (ct2_path(self.model_dir, self.model, weights) / "model.bin").is_file()

    @property
    def effective_torch_threads(self) -> int:
        """Return the torch thread count: set, or the cores shared among workers."""
        if self.torch_threads:
            return self.torch_threads
        return max(1, _default_threads() // self.effective_workers)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``NEWSBRIEF_*`` variables (``os.environ`` by default).

        Raises:
            SettingsError: naming every variable that could not be parsed or
                is out of range, and every unknown ``NEWSBRIEF_*`` variable
                (a typo would otherwise be silently ignored).
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        problems: dict[str, str] = {}
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for key, raw in env.items():
            if not key.startswith(PREFIX):
                continue
            name = key[len(PREFIX) :].lower()
            if name not in fields:
                problems[name] = "unknown setting"
                continue
            try:
                values[name] = _PARSERS[_kind(fields[name])](raw.strip())
            except ValueError as exc:
                problems[name] = str(exc)
        if problems:
            raise SettingsError(problems)
        return cls(**values)

    @classmethod
    def from_mapping(cls, values: Mapping[str, str]) -> Settings:
        """Build settings from short names, e.g. ``{"engine": "lead"}`` (for tests)."""
        return cls.from_env({PREFIX + k.upper(): v for k, v in values.items()})


_RANGES = (
    ("port", 1, 65535),
    ("torch_threads", 0, 256),
    ("workers", 0, 64),
    ("threads", 0, 256),
    ("timeout", 1, 3600),
    ("max_body_bytes", 1024, 64 * 1024 * 1024),
    ("trusted_proxies", 0, 5),
    ("max_input_chars", 100, 10_000_000),
    ("max_batch", 1, 1024),
    ("max_check_sentences", 1, 1000),
    ("generate_batch", 1, 256),
    ("max_chunks", 1, 256),
    ("num_beams", 0, 16),
    ("batch_size", 0, 256),
    ("batch_wait_ms", 0, 10_000),
    ("queue_size", 1, 100_000),
    ("request_timeout", 1, 3600),
    ("cache_bytes", 0, 16 * 1024**3),
    ("cache_ttl", 1, 30 * 86400),
    ("idempotency_ttl", 1, 30 * 86400),
    ("rate_limit", 0, 100_000),
    ("rate_burst", 1, 1_000_000),
    ("auth_failure_rate", 0, 100_000),
    ("auth_failure_burst", 1, 1_000_000),
    ("signature_tolerance", 1, 86400),
    ("metrics_port", 0, 65535),
    ("job_workers", 0, 64),
    ("job_lease", 5, 3600),
    ("job_attempts", 1, 20),
    ("max_queued_jobs", 1, 10_000_000),
    ("max_queued_jobs_per_key", 1, 10_000_000),
    ("max_stored_jobs", 1, 100_000_000),
    ("max_stored_jobs_per_key", 1, 100_000_000),
    ("max_job_bytes", 1024 * 1024, 1024**4),
    ("max_job_bytes_per_key", 64 * 1024, 1024**4),
    ("job_ttl", 60, 90 * 86400),
    ("callback_timeout", 1, 120),
    ("callback_retry_for", 0, 7 * 86400),
    ("callback_workers", 1, 64),
)


def _check_choice(
    problems: dict[str, str], name: str, value: str, choices: tuple[str, ...]
) -> None:
    if value not in choices:
        problems[name] = f"must be one of {', '.join(choices)}, got {value!r}"


def _parse_bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"must be true or false, got {raw!r}")


def _parse_int(raw: str) -> int:
    try:
        return int(raw.replace("_", ""))
    except ValueError:
        raise ValueError(f"must be a whole number, got {raw!r}") from None


def _parse_str(raw: str) -> str:
    if not raw:
        raise ValueError("must not be empty")
    return raw


def _parse_path(raw: str) -> Path:
    return Path(_parse_str(raw))


def _upper(raw: str) -> str:
    return _parse_str(raw).upper()


_PARSERS: dict[str, Callable[[str], Any]] = {
    "bool": _parse_bool,
    "int": _parse_int,
    "str": _parse_str,
    "Path": _parse_path,
    "level": _upper,
}


def _kind(field: dataclasses.Field[Any]) -> str:
    if field.name == "log_level":
        return "level"
    return str(field.type)
