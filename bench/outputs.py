"""Write, or compare, what the service answers over an eval file: boxes, summaries, checks.

    python bench/outputs.py write --data ../shared/eval/val.jsonl --out after.jsonl
    python bench/outputs.py write --data ../shared/eval/val.jsonl --out before.jsonl --tree OLD_COMMIT
    python bench/outputs.py compare before.jsonl after.jsonl

``write`` posts every story to ``/v1/bullets`` and to the extractive
``/v1/summaries`` (checks on, result cache off) in one process and keeps
the answers' boxes, summaries and check verdicts. ``--tree`` runs the same
over another commit (checked out into a temporary git worktree), so a
change to the request path can be diffed against the code before it.
``compare`` prints, per part, how many stories differ in text, in
verdicts (supported, evidence, issues) and in scores (by more than 0.0005),
and the first differences of each kind.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

from worktree import worktree


def write(data: str, out: str) -> None:
    """Answer every story of ``data`` with the ``service`` package on the path."""
    from service import create_app
    from service.settings import Settings

    settings = Settings.from_env({"NEWSBRIEF_CACHE_BYTES": "0", "NEWSBRIEF_ENGINE": "extractive"})
    app = create_app(settings)
    state = app.extensions["newsbrief"]
    state.engines.load_all()
    client = app.test_client()
    with open(data, encoding="utf-8") as handle, open(out, "w", encoding="utf-8") as sink:
        for line in handle:
            if not line.strip():
                continue
            story = json.loads(line)
            body = {"text": story["article"]}
            box = client.post("/v1/bullets", json=body).get_json()
            summary = client.post(
                "/v1/summaries", json={**body, "options": {"engine": "extractive"}}
            ).get_json()
            record = {
                "id": story.get("id"),
                "bullets": box.get("bullets"),
                "bullet_checks": box.get("checks", {}).get("bullets"),
                "summary": summary.get("summary"),
                "summary_checks": summary.get("checks", {}).get("summary"),
                "summary_bullet_checks": summary.get("checks", {}).get("bullets"),
            }
            sink.write(json.dumps(record) + "\n")


def write_tree(commit: str, data: str, out: str) -> None:
    """Run ``write`` over ``commit`` in a temporary worktree."""
    with worktree(commit) as tree:
        subprocess.run(
            [sys.executable, __file__, "write", "--data", os.path.abspath(data),
             "--out", os.path.abspath(out)],
            cwd=tree, check=True, env={**os.environ, "PYTHONPATH": tree},
        )  # fmt: skip


def _verdicts(checks: dict[str, Any] | None) -> list[Any]:
    if not checks:
        return []
    return [
        (s["supported"], [(e["sentence"], e["start"], e["end"]) for e in s["evidence"]],
         [(i["type"], i["start"], i["end"]) for i in s["issues"]])
        for s in checks["sentences"]
    ]  # fmt: skip


def _scores(checks: dict[str, Any] | None) -> list[float]:
    return [s["score"] for s in checks["sentences"]] if checks else []


def compare(before: str, after: str, show: int) -> None:
    """Print how the answers of two ``write`` runs differ."""
    with open(before, encoding="utf-8") as one, open(after, encoding="utf-8") as two:
        pairs = list(zip(map(json.loads, one), map(json.loads, two), strict=True))
    print(f"{len(pairs)} stories")
    for part, text_key in (("bullet_checks", "bullets"), ("summary_checks", "summary"),
                           ("summary_bullet_checks", None)):  # fmt: skip
        texts = verdicts = scores = 0
        shown: list[str] = []
        largest = 0.0
        for old, new in pairs:
            if text_key and old[text_key] != new[text_key]:
                texts += 1
                if len(shown) < show:
                    shown.append(f"  text {old['id']}: {old[text_key]!r}\n    -> {new[text_key]!r}")
                continue
            if _verdicts(old[part]) != _verdicts(new[part]):
                verdicts += 1
                if len(shown) < show:
                    shown.append(f"  verdict {old['id']}: {_verdicts(old[part])}\n"
                                 f"    -> {_verdicts(new[part])}")  # fmt: skip
            gaps = [abs(a - b) for a, b in zip(_scores(old[part]), _scores(new[part]), strict=True)]
            if any(g > 0.0005 for g in gaps):
                scores += 1
                largest = max(largest, *gaps)
        print(f"{part}: text differs {texts}, verdict differs {verdicts}, "
              f"score differs {scores} (largest {largest:.4f})")  # fmt: skip
        for line in shown:
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("write")
    run.add_argument("--data", required=True)
    run.add_argument("--out", required=True)
    run.add_argument("--tree", help="a commit to run instead of this checkout")
    diff = commands.add_parser("compare")
    diff.add_argument("before")
    diff.add_argument("after")
    diff.add_argument("--show", type=int, default=5)
    args = parser.parse_args()
    if args.command == "compare":
        compare(args.before, args.after, args.show)
    elif args.tree:
        write_tree(args.tree, args.data, args.out)
    else:
        write(args.data, args.out)


if __name__ == "__main__":
    main()
