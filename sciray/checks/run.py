"""All deterministic checks of one candidate image, as scores, reasons and one ranking number."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sciray.checks.givens import Given, extract_givens
from sciray.checks.labels import find_leak, missing_givens, owed_givens, unstated_values
from sciray.types import Problem, Scene

# Weights of the ranking score (they sum to 1). The order says what matters most when picking
# the best of n candidates: an image that renders beats one that does not, whatever else; a
# non-blank one beats a blank one; then showing the givens, then not giving the answer away,
# then legibility (no overlapping labels), then labels kept inside the canvas.
WEIGHTS: dict[str, float] = {
    "rendered": 0.30,
    "not_blank": 0.25,
    "label_recall": 0.20,
    "no_answer_leak": 0.13,
    "no_overlaps": 0.07,
    "inside_canvas": 0.05,
}
MAX_LISTED = 8  # missing givens named in a reason; the rest are counted


@dataclass(frozen=True)
class CheckReport:
    """The deterministic checks of one candidate."""

    scores: dict[str, float]
    """Check name -> 1.0 pass / 0.0 fail; "label_recall" is the share (absent without givens)."""
    label_recall: float | None
    reasons: list[str]
    """One short reason per failed check, for logs and repair prompts."""
    passed: bool
    """Rendered, not blank, recall at least the minimum (or no givens) and no answer leak."""
    score: float
    """Weighted sum of ``scores`` (see ``WEIGHTS``), 0..1, for ranking best-of-n candidates."""
    missing: list[Given] = field(default_factory=list)
    """Givens no visible label shows."""
    leak: str | None = None
    """The answer value drawn in the image, if any."""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


MAX_ASPECT = 5.0
"""Longest side over shortest beyond which an image is no figure (seen, seed 33: a code
picture 482 x 17628 px, its labels scattered down a strip, passed every other check)."""


def _sliver(scene: Scene) -> str | None:
    """Why the measured image is too long and thin to read as one figure, or None."""
    if len(scene.size) != 2 or min(scene.size) <= 0:
        return None
    w, h = scene.size
    if max(w, h) / min(w, h) <= MAX_ASPECT:
        return None
    return f"image is {w} x {h} px: too long and thin to read as one figure"


def _weighted(scores: dict[str, float]) -> float:
    # No givens means nothing to miss: full credit, so such problems rank like the others.
    total = sum(
        weight * scores.get(name, 1.0 if name == "label_recall" else 0.0)
        for name, weight in WEIGHTS.items()
    )
    return round(total, 6)


def run_checks(
    problem: Problem,
    scene: Scene | None,
    rendered: bool,
    min_label_recall: float = 0.8,
    stated_only: bool = False,
    notation: Sequence[str] = (),
) -> CheckReport:
    """Score one candidate image of ``problem`` from its ``scene`` (None when nothing rendered).
    ``stated_only`` (a drawn scene description) also fails a label showing a number the problem
    never states: the model was asked to write only stated values."""
    givens = extract_givens(problem.question)
    wanted = owed_givens(givens)
    if not rendered or scene is None:
        # Nothing to measure: every check fails (one reason: the cause of the others).
        scores = {
            "rendered": 1.0 if rendered else 0.0,
            "not_blank": 0.0,
            "no_overlaps": 0.0,
            "inside_canvas": 0.0,
            "no_answer_leak": 0.0,
        }
        recall = 0.0 if wanted else None
        if recall is not None:
            scores["label_recall"] = recall
        reason = "image did not render" if not rendered else "no scene was measured for the image"
        return CheckReport(scores, recall, [reason], False, _weighted(scores), wanted)

    reasons: list[str] = []
    sliver = _sliver(scene)
    empty = scene.blank or sliver is not None
    scores: dict[str, float] = {"rendered": 1.0, "not_blank": 0.0 if empty else 1.0}
    if scene.blank:
        reasons.append("image is blank")
    elif sliver:
        reasons.append(sliver)

    missing = missing_givens(wanted, scene)
    recall = None if not wanted else 1.0 - len(missing) / len(wanted)
    if recall is not None:
        scores["label_recall"] = round(recall, 6)
        if recall < min_label_recall:
            names = ", ".join(g.text for g in missing[:MAX_LISTED])
            more = f" and {len(missing) - MAX_LISTED} more" if len(missing) > MAX_LISTED else ""
            reasons.append(f"missing given values: {names}{more}")

    labels = {i for i, t in enumerate(scene.texts) if t.kind != "tick"}
    overlaps = [p for p in scene.overlaps if len(p) == 2 and p[0] in labels and p[1] in labels]
    scores["no_overlaps"] = 0.0 if overlaps else 1.0
    if overlaps:
        reasons.append(f"{_plural(len(overlaps), 'overlapping label pair')}")
    outside = sorted({i for i in scene.outside if i in labels})
    scores["inside_canvas"] = 0.0 if outside else 1.0
    if outside:
        reasons.append(f"{_plural(len(outside), 'label')} outside the canvas")

    leak = find_leak(problem.answer, givens, scene, notation)
    scores["no_answer_leak"] = 0.0 if leak else 1.0
    if leak:
        reasons.append(f'answer {leak[0]} drawn in the image ("{leak[1].strip()}")')

    unstated = unstated_values(problem.question, scene, notation) if stated_only else []
    if stated_only:
        scores["stated_values_only"] = 0.0 if unstated else 1.0
    if unstated:
        listed = ", ".join(unstated[:MAX_LISTED])
        reasons.append(f"values the problem does not state: {listed}")

    passed = (
        not empty
        and (recall is None or recall >= min_label_recall)
        and leak is None
        and not unstated
    )
    return CheckReport(
        scores, recall, reasons, passed, _weighted(scores), missing, leak[0] if leak else None
    )
