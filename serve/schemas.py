"""Request and response bodies of the HTTP API (pydantic; no Ray, no FastAPI).

Every request model is strict (``extra="forbid"``): a misspelt key is a 422 that names it, never
a silently ignored option.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sciray.types import Problem, Quiz, RenderFailure, Scene

CodeLanguage = Literal["python", "tikz"]
Language = Literal["python", "tikz", "scene"]
"""What a renderer draws: a program (python, tikz) or a scene description (``sciray.scene``)."""


class Body(BaseModel):
    """Base of every request body: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _problem_id(question: str) -> str:
    return "req-" + hashlib.sha256(question.encode("utf-8")).hexdigest()[:12]


class _QuestionBody(Body):
    """The problem fields every request about a problem shares."""

    question: str = Field(min_length=1, max_length=20_000)
    """The problem statement."""
    image_type: str | None = Field(default=None, max_length=200)
    """'Subject - Type', e.g. 'Physics - Mechanical'."""
    answer: str | None = Field(default=None, max_length=2_000)
    """The final answer (a diagram must never show it; the checks look for it)."""
    quizzes: list[Quiz] = Field(default_factory=list, max_length=64)
    """Multiple-choice quizzes answered from the image alone (inverse validation)."""

    @field_validator("question")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("question is empty")
        return v

    def to_problem(self, problem_id: str | None = None) -> Problem:
        return Problem(
            id=problem_id or _problem_id(self.question),
            question=self.question,
            image_type=self.image_type,
            answer=self.answer,
            quizzes=list(self.quizzes),
        )


class ProblemIn(_QuestionBody):
    """The problem a diagram or an image is about."""

    id: str | None = Field(default=None, max_length=200)
    """Your id for the problem; empty: derived from the question text."""

    def to_problem(self, problem_id: str | None = None) -> Problem:
        return super().to_problem(problem_id or self.id)


class DiagramRequest(_QuestionBody):
    """POST /v1/diagrams: draw a diagram for a problem (ImgCoder), optionally validate it."""

    language: CodeLanguage | None = None
    """Diagram language of code mode; empty: the server's coder.language."""
    mode: Literal["code", "scene", "auto"] | None = None
    """code (the model writes a program), scene (it fills a typed scene description that
    SciRay's domain renderers draw) or auto (scene where a domain fits, else code); empty: the
    server's coder.mode."""
    samples: int | None = Field(default=None, ge=1, le=8)
    """Best-of-n samples; empty: the server's coder.samples."""
    attempts: int | None = Field(default=None, ge=1, le=6)
    """Model calls per sample at most (first answer plus repairs); empty: coder.attempts."""
    validate_: bool = Field(default=False, alias="validate")
    """Also answer the quizzes from the best image (inverse validation, R_inv)."""


class RenderRequest(Body):
    """POST /v1/render: run diagram code in the sandbox."""

    code: str = Field(min_length=1, max_length=200_000)
    """A Matplotlib script (python), a TikZ picture / LaTeX document (tikz) or a scene
    description's JSON (scene; e.g. the scene_spec a /v1/diagrams answer returned, edited)."""
    language: Language = "python"
    """Which renderer runs the code."""


class EvaluateRequest(Body):
    """POST /v1/evaluate: answer a problem's quizzes from an image (and run the checks on its
    scene)."""

    image_base64: str = Field(min_length=1)
    """The image (PNG or JPEG), base64-encoded."""
    problem: ProblemIn
    """The problem the image illustrates, with its quizzes."""
    scene: Scene | None = None
    """The scene /v1/render returned for the image; with it the deterministic checks run too."""

    @field_validator("image_base64")
    @classmethod
    def _is_base64(cls, v: str) -> str:
        try:
            base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("image_base64 is not valid base64") from None
        return v

    def image_bytes(self) -> bytes:
        return base64.b64decode(self.image_base64, validate=True)


# --- responses (documentation of the answers in the OpenAPI page) ---------------------------------


class RenderResponse(BaseModel):
    image_base64: str | None = None
    """The PNG, base64-encoded (null when the render failed)."""
    status: str
    """ok | error | timeout | violation | limit."""
    error: str | None = None
    scene: dict[str, Any] | None = None
    """What the image contains (texts with boxes, overlaps, blank...), measured by the renderer."""
    sandbox: list[str] = Field(default_factory=list)
    """Isolation mechanisms in force for the render."""
    ms: float = 0.0
    language: Language = "python"


class ValidationOut(BaseModel):
    status: str
    """ok | no_quizzes | missing_image | bad_image | error..."""
    mode: str
    """vision | ocr-proxy | scene-proxy."""
    r_inv: float | None = None
    """Share of quizzes answered right from the image alone, 0..1."""
    answers: list[dict[str, Any]] = Field(default_factory=list)
    reason: str = ""


class ChecksOut(BaseModel):
    scores: dict[str, float]
    passed: bool
    score: float
    label_recall: float | None = None
    reasons: list[str] = Field(default_factory=list)


class EvaluateResponse(BaseModel):
    problem_id: str
    validation: ValidationOut
    checks: ChecksOut | None = None
    """Deterministic checks; null when no scene was sent (see checks_reason)."""
    checks_reason: str = ""
    ms: float = 0.0


class DiagramResponse(BaseModel):
    problem_id: str
    status: str
    """ok | checks_failed | render_failed | no_code | engine_error | no_attempt."""
    image_base64: str | None = None
    language: Language = "python"
    plan: dict[str, Any] | None = None
    code: str | None = None
    scene_spec: dict[str, Any] | None = None
    """The scene description that was drawn (language scene): edit it and POST it to /v1/render
    with language scene to redraw the figure."""
    checks: dict[str, float] = Field(default_factory=dict)
    check_reasons: list[str] = Field(default_factory=list)
    label_recall: float | None = None
    render_status: str | None = None
    render_error: str | None = None
    render_failure: RenderFailure | None = None
    """``render_error`` as fields: kind (``NameError``, ``no_figure``, ``timeout``...), line,
    message."""
    model_calls: int = 0
    attempts: int = 0
    engine: str | None = None
    model: str | None = None
    validation: ValidationOut | None = None
    """Quiz answers and R_inv, when validate was true."""
    timings: dict[str, float] = Field(default_factory=dict)
    """coder_ms, validate_ms, total_ms."""
