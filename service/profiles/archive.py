"""Read a newsroom's archive: its stories and the boxes (or highlights) its editors wrote.

JSON lines, one story a line: ``text`` or ``html``, optional ``title``, and
``bullets`` (a list of strings). CSV (a ``.csv`` file) has the same columns,
with the bullets of a story newline-separated in one cell. The evaluation
files' names are read too (``article``, ``reference_bullets``), so the
built-in profiles are fitted by the same command. A row without a story or
without bullets is skipped and counted; a file without the columns, or with
fewer than ``MIN_STORIES`` usable stories, is an error naming the line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIN_STORIES = 50
TEXT_COLUMNS = ("text", "html", "article")
BULLET_COLUMNS = ("bullets", "reference_bullets", "highlights")
csv.field_size_limit(8 * 1024 * 1024)


class ArchiveError(ValueError):
    """An archive that cannot be fitted on, with where and why."""


@dataclass(frozen=True, slots=True)
class Story:
    """One published story and its editors' box."""

    text: str
    title: str
    bullets: tuple[str, ...]
    is_html: bool = False


@dataclass(frozen=True, slots=True)
class Archive:
    """The usable stories of a file, what was skipped, and the file's fingerprint."""

    stories: tuple[Story, ...]
    skipped: int
    sha256: str
    name: str


def read_archive(path: Path) -> Archive:
    """Read an archive file.

    Raises:
        ArchiveError: unreadable, no text or bullets column, or too few usable stories.
    """
    try:
        raw = path.read_bytes()
        content = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    rows = _csv_rows(content) if path.suffix.lower() == ".csv" else _json_rows(content)
    stories, skipped, seen_columns = [], 0, False
    first = next((line for line, row in rows if row is not None), 1)
    for _, row in rows:
        if row is None:
            skipped += 1
            continue
        seen_columns = seen_columns or _has_columns(row)
        story = _story(row)
        if story is None:
            skipped += 1
        else:
            stories.append(story)
    if not seen_columns:
        raise ArchiveError(
            f"{path}: line {first}: no row has a story column ({' or '.join(TEXT_COLUMNS)}) and a bullets "
            f"column ({' or '.join(BULLET_COLUMNS)})"
        )
    if len(stories) < MIN_STORIES:
        raise ArchiveError(
            f"{path}: {len(stories)} usable stories ({skipped} rows skipped); "
            f"a profile needs at least {MIN_STORIES}"
        )
    digest = hashlib.sha256(raw).hexdigest()
    return Archive(tuple(stories), skipped, digest, path.name)


def _json_rows(content: str) -> list[tuple[int, Mapping[str, Any] | None]]:
    rows: list[tuple[int, Mapping[str, Any] | None]] = []
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            if number == 1:
                raise ArchiveError("line 1 is not JSON: is this a .csv file?") from None
            row = None  # malformed: skipped and counted
        rows.append((number, row if isinstance(row, dict) else None))
    return rows


def _csv_rows(content: str) -> list[tuple[int, Mapping[str, Any] | None]]:
    reader = csv.DictReader(io.StringIO(content, newline=""))
    rows: list[tuple[int, Mapping[str, Any] | None]] = []
    try:
        for row in reader:
            bullets = row.get("bullets")
            if isinstance(bullets, str):
                row = {**row, "bullets": [b for b in bullets.splitlines() if b.strip()]}
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise ArchiveError(f"line {reader.line_num}: {exc}") from None
    return rows


def _has_columns(row: Mapping[str, Any]) -> bool:
    return any(c in row for c in TEXT_COLUMNS) and any(c in row for c in BULLET_COLUMNS)


def _story(row: Mapping[str, Any]) -> Story | None:
    column = next((c for c in TEXT_COLUMNS if isinstance(row.get(c), str) and row[c].strip()), None)
    bullets = next((row[c] for c in BULLET_COLUMNS if isinstance(row.get(c), list)), None)
    if column is None or not bullets:
        return None
    kept = tuple(b.strip() for b in bullets if isinstance(b, str) and b.strip())
    if not kept:
        return None
    title = row.get("title")
    return Story(row[column], title if isinstance(title, str) else "", kept, column == "html")
