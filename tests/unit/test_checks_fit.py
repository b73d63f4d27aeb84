"""The checker's fit script: reproducible, and the shipped words-only model is its output."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from service.checks.checker import ALIGNMENTS
from service.checks.checker import SIGNALS
from service.checks.checker import load_model

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT.parent / "shared" / "eval" / "factuality"


def _fit(out: Path, *extra: str) -> dict[str, object]:
    if not BENCHMARKS.exists():
        pytest.skip("needs ../shared/eval/factuality")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "fit_checks.py"), "--data-dir", str(BENCHMARKS),
         "--out", str(out), "--no-encoder", *extra],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    loaded: dict[str, object] = json.loads(out.read_text())
    return loaded


def test_fit_is_deterministic_and_loadable(tmp_path: Path) -> None:
    first = _fit(tmp_path / "a.json", "--limit", "40")
    second = _fit(tmp_path / "b.json", "--limit", "40")
    assert first == second
    model = load_model(str(tmp_path / "a.json"))
    assert set(model.weights) == set(ALIGNMENTS)
    assert all(set(w) == set(SIGNALS) for w in model.weights.values())


def test_shipped_words_only_model_is_what_the_fit_writes(tmp_path: Path) -> None:
    """The whole words-only fit (about half a minute); the MiniLM one runs in bench/."""
    fitted = _fit(tmp_path / "model.json")
    shipped = json.loads((ROOT / "service" / "checks" / "model.json").read_text())
    data = str(fitted["version"]).rsplit(".", 1)[0]  # the data's hash; then the numbers'
    assert data == shipped["version"].rsplit(".", 1)[0]
    assert fitted["models"]["lexical"] == shipped["models"]["lexical"]  # type: ignore[index]
