"""Shorten a sentence by deleting what an editor would cut from a box bullet.

Each rule deletes one span (a leading time adjunct, an aside between
dashes, a non-restrictive relative clause, an appositive, a closing
participle phrase) and is vetoed when the span holds a
negation or a number, or when what is left is too short to stand alone:
a bullet never loses a "not", a figure or its subject.
"""

from __future__ import annotations

import re

MIN_LEFT_WORDS = 8
# Negations and numbers must survive every cut.
PROTECTED = re.compile(
    r"\d|\b(?:not|no|never|nobody|none|nothing|neither|nor|without|cannot|n't|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|hundreds|thousand|thousands|million|millions|billion|billions|dozen|dozens|half|"
    r"first|second|third|percent)\b|n['\u2019]t\b",
    re.IGNORECASE,
)
_WHEN_WORDS = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tonight|"
    r"week|weekend|month|year|night|morning|afternoon|evening|summer|winter|spring|autumn|fall)"
)
# "On Monday, ..." / "Last week, ..." / "Earlier this year, ..." / "Late Tuesday night, ..."
LEADING_TIME = re.compile(
    rf"^(?:(?:on|late|early|earlier|later|by|since|until|over|during|in)\s+)?"
    rf"(?:(?:last|this|next|the|on|late|early|that)\s+)?"
    rf"{_WHEN_WORDS}(?:\s+(?:morning|afternoon|evening|night))?,\s+(?=[A-Za-z])",
    re.IGNORECASE,
)
# ", who ... ," / ", which ... ," between commas, no quote or bracket inside,
# before the main clause's verb: a comma followed by a subject ("..., he said")
# closed something else, and the clause had no comma of its own to end it.
RELATIVE_CLAUSE = re.compile(
    r",\s+(?:who|which|whose)\s+[^,;:\"\u201c\u201d()]{3,120}?,\s+"
    r"(?!(?:he|she|it|they|we|i|you|there|this|that|these|those|the|a|an|his|her|its|their|"
    r"our|my)\b)"
)
# "Smith, a retired teacher, was ..." / "Austin, the defense secretary, said ...":
# after a capitalised name, before a lowercase word that is not a list's "and".
# What follows a relative clause's closing comma when that comma was not its end:
# a name or place the clause was still listing ("..., whose brands include Penfolds,
# Rosemount and Lindemans, dismissed", "..., which is based in Moyock, North
# Carolina, is"), a source the cut would glue on ("..., which ..., Hersman said"), or
# the tail of a list ("..., that bring cargo, supplies and military personnel ..."), or
# a source that keeps its comma ("..., and Hamas, which controls Gaza, according to").
# The main clause's verb is what a real end opens on ("..., will also lead salvage
# and recovery efforts, ...").
_CLAUSE_GOES_ON = re.compile(
    r"[A-Z]|according\b"
    r"|(?!(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|should|did|does|"
    r"\w{3,}ed)\b)[^,;:.]{0,30}?\b(?:and|or)\s+[^,;:.]{1,40}?,"
)
APPOSITIVE = re.compile(
    r"\b[A-Z][a-z]+(?P<span>,\s+(?:a|an|the|his|her|their|its)\s+[^,;:\"\u201c\u201d()]{2,80}?,)"
    r"\s+(?=(?!and\b|or\b|but\b|who\b|which\b)[a-z])"
)

# " -- albeit under probation -- " inside a sentence, or a trailing " -- ..." aside.
_DASHES = ("--", "\u2014", "\u2013")
_DASH = rf"\s+(?:{'|'.join(_DASHES)})\s+"
DASH_ASIDE = re.compile(
    rf"{_DASH}[^\u2014\u2013\"\u201c\u201d()]{{3,100}}?{_DASH}|{_DASH}[^\u2014\u2013\"\u201c\u201d()]{{3,120}}?(?=[.!]?$)"
)
# A trailing participle phrase: "..., making him eligible to return at once."
# Participles of consequence: ", meaning he is eligible for the death
# penalty", ", leaving 40 homeless". What follows them is the point.
CONSEQUENCE = (
    r"(?:meaning|leaving|making|causing|forcing|prompting|sparking|triggering|resulting|killing|"
    r"injuring|wounding|bringing|raising|cutting|ending|putting|sending|allowing|preventing)"
)
# Never a source (", according to ...") nor a consequence.
TRAILING_PARTICIPLE = re.compile(
    rf",\s+(?!(?:according|{CONSEQUENCE})\b)(?:[a-z]{{3,}}ing)\b"
    r"[^,;:\"\u201c\u201d()]{3,120}?(?=[.!]?$)"
)


def drop_dash_aside(text: str) -> str:
    """Remove one aside set off by dashes (paired, or running to the end)."""
    if not any(dash in text for dash in _DASHES):
        return text  # most sentences: nothing for the pattern to find
    for match in DASH_ASIDE.finditer(text):
        if "--" in match.group(0)[3:-3] or PROTECTED.search(match.group(0)):
            continue
        if text[match.end() : match.end() + 1].isupper():
            continue  # the dashes stood for a comma: "After ... media -- ... -- Houthis raided"
        joined = (text[: match.start()] + " " + text[match.end() :]).strip()
        return _keep_if_long(text, re.sub(r"\s+(?=[.!]$)", "", joined))
    return text


def drop_trailing_participle(text: str) -> str:
    """Remove a closing ", making ..." / ", saying ..." phrase."""
    match = TRAILING_PARTICIPLE.search(text)
    if not match or PROTECTED.search(match.group(0)):
        return text
    return _keep_if_long(text, text[: match.start()] + text[match.end() :])


def drop_leading_time(text: str) -> str:
    """Remove an opening time adjunct: "On Monday, the council ..." -> "The council ..."."""
    match = LEADING_TIME.match(text)
    if not match or PROTECTED.search(match.group(0)):
        return text
    return _keep_if_long(text, text[match.end() :][:1].upper() + text[match.end() + 1 :])


def drop_relative_clause(text: str) -> str:
    """Remove one non-restrictive relative clause set off by commas."""
    for match in RELATIVE_CLAUSE.finditer(text):
        if PROTECTED.search(match.group(0)) or _CLAUSE_GOES_ON.match(text, match.end()):
            continue
        return _keep_if_long(text, text[: match.start()] + " " + text[match.end() :])
    return text


def drop_appositive(text: str) -> str:
    """Remove one appositive after a name: "Austin, the defense secretary, said" -> "Austin said"."""
    for match in APPOSITIVE.finditer(text):
        if not PROTECTED.search(match.group("span")):
            return _keep_if_long(text, text[: match.start("span")] + text[match.end("span") :])
    return text


# The deletion rules by name, in the order they apply: a house style (a
# profile's ``box.cuts``) may leave out those its editors do not make.
CUTS = ("leading_time", "dash_aside", "relative_clause", "appositive", "trailing_participle")
ALL_CUTS = frozenset(CUTS)


def compress(text: str, cuts: frozenset[str] = ALL_CUTS) -> str:
    """Apply each deletion rule in ``cuts`` once, in a fixed order."""
    for name in CUTS:
        if name in cuts:
            text = RULES[name](text)
    return text


def _keep_if_long(original: str, shortened: str) -> str:
    return shortened if len(shortened.split()) >= MIN_LEFT_WORDS else original


RULES = {
    "leading_time": drop_leading_time, "dash_aside": drop_dash_aside,
    "relative_clause": drop_relative_clause, "appositive": drop_appositive,
    "trailing_participle": drop_trailing_participle,
}  # fmt: skip
