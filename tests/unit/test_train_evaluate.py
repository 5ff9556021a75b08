"""Grading free-form answers to held-out multimodal questions."""

from __future__ import annotations

import json

import pytest

from sciray.train.evaluate import final_part, grade_answer, numbers, parse_options, summarize


@pytest.mark.parametrize(
    "raw, reference, correct, method",
    [
        ("The distance is 290.6 cm.", "290.588 cm", True, "numeric"),
        ("The distance is 310 cm.", "290.588 cm", False, "numeric"),
        ("v = 2πr/T\nThe answer is 1.0759 \\times 10^5 km/h", "107590 km/hr", True, "numeric"),
        ("\\boxed{6.7 \\times 10^{9}} J", "6.7e+9 J", True, "numeric"),
        ("r = 64,600 km", "64.6e3 km", True, "numeric"),
        ("E = -G(Mm)/(2d)", "E = -G(Mm)/(2d)", True, "exact"),
        ("$E = -\\frac{GMm}{2d}$", "E = -\\frac{GMm}{2d}", True, "exact"),
        ("dθ/dt = (1/25)cos^2(θ).", "dθ/dt = (1/25)cos^2(θ)", True, "exact"),
        ("The answer is (B).", "b", True, "letter"),
        ("I would pick option C", "b", False, "letter"),
        ("<think>maybe 12</think>3 N", "1.76e+04 N", False, "numeric"),
        ("   ", "2", False, "empty"),
        (None, "2", False, "empty"),
        ("it depends", "The Lewis structure is [O-]-Br=O", False, "mismatch"),
    ],
)
def test_grade_answer(raw, reference, correct, method):
    assert grade_answer(raw, reference) == (correct, method)


def test_letter_answers_use_the_options_written_in_the_question():
    question = "Which orbit is stable?\nA. the inner one\nB. the outer one\nC. neither"
    assert grade_answer("the outer one", "B", question) == (True, "letter")
    assert parse_options(question) == {"A": "the inner one", "B": "the outer one", "C": "neither"}
    assert parse_options("A. only one option") == {}


def test_tolerance_is_relative():
    assert (
        grade_answer("1.03", "1.0", rel_tol=0.05)[0]
        and not grade_answer("1.03", "1.0", rel_tol=0.01)[0]
    )
    assert grade_answer("0", "0")[0]


def test_numbers_and_final_part():
    assert numbers("1.50 × 10^8 km, 6.7e+9 J and 1,000 m") == [1.5e8, 6.7e9, 1000.0]
    assert numbers("−3.5") == [-3.5]
    assert final_part("work...\nso\n\\boxed{42} m") == "42"
    assert final_part("First 3, then the final answer: 7 m") == "7 m"
    assert final_part("a\n\nlast line\n") == "last line"


def test_every_scigenbench_answer_grades_itself_right(scigen_dir):
    rows = [json.loads(line) for line in (scigen_dir / "scigen.jsonl").read_text().splitlines()]
    results = [
        grade_answer(r["answer"], r["answer"], r.get("multimodal_question") or r["question"])
        for r in rows
        if str(r.get("answer") or "").strip()
    ]
    assert len(results) > 800 and all(ok for ok, _ in results), [m for ok, m in results if not ok][
        :5
    ]


def test_summary():
    rows = [{"correct": True, "method": "exact"}, {"correct": False, "method": "numeric"}]
    assert summarize(rows) == {
        "n": 2,
        "correct": 1,
        "accuracy": 0.5,
        "by_method": {"exact": 1, "numeric": 1},
    }
    assert summarize([])["accuracy"] is None
