"""Inverse validation: a model answers each quiz of a problem from its generated image alone.

``QuizValidator.validate`` sends every quiz of every item in ONE batched ``engine.generate``
call (plus at most one batched verifier call), grades the answers with ``extract_letter`` and
returns one ``ValidationResult`` per item. It never raises for a bad item: a missing image is
status ``missing_image``, an undecodable one ``bad_image``, both with ``accuracy`` None.

How answers count (``accuracy`` = right / quizzes of the problem):

- ``ok`` / ``verified``: graded against ``correct_option``;
- ``undecided`` (no letter could be read, even by the verifier): wrong;
- ``error`` (the engine returned no answer for that quiz): wrong, and counted in the result's
  ``n_errors``; when EVERY quiz of a problem errored the problem has no score (``accuracy``
  None, status ``error``), so an engine outage does not read as a 0 % image.

Mode ``ocr`` is a cheap proxy, labelled ``ocr-proxy`` in results: a text model answers from the
text read off the image (the renderer's scene texts, or the ``tesseract`` CLI) instead of seeing it.
Mode ``scene`` is another, labelled ``scene-proxy``: a drawn scene description states exactly what
the renderer drew (it draws nothing else), so a text model answers from its facts and labels; an
item without one (a figure drawn from code) has status ``no_scene``. An item is
``(problem, image, scene)`` or ``(problem, image, scene, scene_spec)``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from typing import Any

from sciray.checks.labels import visible_texts
from sciray.checks.latex import to_plain
from sciray.config.models import ValidatorConfig
from sciray.errors import InternalError
from sciray.llm.base import ChatRequest, ChatResult, Message, image_data_url
from sciray.types import Problem, Quiz, QuizAnswer, Scene
from sciray.validate.grading import clean_answer, extract_letter, grade
from sciray.validate.images import BadImage, prepare_image, sniff_mime

QUIZ_PROMPT_VERSION = "quiz-v1"
TESSERACT_HINT = (
    "install the tesseract CLI (apt-get install tesseract-ocr) or use validator.ocr_engine=scene"
)
TESSERACT_TIMEOUT_S = 60.0

_SYSTEM = (
    "You answer multiple-choice questions about a scientific figure. Rely only on what the "
    "figure shows: do not use outside knowledge, do not solve the underlying problem, and "
    "do not guess from how the options are worded."
)
_SCENE_SYSTEM = (
    "You answer multiple-choice questions about a scientific figure that you cannot see: you "
    "get the description it was drawn from (JSON: its objects, relations and labels; the "
    "figure shows exactly this and nothing else). Rely only on that description; do not use "
    "outside knowledge and do not solve the underlying problem."
)
_OCR_SYSTEM = (
    "You answer multiple-choice questions about a scientific figure that you cannot see: "
    "you only get the text read from it by OCR (layout and drawings are lost). Rely only "
    "on that text; do not use outside knowledge."
)


def _options_block(quiz: Quiz) -> str:
    return "\n".join(f"{k}. {v}" for k, v in quiz.options.items())


def _letters(quiz: Quiz) -> str:
    return ", ".join(quiz.options)


def quiz_messages(quiz: Quiz, image_bytes: bytes, mime: str | None = None) -> list[Message]:
    """Messages asking a vision model to answer ``quiz`` from the image alone (letter only)."""
    text = (
        f"Answer this question about the figure, using only what the figure shows.\n\n"
        f"Question: {quiz.question.strip()}\nOptions:\n{_options_block(quiz)}\n\n"
        f"Answer with the letter of the correct option only ({_letters(quiz)})."
    )
    url = image_data_url(image_bytes, mime or sniff_mime(image_bytes))
    return [
        {"role": "system", "content": _SYSTEM},
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": url}},
                {"type": "text", "text": text},
            ],
        },
    ]


def ocr_quiz_messages(quiz: Quiz, text: str) -> list[Message]:
    """Messages asking a text model to answer ``quiz`` from the text read off the image."""
    shown = text.strip()[:6000] or "(no text was found in the figure)"
    prompt = (
        f"Text read from the figure:\n<<<\n{shown}\n>>>\n\n"
        f"Question: {quiz.question.strip()}\nOptions:\n{_options_block(quiz)}\n\n"
        f"Answer with the letter of the correct option only ({_letters(quiz)})."
    )
    return [{"role": "system", "content": _OCR_SYSTEM}, {"role": "user", "content": prompt}]


def scene_quiz_messages(quiz: Quiz, scene_spec: dict[str, Any]) -> list[Message]:
    """Messages asking a text model to answer ``quiz`` from the scene description drawn."""
    shown = json.dumps(scene_spec, ensure_ascii=False, separators=(",", ":"))[:6000]
    prompt = (
        f"Description of the figure:\n<<<\n{shown}\n>>>\n\n"
        f"Question: {quiz.question.strip()}\nOptions:\n{_options_block(quiz)}\n\n"
        f"Answer with the letter of the correct option only ({_letters(quiz)})."
    )
    return [{"role": "system", "content": _SCENE_SYSTEM}, {"role": "user", "content": prompt}]


def verifier_messages(quiz: Quiz, raw: str) -> list[Message]:
    """Messages asking which single option a free-text answer chose (NONE when it chose none)."""
    answer = clean_answer(raw)[-4000:] or raw.strip()[-4000:]
    prompt = (
        f"A model was asked this multiple-choice question.\n\nQuestion: {quiz.question.strip()}\n"
        f"Options:\n{_options_block(quiz)}\n\nIts answer was:\n<<<\n{answer}\n>>>\n\n"
        f"Which single option did it choose? Reply with the letter only ({_letters(quiz)}), "
        f"or NONE if it chose no option or more than one."
    )
    return [{"role": "user", "content": prompt}]


def scene_text(scene: Scene) -> str:
    """The scene's visible non-tick texts in reading order: lines top to bottom (texts whose
    vertical centres are within half a text height share a line), left to right in a line."""
    boxes = []
    for t in visible_texts(scene):
        if len(t.bbox) != 4:
            continue
        x0, y0, x1, y1 = t.bbox
        try:
            plain = to_plain(t.text) or t.text
        except Exception:  # noqa: BLE001 - plain text is a nicety
            plain = t.text
        boxes.append(
            ((min(y0, y1) + max(y0, y1)) / 2, abs(y1 - y0), min(x0, x1), " ".join(plain.split()))
        )
    boxes.sort(key=lambda b: (b[0], b[2]))
    lines: list[list[tuple]] = []
    for b in boxes:
        if lines:
            line = lines[-1]
            ref = sum(x[0] for x in line) / len(line)
            tol = max(1.0, 0.5 * max(b[1], max(x[1] for x in line)))
            if abs(b[0] - ref) <= tol:
                line.append(b)
                continue
        lines.append([b])
    return "\n".join("  ".join(x[3] for x in sorted(line, key=lambda x: x[2])) for line in lines)


def tesseract_text(image: bytes, timeout_s: float = TESSERACT_TIMEOUT_S) -> str:
    """Text ``tesseract`` reads from ``image`` (sparse-text mode). Raises ``FileNotFoundError``
    when the binary is missing and ``RuntimeError`` (one line) when it fails or times out."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise FileNotFoundError(f"tesseract not found; {TESSERACT_HINT}")
    try:
        proc = subprocess.run(
            [exe, "stdin", "stdout", "--psm", "11"],
            input=image,
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"tesseract timed out after {timeout_s:g}s") from None
    except OSError as exc:
        raise RuntimeError(f"tesseract could not start: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        err = " ".join(proc.stderr.decode(errors="replace").split())[:200]
        raise RuntimeError(f"tesseract exited with {proc.returncode}: {err}")
    return proc.stdout.decode(errors="replace")


@dataclass
class ValidationResult:
    """Inverse validation of one problem's image."""

    problem_id: str
    answers: list[QuizAnswer] = field(default_factory=list)
    accuracy: float | None = None
    """Share of quizzes answered right, 0..1; None when the problem could not be scored."""
    status: str = "ok"
    """ok | missing_image | bad_image | no_quizzes | no_ocr | ocr_error | no_scene | error (every
    quiz errored)."""
    image: dict[str, Any] = field(default_factory=dict)
    """How the image was sent (width, height, format, quality, bytes) or read (ocr source)."""
    mode: str = "vision"
    """vision | ocr-proxy | scene-proxy."""
    reason: str = ""
    """One line when status is not ok."""

    @property
    def r_inv(self) -> float | None:
        return self.accuracy

    @property
    def n_undecided(self) -> int:
        return sum(a.status == "undecided" for a in self.answers)

    @property
    def n_errors(self) -> int:
        return sum(a.status == "error" for a in self.answers)

    @property
    def n_verified(self) -> int:
        return sum(a.status == "verified" for a in self.answers)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["answers"] = [a.model_dump() for a in self.answers]
        return d


class QuizValidator:
    """Answers every quiz of every item with one batched engine call (see the module doc)."""

    def __init__(self, cfg: ValidatorConfig, engine, *, verifier_engine=None):
        self.cfg = cfg
        self.engine = engine
        self.verifier_engine = verifier_engine
        self.mode = {"ocr": "ocr-proxy", "scene": "scene-proxy"}.get(cfg.mode, "vision")

    # --- requests -------------------------------------------------------------------------

    def _request(
        self, messages: list[Message], rid: str, max_tokens: int | None = None
    ) -> ChatRequest:
        return ChatRequest(
            messages=messages,
            max_tokens=max_tokens or self.cfg.max_tokens,
            temperature=self.cfg.temperature,
            top_p=self.cfg.top_p,
            seed=self.cfg.seed,
            request_id=rid,
        )

    def _prepare(
        self,
        problem: Problem,
        image: bytes | None,
        scene: Scene | None,
        scene_spec: dict[str, Any] | None = None,
    ):
        """(messages per quiz, image record) or a finished ValidationResult."""

        def done(status: str, reason: str, record: dict | None = None) -> ValidationResult:
            return ValidationResult(problem.id, [], None, status, record or {}, self.mode, reason)

        if not problem.quizzes:
            return done("no_quizzes", "the problem has no quizzes")
        cfg = self.cfg
        if cfg.mode == "scene":
            if not scene_spec:
                return done("no_scene", "the figure was not drawn from a scene description")
            record = {"source": "scene_spec", "domain": scene_spec.get("domain")}
            return [scene_quiz_messages(q, scene_spec) for q in problem.quizzes], record
        if cfg.mode == "ocr" and cfg.ocr_engine == "scene" and scene is not None:
            text = scene_text(scene)
            record = {"source": "scene", "chars": len(text)}
            return [ocr_quiz_messages(q, text) for q in problem.quizzes], record
        if image is None or (isinstance(image, (bytes, bytearray)) and len(image) == 0):
            return done("missing_image", "no image")
        try:
            fmt = "png" if cfg.mode == "ocr" else cfg.image_format
            data, record = prepare_image(image, cfg.image_max_side, fmt, cfg.image_quality)
        except BadImage as exc:
            return done(
                "bad_image",
                str(exc),
                {"bytes": len(image) if isinstance(image, (bytes, bytearray)) else None},
            )
        if cfg.mode == "vision":
            mime = "image/jpeg" if record["format"] == "jpeg" else "image/png"
            return [quiz_messages(q, data, mime) for q in problem.quizzes], record
        try:
            text = tesseract_text(data)
        except FileNotFoundError as exc:
            return done("no_ocr", str(exc), record)
        except RuntimeError as exc:
            return done("ocr_error", str(exc), record)
        record = {**record, "source": "tesseract", "chars": len(text)}
        return [ocr_quiz_messages(q, text) for q in problem.quizzes], record

    # --- validation -----------------------------------------------------------------------

    def validate(self, items: list[tuple]) -> list[ValidationResult]:
        """One ``ValidationResult`` per item ``(problem, image, scene[, scene_spec])``, in
        order."""
        results: list[ValidationResult | None] = [None] * len(items)
        pending: list[tuple[int, dict, list[int]]] = []  # item index, record, request indices
        requests: list[ChatRequest] = []
        for i, item in enumerate(items):
            problem, image, scene, scene_spec = (tuple(item) + (None, None, None))[:4]
            prepared = self._prepare(problem, image, scene, scene_spec)
            if isinstance(prepared, ValidationResult):
                results[i] = prepared
                continue
            messages, record = prepared
            idx = []
            for k, msgs in enumerate(messages):
                idx.append(len(requests))
                requests.append(self._request(msgs, f"{problem.id}#{k}"))
            pending.append((i, record, idx))
        outs = self._generate(self.engine, requests)
        graded: dict[int, QuizAnswer] = {}
        for i, _record, idx in pending:
            quizzes = items[i][0].quizzes
            for k, r in enumerate(idx):
                out = outs[r]
                graded[r] = grade(
                    quizzes[k],
                    out.text if out.status == "ok" else None,
                    k,
                    error=out.error if out.status != "ok" else None,
                )
        if self.cfg.verifier:
            self._verify(items, pending, graded)
        for i, record, idx in pending:
            answers = [graded[r] for r in idx]
            results[i] = self._result(items[i][0].id, answers, record)
        return results  # type: ignore[return-value]

    def _generate(self, engine, requests: list[ChatRequest]) -> list[ChatResult]:
        if not requests:
            return []
        outs = engine.generate(requests)
        if len(outs) != len(requests):
            raise InternalError(
                f"engine {getattr(engine, 'name', '?')} returned {len(outs)} results "
                f"for {len(requests)} requests"
            )
        return outs

    def _verify(self, items, pending, graded: dict[int, QuizAnswer]) -> None:
        """One batched verifier call for every undecided answer."""
        todo: list[tuple[int, Quiz]] = []
        for i, _record, idx in pending:
            quizzes = items[i][0].quizzes
            for k, r in enumerate(idx):
                if graded[r].status == "undecided" and graded[r].raw:
                    todo.append((r, quizzes[k]))
        if not todo:
            return
        engine = self.verifier_engine or self.engine
        reqs = [
            self._request(verifier_messages(q, graded[r].raw or ""), f"verify#{r}") for r, q in todo
        ]
        outs = self._generate(engine, reqs)
        for (r, quiz), out in zip(todo, outs):
            letter = extract_letter(out.text, quiz.options) if out.status == "ok" else None
            if letter is not None:
                old = graded[r]
                graded[r] = QuizAnswer(
                    index=old.index,
                    raw=old.raw,
                    answer=letter,
                    correct=letter == quiz.correct_option,
                    status="verified",
                )

    def _result(self, problem_id: str, answers: list[QuizAnswer], record: dict) -> ValidationResult:
        n = len(answers)
        errors = sum(a.status == "error" for a in answers)
        if errors == n:
            return ValidationResult(
                problem_id,
                answers,
                None,
                "error",
                record,
                self.mode,
                "the engine answered none of the quizzes",
            )
        right = sum(bool(a.correct) for a in answers)
        return ValidationResult(problem_id, answers, right / n, "ok", record, self.mode)
