"""Define the v1 request and response contract (and so its OpenAPI document)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from service.bullets.scoring import SUMMARY_WORDS
from service.settings import ENGINE_CHOICES

ENGINES = [e for e in ENGINE_CHOICES if e != "auto"]


def _describe(text: str, **extra: Any) -> dict[str, Any]:
    return {"description": text, **extra}


def _language() -> ma.fields.String:
    return ma.fields.String(
        validate=validate.Regexp(r"^[a-z]{2}$"),
        metadata=_describe(
            "The article's language (ISO 639-1), overriding detection.", example="en"
        ),
    )


def _checks_option() -> ma.fields.Boolean:
    return ma.fields.Boolean(
        metadata=_describe(
            "Check every returned sentence against the article (default true); false is faster.",
            example=True,
        )
    )


def _article_option() -> ma.fields.Boolean:
    return ma.fields.Boolean(
        metadata=_describe(
            "Also return the cleaned article text that evidence offsets point into (default false)."
        )
    )


class WholeNumber(ma.fields.Integer):
    """A JSON integer only: not 4.5, not "4", not true (marshmallow's Integer casts all three)."""

    def __init__(self, **kwargs: Any) -> None:
        """Build a strict integer field."""
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> Any:
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def _profile_option() -> ma.fields.String:
    return ma.fields.String(
        validate=validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,39}$"),
        metadata=_describe(
            "House-style profile of the box (GET /v1/profiles); the key's or the server's default "
            "when absent.",
            example="general",
        ),
    )


class OptionsSchema(ma.Schema):
    """Options shared by the documents of one request."""

    engine = ma.fields.String(
        validate=validate.OneOf(ENGINES),
        metadata=_describe("Engine to use; the server default when absent."),
    )
    max_summary_words = WholeNumber(
        validate=validate.Range(*SUMMARY_WORDS),
        metadata=_describe(
            "Upper bound on summary length in words; the profile's fitted length when absent "
            "(GET /v1/profiles: summary.words).",
            example=75,
        ),
    )
    min_summary_words = WholeNumber(
        validate=validate.Range(0, 200),
        metadata=_describe("Lower bound on summary length in words (model engines)."),
    )
    bullets = WholeNumber(
        validate=validate.Range(3, 5),
        metadata=_describe("Bullets in the box; by article length when absent."),
    )
    language = _language()
    profile = _profile_option()
    checks = _checks_option()
    article = _article_option()

    @ma.validates_schema
    def _check_bounds(self, data: dict[str, Any], **kwargs: Any) -> None:
        low, high = data.get("min_summary_words", 0), data.get("max_summary_words")
        if high is not None and low > high:  # absent: the profile's length, raised to the least
            raise ma.ValidationError(
                "must not exceed max_summary_words", field_name="min_summary_words"
            )


class BulletOptionsSchema(ma.Schema):
    """Options of the bullets-only endpoint."""

    bullets = WholeNumber(
        validate=validate.Range(3, 5),
        metadata=_describe("Bullets in the box; by article length when absent."),
    )
    language = _language()
    profile = _profile_option()
    checks = _checks_option()
    article = _article_option()


class CheckOptionsSchema(ma.Schema):
    """Options of the checks endpoint."""

    language = _language()


def _drop_nulls(data: Any, names: tuple[str, ...]) -> Any:
    if not isinstance(data, dict):
        return data
    return {k: v for k, v in data.items() if not (k in names and v is None)}


class DocumentSchema(ma.Schema):
    """One article: plain text or CMS HTML (exactly one), and an optional title."""

    id = ma.fields.String(
        validate=validate.Length(max=200),
        metadata=_describe("Caller's id, echoed back (e.g. the CMS story id)."),
    )
    text = ma.fields.String(
        validate=validate.Length(min=1),
        metadata=_describe("Article as plain text; paragraphs separated by blank lines."),
    )
    html = ma.fields.String(
        validate=validate.Length(min=1),
        metadata=_describe("Article as HTML; scripts, captions and navigation are dropped."),
    )
    title = ma.fields.String(
        validate=validate.Length(max=1000),
        metadata=_describe("Headline; helps pick bullets."),
    )

    @ma.pre_load
    def _null_is_absent(self, data: Any, **kwargs: Any) -> Any:
        """Read a null id, title or options as absent (CMS payloads send nulls)."""
        return _drop_nulls(data, ("id", "title", "options", "previous"))

    @ma.validates_schema
    def _exactly_one_body(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("text" in data) == ("html" in data):
            raise ma.ValidationError("give exactly one of text or html", field_name="text")


MAX_PREVIOUS_BULLETS = 10
MAX_BULLET_CHARS = 1000


class PreviousSchema(ma.Schema):
    """The box the CMS last published for this story, and optionally the story it was made from."""

    @ma.pre_load
    def _null_is_absent(self, data: Any, **kwargs: Any) -> Any:
        """Read a null pinned, text or html as absent (CMS payloads send nulls)."""
        return _drop_nulls(data, ("pinned", "text", "html"))

    bullets = ma.fields.List(
        ma.fields.String(validate=validate.Length(min=1, max=MAX_BULLET_CHARS)),
        required=True,
        validate=validate.Length(min=1, max=MAX_PREVIOUS_BULLETS),
        metadata=_describe("The published bullets, editors' own included, in order."),
    )
    pinned = ma.fields.List(
        WholeNumber(validate=validate.Range(0, MAX_PREVIOUS_BULLETS - 1)),
        validate=validate.Length(max=MAX_PREVIOUS_BULLETS),
        metadata=_describe(
            "Indices of editor-locked bullets: never changed, checked against the new version."
        ),
    )
    text = ma.fields.String(
        validate=validate.Length(min=1),
        metadata=_describe("The previous version as plain text: answers say what changed."),
    )
    html = ma.fields.String(
        validate=validate.Length(min=1), metadata=_describe("The previous version as HTML.")
    )

    @ma.validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        pinned = data.get("pinned") or []
        if len(set(pinned)) != len(pinned):
            raise ma.ValidationError("each index once", field_name="pinned")
        if any(i >= len(data.get("bullets") or ()) for i in pinned):
            raise ma.ValidationError("an index past the last bullet", field_name="pinned")
        if "text" in data and "html" in data:
            raise ma.ValidationError("give at most one of text or html", field_name="text")


def _previous_field() -> ma.fields.Nested:
    return ma.fields.Nested(
        PreviousSchema,
        metadata=_describe(
            "The box last published for this story (developing stories): bullets that still "
            "hold come back verbatim and in place; pinned ones are never changed, only checked."
        ),
    )


class SummaryRequestSchema(DocumentSchema):
    """Body of ``POST /v1/summaries``."""

    options = ma.fields.Nested(OptionsSchema, metadata=_describe("Generation options."))
    previous = _previous_field()


class BulletsRequestSchema(DocumentSchema):
    """Body of ``POST /v1/bullets``."""

    options = ma.fields.Nested(BulletOptionsSchema, metadata=_describe("Box options."))
    previous = _previous_field()


class SummaryText(ma.fields.Field):  # type: ignore[type-arg]
    """A summary to check: one string, or a list of its sentences (documented as oneOf)."""

    MAX_CHARS = 20_000

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            texts = [value]
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            texts = value
        else:
            raise ma.ValidationError("must be a string or a list of strings")
        if not any(t.strip() for t in texts):
            raise ma.ValidationError("must not be empty")
        if sum(len(t) for t in texts) > self.MAX_CHARS:
            raise ma.ValidationError(f"at most {self.MAX_CHARS} characters in all")
        return value


class ChecksRequestSchema(DocumentSchema):
    """Body of ``POST /v1/checks``: an article (as for summaries) and a summary to check."""

    summary = SummaryText(
        required=True,
        metadata=_describe(
            "The summary: a string (split into sentences) or a list of sentences "
            "(bullets are checked one by one)."
        ),
    )
    options = ma.fields.Nested(CheckOptionsSchema, metadata=_describe("Check options."))


class DocumentItem(ma.fields.Raw):
    """A batch document: loaded as is, documented as a SummaryRequest (see ``document_ref``)."""


def document_ref(converter: Any, field: Any, **kwargs: Any) -> dict[str, Any]:
    """Document custom fields (apispec hook): a batch item, a summary to check."""
    if isinstance(field, DocumentItem):
        return {"$ref": "#/components/schemas/SummaryRequest"}
    if isinstance(field, SummaryText):
        return {
            "oneOf": [
                {"type": "string", "minLength": 1},
                {"type": "array", "items": {"type": "string"}, "minItems": 1},
            ]
        }
    return {}


class BatchRequestSchema(ma.Schema):
    """Body of ``POST /v1/summaries:batch``; the size limit is checked by the view."""

    @ma.pre_load
    def _null_is_absent(self, data: Any, **kwargs: Any) -> Any:
        """Read null options as absent."""
        return _drop_nulls(data, ("options",))

    documents = ma.fields.List(
        # Items are validated one by one in the view, so one bad document fails alone.
        DocumentItem(),
        required=True,
        validate=validate.Length(min=1),
        metadata=_describe(
            "Articles, each shaped like a single summaries request body; an article's own "
            "options override the batch's, field by field."
        ),
    )
    options = ma.fields.Nested(OptionsSchema, metadata=_describe("Options for every article."))


class EvidenceSchema(ma.Schema):
    """An article sentence that supports a checked sentence."""

    sentence = ma.fields.Integer(
        required=True, metadata=_describe("Index of the sentence in the cleaned article.")
    )
    start = ma.fields.Integer(
        required=True, metadata=_describe("Offset of its first character in the cleaned text.")
    )
    end = ma.fields.Integer(required=True, metadata=_describe("Offset just past its end."))
    text = ma.fields.String(required=True, metadata=_describe("The sentence."))


class IssueSchema(ma.Schema):
    """A span of a checked sentence that the article does not support."""

    type = ma.fields.String(
        required=True,
        validate=validate.OneOf(
            ["number", "date", "name", "quote", "negation", "attribution", "other"]
        ),
        metadata=_describe(
            "What kind of claim is unsupported (attribution: the sentence states as fact"
            " what the article only attributes to a source)."
        ),
    )
    start = ma.fields.Integer(required=True, metadata=_describe("Offset in the checked sentence."))
    end = ma.fields.Integer(required=True, metadata=_describe("Offset just past the span."))
    text = ma.fields.String(required=True, metadata=_describe("The span."))


class SentenceCheckSchema(ma.Schema):
    """The verdict on one sentence."""

    sentence = ma.fields.String(required=True, metadata=_describe("The checked sentence."))
    supported = ma.fields.Boolean(
        required=True, metadata=_describe("False when any claim is not in the article.")
    )
    score = ma.fields.Float(
        required=True, metadata=_describe("Support, 0 to 1 (higher = better supported).")
    )
    evidence = ma.fields.List(ma.fields.Nested(EvidenceSchema), required=True)
    issues = ma.fields.List(ma.fields.Nested(IssueSchema), required=True)


class VerdictSchema(ma.Schema):
    """Checks of a summary: each sentence, and the weakest one's score."""

    score = ma.fields.Float(required=True, metadata=_describe("The lowest sentence score."))
    supported = ma.fields.Boolean(
        required=True, metadata=_describe("Whether every sentence is supported.")
    )
    alignment = ma.fields.String(
        required=True,
        validate=validate.OneOf(["minilm", "lexical"]),
        metadata=_describe("How sentences were aligned: MiniLM plus words, or words alone."),
    )
    sentences = ma.fields.List(ma.fields.Nested(SentenceCheckSchema), required=True)


class ResultChecksSchema(ma.Schema):
    """Checks of a result's summary and box."""

    checker = ma.fields.String(required=True, metadata=_describe("Version of the checker."))
    summary = ma.fields.Nested(VerdictSchema, metadata=_describe("The summary's checks."))
    bullets = ma.fields.Nested(VerdictSchema, metadata=_describe("The box's checks."))


class DroppedSchema(ma.Schema):
    """A sentence the ``drop`` policy removed."""

    part = ma.fields.String(required=True, validate=validate.OneOf(["summary", "bullets"]))
    sentence = ma.fields.String(required=True)
    score = ma.fields.Float(required=True)


class UnsupportedSchema(ma.Schema):
    """What ``NEWSBRIEF_UNSUPPORTED`` did to this result."""

    policy = ma.fields.String(
        required=True,
        validate=validate.OneOf(["flag", "drop", "fallback"]),
        metadata=_describe("flag keeps and marks; drop removes; fallback swaps in extractive."),
    )
    dropped = ma.fields.List(ma.fields.Nested(DroppedSchema), required=True)
    fallback_from = ma.fields.String(
        allow_none=True,
        metadata=_describe("The engine whose summary failed and was replaced, if any."),
    )


class SpanSchema(ma.Schema):
    """Where one article sentence stands in the cleaned text."""

    index = ma.fields.Integer(required=True)
    start = ma.fields.Integer(required=True)
    end = ma.fields.Integer(required=True)


class ArticleSchema(ma.Schema):
    """The cleaned article that evidence offsets point into."""

    title = ma.fields.String(required=True)
    text = ma.fields.String(required=True)
    sentences = ma.fields.List(ma.fields.Nested(SpanSchema), required=True)


class CheckResultSchema(VerdictSchema):
    """Body of a ``POST /v1/checks`` answer."""

    checker = ma.fields.String(required=True, metadata=_describe("Version of the checker."))
    article = ma.fields.Nested(ArticleSchema, required=True)
    language = ma.fields.String(required=True)
    input_chars = ma.fields.Integer(required=True, metadata=_describe("Characters received."))
    elapsed_ms = ma.fields.Float(required=True, metadata=_describe("Server time taken."))
    request_id = ma.fields.String(required=True, metadata=_describe("Request id."))
    id = ma.fields.String(metadata=_describe("The caller's id, when one was sent."))


class ProfileRefSchema(ma.Schema):
    """Which house-style profile wrote the box."""

    name = ma.fields.String(required=True)
    version = ma.fields.String(required=True)


class ProfileSchema(ma.Schema):
    """One profile: its count rule, what it was fitted on and its held-out report."""

    name = ma.fields.String(required=True)
    version = ma.fields.String(required=True)
    count = ma.fields.Dict(required=True, metadata=_describe("How many bullets a box gets."))
    fitted_on = ma.fields.Dict(required=True, metadata=_describe("Files, hashes, story counts."))
    report = ma.fields.Dict(required=True, metadata=_describe("K-fold held-out ROUGE and lints."))


class ProfilesSchema(ma.Schema):
    """Body of ``GET /v1/profiles``."""

    default = ma.fields.String(required=True, metadata=_describe("The server's default profile."))
    profiles = ma.fields.List(ma.fields.Nested(ProfileSchema), required=True)


def _backend_field() -> ma.fields.String:
    return ma.fields.String(
        allow_none=True,
        metadata=_describe("What runs the model (ctranslate2, torch, numpy); null for rules."),
    )


def _precision_field() -> ma.fields.String:
    return ma.fields.String(
        allow_none=True, metadata=_describe("The precision it runs in (float32, int8, ...).")
    )


class SummarySchema(ma.Schema):
    """A summary and its "What You Need To Know" box."""

    id = ma.fields.String(metadata=_describe("The caller's id, when one was sent."))
    summary = ma.fields.String(required=True, metadata=_describe("The summary."))
    bullets = ma.fields.List(ma.fields.String(), required=True, metadata=_describe("Key facts."))
    engine = ma.fields.String(required=True, metadata=_describe("Engine that wrote it."))
    model = ma.fields.String(required=True, metadata=_describe("Model behind the engine."))
    backend = _backend_field()
    precision = _precision_field()
    language = ma.fields.String(
        required=True, metadata=_describe("The article's language (ISO 639-1), detected or given.")
    )
    input_chars = ma.fields.Integer(required=True, metadata=_describe("Characters received."))
    truncated = ma.fields.Boolean(required=True, metadata=_describe("Input was cut to fit."))
    chunks = ma.fields.Integer(
        required=True, metadata=_describe("Windows the input was split into.")
    )
    elapsed_ms = ma.fields.Float(required=True, metadata=_describe("Server time taken."))
    request_id = ma.fields.String(required=True, metadata=_describe("Request id (X-Request-Id)."))
    checks = ma.fields.Nested(
        ResultChecksSchema, metadata=_describe("Unless options.checks=false.")
    )
    unsupported = ma.fields.Nested(UnsupportedSchema, metadata=_describe("With checks."))
    article = ma.fields.Nested(ArticleSchema, metadata=_describe("When options.article=true."))
    profile = ma.fields.Nested(
        ProfileRefSchema, required=True, metadata=_describe("The house-style profile of the box.")
    )
    revision = ma.fields.Nested(
        "RevisionSchema", metadata=_describe("When the request sent ``previous``.")
    )


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem document (``application/problem+json``); extension members may follow."""

    class Meta:
        """RFC 9457 section 3.2: problem types define extension members (``errors``, ``language``)."""

        unknown = ma.INCLUDE

    type = ma.fields.String(metadata=_describe("URI naming the kind of problem."))
    title = ma.fields.String(metadata=_describe("Short summary of the kind of problem."))
    status = ma.fields.Integer(metadata=_describe("HTTP status code."))
    detail = ma.fields.String(metadata=_describe("What went wrong with this request."))
    errors = ma.fields.Dict(metadata=_describe("Field paths and their messages."))
    request_id = ma.fields.String(metadata=_describe("Request id (X-Request-Id)."))


class BatchItemSchema(ma.Schema):
    """One batch result: a summary when ``ok``, else a problem."""

    index = ma.fields.Integer(required=True, metadata=_describe("Position in the request."))
    ok = ma.fields.Boolean(required=True, metadata=_describe("Whether it succeeded."))
    result = ma.fields.Nested(SummarySchema, metadata=_describe("The summary, when ok."))
    error = ma.fields.Nested(ProblemSchema, metadata=_describe("The problem, when not ok."))


class BatchResponseSchema(ma.Schema):
    """Body of a batch answer: one item per document, in input order."""

    results = ma.fields.List(ma.fields.Nested(BatchItemSchema), required=True)
    request_id = ma.fields.String(required=True)


class BulletsSchema(ma.Schema):
    """The "What You Need To Know" box."""

    bullets = ma.fields.List(ma.fields.String(), required=True, metadata=_describe("Key facts."))
    language = ma.fields.String(
        required=True, metadata=_describe("The article's language (ISO 639-1), detected or given.")
    )
    input_chars = ma.fields.Integer(required=True, metadata=_describe("Characters received."))
    elapsed_ms = ma.fields.Float(required=True, metadata=_describe("Server time taken."))
    request_id = ma.fields.String(required=True, metadata=_describe("Request id."))
    id = ma.fields.String(metadata=_describe("The caller's id, when one was sent."))
    checks = ma.fields.Nested(
        ResultChecksSchema, metadata=_describe("Unless options.checks=false.")
    )
    unsupported = ma.fields.Nested(UnsupportedSchema, metadata=_describe("With checks."))
    article = ma.fields.Nested(ArticleSchema, metadata=_describe("When options.article=true."))
    profile = ma.fields.Nested(
        ProfileRefSchema, required=True, metadata=_describe("The house-style profile of the box.")
    )
    revision = ma.fields.Nested(
        "RevisionSchema", metadata=_describe("When the request sent ``previous``.")
    )


class ChangeSchema(ma.Schema):
    """Words of a bullet that the new version changed."""

    from_ = ma.fields.String(required=True, attribute="from", data_key="from")
    to = ma.fields.String(required=True)


class RevisedBulletSchema(ma.Schema):
    """One bullet of a revised box and what happened to it."""

    text = ma.fields.String(required=True)
    status = ma.fields.String(
        required=True,
        validate=validate.OneOf(["kept", "updated", "new", "pinned"]),
        metadata=_describe(
            "kept: verbatim from the previous box; updated: its fact changed (see changes); new: "
            "a fact the previous box lacked; pinned: the editor's, unchanged (see flagged)."
        ),
    )
    previous = ma.fields.Integer(
        allow_none=True, metadata=_describe("Its index in previous.bullets; null when new.")
    )
    changes = ma.fields.List(ma.fields.Nested(ChangeSchema))
    flagged = ma.fields.Boolean(
        metadata=_describe("Pinned only: the new version no longer supports it.")
    )
    check = ma.fields.Nested(
        SentenceCheckSchema, metadata=_describe("Pinned only: its check, with the new wording.")
    )
    suggestion = ma.fields.String(
        metadata=_describe("Flagged pinned only: the bullet as the new version words it.")
    )


class DroppedBulletSchema(ma.Schema):
    """A previous bullet the revised box no longer carries."""

    text = ma.fields.String(required=True)
    previous = ma.fields.Integer(allow_none=True)
    reason = ma.fields.String(
        required=True,
        validate=validate.OneOf(["superseded", "no longer supported", "displaced"]),
    )


class FactChangeSchema(ma.Schema):
    """A sentence of the new version that adds or corrects a fact."""

    sentence = ma.fields.Integer(required=True)
    start = ma.fields.Integer(allow_none=True)
    end = ma.fields.Integer(allow_none=True)
    text = ma.fields.String(required=True)
    kinds = ma.fields.List(
        ma.fields.String(), metadata=_describe("New facts: number, name, quote.")
    )
    from_ = ma.fields.List(ma.fields.String(), attribute="from", data_key="from")
    to = ma.fields.List(ma.fields.String())


class StoryChangesSchema(ma.Schema):
    """What changed between the previous version and this one."""

    new_facts = ma.fields.List(ma.fields.Nested(FactChangeSchema), required=True)
    corrected_facts = ma.fields.List(ma.fields.Nested(FactChangeSchema), required=True)


class RevisionSchema(ma.Schema):
    """How the box followed the story from the previous version."""

    bullets = ma.fields.List(ma.fields.Nested(RevisedBulletSchema), required=True)
    dropped = ma.fields.List(ma.fields.Nested(DroppedBulletSchema), required=True)
    changes = ma.fields.Nested(
        StoryChangesSchema, metadata=_describe("When previous.text or previous.html was sent.")
    )


class EngineSchema(ma.Schema):
    """One engine and its state."""

    name = ma.fields.String(required=True)
    default = ma.fields.Boolean(required=True)
    ready = ma.fields.Boolean(required=True)
    model = ma.fields.String(required=True)
    revision = ma.fields.String(allow_none=True)
    backend = _backend_field()
    precision = _precision_field()
    fallback = ma.fields.String(
        allow_none=True,
        metadata=_describe("Why torch serves where the default takes the CTranslate2 copy."),
    )
    language = ma.fields.String(required=True)
    error = ma.fields.String(allow_none=True, metadata=_describe("Why it is not ready."))


class EnginesSchema(ma.Schema):
    """Body of ``GET /v1/engines``."""

    default = ma.fields.String(required=True)
    engines = ma.fields.List(ma.fields.Nested(EngineSchema), required=True)
