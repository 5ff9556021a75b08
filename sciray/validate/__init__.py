"""Inverse validation (quizzes answered from the image alone), R_inv, the LMM judge and the
validation cascade.

- ``extract_letter`` / ``grade``: which option a free-text answer chose (``grading``, pure);
- ``prepare_image`` / ``BadImage``: downscale and re-encode an image for a model (``images``, pure);
- ``QuizValidator`` / ``ValidationResult``: batched quiz answering, vision or OCR proxy (``quiz``);
- ``r_inv`` / ``r_inv_by`` / ``counts``: R_inv in percent and its breakdowns (``aggregate``, pure);
- ``Judge`` / ``parse_judge``: five dimensions scored 0-2 (``judge``);
- ``Cascade``: checks -> cheap validator -> vision validator (``cascade``).
"""

from sciray.validate.aggregate import counts, r_inv, r_inv_by
from sciray.validate.cascade import Cascade, CascadeDecision, CascadeItem, CascadeReport
from sciray.validate.grading import extract_letter, grade
from sciray.validate.images import BadImage, prepare_image
from sciray.validate.judge import DIMENSIONS, Judge, JudgeResult, judge_messages, parse_judge
from sciray.validate.quiz import (
    QuizValidator,
    ValidationResult,
    ocr_quiz_messages,
    quiz_messages,
    scene_text,
    tesseract_text,
    verifier_messages,
)

__all__ = [
    "DIMENSIONS",
    "BadImage",
    "Cascade",
    "CascadeDecision",
    "CascadeItem",
    "CascadeReport",
    "Judge",
    "JudgeResult",
    "QuizValidator",
    "ValidationResult",
    "counts",
    "extract_letter",
    "grade",
    "judge_messages",
    "ocr_quiz_messages",
    "parse_judge",
    "prepare_image",
    "quiz_messages",
    "r_inv",
    "r_inv_by",
    "scene_text",
    "tesseract_text",
    "verifier_messages",
]
