"""House-style profiles: the files, the fit command, archives, the catalog and the count rules."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from service.bullets.compress import ALL_CUTS
from service.bullets.extractor import BulletExtractor
from service.bullets.scoring import DEFAULT_SUMMARY
from service.bullets.scoring import THRESHOLD
from service.bullets.scoring import CountRule
from service.profiles.archive import MIN_STORIES
from service.profiles.archive import ArchiveError
from service.profiles.archive import Story
from service.profiles.archive import read_archive
from service.profiles.catalog import Catalog
from service.profiles.catalog import builtin_profiles
from service.profiles.fit import balanced_choice
from service.profiles.profile import ProfileError
from service.profiles.profile import load_profile
from service.profiles.style import MIN_EVIDENCE
from service.profiles.style import HouseStyle
from service.profiles.style import house_style
from service.profiles.style import shared_style
from service.settings import Settings
from service.settings import SettingsError
from service.text.article import prepare
from tests.conftest import HOUSE_STYLE_STORY

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT.parent / "shared" / "eval"
BUILTIN = ROOT / "service" / "profiles" / "builtin"
# What each built-in profile is fitted on (the split: fit files only).
FITTED_ON = {
    "general": ["train.jsonl", "bbc.fit.jsonl"],
    "cnn": ["train.jsonl"],
    "bbc": ["bbc.fit.jsonl"],
}


def eval_rows(name: str, limit: int) -> list[dict[str, Any]]:
    path = EVAL / name
    if not path.exists():
        pytest.skip(f"needs ../shared/eval/{name}")
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in list(handle)[:limit]]


def fit(tmp_path: Path, *archives: Path, name: str = "newsroom", folds: int = 0) -> Path:
    arguments = [a for archive in archives for a in ("--archive", str(archive))]
    subprocess.run(
        [sys.executable, "-m", "service.cli", "profiles", "fit", *arguments, "--name", name,
         "--out", str(tmp_path), "--folds", str(folds)],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    return tmp_path / f"{name}.json"


@pytest.mark.parametrize("name", sorted(FITTED_ON))
def test_built_in_profiles_are_what_the_fit_command_writes(tmp_path: Path, name: str) -> None:
    """Everything but the held-out report (five more fits: run the command with --folds 5)."""
    archives = [EVAL / file for file in FITTED_ON[name]]
    if not all(a.exists() for a in archives):
        pytest.skip("needs ../shared/eval")
    written = json.loads(fit(tmp_path, *archives, name=name).read_text())
    shipped = json.loads((BUILTIN / f"{name}.json").read_text())
    assert {k: v for k, v in written.items() if k != "report"} == {
        k: v for k, v in shipped.items() if k != "report"
    }
    assert shipped["report"]["folds"] == 5 and len(shipped["report"]["rows"]) >= 2
    rows = {row["name"] for row in shipped["report"]["rows"]}
    if len(FITTED_ON[name]) > 1:  # a profile for several newsrooms: judged on each one's copy
        assert {f"this profile ({file})" for file in FITTED_ON[name]} <= rows


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def archive_rows(limit: int = 60, name: str = "train.jsonl") -> list[dict[str, Any]]:
    return [
        {"text": r["article"], "title": r.get("title") or "", "bullets": r["reference_bullets"]}
        for r in eval_rows(name, limit)
    ]


def test_lengths_are_fitted_to_the_editors_boxes_and_summaries(tmp_path: Path) -> None:
    """CNN's highlights run about 50 words, the BBC's summaries 135 (whole sentences of up to
    40 words): each profile learns its own summary length and longest bullet."""
    fitted = {}
    for name, data in (("cnn", "train.jsonl"), ("bbc", "bbc.fit.jsonl")):
        archive = write_jsonl(tmp_path / f"{name}.jsonl", archive_rows(80, data))
        fitted[name] = json.loads(fit(tmp_path / name, archive, name=name).read_text())
    assert fitted["cnn"]["summary"]["words"] < 75 < fitted["bbc"]["summary"]["words"]
    assert fitted["cnn"]["box"]["max_words"] < fitted["bbc"]["box"]["max_words"]


def test_a_fit_is_deterministic_and_reads_csv_like_json_lines(tmp_path: Path) -> None:
    rows = archive_rows()
    jsonl = write_jsonl(tmp_path / "archive.jsonl", rows)
    with open(tmp_path / "archive.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["title", "text", "bullets"])
        writer.writeheader()
        writer.writerows({**r, "bullets": "\n".join(r["bullets"])} for r in rows)
    first = json.loads(fit(tmp_path / "a", jsonl).read_text())
    again = json.loads(fit(tmp_path / "b", jsonl).read_text())
    from_csv = json.loads(fit(tmp_path / "c", tmp_path / "archive.csv").read_text())
    assert first == again
    assert first["box"] == from_csv["box"] and first["fitted_on"]["stories"] == len(rows)
    load_profile(tmp_path / "a" / "newsroom.json")  # what it writes, it can serve


def test_malformed_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    rows: list[Any] = archive_rows(MIN_STORIES)
    path = tmp_path / "archive.jsonl"
    path.write_text(
        "".join(json.dumps(r) + "\n" for r in rows)
        + '{"text": "no bullets"}\n["a list"]\n{not json\n{"text": "", "bullets": ["x"]}\n',
        encoding="utf-8",
    )
    archive = read_archive(path)
    assert len(archive.stories) == MIN_STORIES and archive.skipped == 4


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("", "no row has a story column"),
        ('{"story": "x", "summary": ["y"]}\n' * 60, "line 1: no row has a story column"),
        ('{"text": "x", "bullets": ["y"]}\n' * 10, "10 usable stories"),
        ("title,text,bullets\nT,x,y\n", "1 usable stories"),
    ],
)
def test_archives_that_cannot_be_fitted_say_why(tmp_path: Path, content: str, words: str) -> None:
    suffix = ".csv" if content.startswith("title,") else ".jsonl"
    path = tmp_path / f"archive{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ArchiveError, match=words):
        read_archive(path)


def test_an_unreadable_archive_is_a_clear_cli_error(tmp_path: Path) -> None:
    path = tmp_path / "archive.jsonl"
    path.write_bytes(b"\xff\xfe not utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "profiles", "fit", "--archive", str(path),
         "--name", "x", "--out", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode != 0 and "UTF-8" in done.stderr and "Traceback" not in done.stderr


def shipped(name: str = "cnn") -> dict[str, Any]:
    return json.loads((BUILTIN / f"{name}.json").read_text())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("schema"), "schema"),
        (lambda d: d.update(name="Bad Name"), "name"),
        (lambda d: d["box"]["weights"].pop("title"), "box.weights"),
        (lambda d: d["box"]["weights"].update(title="high"), "box.weights.title"),
        (lambda d: d["box"].update(redundancy=-1), "box.redundancy"),
        (lambda d: d["box"].update(max_words=35.5), "box.max_words"),
        (lambda d: d["box"].update(count={"rule": "lots"}), "box.count.rule"),
        (lambda d: d["box"].update(count={"rule": "length", "default": 9}), "box.count.default"),
        (
            lambda d: d["box"].update(
                count={"rule": "threshold", "minimum": 4, "maximum": 3, "threshold": 0}
            ),  # fmt: skip
            "box.count.maximum",
        ),
        (lambda d: d.pop("report"), "report"),
        (lambda d: d["box"].update(attribution="sideways"), "box.attribution"),
        (lambda d: d["box"].update(cuts=["appositive", "adverbs"]), "box.cuts"),
        (lambda d: d["box"].update(cuts="appositive"), "box.cuts"),
        (
            lambda d: d.update(summary={"centrality": 0.1, "redundancy": "lots"}),
            "summary.redundancy",
        ),
        (lambda d: d.update(summary=[0.1, 0.2, 0.05]), "summary"),
        (lambda d: d["summary"].update(words=9), "summary.words"),
        (lambda d: d["summary"].update(words=60.5), "summary.words"),
        (lambda d: d["summary"].update(words="long"), "summary.words"),
        (lambda d: d.update(schema=3), "schema"),
    ],
)
def test_a_bad_profile_names_its_file_and_field(tmp_path: Path, change: Any, field: str) -> None:
    data = shipped()
    change(data)
    path = write_jsonl(tmp_path / "bad.json", [data])
    with pytest.raises(ProfileError) as refused:
        load_profile(path)
    assert refused.value.field == field and refused.value.source == str(path)


def test_a_schema_1_profile_reads_with_the_default_style(tmp_path: Path) -> None:
    data = shipped()
    data["schema"] = 1
    for key in ("attribution", "cuts"):
        data["box"].pop(key, None)
    data.pop("summary", None)
    profile = load_profile(write_jsonl(tmp_path / "old.json", [data]))
    assert profile.selection.cuts == ALL_CUTS and profile.selection.front_attribution
    assert profile.summary_style == DEFAULT_SUMMARY


def test_a_profile_fitted_before_the_summary_length_reads_with_the_default_length(
    tmp_path: Path,
) -> None:
    data = shipped()
    data["summary"].pop("words", None)
    profile = load_profile(write_jsonl(tmp_path / "old.json", [data]))
    assert profile.summary_style.words == DEFAULT_SUMMARY.words
    data["summary"]["words"] = 120
    assert load_profile(write_jsonl(tmp_path / "new.json", [data])).summary_style.words == 120


def _story(article: str, bullets: list[str]) -> Story:
    return Story(article, "", tuple(bullets), False)


def test_house_style_reads_the_editors_habits() -> None:
    """Editors who keep appositives and leave sources in place get a box that does too."""
    article = (
        "The council approved a new budget on Monday. "
        "Jane Smith, the council's treasurer, warned that reserves would run out by 2027. "
        "Taxes will rise by 3 per cent next year to pay for new schools, the mayor said."
    )
    keeps = ["Jane Smith, the council's treasurer, warned that reserves would run out by 2027",
             "Taxes will rise by 3 per cent next year to pay for new schools, the mayor said"]  # fmt: skip
    cuts = ["Jane Smith warned that reserves would run out by 2027",
            "The mayor says taxes will rise by 3 per cent next year to pay for new schools"]  # fmt: skip
    for bullets, appositive, front in ((keeps, False, False), (cuts, True, True)):
        stories = [_story(article, bullets)] * MIN_EVIDENCE
        style = house_style(stories, [prepare(article)] * MIN_EVIDENCE)
        assert ("appositive" in style.cuts) is appositive
        assert style.front_attribution is front
    few = house_style([_story(article, keeps)] * (MIN_EVIDENCE - 1), [prepare(article)] * 19)
    assert few.cuts == ALL_CUTS and few.front_attribution  # too little evidence: the defaults


def test_shared_style_changes_a_default_only_where_every_newsroom_does() -> None:
    kept_all = HouseStyle(frozenset(), False)
    cut_some = HouseStyle(frozenset({"appositive"}), True)
    shared = shared_style([kept_all, cut_some], ["a.jsonl", "b.jsonl"])
    assert shared.cuts == {"appositive"} and shared.front_attribution
    assert shared_style([kept_all, kept_all], ["a", "b"]).cuts == frozenset()


def test_the_box_makes_only_its_house_cuts_and_fronts_only_in_front_style() -> None:
    article = prepare(HOUSE_STYLE_STORY)
    general = next(p.selection for p in builtin_profiles() if p.name == "general")
    full = BulletExtractor(selection=general).extract(article, 3)
    plain = replace(general, cuts=frozenset(), front_attribution=False)
    kept = BulletExtractor(selection=plain).extract(article, 3)
    assert any(b.startswith("The mayor says") for b in full)
    assert not any(b.startswith("The mayor says") for b in kept)
    assert not any("long-serving treasurer" in b for b in full)
    assert any("long-serving treasurer" in b for b in kept)


def test_a_bad_profile_in_the_folder_stops_the_server_at_start(tmp_path: Path) -> None:
    (tmp_path / "house.json").write_text("{", encoding="utf-8")
    with pytest.raises(SettingsError, match="house.json"):
        Settings(profiles_dir=str(tmp_path))
    with pytest.raises(SettingsError, match="no profile 'nope'"):
        Settings(profile="nope")
    with pytest.raises(SettingsError, match="no profile 'nope'"):
        Settings(key_profiles="cms:nope")


def test_the_catalog_adds_a_newsroom_folder_and_refuses_a_taken_name(tmp_path: Path) -> None:
    house = {**shipped(), "name": "house"}
    write_jsonl(tmp_path / "house.json", [house])
    catalog = Catalog.load(str(tmp_path), "house", "cms:bbc")
    assert set(catalog.profiles) == {"general", "cnn", "bbc", "house"}
    assert catalog.get(None).name == "house" and catalog.get(None, "cms").name == "bbc"
    assert catalog.get("cnn", "cms").name == "cnn"  # asked for: the key's default yields
    write_jsonl(tmp_path / "cnn.json", [shipped()])
    with pytest.raises(ProfileError, match="taken"):
        Catalog.load(str(tmp_path), "general", "")


def test_built_in_profiles_differ_where_their_newsrooms_do() -> None:
    """CNN's editors write three highlights; BBC's write long boxes."""
    profiles = {p.name: p for p in builtin_profiles()}
    assert set(profiles) == {"general", "cnn", "bbc"}
    text = (ROOT / "seeds" / "000_8dc29571600dcd6e.txt").read_text()
    article = prepare(text)
    counts = {
        name: len(BulletExtractor(selection=p.selection).box(article))
        for name, p in profiles.items()
    }
    assert counts["cnn"] <= counts["general"] <= counts["bbc"] and counts["cnn"] < counts["bbc"]


@pytest.mark.parametrize("threshold", [-10.0, 0.0, 10.0])
def test_a_threshold_rule_keeps_between_its_minimum_and_maximum(
    seed_text: str, threshold: float
) -> None:
    from dataclasses import replace

    from service.bullets.scoring import load_selection

    rule = CountRule(THRESHOLD, minimum=3, maximum=5, threshold=threshold)
    box = BulletExtractor(selection=replace(load_selection(), count=rule))
    count = len(box.box(prepare(seed_text)))
    assert 3 <= count <= 5
    assert count == {-10.0: 5, 10.0: 3}.get(threshold, count)  # all it may, or its floor


def test_a_multi_file_choice_keeps_every_floor_then_wins_on_average() -> None:
    """One newsroom's large gain is not given up for a hair on another's, nor its floor."""
    gains = {"three": [0.004, 0.010], "five": [0.001, 0.060], "six": [-0.010, 0.200]}
    assert balanced_choice(gains) == "five"
    assert balanced_choice({"a": [-0.02, 0.3], "b": [-0.01, 0.0]}) == "b"  # none keeps: least loss
    assert balanced_choice({"only": [0.1], "other": [0.2]}) == "other"  # one file: the best
