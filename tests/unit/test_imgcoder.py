"""ImgCoder's loop with a scripted engine and the real sandboxed renderer."""

from __future__ import annotations

import json

import pytest

from sciray.coder.imgcoder import ImgCoder
from sciray.coder.quizgen import parse_quizzes
from sciray.config.models import CoderConfig, RenderConfig
from sciray.llm.scripted import ScriptedEngine
from sciray.render import make_renderer
from sciray.testing import BROKEN_ANSWER, GOOD_ANSWER, INCLINE_QUESTION, NO_LABELS_ANSWER
from sciray.types import Problem

PROBLEM = Problem(id="incline-1", question=INCLINE_QUESTION, answer="16.97 N")

GOOD = GOOD_ANSWER

BROKEN = BROKEN_ANSWER
NO_LABELS = NO_LABELS_ANSWER


@pytest.fixture(scope="module")
def renderer():
    with make_renderer("python", RenderConfig(timeout_s=10), workers=1) as r:
        yield r


def _coder(responses, renderer, **overrides):
    cfg = CoderConfig(engine="scripted", **overrides)
    engine = ScriptedEngine(cfg, responses=responses)
    return ImgCoder(cfg, engine, renderer), engine


def test_good_first_answer_renders_and_passes(renderer):
    coder, engine = _coder([GOOD], renderer)
    (result,) = coder.run([PROBLEM])
    assert result.status == "ok" and result.model_calls == 1
    best = result.best
    assert best.image.bytes.startswith(b"\x89PNG") and best.render_status == "ok"
    assert best.plan.labels.startswith("2 kg") and "normal force" in best.plan.considerations
    assert best.label_recall == 1.0 and best.checks["rendered"] == 1.0
    assert best.prompt_version == "imgcoder-v3" and best.engine == "scripted"
    assert engine.requests[0].temperature == 0.0
    assert "A block of mass 2 kg" in engine.requests[0].messages[-1]["content"]


def test_failed_render_goes_back_with_the_error(renderer):
    coder, engine = _coder([BROKEN, GOOD], renderer, repair_temperature=0.6)
    (result,) = coder.run([PROBLEM])
    assert [c.origin for c in result.attempts] == ["first", "repair"]
    assert (
        result.attempts[0].status == "render_failed"
        and "NameError" in result.attempts[0].render_error
    )
    repair = engine.requests[1]
    prompt = repair.messages[-1]["content"]
    assert "undefined_name + 1" in prompt and "NameError" in prompt and "fails to render" in prompt
    assert repair.temperature == 0.6
    assert result.status == "ok" and result.best.attempt == 1


def test_attempt_budget_bounds_model_calls(renderer):
    coder, engine = _coder([BROKEN], renderer, attempts=2)
    (result,) = coder.run([PROBLEM])
    assert len(engine.requests) == 2 and result.model_calls == 2
    assert result.status == "render_failed" and result.best.image is None


def test_failed_checks_ask_for_the_missing_values(renderer):
    coder, engine = _coder([NO_LABELS, GOOD], renderer)
    (result,) = coder.run([PROBLEM])
    first = result.attempts[0]
    assert first.status == "checks_failed" and first.label_recall == 0.0
    prompt = engine.requests[1].messages[-1]["content"]
    assert "renders a diagram that fails our checks" in prompt and "2" in prompt and "30" in prompt
    assert result.status == "ok"
    coder, engine = _coder([NO_LABELS, GOOD], renderer, repair_on_checks=False, givens_legend=False)
    (result,) = coder.run([PROBLEM])
    assert len(engine.requests) == 1 and result.status == "checks_failed"


def test_givens_legend_writes_what_is_still_missing_after_the_attempts(renderer):
    coder, engine = _coder([NO_LABELS], renderer, attempts=2)
    (result,) = coder.run([PROBLEM])
    assert len(engine.requests) == 2  # the model had its repair first
    *model_answers, legend = result.attempts
    assert all(c.label_recall == 0.0 and "givens_legend" not in c.fixes for c in model_answers)
    assert (
        legend.origin == "fix"
        and legend.fixes[-1] == "givens_legend"
        and legend.usage.completion_tokens == 0
    )
    drawn = [t.text for t in legend.scene.texts if t.kind != "tick"]
    assert drawn == ["Given: 2 kg; 30 degrees"] or any(
        t.startswith("Given: 2 kg; 30") for t in drawn
    ), drawn
    assert legend.label_recall == 1.0 and legend.status == "ok" and result.best is legend
    assert not legend.scene.outside and not legend.scene.overlaps  # the strip is under the drawing
    # off: the best stays the model's own diagram
    coder, _ = _coder([NO_LABELS], renderer, attempts=1, givens_legend=False)
    (result,) = coder.run([PROBLEM])
    assert result.status == "checks_failed" and all(
        "givens_legend" not in c.fixes for c in result.attempts
    )


def test_unparseable_answer_is_kept_and_asked_again(renderer):
    coder, engine = _coder(["I cannot draw this, sorry.", GOOD], renderer)
    (result,) = coder.run([PROBLEM])
    assert result.attempts[0].status == "no_code" and result.attempts[0].raw_text.startswith(
        "I cannot"
    )
    assert (
        "Answer in exactly this format" in engine.requests[1].messages[-1]["content"]
    )  # first prompt again
    assert result.status == "ok"


def test_plan_without_code_gets_its_plan_back_with_a_code_only_prompt(renderer):
    truncated = (
        "## Understanding\nA block on a ramp.\n## Plan\n### Image content\nThe ramp, the block, "
        "the weight.\n### Layout\nRamp from (0, 0) to (4, 2.3).\n### Labels\n2 kg\n30°\n"
        "### Drawing considerations\nNo normal force value.\n## Code\nThe program draws the "
    )
    coder, engine = _coder([{"text": truncated, "finish_reason": "length"}, GOOD], renderer)
    (result,) = coder.run([PROBLEM])
    first, second = result.attempts
    assert first.status == "no_code" and first.plan.layout.startswith("Ramp from")
    follow_up = engine.requests[1].messages[-1]["content"]
    assert "Plan for the diagram:" in follow_up and "Ramp from (0, 0) to (4, 2.3)." in follow_up
    assert "Answer in exactly this format" not in follow_up
    assert result.status == "ok" and second.attempt == 1


def test_code_only_follow_up_does_not_spend_an_attempt(renderer):
    plan_only = (
        "## Understanding\nA block on a ramp.\n## Plan\n### Image content\nThe ramp and the block.\n"
        "### Layout\nRamp from (0, 0) to (4, 2.3).\n### Labels\n2 kg\n30°\n"
        "### Drawing considerations\nNo answer.\n"
    )
    coder, engine = _coder([plan_only, GOOD], renderer, attempts=1)
    (result,) = coder.run([PROBLEM])
    assert [c.origin for c in result.attempts] == ["first", "code_only"] and result.status == "ok"
    assert result.slots[0].followups == 1
    # only one follow-up: a second plan-only answer ends a one-attempt budget
    coder, engine = _coder([plan_only, plan_only, GOOD], renderer, attempts=1)
    (result,) = coder.run([PROBLEM])
    assert len(engine.requests) == 2 and result.status == "no_code"
    coder, engine = _coder([plan_only, GOOD], renderer, attempts=1, plan_followup=False)
    (result,) = coder.run([PROBLEM])
    assert len(engine.requests) == 1 and result.status == "no_code"


def test_repair_that_repeats_the_error_starts_over_from_the_first_prompt(renderer):
    coder, engine = _coder(
        [BROKEN, BROKEN, GOOD], renderer, attempts=3, repair_temperature=0.6, sample_temperature=0.7
    )
    (result,) = coder.run([PROBLEM])
    assert [c.origin for c in result.attempts] == ["first", "repair", "restart"]
    assert result.attempts[0].render_error == result.attempts[1].render_error
    third = engine.requests[2]
    assert (
        "Answer in exactly this format" in third.messages[-1]["content"]
        and third.temperature == 0.7
    )
    assert result.status == "ok" and result.slots[0].restarts == 1
    # a repair that fails differently is repaired again
    other = BROKEN.replace("undefined_name + 1", "1 / 0")
    assert other != BROKEN
    coder, engine = _coder([BROKEN, other, GOOD], renderer, attempts=3)
    (result,) = coder.run([PROBLEM])
    assert [c.origin for c in result.attempts] == ["first", "repair", "repair"]
    assert "1 / 0" in engine.requests[2].messages[-1]["content"]
    # off: the same error is repaired again
    coder, engine = _coder(
        [BROKEN, BROKEN, GOOD], renderer, attempts=3, restart_on_same_error=False
    )
    (result,) = coder.run([PROBLEM])
    assert [c.origin for c in result.attempts] == ["first", "repair", "repair"]


def test_engine_error_becomes_a_row(renderer):
    coder, _ = _coder([{"error": "HTTP 500 after 5 attempts"}], renderer, attempts=1)
    (result,) = coder.run([PROBLEM])
    assert result.status == "engine_error" and "HTTP 500" in result.attempts[0].raw_text


def test_mechanical_fixes_are_recorded(renderer):
    three_d = (
        "```python\nimport numpy as np\nimport matplotlib.pyplot as plt\nfig = plt.figure()\n"
        "ax = fig.add_subplot(111)\nx = np.linspace(0, 1, 5)\nX, Y = np.meshgrid(x, x)\n"
        "ax.plot_surface(X, Y, X * Y)\nax.set_title('2 kg, 30')\n"
        "print(np.trapz([1, 2, 3]))\n```"
    )
    coder, engine = _coder([three_d], renderer, attempts=1)
    (result,) = coder.run([PROBLEM])
    best = result.best
    assert best.render_status == "ok", best.render_error
    assert "axes_3d" in best.fixes and "numpy2_names" in best.fixes
    assert len(engine.requests) == 1


def test_error_fix_rerenders_without_a_model_call(renderer):
    bad_format = (
        "```python\nimport matplotlib.pyplot as plt\nplt.plot([0, 1], [0, 1], 'b-o-')\n"
        "plt.text(0.2, 0.5, '2 kg')\nplt.text(0.6, 0.5, '30')\n```"
    )
    coder, engine = _coder([bad_format], renderer, attempts=1)
    (result,) = coder.run([PROBLEM])
    assert [c.origin for c in result.attempts] == ["first", "fix"]
    assert (
        result.attempts[0].render_status == "error"
        and "format string" in result.attempts[0].render_error
    )
    assert "format_string" in result.attempts[1].fixes and result.status == "ok"
    assert len(engine.requests) == 1


def test_best_of_n_samples_and_keeps_the_best(renderer):
    coder, engine = _coder(
        [NO_LABELS, GOOD], renderer, samples=2, attempts=1, sample_temperature=0.9
    )
    (result,) = coder.run([PROBLEM])
    assert [r.temperature for r in engine.requests] == [0.0, 0.9]
    assert {c.sample for c in result.attempts} == {0, 1}
    assert result.best.sample == 1 and result.best.label_recall == 1.0


def test_many_problems_go_to_the_engine_as_one_batch(renderer):
    problems = [PROBLEM.model_copy(update={"id": f"p{i}"}) for i in range(3)]
    calls = []

    class Recording(ScriptedEngine):
        def generate(self, requests):
            calls.append(len(requests))
            return super().generate(requests)

    cfg = CoderConfig(engine="scripted")
    results = ImgCoder(cfg, Recording(cfg, responses=[GOOD]), renderer).run(problems)
    assert calls == [3] and [r.problem.id for r in results] == ["p0", "p1", "p2"]


def test_quizgen_keeps_only_valid_quizzes():
    answer = (
        "<think>hmm</think>```json\n"
        + json.dumps(
            [
                {
                    "question": "What mass is labelled?",
                    "options": {"A": "1 kg", "B": "2 kg", "C": "3 kg", "D": "4 kg"},
                    "correct_option": "B",
                    "evidence": "mass 2 kg",
                },
                {
                    "question": "Angle?",
                    "options": {"A": "30", "B": "45", "C": "60"},
                    "correct_option": "A",
                    "evidence": "30 degrees",
                },
                {
                    "question": "Angle of the ramp?",
                    "options": {"A": "30°", "B": "45°", "C": "60°", "D": "90°"},
                    "correct_option": "A",
                    "evidence": "the ramp is steep",
                },
                {
                    "question": "Ramp angle?",
                    "options": ["30°", "45°", "60°", "90°"],
                    "correct_option": "a",
                    "evidence": "inclined at 30 degrees",
                },
            ]
        )
        + ",\n```"
    )
    result = parse_quizzes(answer, PROBLEM)
    assert [q.correct_option for q in result.quizzes] == ["B", "A"]
    reasons = [r for _, r in result.rejected]
    assert any("four options" in r for r in reasons) and any("evidence" in r for r in reasons)
    assert parse_quizzes("no json here", PROBLEM).status == "no_json"


def test_cli_imgcoder_writes_png_code_and_json(tmp_path, capsys):
    from sciray.cli.main import main

    problems = tmp_path / "p.jsonl"
    problems.write_text(PROBLEM.model_dump_json() + "\n")
    script = tmp_path / "answers.json"
    script.write_text(json.dumps([GOOD]))
    out = tmp_path / "out"
    args = [
        "imgcoder",
        "--problems",
        str(problems),
        "--out",
        str(out),
        "--set",
        "coder.engine=scripted",
        "--set",
        f"coder.script={script}",
        "--set",
        "render.timeout_s=10",
        "--set",
        "render.workers=1",
    ]
    assert main([*args, "--json"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["status"] == "ok" and line["label_recall"] == 1.0
    record = json.loads((out / "incline-1.json").read_text())
    assert record["plan"]["labels"].startswith("2 kg") and record["attempts"][0]["status"] == "ok"
    assert (out / "incline-1.png").read_bytes().startswith(b"\x89PNG") and "ax.text" in (
        out / "incline-1.py"
    ).read_text()
    assert main([*args, "--id", "incline-2"]) == 2
    assert "did you mean 'incline-1'" in capsys.readouterr().err


def test_rounds_split_across_processes_through_json(renderer):
    """The pipeline runs code_round and render_round in different actors: the state survives JSON."""
    from sciray.coder.imgcoder import CoderResult

    coder, engine = _coder([BROKEN, GOOD], renderer)
    coding_only = ImgCoder(coder.cfg, engine, renderer=None)
    rendering_only = ImgCoder(coder.cfg, engine=None, renderer=renderer)
    states = [CoderResult.start(PROBLEM, 1)]
    while not all(s.done for s in states):
        coding_only.code_round(states)
        states = [CoderResult.model_validate_json(s.model_dump_json()) for s in states]
        rendering_only.render_round(states)
        states = [CoderResult.model_validate_json(s.model_dump_json()) for s in states]
    (state,) = states
    assert state.status == "ok" and [c.origin for c in state.attempts] == ["first", "repair"]
    assert state.best.image.bytes.startswith(b"\x89PNG")
