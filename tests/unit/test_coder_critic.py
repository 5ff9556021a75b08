"""The visual critic (sciray.coder.critic): a vision validator reads a finished picture, and the
quizzes it gets wrong go back to the coder for a revision recorded as an attempt."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from sciray.coder.critic import VisualCritic, critique_feedback
from sciray.coder.imgcoder import CoderResult, ImgCoder
from sciray.config.models import CoderConfig, RenderConfig, SciRayConfig, ValidatorConfig
from sciray.llm.scripted import ScriptedEngine
from sciray.render import make_renderer
from sciray.testing import GOOD_ANSWER, INCLINE_QUESTION
from sciray.types import Problem, Quiz, QuizAnswer
from sciray.validate import QuizValidator

QUIZZES = [
    Quiz(
        question="What is the incline angle?",
        options={"A": "30 degrees", "B": "45 degrees", "C": "60 degrees", "D": "90 degrees"},
        correct_option="A",
    ),
    Quiz(
        question="What is the block's mass?",
        options={"A": "1 kg", "B": "2 kg", "C": "3 kg", "D": "4 kg"},
        correct_option="B",
    ),
]
PROBLEM = Problem(id="incline-1", question=INCLINE_QUESTION, answer="16.97 N", quizzes=QUIZZES)


@pytest.fixture(scope="module")
def renderer():
    with make_renderer("python", RenderConfig(timeout_s=10), workers=1) as r:
        yield r


class Reader:
    """A vision validator's answers, per critique batch: ``answers[k][i]`` for quiz i of the k-th
    picture it is shown (the picture must be a PNG in the request)."""

    def __init__(self, answers: list[dict[str, str]]):
        self.answers, self.seen = answers, 0

    def __call__(self, request) -> str:
        parts = request.messages[-1]["content"]
        assert parts[0]["image_url"]["url"].startswith("data:image/png;base64,")
        question = parts[1]["text"]
        index = next(i for i, q in enumerate(QUIZZES) if q.question in question)
        picture = self.seen // len(QUIZZES)
        self.seen += 1
        return self.answers[min(picture, len(self.answers) - 1)][index]


def _coder(renderer, reader: Reader, coder_answers: list[str], **overrides):
    cfg = CoderConfig(engine="scripted", **overrides)
    engine = ScriptedEngine(cfg, responses=coder_answers)
    vcfg = ValidatorConfig(engine="scripted", mode="vision")
    critic = VisualCritic(QuizValidator(vcfg, ScriptedEngine(vcfg, responder=reader)))
    return ImgCoder(cfg, engine, renderer, critic), engine


def test_feedback_names_each_misread_quiz_what_was_read_and_what_the_problem_says():
    wrong = [
        QuizAnswer(index=0, raw="C", answer="C", correct=False),
        QuizAnswer(index=1, raw="??", answer=None, correct=False, status="undecided"),
    ]
    text = critique_feedback(PROBLEM, wrong, ["missing given values: 30"])
    lines = text.splitlines()
    assert lines[0].startswith('- "What is the incline angle?"')
    assert 'read "60 degrees"' in lines[0] and 'says "30 degrees"' in lines[0]
    assert "could not tell" in lines[1] and 'says "2 kg"' in lines[1]
    assert lines[2] == "- missing given values: 30"
    assert critique_feedback(PROBLEM, [], []) == ""


def test_a_misread_picture_is_revised_once_with_the_critique(renderer):
    reader = Reader([{0: "C", 1: "B"}, {0: "A", 1: "B"}])
    coder, engine = _coder(renderer, reader, [GOOD_ANSWER, GOOD_ANSWER], critique_rounds=1)
    (result,) = coder.run([PROBLEM])
    assert result.model_calls == 2 and len(engine.requests) == 2
    first, revised = result.attempts
    assert first.origin == "first" and first.critique is None
    assert revised.origin == "critique" and revised.status == "ok"
    assert "What is the incline angle?" in revised.critique and "60 degrees" in revised.critique
    prompt = engine.requests[1].messages[-1]["content"]
    assert "misreads" in prompt and 'the problem says "30 degrees"' in prompt
    assert GOOD_ANSWER.split("```python")[1].split("```")[0].strip()[:40] in prompt
    assert reader.seen == 2  # one round: the revision is not shown to the critic again
    assert result.best is revised  # at an equal check score the revision wins


def test_a_picture_read_right_ends_without_a_revision(renderer):
    reader = Reader([{0: "A", 1: "B"}])
    coder, engine = _coder(renderer, reader, [GOOD_ANSWER], critique_rounds=2)
    (result,) = coder.run([PROBLEM])
    assert result.model_calls == 1 and reader.seen == 2
    assert [a.origin for a in result.attempts] == ["first"]


def test_rounds_bound_the_revisions_and_each_is_critiqued_again(renderer):
    reader = Reader([{0: "C", 1: "A"}, {0: "A", 1: "A"}, {0: "A", 1: "B"}])
    answers = [GOOD_ANSWER] * 4
    coder, engine = _coder(renderer, reader, answers, critique_rounds=2)
    (result,) = coder.run([PROBLEM])
    assert [a.origin for a in result.attempts] == ["first", "critique", "critique"]
    assert "block's mass" in result.attempts[2].critique
    assert "incline angle" not in result.attempts[2].critique
    assert reader.seen == 4 and result.model_calls == 3


def test_no_critic_or_zero_rounds_changes_nothing(renderer):
    reader = Reader([{0: "C", 1: "C"}])
    coder, _ = _coder(renderer, reader, [GOOD_ANSWER, GOOD_ANSWER], critique_rounds=0)
    (result,) = coder.run([PROBLEM])
    assert result.model_calls == 1 and reader.seen == 0


def test_critique_can_send_the_picture_to_a_coder_that_reads_images(renderer):
    reader = Reader([{0: "C", 1: "B"}])
    coder, engine = _coder(
        renderer, reader, [GOOD_ANSWER, GOOD_ANSWER], critique_rounds=1, critique_image=True
    )
    coder.run([PROBLEM])
    content = engine.requests[1].messages[-1]["content"]
    assert content[0]["image_url"]["url"].startswith("data:image/png;base64,")
    assert "misreads" in content[1]["text"]


def test_a_pending_critique_survives_the_split_layouts_json(renderer):
    reader = Reader([{0: "C", 1: "B"}])
    coder, engine = _coder(renderer, reader, [GOOD_ANSWER, GOOD_ANSWER], critique_rounds=1)
    state = [CoderResult.start(PROBLEM, 1)]
    coder.code_round(state)
    coder.render_round(state)
    assert not state[0].done and state[0].slots[0].critique
    state = [CoderResult.model_validate_json(state[0].model_dump_json())]
    coder.code_round(state)
    coder.render_round(state)
    assert state[0].done and state[0].attempts[-1].origin == "critique"
    assert json.loads(state[0].model_dump_json())["slots"][0]["critiques"] == 1


def test_rounds_default_to_one_only_where_the_validator_sees_the_picture():
    assert SciRayConfig().coder.critique_rounds == 0  # offline: the OCR proxy
    seeing = SciRayConfig.model_validate(
        {"validator": {"engine": "openai", "mode": "vision", "base_url": "http://127.0.0.1:1/v1"}}
    )
    assert seeing.coder.critique_rounds == 1
    assert seeing.coder.max_rounds == SciRayConfig().coder.max_rounds + 1
    with pytest.raises(ValidationError, match="validator.mode=vision"):
        SciRayConfig.model_validate({"coder": {"critique_rounds": 1}})
