"""Shared fixtures: settings from a dict, fake engines, an app and its client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.engines import EngineRegistry
from service.engines.base import Summarizer
from service.engines.base import Summary
from service.engines.base import SummaryParams
from service.engines.lead import LeadSummarizer
from service.settings import Settings
from service.text.article import Article

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_8dc29571600dcd6e.txt"
# A lead that gives its source last and an appositive: what a house style cuts or keeps.
HOUSE_STYLE_STORY = (
    "Taxes will rise by 3 per cent next year to pay for new schools and roads across the "
    "county, the mayor said on Monday. Jane Smith, the council's long-serving treasurer, "
    "warned that the county's reserves would run out by 2027 without the rise. "
    "The council approved the budget by nine votes to four after a long debate."
)

# A 53-word lead with no clause to split at and none to cut: too long for a bullet.
LONG_LEAD = (
    "The city council voted on Tuesday night to spend four million dollars on new flood defences "
    "along the river after three winters of flooding had damaged more than two hundred homes in "
    "the low streets near the old mill and closed the main bridge into the town centre for weeks "
    "at a time."
)
LONG_LEAD_STORY = "\n\n".join([
    LONG_LEAD,
    "Work on the new walls will begin in the spring and take two years to finish.",
    "The council said the money would come from a national fund for river towns.",
    "Residents of the low streets have asked for better defences since the first floods in 2019.",
    "The main bridge was closed for six weeks last winter while engineers checked it.",
    "Shop owners in the town centre said the closures had cost them much of their trade.",
])  # fmt: skip


def make_article(*sentences: str, paragraphs: int = 1) -> str:
    """Return plain text made of sentences, spread over ``paragraphs`` blocks."""
    per = max(1, len(sentences) // paragraphs)
    blocks = [" ".join(sentences[i : i + per]) for i in range(0, len(sentences), per)]
    return "\n\n".join(blocks)


class FakeSummarizer(Summarizer):
    """Answer with the first words of each article; records the batches it saw."""

    name = "fake"

    def __init__(self, *, fail_load: str | None = None) -> None:
        super().__init__()
        self.fail_load = fail_load
        self.batches: list[int] = []

    def _load(self) -> None:
        if self.fail_load:
            raise RuntimeError(self.fail_load)

    def summarize(self, articles: Sequence[Article], params: SummaryParams) -> list[Summary]:
        self.batches.append(len(articles))
        return [Summary(" ".join(a.text.split()[: params.max_words])) for a in articles]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("NEWSBRIEF_"):
            monkeypatch.delenv(key)


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def settings() -> Settings:
    return Settings.from_mapping({"load_on_start": "false", "engine": "lead"})


@pytest.fixture
def fake() -> FakeSummarizer:
    return FakeSummarizer()


@pytest.fixture
def registry(fake: FakeSummarizer) -> EngineRegistry:
    return EngineRegistry({"fake": fake, "lead": LeadSummarizer()}, default="fake")


@pytest.fixture
def app(settings: Settings, registry: EngineRegistry) -> Iterator[Flask]:
    app = create_app(settings, engines=registry)
    registry.load_all()
    yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
