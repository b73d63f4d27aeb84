"""Write the "What You Need To Know" box: 3 to 5 declarative one-fact bullets."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.bullets.compress import compress
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
from service.bullets.rewrite import fit_long
from service.bullets.rewrite import present_attribution
from service.bullets.rewrite import split_clauses
from service.bullets.scoring import Selection
from service.bullets.scoring import feature_values
from service.bullets.scoring import load_selection
from service.text.abbreviations import LOWER_OPENER
from service.text.abbreviations import MONTH_NAMES
from service.text.abbreviations import WEEKDAYS
from service.text.article import Article

MIN_BULLETS = 3
MAX_BULLETS = 5
DEFAULT_BULLETS = 4
_INNER_NAME = re.compile(r"(?<=\s)[A-Z][a-z]+")
_LOWERCASE_WORD = re.compile(r"\b[a-z]{2,}")  # a verb, an article: what a sentence has
MIN_WORDS = 6  # shorter fragments lean on their neighbours ("Rescuers named it Yawkey")
MAX_WORDS = 35  # a box bullet is one fact: longer candidates are never chosen
SPLIT_WORDS = 22  # try a clause split above this length
SENTENCE_LIMIT = 60  # the position prior makes later sentences irrelevant
# A line under a label of one or two words: a photo caption ("Stunned: Patrick
# McCrystal with his Ford Fiesta"), a transcript ("KH: I'm a big hair-up
# person"), a link ("Photos: Precious monuments lost"), a fact sheet
# ("Passengers: 150 Airplane: Airbus A320"). None reads as a box's fact. A
# timeline's date may label one ("April 1992: A huge IRA car bomb ...").
_LABELLED = re.compile(r"^[A-Z][\w'\u2019.&-]*(?: [\w'\u2019.&-]+)?: ")
_DATE_LABEL = re.compile(rf"^(?:(?:{MONTH_NAMES}|{WEEKDAYS})\b[^:]*|[^:]*\d{{4}}):", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Unit:
    """A candidate bullet: a shortened sentence or one clause of it."""

    text: str
    order: float
    features: tuple[float, ...]
    score: float
    words: frozenset[str]
    needs_previous: bool
    attributed: str | None = None


def bullet_count(article_words: int, candidates: int) -> int:
    """Return how many bullets an article of this length deserves.

    Four is the editors' box (the seed) and the mean number of highlights
    in CNN/DailyMail; short copy gets fewer bullets rather than padding.
    Never more than there are usable candidates.
    """
    if article_words < 60:
        wanted = 1
    elif article_words < 100:
        wanted = 2
    elif article_words < 150:
        wanted = MIN_BULLETS
    else:
        wanted = DEFAULT_BULLETS
    return min(wanted, candidates)


class BulletExtractor:
    """Select, shorten and order the key sentences of an article (pure, deterministic)."""

    def __init__(self, *, punctuation: str = "none", selection: Selection | None = None) -> None:
        """Configure the final punctuation ("none" as in the seed box, or "period")."""
        if punctuation not in ("none", "period"):
            raise ValueError("punctuation must be 'none' or 'period'")
        self.punctuation = punctuation
        self.selection = selection or load_selection()

    def extract(self, article: Article, count: int | None = None) -> list[str]:
        """Return up to ``count`` bullets (default: by article length), in article order."""
        units = self.candidates(article)
        wanted = bullet_count(article.words, len(units)) if count is None else count
        return self.compose(units, wanted)

    def compose(self, units: Sequence[Unit], count: int) -> list[str]:
        """Select ``count`` of the candidates and write them as the box, in article order."""
        chosen = sorted(self.select(units, max(0, min(count, MAX_BULLETS))), key=lambda u: u.order)
        texts = [unit.text for unit in chosen]
        if chosen and chosen[0].attributed:
            texts[0] = chosen[0].attributed  # the news first, as "X says ..."
        return [self._finish(text) for text in texts]

    def candidates(self, article: Article) -> list[Unit]:
        """Return every candidate bullet of an article with its features and score."""
        sentences = article.sentences[:SENTENCE_LIMIT]
        profiles = profile_sentences(sentences, article.title)
        if not profiles:
            return []
        top = max(p.centrality for p in profiles)
        units: list[Unit] = []
        for number, profile in enumerate(profiles):
            if profile.opens_with_pronoun and not (number and _names_someone(profiles[number - 1])):
                continue  # "He said ..." with nobody named just before it dangles
            if profile.is_question or profile.has_quote:
                continue  # the box states facts in its own voice: no questions, no quotes
            if _has_unbalanced_quote(profile.sentence.text):
                continue
            text = shorten(profile.sentence.text)
            pieces = split_clauses(text) if len(text.split()) > SPLIT_WORDS else [text]
            if len(pieces) == 1:
                pieces = [fit_long(text, MAX_WORDS)]
            for part, piece in enumerate(pieces):
                unit = self._unit(profile, piece, part, len(sentences), top)
                if unit is not None:
                    units.append(unit)
        return units

    def _unit(
        self, profile: Profile, text: str, part: int, sentences: int, top: float
    ) -> Unit | None:
        words = len(text.split())
        if words < MIN_WORDS or words > MAX_WORDS or _has_unbalanced_quote(text):
            return None
        if not _LOWERCASE_WORD.search(text):
            return None  # a line-up, a table row, a shouted heading: names, no fact
        opening = text.lstrip("\"'\u201c\u2018 ")
        if LEANING_OPENER.match(opening):
            return None  # "But ..." leans on a sentence the reader never sees
        if LOWER_OPENER.match(opening):
            return None  # a fragment: its subject was lost (a line break, scraped-out names)
        if _LABELLED.match(opening) and not _DATE_LABEL.match(opening):
            return None  # a caption, a transcript, a link or a fact sheet under its label
        features = tuple(feature_values(profile, text, part, sentences, top))
        # "He said ..." only right after the sentence that names him, never first.
        needs_previous = bool(PRONOUN_OPENER.match(opening)) or (
            part > 0 and bool(FIRST_SECOND_PERSON.match(text))
        )
        attributed = None
        if part == 0 and not profile.opens_with_pronoun:
            moved = present_attribution(drop_asides(profile.sentence.text))
            if moved is not None:
                moved = compress(moved)
                attributed = moved if len(moved.split()) <= MAX_WORDS else None
        order = profile.sentence.index + part / 2
        score = self.selection.score(features)
        return Unit(text, order, features, score, profile.words, needs_previous, attributed)

    def select(self, units: Sequence[Unit], count: int) -> list[Unit]:
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
                value = self.value(unit, chosen)
                if value > best_value:
                    best, best_value = unit, value
            if best is None:
                break
            chosen.append(best)
        return chosen

    def value(self, unit: Unit, chosen: Sequence[Unit]) -> float:
        """Return what picking ``unit`` after ``chosen`` adds: its score less overlap and length."""
        overlap = max((similarity(unit.words, c.words) for c in chosen), default=0.0)
        length = len(unit.text.split()) / 30
        return unit.score - self.selection.redundancy * overlap - self.selection.brevity * length

    def _finish(self, text: str) -> str:
        text = text.strip()
        if self.punctuation == "none":
            return text[:-1].rstrip() if text.endswith(".") else text
        return text if text[-1:] in ".!?\"'\u201d\u2019" else text + "."


def shorten(sentence: str) -> str:
    """Apply every safe deletion to one sentence (asides, attribution, adjuncts, clauses)."""
    text = drop_connective(cut_long_tail(drop_attribution(drop_asides(sentence))))
    return compress(text)


def _names_someone(profile: Profile) -> bool:
    """Tell whether a sentence names a person or body a pronoun could point back to."""
    return bool(_INNER_NAME.search(profile.sentence.text))


def _is_anchored(unit: Unit, picked: set[float], orders: set[float]) -> bool:
    if not unit.needs_previous:
        return True
    previous = max((o for o in orders if o < unit.order), default=None)
    return previous is not None and previous in picked


def _has_unbalanced_quote(text: str) -> bool:
    doubles = sum(text.count(c) for c in '"\u201c\u201d')
    return doubles % 2 == 1 or text.count("(") != text.count(")")
