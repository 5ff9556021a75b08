"""A validation cascade: cheap gates first, the vision validator only for what survives.

Step 1 ``checks``: the deterministic checks' pass flag, given per item.
Step 2 ``cheap``: an OCR-proxy ``QuizValidator`` (optional); an item passes when its accuracy is
at least ``cheap_threshold``. An item the cheap step cannot score (no OCR, no scene, no image)
is passed on to the vision step, not rejected: the cheap step only saves vision calls.
Step 3 ``vision``: the vision ``QuizValidator``; an item is accepted when its accuracy is at
least ``vision_threshold``. An item it cannot score (missing or bad image, no quizzes, every
quiz errored) is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sciray.types import Problem, Scene
from sciray.validate.quiz import QuizValidator, ValidationResult

STEPS = ("checks", "cheap", "vision")


@dataclass
class CascadeItem:
    problem: Problem
    image: bytes | None
    scene: Scene | None = None
    checks_passed: bool = True


@dataclass
class CascadeDecision:
    problem_id: str
    accepted: bool
    stopped_at: str
    """checks | cheap | vision: the last step the item went through."""
    reason: str = ""
    cheap: ValidationResult | None = None
    vision: ValidationResult | None = None


@dataclass
class CascadeReport:
    decisions: list[CascadeDecision] = field(default_factory=list)
    counts: dict[str, dict[str, Any]] = field(default_factory=dict)
    """{"checks": {"in", "passed"}, "cheap": {"in", "passed", "unscored"}, "vision": {...}}."""


class Cascade:
    """Gates candidates through checks -> cheap validator -> vision validator."""

    def __init__(
        self,
        vision: QuizValidator,
        cheap: QuizValidator | None = None,
        *,
        cheap_threshold: float = 0.5,
        vision_threshold: float = 0.5,
    ):
        for name, t in (
            ("cheap_threshold", cheap_threshold),
            ("vision_threshold", vision_threshold),
        ):
            if not 0.0 <= t <= 1.0:
                raise ValueError(f"{name} must be a share between 0 and 1, got {t}")
        self.vision = vision
        self.cheap = cheap
        self.cheap_threshold = cheap_threshold
        self.vision_threshold = vision_threshold

    def run(self, items: list[CascadeItem | tuple]) -> CascadeReport:
        """``items``: ``CascadeItem`` or ``(problem, image, scene, checks_passed)`` tuples."""
        items = [it if isinstance(it, CascadeItem) else CascadeItem(*it) for it in items]
        decisions = [CascadeDecision(it.problem.id, False, "checks") for it in items]
        counts: dict[str, dict[str, Any]] = {}

        passed = [i for i, it in enumerate(items) if it.checks_passed]
        for i, it in enumerate(items):
            if not it.checks_passed:
                decisions[i].reason = "failed the deterministic checks"
        counts["checks"] = {"in": len(items), "passed": len(passed)}

        if self.cheap is not None and passed:
            results = self.cheap.validate(
                [(items[i].problem, items[i].image, items[i].scene) for i in passed]
            )
            survivors, unscored = [], 0
            for i, res in zip(passed, results):
                d = decisions[i]
                d.cheap, d.stopped_at = res, "cheap"
                if res.accuracy is None:
                    unscored += 1
                    survivors.append(i)
                elif res.accuracy >= self.cheap_threshold:
                    survivors.append(i)
                else:
                    d.reason = (
                        f"cheap validator accuracy {res.accuracy:.2f} < {self.cheap_threshold:.2f}"
                    )
            counts["cheap"] = {"in": len(passed), "passed": len(survivors), "unscored": unscored}
            passed = survivors
        else:
            counts["cheap"] = {
                "in": len(passed),
                "passed": len(passed),
                "unscored": 0,
                "skipped": self.cheap is None,
            }

        accepted = 0
        unscored = 0
        if passed:
            results = self.vision.validate(
                [(items[i].problem, items[i].image, items[i].scene) for i in passed]
            )
            for i, res in zip(passed, results):
                d = decisions[i]
                d.vision, d.stopped_at = res, "vision"
                if res.accuracy is None:
                    unscored += 1
                    d.reason = f"vision validator could not score it ({res.status})"
                elif res.accuracy >= self.vision_threshold:
                    d.accepted, d.reason = True, f"vision accuracy {res.accuracy:.2f}"
                    accepted += 1
                else:
                    d.reason = f"vision validator accuracy {res.accuracy:.2f} < {self.vision_threshold:.2f}"
        counts["vision"] = {"in": len(passed), "passed": accepted, "unscored": unscored}
        return CascadeReport(decisions, counts)

    gate = run
