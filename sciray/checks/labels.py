"""Whether a scene's visible labels show the problem's givens, and whether they show its answer.

A label is any drawn text that is not a tick label and does not leave the canvas. Both sides go
through ``latex.to_plain``, so "$R_1$", "R₁" and "R1" are one name and "3 \\times 10^{8}",
"3×10⁸" and "3e8" one value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sciray.checks.givens import Given
from sciray.checks.latex import read_arg, to_plain
from sciray.checks.numbers import Num, find_numbers, same_value
from sciray.types import Scene, SceneText

# A name token in plain text: a letter (Latin or Greek) then letters, digits, subscripts and
# primes; not glued after a digit, so the "A" of "2A" (amperes) is no point A.
_NAME_TOKEN = re.compile(
    r"(?<![0-9A-Za-z\u0370-\u03ff_])[A-Za-z\u0370-\u03ff](?:[A-Za-z0-9\u0370-\u03ff]|_\(?\w+\)?)*'*"
)


@dataclass(frozen=True)
class Label:
    """One visible label, read once: its text, numbers and name tokens."""

    text: str
    numbers: tuple[Num, ...]
    names: frozenset[str]


def read_label(text: str) -> Label:
    plain = to_plain(text)
    names = frozenset(re.sub(r"[_()]", "", t) for t in _NAME_TOKEN.findall(plain))
    return Label(text, tuple(find_numbers(plain)), names)


def visible_texts(scene: Scene | None) -> list[SceneText]:
    """The scene's label texts as drawn: not ticks, not (partly) off the canvas, not empty."""
    if scene is None:
        return []
    outside = set(scene.outside)
    return [
        t
        for i, t in enumerate(scene.texts)
        if t.kind != "tick" and i not in outside and t.text.strip()
    ]


def visible_labels(scene: Scene | None) -> list[Label]:
    """The visible texts, read as labels (numbers and names)."""
    return [read_label(t.text) for t in visible_texts(scene)]


def shows(given: Given, labels: list[Label]) -> bool:
    """Whether some label shows ``given``: the same value as a whole number, or the same name."""
    if given.kind == "number":
        return given.value is not None and any(
            same_value(given.value, n) for label in labels for n in label.numbers
        )
    return any(given.text in label.names for label in labels)


def owed_givens(givens: list[Given]) -> list[Given]:
    """The ``givens`` a figure should label (``Given.labelled``: not a bare 0)."""
    return [g for g in givens if g.labelled]


def missing_givens(givens: list[Given], scene: Scene | None) -> list[Given]:
    """The givens a figure should label (``Given.labelled``) that no visible label shows (for
    repair prompts), in the givens' order."""
    labels = visible_labels(scene)
    return [g for g in owed_givens(givens) if not shows(g, labels)]


def label_recall(givens: list[Given], scene: Scene | None) -> float | None:
    """Share of the ``givens`` a figure should label that visible labels show; None when there
    are none."""
    wanted = owed_givens(givens)
    if not wanted:
        return None
    return 1.0 - len(missing_givens(wanted, scene)) / len(wanted)


# ---------------------------------------------------------------------------------------------
# The answer
# ---------------------------------------------------------------------------------------------

MAX_SHORT_ANSWER = 80  # characters (plain form) up to which an answer is a value, not prose
# A multiple-choice answer: one option letter, maybe bracketed or dotted ("C", "(b)", "D.").
_OPTION_ANSWER = re.compile(r"\s*[(\[]?\s*[A-Ja-j]\s*[)\].]?\s*")
# The last top-level \boxed{...}: read with the brace matcher of latex.py.
_BOXED = re.compile(r"\\boxed\s*(?=\{)")
# What comes before the value: "x =", "F ≈", "... is", Chinese "为" (is). The value is what
# follows the last of these.
_BEFORE_VALUE = re.compile(r"=|≈|为|是|:|：|\bis\b")
# A left-hand side with a product or call in it ("7i(x-3h)+..."): the answer is an equation.
_EQUATION_LHS = re.compile(r"[A-Za-z0-9)]\s*\(")
# Words before a value that do not make it a formula: "about 5 m", "The answer is 12".
_HEDGE = re.compile(
    r"^\s*(?i:(?:the\s+)?(?:final\s+)?answer\s*(?:is|:)|about|approximately|approx\.?|roughly|"
    r"around|nearly|≈|~)\s*"
)
# What makes an answer symbolic (a formula, not a value): subscripts, roots, integrals, Greek
# letters other than units (μ, Ω), function calls like ln(a), a variable before the first number.
_SYMBOLIC = re.compile(
    r"_|√|∫|∑|∂|[\u0370-\u03a8\u03aa-\u03bb\u03bd-\u03ff]"  # Greek but Ω (03A9) and μ (03BC)
    r"|[A-Za-z]\s*\(|^[^0-9]*[A-Za-z][^0-9]*[0-9]"
)


def _boxed(answer: str) -> str | None:
    matches = list(_BOXED.finditer(answer))
    if not matches:
        return None
    content, _ = read_arg(answer, matches[-1].end())
    return content


def answer_values(answer: str | None) -> list[Num]:
    """The numeric value(s) an answer states, or [] when it states none that a label could leak.

    ``\\boxed{}`` wins; otherwise only a short answer counts. Option letters, prose and formulas
    (symbolic answers such as "8 m_0 a" or "\\frac{1}{\\ln a}") give nothing.
    """
    if not answer or not answer.strip():
        return []
    boxed = _boxed(answer)
    candidate = to_plain(boxed if boxed is not None else answer).strip()
    if boxed is None and len(candidate) > MAX_SHORT_ANSWER:
        return []
    if _OPTION_ANSWER.fullmatch(candidate):
        return []
    cuts = [
        m.end() for m in _BEFORE_VALUE.finditer(candidate) if re.search(r"\d", candidate[m.end() :])
    ]
    if cuts:
        if _EQUATION_LHS.search(candidate[: cuts[-1]]):
            return []  # "-7i(x-3h)+...=0": an equation, not a named value
        candidate = candidate[cuts[-1] :]
    candidate = _HEDGE.sub("", candidate, count=1)
    if _SYMBOLIC.search(candidate):
        return []
    return find_numbers(candidate)


def find_leak(
    answer: str | None, givens: list[Given], scene: Scene | None, notation: Sequence[str] = ()
) -> tuple[str, str] | None:
    """(answer value, label text) of the first answer value a visible label shows that is not
    also a given; None when nothing leaks. A label that is one of ``notation`` (an orbital's
    "2s") shows no value."""
    values = [
        v
        for v in answer_values(answer)
        if not any(
            g.value is not None and math.isclose(g.value, v.value, rel_tol=1e-6) for g in givens
        )
    ]
    if not values:
        return None
    for label in _value_labels(scene, notation):
        for v in values:
            if any(same_value(v.value, n) for n in label.numbers):
                return v.text, label.text
    return None


def answer_leak(problem_answer: str | None, givens: list[Given], scene: Scene | None) -> str | None:
    """The problem's answer value drawn in a visible label ("12" for answer "12 N"), when that
    value is not also a given; None when the image does not give the answer away."""
    leak = find_leak(problem_answer, givens, scene)
    return leak[0] if leak else None


def unstated_numbers(
    question: str, scene: Scene | None, notation: Sequence[str] = ()
) -> list[tuple[Num, Label]]:
    """(number, label) for every number a visible label shows that ``question`` never states (a
    value the drawer made up or derived, such as "0.0 kg" beside a reactant). Used where the
    drawer was told to write only stated values: a scene's renderer draws only what the scene
    says, so such a number came from the model. A label that is one of ``notation`` (an
    orbital's "2p") states no value."""
    stated = find_numbers(to_plain(question))
    return [
        (n, label)
        for label in _value_labels(scene, notation)
        for n in label.numbers
        if not any(same_value(s.value, n) or same_value(n.value, s) for s in stated)
    ]


def unstated_values(question: str, scene: Scene | None, notation: Sequence[str] = ()) -> list[str]:
    """``unstated_numbers`` for reasons and repair prompts: "<number> (in '<label>')"."""
    return [
        f"{n.text} (in '{label.text.strip()[:40]}')"
        for n, label in unstated_numbers(question, scene, notation)
    ]


def _value_labels(scene: Scene | None, notation: Sequence[str]) -> list[Label]:
    """The visible labels but those that are ``notation`` (names such as "2p", not values)."""
    labels = visible_labels(scene)
    if not notation:
        return labels
    names = {_squeezed(t) for t in notation}
    return [label for label in labels if _squeezed(label.text) not in names]


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", to_plain(text))
