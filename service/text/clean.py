"""Clean news copy: Unicode, whitespace, datelines, bylines, boxes, prompts.

Every rule removes text; none adds or rewrites words. Rules are anchored
(start of the article, a whole line, a whole sentence) so ordinary prose
that merely mentions "video" or "pictured" is never cut mid-sentence.
"""

from __future__ import annotations

import re

from service.text.folding import fold
from service.text.tail import search_end

BOX_HEADINGS = re.compile(
    r"^\s*(?:what you need to know|key (?:points|facts|takeaways)|at a glance|"
    r"the big picture|in brief|in short|tl;?dr)\s*:?\s*$",
    re.IGNORECASE,
)
BULLET_LINE = re.compile(r"^\s*(?:[\u2022\u25cf\u25aa\u2023\u2043*\-\u2013]|\d+[.)])\s+")

# "By . Associated Press . PUBLISHED: . 14:11 EST, 25 October 2013 . | . UPDATED: ..."
# Possessive quantifiers and capped name tokens: a name is 1 to 30 word
# characters taken whole, so "By AAAA..." cannot be split into tokens in
# exponentially many ways (it took 35 s at 320 characters before).
_NAME = r"[A-Z][\w'\u2019-]{0,30}+\.?+\s*+"
_BYLINE = re.compile(
    rf"^\s*+By\s*+\.?\s++(?:{_NAME}){{1,4}}+"
    rf"(?:(?:and|And|&|for|For|In|in)\s++(?:{_NAME}){{1,3}}+)?\s*[.|]\s*"
)
HEAD_CHARS = 600  # bylines, stamps and datelines live in the first few hundred characters
_STAMP = re.compile(
    r"^\s*(?:\|\s*\.?\s*)?(?:PUBLISHED|UPDATED|Last updated(?: at)?|Updated|Published)"
    r"\s*:?\s*\.?\s*[^.|]{0,60}?\d{4}\s*\.?\s*(?:\|\s*\.?\s*)?",
)
# "KYIV, Ukraine --", "WASHINGTON (AP) —", "(CNN) --", "Canberra, Australia (CNN) --"
_AGENCY = r"\((?:CNN|AP|Reuters|AFP|UPI|dpa|Bloomberg|BBC|CNN Student News)\)"
_DATELINE = re.compile(
    rf"^\s*(?:[A-Z][\w.'\u2019 -]{{0,40}}(?:,\s*[A-Z][\w.'\u2019 -]{{0,30}})?\s*)?{_AGENCY}"
    r"\s*(?:--|\u2014|\u2013|-|:)?\s*"
    r"|^\s*[A-Z][A-Z.'\u2019 -]{2,30}(?:,\s*[A-Z][\w.'\u2019 -]{1,30})?\s*(?:--|\u2014|\u2013)\s+"
)
# Whole sentences that are page furniture rather than reporting.
PROMPTS = re.compile(
    r"^\s*(?:VIDEO\b.*|(?:scroll|click) (?:down|here)\b.*|read more\b.*|"
    r"follow (?:us|@|\w+ on)\b.*|share this (?:article|story)\b.*|"
    r"(?:watch|see) the video\b.*|sign up\b.*|advertisement\.?|"
    r"for the latest .* visit\b.*|download the .* app\b.*|"
    # A link to another story: "More: ...", "Opinion: Why ...?", "RELATED: ...".
    r"(?:(?:see )?more|see also|related|photo gallery|gallery|in pictures|watch|listen|"
    r"interactive|opinion|timeline)\s*:.*)$",
    re.IGNORECASE,
)
# The page speaking to its reader, anywhere in the copy. A link ends on CNN's
# arrow ("See photos of the fires \u00bb"); a link or prompt opens on a verb
# addressed to the reader and names where to go ("Watch his full interview.",
# "Follow the show on Twitter.", "Read the full response from the Boy
# Scouts.", "Watch The Lead with Jake Tapper weekdays at 4pm ET.", "Share your
# story, tips and photos E-mail to a friend."); a label opens a link ("Read
# this: ...", "READ: ..."); a sign-off thanks the reader ("Thank you for using
# CNN Student News!"). Not a verb without a place to go ("Watch for Henson to
# snag nominations next award season.", "Download a smartphone app to help
# monitor safe listening levels.").
TO_READER = re.compile(
    r"E-mail to a friend\W*$"
    r"|(?:Watch|See|Read|Listen to|Follow|Like us|Share (?:your|this)|Subscribe|Sign up|Download|"
    r"Click|E-?mail us|Tell us|Let us know|Check out|Join (?:us|the conversation)|Find out more|Visit|"
    r"For more)"
    r"[\s,][^\u00bb]*?\b(?:Twitter|Facebook|Instagram|YouTube|Snapchat|Meerkat|newsletter|podcast|"
    r"website|page|www\.|https?://|[\w-]+\.(?:com|org|net|co\.uk)\b|@\w|weeknights|weekdays|ET\b|"
    r"here|below|above|gallery|photos|video|transcript|comments?|E-mail to a friend|"
    r"full (?:interview|story|report|transcript|response|statement|text))\b"
    r"|(?:Read|Watch|See|More|Related|Also)(?: this| more| also)?\s*:"
    r"|(?:(?:See|Read) more|Subscribe to|Sign up (?:for|to|now|here))\b"
    r"|(?:Thanks|Thank you)(?: again| so much| very much)?(?: for (?:using|watching|reading|joining|"
    r"listening|tuning|following|visiting)\b|\W*$)",
    re.IGNORECASE,
)
# The first words those can open on, for a cheap test before the pattern runs.
_TO_READER_OPENERS = frozenset(
    "Watch See Read Listen Follow Like Share Subscribe Sign Download Click E-mail Email Tell Check "
    "Let Join Find Visit For More Related Also Thanks Thank".split()
)
_LINK_ARROW = re.compile(r"\u00bb\W*$")  # CNN's link: "See photos of the fires \u00bb"

# Words a sentence never ends on: a block ending on one was cut by a line wrap.
# Lowercase only: "Plan A" ends a line; "what it is for" can end a heading.
_NEVER_LAST_WORDS = "the|a|an|and|or|of|than|whose|its|their|our|my|your"
_NEVER_LAST = rf"\b({_NEVER_LAST_WORDS})"
_OPEN_END = re.compile(_NEVER_LAST + "$")
_OPEN_END_CHARS = 8  # such a word ("their") is searched for in the last characters only
# Line-wrap artefact of scraped copy: "a woman who . claims to have ...", and
# before a name after a word no sentence ends on: "off the coast of . Padstow".
# (Lookbehinds follow the first character matched, so scans skip ahead.)
_WRAP_DOT = re.compile(r"\s(?<=[a-z,]\s)\s*\.\s+(?=[a-z])")
# A preposition that takes an object never ends a sentence either: "heading
# south towards . Newquay" (not "on", "in", "for", "about": "move on .", "lean
# in .", "waiting for ." do end sentences).
_PREPOSITIONS = (
    "to|towards|toward|into|onto|from|at|near|with|between|among|amid|against|across|through|"
    "via|including"
)
# Nor does a comma: "from the 2nd Battalion, . Royal Regiment of Fusiliers".
# The word is looked for behind a space that a stray dot follows, so the scan
# visits only those spaces, not every word of the article.
_WRAP_DOT_NAME = re.compile(
    r"\s(?=\s*\.\s)(?:"
    + "|".join(rf"(?<=\b{word}\s)" for word in f"{_NEVER_LAST_WORDS}|{_PREPOSITIONS}".split("|"))
    + r"|(?<=,\s))\s*\.\s+(?=[A-Z])"
)
_SPACED_DOT = re.compile(r"\.(?<=\s\.)(?=\s)")  # what both need: most blocks have none
_SPACE = r"[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]"
# Horizontal space that is not already one plain space: a run from a space,
# or from another space character (matching every single space would rewrite
# every word gap: twice the time).
_SPACES = re.compile(rf" {_SPACE}+|{_SPACE.replace(' ', '', 1)}{_SPACE}*")
# Control characters, BOMs and lone surrogates (valid JSON "\ud800" is not text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ud800-\udfff]")


def normalize(text: str) -> str:
    """Normalise Unicode (``folding.fold``), control characters and horizontal space."""
    text = fold(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def remove_box(text: str) -> str:
    """Drop an existing "What You Need To Know" box: heading plus its bullets."""
    lines = text.split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        if BOX_HEADINGS.match(lines[index]):
            after = index + 1
            while after < len(lines) and (not lines[after] or BULLET_LINE.match(lines[after])):
                after += 1
            if any(BULLET_LINE.match(line) for line in lines[index + 1 : after]):
                index = after
                continue
        kept.append(lines[index])
        index += 1
    return "\n".join(kept)


def paragraphs(text: str) -> list[str]:
    """Split on blank lines (or single lines when the text has no blank lines).

    A block that stops on a word no sentence ends with ("... off the coast
    of" / "Padstow, Cornwall ...") was broken by the copy's line wrap: it
    runs on into the next one.
    """
    blocks = re.split(r"\n\s*\n", text) if "\n\n" in text else text.split("\n")
    groups: list[list[str]] = []  # joined once at the end: linear on "the\nthe\n..."
    for block in (" ".join(b.split()) for b in blocks):
        if not block:
            continue
        if groups and search_end(_OPEN_END, groups[-1][-1], _OPEN_END_CHARS):
            groups[-1].append(block)
        else:
            groups.append([block])
    return [" ".join(group) for group in groups]


def strip_head(text: str) -> str:
    """Remove a leading byline, time stamps and dateline from an article.

    The rules see only the first ``HEAD_CHARS`` characters, so their cost
    does not grow with the article.
    """
    head, rest = text[:HEAD_CHARS], text[HEAD_CHARS:]
    previous = None
    while previous != head:
        previous = head
        for pattern in (_BYLINE, _STAMP, _DATELINE):
            head = pattern.sub("", head, count=1)
    return (head + rest).lstrip(" .|")


def strip_dateline(sentence: str) -> str:
    """Remove a dateline from the start of one paragraph or sentence."""
    return _DATELINE.sub("", sentence, count=1)


def unwrap_dots(text: str) -> str:
    """Join words that scraped copy split with a stray " . " line marker."""
    if not _SPACED_DOT.search(text):
        return text
    return _WRAP_DOT_NAME.sub(" ", _WRAP_DOT.sub(" ", text))


def is_prompt(sentence: str) -> bool:
    """Tell whether a sentence is a social/video/read-more prompt, a link or a sign-off."""
    if PROMPTS.match(sentence):
        return True
    text = sentence.strip()
    if "\u00bb" in text and _LINK_ARROW.search(text):
        return True
    opener = text.split(None, 1)[0].rstrip(":,.!;").capitalize() if text else ""
    return opener in _TO_READER_OPENERS and bool(TO_READER.match(text))


def clean_article(text: str) -> list[str]:
    """Return the cleaned paragraphs of an article given as plain text."""
    text = remove_box(normalize(text))
    blocks = [unwrap_dots(block) for block in paragraphs(text)]
    if blocks:
        # An update paragraph put on top of a wire story leaves its dateline second.
        blocks = [strip_head(blocks[0]), *(strip_dateline(b) for b in blocks[1:])]
    return [BULLET_LINE.sub("", block) for block in blocks if block]
