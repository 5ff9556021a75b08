"""Quiz generation for problems that arrive without quizzes (pure prompt builder and parser).

The LLM writes atomic multiple-choice quizzes that a faithful diagram answers on its own, each with
the snippet of the problem text that supports it. The parser keeps only quizzes with exactly four
options A-D, one correct option among them, no duplicate options, and an evidence snippet that
really occurs in the problem text; every rejected quiz is kept with its reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from sciray.llm.base import ChatRequest, Message
from sciray.types import Problem, Quiz

QUIZGEN_VERSION = "quizgen-v1"
LETTERS = ("A", "B", "C", "D")

_PROMPT = """Problem:
{question}

Write {n} multiple-choice quizzes that check whether a diagram of this problem shows its setting
faithfully. Each quiz asks about ONE thing a correct diagram must show (a given value and its
label, which object is where, a direction, a connection), never about the answer or a solution
step. A reader must be able to answer it from the diagram alone.

Return only a JSON array, no prose:
[{{"question": "...", "options": {{"A": "...", "B": "...", "C": "...", "D": "..."}},
   "correct_option": "A", "evidence": "<exact words copied from the problem text>"}}]"""


def quizgen_messages(problem: Problem, n: int = 4) -> list[Message]:
    return [
        {
            "role": "system",
            "content": "You write precise, atomic multiple-choice quizzes about science diagrams.",
        },
        {"role": "user", "content": _PROMPT.format(question=problem.question.strip()[:6000], n=n)},
    ]


_SCENE_PROMPT = """Problem:
{question}

Its diagram was drawn from this description (JSON); the diagram shows exactly these objects and
labels, nothing else:
{scene}

Write {n} multiple-choice quizzes whose correct answer is a label or value this description
states AND the problem states (a given value and what it belongs to, which object is where, a
connection). Never ask about the answer or a solution step. The correct option's text must be
written exactly as the description writes it; the other three must be plausible but wrong.

Return only a JSON array, no prose:
[{{"question": "...", "options": {{"A": "...", "B": "...", "C": "...", "D": "..."}},
   "correct_option": "A", "evidence": "<exact words copied from the problem text>"}}]"""


def scene_quizgen_messages(
    problem: Problem, scene_spec: dict[str, Any], n: int = 4
) -> list[Message]:
    """Quizzes grounded in a drawn scene description, as CoSyn asks Q&A of the data behind its
    images: each answer is something the picture states (``parse_quizzes`` with
    ``scene_labels`` keeps only those)."""
    scene = json.dumps(scene_spec, ensure_ascii=False, separators=(",", ":"))[:4000]
    return [
        quizgen_messages(problem, n)[0],
        {
            "role": "user",
            "content": _SCENE_PROMPT.format(
                question=problem.question.strip()[:6000], scene=scene, n=n
            ),
        },
    ]


def quizgen_request(
    problem: Problem,
    n: int = 4,
    max_tokens: int = 1024,
    seed: int | None = 0,
    scene_spec: dict[str, Any] | None = None,
) -> ChatRequest:
    messages = (
        scene_quizgen_messages(problem, scene_spec, n)
        if scene_spec
        else quizgen_messages(problem, n)
    )
    return ChatRequest(
        messages=messages,
        max_tokens=max_tokens,
        temperature=0.0,
        seed=seed,
        request_id=problem.id,
    )


@dataclass
class QuizGenResult:
    quizzes: list[Quiz] = field(default_factory=list)
    rejected: list[tuple[Any, str]] = field(default_factory=list)
    """(raw quiz or text, reason) for everything that was not kept."""
    status: str = "ok"
    """ok | no_json | no_valid_quiz."""


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[$\\{}]", "", text)).strip().lower()


def _json_array(text: str) -> list | None:
    text = re.sub(r"<think>.*?</think>", "", text, flags=re.S)
    fenced = re.findall(r"```(?:json)?\s*(.*?)```", text, flags=re.S)
    for chunk in [*fenced, text]:
        start, end = chunk.find("["), chunk.rfind("]")
        if start < 0 or end <= start:
            continue
        candidate = chunk[start : end + 1]
        for attempt in (candidate, re.sub(r",\s*([\]}])", r"\1", candidate)):  # trailing commas
            try:
                data = json.loads(attempt)
            except json.JSONDecodeError:
                continue
            if isinstance(data, list):
                return data
    return None


def _check_quiz(raw: Any, question_text: str) -> tuple[Quiz | None, str | None]:
    if not isinstance(raw, dict):
        return None, "not a JSON object"
    options = raw.get("options")
    if isinstance(options, list) and len(options) == 4:
        options = dict(zip(LETTERS, options))
    if not isinstance(options, dict) or sorted(options) != list(LETTERS):
        return None, "needs exactly four options A, B, C, D"
    texts = [_normalise(str(v)) for v in options.values()]
    if len(set(texts)) != 4 or not all(texts):
        return None, "options must be four different, non-empty texts"
    evidence = raw.get("evidence") or raw.get("evidence_snippet")
    if not evidence or _normalise(str(evidence)) not in _normalise(question_text):
        return None, "evidence is not a snippet of the problem text"
    try:
        quiz = Quiz.model_validate(
            {
                "question": raw.get("question"),
                "options": {k: str(v) for k, v in options.items()},
                "correct_option": str(raw.get("correct_option", "")).strip().upper()[:1],
                "evidence": str(evidence),
            }
        )
    except ValidationError as exc:
        return None, exc.errors()[0]["msg"]
    return quiz, None


def _stated_by(answer: str, labels: list[str]) -> bool:
    """Whether some scene label states ``answer``: the same text, one inside the other, or the
    same number."""
    from sciray.checks.latex import to_plain
    from sciray.checks.numbers import find_numbers, same_value

    want = _normalise(to_plain(answer))
    numbers = find_numbers(to_plain(answer))
    for label in labels:
        have = _normalise(to_plain(label))
        if want and have and (want in have or have in want):
            return True
        if numbers and any(
            same_value(n.value, m) for n in numbers for m in find_numbers(to_plain(label))
        ):
            return True
    return False


def parse_quizzes(
    text: str, problem: Problem, scene_labels: list[str] | None = None
) -> QuizGenResult:
    """Valid quizzes from a model answer; never raises. With ``scene_labels`` (the texts of
    the scene the picture was drawn from) a quiz whose correct option no label states is
    rejected: the picture could not answer it."""
    data = _json_array(text or "")
    if data is None:
        return QuizGenResult(
            rejected=[((text or "")[:2000], "no JSON array in the answer")], status="no_json"
        )
    result = QuizGenResult()
    seen: set[str] = set()
    for raw in data:
        quiz, reason = _check_quiz(raw, problem.question)
        if quiz is not None and _normalise(quiz.question) in seen:
            quiz, reason = None, "duplicate question"
        if quiz is not None and scene_labels is not None:
            if not _stated_by(quiz.options[quiz.correct_option], scene_labels):
                quiz, reason = None, "the scene drawn does not state the correct option"
        if quiz is None:
            result.rejected.append((raw, reason or "invalid"))
        else:
            seen.add(_normalise(quiz.question))
            result.quizzes.append(quiz)
    if not result.quizzes:
        result.status = "no_valid_quiz"
    return result


def generate_quizzes(
    engine,
    problems: list[Problem],
    n: int = 4,
    max_tokens: int = 1024,
    scenes: list[dict[str, Any] | None] | None = None,
) -> list[QuizGenResult]:
    """Ask ``engine`` for quizzes for every problem, in one batch; ``scenes[i]`` (a drawn scene
    description, or None) grounds problem i's quizzes in what its picture states."""
    scenes = scenes or [None] * len(problems)
    requests = [
        quizgen_request(p, n, max_tokens, scene_spec=spec)
        for p, spec in zip(problems, scenes, strict=True)
    ]
    answers = engine.generate(requests)
    out = []
    for problem, spec, answer in zip(problems, scenes, answers):
        if answer.status != "ok":
            out.append(QuizGenResult(rejected=[(answer.error, "engine error")], status="no_json"))
        else:
            out.append(parse_quizzes(answer.text, problem, _scene_labels(spec)))
    return out


def _scene_labels(spec: dict[str, Any] | None) -> list[str] | None:
    if not spec:
        return None
    from sciray.scene import parse_scene

    try:
        return parse_scene(spec).labels()
    except ValueError:
        return None  # a scene that no longer validates grounds nothing
