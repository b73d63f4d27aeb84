"""Page furniture that scraped copy runs into the story: never content.

Photo captions describe a picture in the present tense ("Adeli bows his
head and puts his hands over his face before he is led away by police";
"Prime Minister David Cameron and US President Barack Obama serve food
during a Downing Street barbecue in May 2011") or point at it ("seen
here", "pictured above", "smile for a photo", "Jose Baxter (right)
celebrates ...", DailyMail's labelled "In the lead: Jose Baxter (right) ...");
shopping widgets sell ("Topshop striped zip
through skirt Earn your style stripes!", "Buy it now for £25 at Asos");
credits and share counts label the page ("Picture: Rex/Shutterstock",
"1,024 shares"), and so do the story's own credits ("CNN's Jill Martin
contributed to this report.", "(Reporting by ...; Editing by ...)"). A news
sentence with a short "(pictured)" aside is not furniture: the aside is
cut, the sentence stays.
"""

from __future__ import annotations

import re

# What a camera catches people doing, in the present tense: a verb ending
# in "s" after one subject, its plain form after two joined by "and" ("...
# and US President Barack Obama serve food"). Verbs that news prose also
# uses in the present ("holds a stake", "takes over", "shows that",
# "serves two purposes") are left out of the singular list.
_PICTURE_VERBS = (
    "pose smile wave hug kiss embrace bow gaze beam grin laugh kneel lean clutch sit stand walk "
    "stroll arrive greet wear dance cuddle cradle react celebrate chat"
).split()
_SINGULAR = "|".join(v + ("es" if v.endswith(("ss", "ch")) else "s") for v in _PICTURE_VERBS)
_PASSIVE = r"is (?:pictured|shown|led|escorted|helped|greeted|surrounded)|looks on"
_PLURAL = "|".join([*_PICTURE_VERBS, "serve"])
# Every verb form above, for a cheap test before the pattern runs.
_PICTURE_WORDS = frozenset(
    [*_PICTURE_VERBS, "serve", *_SINGULAR.split("|"), "pictured", "shown", "led", "escorted",
     "helped", "greeted", "surrounded", "looks", "seen"]
)  # fmt: skip
_NAME = r"[A-Z][\w.'\u2019-]*,?\s+(?:(?:of|the|de|van|von|bin)\s+)?"
_ASIDE = r"(?:\w+,\s+(?:pictured|left|right|centre|center),\s+)?"
# A picture description: a named subject (up to seven words), then one of
# those verbs, and no past tense in the sentence (a report says what
# happened; a caption what is seen).
_PRESENT_PICTURE = re.compile(
    rf"^(?:{_NAME}){{1,7}}{_ASIDE}(?:{_SINGULAR}|{_PASSIVE})\b"
    rf"|^(?:{_NAME}){{1,6}}and\s+(?:{_NAME}){{1,6}}{_ASIDE}(?:{_PLURAL}|are (?:pictured|seen))\b"
)
_PAST = re.compile(
    r"\b(?:was|were|had|did|said|been|would|could|told|after|yesterday|last (?:week|month|year))\b"
)
_POINTER = re.compile(
    r"\b(?:(?:[Ss]miles?|[Pp]oses?|[Ss]miling|[Pp]osing) for (?:a|the) (?:photo|picture|selfie|snap)s?|"
    r"[Ss]een here|(?<!was )(?<!were )(?<!been )[Pp]ictured (?:above|below|left|right|here|with|at|in|during|on|is|are)|"
    r"(?:above|below)(?:,| left| right)|[Ii]n (?:this|the) (?:photo|picture|photograph)\b(?! of)|"
    r"(?:[Tt]his|[Tt]he) (?:photo|picture|image|photograph) shows|[Mm]ain (?:picture|image))\b"
    r"|[,(]\s*(?:from left|left to right)\s*[,)]"
)
# A shop's call to buy, capitalised mid-line ("... zip through skirt Earn
# your style stripes!"), a recommended price, a price at a named shop.
_WIDGET = re.compile(
    r"\b(?:Buy|Shop|Earn|Grab|Snap up|Copy|Click)\s+(?:it|now|here|the look|her look|his look|"
    r"your|this|them|to buy)\b(?!\s+(?:is|was|has)\b)|\bRRP\b"
    r"|[£$\u20ac]\s?\d[\d,.]*\s+at\s+[A-Z]"
    r"|\b(?:[Aa]vailable|[Oo]n sale)\s+(?:at|from)\s+[A-Z]\w*\s+(?:for|now)\b"
)
_CREDIT = re.compile(
    r"\b(?:Getty Images|Shutterstock|Rex Features|Splash News|"
    r"(?:AFP|AP|Reuters|PA|Rex|EPA)/(?:Getty|Rex|Shutterstock|EPA|AP)\b)"
    r"|^(?:[Pp]hoto|[Pp]icture|[Ii]mage|[Pp]hotograph|[Cc]redit)s?\s*:"
    r"|^\s*[\d,.]+\s*k?\s+(?:shares?|comments?|views?)\s*\.?$"
    # A CMS's placeholder left in the copy, after the caption it was meant for.
    r"|\b(?:[Ww]rite|[Ii]nsert|[Ee]nter|[Aa]dd|[Tt]ype)\s+(?:a\s+|the\s+|your\s+)?caption\s+here\b"
    # The story's credits and notes: "CNN's Jill Martin contributed to this report.",
    # "(Reporting by ...; Editing by ...)", "Additional reporting by ...", "This story has been updated."
    r"|\b[Cc]ontributed\s+to\s+this\s+(?:report|story|article)\b"
    r"|\b[Cc]ontributed\s+(?:additional\s+)?reporting\b"
    r"|^\((?:[Aa]dditional\s+)?(?:[Rr]eporting|[Ww]riting|[Ee]diting)\s+by\b|^Additional\s+reporting\s+by\b"
    r"|^This\s+(?:story|article|report)\s+(?:has\s+been|was)\s+(?:updated|corrected|amended)\b",
)

# A caption that opens on where its subject is in the picture: "Above,
# wildlife photographer Steve Trewhella poses with ...", "Left, the jellyfish
# spotted by Mr Trewhella and, right, ...", "Pictured: Frank with his wife
# Jan ...". Not "Above all, ..." nor "Left-arm seamer ...".
_PLACED = re.compile(
    r"^(?:(?:[Ff]ar |[Tt]op |[Bb]ottom )?(?:Left|Right)|Above|Below|Top|Bottom|Inset|Pictured|"
    r"Clockwise from (?:top |bottom )?(?:left|right))\s*[,:]\s+(?=\S)"
)

# Where someone stands in the picture: "Jose Baxter (right) celebrates ...".
_POSITION = re.compile(
    r"\((?:(?:far|second|third|top|bottom|front|back)[ -])?(?:left|right|centre|center|top|bottom|middle)\)",
    re.IGNORECASE,
)
# DailyMail's caption label: a few words and a colon before the description
# ("In the lead: Jose Baxter (right) celebrates ...", "Stand by your man: Miss
# Moir arrives at ...").
_LABEL = re.compile(r"^[A-Z][\w'\u2019-]*(?:\s+[\w'\u2019-]+){0,4}:\s+(?=[A-Z])")
# A subject, where it stands, then what it does in the present: "McNair (right)
# slices the ball ...", "Messi (left) is congratulated ..." (not "says", a quote's
# source, nor "was" or "has", a report's tenses).
_POSED = re.compile(
    rf"^(?:[\w'\u2019.-]+\s+){{1,7}}?{_POSITION.pattern}\s+(?!(?:says|was|has|does)\b)(?:\w+s|are)\b",
    re.IGNORECASE,
)

# ", pictured here with his wife, " inside a news sentence: an aside the box
# cuts, not a caption.
PICTURE_ASIDE = re.compile(r",\s+pictured\b[^,;:\"\u201c\u201d()]{0,80},(?=\s)")
# "Policemen Scott Edmondson and Daniel Barling pictured earlier this month
# have been charged ...": the same aside without its commas, right after a
# name (substitute the name back: "\g<name>").
BARE_PICTURE_ASIDE = re.compile(
    r"(?P<name>\b[A-Z][\w'\u2019-]+)\s+pictured(?:\s+(?:here|above|below|left|right|centre|center))?"
    r"(?:\s+(?:earlier\s+)?(?:this|last)\s+(?:week|month|year)|\s+yesterday|\s+today|\s+in\s+\d{4})?"
    r"(?=\s+(?:have|has|had|is|are|was|were|will|would|who|and|at|with|on)\b)"
)


# What each search above needs among a sentence's lowercase letter-and-digit
# runs (or its characters): most sentences hold none, and a set test is far
# cheaper than the scan.
_WIDGET_RUNS = frozenset("buy shop earn grab snap copy click rrp available sale".split())
_WIDGET_CHARS = frozenset("\u00a3$\u20ac")
_CREDIT_RUNS = frozenset(
    "photo photos picture pictures image images photograph photographs credit credits caption "
    "share shares comment comments view views contributed reporting writing editing".split()
)  # fmt: skip
# An agency's name may run into the next word ("Rex FeaturesThe ..."): looked for as text.
_AGENCIES = ("Getty", "Shutterstock", "Rex", "Splash")
_POINTER_RUNS = frozenset(
    "photo photos picture pictures photograph image selfie selfies snap snaps seen pictured above "
    "below left".split()
)  # fmt: skip
_RUN = re.compile(r"[a-z0-9]+")


def is_furniture(sentence: str, runs: frozenset[str] | None = None) -> bool:
    """Tell whether a sentence is a caption, widget, credit or share count.

    ``runs``: the sentence's lowercase letter-and-digit runs, when already
    found (``features.runs``); they gate each pattern.
    """
    if runs is None:
        runs = frozenset(_RUN.findall(sentence.lower()))
    if "pictured" in sentence:
        sentence = PICTURE_ASIDE.sub("", sentence)
    if _labels_the_page(sentence, runs):
        return True
    if _PLACED.match(sentence):
        return True  # a caption placing its subject in the picture
    if "(" in sentence and _POSITION.search(sentence):
        if _LABEL.match(sentence) or (_POSED.match(sentence) and not _PAST.search(sentence)):
            return True  # a labelled caption, or a present-tense one pointing into the picture
    if _PICTURE_WORDS.isdisjoint(runs):
        return False  # no picture verb, no picture description
    label = _LABEL.match(sentence)
    described = (sentence, sentence[label.end() :]) if label else (sentence,)
    return any(_PRESENT_PICTURE.match(text) and not _PAST.search(text) for text in described)


def _labels_the_page(sentence: str, runs: frozenset[str]) -> bool:
    """Tell whether a widget, credit or pointer pattern matches, asking only those it may."""
    return bool(
        (not _WIDGET_CHARS.isdisjoint(sentence) or not _WIDGET_RUNS.isdisjoint(runs))
        and _WIDGET.search(sentence)
        or (
            "/" in sentence
            or sentence.startswith("This")
            or not _CREDIT_RUNS.isdisjoint(runs)
            or any(agency in sentence for agency in _AGENCIES)
        )
        and _CREDIT.search(sentence)
        or not _POINTER_RUNS.isdisjoint(runs)
        and _POINTER.search(sentence)
    )
