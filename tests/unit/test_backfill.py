"""Archive backfill: every item exactly once, resumable, errors kept, bounded concurrency."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from service.backfill import finished_ids
from service.backfill import read_items
from service.backfill import run_backfill
from service.cli import main


def _items(count: int) -> list[dict[str, Any]]:
    return [{"id": f"s{n}", "text": f"Story number {n} happened on Monday."} for n in range(count)]


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _ok(item: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    return True, {"summary": item["text"][:20]}


def test_every_item_is_written_once_and_errors_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"

    def flaky(item: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        return (False, {"status": 422}) if item["id"] == "s3" else _ok(item)

    report = run_backfill(iter(_items(10)), str(out), flaky, concurrency=3)
    lines = _lines(out)
    assert sorted(line["id"] for line in lines) == sorted(f"s{n}" for n in range(10))
    assert [line for line in lines if not line["ok"]] == [
        {"id": "s3", "ok": False, "error": {"status": 422}}
    ]
    assert (report.done, report.failed, report.skipped) == (9, 1, 0)


def test_a_rerun_skips_what_is_done_and_redoes_a_cut_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    run_backfill(iter(_items(4)), str(out), _ok)
    with out.open("a") as handle:
        handle.write('{"id": "s4", "ok": tr')  # the process died mid-write
    assert finished_ids(str(out)) == {"s0", "s1", "s2", "s3"}
    calls: list[str] = []

    def counting(item: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        calls.append(item["id"])
        return _ok(item)

    report = run_backfill(iter(_items(8)), str(out), counting)
    assert sorted(calls) == ["s4", "s5", "s6", "s7"]
    assert report.skipped == 4
    ids = [line["id"] for line in _lines(out)]
    assert sorted(ids) == sorted(f"s{n}" for n in range(8)) and len(ids) == len(set(ids))


def test_duplicate_ids_in_the_input_are_done_once(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    run_backfill(iter(_items(3) + _items(3)), str(out), _ok)
    assert len(_lines(out)) == 3


def test_concurrency_is_bounded(tmp_path: Path) -> None:
    active, peak, lock = [0], [0], threading.Lock()

    def slow(item: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.01)
        with lock:
            active[0] -= 1
        return _ok(item)

    run_backfill(iter(_items(40)), str(tmp_path / "out.jsonl"), slow, concurrency=3)
    assert 1 < peak[0] <= 3


def test_reads_jsonl_and_csv_with_article_or_text_columns(tmp_path: Path) -> None:
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"id": "a", "article": "Body A.", "title": "T"}\n\n{"html": "<p>B</p>"}\n')
    assert list(read_items(str(jsonl))) == [
        {"id": "a", "text": "Body A.", "title": "T"},
        {"id": "line-2", "html": "<p>B</p>"},
    ]
    table = tmp_path / "in.csv"
    table.write_text('id,text,title\nx1,"Body, with a comma.",Head\n')
    assert list(read_items(str(table))) == [
        {"id": "x1", "text": "Body, with a comma.", "title": "Head"}
    ]


def test_backfill_command_in_process_with_shards(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    stories = [
        {"id": f"n{n}", "text": f"The council of town {n} approved a new budget on Monday. "
         "The vote was seven to two. The mayor did not attend the meeting."}
        for n in range(6)
    ]  # fmt: skip
    stories.append({"id": "empty", "text": "   "})
    source.write_text("".join(json.dumps(s) + "\n" for s in stories))
    outputs = []
    for shard in ("0/2", "1/2"):
        out = tmp_path / f"out-{shard[0]}.jsonl"
        result = CliRunner().invoke(
            main, ["backfill", str(source), str(out), "--engine", "lead", "--shard", shard]
        )
        assert result.exit_code == 0, result.output
        assert "articles/s" in result.output
        outputs += _lines(out)
    assert sorted(line["id"] for line in outputs) == sorted(s["id"] for s in stories)
    empty = next(line for line in outputs if line["id"] == "empty")
    assert empty["ok"] is False and empty["error"]["status"] == 422
    assert all(line["result"]["summary"] for line in outputs if line["ok"])
    bad = CliRunner().invoke(main, ["backfill", str(source), str(tmp_path / "x"), "--shard", "2/2"])
    assert bad.exit_code == 2


def test_backfill_writes_the_boxes_of_the_profile_asked_for(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    seed = (Path(__file__).resolve().parents[2] / "seeds" / "000_8dc29571600dcd6e.txt").read_text()
    source.write_text(json.dumps({"id": "seed", "text": seed}) + "\n")
    boxes = {}
    for profile in ("cnn", "bbc"):
        out = tmp_path / f"{profile}.jsonl"
        arguments = ["backfill", str(source), str(out), "--engine", "lead", "--profile", profile]
        assert CliRunner().invoke(main, arguments).exit_code == 0
        (line,) = _lines(out)
        assert line["result"]["profile"]["name"] == profile
        boxes[profile] = line["result"]["bullets"]
    assert len(boxes["cnn"]) < len(boxes["bbc"])
    unknown = tmp_path / "unknown.jsonl"
    arguments = ["backfill", str(source), str(unknown), "--engine", "lead", "--profile", "house"]
    assert CliRunner().invoke(main, arguments).exit_code == 0
    assert _lines(unknown)[0]["error"]["status"] == 422  # said per item, as any bad input
