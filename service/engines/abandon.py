"""Let an engine notice that nobody waits for the batch it is computing.

The micro-batcher marks a job abandoned when its request times out (504)
or its client hangs up; while a batch runs, ``is_abandoned()`` tells the
engine (between chunks, or at every generated token) that every job of the
batch is gone, so it stops instead of finishing work for nobody.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager

_local = threading.local()


def is_abandoned() -> bool:
    """Tell whether every request of the batch this thread computes has gone."""
    check: Callable[[], bool] | None = getattr(_local, "check", None)
    return bool(check is not None and check())


@contextmanager
def watching(check: Callable[[], bool]) -> Iterator[None]:
    """Make ``check`` the answer of ``is_abandoned()`` in this thread for the block."""
    _local.check = check
    try:
        yield
    finally:
        _local.check = None
