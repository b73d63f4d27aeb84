"""Revise a published box for a new version of its story: what still holds stays, in place.

A CMS posts every save of a developing story with the box it last
published (``previous``). Each previous bullet is matched, by its content
words, to the new article's sentence it most likely came from, and:

- ``pinned`` (editor-locked) comes back unchanged, checked against the new
  version: ``flagged`` when the story no longer supports it, with the
  check's evidence and, where the new wording gives one, a ``suggestion``;
- ``kept``: the checker still supports it, so it comes back verbatim, in
  its place (edits elsewhere never reword it);
- ``updated``: its sentence persists with a changed number or name, and
  the changed words are substituted (or the sentence's candidate is taken),
  with ``changes`` saying from what to what;
- else it is dropped: ``no longer supported``, or ``superseded`` when an
  earlier bullet of the new box now says it.

Then the facts the new version's own box wants fill the free places; a
fact more important (by the profile's fitted score, by at least
``DISPLACE_MARGIN``) than a kept bullet is added while the box has room
(up to five bullets, unless the caller fixed the count); when it is full,
only a fact new in this version (known when the previous text is sent)
``displaced`` the weakest unpinned bullet, taking its place.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from difflib import SequenceMatcher
from typing import Any

from service.bullets.extractor import MAX_BULLETS
from service.bullets.extractor import Bullet
from service.bullets.extractor import Unit
from service.bullets.extractor import repeats
from service.bullets.features import content_words
from service.checks.checker import SentenceCheck
from service.checks.verdict import sentence_json
from service.text.article import Article

MATCH = 0.5  # share of a bullet's content words its sentence must hold
DISPLACE_MARGIN = 0.1  # in the fitted score's units: about its spread inside one story
MAX_SUBSTITUTION_WORDS = 4  # a changed number, date or name, not a rewritten clause
MAX_TRIED = 3  # sentences a bullet is tried against as a cut (repeats: a caption and its body)
_STRIP = ".,;:!?\"'()[]\u201c\u201d\u2018\u2019"

# Check one sentence against the new article, from a known source sentence if any.
Check = Callable[[str, "int | None"], SentenceCheck]


@dataclass(frozen=True, slots=True)
class Previous:
    """The box the CMS last published: its bullets and which of them are pinned."""

    bullets: tuple[str, ...]
    pinned: frozenset[int] = frozenset()

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Previous:
        """Build from the validated ``previous`` object of a request."""
        return cls(tuple(data["bullets"]), frozenset(data.get("pinned") or ()))


@dataclass(slots=True)
class Revised:
    """One bullet of the revised box and what happened to it."""

    text: str
    status: str  # kept | updated | new | pinned
    source: int | None
    score: float
    previous: int | None = None
    changes: list[tuple[str, str]] = field(default_factory=list)
    check: SentenceCheck | None = None  # pinned bullets: the check against the new version
    suggestion: str | None = None

    def as_json(self) -> dict[str, Any]:
        """Shape the bullet's revision for the API."""
        out: dict[str, Any] = {"text": self.text, "status": self.status, "previous": self.previous}
        if self.changes:
            out["changes"] = [{"from": a, "to": b} for a, b in self.changes]
        if self.check is not None:
            out["flagged"] = not self.check.supported
            out["check"] = sentence_json(self.check)
        if self.suggestion is not None:
            out["suggestion"] = self.suggestion
        return out


@dataclass(slots=True)
class Revision:
    """The revised box, in order, and the previous bullets it dropped."""

    bullets: list[Revised]
    dropped: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        """Shape the revision for the API."""
        return {"bullets": [b.as_json() for b in self.bullets], "dropped": self.dropped}


def revise(
    article: Article,
    units: Sequence[Unit],
    fresh: Sequence[Bullet],
    previous: Previous,
    check: Check,
    count: int | None = None,
    added: set[int] | None = None,
) -> Revision:
    """Revise ``previous`` for ``article``, whose own box would be ``fresh``.

    Args:
        article: the new version.
        units: its candidate bullets (the box's, scored by the profile).
        fresh: the box the new version gets without a previous one.
        previous: the published box.
        check: the checker, for one sentence.
        count: the caller's fixed box size, if any.
        added: the new version's sentences the previous version lacked, when
            the previous text was given: only those can displace a bullet (a
            fact the story already had was not more important before; a
            deleted paragraph only moves the others up).
    """
    sentences = [set(content_words(s.text)) for s in article.sentences]
    best_score: dict[int | None, float] = {}
    best_unit: dict[int, Unit] = {}
    for unit in units:
        if unit.score > best_score.get(unit.source, float("-inf")):
            best_score[unit.source] = unit.score
            if unit.source is not None:
                best_unit[unit.source] = unit
    slots: list[Revised] = []
    dropped: list[dict[str, Any]] = []
    for index, text in enumerate(previous.bullets):
        source = _source(text, article, sentences)
        score = best_score.get(source, 0.0)
        if index in previous.pinned:
            own = best_unit.get(source) if source is not None else None
            slots.append(_pinned(text, index, source, score, article, own, check))
            continue
        revised = _revised(text, index, source, score, article, best_unit, check)
        if revised is None:
            dropped.append({"text": text, "previous": index, "reason": "no longer supported"})
        elif any(repeats(revised.text, s.text) for s in slots):
            dropped.append({"text": text, "previous": index, "reason": "superseded"})
        else:
            slots.append(revised)
    _add_new(slots, dropped, fresh, best_score, count, added or set())
    return Revision(slots, dropped)


def _pinned(
    text: str,
    index: int,
    source: int | None,
    score: float,
    article: Article,
    unit: Unit | None,
    check: Check,
) -> Revised:
    """Return a pinned bullet unchanged, checked: flagged when its number or name changed.

    A bullet whose sentence now writes another number or name is flagged
    even where the old value survives elsewhere in the story, with the
    bullet as the new wording gives it (``suggestion``).
    """
    verdict = check(text, source)
    bullet = Revised(text, "pinned", source, score, index, check=verdict)
    fact = _fact(text, source, article, unit)
    if fact is not None and fact[1] and check(fact[0], source).supported:
        bullet.suggestion, bullet.changes = fact
        bullet.check = replace(verdict, supported=False)
    elif not verdict.supported and unit is not None and unit.text != text:
        bullet.suggestion, bullet.changes = unit.text, changed_words(text, unit.text)
    return bullet


def _revised(
    text: str,
    index: int,
    source: int | None,
    score: float,
    article: Article,
    best_unit: dict[int, Unit],
    check: Check,
) -> Revised | None:
    """Return a previous bullet kept or updated for the new version, or None (unsupported)."""
    unit = best_unit.get(source) if source is not None else None
    fact = _fact(text, source, article, unit)
    if fact is not None and not fact[1]:
        return Revised(text, "kept", source, score, index)  # still a cut of its sentence
    if fact is not None and check(fact[0], source).supported:
        return Revised(fact[0], "updated", source, score, index, changes=fact[1])
    if check(text, source).supported:
        return Revised(text, "kept", source, score, index)  # an editor's wording, still true
    if unit is None or not check(unit.text, source).supported:
        return None
    changes = changed_words(text, unit.text)
    return Revised(unit.text, "updated", source, score, index, changes=changes)


def _fact(
    text: str, source: int | None, article: Article, unit: Unit | None
) -> tuple[str, list[tuple[str, str]]] | None:
    """Return ``changed_fact`` against the source sentence, or its attribution-first form.

    A lead bullet that moved its source to the front ("Police say ...") is
    compared with the new sentence moved the same way. A form the bullet is
    still a cut of wins over one that changed a number or a name.
    """
    if source is None:
        return None
    forms = [article.sentences[source].text]
    if unit is not None and unit.attributed:
        forms.append(unit.attributed)
    facts = [f for f in (changed_fact(text, form) for form in forms) if f is not None]
    return min(facts, key=lambda f: len(f[1]), default=None)


def changed_fact(bullet: str, sentence: str) -> tuple[str, list[tuple[str, str]]] | None:
    """Return the bullet as ``sentence`` now words it, when only numbers or names changed.

    No changes: the bullet is still a cut of the sentence. None: the
    sentence rewrote more than a number or a name (the checker decides).
    """
    substituted = substitute(bullet, sentence)
    if substituted is None:
        return None
    if all(_is_fact(a) or _is_fact(b) for a, b in substituted[1]):
        return substituted
    return None


def _is_fact(words: str) -> bool:
    """Tell whether changed words hold a number or a name (a capitalised word)."""
    return any(c.isdigit() for c in words) or any(w[:1].isupper() for w in words.split())


def substitute(bullet: str, sentence: str) -> tuple[str, list[tuple[str, str]]] | None:
    """Replace the bullet's words that the new sentence changed; None if it rewrote more.

    The bullet is a cut of the old sentence: words the new one has and the
    bullet lacks are the cut's, and stay out; a short run of the bullet's
    words that the sentence replaced is replaced; a bullet word the
    sentence no longer has at all, with nothing in its place, cannot be
    mended here (None).
    """
    ours, theirs = bullet.split(), sentence.split()
    matcher = SequenceMatcher(None, _keys(ours), _keys(theirs), autojunk=False)
    out: list[str] = []
    changes: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += ours[i1:i2]
        elif op == "replace":
            old = ours[i1:i2]
            new = _counterpart(old, theirs[j1:j2])
            if len(old) > MAX_SUBSTITUTION_WORDS or len(new) > MAX_SUBSTITUTION_WORDS:
                return None
            out += new
            changes.append((" ".join(old).strip(_STRIP), " ".join(new).strip(_STRIP)))
        elif op == "delete":
            return None
    return " ".join(out), changes


def _counterpart(old: Sequence[str], span: Sequence[str]) -> list[str]:
    """Return the words of ``span`` that took the place of ``old``, punctuated as ``old`` was.

    The new sentence's span may also hold words the bullet's cut left out
    ("Cruz" against "Okafor, R-Texas,"): the run as long as ``old`` that
    starts on a word of the same kind (a number for a number, a capital for
    a capital) is taken, else the span's start.
    """
    size = len(old)
    if len(span) > size:
        kind = _kind(old[0])
        start = next((i for i in range(len(span) - size + 1) if _kind(span[i]) == kind), 0)
        span = span[start : start + size]
    words = [w.strip(_STRIP) or w for w in span]
    if words and len(words) == size:  # keep the bullet's punctuation around the words
        words = [_punctuated(o, w) for o, w in zip(old, words, strict=True)]
    return words


def _kind(word: str) -> str:
    core = word.strip(_STRIP)
    if any(c.isdigit() for c in core):
        return "number"
    return "name" if core[:1].isupper() else "word"


def _punctuated(template: str, word: str) -> str:
    core = template.strip(_STRIP)
    if not core:
        return word
    start = template.index(core)
    return template[:start] + word + template[start + len(core) :]


def changed_words(old: str, new: str) -> list[tuple[str, str]]:
    """Return the runs of words that differ between two texts (from, to)."""
    a, b = old.split(), new.split()
    matcher = SequenceMatcher(None, _keys(a), _keys(b), autojunk=False)
    return [
        (" ".join(a[i1:i2]).strip(_STRIP), " ".join(b[j1:j2]).strip(_STRIP))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op == "replace"
    ]


def _keys(words: Sequence[str]) -> list[str]:
    return [w.strip(_STRIP).lower() for w in words]


def _source(text: str, article: Article, sentences: Sequence[set[str]]) -> int | None:
    """Return the sentence the bullet is still a cut of, else the one holding most of its words.

    None when no sentence holds ``MATCH`` of its content words.
    """
    words = set(content_words(text))
    if not words:
        return None
    shares = [len(words & s) / len(words) for s in sentences]
    ranked = sorted(
        (i for i, share in enumerate(shares) if share >= MATCH), key=lambda i: -shares[i]
    )
    for index in ranked[:MAX_TRIED]:
        cut = substitute(text, article.sentences[index].text)
        if cut is not None and not cut[1]:
            return index
    return ranked[0] if ranked else None


def _add_new(
    slots: list[Revised],
    dropped: list[dict[str, Any]],
    fresh: Sequence[Bullet],
    best_score: dict[int | None, float],
    count: int | None,
    added: set[int],
) -> None:
    """Add the new version's facts that the revised box lacks: free places first.

    Past the places the new version's own box has, a fact that outscores
    the weakest unpinned bullet by ``DISPLACE_MARGIN`` is added while there
    is room, and a fact new in this version (``added``) displaces it.
    """
    wanted = count if count is not None else max(len(fresh), 1)
    room = count if count is not None else MAX_BULLETS
    candidates = [
        Revised(b.text, "new", b.source, best_score.get(b.source, 0.0))
        for b in fresh
        if not any(b.source == s.source or repeats(b.text, s.text) for s in slots)
    ]
    for bullet in sorted(candidates, key=lambda b: -b.score):
        if len(slots) < wanted:
            slots.append(bullet)
            continue
        movable = [i for i, s in enumerate(slots) if s.status != "pinned"]
        if not movable:
            break
        weakest = min(movable, key=lambda i: slots[i].score)
        if bullet.score < slots[weakest].score + DISPLACE_MARGIN:
            continue
        if len(slots) < room:
            slots.append(bullet)
        elif bullet.source in added:
            gone = slots[weakest]
            dropped.append({"text": gone.text, "previous": gone.previous, "reason": "displaced"})
            slots[weakest] = bullet
