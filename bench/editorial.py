"""Editorial lints of boxes (or summaries) against their articles, per 100 bullets.

    newsbrief eval --data ../shared/eval/val.jsonl --engine extractive --out p.jsonl
    python bench/editorial.py --data ../shared/eval/val.jsonl --preds p.jsonl [--field summary]
    python bench/editorial.py --data ... --preds ... --show attribution_lost

What an editor would have to fix before publishing, counted with patterns
written here independently of the box's own rules (so a rule cannot grade
itself):

- attribution_lost: of the bullets whose source sentence attributes a claim
  (a reporting verb with its speaker, "according to", a study's finding,
  "allegedly"), the share (%) whose bullet carries no attribution at all;
- changed_numbers: numbers in a bullet that the article never writes;
- dangling: bullets opening on a pronoun or a back-reference ("Mr Adams",
  "The younger man", "Same goes") that no earlier bullet introduced; a
  pronoun right after the bullet of the sentence before it, and a lede's
  own pronoun (resolved later in the same sentence), are fine;
- duplicates: bullets stating an earlier bullet's fact again (the same
  numbers and most content words, or nearly all content words);
- captions: photo captions, widgets and page furniture;
- quotes: bullets carrying quotation marks.
"""

from __future__ import annotations

import argparse
import json

from service.profiles.lints import CLASSES
from service.profiles.lints import lint
from service.profiles.lints import per_100
from service.text.sentences import split_sentences


def as_box(prediction: dict[str, object], field: str) -> list[str]:
    if field == "bullets":
        return [str(b) for b in prediction.get("bullets") or []]
    return split_sentences(str(prediction.get("summary") or ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True, help="refs: id, article")
    parser.add_argument("--preds", required=True, help="newsbrief eval --out file")
    parser.add_argument("--field", choices=("bullets", "summary"), default="bullets")
    parser.add_argument("--show", choices=CLASSES, help="print this class's cases")
    args = parser.parse_args()
    with open(args.data, encoding="utf-8") as handle:
        articles = {row["id"]: row["article"] for row in map(json.loads, handle)}
    with open(args.preds, encoding="utf-8") as handle:
        predictions = [json.loads(line) for line in handle if line.strip()]
    totals = dict.fromkeys(CLASSES, 0)
    bullets = 0
    for prediction in predictions:
        box = as_box(prediction, args.field)
        bullets += len(box)
        for name, cases in lint(articles[prediction["id"]], box).items():
            totals[name] += len(cases)
            if name == args.show:
                for case in cases:
                    print(f"{prediction['id']}\t{case}")
    print(f"boxes              {len(predictions)}")
    print(f"bullets            {bullets}")
    print(
        f"attribution_lost   {totals['attribution_lost']} of {totals['attributed']} attributed"
        f" ({per_100(totals['attribution_lost'], totals['attributed'])} %)"
    )
    for name in ("changed_numbers", "dangling", "duplicates", "captions", "quotes"):
        print(f"{name:<18} {totals[name]:<5} ({per_100(totals[name], bullets)} per 100 bullets)")


if __name__ == "__main__":
    main()
