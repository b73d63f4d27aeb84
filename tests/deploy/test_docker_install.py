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
    command = dockerfile_install_command().replace("pip install", f"{venv}/bin/pip install -q", 1)
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
