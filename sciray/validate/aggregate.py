"""R_inv and its breakdowns (pure).

R_inv = 100 x the mean, over problems that have a score, of the share of their quizzes answered
right. Problems without a score (missing or undecodable image, no quizzes, no OCR, every quiz
errored) are left out of the mean but counted, so a report shows how many were dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sciray.types import Problem
from sciray.validate.quiz import ValidationResult

UNKNOWN = "unknown"


def r_inv(results: Iterable[ValidationResult]) -> float | None:
    """100 x mean accuracy over the scored problems; None when none has a score."""
    scores = [r.accuracy for r in results if r.accuracy is not None]
    return 100.0 * sum(scores) / len(scores) if scores else None


def counts(results: Iterable[ValidationResult]) -> dict[str, Any]:
    """R_inv plus how many problems were scored or dropped (by status) and how many quiz
    answers were undecided, errors or settled by the verifier."""
    results = list(results)
    by_status: dict[str, int] = {}
    for r in results:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    return {
        "r_inv": r_inv(results),
        "problems": len(results),
        "scored": sum(r.accuracy is not None for r in results),
        "missing": sum(r.status in ("missing_image", "bad_image") for r in results),
        "statuses": dict(sorted(by_status.items())),
        "quizzes": sum(len(r.answers) for r in results),
        "correct": sum(bool(a.correct) for r in results for a in r.answers),
        "undecided": sum(r.n_undecided for r in results),
        "errors": sum(r.n_errors for r in results),
        "verified": sum(r.n_verified for r in results),
        "modes": sorted({r.mode for r in results}),
    }


def _subject(p: Problem | None) -> str:
    return (p.subject if p is not None else None) or UNKNOWN


def _image_type(p: Problem | None) -> str:
    return (p.image_type.strip() if p is not None and p.image_type else None) or UNKNOWN


KEYS: dict[str, Callable[[Problem | None], str]] = {"subject": _subject, "image_type": _image_type}


def r_inv_by(
    results: Iterable[ValidationResult],
    problems: Iterable[Problem] | Mapping[str, Problem],
    key: str | Callable[[Problem | None], str] = "subject",
) -> dict[str, dict[str, Any]]:
    """``counts`` per group: ``key`` is 'subject' (the part of image_type before ' - '),
    'image_type', or a function of the problem (None when its id is not in ``problems``).
    Groups are sorted by name; problems without a type go to 'unknown'."""
    by_id = dict(problems) if isinstance(problems, Mapping) else {p.id: p for p in problems}
    if isinstance(key, str):
        if key not in KEYS:
            raise ValueError(
                f"unknown grouping key {key!r}; use one of {sorted(KEYS)} or a function"
            )
        fn = KEYS[key]
    else:
        fn = key
    groups: dict[str, list[ValidationResult]] = {}
    for r in results:
        groups.setdefault(fn(by_id.get(r.problem_id)), []).append(r)
    return {name: counts(groups[name]) for name in sorted(groups)}
