"""Write the "What You Need To Know" box: 3 to 5 declarative one-fact bullets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.bullets.features import FIRST_SECOND_PERSON
from service.bullets.features import LEANING_OPENER
from service.bullets.features import PRONOUN_OPENER
from service.bullets.features import Profile
from service.bullets.features import profile_sentences
from service.bullets.features import similarity
from service.bullets.rewrite import cut_long_tail
from service.bullets.rewrite import drop_asides
from service.bullets.rewrite import drop_attribution
from service.bullets.rewrite import drop_connective
from service.bullets.rewrite import present_attribution
from service.bullets.rewrite import split_clauses
from service.text.article import Article

MIN_BULLETS = 3
MAX_BULLETS = 5
MIN_WORDS = 6
MAX_WORDS = 45


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each signal counts; penalties are subtracted."""

    position: float = 3.0
    centrality: float = 0.55
    title: float = 0.3
    density: float = 0.15
    redundancy: float = 0.7
    quote: float = 0.5
    personal: float = 0.8
    caption: float = 1.5
    broken: float = 1.0
    short: float = 0.5
    long: float = 1.5
    leaning: float = 3.0


@dataclass(frozen=True, slots=True)
class Unit:
    """A candidate bullet: a rewritten sentence or one clause of it."""

    text: str
    order: float
    score: float
    words: frozenset[str]
    needs_previous: bool
    attributed: str | None = None


def bullet_count(article_words: int, candidates: int) -> int:
    """Return how many bullets an article of this length deserves.

    Short copy gets fewer bullets rather than padding; long features get up
    to five. Never more than there are usable candidates.
    """
    if article_words < 150:
        wanted = 1 if article_words < 60 else 2 if article_words < 100 else MIN_BULLETS
    elif article_words < 500:
        wanted = MIN_BULLETS
    elif article_words < 1000:
        wanted = 4
    else:
        wanted = MAX_BULLETS
    return min(wanted, candidates)


class BulletExtractor:
    """Select, shorten and order the key sentences of an article (pure, deterministic)."""

    def __init__(self, *, punctuation: str = "none", weights: Weights | None = None) -> None:
        """Configure the final punctuation ("none" as in the seed box, or "period")."""
        if punctuation not in ("none", "period"):
            raise ValueError("punctuation must be 'none' or 'period'")
        self.punctuation = punctuation
        self.weights = weights or Weights()

    def extract(self, article: Article, count: int | None = None) -> list[str]:
        """Return up to ``count`` bullets (default: by article length), in article order."""
        units = self._units(profile_sentences(article.sentences, article.title))
        wanted = bullet_count(article.words, len(units)) if count is None else count
        chosen = sorted(
            self._select(units, max(0, min(wanted, MAX_BULLETS))), key=lambda u: u.order
        )
        texts = [unit.text for unit in chosen]
        if chosen and chosen[0].attributed:
            texts[0] = chosen[0].attributed  # the news first, as "X says ..."
        return [self._finish(text) for text in texts]

    def _units(self, profiles: Sequence[Profile]) -> list[Unit]:
        if not profiles:
            return []
        top = max(p.centrality for p in profiles) or 1.0
        units: list[Unit] = []
        for profile in profiles:
            if profile.is_question or _has_unbalanced_quote(profile.sentence.text):
                continue
            base = self._score(profile, top)
            text = drop_connective(
                cut_long_tail(drop_attribution(drop_asides(profile.sentence.text)))
            )
            pieces = split_clauses(text) if len(text.split()) > 30 else [text]
            for part, piece in enumerate(pieces):
                unit = self._unit(profile, piece, base, part)
                if unit is not None:
                    units.append(unit)
        return units

    def _unit(self, profile: Profile, text: str, base: float, part: int) -> Unit | None:
        words = len(text.split())
        if words < 3 or _has_unbalanced_quote(text):
            return None
        score = base - self.weights.short * (words < MIN_WORDS + 2)
        score -= self.weights.long * (words > MAX_WORDS)
        score -= part * 0.1
        needs_previous = (
            bool(PRONOUN_OPENER.match(text)) or part > 0 and bool(FIRST_SECOND_PERSON.match(text))
        )
        if LEANING_OPENER.match(text):
            score -= self.weights.leaning  # a connective we could not safely remove
        attributed = None
        if part == 0 and not profile.opens_with_pronoun:
            attributed = present_attribution(drop_asides(profile.sentence.text))
        order = profile.sentence.index + part / 2
        return Unit(text, order, score, profile.words, needs_previous, attributed)

    def _score(self, profile: Profile, top_centrality: float) -> float:
        w = self.weights
        sentence = profile.sentence
        score = w.position / (1.0 + sentence.index) ** 0.5
        score += w.centrality * profile.centrality / top_centrality
        score += w.title * profile.title_overlap
        score += w.density * min(profile.density, 0.3) / 0.3
        score -= w.quote * profile.has_quote + w.personal * profile.is_personal
        score -= w.caption * sentence.is_caption + w.broken * sentence.is_broken
        return float(score)

    def _select(self, units: Sequence[Unit], count: int) -> list[Unit]:
        """Pick by maximal marginal relevance; a pronoun opener needs its predecessor."""
        chosen: list[Unit] = []
        orders = {u.order for u in units}
        while len(chosen) < count:
            picked = {u.order for u in chosen}
            best: Unit | None = None
            best_value = float("-inf")
            for unit in units:
                if unit.order in picked or not _is_anchored(unit, picked, orders):
                    continue
                overlap = max((similarity(unit.words, c.words) for c in chosen), default=0.0)
                value = unit.score - self.weights.redundancy * overlap
                if value > best_value:
                    best, best_value = unit, value
            if best is None:
                break
            chosen.append(best)
        return chosen

    def _finish(self, text: str) -> str:
        text = text.strip()
        if self.punctuation == "none":
            return text[:-1].rstrip() if text.endswith(".") else text
        return text if text[-1:] in ".!?\"'\u201d\u2019" else text + "."


def _is_anchored(unit: Unit, picked: set[float], orders: set[float]) -> bool:
    if not unit.needs_previous:
        return True
    previous = max((o for o in orders if o < unit.order), default=None)
    return previous is not None and previous in picked


def _has_unbalanced_quote(text: str) -> bool:
    doubles = sum(text.count(c) for c in '"\u201c\u201d')
    return doubles % 2 == 1 or text.count("(") != text.count(")")
