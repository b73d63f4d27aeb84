"""A small Python client for newsbrief, for CMS plug-ins, scripts and backfills.

Standard library only, and nothing from the server side, so it imports without
Flask or torch (the file can be copied into another code base as is)::

    from service.client import Client

    client = Client("http://127.0.0.1:8000", api_key=None)
    result = client.summarize("The council approved the budget on Monday ...", title="Budget")
    print(result.summary, result.bullets)

Retries: connection errors, 429 and 503 (and 409 while the same
Idempotency-Key is still running) are retried with exponential backoff
and jitter, waiting at least what ``Retry-After`` says, up to ``retries``
times; every POST carries an ``Idempotency-Key`` that stays the same across
its retries, so a retried request never summarises twice. Other errors raise
``ApiError`` with the problem document (RFC 9457) the server sent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

RETRY_STATUSES = frozenset({429, 502, 503})
TIMESTAMP_HEADER = "X-Newsbrief-Timestamp"
SIGNATURE_HEADER = "X-Newsbrief-Signature"


class ApiError(Exception):
    """The server answered with an error; ``problem`` is its problem+json body."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        """Keep the status and the problem document."""
        self.status = status
        self.problem = dict(problem)
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}")


@dataclass(frozen=True, slots=True)
class Summary:
    """A summary and its box, with the server's checks (``raw`` holds every field)."""

    summary: str
    bullets: list[str]
    engine: str
    supported: bool | None
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Summary:
        """Build from a ``/v1/summaries`` answer."""
        checks = body.get("checks") or {}
        parts = [checks[p]["supported"] for p in ("summary", "bullets") if p in checks]
        return cls(
            summary=str(body["summary"]),
            bullets=list(body["bullets"]),
            engine=str(body["engine"]),
            supported=all(parts) if parts else None,
            raw=dict(body),
        )


@dataclass(frozen=True, slots=True)
class Box:
    """A box from ``/v1/bullets``; with a previous box, what became of each bullet.

    ``flagged``: pinned bullets the new version no longer supports (their
    ``check`` and ``suggestion`` are in ``revision``).
    """

    bullets: list[str]
    revision: dict[str, Any] | None
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Box:
        """Build from a ``/v1/bullets`` answer."""
        return cls(list(body["bullets"]), body.get("revision"), dict(body))

    @property
    def flagged(self) -> list[dict[str, Any]]:
        """Return the pinned bullets the story no longer supports."""
        return [b for b in (self.revision or {}).get("bullets", []) if b.get("flagged")]

    def previous(
        self, pinned: Sequence[int] = (), text: str | None = None, html: str | None = None
    ) -> dict[str, Any]:
        """Return this box as the ``previous`` of the story's next save.

        ``pinned``: the bullets the editor locked; ``text``/``html``: the
        version this box was made from, so that the next answer says what
        changed and a new fact can displace an old one.
        """
        previous: dict[str, Any] = {"bullets": list(self.bullets)}
        if pinned:
            previous["pinned"] = list(pinned)
        if text is not None:
            previous["text"] = text
        elif html is not None:
            previous["html"] = html
        return previous


@dataclass(frozen=True, slots=True)
class Check:
    """The verdict on a summary from ``/v1/checks`` (``raw`` holds evidence and issues)."""

    supported: bool
    score: float
    unsupported: list[str]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Check:
        """Build from a ``/v1/checks`` answer."""
        return cls(
            supported=bool(body["supported"]),
            score=float(body["score"]),
            unsupported=[s["sentence"] for s in body["sentences"] if not s["supported"]],
            raw=dict(body),
        )


JOB_ENDED = frozenset({"succeeded", "failed", "cancelled"})


@dataclass(frozen=True, slots=True)
class Job:
    """An asynchronous job (``/v1/jobs``): its state, and its result or problem once ended."""

    id: str
    status: str
    operation: str
    result: dict[str, Any] | None
    problem: dict[str, Any] | None
    raw: dict[str, Any] = field(repr=False)

    @property
    def done(self) -> bool:
        """Tell whether the job ended (succeeded, failed or cancelled)."""
        return self.status in JOB_ENDED

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Job:
        """Build from a ``/v1/jobs`` answer, or from a callback's body."""
        return cls(
            id=str(body["id"]),
            status=str(body["status"]),
            operation=str(body["operation"]),
            result=body.get("result"),
            problem=body.get("problem"),
            raw=dict(body),
        )

    def summary(self) -> Summary:
        """Return the summary of a succeeded ``summaries`` job; raise ApiError for a failed one."""
        if self.status == "failed" and self.problem is not None:
            raise ApiError(int(self.problem.get("status", 500)), self.problem)
        if self.status != "succeeded" or self.result is None or self.operation != "summaries":
            raise ValueError(f"job {self.id} is a {self.operation} job, {self.status}")
        return Summary.from_json(self.result)


class Client:
    """Call a newsbrief server: typed results, timeouts, safe retries."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout: float = 90.0,
        retries: int = 4,
        backoff: float = 0.5,
        max_batch: int = 16,
    ) -> None:
        """Configure the server, key, per-request timeout and retry policy."""
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_batch = max_batch

    def summarize(
        self, text: str | None = None, *, html: str | None = None, title: str | None = None,
        doc_id: str | None = None, previous: Mapping[str, Any] | None = None, **options: Any,
    ) -> Summary:  # fmt: skip
        """Summarise one article (text or html); ``options`` as the API's (engine, bullets...).

        ``previous``: the box last published for this story (``Box.previous``
        builds it); the answer's ``raw["revision"]`` says what became of it.
        """
        body = _document(text, html, title, doc_id, options, previous)
        return Summary.from_json(self.post("/v1/summaries", body))

    def bullets(
        self, text: str | None = None, *, html: str | None = None, title: str | None = None,
        **options: Any,
    ) -> list[str]:  # fmt: skip
        """Return the "What You Need To Know" box of one article."""
        answer = self.post("/v1/bullets", _document(text, html, title, None, options))
        return list(answer["bullets"])

    def box(
        self, text: str | None = None, *, html: str | None = None, title: str | None = None,
        previous: Mapping[str, Any] | None = None, **options: Any,
    ) -> Box:  # fmt: skip
        """Return the box of one version of a developing story, revised from ``previous``.

        ``previous``: ``{"bullets": [...], "pinned": [indices], "text" or
        "html": the version they were made from}`` (``Box.previous`` builds
        it from the last answer); without it, the story's first box.
        """
        answer = self.post("/v1/bullets", _document(text, html, title, None, options, previous))
        return Box.from_json(answer)

    def check(
        self, summary: str | Sequence[str], text: str | None = None, *, html: str | None = None,
        title: str | None = None,
    ) -> Check:  # fmt: skip
        """Check a summary written anywhere against its article."""
        body = _document(text, html, title, None, {})
        body["summary"] = summary if isinstance(summary, str) else list(summary)
        return Check.from_json(self.post("/v1/checks", body))

    def summarize_many(
        self, documents: Sequence[Mapping[str, Any]], **options: Any
    ) -> Iterator[Summary | ApiError]:
        """Summarise many documents through ``/v1/summaries:batch``, in input order.

        Each document is ``{"text" or "html", "title"?, "id"?}``; a document the
        server refuses comes back as an ``ApiError`` in its place.
        """
        for start in range(0, len(documents), self.max_batch):
            chunk = [dict(d) for d in documents[start : start + self.max_batch]]
            body: dict[str, Any] = {"documents": chunk}
            if options:
                body["options"] = options
            answer = self.post("/v1/summaries:batch", body)
            for item in answer["results"]:
                if item["ok"]:
                    yield Summary.from_json(item["result"])
                else:
                    yield ApiError(int(item["error"].get("status", 422)), item["error"])

    def submit_job(
        self, body: Mapping[str, Any], *, callback_url: str | None = None,
        secret_name: str | None = None, idempotency_key: str | None = None,
    ) -> Job:  # fmt: skip
        """Queue a job: ``body`` as for /v1/summaries, /v1/summaries:batch or /v1/checks.

        With ``callback_url`` the server POSTs the ended job there, signed
        (check it with ``verify_signature``). Pass the same ``idempotency_key``
        when a CMS hook fires twice for one save, so the story is queued once.
        """
        sent = dict(body)
        if callback_url is not None:
            sent["callback"] = {"url": callback_url}
            if secret_name is not None:
                sent["callback"]["secret_name"] = secret_name
        return Job.from_json(self.post("/v1/jobs", sent, idempotency_key))

    def job(self, job_id: str) -> Job:
        """Read a job's current state."""
        return Job.from_json(self.request("GET", f"/v1/jobs/{job_id}"))

    def cancel_job(self, job_id: str) -> Job:
        """Cancel a queued job, or delete an ended one whose result was read (ApiError 409 while it runs).

        Deleting read results frees the key's share of the job store
        (``NEWSBRIEF_MAX_STORED_JOBS_PER_KEY``) before they expire.
        """
        return Job.from_json(self.request("DELETE", f"/v1/jobs/{job_id}"))

    def wait(self, job: Job | str, *, timeout: float = 600.0, poll: float = 1.0) -> Job:
        """Poll a job until it ends; raise TimeoutError after ``timeout`` seconds."""
        job_id = job if isinstance(job, str) else job.id
        deadline = time.monotonic() + timeout
        while True:
            current = self.job(job_id)
            if current.done:
                return current
            if time.monotonic() + poll > deadline:
                raise TimeoutError(f"job {job_id} still {current.status} after {timeout} s")
            time.sleep(poll)

    def engines(self) -> dict[str, Any]:
        """Return ``/v1/engines``: the default engine and each engine's state."""
        answer: dict[str, Any] = self.request("GET", "/v1/engines")
        return answer

    def post(self, path: str, body: Mapping[str, Any], idempotency_key: str | None = None) -> Any:
        """POST JSON with one Idempotency-Key across retries; return the decoded answer."""
        key = idempotency_key or uuid.uuid4().hex
        return self.request("POST", path, body, {"Idempotency-Key": key})

    def request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request, retrying connection errors, 429 and 503 (honouring Retry-After)."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        sent = {"Accept": "application/json", **(headers or {})}
        if data is not None:
            sent["Content-Type"] = "application/json"
        if self.api_key:
            sent["Authorization"] = f"Bearer {self.api_key}"
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(
                self.base_url + path, data=data, method=method, headers=sent
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    return json.loads(response.read() or b"null")
            except urllib.error.HTTPError as exc:
                payload = _problem(exc)
                # 409 with Retry-After: the same Idempotency-Key is still running (a retry of
                # a call cut off client-side); waiting gets the first answer, not a second run.
                in_flight = exc.code == 409 and exc.headers.get("Retry-After") is not None
                if not (exc.code in RETRY_STATUSES or in_flight) or attempt == self.retries:
                    raise ApiError(exc.code, payload) from None
                time.sleep(self._delay(attempt, exc.headers.get("Retry-After")))
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if attempt == self.retries:
                    raise
                time.sleep(self._delay(attempt, None))
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Return the wait before the next try: backoff with jitter, at least Retry-After."""
        wait = float(self.backoff * (2**attempt) * (0.5 + random.random()))  # noqa: S311 - jitter
        if retry_after and retry_after.strip().isdigit():
            wait = max(wait, float(retry_after))
        return wait


def verify_signature(
    secret: str, timestamp: str, signature: str, body: bytes, *, tolerance_s: int = 300
) -> bool:
    """Tell whether a callback from newsbrief is authentic and fresh.

    ``timestamp`` and ``signature`` are the ``X-Newsbrief-Timestamp`` and
    ``X-Newsbrief-Signature`` headers; ``body`` the raw request body. Several
    comma-separated secrets are accepted, for rotation.
    """
    try:
        age = time.time() - int(timestamp)
    except ValueError:
        return False
    if age > tolerance_s or age < -30:
        return False
    message = timestamp.encode() + b"." + body
    expected = [
        "sha256=" + hmac.new(s.strip().encode(), message, hashlib.sha256).hexdigest()
        for s in secret.split(",")
        if s.strip()
    ]
    return any(hmac.compare_digest(e, signature) for e in expected)


def _document(
    text: str | None,
    html: str | None,
    title: str | None,
    doc_id: str | None,
    options: Mapping[str, Any],
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    if (text is None) == (html is None):
        raise ValueError("give exactly one of text or html")
    body: dict[str, Any] = {"text": text} if text is not None else {"html": html}
    if title:
        body["title"] = title
    if doc_id:
        body["id"] = doc_id
    if options:
        body["options"] = dict(options)
    if previous:
        body["previous"] = dict(previous)
    return body


def _problem(error: urllib.error.HTTPError) -> dict[str, Any]:
    try:
        payload = json.loads(error.read() or b"{}")
    except ValueError:
        payload = {}
    finally:
        error.close()
    return payload if isinstance(payload, dict) else {"detail": str(payload)}
