"""Hold what one app instance serves: settings, engines and the bullet extractor."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from service.access.keys import ApiKey
from service.access.keys import parse_keys
from service.access.ratelimit import RateLimiter
from service.access.signatures import MAX_FUTURE_SKEW_S
from service.bullets.extractor import BulletExtractor
from service.cache import IDEMPOTENCY_BYTES
from service.cache import IdempotencyStore
from service.cache import ResultCache
from service.cache import Store
from service.cache import make_store
from service.checks.verdict import Checker
from service.engines import EngineRegistry
from service.jobs.callbacks import CallbackPolicy
from service.jobs.callbacks import parse_secrets
from service.jobs.queue import JobQueue
from service.jobs.tables import Budget
from service.jobs.tables import make_table
from service.settings import Settings

EXTENSION = "newsbrief"
REPLAY_BYTES = 16 * 1024 * 1024  # signed requests remembered per process without a shared store


@dataclass(frozen=True, slots=True)
class ServiceState:
    """Everything a view needs, stored once in ``app.extensions``."""

    settings: Settings
    engines: EngineRegistry
    extractor: BulletExtractor
    checker: Checker
    cache: ResultCache
    idempotency: IdempotencyStore
    replays: Store
    jobs: JobQueue
    callback_policy: CallbackPolicy
    callback_secrets: dict[str, str]
    keys: tuple[ApiKey, ...] = ()
    limiter: RateLimiter | None = None
    auth_failures: RateLimiter | None = None

    @classmethod
    def build(cls, settings: Settings, engines: EngineRegistry) -> ServiceState:
        """Assemble the state from settings."""
        return cls(
            settings=settings,
            engines=engines,
            extractor=BulletExtractor(punctuation=settings.bullet_punctuation),
            checker=Checker(),
            cache=ResultCache(
                make_store(
                    settings.cache_url, "nb:result:", settings.cache_bytes, settings.cache_ttl
                )
                if settings.cache_bytes
                else None,
                settings.cache_ttl,
            ),
            idempotency=IdempotencyStore(
                make_store(
                    settings.cache_url,
                    "nb:idem:",
                    IDEMPOTENCY_BYTES,
                    settings.idempotency_ttl,
                    settings.state_dir,
                ),  # fmt: skip
                settings.idempotency_ttl,
            ),
            replays=make_store(
                settings.cache_url,
                "nb:sig:",
                REPLAY_BYTES,
                settings.signature_tolerance + MAX_FUTURE_SKEW_S,
                settings.state_dir,
            ),  # fmt: skip
            jobs=JobQueue(
                lambda: make_table(settings.cache_url, settings.state_dir, settings.job_ttl),
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
            limiter=RateLimiter(
                settings.rate_limit, settings.rate_burst, settings.cache_url, settings.state_dir
            ),
            auth_failures=RateLimiter(
                settings.auth_failure_rate,
                settings.auth_failure_burst,
                settings.cache_url,
                settings.state_dir,
                name="authfail",
            ),  # fmt: skip
        )


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
