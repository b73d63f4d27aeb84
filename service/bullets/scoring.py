"""Score candidate bullets with weights fitted on news (``bench/fit_bullets.py``).

The score is a weighted sum of named, explainable features; the weights
and the selection settings live in ``weights.json`` beside this module,
versioned and written only by the fit script, so a change of weights is a
reviewable diff of a dozen numbers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

from service.bullets.features import Profile
from service.fitted import read_fitted

FEATURES = (
    "position_0", "position_1", "position_2", "position_3", "position_4_5", "position_6_9",
    "relative_position", "centrality", "title", "density", "number",
    "words", "short", "long", "personal", "caption", "broken", "clause",
)  # fmt: skip
WEIGHTS_FILE = "weights.json"
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Selection:
    """Fitted weights and the settings of the greedy selection that uses them."""

    version: str
    weights: Mapping[str, float]
    bias: float
    redundancy: float
    brevity: float
    max_words: int

    def score(self, values: Sequence[float]) -> float:
        """Return the weighted sum of one candidate's feature values."""
        return self.bias + sum(self.weights[n] * v for n, v in zip(FEATURES, values, strict=True))


def load_selection(path: str | None = None) -> Selection:
    """Read the shipped weights file (or ``path``); every feature must have a weight.

    The shipped file is read once per process, so every extractor holds the
    same ``Selection`` (and can share remembered candidates).
    """
    return _read_selection(path) if path is not None else _shipped_selection()


@functools.cache
def _shipped_selection() -> Selection:
    return _read_selection(None)


def _read_selection(path: str | None) -> Selection:
    data = read_fitted(__package__, WEIGHTS_FILE, path)
    weights = {name: float(data["weights"][name]) for name in FEATURES}
    return Selection(
        version=str(data["version"]),
        weights=weights,
        bias=float(data.get("bias", 0.0)),
        redundancy=float(data["redundancy"]),
        brevity=float(data.get("brevity", 0.0)),
        max_words=int(data["max_words"]),
    )


def feature_values(
    profile: Profile, text: str, part: int, sentences: int, top_centrality: float
) -> list[float]:
    """Describe one candidate (a compressed sentence or clause) as FEATURES values."""
    index = profile.sentence.index
    words = len(text.split())
    return [
        float(index == 0),
        float(index == 1),
        float(index == 2),
        float(index == 3),
        float(4 <= index <= 5),
        float(6 <= index <= 9),
        index / max(sentences - 1, 1),
        profile.centrality / (top_centrality or 1.0),
        profile.title_overlap,
        min(profile.density, 0.3) / 0.3,
        float(_DIGIT.search(text) is not None),
        words / 30.0,
        float(words < 8),
        float(words > 30),
        float(profile.is_personal),
        float(profile.sentence.is_caption),
        float(profile.sentence.is_broken),
        float(part > 0),
    ]
