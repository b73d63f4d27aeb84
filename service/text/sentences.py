"""Split cleaned paragraphs into sentences and describe each one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import sentencex

from service.text.abbreviations import repair
from service.text.clean import is_prompt

# Photo captions run into scraped copy: "Bishop John Folda (pictured) of ...".
CAPTION = re.compile(
    r"\((?:pictured|left|right|centre|center|above|below|top|bottom|inset|file photo)"
    r"[^)]*\)|,? pictured\b|^(?:photo|picture|image|credit)s?\s*:",
    re.IGNORECASE,
)
# DailyMail-style caption label: "Jetting off: In April, the Camerons ...".
LABEL = re.compile(r"^[A-Z][\w'\u2019-]*(?: [\w'\u2019-]+)?: (?=[A-Z])")
# A sentence cut off by scraping ends on a function word: "... for which."
DANGLING = re.compile(
    r"\b(?:the|a|an|and|or|of|on|in|at|to|for|with|by|from|which|that|but|as|new)\s*\.$",
    re.IGNORECASE,
)
_MIN_CHARS = 2


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an article with where it stands."""

    text: str
    index: int
    paragraph: int
    is_caption: bool
    is_broken: bool

    @property
    def words(self) -> int:
        """Return the number of whitespace-separated words."""
        return len(self.text.split())


def split_sentences(text: str) -> list[str]:
    """Split one paragraph into sentences (abbreviation- and quote-aware)."""
    segments = repair(sentencex.segment("en", text))
    return [s.strip() for s in segments if len(s.strip()) >= _MIN_CHARS]


def sentences_of(paragraphs: Sequence[str]) -> list[Sentence]:
    """Split paragraphs into numbered sentences, dropping social prompts."""
    found: list[Sentence] = []
    for number, paragraph in enumerate(paragraphs):
        for raw in split_sentences(paragraph):
            if is_prompt(raw) or not any(ch.isalnum() for ch in raw):
                continue
            text = raw.rstrip(" .") + "." if raw.endswith(" .") else raw
            is_caption = bool(CAPTION.search(raw) or LABEL.match(raw))
            is_broken = raw.endswith(" .") or bool(DANGLING.search(text))
            found.append(Sentence(text, len(found), number, is_caption, is_broken))
    return found
