"""The visual critic: a vision model looks at a finished diagram and says what a reader gets wrong.

A strong coder that sees what its picture actually shows fixes most of what the checks cannot
see (a misplaced body, wrong proportions, a label on the wrong part). ``VisualCritic`` asks the
validator's vision model every quiz of the problem from the image alone (inverse validation,
``QuizValidator``); the quizzes it gets wrong, with the candidate's failed checks, become the
feedback of one more repair (``coder.critique_rounds``, ``ImgCoder``). ``critique_feedback`` is
the pure text builder.
"""

from __future__ import annotations

from sciray.types import Candidate, Problem, QuizAnswer

__all__ = ["VisualCritic", "build_critic", "critique_feedback"]

MAX_LISTED = 6


def critique_feedback(problem: Problem, wrong: list[QuizAnswer], check_reasons: list[str]) -> str:
    """The repair's "what went wrong" for a picture a reader misread: each quiz answered wrongly
    from the image (the question, what the reader chose, what the problem says), then the failed
    checks. Empty when there is nothing to fix."""
    lines: list[str] = []
    quizzes = {i: q for i, q in enumerate(problem.quizzes)}
    for answer in wrong[:MAX_LISTED]:
        quiz = quizzes.get(answer.index)
        if quiz is None:
            continue
        right = quiz.options.get(quiz.correct_option, "")
        chosen = quiz.options.get(answer.answer or "", "") if answer.answer else ""
        read = f'read "{chosen}"' if chosen else "could not tell"
        lines.append(
            f'- "{quiz.question.strip()}": a reader of the picture {read}; '
            f'the problem says "{right}". Make the picture show this.'
        )
    if len(wrong) > MAX_LISTED:
        lines.append(f"- and {len(wrong) - MAX_LISTED} more questions read wrongly")
    lines += [f"- {reason}" for reason in check_reasons]
    return "\n".join(lines)


class VisualCritic:
    """Critiques finished candidates with a vision-mode ``QuizValidator`` (one batched call)."""

    def __init__(self, validator):
        if validator.mode != "vision":
            raise ValueError("the visual critic needs a vision validator (validator.mode=vision)")
        self.validator = validator

    def critique(self, items: list[tuple[Problem, Candidate]]) -> list[str]:
        """The feedback for each ``(problem, candidate)``, in order; empty where nothing failed.
        A problem without quizzes or an image the validator cannot read gets the failed checks
        alone."""
        results = self.validator.validate(
            [(p, c.image.bytes if c.image else None, c.scene, c.scene_spec) for p, c in items]
        )
        out: list[str] = []
        for (problem, cand), result in zip(items, results, strict=True):
            # an answer the engine never gave is an outage, not a misreading of the picture
            wrong = [a for a in result.answers if a.status != "error" and a.correct is not True]
            reasons = list(cand.check_reasons) if cand.status != "ok" else []
            out.append(critique_feedback(problem, wrong, reasons))
        return out


def build_critic(coder_cfg, validator_cfg) -> VisualCritic | None:
    """The critic ``coder.critique_rounds`` asks for, on an engine built from the validator's
    section; None when no round is configured."""
    if not coder_cfg.critique_rounds:
        return None
    from sciray.llm import make_engine
    from sciray.validate import QuizValidator

    return VisualCritic(QuizValidator(validator_cfg, make_engine(validator_cfg)))
