"""Time text preparation, the box and its checks on hostile inputs; print the worst case.

    python bench/hostile.py [--size 200000] [--classes byline,quotes,...]
    python bench/hostile.py --url http://127.0.0.1:8000     # the same, served

Served (``--url``), each class is posted to ``/v1/bullets`` and to
``/v1/summaries`` (the server's default engine), checks on, and timed from
request to the last byte of the answer: parsing, language detection and
the summary count too.

Each class is an input a few hundred bytes long that used to blow up a
regex or the HTML pass, grown to the size limit. Every class must stay
under one second per request (issue 17); the regression tests in
tests/unit/test_hostile.py run the same corpus at a smaller size.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from service.bullets.extractor import BulletExtractor
from service.checks.embeddings import static_encoder
from service.checks.verdict import Checker
from service.errors import ServiceError
from service.pipeline import prepare_document

Maker = Callable[[int], dict[str, str]]
# Checked beside the box: the most a /v1/checks summary may hold (50 sentences).
CLAIMS = [f"The council approved budget {n} for the bridge on Monday" for n in range(46)]


def corpus() -> dict[str, Maker]:
    """Return the hostile input classes, each a function of the target size in characters."""
    return {name: _cut(maker) for name, maker in _classes().items()}


def _cut(maker: Maker) -> Maker:
    return lambda n: {field: value[:n] for field, value in maker(n).items()}


def _classes() -> dict[str, Maker]:
    return {
        "byline": lambda n: {"text": "By " + "A" * (n - 3)},
        "byline-words": lambda n: {"text": "By " + "Aa " * (n // 3)},
        "double-quotes": lambda n: {"text": "a " + "\u201c " * (n // 2)},
        "single-quotes": lambda n: {"text": "a" + " \u2018" * (n // 2)},
        "parentheses": lambda n: {"text": "(" * (n // 2) + ")" * (n // 2)},
        "dots": lambda n: {"text": "." * n},
        "spaced-dots": lambda n: {"text": "a . " * (n // 4)},
        "capitalised": lambda n: {"text": "Aaaa " * (n // 5)},
        "commas": lambda n: {"text": "Smith, a " * (n // 9) + "said."},
        "dashes": lambda n: {"text": "a -- " * (n // 5)},
        "newlines": lambda n: {"text": "a\n" * (n // 2)},
        "no-period": lambda n: {"text": "word " * (n // 5)},
        "one-long-sentence": lambda n: {
            "text": "The council " + "and the city " * (n // 13) + "met."
        },
        "clock": lambda n: {"text": "7 a.m. " * (n // 7)},
        "html-empty-p": lambda n: {"html": "<p></p>" * (n // 7)},
        "html-li": lambda n: {"html": "<ul>" + "<li>x" * (n // 5) + "</ul>"},
        "html-br": lambda n: {"html": "<br>" * (n // 4)},
        "html-nested": lambda n: {"html": "<div>" * (n // 11) + "x" + "</div>" * (n // 11)},
        "nfkc-expansion": lambda n: {"text": "\ufdfa" * (n // 2)},  # 18 characters each after NFKC
        # Every word in every sentence: the checker's co-occurrence lists at their longest.
        "repeated-sentence": lambda n: {
            "text": "The council approved the bridge budget. " * (n // 40)
        },
    }


def run(maker: Maker, size: int, box: BulletExtractor) -> float:
    """Return the seconds to prepare one hostile document, extract its box and check it."""
    document = maker(size)
    started = time.perf_counter()
    try:
        article = prepare_document(document, size)
        bullets = box.extract(article)
        Checker().check(article, [*bullets, *CLAIMS], encoder=static_encoder())
    except ServiceError:
        pass  # rejected (413 after normalisation, or 422 nothing to summarise): also fast
    return time.perf_counter() - started


def served(maker: Maker, size: int, url: str) -> float:
    """Return the slowest of ``/v1/bullets`` and ``/v1/summaries`` for one hostile document."""
    import json
    import urllib.error
    import urllib.request

    body = json.dumps(maker(size)).encode()
    slowest = 0.0
    for path in ("/v1/bullets", "/v1/summaries"):
        request = urllib.request.Request(url + path, data=body, method="POST")
        request.add_header("Content-Type", "application/json")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
        except urllib.error.HTTPError as error:
            error.read()  # a 4xx answer is an answer: timed like any other
        slowest = max(slowest, time.perf_counter() - started)
    return slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--classes", default="")
    parser.add_argument("--url", help="a running server to post each class to")
    args = parser.parse_args()
    wanted = set(filter(None, args.classes.split(",")))
    box = BulletExtractor()
    worst = ("", 0.0)
    for name, maker in corpus().items():
        if wanted and name not in wanted:
            continue
        seconds = served(maker, args.size, args.url) if args.url else run(maker, args.size, box)
        worst = max(worst, (name, seconds), key=lambda item: item[1])
        print(f"{name:20} {seconds * 1000:10.1f} ms", flush=True)
    print(f"worst case: {worst[0]} {worst[1] * 1000:.1f} ms at {args.size} characters")


if __name__ == "__main__":
    main()
