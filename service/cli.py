"""Command line: ``newsbrief serve|summarize|bullets|engines|models|eval``."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from typing import Any

import click

from service.bullets.scoring import SUMMARY_WORDS
from service.settings import Settings
from service.settings import SettingsError


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        with open(source, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise click.ClickException(f"cannot read {source}: {exc.strerror}") from None


def _document(source: str, is_html: bool, title: str | None) -> dict[str, Any]:
    raw = _read(source)
    document: dict[str, Any] = {"html": raw} if is_html else {"text": raw}
    if title:
        document["title"] = title
    return document


@click.group()
def main() -> None:
    """Summarise news articles and write "What You Need To Know" boxes."""


@main.command()
@click.option("--host", help="Interface to bind (NEWSBRIEF_HOST).")
@click.option("--port", type=int, help="Port (NEWSBRIEF_PORT).")
@click.option("--workers", type=int, help="Worker processes (NEWSBRIEF_WORKERS).")
@click.option("--threads", type=int, help="Threads per worker (NEWSBRIEF_THREADS).")
def serve(host: str | None, port: int | None, workers: int | None, threads: int | None) -> None:
    """Serve the HTTP API under gunicorn (settings from NEWSBRIEF_*)."""
    overrides = {"HOST": host, "PORT": port, "WORKERS": workers, "THREADS": threads}
    for key, value in overrides.items():
        if value is not None:
            os.environ["NEWSBRIEF_" + key] = str(value)
    settings = _settings()
    _preflight(settings)
    argv = [sys.executable, "-m", "gunicorn", "-c", "python:service.gunicorn_conf"]
    os.execv(sys.executable, argv)


def _preflight(settings: Settings) -> None:
    """Fail at start-up, not at first request, when a pinned model is missing."""
    from service.engines import resolve_default
    from service.errors import ModelMissing
    from service.modelstore import ModelStore

    if resolve_default(settings) == "abstractive":
        try:
            ModelStore(settings.model_dir).require(settings.model)
        except ModelMissing as exc:
            raise click.ClickException(exc.detail) from None


@main.command()
@click.argument("source", default="-")
@click.option("--html", "is_html", is_flag=True, help="The input is HTML.")
@click.option("--title", help="The article's headline.")
@click.option("--engine", help="Engine to use (default: NEWSBRIEF_ENGINE).")
@click.option(
    "--max-words", type=click.IntRange(*SUMMARY_WORDS), default=None,
    help="Summary length; the profile's fitted length when absent.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def summarize(
    source: str,
    is_html: bool,
    title: str | None,
    engine: str | None,
    max_words: int | None,
    as_json: bool,
) -> None:
    """Summarise one article from SOURCE (a file, or - for stdin)."""
    from service.pipeline import Options

    state = _local_state(engine)
    options = Options(engine=engine, max_summary_words=max_words)
    from service.pipeline import summarize_documents

    (result,) = summarize_documents(state, [_document(source, is_html, title)], options)
    _emit(result, as_json)


@main.command()
@click.argument("source", default="-")
@click.option("--html", "is_html", is_flag=True, help="The input is HTML.")
@click.option("--title", help="The article's headline.")
@click.option("--count", type=click.IntRange(3, 5), help="Bullets (default: by length).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def bullets(
    source: str, is_html: bool, title: str | None, count: int | None, as_json: bool
) -> None:
    """Write the "What You Need To Know" box of SOURCE (a file, or - for stdin)."""
    from service.pipeline import Options
    from service.pipeline import extract_bullets

    state = _local_state("bullets")
    try:
        result: Any = extract_bullets(
            state, _document(source, is_html, title), Options(bullets=count)
        )
    except Exception as exc:  # ServiceError: show its detail, not a traceback
        result = exc
    _emit(result, as_json)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def engines(as_json: bool) -> None:
    """List the engines, the default and whether each can load here."""
    from service.engines import ENGINE_FACTORIES
    from service.engines import resolve_default
    from service.modelstore import ModelStore

    settings = _settings()
    default = resolve_default(settings)
    present = ModelStore(settings.model_dir).is_present(settings.model)
    rows = [
        {
            "name": name,
            "default": name == default,
            "available": present if name == "abstractive" else True,
            "model": settings.model if name == "abstractive" else None,
        }
        for name in ENGINE_FACTORIES
    ]
    if as_json:
        click.echo(json.dumps({"default": default, "engines": rows}, indent=2))
        return
    for row in rows:
        mark = "*" if row["default"] else " "
        state = "available" if row["available"] else "weights missing"
        click.echo(f"{mark} {row['name']:12} {state:16} {row['model'] or ''}")


@main.group()
def keys() -> None:
    """Make API keys for NEWSBRIEF_API_KEYS."""


@keys.command("hash")
@click.argument("name")
def keys_hash(name: str) -> None:
    """Print a new random key for NAME and the entry to put in NEWSBRIEF_API_KEYS."""
    from service.access.keys import new_key

    key, entry = new_key(name)
    click.echo(f"key (give to the client, shown once): {key}")
    click.echo(f"NEWSBRIEF_API_KEYS entry (comma-separate several): {entry}")


def _add_profiles() -> None:
    from service.profiles.commands import profiles

    main.add_command(profiles)


_add_profiles()


@main.group()
def models() -> None:
    """List and fetch model weights (models/manifest.toml)."""


@models.command("list")
def models_list() -> None:
    """Show every manifest model and whether its weights are present."""
    from service.modelstore import ModelStore

    for row in ModelStore(_settings().model_dir).listing():
        state = "present" if row["present"] else "missing"
        click.echo(
            f"{row['name']:24} {state:8} {row['hub_id']}@{row['revision'][:12]} ({row['license']})"
        )


@models.command("fetch")
@click.argument("name")
def models_fetch(name: str) -> None:
    """Download NAME at its pinned revision, check that it loads, and convert it for serving.

    The CTranslate2 float32 copy that the engine serves by default on a CPU
    is written next to it; a model CTranslate2 cannot convert is served by
    torch, and the command says so.
    """
    from service.ct2 import ct2_path
    from service.errors import ModelMissing
    from service.modelstore import ModelStore

    store = ModelStore(_settings().model_dir)
    try:
        path = store.fetch(name)
        _verify(store, name)
    except ModelMissing as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"fetched {name} into {path}")
    target = ct2_path(store.root, name, "float32")
    try:
        _convert(store, name, "float32")
    except click.ClickException as exc:
        click.echo(f"no CTranslate2 copy, torch will serve {name}: {exc.message}")
    else:
        click.echo(f"converted {name} into {target} (served by default on a CPU)")


@models.command("convert")
@click.argument("name")
@click.option(
    "--quantization", type=click.Choice(["int8", "float32"]), default="int8", show_default=True,
    help="int8 for NEWSBRIEF_QUANTIZE=ct2-int8, float32 for ct2-float32.",
)  # fmt: skip
def models_convert(name: str, quantization: str) -> None:
    """Convert fetched NAME to CTranslate2 (float32: served by default; int8: ct2-int8)."""
    from service.modelstore import ModelStore

    store = ModelStore(_settings().model_dir)
    click.echo(f"converted {name} into {_convert(store, name, quantization)}")


def _convert(store: Any, name: str, quantization: str) -> Any:
    """Write NAME's CTranslate2 copy; an error says why (no ctranslate2, an architecture it lacks)."""
    import shutil

    from service.ct2 import convert
    from service.ct2 import ct2_path
    from service.errors import ModelMissing

    target = ct2_path(store.root, name, quantization)
    try:
        return convert(store.require(name), target, quantization)
    except ModelMissing as exc:
        raise click.ClickException(exc.detail) from None
    except Exception as exc:  # the converter's ValueError for an architecture it lacks, ...
        shutil.rmtree(target, ignore_errors=True)
        raise click.ClickException(f"CTranslate2 cannot convert {name}: {exc}") from None


def _verify(store: Any, name: str) -> None:
    from service.engines.transformer import TransformerSummarizer

    settings = Settings.from_mapping({"model": name, "model_dir": str(store.root), "device": "cpu"})
    TransformerSummarizer(settings, store).load("The model loaded. It summarises news.")


@main.command("eval")
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--engine", default="bullets", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write predictions (jsonl).")
@click.option("--limit", type=int, help="Only the first N articles.")
@click.option("--profile", help="House-style profile of the box (default: the server's).")
def evaluate(
    data: str, engine: str, out: str | None, limit: int | None, profile: str | None
) -> None:
    """Score an engine on a jsonl of {id, article, reference, reference_bullets}."""
    from service.errors import UnknownProfile
    from service.evaluation import run_eval

    state = _local_state(engine)
    try:
        report = run_eval(state, data, engine, out=out, limit=limit, profile=profile)
    except UnknownProfile as exc:
        raise click.ClickException(exc.detail) from None
    for key, value in report.items():
        click.echo(f"{key:22} {value}")


@main.command("eval-checks")
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Predictions (jsonl).")
@click.option("--encoder/--no-encoder", default=True, help="Align with MiniLM vectors (as served).")
@click.option("--limit", type=int, help="Only the first N rows.")
def evaluate_checks(data: str, out: str, encoder: bool, limit: int | None) -> None:
    """Check labelled summaries ({id, article, summary}); write {id, score, flag} per row.

    The predictions file is what ``../shared/eval/factuality.py --preds`` scores.
    """
    from service.evaluation import run_checks

    state = _local_state("lead")  # the checker needs no engine
    report = run_checks(state, data, out, encoder=encoder, limit=limit)
    for key, value in report.items():
        click.echo(f"{key:22} {value}")


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--url", help="Server to call (e.g. http://newsbrief:8000); in-process when absent.")
@click.option(
    "--api-key", envvar="NEWSBRIEF_CLIENT_KEY", help="Key for --url (or NEWSBRIEF_CLIENT_KEY)."
)
@click.option("--engine", help="Engine (default: the server's).")
@click.option("--profile", help="House-style profile of the boxes (default: the server's).")
@click.option("--concurrency", type=click.IntRange(1, 256), default=4, show_default=True)
@click.option(
    "--shard", default="0/1", show_default=True, help="K/N: only items K, K+N, ... (Indexed Jobs)."
)
def backfill(
    source: str, out: str, url: str | None, api_key: str | None, engine: str | None,
    profile: str | None, concurrency: int, shard: str,
) -> None:  # fmt: skip
    """Summarise an archive (SOURCE: jsonl or csv of id, text|article|html, title) into OUT.

    Resumable: items already in OUT are skipped, so rerun the same command
    after an interruption. Each item's result or problem is one jsonl line.
    """
    from tqdm import tqdm

    from service.backfill import read_items
    from service.backfill import run_backfill

    index, count = _shard(shard)
    items = (item for n, item in enumerate(read_items(source)) if n % count == index)
    options = {k: v for k, v in (("engine", engine), ("profile", profile)) if v}
    summarise = _remote(url, api_key, options) if url else _in_process(engine, profile)
    with tqdm(desc="backfill", unit="article") as bar:
        report = run_backfill(items, out, summarise, concurrency=concurrency, progress=bar.update)
    click.echo(
        f"done {report.done}  failed {report.failed}  skipped (already in {out}) {report.skipped}"
        f"  {report.rate:.2f} articles/s over {report.seconds:.1f} s"
    )


def _shard(spec: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in spec.split("/"))
    except ValueError:
        raise click.BadParameter("use K/N, e.g. 0/4", param_hint="--shard") from None
    if not 0 <= index < count:
        raise click.BadParameter("K must be in 0..N-1", param_hint="--shard")
    return index, count


def _remote(url: str, api_key: str | None, options: dict[str, str]) -> Any:
    from service.client import ApiError
    from service.client import Client

    client = Client(url, api_key=api_key)

    def summarise(item: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        body = {**item, "options": options} if options else item
        try:
            return True, client.post(
                "/v1/summaries", body, idempotency_key=f"backfill:{item['id']}"
            )
        except ApiError as exc:
            return False, exc.problem
        except OSError as exc:  # still unreachable after the client's retries
            return False, {"title": "Unreachable", "status": 503, "detail": str(exc)}

    return summarise


def _in_process(engine: str | None, profile: str | None = None) -> Any:
    from service.errors import ServiceError
    from service.pipeline import Options
    from service.pipeline import summarize_documents

    state = _local_state(engine)

    def summarise(item: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        document = {k: v for k, v in item.items() if k != "id"}
        try:
            options = Options(engine=engine, profile=profile)
            (result,) = summarize_documents(state, [document], options)
        except ServiceError as exc:
            result = exc
        if isinstance(result, ServiceError):
            return False, {"status": result.status, "title": result.title, "detail": result.detail}
        return True, {**result, "id": item["id"]}

    return summarise


def _local_state(engine: str | None) -> Any:
    """Build the service state in-process and load the one engine needed."""
    from service.engines import EngineRegistry
    from service.errors import ServiceError
    from service.state import ServiceState

    settings = _settings()
    if not settings.workers:  # one process here, not a worker pool: use every core
        settings = dataclasses.replace(settings, workers=1)
    registry = EngineRegistry.from_settings(settings)
    name = engine or registry.default
    if name not in registry.engines:
        raise click.ClickException(
            f"unknown engine {name!r}; choose from {sorted(registry.engines)}"
        )
    try:
        registry.engines[name].load()
    except ServiceError as exc:
        raise click.ClickException(exc.detail) from None
    return ServiceState.build(settings, registry)


def _emit(result: Any, as_json: bool) -> None:
    if isinstance(result, Exception):
        raise click.ClickException(getattr(result, "detail", str(result)))
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    if "summary" in result:
        click.echo(result["summary"] + "\n")
    click.echo("What You Need To Know")
    for bullet in result["bullets"]:
        click.echo(f"  \u2022 {bullet}")


if __name__ == "__main__":
    main()
