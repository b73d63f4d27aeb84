"""What a newsroom's editors do to a sentence when they make it a bullet: its house style.

Measured on the archive's own boxes, not searched for by ROUGE:

- **attribution**: of the editors' bullets written from a sentence that
  gives its source last ("..., police said.") and keeping that source, the
  share that give it first ("Police say ..."). At least half: the box
  fronts its lead's source ("front"); else it keeps the source where the
  sentence has it ("in_place").
- **cuts**: for each compression class (``compress.CUTS``), the sentences
  an editor's bullet was written from (most of the bullet's content words
  are the sentence's) where the rule would delete words. Where the
  editors' bullets clearly keep most of those words, the house does not
  make that cut.

A default (front; every cut) changes only on a clear habit: at least
``MIN_EVIDENCE`` cases, ``CLEAR`` of them the other way, so a small or
mixed archive does not switch a rule on a few stories.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.bullets.compress import ALL_CUTS
from service.bullets.compress import CUTS
from service.bullets.compress import RULES
from service.bullets.extractor import MAX_WORDS
from service.bullets.features import content_words
from service.bullets.rewrite import present_attribution
from service.profiles.archive import Story
from service.text.article import Article

MIN_EVIDENCE = 20
SOURCE_SHARE = 0.6  # of a bullet's content words its source sentence must hold
KEPT_SHARE = 0.5  # of a cut's content words a bullet must hold to have kept it
CLEAR = 2 / 3  # the share of cases that overturns a default: a clear habit, not a lean
_SPEECH = re.compile(
    r"\b(?:says|say|said|told|tells|according to|claims?|claimed|warns?|warned|reports?|"
    r"reported|announced|believes?)\b",
    re.IGNORECASE,
)
FRONT_SHARE = 0.4  # a source in the first 40% of a bullet's words is given first


@dataclass(frozen=True, slots=True)
class HouseStyle:
    """The cuts the editors make and where they put a source, with the evidence."""

    cuts: frozenset[str] = ALL_CUTS
    front_attribution: bool = True
    evidence: dict[str, dict[str, int]] | None = None
    max_words: int = MAX_WORDS  # the longest bullet (chosen by the fit, ``fit_length``)


DEFAULT_STYLE = HouseStyle()


def house_style(stories: Sequence[Story], articles: Sequence[Article]) -> HouseStyle:
    """Measure the house style of an archive (``articles``: its stories, prepared)."""
    kept = {name: [0, 0] for name in CUTS}  # kept, cut
    sources = [0, 0]  # front, in place
    for story, article in zip(stories, articles, strict=True):
        sentences = [(s.text, set(content_words(s.text))) for s in article.sentences]
        for bullet in story.bullets:
            words = set(content_words(bullet))
            if len(words) < 4:
                continue
            source = max(sentences, key=lambda s: len(words & s[1]), default=None)
            if source is None or len(words & source[1]) < SOURCE_SHARE * len(words):
                continue
            speech = _SPEECH.search(bullet)
            if (
                speech and present_attribution(source[0]) is not None
            ):  # the source ends "..., X said."
                front = len(bullet[: speech.start()].split()) <= FRONT_SHARE * len(bullet.split())
                sources[0 if front else 1] += 1
            for name in CUTS:
                shorter = RULES[name](source[0])
                if shorter == source[0]:
                    continue
                deleted = source[1] - set(content_words(shorter))
                if deleted:
                    kept[name][0 if len(deleted & words) >= KEPT_SHARE * len(deleted) else 1] += 1
    cuts = frozenset(name for name, (k, c) in kept.items() if not _clear(k, k + c))
    front = not _clear(sources[1], sum(sources))
    evidence = {
        "attribution": {"front": sources[0], "in_place": sources[1]},
        **{f"cut.{name}": {"kept": k, "cut": c} for name, (k, c) in kept.items()},
    }
    return HouseStyle(cuts, front, evidence)


def _clear(cases: int, total: int) -> bool:
    """Tell whether ``cases`` of ``total`` are enough, and enough of them, to leave a default."""
    return total >= MIN_EVIDENCE and cases >= CLEAR * total


def shared_style(styles: Sequence[HouseStyle], files: Sequence[str]) -> HouseStyle:
    """Return the style of several newsrooms' archives together (the ``general`` profile).

    A default changes only where every archive clearly changes it: a cut
    one newsroom makes stays, and so does a fronted source.
    """
    if len(styles) == 1:
        return styles[0]
    cuts = frozenset().union(*(style.cuts for style in styles))
    front = any(style.front_attribution for style in styles)
    evidence = {
        f"{file}: {key}": value
        for file, style in zip(files, styles, strict=True)
        for key, value in (style.evidence or {}).items()
    }
    return HouseStyle(cuts, front, evidence)
