"""Split cleaned paragraphs into sentences and describe each one."""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

import sentencex

from service.text.abbreviations import repair
from service.text.clean import is_prompt
from service.text.quotes import read_marks
from service.text.quotes import splitter_view
from service.text.tail import search_end

# Photo captions run into scraped copy: "Bishop John Folda (pictured) of ...",
# "..., pictured, ...", "Photo: ...". (The aside pattern opens on a bracket or
# a space, so the scan skips to those.)
CAPTION = re.compile(
    r"[( ](?:(?<=\()(?:pictured|left|right|centre|center|above|below|top|bottom|inset|"
    r"file photo)[^)]*\)|(?<= )pictured\b)",
    re.IGNORECASE,
)
CREDIT = re.compile(r"(?:photo|picture|image|credit)s?\s*:", re.IGNORECASE)
# DailyMail-style caption label: "Jetting off: In April, the Camerons ...".
LABEL = re.compile(r"^[A-Z][\w'\u2019-]*(?: [\w'\u2019-]+)?: (?=[A-Z])")
# A sentence cut off by scraping ends on a function word: "... for which."
# Searched from DANGLING_TAIL characters before the end (normalised text, so
# the match is at most "which ." long): not a scan of the whole sentence.
DANGLING_TAIL = 16
DANGLING = re.compile(
    r"\b(?:the|a|an|and|or|of|on|in|at|to|for|with|by|from|which|that|but|as|new)\s*\.$",
    re.IGNORECASE,
)
_MIN_CHARS = 2
OPENING_QUOTES = '"\u201c\u2018'  # after a space, a straight mark opens
# Longer "sentences" are scraping debris or an attack; every later regex runs
# on pieces of at most this size, so its cost per piece is bounded.
MAX_SENTENCE_CHARS = 1_500
SEGMENT_CHARS = 4_000
# A sentence that opens on a single quotation mark ("... any alcohol. 'Our
# investigation showed ..."): the splitter keeps it glued to the one before.
_SINGLE_QUOTE_OPENS = re.compile(r"(?<=[.!?])\s+(?=['\u2018][A-Z])")
SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]?(?=\s[A-Z\"\u201c])")


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
    segments = repair(_segments(text))
    segments = [part for s in segments for part in _SINGLE_QUOTE_OPENS.split(s)]
    pieces = [piece for s in _quotes_opened_where_they_open(segments) for piece in _bounded(s)]
    return [piece for piece in pieces if len(piece) >= _MIN_CHARS]


def _segments(text: str) -> list[str]:
    """Split a paragraph with sentencex, as it reads in ``quotes.splitter_view``.

    sentencex reads the paragraph's splitter view, a block at a time; its
    pieces, which always join back into what it read, are cut from the text
    itself. The view is of the whole paragraph: a block may begin inside a
    quotation that an earlier block opened. An orphan mark that sentencex
    took for space after a sentence opens the next one instead ('"The
    supporters have been amazing.' then '"I think we timed ...').
    """
    marks = read_marks(text)
    view = splitter_view(text, marks)
    if view is text and not marks.paired:  # no marks at all: the plain split
        return [piece for block in _blocks(text) for piece in sentencex.segment("en", block)]
    orphans = set(marks.orphans)
    cut: list[str] = []
    at = start = 0
    for block in _blocks(view, marks.inside):
        pieces = list(sentencex.segment("en", block))
        if "".join(pieces) != block:  # never seen: the text's own pieces, as before
            cut += sentencex.segment("en", text[at : start + len(block)])
            at = start = start + len(block)
            continue
        for piece in pieces:
            start += len(piece)
            end = _before_orphan(view, at, start, orphans)
            if end > at:
                cut.append(text[at:end])
                at = end
    if at < len(text):
        cut.append(text[at:])
    return cut


def _before_orphan(view: str, at: int, end: int, orphans: set[int]) -> int:
    """Return where a piece ``view[at:end]`` ends: before an orphan opening mark in its space."""
    space = end
    while space > at and view[space - 1].isspace():
        space -= 1
    return next((p for p in range(space, end) if p in orphans and _opens(view, p)), end)


def _opens(view: str, at: int) -> bool:
    """Tell whether the (blanked) mark at ``at`` stands before a word, as opening marks do."""
    return not view[at + 1 : at + 2].isspace()


def _quotes_opened_where_they_open(segments: list[str]) -> list[str]:
    """Move an opening quotation mark left at a segment's end to the segment it opens.

    The splitter leaves it behind when the quotation does not close in view
    (it runs into the next paragraph, or past a block cut): 'Jackson resigned
    Wednesday. "' and 'We are actively addressing ...' are one sentence and
    one quotation.
    """
    moved: list[str] = []
    carried = ""
    for segment in segments:
        text = carried + segment.strip()
        carried = ""
        if (
            len(text) > 2
            and text[-1] in OPENING_QUOTES
            and text[-2].isspace()
            and not (text[-1] == '"' and text.count('"') % 2 == 0)  # it closes: '... over. "'
        ):
            text, carried = text[:-1].rstrip(), text[-1]
        moved.append(text)
    return moved


def _blocks(text: str, inside: Callable[[int], bool] = lambda at: False) -> list[str]:
    """Cut a paragraph into blocks of at most SEGMENT_CHARS at sentence ends where possible.

    sentencex is quadratic on some inputs (a long run of opening quotes took
    12 s at 200,000 characters); on bounded blocks its cost stays linear. A
    cut falls outside quotations where it can (``inside`` tells, by offset):
    a block that began inside one would read its marks the wrong way round.
    """
    blocks = []
    start = 0
    while len(text) - start > SEGMENT_CHARS:
        window = text[start : start + SEGMENT_CHARS + 2]
        cut = start + _last_end(window, SEGMENT_CHARS, inside, start)
        blocks.append(text[start:cut])
        start = cut
    return [*blocks, text[start:]]


def _last_end(
    text: str, limit: int, inside: Callable[[int], bool] = lambda at: False, offset: int = 0
) -> int:
    """Return where to cut ``text`` within ``limit``: a sentence end, else a space.

    A sentence end outside quotations wins (``inside`` reads offsets from
    ``offset``, where ``text`` begins in what it was cut from).
    """
    ends = [m.end() for m in SENTENCE_END.finditer(text[: limit + 2], 1, limit)]
    outside = [end for end in ends if not inside(offset + end)]
    if outside or ends:
        return (outside or ends)[-1]
    space = text.rfind(" ", limit // 2, limit)
    return space if space > 0 else limit


def _bounded(sentence: str) -> list[str]:
    """Cut a sentence longer than MAX_SENTENCE_CHARS at spaces (or hard, if none)."""
    pieces = []
    while len(sentence) > MAX_SENTENCE_CHARS:
        cut = _last_end(sentence, MAX_SENTENCE_CHARS)
        pieces.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    return [*pieces, sentence]


def looks_like_caption(raw: str) -> bool:
    """Tell whether a sentence reads like a photo caption or credit (``CAPTION``, ``LABEL``).

    ``CAPTION`` needs a bracket or "pictured": without either, it is not run.
    """
    gated = "(" in raw or "ictured" in raw or "ICTURED" in raw
    return bool((gated and CAPTION.search(raw)) or CREDIT.match(raw) or LABEL.match(raw))


def sentences_of(paragraphs: Sequence[str]) -> list[Sentence]:
    """Split paragraphs into numbered sentences, dropping social prompts."""
    found: list[Sentence] = []
    for number, paragraph in enumerate(paragraphs):
        for raw in split_sentences(paragraph):
            if is_prompt(raw) or not any(ch.isalnum() for ch in raw):
                continue
            text = raw.rstrip(" .") + "." if raw.endswith(" .") else raw
            is_caption = looks_like_caption(raw)
            is_broken = (
                raw.endswith(" .")
                or bool(search_end(DANGLING, text, DANGLING_TAIL))
                or len(raw) >= MAX_SENTENCE_CHARS // 2
                and raw[-1:] not in ".!?\"'\u201d\u2019)"
            )
            found.append(Sentence(text, len(found), number, is_caption, is_broken))
    return found
