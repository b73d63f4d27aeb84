"""Turn validated requests into results: prepare, summarise, extract bullets.

Views stay thin; this module owns the per-document rules (limits, empty
articles, per-item failures in a batch) and never imports Flask.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from service.checks.checker import SentenceCheck
from service.checks.embeddings import static_encoder
from service.checks.grounds import Grounds
from service.checks.policy import FALLBACK_ENGINE
from service.checks.policy import Review
from service.checks.policy import article_json
from service.checks.policy import count
from service.checks.verdict import summary_sentences
from service.checks.verdict import verdict_json
from service.engines.base import Summarizer
from service.engines.base import SummaryParams
from service.errors import InputTooLong
from service.errors import InvalidInput
from service.errors import ServiceError
from service.errors import UnsupportedLanguage
from service.revision.box import Previous
from service.revision.box import revise
from service.revision.changes import new_sentences
from service.revision.changes import what_changed
from service.state import ServiceState
from service.store.results import digest
from service.text.article import Article
from service.text.article import prepare
from service.text.folding import fold
from service.text.language import detect_language

# Where a result carries the box's source sentences on their way to the checks
# (never in an answer).
SOURCES = "_bullet_sources"
LANGUAGE_CONFIDENCE = 0.9
LANGUAGE_MIN_WORDS = 12


@dataclass(frozen=True, slots=True)
class Options:
    """Request options shared by every document of one call."""

    engine: str | None = None
    max_summary_words: int | None = None  # the profile's fitted length
    min_summary_words: int = 0
    bullets: int | None = None
    language: str | None = None
    checks: bool = True
    article: bool = False
    profile: str | None = None
    caller: str = ""  # the API key's name: its default profile applies

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None, caller: str = "") -> Options:
        """Build options from the validated ``options`` object of a request by ``caller``."""
        return cls(**(values or {}), caller=caller)


def prepare_document(
    document: Mapping[str, Any], max_chars: int, languages: str = "", language: str | None = None
) -> Article:
    """Clean one validated document, enforcing size, emptiness and language rules.

    Args:
        document: the validated request document.
        max_chars: ``NEWSBRIEF_MAX_INPUT_CHARS``.
        languages: the served languages (``NEWSBRIEF_LANGUAGES``); empty skips the check.
        language: the caller's override of detection (``options.language``).

    Raises:
        InputTooLong: over ``NEWSBRIEF_MAX_INPUT_CHARS``.
        InvalidInput: nothing left to summarise after cleaning.
        UnsupportedLanguage: the article is in a language the server does not serve.
    """
    raw = document.get("text") if document.get("text") is not None else document.get("html")
    # Counted after folding: one U+FDFA becomes 18 characters, so 200,000 of
    # them would pass a raw count and grow to 3.6 million.
    size = len(fold(raw or ""))
    if size > max_chars:
        raise InputTooLong(
            f"article has {size} characters; the limit is {max_chars}",
            extensions={"limit": max_chars, "size": size},
        )
    article = prepare(
        document.get("text"), html=document.get("html"), title=document.get("title") or ""
    )
    if not article.sentences:
        field = "text" if document.get("text") is not None else "html"
        raise InvalidInput(
            "the article has no text to summarise after cleaning",
            extensions={"errors": {field: ["no article text found"]}},
        )
    return _check_language(article, languages, language) if languages else article


def _check_language(article: Article, languages: str, language: str | None) -> Article:
    """Set the article's language (the caller's, else detected) and refuse unserved ones.

    Detection that is unsure (short or mixed text) falls back to the first
    served language rather than refusing an article it cannot tell.
    """
    served = [code.strip() for code in languages.split(",") if code.strip()]
    code = language
    if code is None:
        detected, confidence = detect_language(article.title + "\n" + article.text)
        sure = confidence >= LANGUAGE_CONFIDENCE and article.words >= LANGUAGE_MIN_WORDS
        code = detected if sure else served[0]
    if code not in served:
        raise UnsupportedLanguage(
            f"the article is in {code!r}; this server summarises {', '.join(served)} "
            "(set options.language if detection is wrong)",
            extensions={"language": code, "supported": served},
        )
    return replace(article, language=code)


def summarize_documents(
    state: ServiceState, documents: Sequence[Mapping[str, Any]], options: Options
) -> list[dict[str, Any] | ServiceError]:
    """Summarise documents as one engine batch; a bad one fails alone."""
    started = time.perf_counter()
    engine = state.engines.get(options.engine)
    prepared: list[Article | ServiceError] = []
    for document in documents:
        try:
            prepared.append(
                prepare_document(
                    document,
                    state.settings.max_input_chars,
                    state.settings.languages,
                    options.language,
                )  # fmt: skip
            )
        except ServiceError as exc:
            prepared.append(exc)
    keys = [
        _cache_key(state, engine, a, options, _previous_key(d)) if isinstance(a, Article) else ""
        for a, d in zip(prepared, documents, strict=True)
    ]
    cached = [state.cache.get(k) if k else None for k in keys]
    todo = [
        a for a, c in zip(prepared, cached, strict=True) if isinstance(a, Article) and c is None
    ]
    summaries = iter(engine.summarize(todo, _params(state, options)) if todo else [])
    results: list[dict[str, Any] | ServiceError] = []
    for document, item, key, hit in zip(documents, prepared, keys, cached, strict=True):
        if isinstance(item, ServiceError):
            results.append(item)
            continue
        if hit is None:
            summary = next(summaries)
            try:
                box = _box(state, item, options, document.get("previous"))
            except ServiceError as exc:  # a bad previous version fails its own item only
                results.append(exc)
                continue
            hit = {
                "summary": summary.text,
                **box,
                "engine": engine.name,
                "model": engine.model,
                "backend": engine.backend,
                "precision": engine.precision,
                "language": item.language,
                "input_chars": item.input_chars,
                "truncated": summary.truncated,
                "chunks": summary.chunks,
            }
            state.cache.put(key, hit)
        shaped = _reviewed(state, item, hit, options)
        results.append({**shaped, "elapsed_ms": round((time.perf_counter() - started) * 1000, 1)})
    return results


def review(state: ServiceState) -> Review:
    """Return the checker set-up of this request."""
    return Review(state.checker, static_encoder(), state.settings.unsupported)


def _box(
    state: ServiceState, article: Article, options: Options, previous: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Return the box's bullets, its profile and, under ``SOURCES``, each bullet's sentence.

    With ``previous`` (the box last published for this story), the box is
    that one revised for this version, and ``revision`` says how.
    """
    profile = state.profiles.get(options.profile, options.caller)
    extractor = state.extractors[profile.name]
    box = extractor.box(article, options.bullets)
    result = {
        "bullets": [b.text for b in box], SOURCES: [b.source for b in box],
        "profile": {"name": profile.name, "version": profile.version},
    }  # fmt: skip
    if not previous:
        return result
    grounds = Grounds(article)
    checker = review(state)

    def check(text: str, source: int | None) -> SentenceCheck:
        return checker.verdict(article, [text], grounds, [source]).sentences[0]

    old = None
    if previous.get("text") is not None or previous.get("html") is not None:
        old = _previous_article(state, previous)
    revision = revise(
        article, extractor.candidates(article), box, Previous.from_mapping(dict(previous)), check,
        options.bullets, new_sentences(old, article) if old is not None else None,
    )  # fmt: skip
    answer = revision.as_json()
    if old is not None:
        answer["changes"] = what_changed(old, article, grounds)
    return {
        **result, "bullets": [b.text for b in revision.bullets],
        SOURCES: [b.source for b in revision.bullets], "revision": answer,
    }  # fmt: skip


def _previous_article(state: ServiceState, previous: Mapping[str, Any]) -> Article:
    """Prepare the previous version's text, its errors named under ``previous``."""
    try:
        return prepare_document(
            {"text": previous.get("text"), "html": previous.get("html")},
            state.settings.max_input_chars,
        )
    except ServiceError as exc:
        errors = (exc.extensions or {}).get("errors") or {}
        exc.extensions = {
            **(exc.extensions or {}), "errors": {f"previous.{k}": v for k, v in errors.items()},
        }  # fmt: skip
        raise


def _previous_key(document: Mapping[str, Any]) -> str:
    """Return what of ``previous`` changes an answer, for cache keys ("" without one)."""
    previous = document.get("previous")
    return json.dumps(previous, sort_keys=True) if previous else ""


def _params(state: ServiceState, options: Options) -> SummaryParams:
    """Return the engine parameters of these options, in the house style of their profile."""
    profile = state.profiles.get(options.profile, options.caller)
    words = options.max_summary_words or profile.summary_style.words
    return SummaryParams(
        max_words=max(words, options.min_summary_words), min_words=options.min_summary_words,
        selection=profile.selection, summary=profile.summary_style,
    )  # fmt: skip


def _profile_key(state: ServiceState, options: Options) -> tuple[str, str]:
    """Return the name and version of the profile these options get (part of every cache key)."""
    profile = state.profiles.get(options.profile, options.caller)
    return profile.name, profile.version


def _reviewed(
    state: ServiceState, article: Article, result: dict[str, Any], options: Options
) -> dict[str, Any]:
    """Add checks (and apply the unsupported policy) unless off; add the article if asked.

    ``result[SOURCES]`` (the box's source sentences, kept with a cached
    result so that a hit is checked exactly as a miss) is used and removed.
    """
    sources = result.get(SOURCES)
    result = {k: v for k, v in result.items() if k != SOURCES}
    grounds = Grounds(article) if options.checks or options.article else None
    if options.checks:

        def fallback() -> tuple[str, str] | None:
            extractive = state.engines.engines.get(FALLBACK_ENGINE)
            if extractive is None or not extractive.ready:
                return None
            (summary,) = extractive.summarize([article], _params(state, options))
            return summary.text, extractive.model

        result = review(state).result(article, result, fallback, grounds, sources)
    if options.article:
        result = {**result, "article": article_json(article, grounds)}
    return result


def _cache_key(
    state: ServiceState, engine: Summarizer, article: Article, options: Options, previous: str
) -> str:
    """Key a result by everything that can change it: text, options, model, decoding."""
    settings = state.settings
    return digest(
        article.title, article.text, article.language, article.input_chars, options.max_summary_words,
        options.min_summary_words, options.bullets, _profile_key(state, options), engine.name,
        engine.model, engine.revision, previous, state.checker.version if previous else "",
        settings.num_beams, engine.backend, engine.precision, settings.bullet_punctuation,
    )  # fmt: skip


def extract_bullets(
    state: ServiceState, document: Mapping[str, Any], options: Options | None = None
) -> dict[str, Any]:
    """Return the "What You Need To Know" box of one document (no model)."""
    started = time.perf_counter()
    options = options or Options()
    settings = state.settings
    article = prepare_document(
        document, settings.max_input_chars, settings.languages, options.language
    )
    # A CMS posts the same story on every save: the whole answer, checks
    # included, is cached under everything that can change it.
    key = digest(
        "bullets", article.title, article.text, article.language, article.input_chars,
        options.bullets, options.checks, options.article, _profile_key(state, options),
        state.checker.version, settings.bullet_punctuation, settings.unsupported,
        _previous_key(document),
    )  # fmt: skip
    box = state.cache.get(key)
    if box is None:
        box = {
            **_box(state, article, options, document.get("previous")),
            "language": article.language,
            "input_chars": article.input_chars,
        }
        box = _reviewed(state, article, box, options)
        state.cache.put(key, box)
    return {**box, "elapsed_ms": round((time.perf_counter() - started) * 1000, 1)}


def check_document(
    state: ServiceState, document: Mapping[str, Any], summary: str | list[str]
) -> dict[str, Any]:
    """Check a summary written anywhere against its article (``POST /v1/checks``).

    Raises:
        InvalidInput: the summary has no sentence, or more than
            ``NEWSBRIEF_MAX_CHECK_SENTENCES``.
    """
    started = time.perf_counter()
    settings = state.settings
    options = document.get("options") or {}
    article = prepare_document(
        document, settings.max_input_chars, settings.languages, options.get("language")
    )
    sentences = summary_sentences(summary)
    limit = settings.max_check_sentences
    if not sentences or len(sentences) > limit:
        found = f"{len(sentences)} sentences" if sentences else "no sentence"
        raise InvalidInput(
            f"the summary has {found}; give 1 to {limit}",
            extensions={"errors": {"summary": [f"1 to {limit} sentences, got {len(sentences)}"]}},
        )
    key = digest(
        "checks", article.title, article.text, article.language, article.input_chars,
        sentences, state.checker.version,
    )  # fmt: skip
    answer = state.cache.get(key)
    if answer is None:
        grounds = Grounds(article)
        verdict = review(state).verdict(article, sentences, grounds)
        count(verdict, "external", "summary")
        answer = {
            **verdict_json(verdict),
            "checker": state.checker.version,
            "article": article_json(article, grounds),
            "language": article.language,
            "input_chars": article.input_chars,
        }
        state.cache.put(key, answer)
    return {**answer, "elapsed_ms": round((time.perf_counter() - started) * 1000, 1)}
