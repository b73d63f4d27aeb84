"""Summarise an archive: resumable, bounded concurrency, per-item errors, a final report.

Input is jsonl (``{"id", "text" | "article" | "html", "title"?}`` per line) or
csv with the same columns. Output is jsonl, one line per item, written and
flushed as each item finishes: ``{"id", "ok": true, "result": {...}}`` or
``{"id", "ok": false, "error": {problem}}``. A rerun reads the output first and
skips every id already there, so an interrupted backfill resumes where it
stopped and no item is written twice (a line cut by the interruption is
dropped and redone).
"""

from __future__ import annotations

import csv
import json
import os
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait
from dataclasses import dataclass
from typing import Any

# One item in, ("ok", result) or ("error", problem) out; never raises for a bad item.
Summarise = Callable[[dict[str, Any]], tuple[bool, dict[str, Any]]]
TEXT_FIELDS = ("text", "article")


@dataclass(slots=True)
class Report:
    """What a backfill run did."""

    done: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Return articles per second over this run (done and failed)."""
        return (self.done + self.failed) / self.seconds if self.seconds else 0.0


def read_items(path: str) -> Iterator[dict[str, Any]]:
    """Yield documents from a jsonl or csv file as API documents with an ``id``."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows: Iterator[dict[str, Any]]
        if path.endswith(".csv"):
            rows = csv.DictReader(handle)
        else:
            rows = (json.loads(line) for line in handle if line.strip())
        for number, row in enumerate(rows):
            yield _document(row, number)


def _document(row: dict[str, Any], number: int) -> dict[str, Any]:
    document: dict[str, Any] = {"id": str(row.get("id") or f"line-{number + 1}")}
    if row.get("html"):
        document["html"] = row["html"]
    else:
        document["text"] = next((row[f] for f in TEXT_FIELDS if row.get(f)), "")
    if row.get("title"):
        document["title"] = row["title"]
    return document


def finished_ids(path: str) -> set[str]:
    """Return the ids already written to ``path``; cut off a last line left incomplete."""
    if not os.path.exists(path):
        return set()
    done: set[str] = set()
    keep = 0
    with open(path, "rb") as handle:
        for line in handle:
            try:
                done.add(str(json.loads(line)["id"]))
            except (ValueError, KeyError):
                break  # an interrupted write: everything from here is redone
            keep += len(line)
    with open(path, "r+b") as handle:
        handle.truncate(keep)
    return done


def run_backfill(
    items: Iterator[dict[str, Any]],
    out: str,
    summarise: Summarise,
    *,
    concurrency: int = 4,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Summarise every item not yet in ``out``, at most ``concurrency`` at a time."""
    started = time.perf_counter()
    done = finished_ids(out)
    report = Report()
    lock = threading.Lock()
    with open(out, "a", encoding="utf-8") as handle, ThreadPoolExecutor(concurrency) as pool:

        def finish(future: Future[tuple[str, bool, dict[str, Any]]]) -> None:
            item_id, ok, payload = future.result()
            line = {"id": item_id, "ok": ok, ("result" if ok else "error"): payload}
            with lock:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
                handle.flush()
                if ok:
                    report.done += 1
                else:
                    report.failed += 1
            if progress:
                progress(1)

        pending: set[Future[tuple[str, bool, dict[str, Any]]]] = set()
        for item in items:
            if item["id"] in done:
                report.skipped += 1
                continue
            done.add(item["id"])  # a duplicate id in the input is done once
            if len(pending) >= 2 * concurrency:  # bounded: never the whole archive in memory
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    finish(future)
            pending.add(pool.submit(_one, summarise, item))
        for future in wait(pending).done:
            finish(future)
    report.seconds = time.perf_counter() - started
    return report


def _one(summarise: Summarise, item: dict[str, Any]) -> tuple[str, bool, dict[str, Any]]:
    ok, payload = summarise(item)
    return item["id"], ok, payload
