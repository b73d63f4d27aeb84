"""What changed between two versions of a story: new facts and corrected facts.

The sentences of both versions are aligned in order. A new sentence that
persists from an old one (most of its content words the same) and writes
a different number or name is a corrected fact ("12 dead" -> "15 dead");
one with no old counterpart that carries a number, a name or a quotation
is a new fact. Each comes with its span in the new article, so a CMS can
show "Updated: ..." lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from service.bullets.features import STOPWORDS
from service.bullets.features import content_words
from service.checks.grounds import Grounds
from service.text.article import Article

PERSISTS = 0.5  # share of content words two versions of one sentence have in common
_NUMBER = re.compile(
    r"\d[\d,.:]*\d|\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen)\b",
    re.IGNORECASE,
)
# A capitalised word that does not open the sentence: a name, roughly.
_NAME = re.compile(r"(?<=\s)[A-Z][\w'\u2019-]+")
_QUOTE = re.compile(r"[\"\u201c\u201d]")


def new_sentences(old: Article, new: Article) -> set[int]:
    """Return the indices of the new version's sentences that the old one did not have."""
    return {j for op, _, _, j1, j2 in _opcodes(old, new) if op != "equal" for j in range(j1, j2)}


def _opcodes(old: Article, new: Article) -> Sequence[tuple[str, int, int, int, int]]:
    before = [s.text for s in old.sentences]
    after = [s.text for s in new.sentences]
    return SequenceMatcher(None, before, after, autojunk=False).get_opcodes()


def what_changed(old: Article, new: Article, grounds: Grounds) -> dict[str, list[dict[str, Any]]]:
    """Return the new version's new facts and corrected facts, with their spans."""
    before = [s.text for s in old.sentences]
    after = [s.text for s in new.sentences]
    added: list[dict[str, Any]] = []
    corrected: list[dict[str, Any]] = []
    for op, i1, i2, j1, j2 in _opcodes(old, new):
        if op in ("equal", "delete"):
            continue
        for j in range(j1, j2):
            counterpart = _counterpart(after[j], before[i1:i2]) if op == "replace" else None
            span = _span(grounds, j, after[j])
            if counterpart is not None:
                values = _values(counterpart), _values(after[j])
                gone, came = values[0] - values[1], values[1] - values[0]
                if gone or came:
                    corrected.append({**span, "from": sorted(gone), "to": sorted(came)})
            elif kinds := _kinds(after[j]):
                added.append({**span, "kinds": kinds})
    return {"new_facts": added, "corrected_facts": corrected}


def _counterpart(sentence: str, old: list[str]) -> str | None:
    words = set(content_words(sentence))
    if not words:
        return None
    best, share = None, 0.0
    for candidate in old:
        theirs = set(content_words(candidate))
        overlap = len(words & theirs) / max(len(words | theirs), 1)
        if overlap > share:
            best, share = candidate, overlap
    return best if share >= PERSISTS else None


def _names(sentence: str) -> set[str]:
    return {w for w in _NAME.findall(sentence) if w.lower() not in STOPWORDS}


def _values(sentence: str) -> set[str]:
    return set(_NUMBER.findall(sentence)) | _names(sentence)


def _kinds(sentence: str) -> list[str]:
    kinds = []
    if _NUMBER.search(sentence):
        kinds.append("number")
    if _names(sentence):
        kinds.append("name")
    if _QUOTE.search(sentence):
        kinds.append("quote")
    return kinds


def _span(grounds: Grounds, index: int, text: str) -> dict[str, Any]:
    """Where sentence ``index`` stands in the new article (no offsets if split across pieces)."""
    span = grounds.source_span(index)
    if span is None:
        return {"sentence": index, "start": None, "end": None, "text": text}
    return {"sentence": index, "start": span.start, "end": span.end, "text": span.text}
