from __future__ import annotations

import pytest
from pydantic import ValidationError

from sciray.types import LENIENT, Candidate, JudgeScores, Problem, Quiz

QUIZ = {
    "question": "How many rods?",
    "options": {"A": "1", "B": "2", "C": "3", "D": "4"},
    "correct_option": "B",
}


def test_integer_ids_become_text_and_booleans_are_refused():
    assert Problem(id=1751, question="q").id == "1751"
    with pytest.raises(ValidationError, match="boolean"):
        Problem(id=True, question="q")


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_is_refused(question):
    with pytest.raises(ValidationError, match="question is empty"):
        Problem(id="x", question=question)


def test_wrong_types_are_refused():
    with pytest.raises(ValidationError):
        Problem(id="x", question=5)
    with pytest.raises(ValidationError):
        Problem(id="x", question="q", quizzes="none")


def test_correct_option_must_be_an_option():
    with pytest.raises(ValidationError, match="not among its options"):
        Quiz(**{**QUIZ, "correct_option": "E"})
    assert Quiz(**{**QUIZ, "correct_option": " C "}).correct_option == "C"


def test_a_quiz_needs_two_options():
    with pytest.raises(ValidationError, match="at least 2"):
        Quiz(question="q", options={"A": "x"}, correct_option="A")


def test_evidence_snippet_is_read_as_evidence():
    quiz = Quiz.model_validate({**QUIZ, "evidence_snippet": "two rods"})
    assert quiz.evidence == "two rods"


def test_unknown_keys_fail_strictly_but_go_to_meta_when_lenient():
    row = {"id": "p", "question": "q", "source": "web", "quizzes": [{**QUIZ, "group": "Visual"}]}
    with pytest.raises(ValidationError, match="Extra inputs"):
        Problem.model_validate(row)
    problem = Problem.model_validate(row, context=LENIENT)
    assert problem.meta == {"source": "web"}
    assert problem.quizzes[0].meta == {"group": "Visual"}


def test_subject_comes_from_image_type():
    assert Problem(id="a", question="q", image_type="Physics - Mechanical").subject == "Physics"
    assert Problem(id="a", question="q", image_type="").image_type is None
    assert Problem(id="a", question="q").subject is None


def test_judge_scores_are_bounded():
    with pytest.raises(ValidationError):
        JudgeScores(CF=3, LP=0, RO=0, SP=0, ER=0)


def test_candidate_is_strict():
    with pytest.raises(ValidationError):
        Candidate(problem_id="p", language="svg")
    with pytest.raises(ValidationError):
        Candidate(problem_id="p", colour="red")
