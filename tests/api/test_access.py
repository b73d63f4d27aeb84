"""API keys: salted hashes, Bearer or X-API-Key, 401 problem+json, open health."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from service import create_app
from service.access.keys import new_key
from service.access.keys import parse_keys
from service.cli import main
from service.engines import EngineRegistry
from service.settings import Settings
from service.settings import SettingsError
from tests.conftest import FakeSummarizer

BODY = {"text": "The council approved the flood barrier on Monday."}
CMS_KEY, CMS_ENTRY = new_key("cms")
OLD_KEY, OLD_ENTRY = new_key("cms-old")


@pytest.fixture
def secured() -> FlaskClient:
    registry = EngineRegistry({"fake": FakeSummarizer()}, default="fake")
    settings = Settings(load_on_start=False, api_keys=f"{CMS_ENTRY},{OLD_ENTRY}")
    app = create_app(settings, engines=registry)
    registry.load_all()
    return app.test_client()


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": f"Bearer {CMS_KEY}"}, {"X-API-Key": CMS_KEY}, {"X-API-Key": OLD_KEY}],
)
def test_valid_key_is_accepted(secured: FlaskClient, headers: dict[str, str]) -> None:
    assert secured.post("/v1/summaries", json=BODY, headers=headers).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"X-API-Key": CMS_KEY[:-1]},
        {"Authorization": f"Basic {CMS_KEY}"},
    ],
)
def test_missing_or_bad_key_is_401_problem(secured: FlaskClient, headers: dict[str, str]) -> None:
    response = secured.post("/v1/summaries", json=BODY, headers=headers)
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert secured.get("/v1/engines", headers=headers).status_code == 401


def test_health_and_openapi_stay_open(secured: FlaskClient) -> None:
    for path in ("/livez", "/readyz", "/v2/health/live", "/v1/openapi.json"):
        assert secured.get(path).status_code == 200


def test_unauthenticated_request_does_not_claim_idempotency_key(secured: FlaskClient) -> None:
    headers = {"Idempotency-Key": "k-1"}
    assert secured.post("/v1/summaries", json=BODY, headers=headers).status_code == 401
    ok = secured.post("/v1/summaries", json=BODY, headers={**headers, "X-API-Key": CMS_KEY})
    assert ok.status_code == 200 and "Idempotent-Replayed" not in ok.headers


def test_bad_key_setting_is_a_start_up_error() -> None:
    with pytest.raises(SettingsError, match="NEWSBRIEF_API_KEYS"):
        Settings.from_env({"NEWSBRIEF_API_KEYS": "cms:plaintext-key"})


def test_keys_hash_cli_prints_a_parseable_entry() -> None:
    result = CliRunner().invoke(main, ["keys", "hash", "cms"])
    assert result.exit_code == 0
    entry = result.output.strip().splitlines()[-1].split(": ", 1)[1]
    (key,) = parse_keys(entry)
    assert key.name == "cms"


def limited_client(rate: int, burst: int, url: str = "") -> FlaskClient:
    registry = EngineRegistry({"fake": FakeSummarizer()}, default="fake")
    settings = Settings(
        load_on_start=False, api_keys=CMS_ENTRY, rate_limit=rate, rate_burst=burst, cache_url=url
    )
    app = create_app(settings, engines=registry)
    registry.load_all()
    return app.test_client()


def test_rate_limit_answers_429_with_retry_after_per_key() -> None:
    client = limited_client(rate=1, burst=3)
    headers = {"X-API-Key": CMS_KEY}
    statuses = [
        client.post("/v1/bullets", json=BODY, headers=headers).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    limited = client.post("/v1/bullets", json=BODY, headers=headers)
    assert limited.content_type == "application/problem+json"
    assert int(limited.headers["Retry-After"]) >= 1


def test_rate_limit_refills_over_time() -> None:
    import time

    client = limited_client(rate=20, burst=1)
    headers = {"X-API-Key": CMS_KEY}
    assert client.post("/v1/bullets", json=BODY, headers=headers).status_code == 200
    assert client.post("/v1/bullets", json=BODY, headers=headers).status_code == 429
    time.sleep(0.1)
    assert client.post("/v1/bullets", json=BODY, headers=headers).status_code == 200


def test_rate_limit_off_by_default(client: FlaskClient) -> None:
    assert all(client.post("/v1/bullets", json=BODY).status_code == 200 for _ in range(30))


def test_key_name_is_in_metrics_never_the_key(secured: FlaskClient) -> None:
    secured.post("/v1/bullets", json=BODY, headers={"X-API-Key": CMS_KEY})
    text = secured.get("/metrics", headers={"X-API-Key": CMS_KEY}).get_data(as_text=True)
    assert 'key="cms"' in text
    assert CMS_KEY not in text


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("PUT", "/v1/summaries", "application/json"),  # 405 with a key
        ("DELETE", "/v1/bullets", "application/json"),  # 405 with a key
        ("POST", "/v1/summaries", "text/plain"),  # 415 with a key
        ("GET", "/v1/no-such-route", "application/json"),  # 404 with a key
    ],
)
def test_key_is_checked_before_routes_and_media_types_are_revealed(
    secured: FlaskClient, method: str, path: str, content_type: str
) -> None:
    response = secured.open(path, method=method, data="x", content_type=content_type)
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    keyed = secured.open(
        path, method=method, data="x", content_type=content_type, headers={"X-API-Key": CMS_KEY}
    )
    assert keyed.status_code in (404, 405, 415)


def test_failed_authentication_is_rate_limited_per_address(secured: FlaskClient) -> None:
    statuses = [
        secured.post("/v1/summaries", json=BODY, headers={"X-API-Key": f"guess-{n}"}).status_code
        for n in range(30)
    ]
    assert statuses[:10] == [401] * 10  # the default burst of failures
    assert statuses[-1] == 429
    limited = secured.post("/v1/summaries", json=BODY, headers={"X-API-Key": "guess"})
    assert limited.headers.get("Retry-After")
    assert (
        secured.post("/v1/summaries", json=BODY, headers={"X-API-Key": CMS_KEY}).status_code == 200
    )


def test_rate_limit_holds_across_workers_sharing_a_state_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    clients = []
    for _ in range(2):  # two apps = two workers of one host
        registry = EngineRegistry({"fake": FakeSummarizer()}, default="fake")
        settings = Settings(
            load_on_start=False, rate_limit=1, rate_burst=3, state_dir=str(tmp_path)
        )
        app = create_app(settings, engines=registry)
        registry.load_all()
        clients.append(app.test_client())
    statuses = [clients[n % 2].post("/v1/bullets", json=BODY).status_code for n in range(6)]
    assert statuses.count(200) == 3  # burst 3 in all, not 3 per worker
    assert statuses.count(429) == 3


@pytest.mark.parametrize(("trusted", "limited"), [(0, True), (1, False)])
def test_forwarded_for_counts_only_behind_a_trusted_proxy(trusted: int, limited: bool) -> None:
    registry = EngineRegistry({"fake": FakeSummarizer()}, default="fake")
    settings = Settings(load_on_start=False, rate_limit=1, rate_burst=2, trusted_proxies=trusted)
    app = create_app(settings, engines=registry)
    registry.load_all()
    client = app.test_client()
    statuses = [
        client.post("/v1/bullets", json=BODY, headers={"X-Forwarded-For": f"6.6.6.{n}"}).status_code
        for n in range(5)
    ]
    # Spoofed addresses do not buy a client new buckets; a trusted proxy's header does.
    assert (429 in statuses) is limited


def test_an_idempotency_key_belongs_to_the_api_key_that_used_it(secured: FlaskClient) -> None:
    """Another tenant can neither block a guessable key with junk nor read the stored answer."""
    other_key, other_entry = new_key("rival")
    registry = EngineRegistry({"fake": FakeSummarizer()}, default="fake")
    settings = Settings(load_on_start=False, api_keys=f"{CMS_ENTRY},{other_entry}")
    app = create_app(settings, engines=registry)
    registry.load_all()
    client = app.test_client()
    shared = {"Idempotency-Key": "story-7-v2"}
    junk = client.post(
        "/v1/summaries", json={"text": "Junk first."}, headers={**shared, "X-API-Key": other_key}
    )
    mine = client.post("/v1/summaries", json=BODY, headers={**shared, "X-API-Key": CMS_KEY})
    assert junk.status_code == mine.status_code == 200
    assert "Idempotent-Replayed" not in mine.headers
    peek = client.post("/v1/summaries", json=BODY, headers={**shared, "X-API-Key": other_key})
    assert peek.status_code == 422  # its own earlier body differs; never the cms answer
    again = client.post("/v1/summaries", json=BODY, headers={**shared, "X-API-Key": CMS_KEY})
    assert again.headers["Idempotent-Replayed"] == "true"
