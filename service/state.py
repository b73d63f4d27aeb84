"""Hold what one app instance serves: settings, engines and the bullet extractor."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from service.access.keys import ApiKey
from service.access.keys import parse_keys
from service.access.ratelimit import RateLimiter
from service.access.ratelimit import bucket_ttl
from service.access.signatures import MAX_FUTURE_SKEW_S
from service.bullets.extractor import BulletExtractor
from service.checks.verdict import Checker
from service.engines import EngineRegistry
from service.jobs.callbacks import CallbackPolicy
from service.jobs.callbacks import parse_secrets
from service.jobs.queue import JobQueue
from service.profiles.catalog import Catalog
from service.settings import Settings
from service.store import open_backend
from service.store.idempotency import IDEMPOTENCY_BYTES
from service.store.idempotency import IdempotencyStore
from service.store.jobs import Budget
from service.store.jobs import make_table
from service.store.memory import MemoryStore
from service.store.policy import FailClosed
from service.store.policy import FailOpen
from service.store.policy import FallBack
from service.store.results import ResultCache

EXTENSION = "newsbrief"
REPLAY_BYTES = 16 * 1024 * 1024  # signed requests remembered per process without a shared store
BUCKET_BYTES = 16 * 1024 * 1024  # rate buckets per process


@dataclass(frozen=True, slots=True)
class ServiceState:
    """Everything a view needs, stored once in ``app.extensions``."""

    settings: Settings
    engines: EngineRegistry
    profiles: Catalog
    extractors: dict[str, BulletExtractor]
    checker: Checker
    cache: ResultCache
    idempotency: IdempotencyStore
    replays: FailClosed
    jobs: JobQueue
    callback_policy: CallbackPolicy
    callback_secrets: dict[str, str]
    keys: tuple[ApiKey, ...] = ()
    limiter: RateLimiter | None = None
    auth_failures: RateLimiter | None = None
    security_stores: tuple[FailClosed, ...] = ()

    @classmethod
    def build(cls, settings: Settings, engines: EngineRegistry) -> ServiceState:
        """Assemble the state from settings."""
        url, folder = settings.cache_url, settings.state_dir
        profiles = Catalog.load(settings.profiles_dir, settings.profile, settings.key_profiles)
        idempotency = FailClosed(
            open_backend(url, folder, "nb:idem:", IDEMPOTENCY_BYTES, settings.idempotency_ttl),
            "idempotency",
        )
        replay_ttl = settings.signature_tolerance + MAX_FUTURE_SKEW_S
        replays = FailClosed(
            open_backend(url, folder, "nb:sig:", REPLAY_BYTES, replay_ttl), "replays"
        )
        results = FailOpen(
            open_backend(url, "", "nb:result:", settings.cache_bytes, settings.cache_ttl), "results"
        )
        return cls(
            settings=settings,
            engines=engines,
            profiles=profiles,
            extractors={
                name: BulletExtractor(
                    punctuation=settings.bullet_punctuation, selection=profile.selection
                )
                for name, profile in profiles.profiles.items()
            },
            checker=Checker(),
            cache=ResultCache(results if settings.cache_bytes else None, settings.cache_ttl),
            idempotency=IdempotencyStore(idempotency, settings.idempotency_ttl),
            replays=replays,
            jobs=JobQueue(
                lambda: make_table(url, folder, settings.job_ttl),
                settings.job_lease,
                Budget(
                    settings.max_queued_jobs,
                    settings.max_queued_jobs_per_key,
                    settings.max_stored_jobs,
                    settings.max_stored_jobs_per_key,
                    settings.max_job_bytes,
                    settings.max_job_bytes_per_key,
                ),  # fmt: skip
            ),
            callback_policy=CallbackPolicy(settings.callback_allow),
            callback_secrets=_callback_secrets(settings),
            keys=parse_keys(settings.api_keys),
            limiter=_limiter(settings, "rate", settings.rate_limit, settings.rate_burst),
            auth_failures=_limiter(
                settings, "authfail", settings.auth_failure_rate, settings.auth_failure_burst
            ),
            # Replay protection is state only when signatures are required.
            security_stores=(idempotency, replays) if settings.webhook_secret else (idempotency,),
        )


def _limiter(settings: Settings, name: str, rate: int, burst: int) -> RateLimiter:
    ttl = bucket_ttl(rate, burst)
    shared = open_backend(settings.cache_url, settings.state_dir, f"nb:{name}:", BUCKET_BYTES, ttl)
    return RateLimiter(rate, burst, FallBack(shared, name, MemoryStore(BUCKET_BYTES, ttl)))


def _callback_secrets(settings: Settings) -> dict[str, str]:
    """Name the callback secrets; without any, the webhook secret (its first) is "default"."""
    named = parse_secrets(settings.callback_secrets)
    if not named and settings.webhook_secret:
        named["default"] = settings.webhook_secret.split(",")[0].strip()
    return named


def get_state() -> ServiceState:
    """Return the state of the app handling the current request."""
    state: ServiceState = current_app.extensions[EXTENSION]
    return state
