"""Run the Dockerfile's own install command in a fresh virtualenv and import the app."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.deploy, pytest.mark.e2e]
ROOT = Path(__file__).resolve().parents[2]


def dockerfile_install_command() -> str:
    text = (ROOT / "Dockerfile").read_text()
    commands = re.findall(r"^RUN (pip install [^\n]+)$", text, re.M)
    assert len(commands) == 1, commands
    return commands[0]


def test_dockerfile_install_steps_work_in_a_fresh_venv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    command = dockerfile_install_command().replace("pip install", f"{venv}/bin/pip install -q")
    result = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    check = "import torch, service; from service import create_app; print(torch.__version__)"
    out = subprocess.run(
        [f"{venv}/bin/python", "-c", check], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().startswith(
        "2.13.0"
    )  # the pin holds (+cpu where a CPU index serves it)
    help_text = subprocess.run([f"{venv}/bin/newsbrief", "--help"], capture_output=True, text=True)
    assert "serve" in help_text.stdout


def test_constraints_pin_versions_plain_pypi_has() -> None:
    pins = [
        line.split("#")[0].strip()
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line.split("#")[0].strip()
    ]
    assert "torch==2.13.0" in pins
    assert not any("+" in pin for pin in pins)  # a local label like +cpu is not on PyPI


def test_image_installs_only_hashed_pins_on_a_digest_pinned_base() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", dockerfile, re.M)
    assert base and re.fullmatch(r"python:[\w.-]+@sha256:[0-9a-f]{64}", base.group(1))
    assert "--require-hashes" in dockerfile_install_command()
    lock = (ROOT / "requirements.lock").read_text()
    entries = re.split(r"\n(?=[A-Za-z])", lock.split("\n", lock.count("\n#"))[-1].strip())
    pins = [e for e in (entry.strip() for entry in entries) if e and not e.startswith("#")]
    assert len(pins) > 20
    for entry in pins:
        assert re.match(r"^[A-Za-z0-9._-]+==[^\s+]+ \\", entry), entry[:80]  # exact, no local label
        assert "--hash=sha256:" in entry, entry[:80]
    names = {p.split("==")[0].lower().replace("_", "-") for p in pins}
    for needed in ("flask", "torch", "transformers", "gunicorn", "marshmallow", "setuptools"):
        assert needed in names
    assert "torch==2.13.0 " in lock
