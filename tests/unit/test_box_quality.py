"""The fitted box: the default profile's weights, one-fact bullets, words only from the article."""

import json
import re
from pathlib import Path

import pytest

from service.bullets.extractor import MAX_WORDS
from service.bullets.extractor import BulletExtractor
from service.bullets.features import content_words
from service.bullets.scoring import FEATURES
from service.bullets.scoring import load_selection
from service.text.article import prepare

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ROOT.parent / "shared" / "eval" / "train.jsonl"
# A bullet cut at an abbreviation ends on it (the final period is dropped).
ABBREVIATION_CUT = re.compile(
    r"(?:\b[ap]\.m|\b(?:Gov|Sen|Rep|Dr|Mr|Mrs|Ms|Lt|Col|Gen|Sgt|Capt|St|Jan|Feb|Aug|Sept|Oct|Nov|"
    r"Dec|No|vs))$"
)


def stems(text: str) -> set[str]:
    """Content words without tense endings: "says" may stand for "said" (the one word change)."""
    return {re.sub(r"(?:es|ed|s|d|e)$", "", w) for w in content_words(text)}


def sample_articles(limit: int = 120) -> list[str]:
    if not TRAIN.exists():
        pytest.skip("needs ../shared/eval/train.jsonl")
    with open(TRAIN, encoding="utf-8") as handle:
        return [json.loads(line)["article"] for line in list(handle)[:limit]]


def test_the_default_selection_is_the_general_profile_and_covers_every_feature() -> None:
    selection = load_selection()
    assert set(selection.weights) == set(FEATURES)
    data, fitted = selection.version.split(".")  # the data's hash, then the fitted content's
    assert len(data) == 12 and len(fitted) == 8
    assert selection.max_words == MAX_WORDS


def test_box_bullets_are_one_fact_long_and_use_only_article_words(seed_text: str) -> None:
    box = BulletExtractor()
    lengths = []
    for text in [seed_text, *sample_articles()]:
        article = prepare(text)
        vocabulary = stems(article.text) | stems(text)
        for bullet in box.extract(article):
            lengths.append(len(bullet.split()))
            assert len(bullet.split()) <= MAX_WORDS
            assert stems(bullet) <= vocabulary, bullet
            assert not ABBREVIATION_CUT.search(bullet), bullet  # never cut at "a.m" or "Gov"
    assert sorted(lengths)[len(lengths) // 2] <= 22
