"""The bench scripts' one percentile definition."""

from __future__ import annotations

import importlib.util
import math
import statistics
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "bench_percentile", Path(__file__).resolve().parents[2] / "bench" / "percentile.py"
)
assert _SPEC is not None and _SPEC.loader is not None
_MODULE = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_MODULE)
percentile = _MODULE.percentile


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([7.0], 0.95, 7.0),  # one value is every percentile of itself
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5),  # the median
        ([float(i) for i in range(1, 101)], 0.95, 95.05),  # interpolated between ranks
        ([float(i) for i in range(1, 101)], 0.99, 99.01),
        ([10.0, 0.0], 0.5, 5.0),  # order does not matter
    ],
)
def test_percentile_interpolates_between_ranks(
    values: list[float], q: float, expected: float
) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_percentile_of_nothing_is_nan() -> None:
    assert math.isnan(percentile([], 0.5))


@pytest.mark.parametrize("q", [0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99])
def test_percentile_is_monotone_and_within_range(q: float) -> None:
    values = [((i * 37) % 101) / 3 for i in range(250)]
    assert min(values) <= percentile(values, q) <= max(values)
    assert percentile(values, q) <= percentile(values, min(q + 0.01, 0.999))
    if q == 0.5:
        assert percentile(values, q) == pytest.approx(statistics.median(values))
