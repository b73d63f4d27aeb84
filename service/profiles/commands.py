"""``newsbrief profiles``: fit a house style from a newsroom's archive, list what a server offers."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from service.profiles.profile import NAME


@click.group()
def profiles() -> None:
    """Fit and list house-style profiles (the box's selection, count rule and length)."""


@profiles.command("fit")
@click.option("--archive", "archives", multiple=True, required=True, type=click.Path(path_type=Path),
              help="JSON lines or .csv: text or html, title, bullets (repeat for several files)")  # fmt: skip
@click.option("--name", required=True, help="the profile's name (a-z, 0-9, '-', '_')")
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="folder to write NAME.json in"
)
@click.option("--folds", default=5, show_default=True, type=click.IntRange(0, 20),
              help="held-out folds for the report (0: no report)")  # fmt: skip
def profiles_fit(archives: tuple[Path, ...], name: str, out: Path, folds: int) -> None:
    """Fit a profile on ARCHIVE(s) and print its held-out table against general and Lead-3."""
    from service.profiles.archive import ArchiveError
    from service.profiles.build import build_profile
    from service.profiles.catalog import GENERAL
    from service.profiles.catalog import builtin_profiles

    if not NAME.match(name):
        raise click.BadParameter("1-40 of a-z, 0-9, '-' and '_'", param_hint="--name")
    general = next((p.selection for p in builtin_profiles() if p.name == GENERAL), None)
    started = time.monotonic()

    def progress(stage: str, done: int, total: int) -> None:
        click.echo(f"  {stage}: {done}/{total} ({time.monotonic() - started:.0f} s)", err=True)

    try:
        profile = build_profile(
            list(archives), name, None if name == GENERAL else general, progress, folds
        )
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{name}.json"
    target.write_text(json.dumps(profile.as_json(), indent=1) + "\n", encoding="utf-8")
    from service.profiles.report import table

    fitted = profile.fitted_on
    skipped = sum(f["skipped"] for f in fitted["files"])
    click.echo(f"{name} {profile.version}: {fitted['stories']} stories ({skipped} rows skipped)")
    click.echo(f"count rule {profile.selection.count.as_json()}, redundancy "
               f"{profile.selection.redundancy}, brevity {profile.selection.brevity}")  # fmt: skip
    if profile.report.get("rows"):
        click.echo(table(profile.report))
    click.echo(f"wrote {target} in {time.monotonic() - started:.0f} s")


@profiles.command("list")
def profiles_list() -> None:
    """Show the profiles this server's settings offer, and the default."""
    from service.profiles.catalog import Catalog
    from service.profiles.profile import ProfileError
    from service.settings import Settings

    settings = Settings.from_env()
    try:
        catalog = Catalog.load(settings.profiles_dir, settings.profile, settings.key_profiles)
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from None
    for name, profile in sorted(catalog.profiles.items()):
        mark = "*" if name == catalog.default else " "
        click.echo(f"{mark} {name:16} {profile.version:20} {profile.selection.count.as_json()}")
