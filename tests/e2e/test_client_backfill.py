"""The client and the backfill command against the real gunicorn server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.client import ApiError
from service.client import Client
from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e


def _story(n: int) -> dict[str, str]:
    return {
        "id": f"story-{n}",
        "title": f"Council {n} passes budget",
        "text": (
            f"The council of district {n} approved a budget of {n + 2} million dollars on Monday. "
            "The vote was seven to two after a long debate about the new bridge. "
            "Mayor Jane Ortiz did not attend the meeting, officials said. "
            "Construction will begin in January and take about two years."
        ),
    }


def test_client_against_the_server(server: Server) -> None:
    client = Client(server.base)
    story = _story(1)
    result = client.summarize(story["text"], title=story["title"], doc_id=story["id"])
    assert result.summary and result.bullets and result.supported is True
    assert result.raw["id"] == story["id"]
    check = client.check(["The vote was seven to two", "The vote was nine to two"], story["text"])
    assert check.unsupported == ["The vote was nine to two"]
    many = list(client.summarize_many([_story(2), {"text": ""}, _story(3)]))
    assert [type(r).__name__ for r in many] == ["Summary", "ApiError", "Summary"]
    with pytest.raises(ApiError) as caught:
        client.summarize("   ")
    assert caught.value.status == 422


def test_backfill_interrupted_half_way_resumes_and_writes_each_item_once(
    server: Server, tmp_path: Path
) -> None:
    source, out = tmp_path / "archive.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps(_story(n)) + "\n" for n in range(60)))
    command = [sys.executable, "-m", "service.cli", "backfill", str(source), str(out),
               "--url", server.base, "--concurrency", "2"]  # fmt: skip
    first = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and first.poll() is None:
        if out.exists() and len(out.read_text().splitlines()) >= 20:
            break
        time.sleep(0.1)
    os.killpg(first.pid, signal.SIGKILL)  # as hard as an evicted pod
    first.wait()
    written = len(out.read_text().splitlines())
    assert 0 < written < 60
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"skipped (already in {out}) " in done.stdout
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    ids = [line["id"] for line in lines]
    assert sorted(ids) == sorted(f"story-{n}" for n in range(60))
    assert len(ids) == len(set(ids))
    failed = [line for line in lines if not (line["ok"] and line["result"]["summary"])]
    assert not failed, failed
