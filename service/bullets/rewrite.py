"""Shorten a sentence safely: drop asides and attributions, split two facts.

Every function here only deletes words or cuts at a boundary; none adds a
word, so a bullet's content always comes from the article.
"""

from __future__ import annotations

import re

from service.bullets.compress import CONSEQUENCE
from service.bullets.compress import PROTECTED
from service.bullets.features import CONNECTIVE_OPENER
from service.bullets.features import LEANING_OPENER
from service.text.attribution import has_cue
from service.text.attribution import is_attributed
from service.text.attribution import routine_tail
from service.text.furniture import BARE_PICTURE_ASIDE
from service.text.furniture import PICTURE_ASIDE
from service.text.sentences import OPENING_QUOTES

_SPEAKER = r"(?:[A-Z][\w.'\u2019-]*|the|a|an|police|officials|authorities|experts|he|she|they)"
_SPEECH = r"(?:said|says|told|reported|announced|added|confirmed|claimed|stated|warned)"
_WHEN = (
    r"(?:\s+(?:on\s+)?(?:today|yesterday|tonight|last night|on \w+|\w+day|this week|last week))?"
)
# Whom it was told to: "told CNN", "told reporters", "told The Associated Press".
_TOLD = (
    r"(?:told|tells)\s+(?:CNN|reporters|journalists|(?:The\s+)?[A-Z][\w.'\u2019-]*"
    r"(?:\s+[A-Z][\w.'\u2019-]*){0,3})"
)
_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# "..., the U.S. defense secretary said Wednesday, in Washington's ..." : cut after it.
MID_ATTRIBUTION = re.compile(
    rf",\s+(?:{_SPEAKER}\s+)(?:[\w.'\u2019-]+\s+){{0,6}}?{_SPEECH}{_WHEN},\s+"
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
# Words a clause may open with in lower case before its subject (or as it): a
# second clause opening on anything else in lower case either shares the first
# clause's subject ("..., and ask if it could", "..., and says the executive")
# or is a phrase, not a clause ("..., and how much testing he should face").
_CLAUSE_OPENERS = (
    _SENTENCE_OPENERS
    | _PLURAL_HEADS
    | frozenset(
        """we you i there here my your both each every few other others another such any anyone
    none nobody everyone much only now maybe perhaps so yet last next in on at for by with from
    after before since because although though once as while when if until during among under
    over without into""".split()
    )
)
# A second clause opening a quotation (a straight single mark too): its speaker is in the first.
_OPENING_QUOTES = OPENING_QUOTES + "'"
# A second clause opening on these is a phrase, not a clause: "..., and how much
# testing he should face", "..., but not in a way that ...", "..., and to check who".
_FRAGMENT_OPENERS = frozenset("not very to how what why".split())
# Adverbs before a second clause's verb when it has no subject of its own ("..., and
# also tipped over", "..., but then struggled"), not before its subject ("..., and
# then Kaplan opted", "..., but instead he was").
_ADVERB_OPENERS = frozenset("also then instead soon later still never often again even".split())
_SUBJECT_WORDS = _SENTENCE_OPENERS | frozenset("i we you he she it they there".split())
# A word after which the first word was a verb, not a noun: "..., and says the
# executive", "..., and ask if it could", "..., and comes out ahead" (a noun is
# followed by its verb or a preposition: "inflation is", "sales at hardware stores").
_AFTER_VERB = frozenset(
    "the a an this that these those his her its their our my your some if whether out off up "
    "to".split()
)
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
# A comma then a verb in the right half closes a subject the split cut in two:
# "X, and transcripts of Skype chats, were used ...", "Norris Cole ... and
# Gordon Hayward, a starting forward, have also made their mark".
_SUBJECT_CLOSED = re.compile(
    r",\s+(?:is|are|was|were|has|have|had|will|would|can|could|did|does|do|may|might|must|"
    r"should)\b"
)
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
    r",\s+(?:(?!according\b)[a-z]{3,}(?:ing|ed)\b|(?:a|the)\s+(?:day|week|month|year)\s+(?:after|before)\b)"
    r"[^;:\"\u201c\u201d()]*$"
)
MIN_CLAUSE_WORDS = 8
# A clause that carries the point: a consequence or a contrast.
_POINT = re.compile(
    rf"[,;]?\s*(?:but|yet|so|although|though|whereas|while|which means|{CONSEQUENCE})\b",
    re.IGNORECASE,
)
# A half that is the content of a report ("..., and that 25 years ago she ..."),
# not a clause of its own.
_REPORTED = re.compile(r"^(?:that|whether|if)\b", re.IGNORECASE)
# A left half that is only a name and its appositive ("Air Chief Marshal Sir
# Michael Graydon, a former head of the RAF") is the first of two subjects
# whose verb is in the other half, once compression cut the second
# appositive that closed the subject.
_NAME_AND_APPOSITIVE = re.compile(r"^[^,;]+,\s+(?:a|an|the|his|her|their|its|our|my)\s+[^,;]+$")
_ANY_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|will|would|can|could|did|does|do|may|might|"
    rf"must|should|shall|\w{{3,}}ed|[a-z]\w+s|{_IRREGULAR_PAST})\b"
)
# "not only X, but also Y": one statement in two parts.
_NOT_ONLY = re.compile(r"\bnot only\b", re.IGNORECASE)
# What a connective may leave at the front that cannot open a sentence: an
# attribution set off by commas ("he said, ", "said Mr Hogan, ") or "though,".
_ASIDE_ATTRIBUTION = re.compile(
    rf"^(?:(?:[\w.'\u2019-]+\s+){{1,4}}(?:{_TOLD}|{_SPEECH}{_WHEN})"
    rf"|{_SPEECH}(?:\s+[\w.'\u2019-]+){{1,4}})\s*,"
)
_THOUGH = re.compile(r"^(?:though|although)\b\s*,", re.IGNORECASE)
LONG_SENTENCE_WORDS = 40
_NUMBER_COMPOUND = re.compile(
    r"^(?:One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|Eleven|Twelve|Thirteen|Fourteen|"
    r"Fifteen|Sixteen|Seventeen|Eighteen|Nineteen|Twenty|Thirty|Forty|Fifty|Sixty|Seventy|"
    r"Eighty|Ninety|Hundred)-"
)


def drop_asides(text: str) -> str:
    """Remove short parenthetical asides ("(pictured)", "(left)") and picture asides.

    An aside glued to the next word in scraped copy ("Test (Push-Pull)This")
    leaves a space, never "TestThis". A picture aside goes after the
    brackets: "Barling (right) pictured earlier this month have been ...".
    """
    if "(" in text:
        text = PARENTHETICAL.sub(_aside_gap, text)
    if "pictured" in text:
        text = PICTURE_ASIDE.sub("", text)  # "Soeoth, pictured here with his wife, says"
        text = BARE_PICTURE_ASIDE.sub(r"\g<name>", text)
    return text.strip()


def _aside_gap(match: re.Match[str]) -> str:
    following = match.string[match.end() : match.end() + 1]
    return " " if following.isalnum() else ""


def drop_attribution(text: str) -> str:
    """Remove a routine ", police said." after a plain, observed fact; keep every other source."""
    match = routine_tail(text)
    if match is None or len(text[: match.start()].split()) < MIN_CLAUSE_WORDS:
        return text
    body, end = _split_end(text)
    return body[: match.start()] + end


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


def present_attribution(text: str, context: str = "") -> str | None:
    """Move a lead's attribution to the front in the present tense, or return None.

    The tail after the attribution (", in Washington's second shift ...") is
    dropped, as ``cut_long_tail`` would. The verb changes tense only ("said"
    -> "says"); every other word is the article's. The claim's first word
    loses the capital it had as a sentence's first ("... says opening
    statements", "... says nineteen-year-old") unless ``context`` (the
    article) capitalises it mid-sentence too: a name ("... says Tony").
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
    if first.lower() in _SENTENCE_OPENERS or (context and _common_word(first, context)):
        claim = first.lower() + " " + rest
    return f"{_capitalise(match.group('speaker'))} {verb} {claim}."


def _common_word(word: str, context: str) -> bool:
    """Tell whether a capitalised first word is a common word, not a name or an acronym.

    A name is capitalised wherever it stands; a common word only where it
    opens a sentence. A word the article also writes in lower case and never
    capitalises after a lowercase word or a comma is common, and so is a
    spelled-out age or count ("Nineteen-year-old"). A first name that only
    ever opens its sentence ("Jeffrey Williams ...") keeps its capital.
    """
    if (
        not word[:1].isupper()
        or word.isupper()
        or any(c.isupper() or c.isdigit() for c in word[1:])
    ):
        return False
    if _NUMBER_COMPOUND.match(word):
        return True
    if re.search(rf"(?<=[a-z,;:] ){re.escape(word)}\b", context):
        return False
    return re.search(rf"\b{re.escape(word.lower())}\b", context) is not None


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
    if _has_open_quote(left) or _REPORTED.match(right) or _is_list(left, match.group(0)):
        return [text]
    if _inside_brackets(left) or right[0] in _OPENING_QUOTES or _lacks_subject(right):
        return [text]  # "($19bn; £10bn)", '..., and "both ends were open"', "..., and ask if"
    if is_attributed(body):
        return [text]  # a half would lose its source ("X claims A, and that B")
    if _SUBJECT_CLOSED.search(right):
        return [text]  # "A, and B, were used": one subject, not two clauses
    if _NAME_AND_APPOSITIVE.match(left) and not _ANY_VERB.search(left.split(",", 1)[1]):
        return [text]  # "A, a former head of the RAF, and B called for ...": one subject
    if _NOT_ONLY.search(left):
        return [text]  # "not only because ..., but also because ...": one statement
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
    """Return ``kept`` if it stands alone and keeps the point, else ``text``.

    The point is lost when ``dropped`` holds a negation or a number, the
    source of the claim (", according to court documents"), a consequence
    or a contrast (", meaning ...", ", but ...", ", so ..."), or the rest
    of a list.
    """
    if PROTECTED.search(dropped) or _has_open_quote(kept) or not _FINITE.match(kept):
        return text
    if _POINT.match(dropped) or (has_cue(dropped) and not has_cue(kept)):
        return text
    if _is_list(kept, dropped):
        return text
    return kept if len(kept.split()) >= MIN_CLAUSE_WORDS else text


def _is_list(kept: str, dropped: str) -> bool:
    """Tell whether a cut at ", and ..." would end a list ("A, B and C") mid-way."""
    if not re.match(r",?\s*(?:and|or)\b", dropped):
        return False
    last = kept.rstrip(" .").rsplit(",", 1)
    return len(last) == 2 and len(last[1].split()) <= 4


def _split_end(text: str) -> tuple[str, str]:
    stripped = text.rstrip()
    if stripped and stripped[-1] in ".!":
        return stripped[:-1].rstrip(), stripped[-1]
    return stripped, "."


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _inside_brackets(text: str) -> bool:
    """Tell whether ``text`` ends inside a bracket it opened: a split there breaks the pair."""
    return text.count("(") > text.count(")") or text.count("[") > text.count("]")


def _lacks_subject(clause: str) -> bool:
    """Tell whether a second clause opens without a subject of its own (in lower case)."""
    words = clause.split()
    first = words[0]
    if not first.isalpha() or not first.islower() or first in _CLAUSE_OPENERS:
        return False  # a name, a number, "the ...", "in 2004 ...": a subject follows
    if first in _FRAGMENT_OPENERS:
        return True
    second = words[1] if len(words) > 1 else ""
    if first in _ADVERB_OPENERS:
        return not (second[:1].isupper() or second in _SUBJECT_WORDS)
    if first.endswith("ly"):  # "quickly rose through the ranks", not "unfortunately the film"
        return bool(_VERB_OPENER.match(second))
    return second in _AFTER_VERB


def _has_open_quote(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("\u201c") != text.count("\u201d")
