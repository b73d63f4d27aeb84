"""Shorten a sentence safely: drop asides and attributions, split two facts.

Every function here only deletes words or cuts at a boundary; none adds a
word, so a bullet's content always comes from the article.
"""

from __future__ import annotations

import re

from service.bullets.compress import PROTECTED
from service.bullets.features import CONNECTIVE_OPENER
from service.bullets.features import LEANING_OPENER

_SPEAKER = r"(?:[A-Z][\w.'\u2019-]*|the|a|an|police|officials|authorities|experts|he|she|they)"
_SPEECH = r"(?:said|says|told|reported|announced|added|confirmed|claimed|stated|warned)"
_WHEN = (
    r"(?:\s+(?:on\s+)?(?:today|yesterday|tonight|last night|on \w+|\w+day|this week|last week))?"
)
# A lowercase speaker too ("state officials"), never a conjunction or relative word.
_TAIL_SPEAKER = (
    rf"(?:{_SPEAKER}|(?!(?:and|but|or|nor|which|who|whom|that|as|when|while|where|so|because|if|"
    r"it|we|i|you)\b)[a-z][\w'\u2019-]*)"
)
# Where it was said: "in a statement", "at a news conference", "on Twitter".
_SETTING = (
    r"(?:\s+(?:in|at|during)\s+(?:a|an|the)\s+(?:statement|interview|news conference|"
    r"press conference|news release|briefing|speech)|\s+on\s+(?:Twitter|Facebook|Instagram))?"
)
# Whom it was told to: "told CNN", "told reporters", "told The Associated Press".
_TOLD = (
    r"(?:told|tells)\s+(?:CNN|reporters|journalists|(?:The\s+)?[A-Z][\w.'\u2019-]*"
    r"(?:\s+[A-Z][\w.'\u2019-]*){0,3})"
)
# What a study said: ", a new study found." / ", an analysis shows." / ", a CNN poll found."
_FINDING = (
    r",\s+(?:a|an|the)\s+(?:[\w.'\u2019-]+\s+){0,3}?"
    r"(?:study|analysis|report|survey|poll|review|investigation|audit|research|data)\s+"
    r"(?:[\w.'\u2019-]+\s+){0,4}?(?:found|finds|shows|showed|suggests|suggested|says|said)"
    rf"{_WHEN}(?=\s*[.!]?$)"
)
# ", police said." / ", the U.S. defense secretary said Wednesday." /
# ", state officials said Thursday in a statement." / ", a spokeswoman told CNN."
TRAILING_ATTRIBUTION = re.compile(
    rf",\s+(?:{_TAIL_SPEAKER}\s+)(?:[\w.'\u2019-]+\s+){{0,6}}?(?:{_TOLD}|{_SPEECH}){_WHEN}{_SETTING}"
    r"(?=\s*[.!]?$)"
    rf"|{_FINDING}"
    rf"|,\s+{_SPEECH}\s+(?:[\w.'\u2019-]+\s+){{0,5}}?[\w.'\u2019-]+(?=\s*[.!]?$)"
    rf"|,\s+according to\s+(?:[\w.'\u2019-]+\s+){{0,6}}?[\w.'\u2019-]+(?=\s*[.!]?$)"
)
_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# "..., the U.S. defense secretary said Wednesday, in Washington's ..." : cut after it.
MID_ATTRIBUTION = re.compile(
    rf",\s+(?:{_SPEAKER}\s+)(?:[\w.'\u2019-]+\s+){{0,6}}?{_SPEECH}{_WHEN},\s+"
)
# "Officials said that ..." / "Police said ..." at the start ("told" needs its
# object, so "He told CNN he ..." is left alone).
_LEAD_SPEECH = r"(?:said|says|announced|added|confirmed|claimed|stated|warned)"
LEADING_ATTRIBUTION = re.compile(
    rf"^(?:{_SPEAKER}\s+)(?:[\w.'\u2019-]+\s+){{0,3}}?{_LEAD_SPEECH}{_WHEN}\s+(?:that\s+)?"
    rf"(?!{_DAY}\b)(?=[A-Z])"
    r"|^(?:Officials|Police|Authorities|Experts|Researchers|Prosecutors)\s+"
    rf"{_SPEECH}{_WHEN}\s+that\s+"
)
# The lead's attribution, to be moved to the front in the present tense:
# "A will happen, the U.S. defense secretary said Wednesday." -> "The U.S.
# defense secretary says a will happen". Only a named or nominal speaker
# qualifies; a pronoun would leave the first bullet without a referent. A
# perfect tense keeps its words: "..., the BBC has said." -> "The BBC has
# said ..." (an auxiliary is never part of the speaker: "The BBC has says").
_NOMINAL = (
    r"(?!(?:he|she|they|it|we|i|you|which|who|that|and|but|as|when|while|where|so)\b)"
    r"(?:[Tt]he\s+|[Aa]n?\s+)?[\w.'\u2019-]+"
)
_PRESENT = {"said": "says", "says": "says", "reported": "reports", "announced": "announces",
            "warned": "warns", "confirmed": "confirms", "told": None, "added": None,
            "claimed": "claims", "stated": "states"}  # fmt: skip
_AUXILIARY = (
    r"(?:has|have|had|is|are|was|were|will|would|shall|should|can|could|may|might|must|"
    r"do|does|did|be|been|being)"
)
LEAD_ATTRIBUTION = re.compile(
    rf",\s+(?P<speaker>{_NOMINAL}(?:\s+(?!{_AUXILIARY}\b)[\w.'\u2019-]+){{0,5}}?)"
    rf"\s+(?:(?P<perfect>has|have|had)\s+)?(?P<verb>{_SPEECH}){_WHEN}"
    r"(?=\s*(?:[.!]?$|,\s))"
)
_SENTENCE_OPENERS = frozenset(
    """the a an this that these those its their his her our some many most more several all
    no one two three four five six seven eight nine ten dozens hundreds thousands""".split()
)
_PLURAL_HEADS = frozenset("police officials authorities people".split())
PARENTHETICAL = re.compile(r"\s*\((?![^()]{0,80}\d{4})[^()]{1,80}\)")
# Clause boundaries where both halves usually stand alone.
CLAUSE_SPLIT = re.compile(r";\s+|,\s+(?:while|but|and|whereas)\s+")
# A half stands alone when it has its own subject and finite verb: it must not
# open with a pronoun (its referent would be in the other half) or a verb, and
# must show an auxiliary or past-tense verb early on.
_PRONOUN = re.compile(r"^(?:he|she|it|they|his|her|its|their|this|these|those|who|which)\b", re.I)
_IRREGULAR_PAST = (
    r"became|began|bought|brought|built|came|caught|chose|drove|fell|felt|fled|flew|fought|"
    r"found|froze|gave|got|grew|heard|held|hit|hung|kept|knew|led|left|lost|made|meant|met|"
    r"paid|put|ran|rang|rose|said|sank|sat|saw|sent|set|shook|shot|shut|sold|sought|spent|"
    r"spoke|stood|stole|struck|swept|swore|took|taught|thought|threw|told|tore|upheld|went|"
    r"withdrew|woke|won|wore|wrote"
)
# A long subject ("Savers at a leading UK mortgage bank lined up") puts the verb ninth.
_FINITE = re.compile(
    r"^(?:\S+\s+){1,9}?(?:is|are|was|were|has|have|had|will|would|can|could|did|does|do|"
    rf"may|might|must|should|\w{{3,}}ed|{_IRREGULAR_PAST})\b"
)
_RELATIVE = re.compile(r"^(?:who|whom|whose|which)\b", re.IGNORECASE)
# A half that opens with a verb has its subject in the other half ("..., and may have been").
_VERB_OPENER = re.compile(
    r"^(?:is|are|was|were|be|been|has|have|had|will|would|can|could|did|does|do|may|might|must|"
    rf"should|shall|\w{{3,}}ed|{_IRREGULAR_PAST})\b",
    re.IGNORECASE,
)
# Before the subject of a sentence too long for a bullet: "As he awaits a report on Iraq, ",
# "During his speech to Congress, ", "With his hands shackled, ". Never "In ...": "In
# Germany, it is legal" is not true without its place. Never a participle ("Calling the
# bans unconstitutional, "): without a lexicon it cannot be told from a name ("Beijing
# officials on Monday ordered ..., ", "Mohammed bin Salman, ").
LEADING_CLAUSE = re.compile(
    r"^(?:as|while|after|before|when|since|although|though|despite|amid|following|during|with)"
    r"\s+"
    r"[^,;:\"\u201c\u201d()]{3,100}?,\s+(?=[A-Za-z])",
    re.IGNORECASE,
)
# After the main clause of one: ", leading a crowd of activists ..., Jeb Bush",
# ", spotted by those awake", ", a day after the lender was bailed out".
TRAILING_MODIFIER = re.compile(
    r",\s+(?:[a-z]{3,}(?:ing|ed)\b|(?:a|the)\s+(?:day|week|month|year)\s+(?:after|before)\b)"
    r"[^;:\"\u201c\u201d()]*$"
)
MIN_CLAUSE_WORDS = 8
# What a connective may leave at the front that cannot open a sentence: an
# attribution set off by commas ("he said, ", "said Mr Hogan, ") or "though,".
_ASIDE_ATTRIBUTION = re.compile(
    rf"^(?:(?:[\w.'\u2019-]+\s+){{1,4}}(?:{_TOLD}|{_SPEECH}{_WHEN})"
    rf"|{_SPEECH}(?:\s+[\w.'\u2019-]+){{1,4}})\s*,"
)
_THOUGH = re.compile(r"^(?:though|although)\b\s*,", re.IGNORECASE)
LONG_SENTENCE_WORDS = 40


def drop_asides(text: str) -> str:
    """Remove short parenthetical asides, e.g. "(pictured)" or "(left)".

    An aside glued to the next word in scraped copy ("Test (Push-Pull)This")
    leaves a space, never "TestThis".
    """
    if "(" not in text:
        return text.strip()  # most sentences: nothing for the pattern to find
    return PARENTHETICAL.sub(_aside_gap, text).strip()


def _aside_gap(match: re.Match[str]) -> str:
    following = match.string[match.end() : match.end() + 1]
    return " " if following.isalnum() else ""


def drop_attribution(text: str) -> str:
    """Remove a trailing ", police said." or a leading "Officials said that"."""
    body, end = _split_end(text)
    stripped = TRAILING_ATTRIBUTION.sub("", body)
    if len(stripped.split()) >= MIN_CLAUSE_WORDS:
        body = stripped
    lead = LEADING_ATTRIBUTION.sub("", body, count=1)
    if lead != body and len(lead.split()) >= MIN_CLAUSE_WORDS:
        body = _capitalise(lead)
    return body + end


def cut_long_tail(text: str) -> str:
    """Cut an over-long sentence after a mid-sentence attribution clause.

    "A will happen, the minister said Wednesday, in the second shift..."
    keeps the reported fact and its attribution and drops the trailing
    context, which an editor would move to its own bullet.
    """
    if len(text.split()) <= LONG_SENTENCE_WORDS:
        return text
    match = MID_ATTRIBUTION.search(text)
    if not match or len(text[: match.start()].split()) < MIN_CLAUSE_WORDS:
        return text
    return text[: match.end()].rstrip(", ") + "."


def present_attribution(text: str) -> str | None:
    """Move a lead's attribution to the front in the present tense, or return None.

    The tail after the attribution (", in Washington's second shift ...") is
    dropped, as ``cut_long_tail`` would. The verb changes tense only ("said"
    -> "says"); every other word is the article's.
    """
    match = LEAD_ATTRIBUTION.search(text)
    if not match or match.group("speaker").split()[0].lower() in _SENTENCE_OPENERS - {
        "the",
        "a",
        "an",
    }:
        return None
    verb = _PRESENT.get(match.group("verb"))
    head = match.group("speaker").split()[-1]
    is_plural = head in _PLURAL_HEADS or (
        head.islower() and head.endswith("s") and not head.endswith("ss")
    )
    if verb and match.group("perfect"):
        verb = f"{match.group('perfect')} {match.group('verb')}"  # the article's words
    elif verb and is_plural:
        verb = verb[:-1]  # "prosecutors say", "police warn"
    claim = text[: match.start()].rstrip(", ")
    if verb is None or len(claim.split()) < MIN_CLAUSE_WORDS or _has_open_quote(claim):
        return None
    first, _, rest = claim.partition(" ")
    if first.lower() in _SENTENCE_OPENERS:
        claim = first.lower() + " " + rest
    return f"{_capitalise(match.group('speaker'))} {verb} {claim}."


def drop_connective(text: str) -> str:
    """Remove an opening connective ("But", "However,") when the rest stands alone."""
    match = CONNECTIVE_OPENER.match(text)
    if not match:
        return text
    rest = text[match.end() :]
    if len(rest.split()) < MIN_CLAUSE_WORDS or not rest[:1].isalpha():
        return text
    if _ASIDE_ATTRIBUTION.match(rest) or LEANING_OPENER.match(rest) or _THOUGH.match(rest):
        return text  # "By contrast, he said, ..." / "At the same time, though, ..."
    return _capitalise(rest)


def split_clauses(text: str) -> list[str]:
    """Split a two-fact sentence at a clause boundary when each half stands alone."""
    body, end = _split_end(text)
    match = CLAUSE_SPLIT.search(body)
    if not match:
        return [text]
    left, right = body[: match.start()], body[match.end() :]
    if len(left.split()) < MIN_CLAUSE_WORDS or len(right.split()) < MIN_CLAUSE_WORDS:
        return [text]
    if _PRONOUN.match(right) or _VERB_OPENER.match(right) or not _FINITE.match(right):
        return [text]
    if _has_open_quote(left):
        return [text]
    return [left + ".", _capitalise(right) + end]


def fit_long(text: str, max_words: int) -> str:
    """Shorten a sentence over ``max_words`` by dropping whole clauses, or return it as is.

    Tried in turn while it is too long: an opening subordinate clause, a
    closing modifier, everything after the first clause. Each keeps the
    main clause (subject and verb), so what is left is still true, and none
    drops a negation or a number.
    """
    for cut in (drop_leading_clause, cut_trailing_modifier, first_clause):
        if len(text.split()) <= max_words:
            break
        text = cut(text)
    return text


def drop_leading_clause(text: str) -> str:
    """Drop "As he awaits a report on Iraq, " before the main clause."""
    match = LEADING_CLAUSE.match(text)
    if not match:
        return text
    rest = text[match.end() :]
    if CONNECTIVE_OPENER.match(rest) or _VERB_OPENER.match(rest) or _RELATIVE.match(rest):
        return text  # "After ..., and ..." / "With ..., was" / "..., which": no main clause after
    return _keep_main(text, _capitalise(rest), match.group(0))


def cut_trailing_modifier(text: str) -> str:
    """Cut a closing ", leading a crowd ..." / ", spotted by ..." / ", a day after ..."."""
    body, _ = _split_end(text)
    match = TRAILING_MODIFIER.search(body)
    if not match:
        return text
    return _keep_main(text, body[: match.start()] + ".", match.group(0))


def first_clause(text: str) -> str:
    """Keep only the first clause of a sentence when it stands alone.

    For a sentence too long for a bullet whose second clause leans on the
    first ("..., and he spent Monday morning telling a crowd ..."): the
    first clause keeps the sentence's subject and verb, and dropping the
    coordinated rest leaves it true.
    """
    body, _ = _split_end(text)
    match = CLAUSE_SPLIT.search(body)
    if not match:
        return text
    return _keep_main(text, body[: match.start()] + ".", body[match.start() :])


def _keep_main(text: str, kept: str, dropped: str) -> str:
    """Return ``kept`` if it stands alone and ``dropped`` holds no negation or number, else ``text``."""
    if PROTECTED.search(dropped) or _has_open_quote(kept) or not _FINITE.match(kept):
        return text
    return kept if len(kept.split()) >= MIN_CLAUSE_WORDS else text


def _split_end(text: str) -> tuple[str, str]:
    stripped = text.rstrip()
    if stripped and stripped[-1] in ".!":
        return stripped[:-1].rstrip(), stripped[-1]
    return stripped, "."


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _has_open_quote(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("\u201c") != text.count("\u201d")
