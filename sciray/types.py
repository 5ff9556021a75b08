"""The typed records that flow between stages (see DESIGN.md, "Contracts").

Every type is strict (``extra="forbid"``). Input rows from the wild go through
``Problem.model_validate(row, context=LENIENT)``: unknown keys are then kept in ``meta``
instead of failing the row, so SciGenBench's stray quiz keys (``group``, ``role``...) load as-is
while a typo in a config or an internal record still fails loudly.
"""

from __future__ import annotations

import builtins
import dataclasses
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

LENIENT = {"lenient": True}
"""Validation context for input rows: unknown keys go to ``meta`` instead of failing."""


class Record(BaseModel):
    """Base of every SciRay record: strict, documented, unknown keys collected only when lenient."""

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        ser_json_bytes="base64",
        val_json_bytes="base64",
    )

    @model_validator(mode="before")
    @classmethod
    def _collect_unknown_keys(cls, data: Any, info: ValidationInfo) -> Any:
        if not (info.context or {}).get("lenient") or not isinstance(data, dict):
            return data
        if "meta" not in cls.model_fields:
            return data
        known = set()
        for name, field in cls.model_fields.items():
            known.add(name)
            alias = field.validation_alias
            if isinstance(alias, AliasChoices):
                known.update(a for a in alias.choices if isinstance(a, str))
            elif isinstance(alias, str):
                known.add(alias)
        unknown = {k: v for k, v in data.items() if k not in known}
        if not unknown:
            return data
        kept = {k: v for k, v in data.items() if k in known}
        kept["meta"] = {**(data.get("meta") or {}), **unknown}
        return kept


def _require_text(value: Any, what: str) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError(f"{what} is empty")
    return value


class Quiz(Record):
    """An atomic multiple-choice question answerable from a faithful diagram alone."""

    question: str
    """The quiz question."""
    options: dict[str, str]
    """Option letter -> option text (normally A-D)."""
    correct_option: str
    """The key of the correct option; must be one of ``options``."""
    evidence: str | None = Field(
        default=None, validation_alias=AliasChoices("evidence", "evidence_snippet")
    )
    """The snippet of the problem text that supports the answer (``evidence_snippet`` in
    SciGenBench)."""
    meta: dict[str, Any] = Field(default_factory=dict)
    """Unknown keys of the input row, kept as they were."""

    @field_validator("question")
    @classmethod
    def _question_not_empty(cls, v: str) -> str:
        return _require_text(v, "quiz question")

    @field_validator("correct_option", mode="before")
    @classmethod
    def _strip_option(cls, v: Any) -> Any:
        return v.strip() if isinstance(v, str) else v

    @model_validator(mode="after")
    def _correct_option_exists(self) -> Quiz:
        if len(self.options) < 2:
            raise ValueError(f"quiz has {len(self.options)} option(s); at least 2 are needed")
        if self.correct_option not in self.options:
            raise ValueError(
                f"quiz correct_option {self.correct_option!r} is not among its options "
                f"{sorted(self.options)}"
            )
        return self


class Problem(Record):
    """One science problem to draw: the question text plus what a faithful diagram must show."""

    id: str
    """Unique id; integers (SeePhys) are accepted and kept as their decimal string."""
    question: str
    """The problem statement the diagram illustrates."""
    image_type: str | None = None
    """'Subject - Type', e.g. 'Physics - Mechanical'; empty means unknown."""
    answer: str | None = None
    """The final answer; a diagram must never show it."""
    elements: list[str] = Field(default_factory=list)
    """What a faithful diagram must show, one statement each."""
    quizzes: list[Quiz] = Field(default_factory=list)
    """Atomic multiple-choice quizzes for inverse validation."""
    multimodal_question: str | None = None
    """The question rewritten to rely on the figure (for training data)."""
    reference_image: str | None = None
    """Path or URL of a real reference figure (SeePhys), for PSNR/SSIM/CLIP/FID."""
    meta: dict[str, Any] = Field(default_factory=dict)
    """Unknown keys of the input row, kept as they were."""

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("id must be a string or an integer, not a boolean")
        if isinstance(v, int):
            return str(v)
        return _require_text(v, "id")

    @field_validator("question")
    @classmethod
    def _question_not_empty(cls, v: str) -> str:
        return _require_text(v, "question")

    @field_validator("image_type", "multimodal_question", mode="before")
    @classmethod
    def _empty_is_none(cls, v: Any) -> Any:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("answer", mode="before")
    @classmethod
    def _numeric_answer_as_text(cls, v: Any) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return str(v)
        return v

    @property
    def subject(self) -> str | None:
        """'Physics' for image_type 'Physics - Mechanical'; None when unknown."""
        if not self.image_type:
            return None
        return self.image_type.split(" - ", 1)[0].strip() or None


class SceneText(Record):
    """One text drawn in a rendered image."""

    text: str
    bbox: list[float]
    """[x0, y0, x1, y1] in pixels, origin top-left."""
    kind: str = "text"
    """text | annotation | title | axis_label | legend | table | tick (ticks never count as labels)."""


class Scene(Record):
    """What a code-rendered image contains, measured by the renderer."""

    texts: list[SceneText] = Field(default_factory=list)
    """Every text drawn, with its bounding box."""
    overlaps: list[list[int]] = Field(default_factory=list)
    """Pairs of indices into ``texts`` whose boxes overlap."""
    outside: list[int] = Field(default_factory=list)
    """Indices into ``texts`` of texts that leave the canvas."""
    blank: bool = False
    """True when the image shows (almost) nothing."""
    artists: dict[str, int] = Field(default_factory=dict)
    """Artist type -> count (lines, patches, texts, ...)."""
    size: list[int] = Field(default_factory=list)
    """[width, height] of the image in pixels."""

    @field_validator("artists", mode="before")
    @classmethod
    def _artists_from_arrow(cls, v: Any) -> Any:
        # a scene read back from a shard stores this dict as [{name, value}] (see ArrowPairs)
        return pairs_as_dict(v)


class ImageRef(Record):
    """An image as Hugging Face ``datasets`` stores it: encoded bytes and/or a path."""

    bytes: builtins.bytes | None = None
    """The encoded image (PNG)."""
    path: str | None = None
    """Where the image lives (or its original file name)."""


class TokenUsage(Record):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class Plan(Record):
    """ImgCoder's four-part diagram plan."""

    content: str | None = None
    """What the image shows."""
    layout: str | None = None
    """Where things go."""
    labels: str | None = None
    """Every given value to label."""
    considerations: str | None = None
    """Drawing considerations, including what must not be shown (answers, solution steps)."""


RenderStatus = Literal["ok", "error", "timeout", "violation", "limit"]


class RenderFailure(Record):
    """Why a render failed, as fields (the repair fixes are keyed on ``kind``)."""

    kind: str = Field(max_length=100)
    """The exception's class (``NameError``, ``SyntaxError``...) for the diagram's own errors;
    SciRay's own kinds otherwise: ``no_figure``, ``pixel_cap``, ``import_blocked``, ``tex``,
    ``timeout``, ``crash``, ``too_large``, ``no_result``, ``malformed``, ``forged``."""
    line: int | None = Field(default=None, ge=0)
    """The diagram's line the error points at (the last frame in the diagram's own code)."""
    message: str = Field(default="", max_length=4096)
    """The error's own message, without kind or line."""

    @classmethod
    def from_text(cls, kind: str, text: str) -> RenderFailure:
        """A failure of ``kind`` from SciRay's one-line form (``line 7: message``)."""
        head, sep, rest = text.partition(": ")
        if sep and head.startswith("line ") and head[5:].isdigit():
            return cls(kind=kind, line=int(head[5:]), message=rest[:4096])
        return cls(kind=kind, message=text[:4096])

    @property
    def text(self) -> str:
        """The one-line form shown to the coder: ``line 12: NameError: name 'ax' is not defined``."""
        head = self.message if self.kind.islower() else f"{self.kind}: {self.message}".rstrip(": ")
        return f"line {self.line}: {head}" if self.line else head


class Candidate(Record):
    """One attempt at a diagram for one problem: plan, code, rendered image and scene."""

    problem_id: str
    attempt: int = 0
    """0 for the first try, then one more per repair."""
    sample: int = 0
    """Index among best-of-n samples."""
    status: str = "pending"
    """ok | no_code | render_failed | ... (why the attempt ended where it did)."""
    engine: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    plan: Plan | None = None
    code: str | None = None
    language: Literal["python", "tikz", "scene"] = "python"
    raw_text: str | None = None
    """The model's full answer, kept when it could not be parsed."""
    image: ImageRef | None = None
    render_status: RenderStatus | None = None
    render_error: str | None = None
    render_failure: RenderFailure | None = None
    """``render_error`` as fields: what the repair fixes are chosen by."""
    fixed_by: str | None = None
    """The mechanical fix that made this candidate from an earlier one (origin ``fix``)."""
    render_ms: float | None = None
    scene: Scene | None = None
    scene_spec: dict[str, Any] | None = None
    """In scene mode: the typed scene description (``sciray.scene``) this candidate drew."""
    sandbox: list[str] = Field(default_factory=list)
    """Isolation mechanisms that were in force for the render."""
    usage: TokenUsage = Field(default_factory=TokenUsage)
    origin: str = "first"
    """first | sample | fix (a mechanical fix re-rendered) | repair (the model rewrote it) | code_only (code asked for
    the plan of an answer that had none) | restart (the first prompt again, after a repair repeated its error) |
    critique (the model revised a finished picture after the visual critic read it)."""
    critique: str | None = None
    """Origin ``critique``: what the visual critic said of the picture this one revises (the quizzes
    a reader got wrong from it, its failed checks)."""
    fixes: list[str] = Field(default_factory=list)
    """Mechanical fixes applied to the model's code, in order."""
    finish_reason: str | None = None
    """Why the model stopped ('length' = hit max_tokens)."""
    checks: dict[str, float] = Field(default_factory=dict)
    """Deterministic check name -> score (1 pass, 0 fail, or a share such as label_recall)."""
    check_reasons: list[str] = Field(default_factory=list)
    """One short reason per failed check."""
    label_recall: float | None = None
    """Share of the problem's given values drawn as visible labels; None when it gives none."""
    score: float | None = None
    """Ranking score of the checks (best-of-n keeps the highest)."""


class QuizAnswer(Record):
    """A validator's answer to one quiz."""

    index: int
    """Index of the quiz in the problem."""
    raw: str | None = None
    """The validator's raw answer text."""
    answer: str | None = None
    """The option letter extracted from ``raw``; None when undecidable."""
    correct: bool | None = None
    status: str = "ok"


class JudgeScores(Record):
    """LMM-as-judge scores, integers 0-2 (SciGenBench's five dimensions)."""

    CF: int = Field(ge=0, le=2)
    """Correctness & Fidelity."""
    LP: int = Field(ge=0, le=2)
    """Layout & Precision."""
    RO: int = Field(ge=0, le=2)
    """Readability & Occlusion."""
    SP: int = Field(ge=0, le=2)
    """Scientific Plausibility."""
    ER: int = Field(ge=0, le=2)
    """Expressiveness & Richness."""


class Verdict(Record):
    """Everything decided about one candidate: checks, quiz answers, judge, metrics, acceptance."""

    problem_id: str
    checks: dict[str, float] = Field(default_factory=dict)
    """Deterministic check name -> score (1.0 pass, 0.0 fail, or a share such as label recall)."""
    check_reasons: list[str] = Field(default_factory=list)
    quiz_answers: list[QuizAnswer] = Field(default_factory=list)
    r_inv: float | None = None
    """Share of quizzes answered right from the image alone, 0..1 (reported as % per run)."""
    judge: JudgeScores | None = None
    metrics: dict[str, float | None] = Field(default_factory=dict)
    """Standard metrics (psnr, ssim, clip, ...) when a reference image exists."""
    accepted: bool = False
    reason: str = ""


# ---------------------------------------------------------------- stored rows
# The rows SciRay writes to Parquet; ``sciray.data.schema`` derives their Arrow schemas.


@dataclasses.dataclass(frozen=True)
class ArrowPairs:
    """How a ``dict`` field is stored in Arrow: a list of ``{key, value}`` structs named by these
    two fields (not an Arrow map, which Hugging Face ``datasets`` cannot load). Use as
    ``Annotated[dict[str, float], ArrowPairs(value="score")]``; without it: ``name`` / ``value``."""

    key: str = "name"
    value: str = "value"


def pairs_as_dict(value: Any, pairs: ArrowPairs = ArrowPairs()) -> Any:
    """A dict stored as ``[{name, value}]`` (or an Arrow map's ``[(k, v)]``) back as a dict; any
    other value unchanged, for the field's own validation to judge."""
    if not isinstance(value, list):
        return value
    if all(isinstance(p, dict) and set(p) == {pairs.key, pairs.value} for p in value):
        return {p[pairs.key]: p[pairs.value] for p in value}
    if all(isinstance(p, tuple) and len(p) == 2 for p in value):
        return dict(value)
    return value


CheckScores = Annotated[dict[str, float], ArrowPairs(value="score")]
"""Deterministic check name -> score, stored as ``[{name, score}]``."""


class ShardVerdict(Record):
    """What the pipeline decided for one problem, as a shard's ``verdict`` column stores it. Built
    from the pipeline's verdict dict (every key optional); keys it does not name go to ``meta``."""

    accepted: bool = False
    status: Literal["accepted", "rejected"] = "rejected"
    reason: str | None = None
    stage: str | None = None
    """Where a rejection was decided: coder | checks | validate | judge."""
    r_inv: float | None = None
    """Share of quizzes answered right from the image alone, 0..1."""
    label_recall: float | None = None
    validator: str | None = None
    """checks-only | vision | ocr-proxy | scene-proxy."""
    quiz_status: str | None = None
    quiz_answers: list[QuizAnswer] = Field(default_factory=list)
    checks: CheckScores = Field(default_factory=dict)
    check_reasons: list[str] = Field(default_factory=list)
    judge: JudgeScores | None = None
    judge_total: int | None = None
    judge_status: str | None = None
    cascade: str | None = None
    """Where the validation cascade stopped (with ``synth.accept.cascade``)."""
    cheap_r_inv: float | None = None
    """The OCR-proxy gate's R_inv in the cascade."""
    meta: dict[str, Any] = Field(default_factory=dict)
    """Other keys of the pipeline's verdict, kept as they were."""


class Lineage(Record):
    """Where a shard row came from."""

    engine: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    config_hash: str | None = None
    package_versions: Annotated[dict[str, str], ArrowPairs(value="version")] = Field(
        default_factory=dict
    )
    """Package -> installed version, stored as ``[{name, version}]``."""
    sandbox: list[str] = Field(default_factory=list)


# Every field of Candidate but the image bytes (a shard stores the chosen image once, in
# ``image``), derived so that a field added to Candidate reaches the shards too.
Attempt = create_model(
    "Attempt",
    __base__=Record,
    __doc__="One attempt of a shard row: a ``Candidate`` without its image bytes.",
    **{
        name: (field.annotation, field)
        for name, field in Candidate.model_fields.items()
        if name != "image"
    },
    has_image=(bool, Field(default=False, description="Whether the attempt rendered an image.")),
)


class ShardRow(Record):
    """One row of an ``accepted/`` or ``rejected/`` shard written by ``sciray synth``."""

    problem_id: str
    config_hash: str
    """The config hash the row was made with (with ``problem_id``: the resume index)."""
    subject: str | None = None
    image_type: str | None = None
    question: str | None = None
    image: ImageRef | None = None
    """The chosen image as Hugging Face stores one: {bytes, path}."""
    status: Literal["accepted", "rejected"] = "rejected"
    reason: str | None = None
    language: str | None = None
    code: str | None = None
    plan: Plan | None = None
    scene: Scene | None = None
    scene_spec: dict[str, Any] | None = None
    """In scene mode: the typed scene description the image was drawn from (JSON text; edit it
    and ``sciray scene render`` draws it again)."""
    checks: CheckScores | None = None
    label_recall: float | None = None
    r_inv: float | None = None
    verdict: ShardVerdict = Field(default_factory=ShardVerdict)
    attempts: list[Attempt] = Field(default_factory=list)  # type: ignore[valid-type]
    lineage: Lineage = Field(default_factory=Lineage)
    problem: Problem
    """The whole problem, quizzes included."""


class ScoreRow(Record):
    """One row of ``scores.parquet`` written by ``sciray eval`` (one per problem)."""

    problem_id: str
    subject: str | None = None
    image_type: str | None = None
    status: str = "ok"
    """ok | missing_image | bad_image."""
    error: str | None = None
    accuracy: float | None = None
    """Share of the problem's quizzes answered right, 0..1."""
    r_inv: float | None = None
    """``accuracy`` in percent."""
    quiz_status: str | None = None
    validator_mode: str | None = None
    quiz_answers: list[QuizAnswer] | None = None
    image_sent: dict[str, Any] | None = None
    """How the image was sent to the validator (size, format, ...), as JSON text."""
    judge: JudgeScores | None = None
    judge_total: int | None = None
    judge_status: str | None = None
    psnr: float | None = None
    ssim: float | None = None
    clip: float | None = None
    metrics_error: str | None = None
    label_recall: float | None = None
    checks_passed: bool | None = None
    checks: CheckScores | None = None
    check_reasons: list[str] | None = None
