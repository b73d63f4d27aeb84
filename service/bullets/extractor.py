"""Write the "What You Need To Know" box: 3 to 5 declarative one-fact bullets."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache

from service.bullets.compress import ALL_CUTS
from service.bullets.compress import compress
from service.bullets.features import BACK_REFERENCE
from service.bullets.features import FIRST_SECOND_PERSON
from service.bullets.features import LEANING_OPENER
from service.bullets.features import PRONOUN_OPENER
from service.bullets.features import Profile
from service.bullets.features import content_words
from service.bullets.features import profile_sentences
from service.bullets.features import similarity
from service.bullets.rewrite import cut_long_tail
from service.bullets.rewrite import drop_asides
from service.bullets.rewrite import drop_attribution
from service.bullets.rewrite import drop_connective
from service.bullets.rewrite import fit_long
from service.bullets.rewrite import present_attribution
from service.bullets.rewrite import split_clauses
from service.bullets.scoring import LENGTH
from service.bullets.scoring import Selection
from service.bullets.scoring import feature_values
from service.bullets.scoring import load_selection
from service.text.abbreviations import LOWER_OPENER
from service.text.abbreviations import MONTH_NAMES
from service.text.abbreviations import SUFFIXES
from service.text.abbreviations import TITLES
from service.text.abbreviations import WEEKDAYS
from service.text.article import Article
from service.text.furniture import is_furniture
from service.text.quotes import is_elision
from service.text.sentences import Sentence
from service.text.tail import search_end

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
# The next sentence gives this one's source: "Or so says actress ...",
# "That's according to a leaked memo.", "That is what the minister said."
_ATTRIBUTES_PREVIOUS = re.compile(
    r"^(?:or\s+)?(?:so\s+(?:says|said|claims?|claimed|believes?|thinks?)\b"
    r"|(?:that|this)(?:'s|\u2019s|\s+is|\s+was)\s+(?:according\s+to|what)\b)",
    re.IGNORECASE,
)
# A line that leans on what follows it: an attribution whose quotation was
# split off ("Her lawyer Mihir Desai said:"), or any line that introduces a
# quotation or a list ("Here is his speech in full:.", with the stop added
# where the copy's line ended).
# A sentence that only introduces what follows: "Her lawyer said:", "He wrote:.",
# "The statement added". Both forms are end-anchored, so only the tail is searched
# (``is_lead_in``); the verb's form also needs no comma before it.
_LEAD_IN_END = re.compile(
    r"\b(?:said|says|told\s+\w+|added|explained|insisted|warned|wrote)\s*[.:]?$"
)
_LEAD_IN_CHARS = 64
# "Mr Adams did not believe ...": a surname the box must have introduced.
_TITLED = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor)\.?\s+(?P<surname>[A-Z][\w'\u2019-]+)")
RECENT_ARTICLES = 16  # candidates remembered (per process), for the request's second reader
_RECENT: OrderedDict[tuple[int, Article], tuple[Selection, tuple[Unit, ...]]] = OrderedDict()
# Each sentence's pieces before the length limit, per article and cuts: the box
# and the summary (one house style's cuts, two limits) share them.
_DRAFTS: OrderedDict[tuple[frozenset[str], Article], Drafts] = OrderedDict()
_RECENT_LOCK = threading.Lock()
CATAPHORA_WORDS = 12  # a lede's pronoun is resolved later in the sentence
# A final period that belongs to an abbreviation: "5 a.m.", "the U.S.", "Acme Inc."
# (searched in the last characters only: the longest is "Messrs." after a space)
_ABBREVIATION_CHARS = 12
_ABBREVIATION_END = re.compile(
    rf"(?:\b(?:[A-Za-z]\.){{2,}}|\b(?:{'|'.join(sorted(SUFFIXES | TITLES))})\.)$", re.IGNORECASE
)
_DATE_LABEL = re.compile(rf"^(?:(?:{MONTH_NAMES}|{WEEKDAYS})\b[^:]*|[^:]*\d{{4}}):", re.IGNORECASE)


def forget_candidates() -> None:
    """Drop the remembered candidates (benchmarks time each request on its own)."""
    with _RECENT_LOCK:
        _RECENT.clear()
        _DRAFTS.clear()


@dataclass(slots=True)  # not frozen: a frozen init costs 5x, and every request builds dozens
class Unit:
    """A candidate bullet: a shortened sentence or one clause of it."""

    text: str
    order: float
    features: tuple[float, ...]
    score: float
    words: frozenset[str]
    needs_previous: bool
    # What ``attributed`` needs (``fronted``'s arguments), when the unit may lead
    # as "X says ...": asked for only of the box's first bullet, so found then.
    fronting: tuple[str, frozenset[str], int] | None = None  # sentence, cuts, longest
    source: int | None = None  # the article sentence it was cut from
    article: str = ""  # the article's text: where a name is given in full, a name told apart

    @property
    def attributed(self) -> str | None:
        """Return the whole sentence with its source first ("X says ..."), if it fits a bullet."""
        if self.fronting is None:
            return None
        sentence, cuts, max_words = self.fronting
        return fronted(sentence, self.article, cuts, max_words)


@dataclass(frozen=True, slots=True)
class Bullet:
    """A bullet of the box and the article sentence it was written from."""

    text: str
    source: int | None


def bullet_count(article_words: int, candidates: int, full: int = DEFAULT_BULLETS) -> int:
    """Return how many bullets an article of this length deserves.

    Four (``full``, a profile may fit another) is the editors' box (the
    seed) and the mean number of highlights in CNN/DailyMail; short copy
    gets fewer bullets rather than padding. Never more than there are
    usable candidates.
    """
    if article_words < 60:
        wanted = 1
    elif article_words < 100:
        wanted = 2
    elif article_words < 150:
        wanted = min(MIN_BULLETS, full)
    else:
        wanted = full
    return min(wanted, candidates)


@dataclass(frozen=True, slots=True)
class Drafts:
    """An article's usable sentences, shortened by a house style's cuts, before any length limit.

    ``sentences``: each sentence's profile and its pieces (its clauses, or
    the one shortened sentence); ``count``: the sentences read; ``top``: the
    highest centrality among them; ``readings``: what ``read`` found of each
    piece, remembered for the next limit.
    """

    sentences: tuple[tuple[Profile, tuple[str, ...]], ...]
    count: int
    top: float
    readings: dict[tuple[int, str, int], tuple[tuple[float, ...], bool] | None] = field(
        default_factory=dict, compare=False
    )

    def read(self, profile: Profile, text: str, part: int) -> tuple[tuple[float, ...], bool] | None:
        """Return a piece's features and whether it leans on the sentence before, or None.

        None when no house style could use it, whatever its limit: too
        short, a fragment, a label, an opener that leans on what is unseen.
        """
        key = (profile.sentence.index, text, part)  # a repeated sentence is read where it is
        if key not in self.readings:
            self.readings[key] = _reading(profile, text, part, self.count, self.top)
        return self.readings[key]


def _reading(
    profile: Profile, text: str, part: int, sentences: int, top: float
) -> tuple[tuple[float, ...], bool] | None:
    """Return ``Drafts.read``'s answer for one piece (its limit is the house style's to apply)."""
    if len(text.split()) < MIN_WORDS or _has_unbalanced_quote(text):
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
    needs_previous = (
        bool(PRONOUN_OPENER.match(opening) or BACK_REFERENCE.match(opening))
        and not (part == 0 and _is_cataphoric(profile))
    ) or (part > 0 and bool(FIRST_SECOND_PERSON.match(text)))
    return features, needs_previous


def drafted(article: Article, cuts: frozenset[str]) -> Drafts:
    """Return the article's drafts under ``cuts``, remembered for the last few articles."""
    key = (cuts, article)
    with _RECENT_LOCK:
        hit = _DRAFTS.get(key)
        if hit is not None:
            _DRAFTS.move_to_end(key)
            return hit
    drafts = _draft(article, cuts)
    with _RECENT_LOCK:
        _DRAFTS[key] = drafts
        while len(_DRAFTS) > RECENT_ARTICLES:
            _DRAFTS.popitem(last=False)
    return drafts


def _draft(article: Article, cuts: frozenset[str]) -> Drafts:
    sentences = article.sentences[:SENTENCE_LIMIT]
    profiles = profile_sentences(sentences, article.title)
    if not profiles:
        return Drafts((), len(sentences), 0.0)
    drafts: list[tuple[Profile, tuple[str, ...]]] = []
    quoted = inside_quotation([p.sentence for p in profiles])
    for number, profile in enumerate(profiles):
        text = profile.sentence.text
        if profile.opens_with_pronoun and not (
            (number and _names_someone(profiles[number - 1])) or _is_cataphoric(profile)
        ):
            continue  # "He said ..." with nobody named just before it dangles
        if profile.is_question or profile.has_quote or quoted[number]:
            continue  # the box states facts in its own voice: no questions, no quotes
        if is_furniture(text, profile.runs) or _has_unbalanced_quote(text):
            continue  # page furniture is never content
        if number + 1 < len(profiles) and _ATTRIBUTES_PREVIOUS.match(
            profiles[number + 1].sentence.text
        ):
            continue  # "... a modern-day suffragette." "Or so says actress ..."
        if is_lead_in(text):
            continue  # "Her lawyer said:", "He wrote:.": what it introduces is not here
        text = shorten(text, cuts)
        pieces = split_clauses(text) if len(text.split()) > SPLIT_WORDS else [text]
        drafts.append((profile, tuple(pieces)))
    return Drafts(tuple(drafts), len(sentences), max(p.centrality for p in profiles))


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
        return [bullet.text for bullet in self.box(article, count)]

    def box(self, article: Article, count: int | None = None) -> list[Bullet]:
        """Return ``extract``'s bullets with the article sentence each was written from."""
        units = self.candidates(article)
        if count is not None:
            return self.composed(units, count)
        return self.composed(*self.planned(article.words, units))

    def planned(
        self, article_words: int, units: Sequence[Unit]
    ) -> tuple[Sequence[Unit], int, list[Unit] | None]:
        """Return the candidates, the count the rule gives, and the greedy picks it made, if any.

        A threshold rule picks up to its maximum to see what each bullet
        adds; greedy picks of fewer are the first of those, so the box
        reuses them instead of selecting again.
        """
        rule = self.selection.count
        if rule.rule == LENGTH:
            return units, bullet_count(article_words, len(units), rule.default), None
        picks = self.select(units, rule.maximum)
        values = self._added(picks)
        wanted = next((i for i, v in enumerate(values) if v < rule.threshold), len(values))
        short = bullet_count(article_words, len(units), rule.minimum)  # short copy: fewer
        count = min(max(wanted, short), rule.maximum, len(units))
        return units, count, picks[:count] if len(picks) >= count else None

    def values(self, units: Sequence[Unit], count: int) -> list[float]:
        """Return what each of the first ``count`` greedy picks adds, in the order picked."""
        return self._added(self.select(units, count))

    def _added(self, picks: Sequence[Unit]) -> list[float]:
        """Return what each greedy pick added after those before it."""
        return [self.value(unit, picks[:i]) for i, unit in enumerate(picks)]

    def compose(self, units: Sequence[Unit], count: int) -> list[str]:
        """Select ``count`` of the candidates and write them as the box, in article order."""
        return [bullet.text for bullet in self.composed(units, count)]

    def composed(
        self, units: Sequence[Unit], count: int, picks: Sequence[Unit] | None = None
    ) -> list[Bullet]:
        """Select ``count`` of the candidates and write them as the box, in article order.

        ``picks``: the greedy selection of ``count``, when already made. A
        bullet that leans on a name the box never introduced ("Mr Adams did
        not believe ...") gives way to the next candidate.
        """
        pool = list(units)
        while True:
            if picks is None:
                picks = self.select(pool, max(0, min(count, MAX_BULLETS)))
            chosen = sorted(picks, key=lambda u: u.order)
            picks = None
            stray = first_stray(chosen)
            if stray is None:
                break
            pool.remove(chosen[stray])
        texts = [unit.text for unit in chosen]
        lead = chosen[0].attributed if chosen else None
        if lead:
            texts[0] = lead  # the news first, as "X says ..."
        if chosen:
            texts = first_references(texts, chosen[0].article, longest=self.selection.max_words)
        return [
            Bullet(self._finish(text), unit.source)
            for text, unit in zip(texts, chosen, strict=True)
        ]

    def candidates(self, article: Article) -> list[Unit]:
        """Return every candidate bullet of an article with its features and score.

        Remembered for the last few articles: the box and the extractive
        summary of one request (two extractors, one selection) share them.
        """
        key = (id(self.selection), article)
        with _RECENT_LOCK:
            hit = _RECENT.get(key)
            if hit is not None and hit[0] is self.selection:
                _RECENT.move_to_end(key)
                return list(hit[1])
        units = self._candidates(article)
        with _RECENT_LOCK:
            _RECENT[key] = (self.selection, tuple(units))
            while len(_RECENT) > RECENT_ARTICLES:
                _RECENT.popitem(last=False)
        return units

    def _candidates(self, article: Article) -> list[Unit]:
        drafts = drafted(article, self.selection.cuts)
        units: list[Unit] = []
        for profile, pieces in drafts.sentences:
            if len(pieces) == 1:
                pieces = (fit_long(pieces[0], self.selection.max_words),)
            for part, piece in enumerate(pieces):
                unit = self._unit(profile, piece, part, drafts, article.text)
                if unit is not None:
                    units.append(unit)
        return units

    def _unit(
        self, profile: Profile, text: str, part: int, drafts: Drafts, context: str
    ) -> Unit | None:
        """Return one candidate, or None when it cannot be a bullet (``context``: the article)."""
        if len(text.split()) > self.selection.max_words:
            return None
        reading = drafts.read(profile, text, part)
        if reading is None:
            return None
        features, needs_previous = reading
        fronting = None
        if (
            self.selection.front_attribution
            and part == 0
            and (not profile.opens_with_pronoun or _is_cataphoric(profile))
        ):
            fronting = (profile.sentence.text, self.selection.cuts, self.selection.max_words)
        order = profile.sentence.index + part / 2
        score = self.selection.score(features)
        return Unit(
            text, order, features, score, profile.words, needs_previous, fronting,
            profile.sentence.index, context,
        )  # fmt: skip

    def select(self, units: Sequence[Unit], count: int) -> list[Unit]:
        """Pick by maximal marginal relevance; a pronoun opener needs its predecessor."""
        chosen: list[Unit] = []
        orders = {u.order for u in units}
        redundancy, brevity = self.selection.redundancy, self.selection.brevity
        # ``value``, with each candidate's length counted once and its overlap with
        # the chosen so far kept up to date as each pick is made (not rescanned).
        lengths = [len(u.text.split()) / 30 for u in units]
        overlap = [0.0] * len(units)
        while len(chosen) < count:
            picked = {u.order for u in chosen}
            best: int | None = None
            best_value = float("-inf")
            for i, unit in enumerate(units):
                if unit.order in picked or not is_anchored(unit, picked, orders):
                    continue
                value = unit.score - redundancy * overlap[i] - brevity * lengths[i]
                if value > best_value and not any(repeats(unit.text, c.text) for c in chosen):
                    best, best_value = i, value  # one fact once
            if best is None:
                break
            new = units[best]
            chosen.append(new)
            if redundancy and len(chosen) < count:  # the last pick changes no later choice
                for i, unit in enumerate(units):
                    overlap[i] = max(overlap[i], similarity(unit.words, new.words))
        return chosen

    def value(self, unit: Unit, chosen: Sequence[Unit]) -> float:
        """Return what picking ``unit`` after ``chosen`` adds: its score less overlap and length."""
        overlap = max((similarity(unit.words, c.words) for c in chosen), default=0.0)
        length = len(unit.text.split()) / 30
        return unit.score - self.selection.redundancy * overlap - self.selection.brevity * length

    def _finish(self, text: str) -> str:
        text = text.strip()
        if self.punctuation == "none":
            if text.endswith(".") and not search_end(_ABBREVIATION_END, text, _ABBREVIATION_CHARS):
                return text[:-1].rstrip()
            return text  # "at 5 a.m." keeps its abbreviation's period
        return text if text[-1:] in ".!?\"'\u201d\u2019" else text + "."


def is_lead_in(text: str) -> bool:
    """Tell whether a sentence only introduces a quotation that is not in it ("He said:")."""
    end = len(text)
    while end and (text[end - 1] == "." or text[end - 1].isspace()):
        end -= 1
    if end and text[end - 1] == ":":
        return True  # ":", ": .", ":.": whatever it introduces is not here
    found = search_end(_LEAD_IN_END, text, _LEAD_IN_CHARS)
    return found is not None and "," not in text[: found.start()]


def shorten(sentence: str, cuts: frozenset[str] = ALL_CUTS) -> str:
    """Apply every safe deletion to one sentence (asides, attribution, adjuncts, clauses).

    ``cuts``: the compression classes (``compress.CUTS``) the house style makes.
    """
    text = drop_connective(cut_long_tail(drop_attribution(drop_asides(sentence))))
    return compress(text, cuts)


def inside_quotation(sentences: Sequence[Sentence]) -> list[bool]:
    """Tell, for each sentence, whether it lies inside a quotation begun before it.

    A quotation of several sentences marks only its first and last; the
    ones after the first are still someone speaking ("Equally, if they don't
    play well, it's the manager who gets the stick."). A quotation counts
    only when it closes within ``QUOTE_SPAN`` sentences of its paragraph: a
    stray mark in scraped copy must not silence the rest of the story.
    """
    inside = [False] * len(sentences)
    opened: int | None = None
    for number, sentence in enumerate(sentences):
        if opened is not None and sentence.paragraph != sentences[opened].paragraph:
            opened = None  # a paragraph closes any quotation; the next reopens it
        was_open = opened is not None
        for opens in _quote_events(sentence.text):
            if opens:
                opened = number if opened is None else opened
            elif opened is not None:
                for between in range(opened + 1, number + 1):
                    inside[between] = True
                opened = None
        if was_open and opened is not None and number - opened >= QUOTE_SPAN:
            opened = None
    return inside


QUOTE_SPAN = 6
_MARKS = re.compile("[\"\u201c\u201d'\u2018\u2019]")
_OPEN_BEFORE = frozenset(" \t\n(")
_CLOSE_AFTER = frozenset(" \t\n).,;:!?")


def _quote_events(text: str) -> list[bool]:
    """Return the quotation marks of a text in order: True opens, False closes.

    An opening mark follows a space or the start and precedes a word; a
    closing mark follows a word or punctuation and precedes a space,
    punctuation or the end. An apostrophe inside a word ("don't") is neither.
    """
    events = []
    last = len(text) - 1
    for match in _MARKS.finditer(text):
        at = match.start()
        before = text[at - 1] if at else " "
        after = text[at + 1] if at < last else " "
        if is_elision(text, at):
            continue
        if (
            before in _OPEN_BEFORE
            and (after.isalnum() or after in "_\u2026.")
            and (match.group() not in "\u201d\u2019")
        ):
            events.append(True)
        elif (
            (before.isalnum() or before in "_.,!?;:\u2026*")
            and (after in _CLOSE_AFTER or at == last)
            and match.group() not in "\u201c\u2018"
        ):
            events.append(False)
    return events


def _is_cataphoric(profile: Profile) -> bool:
    """Tell whether a lede's opening pronoun is resolved later in its own sentence.

    "They may not be "Star Trek"-type extraterrestrials, but we may be close
    to finding evidence of alien life, a NASA scientist says." A lede opens
    the story, so its pronoun points forward; it qualifies when its source
    can move to the front ("A NASA scientist says they ..."), so the box
    does not open on the pronoun.
    """
    sentence = profile.sentence
    return (
        sentence.index == 0
        and sentence.words >= CATAPHORA_WORDS
        and (fronted(sentence.text) is not None)
    )


def fronted(
    sentence: str, context: str = "", cuts: frozenset[str] = ALL_CUTS, max_words: int = MAX_WORDS
) -> str | None:
    """Return the sentence with its attribution moved to the front, if it fits a bullet.

    ``context``: the article, which tells a name from a common word.
    """
    moved = present_attribution(drop_asides(sentence), context)
    if moved is None:
        return None
    moved = compress(moved, cuts)
    return moved if len(moved.split()) <= max_words else None


def _names_someone(profile: Profile) -> bool:
    """Tell whether a sentence names a person or body a pronoun could point back to."""
    return bool(_INNER_NAME.search(profile.sentence.text))


def is_anchored(unit: Unit, picked: set[float], orders: set[float]) -> bool:
    """Tell whether a pronoun opener's sentence is picked: the one just before it.

    When that sentence gave no candidate (a quotation, a caption), the
    pronoun points at something the box cannot show.
    """
    if not unit.needs_previous:
        return True
    previous = max((o for o in orders if o < unit.order), default=None)
    return previous is not None and previous in picked and int(previous) >= int(unit.order) - 1


def first_stray(chosen: Sequence[Unit]) -> int | None:
    """Return where the first unit (in article order) leans on a name none before it introduced."""
    return next((i for i, unit in enumerate(chosen) if not introduced(unit, chosen[:i])), None)


def introduced(unit: Unit, earlier: Sequence[Unit]) -> bool:
    """Tell whether a bullet (or summary sentence) opening on "Mr Adams" follows one naming Adams."""
    match = _TITLED.match(unit.text)
    return not match or any(match.group("surname") in u.text for u in earlier)


def repeats(text: str, other: str) -> bool:
    """Tell whether two bullets state one fact: most content words, and the same numbers.

    "13% higher" and "13 per cent higher" hold the same number; a pair
    with the same numbers needs half the shorter's words in common, any
    pair four fifths of them: a shorter bullet saying nothing the longer
    does not is a repeat, fragment or not.
    """
    words, values = _fact_words(text)
    others, other_values = _fact_words(other)
    if min(len(words), len(others)) < REPEAT_MIN_WORDS:
        return False  # "No-one is injured." shares one word with any casualty line
    shared = len(words & others)
    overlap = shared / min(len(words), len(others))
    if overlap >= REPEAT_OVERLAP:
        return True  # the shorter says nothing the longer does not
    same = bool(values) and values == other_values
    return same and overlap >= REPEAT_OVERLAP_WITH_NUMBERS and shared >= REPEAT_MIN_WORDS


@lru_cache(maxsize=4096)
def _fact_words(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Return a text's content words and number values (cached: selection asks often)."""
    return frozenset(content_words(text)), frozenset(_FIGURE.findall(text.replace(",", "")))


_FIGURE = re.compile(r"\d+(?:\.\d+)?")
REPEAT_OVERLAP = 0.8
REPEAT_MIN_WORDS = 4
REPEAT_OVERLAP_WITH_NUMBERS = 0.5


def _has_unbalanced_quote(text: str) -> bool:
    """Tell whether a quotation opens (double or single marks) and is not closed."""
    doubles = text.count('"') + text.count("\u201c") + text.count("\u201d")
    if doubles % 2 == 1 or text.count("(") != text.count(")"):
        return True
    if "'" not in text and "\u2018" not in text:
        return False
    # "saying: 'When he gets the best players back, you watch United go": a
    # single-quoted quotation cut before its end. An apostrophe inside a word
    # ("don't") is neither mark: an opening one follows a space, a colon, a
    # bracket or the start and precedes a word character; a closing one
    # follows a word character or ".,!?" and precedes a space, punctuation
    # or the end.
    balance = 0
    last = len(text) - 1
    for found in _SINGLE_MARK.finditer(text):
        at, mark = found.start(), found.group()
        before = text[at - 1] if at else " "
        after = text[at + 1] if at < last else ""
        if is_elision(text, at):
            continue  # "the '90s", "shoot 'em up": no quotation
        if mark != "\u2019" and (before.isspace() or before in ":(") and _is_word(after):
            balance += 1
        elif (
            mark != "\u2018"
            and (_is_word(before) or before in ".,!?")
            and (not after or after.isspace() or after in ".,;:!?)")
        ):
            balance -= 1
    return balance > 0


_SINGLE_MARK = re.compile("['\u2018\u2019]")


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


# One capitalised word opening a sentence, then more of it in lower case:
# "Gevorgyan was driving ...", "McCrary, 38, took ...", "Herzog's party ...".
_BARE_NAME = re.compile(r"(?P<surname>[A-Z][a-z][\w\u2019'-]*?)(?=(?:['\u2019]s)?,?\s+[a-z(0-9])")
# Words that stand before a name without being its first name.
_ROLES = frozenset(
    """president minister prime secretary officer senator governor general judge justice chief
    captain coach manager director chairman chairwoman professor king queen prince princess lord
    lady sir dame pope archbishop bishop father sister brother mayor speaker chancellor ambassador
    commissioner inspector detective constable sheriff deputy agent doctor saint leader striker
    midfielder defender goalkeeper boss star actor actress singer rapper player spokesman
    spokeswoman""".split()
)
_NOT_FIRST_NAMES = _ROLES | TITLES


def first_references(
    texts: Sequence[str], article: str, *, longest: int | None = None, spare: int | None = None
) -> list[str]:
    """Give a name its first name where a box or summary first uses it ("Henry Gevorgyan was ...").

    A sentence the article wrote after naming someone in full ("Gevorgyan
    was driving ...") leans on that introduction when it is not chosen:
    the first mention in the box carries the full name, as an editor's
    first reference does. A word the article also writes in lower case is
    not a name ("Police said ..."). Limits hold: no text grows past
    ``longest`` words, and no more than ``spare`` words are added in all.
    """
    written: list[str] = []
    for text in texts:
        match = _BARE_NAME.match(text)
        room = (longest is None or len(text.split()) < longest) and (spare is None or spare > 0)
        if room and match and not any(match.group("surname") in seen for seen in written):
            first = _first_name(match.group("surname"), article)
            if first:
                text = f"{first} {text}"
                spare = None if spare is None else spare - 1
        written.append(text)
    return written


def _first_name(surname: str, article: str) -> str | None:
    """Return the first name the article gives ``surname`` on its first mention, if any.

    The first mention must read "First Surname" inside a sentence ("... city
    manager Manuel Pellegrini ..."), not at a sentence's start, where the
    word before may be an opener ("While Zephany ...", "Former England
    captain ..."); and neither word may be one the article writes in lower
    case (a common word, not a name). String searches, not patterns: a box
    asks this of most of its bullets ("The ...", "Police ...").
    """
    if not article or _word_at(surname.lower(), article) >= 0:
        return None
    mention = _word_at(surname, article)
    found = (
        _FIRST_NAME_BEFORE.search(article, max(0, mention - 40), mention) if mention > 0 else None
    )
    if found is None:
        return None
    # (a few characters before it: the text is normalised, one space between words)
    first, before = found.group(1), article[max(0, found.start() - 8) : found.start()].rstrip()
    if not before or before[-1] in _SENTENCE_EDGE or first.lower() in _NOT_FIRST_NAMES:
        return None
    return None if _word_at(first.lower(), article) >= 0 else first


def _word_at(word: str, text: str) -> int:
    """Return where ``word`` first stands in ``text`` as a whole word, or -1."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not text[at - 1].isalnum()) and (
            end == len(text) or not text[end].isalnum()
        ):
            return at
        at = text.find(word, at + 1)
    return -1


# The word right before a name's first mention: "Manuel " before "Pellegrini".
_FIRST_NAME_BEFORE = re.compile(r"\b([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s+$")
_SENTENCE_EDGE = frozenset(".!?:;\"'\u201c\u201d\u2018\u2019()[]")
