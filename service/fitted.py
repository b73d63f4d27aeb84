"""Read the small fitted-parameter files shipped inside the package (weights, thresholds)."""

from __future__ import annotations

import importlib.resources
import json
from typing import Any


def read_fitted(package: str, name: str, path: str | None = None) -> Any:
    """Return the JSON file ``name`` shipped in ``package``, or the file at ``path``."""
    if path is None:
        raw = importlib.resources.files(package).joinpath(name).read_text("utf-8")
    else:
        with open(path, encoding="utf-8") as handle:
            raw = handle.read()
    return json.loads(raw)
