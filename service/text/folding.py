"""Unicode compatibility folding that never changes a number or a name.

NFKC maps full-width letters and digits, ligatures and no-break spaces to
their plain forms, which the rules and the encoder need; but it also turns
"11½" into "111⁄2", "m²" into "m2" and "①" into "1": it changes what a
number says. Here a character is folded only when its compatibility
mapping is a change of width, shape or spacing (tags below); fractions,
superscripts, subscripts, circled and squared forms keep their own
characters. Everything else gets canonical composition (NFC).
"""

from __future__ import annotations

import re
import unicodedata

# Decomposition tags whose mapping keeps the meaning: the same letter or
# digit in another width, shape (ligatures, Arabic presentation forms,
# mathematical letters) or spacing.
FOLDED_TAGS = frozenset(
    "<wide> <narrow> <compat> <noBreak> <font> <small> <vertical> <initial> <medial> <final> "
    "<isolated>".split()
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CACHE: dict[str, str] = {}


def fold(text: str) -> str:
    """Return ``text`` composed (NFC), with only meaning-keeping compatibility folds."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(_fold_match, unicodedata.normalize("NFC", text))


def _fold_match(match: re.Match[str]) -> str:
    char = match.group(0)
    folded = _CACHE.get(char)
    if folded is None:
        tag = unicodedata.decomposition(char).partition(" ")[0]
        folded = unicodedata.normalize("NFKC", char) if tag in FOLDED_TAGS else char
        _CACHE[char] = folded
    return folded
