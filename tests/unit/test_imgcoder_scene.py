"""ImgCoder's scene mode: routing by image_type, constrained requests, invalid scenes repaired
like render errors, auto falling back to code; and the scene renderer in the real sandbox."""

from __future__ import annotations

import json
from typing import ClassVar, Literal

import pytest
from pydantic import Field, model_validator

from sciray.coder.imgcoder import ImgCoder
from sciray.config.models import CoderConfig, RenderConfig
from sciray.llm.scripted import ScriptedEngine
from sciray.render.result import RenderResult
from sciray.scene import SceneSpec, register
from sciray.testing import GOOD_ANSWER
from sciray.types import Problem


@register
class ToyScene(SceneSpec):
    """A test-only domain: one label in the middle of the canvas."""

    domain: Literal["toy"] = "toy"
    label: str = Field(max_length=40)
    """The one text to write."""

    image_types: ClassVar[tuple[str, ...]] = ("toy type",)

    def labels(self) -> list[str]:
        return [self.label]

    def draw(self, fig) -> None:
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, self.label, ha="center", va="center", fontsize=14)
        ax.set_axis_off()


@register
class ToyListScene(SceneSpec):
    """A test-only domain: a column of texts, none of which may start with '?'."""

    domain: Literal["toylist"] = "toylist"
    items: list[str] = Field(max_length=6)
    """The texts to write, top to bottom."""

    image_types: ClassVar[tuple[str, ...]] = ("toy list type",)

    @model_validator(mode="after")
    def _defined(self) -> ToyListScene:
        for i, text in enumerate(self.items):
            if text.startswith("?"):
                raise ValueError(f"items[{i}]: {text!r} is not defined")
        return self

    def labels(self) -> list[str]:
        return list(self.items)

    def draw(self, fig) -> None:
        ax = fig.add_subplot()
        for i, text in enumerate(self.items):
            ax.text(0.5, 0.8 - 0.2 * i, text, ha="center", fontsize=14)
        ax.set_axis_off()


class InProcessScenes:
    """The scene back-end without the sandbox (the toy domain exists only in this process)."""

    sandbox: ClassVar[list[str]] = []

    def render_many(self, codes):
        from sciray.scene import parse_scene
        from sciray.scene.measure import draw_and_measure

        out = []
        for code in codes:
            png, scene = draw_and_measure(parse_scene(code))
            out.append(RenderResult(status="ok", language="scene", png=png, scene=scene))
        return out


class Renderers:
    def __init__(self, python=None):
        self.scenes, self.python = InProcessScenes(), python

    def for_language(self, language):
        return self.scenes if language == "scene" else self.python


QUESTION = "A toy of mass m = 2 kg sits on a table. What is its weight?"


def _problem(image_type: str) -> Problem:
    return Problem(id="p", question=QUESTION, image_type=image_type)


def test_scene_mode_routes_constrains_and_repairs_an_invalid_scene():
    engine = ScriptedEngine(
        responses=[
            '{"domain": "toy", "label": "m = 2 kg", "colour": "red"}',  # unknown field
            '```json\n{"domain": "toy", "label": "m = 2 kg"}\n```',
        ]
    )
    cfg = CoderConfig(engine="scripted", mode="scene", attempts=2)
    (result,) = ImgCoder(cfg, engine, Renderers()).run([_problem("Toy Type")])
    first, second = result.attempts
    assert first.language == "scene" and first.status == "render_failed"
    assert first.render_failure.kind == "invalid_scene" and "colour" in first.render_error
    assert second.status == "ok" and second.scene_spec == {"domain": "toy", "label": "m = 2 kg"}
    assert second.image.bytes.startswith(b"\x89PNG") and second.label_recall == 1.0
    asked, repair = engine.requests
    assert asked.json_schema["properties"]["domain"]["const"] == "toy"  # the routed domain only
    assert "colour" in repair.messages[-1]["content"]  # the validation error goes back
    assert result.status == "ok" and result.best is second


def test_a_scene_cut_off_at_the_token_limit_is_named_as_such():
    engine = ScriptedEngine(
        responses=[
            {"text": '{"domain": "toy", "label": "m = 2', "finish_reason": "length"},
            '{"domain": "toy", "label": "m = 2 kg"}',
        ]
    )
    cfg = CoderConfig(engine="scripted", mode="scene", attempts=2)
    (result,) = ImgCoder(cfg, engine, Renderers()).run([_problem("Toy Type")])
    first, second = result.attempts
    assert first.render_failure.kind == "invalid_scene"
    assert "cut off at the token limit (coder.scene_max_tokens)" in first.render_error
    assert second.render_status == "ok"


def test_scene_mode_without_a_routed_domain_asks_the_model_to_pick_one():
    engine = ScriptedEngine(
        responses=['{"domain": "toy"}', '{"domain": "toy", "label": "m = 2 kg"}']
    )
    cfg = CoderConfig(engine="scripted", mode="scene", attempts=1)
    (result,) = ImgCoder(cfg, engine, Renderers()).run([_problem("Universal - Something Else")])
    pick, scene = engine.requests
    assert pick.max_tokens == 32 and "toy" in pick.json_schema["properties"]["domain"]["enum"]
    assert "none" in pick.json_schema["properties"]["domain"]["enum"]
    assert scene.json_schema["properties"]["domain"]["const"] == "toy"
    assert result.status == "ok" and result.slots[0].picked_domain == "toy"
    assert result.model_calls == 2 and cfg.max_rounds == 3  # the pick takes a round of its own


def test_a_pick_of_none_writes_code():
    from sciray.render import make_renderer

    engine = ScriptedEngine(responses=['{"domain": "none"}', GOOD_ANSWER])
    cfg = CoderConfig(engine="scripted", mode="scene", attempts=1, plan_followup=False)
    with make_renderer("python", RenderConfig(workers=1, timeout_s=30)) as python:
        (result,) = ImgCoder(cfg, engine, Renderers(python)).run([_problem("Other - Thing")])
    assert result.slots[0].picked_domain == ""
    assert [c.language for c in result.attempts] == ["python"]
    assert engine.requests[1].json_schema is None


def test_auto_mode_uses_code_where_no_domain_fits_and_falls_back_when_the_scene_fails():
    from sciray.render import make_renderer

    with make_renderer("python", RenderConfig(workers=1, timeout_s=30)) as python:
        renderers = Renderers(python)
        cfg = CoderConfig(engine="scripted", mode="auto", attempts=1, plan_followup=False)
        code_only = ScriptedEngine(responses=[GOOD_ANSWER])
        (result,) = ImgCoder(cfg, code_only, renderers).run([_problem("Physics - Optical")])
        assert [c.language for c in result.attempts] == ["python"]
        assert code_only.requests[0].json_schema is None

        engine = ScriptedEngine(responses=['{"domain": "toy"}', GOOD_ANSWER])  # no label
        (result,) = ImgCoder(cfg, engine, renderers).run([_problem("Toy Type")])
    scene_try, code_try = result.attempts
    assert scene_try.language == "scene" and scene_try.status == "render_failed"
    assert code_try.language == "python" and code_try.render_status == "ok"
    assert result.slots[0].fell_back and result.best is code_try
    assert cfg.max_rounds == 2  # the split layout unrolls the fallback's rounds too


@pytest.mark.parametrize("scene_attempts", [1, 2])
def test_auto_mode_spends_only_its_scene_attempts_before_code(scene_attempts):
    from sciray.render import make_renderer

    cfg = CoderConfig(
        engine="scripted",
        mode="auto",
        attempts=3,
        auto_scene_attempts=scene_attempts,
        plan_followup=False,
    )
    unlabelled = '{"domain": "toy"}'  # renders, but fails the checks: no label
    engine = ScriptedEngine(responses=[unlabelled] * scene_attempts + [GOOD_ANSWER])
    with make_renderer("python", RenderConfig(workers=1, timeout_s=30)) as python:
        (result,) = ImgCoder(cfg, engine, Renderers(python)).run([_problem("Toy Type")])
    languages = [c.language for c in result.attempts]
    assert languages == ["scene"] * scene_attempts + ["python"]
    assert result.model_calls == scene_attempts + 1 and result.status == "ok"
    assert cfg.max_rounds == scene_attempts + 3


@pytest.mark.timeout(120)
def test_the_scene_renderer_draws_in_the_sandbox_and_refuses_what_is_not_a_scene():
    """A real domain through the real fork-server: the JSON is data in a fixed program."""
    from sciray.render import make_renderer
    from sciray.scene import domains

    if not domains():
        pytest.skip("no scene domain is installed yet")
    name = "graph" if "graph" in domains() else sorted(domains())[0]
    if name != "graph":
        pytest.skip("this check uses the graph domain")
    scene = {
        "domain": "graph",
        "nodes": [{"name": "A"}, {"name": "B"}],
        "edges": [{"src": "A", "dst": "B", "label": "5"}],
    }
    hostile = json.dumps({"domain": 'graph")\nimport os\nos.system("id")\n#'})
    with make_renderer("scene", RenderConfig(timeout_s=60), workers=1) as renderer:
        ok, bad = renderer.render_many([json.dumps(scene), hostile])
    assert ok.status == "ok", ok.error
    assert ok.png.startswith(b"\x89PNG") and {"A", "B", "5"} <= {t.text for t in ok.scene.texts}
    assert bad.status == "error" and "unknown scene domain" in bad.error


def _scene_run(answers: list[dict], question: str, image_type: str):
    """One problem through scene mode, the model answering ``answers`` in turn (one attempt
    each): (its CoderResult, the engine with the requests it saw)."""
    engine = ScriptedEngine(responses=[json.dumps(a) for a in answers])
    cfg = CoderConfig(engine="scripted", mode="scene", attempts=len(answers))
    problem = Problem(id="p", question=question, image_type=image_type)
    (result,) = ImgCoder(cfg, engine, Renderers()).run([problem])
    return result, engine


def test_a_scene_takes_the_coefficients_its_problem_states():
    """The model's equation drew 1 O2 where the problem writes 3 O2: the candidate's scene, and
    so the row and the picture, carry the problem's coefficient."""
    answer = {
        "domain": "molecule",
        "reactants": [{"formula": "CH4"}, {"formula": "O2"}],
        "products": [{"formula": "CO2"}, {"formula": "H2O", "coefficient": 2}],
    }
    result, _engine = _scene_run(
        [answer],
        "Methane burns: CH4 + 2 O2 -> CO2 + 2 H2O. How much water forms from 3 g?",
        "Chemistry - Reaction Scheme",
    )
    (first,) = result.attempts
    coefficients = [sp.get("coefficient", 1) for sp in first.scene_spec["reactants"]]
    assert coefficients == [1, 2]
    assert '"coefficient":2' in first.code.replace(" ", "")


def test_notes_that_talk_about_the_task_are_not_drawn():
    """After a repair prompt the 1.5B coder wrote its reasoning into notes (seed 25); the
    candidate's scene, and so its picture, keeps only the notes that state something."""
    answer = {
        "domain": "molecule",
        "reactants": [{"formula": "CH4"}, {"formula": "O2", "coefficient": 2}],
        "products": [{"formula": "CO2"}, {"formula": "H2O", "coefficient": 2}],
        "notes": ["3 g of CH4", "The given values should be 3, not 2. The text"],
    }
    result, _engine = _scene_run(
        [answer],
        "Methane burns: CH4 + 2 O2 -> CO2 + 2 H2O. How much water forms from 3 g?",
        "Chemistry - Reaction Scheme",
    )
    (first,) = result.attempts
    assert first.scene_spec["notes"] == ["3 g of CH4"]
    assert "should be" not in first.code
    assert any(t.text.startswith("3 g of") for t in first.scene.texts)


def test_a_scene_that_contradicts_its_problem_fails_the_checks_and_is_repaired():
    chain = {
        "domain": "circuit",
        "components": [
            {"kind": "resistor", "name": "R1", "value": "4 Ω", "node_a": "a", "node_b": "b"},
            {"kind": "resistor", "name": "R2", "value": "6 Ω", "node_a": "b", "node_b": "c"},
        ],
    }
    parallel = {
        "domain": "circuit",
        "components": [{**c, "node_a": "a", "node_b": "b"} for c in chain["components"]],
    }
    result, engine = _scene_run(
        [chain, parallel],
        "Resistors of 4 Ω and 6 Ω are connected in parallel. Find the total resistance.",
        "Physics - Circuit",
    )
    first, second = result.attempts
    assert first.status == "checks_failed" and first.checks["matches_problem"] == 0.0
    assert any("'parallel'" in r for r in first.check_reasons)
    assert "'parallel'" in engine.requests[1].messages[-1]["content"]  # the repair is told
    assert second.status == "ok" and second.checks["matches_problem"] == 1.0


def test_a_scene_that_copies_the_worked_example_is_refused_and_repaired():
    """A small model that does not know what to draw answers with the prompt's example; that
    is no figure of this problem, so it is an invalid scene the repair names."""
    import json

    from sciray.scene.examples import EXAMPLES

    copied = {**EXAMPLES["plot"][-1][1], "title": "Hexagonal grid"}  # any of the examples
    own = {"domain": "plot", "curves": [{"expr": "x**3", "label": "$y = x^3$"}]}
    engine = ScriptedEngine(responses=[json.dumps(copied), json.dumps(own)])
    cfg = CoderConfig(engine="scripted", mode="scene", attempts=2)
    problem = Problem(id="p", question="Sketch y = x^3.", image_type="Universal - Plot & Chart")
    (result,) = ImgCoder(cfg, engine, Renderers()).run([problem])
    first, second = result.attempts
    assert first.render_failure.kind == "invalid_scene"
    assert "worked example's figure" in first.render_error
    assert second.scene_spec["curves"][0]["expr"] == "x**3"


def test_a_value_the_problem_does_not_state_is_cut_without_a_model_call():
    """The 1.5B coder labels what it computed ("a = 4.077e-8 cm" for a crystal whose density is
    given, seed 25); the scene is data, so the value is cut from its text and the scene drawn
    again, and no repair call is spent on it."""
    engine = ScriptedEngine(responses=['{"domain": "toy", "label": "m = 2 kg (g = 9.8)"}'])
    cfg = CoderConfig(engine="scripted", mode="scene", attempts=3)
    (result,) = ImgCoder(cfg, engine, Renderers()).run([_problem("Toy Type")])
    first, fixed = result.attempts
    assert first.status == "checks_failed" and first.checks["stated_values_only"] == 0.0
    assert fixed.origin == "fix" and fixed.fixes == ["stated_values"]
    assert fixed.scene_spec == {"domain": "toy", "label": "m = 2 kg"}
    assert fixed.status == "ok" and [t.text for t in fixed.scene.texts] == ["m = 2 kg"]
    assert len(engine.requests) == 1 and result.model_calls == 1
    assert result.best is fixed


def test_the_answer_drawn_in_a_scene_is_cut_without_a_model_call():
    question = "A toy of mass m = 2 kg sits on a table. What is its weight?"
    problem = Problem(id="p", question=question, image_type="Toy Type", answer="19.6 N")
    engine = ScriptedEngine(responses=['{"domain": "toy", "label": "m = 2 kg, W = 19.6 N"}'])
    cfg = CoderConfig(engine="scripted", mode="scene", attempts=2)
    (result,) = ImgCoder(cfg, engine, Renderers()).run([problem])
    first, fixed = result.attempts
    assert first.checks["no_answer_leak"] == 0.0
    assert fixed.scene_spec["label"] == "m = 2 kg, W" and fixed.status == "ok"
    assert len(engine.requests) == 1


@pytest.mark.parametrize("mode", ["scene", "auto"])
def test_a_scene_short_only_of_label_recall_gets_its_repairs_then_is_final(mode):
    """A scene that states nothing false but leaves a given value unshown gets
    coder.scene_recall_repairs repairs; then it is the problem's picture: no more calls, and
    auto does not replace it with code mode's."""
    short = '{"domain": "toy", "label": "toy"}'
    engine = ScriptedEngine(responses=[short, short, '{"domain": "toy", "label": "m = 2 kg"}'])
    cfg = CoderConfig(engine="scripted", mode=mode, attempts=3)
    (result,) = ImgCoder(cfg, engine, Renderers()).run([_problem("Toy Type")])
    assert [c.origin for c in result.attempts] == ["first", "repair"]
    assert all(c.checks["label_recall"] == 0.0 for c in result.attempts)
    assert len(engine.requests) == 2 and result.status == "checks_failed"
    assert result.best.language == "scene"
    engine = ScriptedEngine(responses=[short, '{"domain": "toy", "label": "m = 2 kg"}'])
    cfg = CoderConfig(engine="scripted", mode=mode, attempts=3, scene_recall_repairs=0)
    (result,) = ImgCoder(cfg, engine, Renderers()).run([_problem("Toy Type")])
    assert len(result.attempts) == 1 and len(engine.requests) == 1
    engine = ScriptedEngine(responses=[short, '{"domain": "toy", "label": "m = 2 kg"}'])
    cfg = CoderConfig(engine="scripted", mode=mode, attempts=3)
    (result,) = ImgCoder(cfg, engine, Renderers()).run([_problem("Toy Type")])
    assert [c.origin for c in result.attempts] == ["first", "repair"]
    assert result.status == "ok"


def test_an_invalid_scene_is_drawn_without_its_bad_items_before_any_repair():
    """The items a validation error names are left out (fix scene_salvage): no model call;
    a scene with nothing left is repaired by the model as before."""
    answer = '{"domain": "toylist", "items": ["m = 2 kg", "?g"]}'
    engine = ScriptedEngine(responses=[answer])
    cfg = CoderConfig(engine="scripted", mode="scene", attempts=3)
    (result,) = ImgCoder(cfg, engine, Renderers()).run([_problem("Toy List Type")])
    first, fixed = result.attempts
    assert first.render_failure.kind == "invalid_scene" and "items[1]" in first.render_error
    assert fixed.origin == "fix" and fixed.fixes == ["scene_salvage"]
    assert fixed.scene_spec == {"domain": "toylist", "items": ["m = 2 kg"]}
    assert fixed.render_failure is None and fixed.status == "ok"
    assert len(engine.requests) == 1 and result.best is fixed
    good = '{"domain": "toylist", "items": ["m = 2 kg"]}'
    engine = ScriptedEngine(responses=['{"domain": "toylist", "items": ["?m"]}', good])
    (result,) = ImgCoder(cfg, engine, Renderers()).run([_problem("Toy List Type")])
    assert [c.origin for c in result.attempts] == ["first", "repair"]
    assert len(engine.requests) == 2 and result.status == "ok"
    cfg = CoderConfig(engine="scripted", mode="scene", attempts=3, mechanical_fixes=False)
    engine = ScriptedEngine(responses=[answer, good])
    (result,) = ImgCoder(cfg, engine, Renderers()).run([_problem("Toy List Type")])
    assert [c.origin for c in result.attempts] == ["first", "repair"]
