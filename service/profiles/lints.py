"""Editorial lints of a box against its article: what an editor would fix before publishing.

Written independently of the box's own rules (so a rule cannot grade
itself); ``bench/editorial.py`` prints them for a predictions file and
``newsbrief profiles fit`` reports them for each held-out fold. Classes:
attribution_lost (a bullet whose source sentence attributes a claim, with
no attribution of its own), changed_numbers, dangling (a pronoun or
back-reference no earlier bullet introduced), duplicates, captions, quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from service.bullets.features import content_words
from service.text.article import Article
from service.text.article import prepare
from service.text.sentences import split_sentences

_REPORTING = (
    r"said|says|say|told|tells|tell|claim(?:s|ed)?|alleg(?:e|es|ed)|believes?|believed|"
    r"thinks?|thought|argue[sd]?|insist(?:s|ed)?|warn(?:s|ed)?|add(?:s|ed)|stated?|states|"
    r"report(?:s|ed)|announce[sd]?|estimate[sd]?|suggest(?:s|ed)|found|finds|show(?:s|ed)|"
    r"reveal(?:s|ed)|admit(?:s|ted)|den(?:y|ies|ied)|accuse[sd]?|confirm(?:s|ed)|"
    r"predict(?:s|ed)|wr(?:ote|ites)|explain(?:s|ed)|testified|maintain(?:s|ed)|"
    r"conclude[sd]?|acknowledged?|not(?:es|ed)|blame[sd]?|vow(?:s|ed)|promise[sd]?|urge[sd]?|"
    r"fear(?:s|ed)|hope[sd]?|expects?|expected|described|describes|calls?|called|quoted"
)
# A speaker then a reporting verb, "according to", a finding, or a hedge.
ATTRIBUTED = re.compile(
    rf",\s+(?:[\w.'\u2019-]+\s+){{0,7}}?(?:{_REPORTING})\b(?:\s+[\w.'\u2019-]+){{0,3}}\s*[.,!]?\s*$"
    rf"|^(?:[\w.'\u2019-]+\s+){{1,7}}?(?:{_REPORTING})\s+(?:that\s+)?"
    r"|\baccording to\b|\ballegedly\b|\breportedly\b|\bclaims? that\b"
    r"|\b(?:study|report|survey|poll|research|documents?|analysis|investigation|memo|briefing|"
    r"figures|data|review|paper)\s+(?:[\w.'\u2019-]+\s+){0,3}?(?:found|finds|shows?|showed|"
    r"suggests?|suggested|revealed|reveals|says|said|states|stated|warned|warns)\b",
    re.IGNORECASE,
)
CARRIES_ATTRIBUTION = re.compile(
    rf"\b(?:{_REPORTING}|according to|allegedly|reportedly|claims?|accused|alleged)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*[\u00bc-\u00be\u2150-\u215e]?|[\u00bc-\u00be\u2150-\u215e]")
_PRONOUN = re.compile(
    r"^(?:he|she|it|they|them|his|her|its|their|this|these|those|him|such|both\b(?![^,.;]*\band\b))\b",
    re.IGNORECASE,
)
_TITLED = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor)\.?\s+(?P<surname>[A-Z][\w'\u2019-]+)")
# A back-reference ("The older of his two children", "The pair were caught",
# "Another ...", "Since then, ...", "The next day ...") needs, like a pronoun,
# the sentence before it in the box.
_BACK_REFERENCE = re.compile(
    r"^(?:(?:The|This|That)\s+(?:younger|older|elder|former|latter|same|other)\b"
    r"|Same goes\b|Another\b|The (?:pair|couple|two|duo|trio)\b"
    r"|(?:Since|By|Until) then\b|After that\b|At that point\b|At the time\b(?! of\b)"
    r"|Afterwards?\b|(?:Earlier|Later)(?:,|\s+(?:Mr|Mrs|Ms|Dr|he|she|they|the)\s)"
    r"|The (?:next|following) (?:day|morning|night|week)\b)"
)
# Photo captions and widgets: picture words, credits, prices in a shopping line.
CAPTION = re.compile(
    r"\b(?:pictured|picture(?:d)? (?:above|below|left|right)|seen (?:here|above|below|left|right)|"
    r"(?:above|below),? (?:left|right)|main picture|inset|file (?:photo|picture)|"
    r"scroll down|click here|buy (?:it|now|here)|shop (?:it|now|the)|earn your|"
    r"(?:photo|picture|image)s?\s*(?:credit)?\s*:|getty images|shutterstock)\b"
    r"|\((?:left|right|centre|center|above|below|top|bottom|pictured|inset)[^)]{0,30}\)"
    r"|\b\d+\s+shares?\b",
    re.IGNORECASE,
)


def per_100(count: int, total: int) -> float:
    """Return ``count`` per 100 of ``total``, rounded."""
    return round(100 * count / total, 2) if total else 0.0


def sources_of(bullet: str, sentences: Sequence[str]) -> list[int]:
    """Return the indices of the article sentences the bullet may have been drawn from.

    The best by content-word overlap; several when the article repeats a
    sentence (a caption restating the body, a closing recap), tried by how
    much of the text they share.
    """
    words = set(content_words(bullet))
    overlaps = [
        len(words & set(content_words(sentence))) / (len(words) or 1) for sentence in sentences
    ]
    top = max(overlaps, default=0.0)
    tied = [index for index, overlap in enumerate(overlaps) if overlap == top]
    if len(tied) < 2 or top == 0:
        return tied[:1] or [0]  # nothing shared: no source to find
    lower = bullet.lower()
    ratios = {i: SequenceMatcher(None, lower, sentences[i].lower()).ratio() for i in tied}
    best = max(ratios.values())
    return [i for i in tied if ratios[i] == best]


def numbers(text: str) -> set[str]:
    """Return the numbers a text writes."""
    return {n.rstrip(".,:") for n in _NUMBER.findall(text)}


def is_duplicate(bullet: str, earlier: str) -> bool:
    """Tell whether a bullet states an earlier one's fact again.

    A fact takes more than a name: two bullets sharing fewer than
    ``DUPLICATE_MIN_SHARED`` content words ("Tunisians") are not one fact.
    """
    a, b = set(content_words(bullet)), set(content_words(earlier))
    if len(a & b) < DUPLICATE_MIN_SHARED:
        return False
    overlap = len(a & b) / min(len(a), len(b))
    values = {n.replace(",", "") for n in numbers(bullet)}
    same_numbers = bool(values) and values == {n.replace(",", "") for n in numbers(earlier)}
    return overlap >= 0.8 or (same_numbers and overlap >= 0.5)


DUPLICATE_MIN_SHARED = 3


def dangling(bullet: str, index: int, sources: Sequence[Sequence[int]], box: Sequence[str]) -> bool:
    """Tell whether a bullet leans on something no earlier bullet introduced.

    ``sources``: each bullet's possible source sentences (``sources_of``).
    """
    text = bullet.lstrip("\"'\u201c\u2018 ")
    titled = _TITLED.match(text)
    if titled:  # "Mr Adams ...": the box must have named him
        return not any(titled.group("surname") in earlier for earlier in box[:index])
    pronoun = _PRONOUN.match(text)
    if not (pronoun or _BACK_REFERENCE.match(text)):
        return False
    if pronoun and 0 in sources[index]:
        return False  # a lede's pronoun is resolved later in its own sentence
    return not (index and any(p in (s - 1, s) for s in sources[index] for p in sources[index - 1]))


def lint(article: str, box: Sequence[str], prepared: Article | None = None) -> dict[str, list[str]]:
    """Return each class's offending bullets (or numbers) for one box.

    ``prepared``: the article as the service read it, when already at hand.
    """
    prepared = prepared or prepare(article)
    sentences = [s.text for s in prepared.sentences] or split_sentences(article)
    sources = [sources_of(bullet, sentences) for bullet in box]
    raw = numbers(article) | numbers(prepared.text)
    found: dict[str, list[str]] = {name: [] for name in CLASSES}
    for index, bullet in enumerate(box):
        source = sentences[sources[index][0]] if sentences else ""
        if ATTRIBUTED.search(source):
            found["attributed"].append(bullet)
            if not CARRIES_ATTRIBUTION.search(bullet):
                found["attribution_lost"].append(f"{bullet}  <=  {source}")
        found["changed_numbers"] += [n for n in numbers(bullet) if n not in raw]
        if dangling(bullet, index, sources, box):
            found["dangling"].append(bullet)
        if any(is_duplicate(bullet, earlier) for earlier in box[:index]):
            found["duplicates"].append(bullet)
        if CAPTION.search(bullet):
            found["captions"].append(bullet)
        if re.search(r"[\"\u201c\u201d]|(?:^|\s)['\u2018]\w", bullet):
            found["quotes"].append(bullet)
    return found


CLASSES = (
    "attributed",
    "attribution_lost",
    "changed_numbers",
    "dangling",
    "duplicates",
    "captions",
    "quotes",
)
