"""Read how a text's quotation marks pair, so the sentence splitter is not misled.

Newsroom style does not close a quotation that runs on into the next
paragraph: the next paragraph opens again ('"... stories.' then '"And I got
into trouble," he added.'). Copy whose paragraphs were joined into one line
(CNN/DailyMail archives, most feeds) then holds an opening mark that nothing
closes, and the sentence splitter, which pairs marks in order, reads every
later mark the wrong way round: sentences after it are glued together and
begin on the previous one's closing mark ('" That was more than 20 years
ago ...'). 20 of 300 val.jsonl stories, 96 of 992 train.jsonl stories.

Each mark is read from its neighbours, as a reader does: an opening mark
follows a space or a bracket and precedes a word; a closing one follows a
word or punctuation and precedes a space, punctuation or the end; a mark
with spaces on both sides takes the side the count so far needs. An opening
mark while a quotation is open is the convention above, so the earlier
opening mark is an orphan; so is a closing mark with no quotation open and
one left open at the end. A mark right after a number and before more of
it is inches or seconds ('a solid 1"+ per hour'), no quotation mark; a pair
inside a quotation is nested ('same-sex "marriage" employed').

The splitter reads a view of the text (``splitter_view``) with orphans,
inches and nested pairs as spaces, and a closing mark set off by a space
closed up; its pieces are cut from the text itself, so no character of the
article changes (``service.text.sentences``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_MARK = re.compile('["\u201c\u201d]')
_OPENS_AFTER = frozenset(" \t\n([{/\u2014\u2013-")
_CLOSES_BEFORE = frozenset(" \t\n)]},.;:!?\u2014\u2013-")
_ENDS_SPEECH = frozenset("'\u2019.!?")


@dataclass(frozen=True, slots=True)
class Marks:
    """How the double quotation marks of a text pair up."""

    orphans: list[int]  # offsets of the marks that pair with nothing
    spaced: list[int]  # closing marks set off by a space after an end: '... it!\' " He'
    paired: list[int]  # offsets of the marks that open and close quotations, in order
    blank: list[int]  # inches ('a solid 1"+ per hour') and quotations inside quotations

    def inside(self, at: int) -> bool:
        """Tell whether offset ``at`` lies inside a quotation (after its opening mark)."""
        return bisect.bisect_left(self.paired, at) % 2 == 1


_NO_MARKS = Marks([], [], [], [])


def read_marks(text: str) -> Marks:
    """Read every double quotation mark of ``text`` from its neighbours and the count so far."""
    if '"' not in text and "\u201c" not in text and "\u201d" not in text:
        return _NO_MARKS
    orphans: list[int] = []
    spaced: list[int] = []
    paired: list[int] = []
    blank: list[int] = []
    opened: list[int] = []  # the outer quotation's opening mark, then any nested ones
    last = len(text) - 1
    for match in _MARK.finditer(text):
        at, mark = match.start(), match.group()
        before = text[at - 1] if at else " "
        after = text[at + 1] if at < last else " "
        if before.isdigit() and mark == '"' and not after.isspace() and after not in _CLOSES_BEFORE:
            blank.append(at)  # inches or seconds: 'a solid 1"+ per hour', '5"x7" prints'
            continue
        opens = mark == "\u201c" or (mark == '"' and before in _OPENS_AFTER and not after.isspace())
        closes = mark == "\u201d" or (
            mark == '"' and not before.isspace() and after in _CLOSES_BEFORE
        )
        if opens == closes:  # spaces on both sides, or a word on both: as the count needs
            opens = not opened
        if opens and opened and _after_sentence_end(text, at):
            orphans += opened  # reopened in a new paragraph, never closed
            opened = [at]
        elif opens:
            opened.append(at)  # a quotation, or one inside it ('same-sex "marriage" employed')
        elif len(opened) > 1:
            blank += (opened.pop(), at)  # a nested pair: the splitter reads only the outer one
        elif opened:
            paired += (opened.pop(), at)
            if before == " " and at >= 2 and text[at - 2] in _ENDS_SPEECH:
                spaced.append(at)
        else:
            orphans.append(at)  # closes a quotation that began before this text
    orphans += opened
    return Marks(sorted(orphans), spaced, paired, sorted(blank))


def _after_sentence_end(text: str, at: int) -> bool:
    """Tell whether the mark at ``at`` follows a sentence's end (over spaces)."""
    before = text[max(0, at - 8) : at].rstrip()
    return not before or before[-1] in ".!?:\u2026"


def splitter_view(text: str, marks: Marks | None = None) -> str:
    """Return ``text`` as the sentence splitter should read it: same length, same offsets.

    Orphan marks, inches and quotations inside quotations become spaces. A
    closing mark set off by a space after the end of a sentence or a nested
    quotation ("... ruining our children!' " That was ...") is read as if it
    closed up to them, so the sentence ends after it.
    """
    marks = marks or read_marks(text)
    changes = {at: " " for at in (*marks.orphans, *marks.blank)}
    for at in marks.spaced:  # the splitter ends a sentence on '!" ' and '." ', never on "!' \""
        changes[at - 2 if text[at - 2] in "'\u2019" else at - 1] = '"'
        changes[at] = " "
    if not changes:
        return text
    parts: list[str] = []
    start = 0
    for at in sorted(changes):
        parts += (text[start:at], changes[at])
        start = at + 1
    parts.append(text[start:])
    return "".join(parts)


# An apostrophe that stands for letters or digits left out, where an opening
# single mark would stand: "the '90s", "in August of '77", "shoot 'em up",
# "rock 'n' roll", "'til dawn". It opens no quotation.
_ELISION = re.compile(
    r"['\u2019](?:\d\d(?!\d)|em\b|til\b|cause\b|bout\b|[tT]is\b|[tT]was\b|[nN]['\u2019](?!\w))"
)


def is_elision(text: str, at: int) -> bool:
    """Tell whether the single mark at ``at`` marks an elision, not a quotation."""
    if _ELISION.match(text, at):
        return True
    return (
        2 <= at
        and text[at - 2 : at].lower() in ("'n", "\u2019n")
        and not text[at + 1 : at + 2].isalnum()
    )
