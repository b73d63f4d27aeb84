"""Fit a profile on an archive: selection weights, then the selection knobs and the count rule.

Every story's candidate bullets (exactly as the box builds them) are built
once. A greedy ROUGE-1+2 oracle marks the candidates an ideal box of the
editors' length would take; a ridge regression of those marks (centred per
story, so only the ranking inside a story is learnt) on the named features
gives the weights. The redundancy and brevity of the greedy selection, then
the count rule (a fixed length, or a value threshold between 3 and 5
bullets), are chosen by the boxes' ROUGE-1+2 against the editors' bullets on
the same stories: over several archive files, the knobs by the file that
gains least, the count by the most gain on average that keeps every file at
or above its Lead-3 (``balanced_choice``). Deterministic: the same archive
gives the same profile.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from functools import lru_cache
from typing import TypeVar

import numpy as np
from rouge_score import tokenizers

from service.bullets.extractor import MAX_BULLETS
from service.bullets.extractor import MIN_BULLETS
from service.bullets.extractor import BulletExtractor
from service.bullets.extractor import Unit
from service.bullets.scoring import DEFAULT_SUMMARY
from service.bullets.scoring import FEATURES
from service.bullets.scoring import LENGTH
from service.bullets.scoring import THRESHOLD
from service.bullets.scoring import CountRule
from service.bullets.scoring import Selection
from service.bullets.scoring import SummaryStyle
from service.profiles.archive import Story
from service.profiles.style import DEFAULT_STYLE
from service.profiles.style import HouseStyle
from service.text.article import Article
from service.text.article import prepare

RIDGE = 1.0
# In units of the fitted score, whose spread inside a story is about 0.1.
REDUNDANCY_GRID = (0.0, 0.05, 0.1)
BREVITY_GRID = (0.05, 0.1, 0.15, 0.2)
THRESHOLD_QUANTILES = (0.1, 0.3, 0.5, 0.7, 0.9)
SUMMARY_GRID = ((0.0, 0.05, 0.1), (0.1, 0.2), (0.05, 0.1, 0.15))  # centrality, redundancy, brevity
# Summary lengths in words, the old default first (first of equals wins). The knobs
# are chosen at 75 words, then the length: the editors' summaries differ most in it,
# and the least-gain file of a multi-file fit sits where two files' gains cross.
SUMMARY_LENGTHS = (75, 70, 65, 60, 55, 45, 90, 105, 120)
LONGER_BULLETS = (45,)  # tried against the default longest bullet (MAX_WORDS, 35)
# What a longer limit must win by (ROUGE-1 + ROUGE-2 F, half a point): a limit that
# merely ties on the fitting file lengthens every bullet for nothing (CNN's train.jsonl
# chose 45 by a hair without it, and lost 0.2 R-1 on val.jsonl).
LONGER_MARGIN = 0.005
LENGTH_FLOOR = 0.0  # a length that puts a file's summaries below its Lead-3 is not kept
Progress = Callable[[str, int, int], None]
T = TypeVar("T")
Grams = tuple[Counter[tuple[str, ...]], Counter[tuple[str, ...]]]
_TOKENIZER = tokenizers.DefaultTokenizer(use_stemmer=True)


@lru_cache(maxsize=200_000)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKENIZER.tokenize(text))


def _grams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _f1(candidate: Counter[tuple[str, ...]], reference: Counter[tuple[str, ...]]) -> float:
    overlap = sum((candidate & reference).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(candidate.values())
    recall = overlap / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


def rouge12(texts: Sequence[str], reference: Grams) -> float:
    """Return ROUGE-1 F + ROUGE-2 F of ``texts`` (stemmed, as rouge-score does), fast."""
    tokens = [t for text in texts for t in _tokens(text)]
    return _f1(_grams(tokens, 1), reference[0]) + _f1(_grams(tokens, 2), reference[1])


@dataclass(frozen=True, slots=True)
class Case:
    """One story ready for fitting: its article, candidates, oracle marks and reference."""

    article: Article
    units: tuple[Unit, ...]
    marks: tuple[float, ...]
    reference: str
    grams: Grams
    wanted: int  # the editors' box length, clipped to what a box may hold
    group: int = 0  # which archive file it came from
    lead: float = 0.0  # Lead-3's ROUGE-1+2: the floor a box is judged against


def prepared(story: Story) -> Article:
    """Return one archive story as the service reads it."""
    if story.is_html:
        return prepare(html=story.text, title=story.title)
    return prepare(story.text, title=story.title)


def base_selection(version: str, style: HouseStyle) -> Selection:
    """Return a selection with no weights yet, in the house style (what candidates are cut to)."""
    return Selection(
        version, dict.fromkeys(FEATURES, 0.0), 0.0, 0.0, 0.0, style.max_words,
        CountRule(LENGTH, default=4), style.cuts, style.front_attribution,
    )  # fmt: skip


def build_cases(
    stories: Sequence[Story],
    progress: Progress,
    groups: Sequence[int] | None = None,
    style: HouseStyle = DEFAULT_STYLE,
    articles: Sequence[Article] | None = None,
) -> list[Case]:
    """Prepare every story, build its candidates in the house style and mark the oracle's picks.

    ``groups`` says which archive file each story came from (all one file by
    default); ``articles``, the stories already prepared.
    """
    extractor = BulletExtractor(selection=base_selection("candidates", style))
    cases = []
    for number, story in enumerate(stories, 1):
        article = articles[number - 1] if articles is not None else prepared(story)
        units = tuple(extractor.candidates(article))
        reference = "\n".join(story.bullets)
        tokens = _tokens(reference)
        grams = (_grams(tokens, 1), _grams(tokens, 2))
        wanted = max(MIN_BULLETS, min(MAX_BULLETS, len(story.bullets)))
        marks = oracle(units, grams, wanted)
        lead = rouge12([s.text for s in article.sentences[:3]], grams)
        group = 0 if groups is None else groups[number - 1]
        cases.append(Case(article, units, marks, reference, grams, wanted, group, lead))
        if number % 100 == 0 or number == len(stories):
            progress("candidates", number, len(stories))
    return cases


def oracle(units: Sequence[Unit], reference: Grams, size: int) -> tuple[float, ...]:
    """Mark the candidates a greedy ROUGE-1+2 oracle puts in a box of ``size`` (1) or not (0)."""
    chosen: list[int] = []
    best_value = 0.0
    while len(chosen) < size:
        best = -1
        for i in range(len(units)):
            if i in chosen:
                continue
            value = rouge12([units[j].text for j in (*chosen, i)], reference)
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
    return tuple(float(i in chosen) for i in range(len(units)))


def fit_selection(
    cases: Sequence[Case], version: str, style: HouseStyle = DEFAULT_STYLE
) -> Selection:
    """Fit weights on ``cases``, then choose the selection knobs and the count rule by ROUGE."""
    base = replace(base_selection(version, style), weights=_ridge(cases))
    scored = [rescored(base, case.units) for case in cases]
    knobs = [
        replace(base, redundancy=r, brevity=b)
        for r, b in itertools.product(REDUNDANCY_GRID, BREVITY_GRID)
    ]
    best = max(knobs, key=lambda s: _mean_rouge(s, cases, scored))  # first of equals: stable
    rules = [CountRule(LENGTH, default=n) for n in range(MIN_BULLETS, MAX_BULLETS + 1)]
    rules += [
        CountRule(THRESHOLD, minimum=MIN_BULLETS, maximum=MAX_BULLETS, threshold=t)
        for t in _thresholds(best, scored)
    ]
    gains = {rule: _file_gains(replace(best, count=rule), cases, scored) for rule in rules}
    return replace(best, count=balanced_choice(gains))


def fit_length(
    stories: Sequence[Story], cases: list[Case], selection: Selection, style: HouseStyle,
    progress: Progress, groups: Sequence[int] | None = None,
    articles: Sequence[Article] | None = None,
) -> tuple[HouseStyle, list[Case], Selection]:  # fmt: skip
    """Choose the longest bullet: the default, or longer if the editors' boxes reward it.

    The BBC's editors take whole sentences of 40 words; CNN's highlights run
    15. Each longer limit in ``LONGER_BULLETS`` is tried with the weights
    fitted at the default (candidates rebuilt, nothing refitted: cheap), by
    the least-gain rule, and must win by ``LONGER_MARGIN``; the winner is
    refitted on its own candidates.
    """
    best = _mean_rouge(selection, cases, [rescored(selection, c.units) for c in cases])
    chosen: tuple[HouseStyle, list[Case]] | None = None
    for words in LONGER_BULLETS:
        wider = replace(style, max_words=words)
        wide_cases = build_cases(stories, progress, groups, wider, articles)
        trial = replace(selection, max_words=words)
        value = _mean_rouge(trial, wide_cases, [rescored(trial, c.units) for c in wide_cases])
        if value > best + LONGER_MARGIN:
            best, chosen = value, (wider, wide_cases)
    if chosen is None:
        return style, cases, selection
    wider, wide_cases = chosen
    return wider, wide_cases, fit_selection(wide_cases, selection.version, wider)


def fit_summary(cases: Sequence[Case], selection: Selection) -> SummaryStyle:
    """Choose the extractive summary's knobs, then its length, by ROUGE over Lead-3's.

    The summary takes its candidates as the engine does (the box's, not cut
    to a bullet's length, best by the fitted selection), embedded with the
    packaged MiniLM word pieces. With several archive files the least-gain
    file decides the knobs, as for the box. The length is where the files
    differ most (the BBC's summaries run 135 words, CNN's highlights 50), so
    no one length is best for all, and the least-gain rule would give up a
    large gain on one file for a hair on another: of the lengths that keep
    every file at or above its Lead-3, the one with the most gain on
    average; the least-gain one if none does. Redundancy is never off: a
    summary would state a caption's repeat of the body twice.
    """
    from service.checks.embeddings import static_encoder
    from service.engines.extractive import select
    from service.engines.extractive import summary_limit
    from service.engines.extractive import summary_pool
    from service.engines.extractive import summary_selection

    encoder = static_encoder()
    if encoder is None:  # no MiniLM package: the engine cannot run either
        return DEFAULT_SUMMARY
    extractor = BulletExtractor(selection=summary_selection(selection))
    units = [extractor.candidates(case.article) for case in cases]
    vectors: dict[str, np.ndarray] = {}

    def pooled(words: int) -> list[tuple[list[Unit], np.ndarray | None]]:
        """Return each case's summary pool at this length, with its vectors."""
        pools = [summary_pool(mine, summary_limit(selection, words)) for mine in units]
        texts = list(dict.fromkeys(u.text for pool in pools for u in pool if u.text not in vectors))
        vectors.update(zip(texts, encoder(texts) if texts else [], strict=True))
        return [
            (pool, np.stack([vectors[u.text] for u in pool]) if pool else None) for pool in pools
        ]

    def gains(
        style: SummaryStyle, pools: Sequence[tuple[list[Unit], np.ndarray | None]]
    ) -> list[float]:
        """Return the mean gain over Lead-3 of each archive file."""
        by_file: dict[int, list[float]] = {}
        for case, (pool, embedded) in zip(cases, pools, strict=True):
            chosen = select(pool, embedded, style.words, style) if embedded is not None else []
            value = rouge12([u.text for u in chosen], case.grams)
            by_file.setdefault(case.group, []).append(value - case.lead)
        return [statistics.fmean(values) for values in by_file.values()] or [0.0]

    styles = [SummaryStyle(c, r, b) for c, r, b in itertools.product(*SUMMARY_GRID)]
    first = pooled(DEFAULT_SUMMARY.words)
    knobs = max(styles, key=lambda s: min(gains(s, first)))  # first of equals: stable
    lengths = {w: gains(replace(knobs, words=w), pooled(w)) for w in SUMMARY_LENGTHS}
    return replace(knobs, words=balanced_choice(lengths))


def _ridge(cases: Sequence[Case]) -> dict[str, float]:
    features: list[tuple[float, ...]] = []
    targets: list[float] = []
    for case in cases:
        if len(case.units) < 2:
            continue
        mean = statistics.fmean(case.marks)
        features.extend(unit.features for unit in case.units)
        targets.extend(mark - mean for mark in case.marks)
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    solved = np.linalg.solve(x.T @ x + RIDGE * np.eye(x.shape[1]), x.T @ y)
    return dict(zip(FEATURES, (round(float(w), 4) for w in solved), strict=True))


def _thresholds(selection: Selection, scored: Sequence[Sequence[Unit]]) -> list[float]:
    """Return threshold candidates: quantiles of what a fourth and a fifth bullet add."""
    box = BulletExtractor(selection=selection)
    values = sorted(v for units in scored for v in box.values(units, MAX_BULLETS)[MIN_BULLETS:])
    if not values:
        return [0.0]
    picks = [values[int(q * (len(values) - 1))] for q in THRESHOLD_QUANTILES]
    return sorted({round(v, 4) for v in picks})


def _mean_rouge(
    selection: Selection, cases: Sequence[Case], scored: Sequence[Sequence[Unit]]
) -> float:
    """Return the boxes' ROUGE-1+2 over Lead-3's, for the archive file where that gain is least.

    With one file this ranks selections by their mean ROUGE. With several (the
    ``general`` profile), no newsroom's copy is given up for another's: a
    rule that wins long boxes for one publisher and loses its floor on
    another does not win.
    """
    return min(_file_gains(selection, cases, scored))


def _file_gains(
    selection: Selection, cases: Sequence[Case], scored: Sequence[Sequence[Unit]]
) -> list[float]:
    """Return the boxes' mean ROUGE-1+2 over Lead-3's, per archive file."""
    box = BulletExtractor(selection=selection)
    gains: dict[int, list[float]] = {}
    for case, units in zip(cases, scored, strict=True):
        value = rouge12(
            [b.text for b in box.composed(*box.planned(case.article.words, units))], case.grams
        )
        gains.setdefault(case.group, []).append(value - case.lead)
    return [statistics.fmean(values) for values in gains.values()] or [0.0]


def balanced_choice(gains: Mapping[T, list[float]]) -> T:
    """Return the choice with most gain on average that keeps every file above Lead-3.

    Above: at or above its Lead-3 (``LENGTH_FLOOR``); the least-gain choice
    when none does. The count and the summary's length are where archive
    files differ most (the BBC's editors write five points, CNN's three):
    the least-gain rule alone would give up a large gain on one publisher's
    copy for a hair on another's. With one file it is the plain best. The
    first of equals wins (stable).
    """
    kept = [choice for choice, g in gains.items() if min(g) >= LENGTH_FLOOR]
    if kept:
        return max(kept, key=lambda choice: statistics.fmean(gains[choice]))
    return max(gains, key=lambda choice: min(gains[choice]))


def rescored(selection: Selection, units: Sequence[Unit]) -> list[Unit]:
    """Return candidates scored by another selection's weights (features do not change)."""
    return [replace(u, score=selection.score(u.features)) for u in units]
