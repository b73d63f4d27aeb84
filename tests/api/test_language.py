"""Language: detected offline, reported honestly, overridable, refused clearly when not served."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from service import create_app
from service.engines import EngineRegistry
from service.settings import Settings
from tests.conftest import FakeSummarizer

ARTICLES = {
    "en": "The city council approved a new flood barrier on Monday after months of debate. "
    "The barrier will protect about three thousand homes along the river and will cost forty "
    "million dollars. Work is expected to start in the spring and to last two years.",
    "es": "El ayuntamiento aprobó el lunes una nueva barrera contra las inundaciones tras meses "
    "de debate. La barrera protegerá unas tres mil viviendas junto al río y costará cuarenta "
    "millones de euros. Las obras comenzarán en primavera y durarán dos años.",
    "de": "Der Stadtrat hat am Montag nach monatelanger Debatte eine neue Hochwassersperre "
    "beschlossen. Die Sperre soll rund dreitausend Wohnungen am Fluss schützen und vierzig "
    "Millionen Euro kosten. Die Arbeiten sollen im Frühjahr beginnen und zwei Jahre dauern.",
    "fr": "Le conseil municipal a approuvé lundi une nouvelle barrière contre les inondations "
    "après des mois de débat. La barrière protégera environ trois mille logements le long du "
    "fleuve et coûtera quarante millions d'euros. Les travaux commenceront au printemps.",
    "it": "Il consiglio comunale ha approvato lunedì una nuova barriera contro le alluvioni dopo "
    "mesi di dibattito. La barriera proteggerà circa tremila abitazioni lungo il fiume e costerà "
    "quaranta milioni di euro. I lavori inizieranno in primavera e dureranno due anni.",
    "pt": "A câmara municipal aprovou na segunda-feira uma nova barreira contra as cheias depois "
    "de meses de debate. A barreira vai proteger cerca de três mil casas junto ao rio e custará "
    "quarenta milhões de euros. As obras começam na primavera e duram dois anos.",
}


def make_client(languages: str = "en") -> FlaskClient:
    registry = EngineRegistry({"fake": FakeSummarizer()}, default="fake")
    app = create_app(Settings(load_on_start=False, languages=languages), engines=registry)
    registry.load_all()
    return app.test_client()


@pytest.mark.parametrize("path", ["/v1/summaries", "/v1/bullets"])
def test_english_article_reports_en(client: FlaskClient, path: str) -> None:
    response = client.post(path, json={"text": ARTICLES["en"]})
    assert response.status_code == 200
    assert response.get_json()["language"] == "en"


@pytest.mark.parametrize("code", ["es", "de", "fr", "it", "pt"])
@pytest.mark.parametrize("path", ["/v1/summaries", "/v1/bullets"])
def test_unserved_language_is_a_clear_422(client: FlaskClient, path: str, code: str) -> None:
    response = client.post(path, json={"text": ARTICLES[code]})
    assert response.status_code == 422
    problem = response.get_json()
    assert response.content_type == "application/problem+json"
    assert problem["type"].endswith("/unsupported-language")
    assert problem["language"] == code and problem["supported"] == ["en"]


def test_language_option_overrides_detection(client: FlaskClient) -> None:
    response = client.post(
        "/v1/summaries", json={"text": ARTICLES["es"], "options": {"language": "en"}}
    )
    assert response.status_code == 200 and response.get_json()["language"] == "en"


@pytest.mark.parametrize("code", ["es", "de"])
def test_served_languages_are_a_setting(code: str) -> None:
    client = make_client(f"en,{code}")
    response = client.post("/v1/bullets", json={"text": ARTICLES[code]})
    assert response.status_code == 200 and response.get_json()["language"] == code


def test_batch_reports_an_unserved_language_per_document(client: FlaskClient) -> None:
    documents = [{"text": ARTICLES["en"]}, {"text": ARTICLES["de"]}]
    results = client.post("/v1/summaries:batch", json={"documents": documents}).get_json()[
        "results"
    ]
    assert [r["ok"] for r in results] == [True, False]
    assert results[1]["error"]["type"].endswith("/unsupported-language")


def test_short_unsure_text_is_not_refused(client: FlaskClient) -> None:
    assert client.post("/v1/bullets", json={"text": "Council votes."}).status_code == 200


def test_language_option_is_validated(client: FlaskClient) -> None:
    response = client.post(
        "/v1/bullets", json={"text": ARTICLES["en"], "options": {"language": "english"}}
    )
    assert response.status_code == 422
