"""Build a profile from archive files: read, fit, report (``newsbrief profiles fit``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from service.bullets.scoring import Selection
from service.profiles.archive import read_archive
from service.profiles.fit import Progress
from service.profiles.fit import build_cases
from service.profiles.fit import fit_length
from service.profiles.fit import fit_selection
from service.profiles.fit import fit_summary
from service.profiles.fit import prepared
from service.profiles.profile import Profile
from service.profiles.report import held_out
from service.profiles.style import house_style
from service.profiles.style import shared_style

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
    articles = [prepared(story) for story in stories]
    files = [archive.name for archive in archives]
    styles = [
        house_style(archive.stories, [a for a, g in zip(articles, groups, strict=True) if g == n])
        for n, archive in enumerate(archives)
    ]
    style = shared_style(styles, files)
    cases = build_cases(stories, progress, groups, style, articles)
    fingerprint = hashlib.sha256("".join(a.sha256 for a in archives).encode()).hexdigest()
    selection = fit_selection(cases, fingerprint[:12], style)
    style, cases, selection = fit_length(
        stories, cases, selection, style, progress, groups, articles
    )
    fitted_on = {
        "stories": len(stories),
        "files": [
            {"file": a.name, "sha256": a.sha256, "stories": len(a.stories), "skipped": a.skipped}
            for a in archives
        ],
    }
    report = (
        held_out(cases, folds, general, progress, files, style)
        if folds > 1
        else {"folds": 0, "rows": []}
    )
    report["style"] = style.evidence or {}
    summary = fit_summary(cases, selection)
    progress("summary", 1, 1)
    # The version names the data and what was fitted on it: a cache keyed on it
    # never serves a box made under a refit that changed the profile.
    fitted = Profile(name, "", selection, fitted_on, {}, summary).as_json()
    content = json.dumps({k: fitted[k] for k in ("box", "summary")}, sort_keys=True)
    version = f"{fingerprint[:12]}.{hashlib.sha256(content.encode()).hexdigest()[:8]}"
    selection = replace(selection, version=version)
    return Profile(name, version, selection, fitted_on, report, summary)
