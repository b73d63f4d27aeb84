"""Score an engine on reference summaries: ROUGE, a faithfulness lint, timing.

Backs ``newsbrief eval``; a newsroom runs it on its own copy before turning
on a model or a faster, lossier setting (int8, fewer beams).
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from service.bullets.features import LEANING_OPENER
from service.pipeline import Options
from service.pipeline import extract_bullets
from service.pipeline import summarize_documents
from service.state import ServiceState
from service.text.sentences import split_sentences

PRONOUN_START = re.compile(r"^(?:he|she|it|they|them|his|her|its|their|this|these|those)\b", re.I)
ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")


def lint_bullets(bullets: list[str]) -> Counter[str]:
    """Count the faithfulness problems of one box (same rules as the shared judge)."""
    found: Counter[str] = Counter()
    for index, bullet in enumerate(bullets):
        text = bullet.strip().lstrip("\"'\u201c\u2018 ")
        found["orphan-pronoun"] += index == 0 and bool(PRONOUN_START.match(text))
        found["orphan-connective"] += bool(LEANING_OPENER.match(text))
        found["unbalanced-quote"] += len(re.findall(r"[\"\u201c]", bullet)) % 2
        found["unbalanced-paren"] += bullet.count("(") != bullet.count(")")
        found["too-short"] += len(bullet.split()) < 6
        found["too-long"] += len(bullet.split()) > 45
    return found


def read_rows(path: str, limit: int | None) -> Iterator[dict[str, Any]]:
    """Yield rows of a jsonl file, at most ``limit``."""
    with open(path, encoding="utf-8") as handle:
        count = 0
        for line in handle:
            if not line.strip():
                continue
            if limit is not None and count >= limit:
                return
            count += 1
            yield json.loads(line)


def predict(
    state: ServiceState, row: dict[str, Any], engine: str, profile: str | None = None
) -> dict[str, Any]:
    """Return ``{id, summary, bullets}`` for one evaluation row (the box of ``profile``)."""
    document = {"text": row["article"], "title": row.get("title") or ""}
    if engine == "bullets":
        box = extract_bullets(state, document, Options(profile=profile))
        return {
            "id": row["id"],
            "bullets": box["bullets"],
            "summary": " ".join(box["bullets"]),
            "unsupported": _unsupported(box["checks"]),
        }
    (result,) = summarize_documents(state, [document], Options(engine=engine, profile=profile))
    if isinstance(result, Exception):
        raise result
    return {
        "id": row["id"],
        "bullets": result["bullets"],
        "summary": result["summary"],
        "unsupported": _unsupported(result["checks"]),
    }


def _unsupported(checks: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return, per part (summary, bullets), how many sentences were checked and which failed."""
    return {
        part: {
            "checked": len(checks[part]["sentences"]),
            "sentences": [s["sentence"] for s in checks[part]["sentences"] if not s["supported"]],
        }
        for part in ("summary", "bullets")
        if part in checks
    }


def run_eval(
    state: ServiceState, data: str, engine: str, *, out: str | None = None,
    limit: int | None = None, profile: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Run ``engine`` (and the box of ``profile``) over ``data``; return the report."""
    from rouge_score import rouge_scorer
    from tqdm import tqdm

    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    rows = list(read_rows(data, limit))
    scores: dict[str, list[float]] = {
        f"{f}_{r}": [] for f in ("bullets", "summary") for r in ROUGE_TYPES
    }
    lint: Counter[str] = Counter()
    unsupported: Counter[str] = Counter()
    checked: Counter[str] = Counter()
    times: list[float] = []
    counts: list[int] = []
    predictions = []
    for row in tqdm(rows, desc=f"eval {engine}", unit="article", disable=len(rows) < 20):
        started = time.perf_counter()
        prediction = predict(state, row, engine, profile)
        times.append((time.perf_counter() - started) * 1000)
        predictions.append(prediction)
        reference = "\n".join(row.get("reference_bullets") or split_sentences(row["reference"]))
        candidates = {
            "bullets": "\n".join(prediction["bullets"]),
            "summary": "\n".join(split_sentences(prediction["summary"])),
        }
        for field, candidate in candidates.items():
            result = scorer.score(reference, candidate)
            for rouge in ROUGE_TYPES:
                scores[f"{field}_{rouge}"].append(result[rouge].fmeasure * 100)
        lint += lint_bullets(prediction["bullets"])
        for part, found in prediction["unsupported"].items():
            unsupported[part] += len(found["sentences"])
            checked[part] += found["checked"]
        counts.append(len(prediction["bullets"]))
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions)
    report: dict[str, Any] = {"engine": engine, "articles": len(rows)}
    report["profile"] = state.profiles.get(profile).name
    report.update({k: round(statistics.fmean(v), 2) if v else 0.0 for k, v in scores.items()})
    report["bullets_mean"] = round(statistics.fmean(counts), 2) if counts else 0.0
    report["lint"] = dict(sorted((k, v) for k, v in lint.items() if v))
    report["unsupported"] = {part: f"{unsupported[part]} of {checked[part]}" for part in checked}
    report["ms_median"] = round(statistics.median(times), 2) if times else 0.0
    report["ms_p95"] = round(sorted(times)[int(0.95 * (len(times) - 1))], 2) if times else 0.0
    return report


def run_checks(
    state: ServiceState, data: str, out: str, *, encoder: bool = True, limit: int | None = None
) -> dict[str, Any]:
    """Check every labelled summary of ``data``; write ``{id, score, flag}`` lines to ``out``."""
    from tqdm import tqdm

    from service.checks.embeddings import static_encoder
    from service.checks.grounds import Grounds
    from service.checks.verdict import summary_sentences
    from service.text.article import prepare

    embed = static_encoder() if encoder else None
    grounds: dict[str, tuple[Any, Grounds]] = {}
    times: list[float] = []
    flagged = 0
    rows = list(read_rows(data, limit))
    with open(out, "w", encoding="utf-8") as handle:
        for row in tqdm(rows, desc="eval checks", unit="summary", disable=len(rows) < 20):
            started = time.perf_counter()
            if row["article"] not in grounds:
                article = prepare(row["article"])
                grounds[row["article"]] = (article, Grounds(article))
            article, index = grounds[row["article"]]
            sentences = summary_sentences(row["summary"]) or [row["summary"]]
            verdict = state.checker.check(article, sentences, encoder=embed, grounds=index)
            times.append((time.perf_counter() - started) * 1000)
            flagged += not verdict.supported
            line = {"id": row["id"], "score": verdict.score, "flag": not verdict.supported}
            handle.write(json.dumps(line) + "\n")
    return {
        "rows": len(rows),
        "flagged": flagged,
        "alignment": "minilm" if embed else "lexical",
        "checker": state.checker.version,
        "ms_median": round(statistics.median(times), 2) if times else 0.0,
    }
