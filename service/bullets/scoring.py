"""Score candidate bullets with weights fitted on news (``newsbrief profiles fit``).

The score is a weighted sum of named, explainable features; the weights,
the selection settings and the count rule live in a profile
(``service/profiles/builtin/general.json`` by default), versioned and
written only by the fit, so a change of weights is a reviewable diff of a
few dozen numbers.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from service.bullets.compress import ALL_CUTS
from service.bullets.features import Profile

FEATURES = (
    "position_0", "position_1", "position_2", "position_3", "position_4_5", "position_6_9",
    "relative_position", "centrality", "title", "density", "number",
    "words", "short", "long", "personal", "caption", "broken", "clause",
)  # fmt: skip
_DIGIT = re.compile(r"\d")


LENGTH, THRESHOLD = "length", "threshold"


@dataclass(frozen=True, slots=True)
class CountRule:
    """How many bullets a box gets when the caller does not say.

    ``length``: by the article's length, ``default`` for a full story (fewer
    for short copy). ``threshold``: at least ``minimum`` and at most
    ``maximum``, adding a bullet only while what it adds (its selection
    value) is at least ``threshold``; a newsroom whose editors write long
    boxes gets long ones where the story has the facts.
    """

    rule: str = LENGTH
    default: int = 4
    minimum: int = 3
    maximum: int = 5
    threshold: float = 0.0

    def as_json(self) -> dict[str, object]:
        """Return the rule as a profile stores it."""
        if self.rule == LENGTH:
            return {"rule": LENGTH, "default": self.default}
        return {
            "rule": THRESHOLD, "minimum": self.minimum, "maximum": self.maximum,
            "threshold": self.threshold,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Selection:
    """A box's house style: fitted weights and the settings that use them.

    The greedy selection's redundancy and brevity, the count rule, the
    longest bullet, the compression classes applied and where a lead's
    source goes.
    """

    version: str
    weights: Mapping[str, float]
    bias: float
    redundancy: float
    brevity: float
    max_words: int
    count: CountRule = CountRule()
    cuts: frozenset[str] = ALL_CUTS  # the deletion rules the house style makes
    front_attribution: bool = True  # the lead's source first ("X says ..."), else in place
    # The weights in FEATURES order, for ``score`` (derived, not compared).
    vector: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Order the weights once: every candidate of every request is scored with them."""
        object.__setattr__(self, "vector", tuple(self.weights[name] for name in FEATURES))

    def score(self, values: Sequence[float]) -> float:
        """Return the weighted sum of one candidate's feature values."""
        if len(values) != len(FEATURES):
            raise ValueError(f"expected {len(FEATURES)} feature values, got {len(values)}")
        return self.bias + float(sum(map(operator.mul, self.vector, values)))


SUMMARY_WORDS = (10, 400)  # the least and most words a summary may be asked for


@dataclass(frozen=True, slots=True)
class SummaryStyle:
    """The extractive summary's selection knobs, in units of the box's fitted score.

    Each candidate's value is its fitted score plus ``centrality`` times its
    similarity to the article's centroid, less ``redundancy`` times its
    similarity to what is chosen and ``brevity`` per 30 words. ``words`` is
    the summary's length when a request does not set one: newsrooms differ
    most in this (CNN's highlights run about 50 words, BBC's summaries 135).
    """

    centrality: float = 0.05
    redundancy: float = 0.2
    brevity: float = 0.05
    words: int = 75

    def as_json(self) -> dict[str, float]:
        """Return the knobs as a profile stores them."""
        return {"centrality": self.centrality, "redundancy": self.redundancy,
                "brevity": self.brevity, "words": self.words}  # fmt: skip


DEFAULT_SUMMARY = SummaryStyle()


def load_selection() -> Selection:
    """Return the default profile's selection (``general``), read once per process.

    Every extractor built without a selection holds the same one (and can
    share remembered candidates).
    """
    from service.profiles.catalog import GENERAL
    from service.profiles.catalog import builtin_profiles

    return next(p.selection for p in builtin_profiles() if p.name == GENERAL)


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
