"""Model engines behind the real registry and API: readiness, responses, auto."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from service import create_app
from service.engines import ENGINE_FACTORIES
from service.engines import EngineRegistry
from service.engines.base import SummaryParams
from service.engines.extractive import EmbeddingSummarizer
from service.settings import Settings
from service.text.article import prepare
from service.text.sentences import split_sentences
from tests.conftest import HOUSE_STYLE_STORY
from tests.conftest import LONG_LEAD
from tests.conftest import LONG_LEAD_STORY
from tests.conftest import SEED
from tests.model.conftest import tiny_settings
from tests.model.tiny import make_story

pytestmark = pytest.mark.model


def wait_ready(client: FlaskClient, timeout: float = 60) -> list[int]:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen.append(client.get("/readyz").status_code)
        if seen[-1] == 200:
            break
        time.sleep(0.02)
    return seen


def test_api_serves_tiny_model_as_default_engine(model_dir: Path) -> None:
    settings = tiny_settings(model_dir, load_on_start="true")
    client = create_app(settings).test_client()
    seen = wait_ready(client)
    assert seen[-1] == 200
    import random

    story, _ = make_story(random.Random(11))
    response = client.post(
        "/v1/summaries", json={"text": story, "options": {"max_summary_words": 30}}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["engine"] == "abstractive" and body["model"] == "tiny-bart"
    assert body["summary"] and len(body["summary"].split()) <= 30
    engines = {e["name"]: e for e in client.get("/v1/engines").get_json()["engines"]}
    assert engines["abstractive"]["revision"] == "a" * 40
    assert client.application.extensions["newsbrief"].engines.loaded.wait(60)


def test_readiness_waits_for_warmup(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.engines.transformer import TransformerSummarizer

    original = TransformerSummarizer.warmup

    def slow_warmup(self: TransformerSummarizer, sample: str) -> None:
        time.sleep(0.5)
        original(self, sample)

    monkeypatch.setattr(TransformerSummarizer, "warmup", slow_warmup)
    client = create_app(tiny_settings(model_dir, load_on_start="true")).test_client()
    seen = wait_ready(client)
    assert seen[0] == 503 and seen[-1] == 200
    assert client.application.extensions["newsbrief"].engines.loaded.wait(60)


def test_auto_serves_abstractive_when_weights_present(model_dir: Path) -> None:
    settings = tiny_settings(model_dir, engine="auto")
    assert EngineRegistry.from_settings(settings).default == "abstractive"
    missing = tiny_settings(model_dir, engine="auto", model="not-fetched")
    assert EngineRegistry.from_settings(missing).default == "extractive"


@pytest.fixture(scope="module")
def minilm() -> EmbeddingSummarizer:
    engine = EmbeddingSummarizer(Settings(torch_threads=1))
    engine.load()
    return engine


def test_the_extractive_engine_batches_only_when_told_to() -> None:
    """A worker's few threads never fill a batch of eight: waiting for one delayed every summary."""
    engine = ENGINE_FACTORIES["extractive"](Settings(torch_threads=1))
    engine.load()
    assert engine.batcher.batch_size == 1  # type: ignore[attr-defined]  # so it never waits
    told = ENGINE_FACTORIES["extractive"](Settings(torch_threads=1, batch_size=8))
    told.load()
    assert told.batcher.batch_size == 8  # type: ignore[attr-defined]


def test_extractive_is_deterministic_ordered_and_within_limit(minilm: EmbeddingSummarizer) -> None:
    article = prepare(SEED.read_text())
    params = SummaryParams(max_words=60)
    first, second = minilm.summarize([article], params), minilm.summarize([article], params)
    assert first == second
    summary = first[0].text
    assert 0 < len(summary.split()) <= 60 or summary.count(".") == 1

    # Each summary sentence is a whole or shortened article sentence, a person's first
    # mention maybe given its first name ("Lloyd Austin noted ..."): find where it came from.
    def source(part: str) -> int:
        words = part.split()
        for opening in (" ".join(words[:4]), " ".join(words[1:5])):
            found = [s.index for s in article.sentences if opening in s.text]
            if found:
                return found[0]
        raise AssertionError(f"not from the article: {part}")

    positions = [source(part) for part in split_sentences(summary)]
    assert positions == sorted(positions) and positions


def test_extractive_batch_matches_single(minilm: EmbeddingSummarizer) -> None:
    import random

    rng = random.Random(4)
    articles = [prepare(make_story(rng)[0]) for _ in range(3)] + [prepare(SEED.read_text())]
    params = SummaryParams(max_words=40)
    batched = minilm.summarize(articles, params)
    single = [minilm.summarize([a], params)[0] for a in articles]
    assert batched == single


def test_extractive_embeddings_are_unit_length(minilm: EmbeddingSummarizer) -> None:
    import numpy as np

    vectors = minilm.embed(["The council met on Monday.", "Prices rose sharply."])
    assert vectors.shape == (2, 384)
    assert all(abs(float(n) - 1.0) < 1e-4 for n in np.linalg.norm(vectors, axis=1))


def test_extractive_cost_is_bounded_for_many_sentences(minilm: EmbeddingSummarizer) -> None:
    import time

    # One long sentence plus 2,000 short ones: 112 s and 4.7 GB before the candidate cap.
    text = ("The council and the city " * 200 + "met.\n\n") + " ".join(
        f"Resident number {n} spoke at the meeting about the plan." for n in range(2000)
    )
    started = time.perf_counter()
    (summary,) = minilm.summarize([prepare(text)], SummaryParams())
    assert time.perf_counter() - started < 10  # about 0.3 s on 2 cores
    assert 0 < len(summary.text) <= 75 * 40  # the word budget holds, whatever the input


def test_outputs_are_bounded_for_one_huge_sentence(minilm: EmbeddingSummarizer) -> None:
    from service.bullets.extractor import BulletExtractor

    article = prepare("word " * 40_000 + "end.")  # one 200,000-character "sentence"
    (summary,) = minilm.summarize([article], SummaryParams())
    bullets = BulletExtractor().extract(article)
    assert 0 < len(summary.text) <= 2_000 and all(len(b) <= 2_000 for b in bullets)


def test_a_summary_keeps_a_sentence_too_long_for_a_bullet_whole(
    minilm: EmbeddingSummarizer,
) -> None:
    from service.bullets.extractor import BulletExtractor

    article = prepare(LONG_LEAD_STORY)
    assert not any("city council voted" in b for b in BulletExtractor().extract(article))
    (summary,) = minilm.summarize([article], SummaryParams(max_words=70))
    assert LONG_LEAD in summary.text  # prose holds what a bullet cannot, uncut
    (short,) = minilm.summarize([article], SummaryParams(max_words=40))
    assert "city council voted" not in short.text  # not past the budget it was given


@pytest.mark.parametrize("budget", [10, 20, 35, 40, 60, 100])
def test_no_summary_runs_past_its_budget_or_a_bullet(
    minilm: EmbeddingSummarizer, budget: int
) -> None:
    import random

    from service.bullets.extractor import BulletExtractor

    rng = random.Random(budget)
    stories = [SEED.read_text(), LONG_LEAD_STORY, HOUSE_STYLE_STORY]
    stories += [make_story(rng)[0] for _ in range(5)]
    summaries = minilm.summarize([prepare(s) for s in stories], SummaryParams(max_words=budget))
    longest = max(budget, BulletExtractor().selection.max_words)  # at least one bullet's worth
    assert all(0 < len(s.text.split()) <= longest for s in summaries)


def test_the_summary_pool_is_the_best_units_that_fit_in_article_order() -> None:
    from service.bullets.extractor import BulletExtractor
    from service.engines.extractive import MAX_CANDIDATES
    from service.engines.extractive import summary_pool
    from service.engines.extractive import summary_selection

    article = prepare(LONG_LEAD_STORY + "\n\n" + SEED.read_text())
    units = BulletExtractor(selection=summary_selection(BulletExtractor().selection)).candidates(
        article
    )
    for longest in (12, 35, 60):
        pool = summary_pool(units, longest)
        fitting = [u for u in units if len(u.text.split()) <= longest]
        assert len(pool) == min(MAX_CANDIDATES, len(fitting))
        assert [u.order for u in pool] == sorted(u.order for u in pool)
        left_out = [u for u in fitting if u not in pool]
        assert all(u.score <= min(p.score for p in pool) for u in left_out)
    assert any(len(u.text.split()) > 35 for u in summary_pool(units, 60))


def test_the_extractive_summary_is_written_in_the_profiles_house_style(
    minilm: EmbeddingSummarizer,
) -> None:
    from dataclasses import replace

    from service.profiles.catalog import builtin_profiles

    article = prepare(HOUSE_STYLE_STORY)
    general = next(p.selection for p in builtin_profiles() if p.name == "general")
    plain = replace(general, cuts=frozenset(), front_attribution=False)
    (cut,) = minilm.summarize([article], SummaryParams(selection=general))
    (kept,) = minilm.summarize([article], SummaryParams(selection=plain))
    assert "long-serving treasurer" not in cut.text
    assert "long-serving treasurer" in kept.text
