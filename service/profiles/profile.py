"""One profile: a small versioned JSON file, validated on load with errors naming file and field.

::

    {"schema": 2, "name": "bbc", "version": "a95b9d3c36a4.5e0c1d2f",
     "box": {"weights": {...}, "bias": 0.0, "redundancy": 0.05, "brevity": 0.1,
             "max_words": 35, "count": {"rule": "threshold", "minimum": 3,
             "maximum": 5, "threshold": 0.02},
             "attribution": "in_place", "cuts": ["dash_aside"]},
     "fitted_on": {"file": "bbc.fit.jsonl", "sha256": "...", "stories": 1000, "skipped": 0},
     "report": {"folds": 5, "rows": [...]}}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from dataclasses import replace
from pathlib import Path
from typing import Any

from service.bullets.compress import CUTS
from service.bullets.extractor import MAX_BULLETS
from service.bullets.extractor import MIN_BULLETS
from service.bullets.scoring import DEFAULT_SUMMARY
from service.bullets.scoring import FEATURES
from service.bullets.scoring import LENGTH
from service.bullets.scoring import SUMMARY_WORDS
from service.bullets.scoring import THRESHOLD
from service.bullets.scoring import CountRule
from service.bullets.scoring import Selection
from service.bullets.scoring import SummaryStyle

SCHEMA = 2  # 2 added box.attribution, box.cuts and summary; schema 1 reads with the defaults
FRONT, IN_PLACE = "front", "in_place"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_FILE_BYTES = 1024 * 1024


class ProfileError(ValueError):
    """A profile file that cannot be served, naming the file and the field."""

    def __init__(self, source: str, field: str, problem: str) -> None:
        """Say where: ``source`` (a file), ``field`` (a dotted path), and what is wrong."""
        super().__init__(f"{source}: {field}: {problem}")
        self.source, self.field, self.problem = source, field, problem


@dataclass(frozen=True, slots=True)
class Profile:
    """A newsroom's house style for the box, and where it came from."""

    name: str
    version: str
    selection: Selection
    fitted_on: dict[str, Any]
    report: dict[str, Any]
    summary_style: SummaryStyle = DEFAULT_SUMMARY

    def as_json(self) -> dict[str, Any]:
        """Return the profile as its file holds it."""
        s = self.selection
        return {
            "schema": SCHEMA, "name": self.name, "version": self.version,
            "box": {"weights": dict(s.weights), "bias": s.bias, "redundancy": s.redundancy,
                    "brevity": s.brevity, "max_words": s.max_words, "count": s.count.as_json(),
                    "attribution": FRONT if s.front_attribution else IN_PLACE,
                    "cuts": [c for c in CUTS if c in s.cuts]},
            "summary": self.summary_style.as_json(),
            "fitted_on": self.fitted_on, "report": self.report,
        }  # fmt: skip

    def summary(self) -> dict[str, Any]:
        """Return what ``GET /v1/profiles`` shows of it."""
        s = self.selection
        return {"name": self.name, "version": self.version, "count": s.count.as_json(),
                "attribution": FRONT if s.front_attribution else IN_PLACE,
                "cuts": [c for c in CUTS if c in s.cuts],
                "fitted_on": self.fitted_on, "report": self.report}  # fmt: skip


def load_profile(path: Path) -> Profile:
    """Read and validate one profile file.

    Raises:
        ProfileError: unreadable, not JSON, or a field missing, of the wrong type or out of range.
    """
    source = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ProfileError(source, "(file)", f"larger than {MAX_FILE_BYTES} bytes")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProfileError(source, "(file)", f"cannot be read as JSON ({exc})") from None
    return parse_profile(data, source)


def parse_profile(data: Any, source: str) -> Profile:
    """Validate a profile's JSON (see ``load_profile``)."""
    field = _Fields(source)
    if not isinstance(data, dict):
        raise ProfileError(source, "(file)", "must be a JSON object")
    if data.get("schema") not in (1, SCHEMA):
        raise ProfileError(source, "schema", f"must be 1 or {SCHEMA}, got {data.get('schema')!r}")
    name = field.text(data, "name")
    if not NAME.match(name):
        raise ProfileError(source, "name", "must be 1-40 of a-z, 0-9, '-' and '_'")
    box = field.mapping(data, "box")
    weights = field.mapping(box, "weights", "box.weights")
    missing = [f for f in FEATURES if f not in weights]
    if missing:
        raise ProfileError(source, "box.weights", f"missing {', '.join(missing)}")
    selection = Selection(
        version=field.text(data, "version"),
        weights={f: field.number(weights, f, f"box.weights.{f}", -100, 100) for f in FEATURES},
        bias=field.number(box, "bias", "box.bias", -100, 100),
        redundancy=field.number(box, "redundancy", "box.redundancy", 0, 10),
        brevity=field.number(box, "brevity", "box.brevity", 0, 10),
        max_words=int(field.number(box, "max_words", "box.max_words", 10, 80, whole=True)),
        count=_count(field, field.mapping(box, "count", "box.count")),
        cuts=_cuts(field, box),
        front_attribution=box.get("attribution", FRONT) == FRONT,
    )
    if box.get("attribution", FRONT) not in (FRONT, IN_PLACE):
        raise ProfileError(source, "box.attribution", f"must be {FRONT!r} or {IN_PLACE!r}")
    return Profile(
        name, selection.version, selection, field.mapping(data, "fitted_on"),
        field.mapping(data, "report"), _summary(field, data),
    )  # fmt: skip


def _summary(field: _Fields, data: dict[str, Any]) -> SummaryStyle:
    if "summary" not in data:
        return DEFAULT_SUMMARY
    knobs = field.mapping(data, "summary")
    centrality, redundancy, brevity = (
        field.number(knobs, k, f"summary.{k}", 0, 10)
        for k in ("centrality", "redundancy", "brevity")
    )
    style = SummaryStyle(centrality, redundancy, brevity)
    if "words" not in knobs:  # fitted before the length was
        return style
    words = field.number(knobs, "words", "summary.words", *SUMMARY_WORDS, whole=True)
    return replace(style, words=int(words))


def _cuts(field: _Fields, box: dict[str, Any]) -> frozenset[str]:
    cuts = box.get("cuts", list(CUTS))
    if not isinstance(cuts, list) or not all(isinstance(c, str) and c in CUTS for c in cuts):
        raise ProfileError(field.source, "box.cuts", f"must be a list of {', '.join(CUTS)}")
    return frozenset(cuts)


def _count(field: _Fields, count: dict[str, Any]) -> CountRule:
    rule = count.get("rule")
    if rule == LENGTH:
        default = field.number(
            count, "default", "box.count.default", MIN_BULLETS, MAX_BULLETS, whole=True
        )
        return CountRule(LENGTH, default=int(default))
    if rule == THRESHOLD:
        low = int(field.number(count, "minimum", "box.count.minimum", 1, MAX_BULLETS, whole=True))
        high = int(
            field.number(count, "maximum", "box.count.maximum", low, MAX_BULLETS, whole=True)
        )
        threshold = field.number(count, "threshold", "box.count.threshold", -100, 100)
        return CountRule(THRESHOLD, minimum=low, maximum=high, threshold=threshold)
    raise ProfileError(field.source, "box.count.rule", f"must be {LENGTH!r} or {THRESHOLD!r}")


class _Fields:
    """Read typed fields of one file, raising ``ProfileError`` with the dotted path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def mapping(self, data: dict[str, Any], key: str, path: str | None = None) -> dict[str, Any]:
        value = data.get(key)
        if not isinstance(value, dict):
            raise ProfileError(self.source, path or key, "must be an object")
        return value

    def text(self, data: dict[str, Any], key: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value:
            raise ProfileError(self.source, key, "must be a non-empty string")
        return value

    def number(
        self, data: dict[str, Any], key: str, path: str, low: float, high: float,
        whole: bool = False,
    ) -> float:  # fmt: skip
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ProfileError(self.source, path, f"must be a number, got {value!r}")
        if whole and not isinstance(value, int):
            raise ProfileError(self.source, path, f"must be a whole number, got {value!r}")
        if not low <= value <= high:
            raise ProfileError(self.source, path, f"must be {low} to {high}, got {value!r}")
        return float(value)
