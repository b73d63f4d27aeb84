"""Search only the end of a text for a pattern anchored there."""

from __future__ import annotations

import re


def search_end(pattern: re.Pattern[str], text: str, chars: int) -> re.Match[str] | None:
    r"""Search ``text`` for an end-anchored ``pattern`` that matches at most ``chars`` characters.

    The scan starts ``chars`` characters before the end instead of at every
    position; ``\b`` and lookbehinds still see the characters before it.
    """
    return pattern.search(text, max(0, len(text) - chars))
