"""One percentile definition for every bench script, so their p95s compare."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """Return the ``q`` quantile (0 < q < 1) of ``values``, interpolated between ranks.

    The ``statistics.quantiles`` "inclusive" method (numpy's default "linear");
    the median for q = 0.5. One value is every percentile of itself; none is NaN.
    """
    if len(values) < 2:
        return float(values[0]) if values else float("nan")
    return statistics.quantiles(values, n=1000, method="inclusive")[round(q * 1000) - 1]
