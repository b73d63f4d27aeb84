"""A revision set for developing stories (issue 30): scripted edits, and the box's figures on it.

    python bench/revisions.py make --data ../shared/eval/val.jsonl --out bench/data/revisions.jsonl
    python bench/revisions.py score --data ../shared/eval/val.jsonl --edits bench/data/revisions.jsonl

``make`` writes edit scripts, not text (the news stays in ../shared/eval, as
its licence asks: a sentence is named by its index among the story's cleaned
sentences and a hash of its text): for each story, realistic edits of a developing story,
each aimed at a sentence the story's box was or was not written from:

- ``prepend``: an update paragraph at the top;
- ``number``: a count or time in a bullet's source changed (the bullet says it);
- ``name``: a name in a bullet's source corrected (the bullet says it);
- ``delete``: a paragraph no bullet comes from deleted;
- ``typo``: a typo elsewhere fixed (the previous version had it);
- ``elsewhere``: a number changed in a sentence no bullet comes from;
- ``quote``: a quotation no bullet comes from moved to the end.

``score`` replays them through the real request path (Flask test client,
result cache off) and prints: the share of bullets whose source sentence
no edit touched that come back verbatim and in place; the share of
bullets with a changed number or name that come back ``updated`` with the
new value; and pinned bullets flagged when the revision contradicts them
and when it does not. Then the box's median latency with and without
``previous`` over the same stories.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import statistics
import time
from pathlib import Path
from typing import Any

from service import create_app
from service.bullets.extractor import forget_candidates
from service.settings import Settings
from service.text.article import prepare

UPDATES = (
    "UPDATE: Officials said on Tuesday that the investigation was continuing.",
    "This story has been updated with new information from the authorities.",
    "Police said more details would be released later in the day.",
)
NAMES = ("Harper", "Collins", "Mendez", "Okafor", "Lindqvist", "Barrett")
# A count or a time standing alone ("12 dead", "at 6"), not "90s" or "65th".
_NUMBER = re.compile(r"(?<![\w.,])\d{1,4}(?!\w|[.,]\d)")
# A name mid-sentence (not a weekday or a month, which are not corrected as names).
_NAME = re.compile(
    r"(?<=[a-z,] )(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|"
    r"February|March|April|May|June|July|August|September|October|November|December)\b)"
    r"[A-Z][a-z]{3,}\b"
)


def _client() -> Any:
    app = create_app(Settings(engine="extractive", cache_bytes=0))
    return app.test_client()


def _box(client: Any, text: str, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"text": text}
    if previous is not None:
        body["previous"] = previous
    answer = client.post("/v1/bullets", json=body)
    assert answer.status_code == 200, answer.get_json()
    result: dict[str, Any] = answer.get_json()
    return result


def _sources(client: Any, text: str) -> tuple[list[str], list[str], list[int]]:
    """Return the story's box, its cleaned sentences and each bullet's source sentence."""
    answer = client.post("/v1/bullets", json={"text": text, "options": {"article": True}})
    body = answer.get_json()
    article = body["article"]
    sentences = [article["text"][s["start"] : s["end"]] for s in article["sentences"]]
    sources = [c["evidence"][0]["sentence"] for c in body["checks"]["bullets"]["sentences"]]
    return body["bullets"], sentences, sources


def make(rows: list[dict[str, Any]], out: Path, seed: int = 30) -> None:
    """Write the edit scripts for ``rows`` (deterministic)."""
    rng = random.Random(seed)
    client = _client()
    edits = []
    for row in rows:
        bullets, sentences, sources = _sources(client, row["article"])
        if len(sentences) < 8 or len(set(sources)) != len(sources):
            continue
        others = [i for i in range(1, len(sentences)) if i not in sources]
        story = {"id": row["id"]}
        edits.append({**story, "edit": "prepend", "text": rng.choice(UPDATES)})
        for b, bullet in enumerate(bullets):
            source = sentences[sources[b]]
            numbers = [m for m in _NUMBER.findall(bullet) if m in _NUMBER.findall(source)]
            if numbers:
                old = numbers[0]
                edits.append({**story, "edit": "number", "bullet": b, **_named(sentences, sources[b]),
                              "old": old, "new": str(int(old) + 3)})  # fmt: skip
            names = [n for n in _NAME.findall(bullet) if n in _NAME.findall(source)]
            if names:
                new = rng.choice([n for n in NAMES if n != names[0]])
                edits.append({**story, "edit": "name", "bullet": b, **_named(sentences, sources[b]),
                              "old": names[0], "new": new})  # fmt: skip
        if others:
            edits.append({**story, "edit": "delete", **_named(sentences, rng.choice(others))})
            pick = rng.choice(others)
            victim = sentences[pick]
            long_words = [w for w in victim.split() if w.isalpha() and len(w) > 6]
            if long_words:
                word = long_words[0]
                typo = word[:2] + word[3] + word[2] + word[4:]
                edits.append({**story, "edit": "typo", **_named(sentences, pick), "old": word,
                              "new": typo})  # fmt: skip
            with_number = [i for i in others if _NUMBER.search(sentences[i])]
            if with_number:
                victim = sentences[with_number[0]]
                old = _NUMBER.findall(victim)[0]
                edits.append({**story, "edit": "elsewhere", **_named(sentences, with_number[0]),
                              "old": old, "new": str(int(old) + 3)})  # fmt: skip
            quoted = [i for i in others if '"' in sentences[i] or "\u201c" in sentences[i]]
            if quoted:
                edits.append({**story, "edit": "quote", **_named(sentences, quoted[0])})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(e) + "\n" for e in edits), encoding="utf-8")
    print(f"{len(edits)} edits of {len({e['id'] for e in edits})} stories -> {out}")


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _named(sentences: list[str], index: int) -> dict[str, Any]:
    """Name a sentence without its text: its index and a hash."""
    return {"sentence": index, "sha1": _digest(sentences[index])}


def versions(article: str, edit: dict[str, Any]) -> tuple[str, str] | None:
    """Return (previous version, new version) of a story for one edit, or None if it no longer applies."""
    kind = edit["edit"]
    if kind == "prepend":
        return article, edit["text"] + "\n\n" + article
    sentences = [s.text for s in prepare(article).sentences]
    index = edit["sentence"]
    if index >= len(sentences) or _digest(sentences[index]) != edit["sha1"]:
        return None  # the cleaning changed since the set was made: skip
    sentence = sentences[index]
    if sentence not in article:
        return None  # cleaning changed the sentence's spacing: skip
    if kind in ("number", "name", "elsewhere"):
        changed = re.sub(rf"\b{re.escape(edit['old'])}\b", edit["new"], sentence, count=1)
        return article, article.replace(sentence, changed)  # every copy (captions repeat)
    if kind == "delete":
        return article, article.replace(sentence, "", 1)
    if kind == "typo":  # the previous version had the typo; this one fixes it
        return article.replace(sentence, sentence.replace(edit["old"], edit["new"], 1), 1), article
    if kind == "quote":
        return article, article.replace(sentence, "", 1) + "\n\n" + sentence
    raise ValueError(kind)


def score(rows: dict[str, dict[str, Any]], edits: list[dict[str, Any]]) -> None:
    """Replay the edits and print the figures of issue 30's done-when."""
    client = _client()
    untouched = [0, 0]  # verbatim and in place, of
    updated = [0, 0]  # updated with the new value, of
    contradicted = [0, 0]  # pinned and flagged, of
    supported = [0, 0]  # pinned and flagged, of
    plain_ms: list[float] = []
    revised_ms: list[float] = []
    for edit in edits:
        pair = versions(rows[edit["id"]]["article"], edit)
        if pair is None:
            continue
        old, new = pair
        box = _box(client, old)["bullets"]
        forget_candidates()  # no request reuses another's candidates
        started = time.perf_counter()
        _box(client, new)
        plain_ms.append((time.perf_counter() - started) * 1000)
        forget_candidates()
        started = time.perf_counter()
        answer = _box(client, new, {"bullets": box})
        revised_ms.append((time.perf_counter() - started) * 1000)
        revision = answer["revision"]["bullets"]
        changed = edit.get("bullet") if edit["edit"] in ("number", "name") else None
        for index, bullet in enumerate(box):
            if index == changed:
                continue
            untouched[1] += 1
            same = index < len(revision) and revision[index]["text"] == bullet
            untouched[0] += bool(same and revision[index]["status"] == "kept")
        if changed is None:
            pinned = _box(client, new, {"bullets": box, "pinned": list(range(len(box)))})
            flags = [b["flagged"] for b in pinned["revision"]["bullets"] if b["status"] == "pinned"]
            supported[0] += sum(flags)
            supported[1] += len(flags)
            continue
        mine = next((b for b in revision if b["previous"] == changed), None)
        updated[1] += 1
        updated[0] += bool(mine and mine["status"] == "updated" and edit["new"] in mine["text"])
        pinned = _box(client, new, {"bullets": box, "pinned": [changed]})
        flag = next(b for b in pinned["revision"]["bullets"] if b["previous"] == changed)
        contradicted[1] += 1
        contradicted[0] += bool(flag["flagged"])
    print(f"edits replayed: {len(plain_ms)}")
    _line("untouched bullets verbatim and in place", untouched)
    _line("changed number/name: updated with the new value", updated)
    _line("pinned, contradicted: flagged", contradicted)
    _line("pinned, still supported: flagged", supported)
    plain, revised = statistics.median(plain_ms), statistics.median(revised_ms)
    print(
        f"box median ms: without previous {plain:.2f}, with {revised:.2f} ({revised / plain:.2f}x)"
    )


def _line(name: str, pair: list[int]) -> None:
    share = 100 * pair[0] / pair[1] if pair[1] else 0.0
    print(f"{name:50} {pair[0]} of {pair[1]} ({share:.1f} %)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=("make", "score"))
    parser.add_argument("--data", required=True, help="the stories (JSON lines with id, article)")
    parser.add_argument("--edits", type=Path, default=Path("bench/data/revisions.jsonl"))
    parser.add_argument("--out", type=Path, default=Path("bench/data/revisions.jsonl"))
    parser.add_argument("--limit", type=int, default=60)
    args = parser.parse_args()
    with open(args.data, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    if args.command == "make":
        make(rows[: args.limit], args.out)
    else:
        edits = [json.loads(line) for line in args.edits.read_text(encoding="utf-8").splitlines()]
        score({row["id"]: row for row in rows}, edits)


if __name__ == "__main__":
    main()
