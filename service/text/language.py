"""Detect an article's language offline (py3langid: langid.py's model, bundled).

The box's rules and the packaged models are English; the service reports
the language it detected and refuses, with a clear 422, what it cannot
summarise. The model loads once per process, on first use (about 1 s).
"""

from __future__ import annotations

import threading
from typing import Any

SAMPLE_CHARS = 3_000  # a few paragraphs decide; longer text adds cost, not accuracy
_lock = threading.Lock()
_identifier: Any = None


def detect_language(text: str) -> tuple[str, float]:
    """Return the ISO 639-1 code of the text's language and the model's confidence."""
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid import langid

            _identifier = langid._load_identifier(norm_probs=True)
    code, confidence = _identifier.classify(text[:SAMPLE_CHARS])
    return str(code), float(confidence)
