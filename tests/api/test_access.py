"""API keys: salted hashes, Bearer or X-API-Key, 401 problem+json, open health."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from service import create_app
from service.auth import new_key
from service.auth import parse_keys
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
