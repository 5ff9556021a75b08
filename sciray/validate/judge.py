"""LMM-as-judge: five dimensions scored 0-2 from the image and the problem text.

``parse_judge`` reads the scores out of messy answers (fenced or bare JSON, trailing commas,
single quotes, any key case, full dimension names, numbers as strings, prose and think blocks
around, or ``CF: 2`` lines). ``Judge.score`` batches every item into one call; answers that cannot
be parsed are asked again (only those, batched, with the bad answer and the parse error shown),
at most ``cfg.parse_retries`` times, then come back as status ``unparseable``.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

from sciray.config.models import JudgeConfig
from sciray.errors import InternalError
from sciray.llm.base import ChatRequest, Message, image_data_url
from sciray.types import JudgeScores, Problem
from sciray.validate.grading import clean_answer
from sciray.validate.images import BadImage, prepare_image

JUDGE_PROMPT_VERSION = "judge-v1"
DIMENSIONS = {
    "CF": "Correctness & Fidelity",
    "LP": "Layout & Precision",
    "RO": "Readability & Occlusion",
    "SP": "Scientific Plausibility",
    "ER": "Expressiveness & Richness",
}
_RUBRIC = """\
- CF (Correctness & Fidelity): every object, value, label and relation the problem states is drawn, and correctly. 2 = all present and right; 1 = minor omissions or slips; 0 = key content missing or wrong, or the figure gives the answer away.
- LP (Layout & Precision): geometry, proportions, positions, angles and scales match the problem. 2 = precise; 1 = roughly right with some distortion; 0 = misleading layout.
- RO (Readability & Occlusion): every label and symbol is legible and unobstructed, nothing is cut off. 2 = fully readable; 1 = some crowding or small overlaps; 0 = labels unreadable, overlapping or clipped.
- SP (Scientific Plausibility): notation, units, conventions and physical/chemical/mathematical logic are sound. 2 = sound; 1 = minor convention issues; 0 = scientifically wrong.
- ER (Expressiveness & Richness): the figure conveys the setting clearly and completely enough to reason from it. 2 = clear and informative; 1 = bare but usable; 0 = hard to use."""

_PROMPT = """You are grading a scientific diagram drawn for the problem below.

Problem:
{question}
{elements}
Score the figure on each dimension with an integer 0, 1 or 2:
{rubric}

Reply with only this JSON object, no prose:
{{"CF": <0-2>, "LP": <0-2>, "RO": <0-2>, "SP": <0-2>, "ER": <0-2>}}"""

_RETRY = (
    "Your answer could not be read ({status}). Reply with only the JSON object "
    '{{"CF": <0-2>, "LP": <0-2>, "RO": <0-2>, "SP": <0-2>, "ER": <0-2>}} with integer scores.'
)


def judge_messages(problem: Problem, image: bytes, mime: str = "image/png") -> list[Message]:
    elements = ""
    if problem.elements:
        elements = (
            "\nA faithful diagram must show:\n"
            + "\n".join(f"- {e}" for e in problem.elements[:30])
            + "\n"
        )
    text = _PROMPT.format(
        question=problem.question.strip()[:6000], elements=elements, rubric=_RUBRIC
    )
    return [
        {"role": "system", "content": "You are a strict, consistent grader of scientific figures."},
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": image_data_url(image, mime)}},
                {"type": "text", "text": text},
            ],
        },
    ]


# --- parsing ---------------------------------------------------------------------------------


def _dimension(key: Any) -> str | None:
    k = re.sub(r"[^a-z]", "", str(key).lower())
    if k.upper() in DIMENSIONS:
        return k.upper()
    for abbr, words in (
        ("CF", ("correct", "fidelity")),
        ("LP", ("layout", "precision")),
        ("RO", ("readab", "occlu", "legib")),
        ("SP", ("plausib", "scientific")),
        ("ER", ("express", "richness")),
    ):
        if any(w in k for w in words):
            return abbr
    return None


def _value(v: Any) -> Any:
    if isinstance(v, dict):
        for name in ("score", "value", "rating", "points"):
            if name in v:
                return _value(v[name])
        return None
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        word = {"zero": 0, "one": 1, "two": 2}.get(v.strip().lower())
        if word is not None:
            return word
        m = re.match(r"\s*(-?\d+(?:\.\d+)?)", v)
        if m:
            return float(m.group(1)) if "." in m.group(1) else int(m.group(1))
    return None


def _loads(text: str) -> Any:
    """JSON, else a repaired JSON (trailing commas, single quotes, bare keys), else a Python
    literal."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    fixed = re.sub(r",\s*([}\]])", r"\1", text)
    fixed = re.sub(r"([{,]\s*)([A-Za-z_][\w &]*?)\s*:", r'\1"\2":', fixed)
    for attempt in (fixed, fixed.replace("'", '"')):
        try:
            return json.loads(attempt)
        except ValueError:
            pass
    try:
        py = re.sub(
            r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", re.sub(r"\bnull\b", "None", text))
        )
        return ast.literal_eval(py)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return None


def _objects(text: str) -> list[str]:
    """Fenced blocks first, then every balanced {...} span (outermost), in order."""
    spans = [
        m.group(1)
        for m in re.finditer(r"```(?:json|JSON|javascript|python)?\s*(.*?)```", text, re.S)
    ]
    depth, start = 0, None
    for i, ch in enumerate(text):
        if ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0 and start is not None:
                spans.append(text[start : i + 1])
    return spans


def _collect(obj: Any, into: dict[str, Any], depth: int = 0) -> None:
    """Dimension -> value from a parsed object (nested ``{"scores": {...}}`` too); numeric values
    win over unreadable ones under keys that merely mention a dimension (``cf_reason``)."""
    if not isinstance(obj, dict) or depth > 2:
        return
    unread: dict[str, Any] = {}
    for k, v in obj.items():
        dim = _dimension(k)
        value = _value(v)
        if dim and value is not None:
            into.setdefault(dim, value)
        elif isinstance(v, dict):
            _collect(v, into, depth + 1)
        elif dim:
            unread.setdefault(dim, v)
    for dim, v in unread.items():
        into.setdefault(dim, v)


def _from_lines(text: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    names = {
        abbr: [abbr, name.replace(" & ", r"\s*(?:&|and)\s*").replace(" ", r"\s+")]
        for abbr, name in DIMENSIONS.items()
    }
    for abbr, alts in names.items():
        m = re.search(
            r"(?<![A-Za-z])(?:"
            + "|".join(alts)
            + r")(?![A-Za-z])(?:\s*\([^()\n]{0,12}\))?[\s*\"'`]*[:=][\s*\"'`]*(-?\d+(?:\.\d+)?)",
            text,
            re.I,
        )
        if m:
            found[abbr] = _value(m.group(1))
    return found


def _check(found: dict[str, Any]) -> tuple[JudgeScores | None, str]:
    missing = [d for d in DIMENSIONS if d not in found]
    if missing:
        return None, "missing:" + ",".join(missing)
    for d in DIMENSIONS:
        v = found[d]
        if not isinstance(v, (int, float)) or isinstance(v, bool) or float(v) != int(v):
            return None, f"not_integer:{d}={v!r}"
        if not 0 <= int(v) <= 2:
            return None, f"out_of_range:{d}={int(v)}"
    return JudgeScores(**{d: int(found[d]) for d in DIMENSIONS}), "ok"


def parse_judge(raw: str | None) -> tuple[JudgeScores | None, str]:
    """(scores, 'ok') or (None, why): 'empty', 'no_scores', 'missing:LP,RO',
    'out_of_range:CF=3', 'not_integer:CF=1.5'. Never raises."""
    try:
        return _parse(raw)
    except Exception as exc:  # noqa: BLE001 - a parser must never take the run down
        return None, f"parse_failed:{type(exc).__name__}"


def _parse(raw: str | None) -> tuple[JudgeScores | None, str]:
    if not isinstance(raw, str):
        return None, "empty"
    text = (
        clean_answer(raw) if "<think>" in raw.lower() or "</think>" in raw.lower() else raw.strip()
    )
    if not text:
        return None, "empty"
    best: tuple[int, str] | None = None
    for span in _objects(text):
        obj = _loads(span)
        if isinstance(obj, list) and len(obj) == 1:
            obj = obj[0]
        found: dict[str, Any] = {}
        _collect(obj, found)
        if not found:
            continue
        scores, status = _check(found)
        if scores is not None:
            return scores, status
        if best is None or len(found) > best[0]:
            best = (len(found), status)
    found = _from_lines(text)
    if found:
        scores, status = _check(found)
        if scores is not None or best is None or len(found) > best[0]:
            return scores, status
    return None, best[1] if best else "no_scores"


# --- the judge -------------------------------------------------------------------------------


@dataclass
class JudgeResult:
    problem_id: str
    scores: JudgeScores | None = None
    status: str = "ok"
    """ok | unparseable | error (the engine failed) | bad_image | missing_image."""
    raw: str | None = None
    """The last answer (the one parsed, or the last one that could not be)."""
    attempts: int = 0
    """Engine calls made for this item (1 + retries)."""
    reason: str = ""
    """Why it is not ok (the last parse status or engine error)."""


class Judge:
    """Scores images on the five dimensions with one batched call plus bounded parse retries."""

    def __init__(self, cfg: JudgeConfig, engine):
        self.cfg = cfg
        self.engine = engine

    def _request(self, messages: list[Message], rid: str) -> ChatRequest:
        return ChatRequest(
            messages=messages,
            max_tokens=self.cfg.max_tokens,
            temperature=self.cfg.temperature,
            top_p=self.cfg.top_p,
            seed=self.cfg.seed,
            request_id=rid,
        )

    def score(self, items: list[tuple[Problem, bytes | None]]) -> list[JudgeResult]:
        results: list[JudgeResult] = []
        convo: dict[int, list[Message]] = {}
        for i, (problem, image) in enumerate(items):
            results.append(JudgeResult(problem.id))
            if not image:
                results[i].status, results[i].reason = "missing_image", "no image"
                continue
            try:
                data, _ = prepare_image(image, self.cfg.image_max_side, "png")
            except BadImage as exc:
                results[i].status, results[i].reason = "bad_image", str(exc)
                continue
            convo[i] = judge_messages(problem, data)
        todo = list(convo)
        for round_ in range(self.cfg.parse_retries + 1):
            if not todo:
                break
            reqs = [self._request(convo[i], f"{items[i][0].id}#judge{round_}") for i in todo]
            outs = self.engine.generate(reqs)
            if len(outs) != len(reqs):
                raise InternalError(
                    f"judge engine returned {len(outs)} results for {len(reqs)} requests"
                )
            retry = []
            for i, out in zip(todo, outs):
                res = results[i]
                res.attempts += 1
                if out.status != "ok":
                    res.status, res.reason, res.raw = "error", out.error or "engine error", None
                    continue  # the engine already retried transport failures
                scores, status = parse_judge(out.text)
                res.raw = out.text
                if scores is not None:
                    res.scores, res.status, res.reason = scores, "ok", ""
                    continue
                res.status, res.reason = "unparseable", status
                convo[i] = convo[i] + [
                    {"role": "assistant", "content": out.text[-4000:]},
                    {"role": "user", "content": _RETRY.format(status=status)},
                ]
                retry.append(i)
            todo = retry
        return results
