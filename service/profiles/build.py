"""Build a profile from archive files: read, fit, report (``newsbrief profiles fit``)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from service.bullets.scoring import Selection
from service.profiles.archive import read_archive
from service.profiles.fit import Progress
from service.profiles.fit import build_cases
from service.profiles.fit import fit_selection
from service.profiles.profile import Profile
from service.profiles.report import held_out

DEFAULT_FOLDS = 5


def build_profile(
    paths: Sequence[Path], name: str, general: Selection | None, progress: Progress,
    folds: int = DEFAULT_FOLDS,
) -> Profile:  # fmt: skip
    """Fit the profile ``name`` on the archives at ``paths`` and report it held out.

    ``general`` is the profile the report compares with (None: fitting it).

    Raises:
        ArchiveError: an archive that cannot be read or has too few stories.
    """
    archives = [read_archive(path) for path in paths]
    stories = [story for archive in archives for story in archive.stories]
    groups = [number for number, archive in enumerate(archives) for _ in archive.stories]
    cases = build_cases(stories, progress, groups)
    fingerprint = hashlib.sha256("".join(a.sha256 for a in archives).encode()).hexdigest()
    selection = fit_selection(cases, f"1+{fingerprint[:12]}")
    fitted_on = {
        "stories": len(stories),
        "files": [
            {"file": a.name, "sha256": a.sha256, "stories": len(a.stories), "skipped": a.skipped}
            for a in archives
        ],
    }
    files = [archive.name for archive in archives]
    report = (
        held_out(cases, folds, general, progress, files) if folds > 1 else {"folds": 0, "rows": []}
    )
    return Profile(name, selection.version, selection, fitted_on, report)
