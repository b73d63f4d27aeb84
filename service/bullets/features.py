"""Describe sentences with the cheap signals the bullet scorer combines."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from service.text.sentences import Sentence

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own s same she should so some such t than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says say told according mr mrs ms one two new last year years
    """.split()
)
# "There" counts only as a place ("There, he ..."): "There is/are/was ..." states a fact.
PRONOUN_OPENER = re.compile(
    r"^(?:he|she|it|they|them|his|her|its|their|this|these|those|that|him|"
    r"there(?!\s+(?:is|are|was|were|has|have|had|will|would|may|might|could|can|must|"
    r"should|seems?|appears?|remains?)\b))\b",
    re.IGNORECASE,
)
# A definite description that points back at someone the reader already
# met: "The younger man, Clarke said, ...", "Same goes for ...", "Both banks",
# "The other five Iraqis"; or at a time the reader was told of: "Since then,
# ...", "At the time, ...", "The next day ...", "Earlier, ...", "Later Mr
# Abadi will ..." ("At the time of his death", "Earlier this year", "Later
# Thursday" and "Next week" carry their own time; "Earlier reports" is an
# adjective).
BACK_REFERENCE = re.compile(
    r"^(?:(?:the|this|that)\s+(?:younger|older|elder|former|latter|same|pair|couple|duo|trio|two"
    r"|other)\b"
    r"|same goes\b|such\b|another\b|both\b(?![^,.;]{0,60}\band\b)"  # "Both X and Y" names both
    r"|(?:since|by|until|before) then\b|(?:after|before) that\b|at that (?:point|time|moment|stage)\b"
    r"|at the time\b(?!\s+of\b)|afterwards?\b|(?:earlier|later)(?:,|\s+(?=(?-i:[A-Z]))(?!"
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|January|February|March|April|May|June|July"
    r"|August|September|October|November|December)|\s+(?:he|she|they|it|we|the|his|her|their)\s)"
    r"|the (?:next|following|previous) (?:day|morning|afternoon|evening|night|week|month|year)\b)",
    re.IGNORECASE,
)
# Phrases that point back at what came before, set off by a comma: "In
# contrast, Sale are missing 14 players". Without the comma most are the
# sentence's own ("In contrast to last year, ..."), and are left alone.
_LEANING_PHRASE = (
    r"(?:in|by) (?:contrast|comparison)|on the other hand|in addition|as a result|even so|in fact|"
    r"indeed|likewise|similarly|conversely|alternatively|in turn|after all|"
    r"at the same time|in the meantime|(?:despite|because of|as a result of|in spite of) "
    r"(?:this|that|these|those|it)|as such|that said|even then|in response|of course|"
    r"in other words|what's more|on top of that|above all|in any case|either way|then again|"
    r"all the same|not only that|for (?:his|her|its|their|our|my) part|to that end|with that"
)
# What follows such a phrase when it is the sentence's own ("As a result of").
_OWN = r"\s+(?:to|of|as|with|that)\b"
# Connectives that lean on an unseen previous sentence. Ambiguous words
# ("Still images", "Instead of ...") count only when a comma follows; "In
# fact"-like phrases also without one, unless a preposition makes them the
# sentence's own ("As a result of the storm, ...").
CONNECTIVE_OPENER = re.compile(
    r"^(?:(?:but|however|also|and|or|meanwhile|moreover|furthermore|nevertheless|nonetheless|"
    r"therefore|consequently|accordingly|additionally|regardless|hence|"
    r"thus|besides|otherwise)\b,?|(?:in addition|as a result|even so|in fact|indeed|likewise|"
    rf"similarly)\b(?!{_OWN}),?"
    rf"|(?:so|yet|still|then|instead|now|{_LEANING_PHRASE}),|so(?= [A-Z]))\s*",
    re.IGNORECASE,
)
# What a reader (and the shared lint) sees as a dangling opener, comma or not:
# the words above, a leaning phrase with its comma, and the phrases that lean
# without one ("In fact Brando's ..."), unless a preposition makes them the
# sentence's own ("In contrast to ...", "Indeed as ...").
LEANING_OPENER = re.compile(
    r"^(?:(?:but|however|also|and|so|meanwhile|still|yet|instead|then|moreover|furthermore|"
    r"nevertheless|nonetheless|therefore|consequently|accordingly|additionally|hence|thus|"
    rf"besides|otherwise)\b|(?:{_LEANING_PHRASE}),|(?:in fact|indeed|likewise|similarly|even so|"
    rf"of course|(?:in|by) contrast|on the other hand)\b(?!,|{_OWN}))",
    re.IGNORECASE,
)
# (the lookahead on the first letter only lets the scan skip ahead: 40% faster)
FIRST_SECOND_PERSON = re.compile(
    r"\b(?=[imouwy])(?:i|i'm|i've|me|my|we|we're|our|us|you|your)\b", re.IGNORECASE
)
# A quoted span runs from an opening mark to its closing one, which the
# match consumes (so the straight mark that closes "Power/Rangers" never
# opens a span of the reporter's words after it), or, unclosed, to the next
# opening mark: linear on "\u201c \u201c \u201c ...".
_QUOTE_MARKS = frozenset("\"'\u201c\u201d\u2018\u2019")
_DOUBLE_QUOTED = re.compile(r"\"([^\"]*)\"?|\u201c([^\"\u201c\u201d]*)\u201d?")
# A single-quoted span holds apostrophes inside words ('... what you're telling
# people ...,' she said); an opening mark ends it: " \u2018 \u2018 \u2018" stays linear.
_SINGLE_QUOTED = re.compile(
    r"(?:^|(?<=\s))['\u2018]((?:[^'\u2018\u2019]|(?<=\w)['\u2019](?=\w))*)['\u2019](?=[\s.,;:!?]|$)"
)
QUOTATION_WORDS = 8
QUOTATION_SHARE = 0.4


def has_quotation(text: str) -> bool:
    """Tell whether a sentence is someone speaking rather than the reporter.

    It is when it opens with a quotation mark, quotes a clause (8+ words)
    or is mostly quoted words; a short quoted phrase inside reporting
    (albeit "under indefinite probation") is the reporter's voice.
    """
    if _QUOTE_MARKS.isdisjoint(text):
        return False  # most sentences: nothing below can match
    spans = [m.group(1) or m.group(2) or "" for m in _DOUBLE_QUOTED.finditer(text)]
    if text.lstrip()[:1] in "\"\u201c\u2018'" and _opens_with_speech(text.lstrip(), spans):
        return True
    spans += _SINGLE_QUOTED.findall(text)
    quoted = [len(span.split()) for span in spans]
    total = max(len(text.split()), 1)
    return any(n >= QUOTATION_WORDS for n in quoted) or sum(quoted) / total >= QUOTATION_SHARE


def _opens_with_speech(text: str, spans: list[str]) -> bool:
    """Tell speech ("Yes," he said) from a quoted title opening a sentence ("Beauty" has ...).

    Speech carries its punctuation inside the marks; a title closes bare.
    A single-quoted or unclosed opening is taken as speech.
    """
    if text[:1] not in '"\u201c' or not spans:
        return True
    first = spans[0].rstrip()
    closed = len(text) > len(spans[0]) + 1 and text[len(spans[0]) + 1] in '"\u201d'
    return not closed or first[-1:] in ",.!?;:" or len(first.split()) >= QUOTATION_WORDS


_TOKEN = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)?")
# A capitalised word not opening a sentence. The capital comes first and the
# lookbehinds after it (not first: then the scan stops at every character).
_CAPITALISED = re.compile(r"[A-Z](?<!^[A-Z])(?<![.!?]\s[A-Z])(?<!\w[A-Z])[a-z]+")
_NUMBER = re.compile(r"\d")


def tokens(text: str) -> list[str]:
    """Return lowercase word tokens."""
    return _TOKEN.findall(text.lower())


def content_words(text: str) -> list[str]:
    """Return tokens that carry meaning: no stopwords, no one-letter tokens.

    A crude suffix trim (plural ``s``) lets "mine" and "mines" match without
    a stemmer's cost.
    """
    return [
        token[:-1] if len(token) > 4 and token[-1] == "s" else token
        for token in _TOKEN.findall(text.lower())
        if len(token) > 1 and token not in STOPWORDS
    ]


def _content_set(tokens: Sequence[str]) -> frozenset[str]:
    """Return ``content_words`` of already found tokens, as a set."""
    return frozenset(
        [t[:-1] if len(t) > 4 and t[-1] == "s" else t for t in set(tokens) - STOPWORDS if len(t) > 1]
    )  # fmt: skip


def runs(tokens: Sequence[str]) -> frozenset[str]:
    """Return the letter-and-digit runs of ``tokens`` (``"don't"`` gives ``"don"`` and ``"t"``).

    What the sentence tests gate on: a word a pattern needs is among them
    when the pattern can match.
    """
    return frozenset("'".join(tokens).replace("\u2019", "'").split("'"))


# The words of FIRST_SECOND_PERSON, as runs: the pattern cannot match without one.
_PERSONAL_RUNS = frozenset("i me my we our us you your".split())


@dataclass(slots=True)  # not frozen: a frozen init costs 5x, and every request builds dozens
class Profile:
    """Signals of one sentence, computed once per article."""

    sentence: Sentence
    words: frozenset[str]  # content words (``content_words``)
    runs: frozenset[str]  # every lowercase letter-and-digit run (``runs``)
    centrality: float
    title_overlap: float
    density: float
    has_quote: bool
    is_question: bool
    is_personal: bool
    opens_with_pronoun: bool


def profile_sentences(sentences: Sequence[Sentence], title: str = "") -> list[Profile]:
    """Compute every sentence's signals against the whole article.

    Each sentence is lowercased and tokenised once: its content words, its
    runs and the first- or second-person test all come from that one pass.
    """
    tokens = [_TOKEN.findall(s.text.lower()) for s in sentences]
    bags = [_content_set(found) for found in tokens]
    frequency: Counter[str] = Counter()
    for bag in bags:
        frequency.update(bag)
    title_words = set(content_words(title))
    profiles = []
    for sentence, unique, found in zip(sentences, bags, tokens, strict=True):
        # Centrality: how many other sentences share this one's words, damped
        # by length so long sentences do not win by size alone.
        shared = sum(frequency[w] - 1 for w in unique)
        centrality = shared / math.sqrt(len(unique) + 4)
        overlap = len(unique & title_words) / (len(title_words) or 1)
        text = sentence.text
        names = len(_CAPITALISED.findall(text)) + len(_NUMBER.findall(text)) / 2
        words = runs(found)
        profiles.append(
            Profile(
                sentence=sentence,
                words=unique,
                runs=words,
                centrality=centrality,
                title_overlap=overlap,
                density=names / max(sentence.words, 1),
                has_quote=has_quotation(text),
                is_question=text.rstrip("\"'\u201d\u2019 ").endswith("?"),
                is_personal=not _PERSONAL_RUNS.isdisjoint(words)
                and bool(FIRST_SECOND_PERSON.search(_outside_quotes(text))),
                opens_with_pronoun=bool(PRONOUN_OPENER.match(text)),
            )
        )
    return profiles


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Return the cosine of two word sets (binary weights)."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def _outside_quotes(text: str) -> str:
    return _QUOTED_SPAN.sub(" ", text)


# An opening mark ends a span too, so "\u201c \u201c \u201c ..." is scanned once.
_QUOTED_SPAN = re.compile(r"[\"\u201c][^\"\u201c\u201d]*[\"\u201d]|'[^']{3,}'")
