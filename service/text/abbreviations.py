"""Repair sentence boundaries that wire-copy abbreviations fool a splitter into.

``sentencex`` handles most abbreviations, but it ends a sentence at "7 a.m."
before "Monday", at "Dr." before "Who", at "Approx." before a number, and it
keeps "(for good.) She stayed." together. This layer sees pairs of adjacent
segments and merges or splits them by the classes AP style uses: titles and
ranks, times, months and weekdays, numbers, initials and acronyms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from service.text.tail import search_end

MAX_MERGED_CHARS = 2_000
# Titles and ranks stand before a name: never the end of a sentence.
TITLES = frozenset(
    """mr mrs ms messrs dr gov sen rep reps sens lt col gen sgt capt cmdr adm maj rev prof
    pres supt det insp cpl pvt brig atty hon msgr rt fr sra srta mme mlle""".split()
)
PLACES = frozenset(("Ft", "Mt", "Pt", "Ste"))  # "Ft. Bragg"; lowercase "ft." is feet
# Abbreviations that end a sentence only rarely: merge before a number or name.
NUMBERED = frozenset("no nos vol art sec fig p pp ch approx est ca tel ext".split())
# Company suffixes, units and Latin shorthand: they end a sentence now and
# then ("... Acme Inc."), so only a lowercase word, a number or a date continues.
SUFFIXES = frozenset(
    "inc co corp ltd llc plc jr sr bros ave blvd rd dept assn vs v etc al ft lb lbs oz in mi".split()
)
MONTHS = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|"
    "fri|sat|sun"
)
MONTH_NAMES = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
)
# What may follow a clock time inside the same sentence.
_AFTER_TIME = re.compile(
    rf"^(?:(?i:(?:{WEEKDAYS}|{MONTH_NAMES}|{'|'.join(sorted(MONTHS))}|local|today|tonight|tomorrow|yesterday|eastern|pacific"
    r"|central|mountain)\b)|(?:[ECMP][SD]?T|GMT|BST|UTC|CET|CEST|AEST|AEDT|HST)\b"
    r"|[a-z0-9(,;:\u2013\u2014-])"
)
# A plain lowercase word never opens a sentence ("eBay" and "theGrio.com" do).
LOWER_OPENER = re.compile(r"^[a-z]+(?=[\s,;:)\u2019']|$)")
_CALENDAR_START = re.compile(rf"^(?:{WEEKDAYS}|{MONTH_NAMES})\b", re.IGNORECASE)
_TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz."
_TOKEN_OPENERS = '(["\u201c'  # or whitespace
_CLOCK = re.compile(r"\b[ap]\.?m\.$", re.IGNORECASE)
_CLOCK_CHARS = 4  # "a.m.": the clock is searched for in the last few characters only
_INITIAL = re.compile(r"(?:^|\s)[A-Z][a-z]+\s+[A-Z]\.$")
_ACRONYM = re.compile(r"(?:[A-Za-z]\.){2,}$")
# A sentence end inside brackets: "(for good.) She stayed." is two sentences.
# So is "at 5 p.m. The owner left.", which the splitter keeps as one.
# (It opens on the space, the lookbehinds after it, so a scan skips to spaces.)
_INNER_END = re.compile(
    r"\s(?:(?<=[.!?][)\]]\s)|(?<=\b[aApP]\.[mM]\.\s)(?P<clock>))\s*"
    r"(?=[\"\u201c\u2018']?[A-Z])"
)


def repair(segments: Iterable[str]) -> list[str]:
    """Merge segments split at an abbreviation and split at bracketed ends.

    Merging is linear (pieces are joined once) and stops at
    ``MAX_MERGED_CHARS``, so a run of "7 a.m. 7 a.m. ..." cannot grow one
    sentence without bound.
    """
    groups: list[list[str]] = []
    size = 0
    for segment in segments:
        if groups and size < MAX_MERGED_CHARS:
            last = groups[-1][-1].rstrip()
            if is_continuation(last, segment.lstrip()):
                groups[-1].append(segment.strip())
                size += len(segment)
                continue
        groups.append([segment.strip()])
        size = len(segment)
    merged = [" ".join(group) for group in groups]
    return [piece for segment in merged for piece in _split_inside(segment)]


def _split_inside(segment: str) -> list[str]:
    """Split where a sentence ends inside a segment: after brackets or a clock time."""
    pieces: list[str] = []
    start = 0
    for match in _INNER_END.finditer(segment):
        rest = segment[match.end() :]
        if match.group("clock") is not None and _AFTER_TIME.match(rest):
            continue
        pieces.append(segment[start : match.start()])
        start = match.end()
    pieces.append(segment[start:])
    return pieces


def is_continuation(previous: str, following: str) -> bool:
    """Tell whether ``following`` continues the sentence that ``previous`` cut short."""
    if not following or previous[-1:] not in ".!?":
        return False
    if LOWER_OPENER.match(following):
        return True  # also after "?" or "!" in a name: "What Hi-Fi? are hosting ..."
    if not previous.endswith("."):
        return False
    if search_end(_CLOCK, previous, _CLOCK_CHARS):
        return bool(_AFTER_TIME.match(following))
    start = _last_token_start(previous)
    if start is None:
        return False
    token = previous[start:-1]
    word = token.lower()
    first = following[0]
    if word in TITLES or token in PLACES:
        return first.isupper() or first.isdigit()
    if word == "st":  # "in St. Louis" continues; "on Main St. The" ends.
        before = previous[:start].split()
        return not before or not before[-1][:1].isupper()
    if word in NUMBERED or word in MONTHS:
        return first.isdigit() or first == "$" or first.islower()
    if len(token) == 1 and first.isupper() and _INITIAL.search(previous):
        return True  # "John F. Kennedy": a middle initial, not "Plan B."
    is_known = word in SUFFIXES or bool(_ACRONYM.search(token + "."))
    if is_known and _CALENDAR_START.match(following):
        return True
    is_short = is_known or (token[0].isupper() and len(token) <= 4)
    return is_short and (first.islower() or first.isdigit())


def _last_token_start(previous: str) -> int | None:
    """Return where the word before the final period starts ("U.S" of "in the U.S.").

    The word is letters and dots, opens on a letter and follows a space, a
    bracket, a quotation mark or nothing. Found from the end (``rstrip``),
    not by a regular expression scanning the whole sentence.
    """
    body = previous[:-1]
    start = len(body.rstrip(_TOKEN_CHARS))
    if start == len(body) or not body[start].isalpha():
        return None
    if start and not (body[start - 1].isspace() or body[start - 1] in _TOKEN_OPENERS):
        return None
    return start
