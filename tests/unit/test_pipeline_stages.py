"""The synthesis stages and the run's bookkeeping as plain classes (no Ray): the cascade gate,
the judge stage, unfinished rows, what the output hash covers, shards written as work finishes."""

from __future__ import annotations

import glob
import json

import pytest

from sciray.coder.imgcoder import CoderResult
from sciray.config import load_config
from sciray.llm.scripted import ScriptedEngine
from sciray.pipeline.rows import (
    from_rows,
    new_row,
    read_state,
    read_verdict,
    to_rows,
    write_problem,
    write_state,
)
from sciray.pipeline.run import RunRecorder, output_config_hash
from sciray.pipeline.stages import ImgCoderStage, JudgeStage, ValidateStage
from sciray.testing import GOOD_ANSWER, INCLINE_QUESTION
from sciray.types import Problem

QUIZ = {
    "question": "What is the mass of the block?",
    "options": {"A": "1 kg", "B": "2 kg", "C": "3 kg", "D": "5 kg"},
    "correct_option": "B",
}


def _row(pid: str) -> dict:
    problem = Problem.model_validate(
        {
            "id": pid,
            "question": INCLINE_QUESTION,
            "image_type": "Physics - Mechanics",
            "quizzes": [QUIZ],
        }
    )
    row = new_row(problem_id=pid, kind="problem", source="t.jsonl:1")
    write_problem(row, problem)
    write_state(row, CoderResult.start(problem, 1))
    return row


@pytest.fixture(scope="module")
def coded_rows() -> list[dict]:
    """Two problems through the fused ImgCoder stage (scripted coder, the real sandbox)."""
    stage = ImgCoderStage(
        {"engine": "scripted", "attempts": 2},
        {"workers": 1, "timeout_s": 30},
        engine=ScriptedEngine(responses=[GOOD_ANSWER]),
    )
    try:
        rows = to_rows(stage(from_rows([_row("x"), _row("y")])))
    finally:
        stage.renderer.close()
    assert all(r["done"] and read_state(r).attempts for r in rows)
    return rows


def test_two_batches_at_once_in_one_stage_give_what_one_at_a_time_gives(coded_rows, monkeypatch):
    """``synth.coder.concurrent_batches`` runs a stage's batches in two threads of one actor:
    they share the engine and the render workers, and each row ends as it would alone; the
    renderers of a ``RendererSet`` start once however many threads ask for them."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    import sciray.render as render_pkg

    stage = ImgCoderStage(
        {"engine": "scripted", "attempts": 2},
        {"workers": 2, "timeout_s": 30},
        engine=ScriptedEngine(responses=[GOOD_ANSWER]),
    )
    try:
        batches = [from_rows([_row(f"{b}{i}") for i in range(3)]) for b in "abcd"]
        with ThreadPoolExecutor(2) as pool:
            outs = [to_rows(t) for t in pool.map(stage, batches)]
    finally:
        stage.renderer.close()
    alone = read_state(coded_rows[0]).best
    for rows in outs:
        assert [r["done"] for r in rows] == [True] * 3
        for row in rows:
            best = read_state(row).best
            assert (best.code, best.status, best.checks) == (alone.code, alone.status, alone.checks)

    started = []

    def slow_renderer(language, cfg=None, **kwargs):
        started.append(language)
        time.sleep(0.2)  # two threads asking at once both see it missing without the lock
        return object()

    monkeypatch.setattr(render_pkg, "make_renderer", slow_renderer)
    renderers = render_pkg.RendererSet("scene")
    barrier = threading.Barrier(2)

    def ask(_):
        barrier.wait()
        return renderers.for_language("scene")

    with ThreadPoolExecutor(2) as pool:
        got = list(pool.map(ask, range(2)))
    assert started == ["scene"] and got[0] is got[1]


def _copy(rows):
    return [dict(r) for r in rows]


def test_a_row_whose_repair_loop_did_not_finish_never_gets_a_verdict(coded_rows):
    row = dict(coded_rows[0], done=False)
    out = to_rows(ValidateStage({"require_checks": False})(from_rows([row, dict(coded_rows[1])])))
    assert out[0]["failed_stage"] == "coder" and "unfinished" in out[0]["error"]
    assert out[0]["verdict"] is None
    assert read_verdict(out[1]).accepted is True


def test_cascade_asks_the_vision_model_only_for_what_passed_the_cheap_gate(coded_rows):
    seen = {"vision": 0, "ocr": 0}

    def responder(request) -> str:
        content = request.messages[-1]["content"]
        if isinstance(content, list) and any(p.get("type") == "image_url" for p in content):
            seen["vision"] += 1
            return "B"
        seen["ocr"] += 1
        text = content if isinstance(content, str) else json.dumps(content)
        return "B" if "2 kg" in text and seen["ocr"] == 1 else "A"  # x passes the gate, y does not

    accept = {"min_r_inv": 1.0, "cascade": True, "min_cheap_r_inv": 0.5}
    stage = ValidateStage(
        accept, {"engine": "scripted", "mode": "vision"}, engine=ScriptedEngine(responder=responder)
    )
    out = to_rows(stage(from_rows(_copy(coded_rows))))
    verdicts = {r["problem_id"]: read_verdict(r).model_dump() for r in out}
    assert seen == {"ocr": 2, "vision": 1}  # one OCR answer each, the vision model once
    assert verdicts["x"]["accepted"] and verdicts["x"]["cascade"] == "vision"
    assert verdicts["x"]["r_inv"] == 1.0 and verdicts["x"]["cheap_r_inv"] == 1.0
    assert not verdicts["y"]["accepted"] and verdicts["y"]["cascade"] == "cheap"
    assert verdicts["y"]["r_inv"] is None and verdicts["y"]["reason"].startswith("cascade: cheap")


@pytest.mark.parametrize("threshold, accepted", [(None, True), (9, False), (8, True)])
def test_judge_stage_records_scores_and_decides_with_a_threshold(coded_rows, threshold, accepted):
    rows = to_rows(ValidateStage({"require_checks": False})(from_rows(_copy(coded_rows))))
    judge = JudgeStage(
        {"engine": "scripted"},
        {"min_judge_total": threshold},
        engine=ScriptedEngine(responses=["CF: 2\nLP: 1\nRO: 2\nSP: 2\nER: 1"]),
    )
    out = to_rows(judge(from_rows(rows)))
    for row in out:
        verdict = read_verdict(row).model_dump()
        assert verdict["judge"] == {"CF": 2, "LP": 1, "RO": 2, "SP": 2, "ER": 1}
        assert verdict["judge_total"] == 8 and verdict["accepted"] is accepted
        if not accepted:
            assert verdict["reason"] == "judge total 8 < 9" and verdict["stage"] == "judge"


def test_output_hash_covers_what_changes_outputs_and_nothing_else():
    base = output_config_hash(load_config(None, []))
    same = [
        "coder.timeout_s=5",
        "coder.base_url=http://127.0.0.1:9/v1",
        "coder.max_concurrency=2",
        "render.workers=3",
        "judge.model=other",  # the judge is off: its settings change nothing
        "validator.model=other",  # no quiz validation: nor do the validator's
        "ray.num_cpus=2",
        "synth.coder.batch_size=7",
    ]
    for override in same:
        assert output_config_hash(load_config(None, [override])) == base, override
    changed = [
        "coder.model=qwen2.5-coder-0.5b",
        "coder.attempts=2",
        "render.dpi=150",
        "synth.accept.require_checks=false",
        "judge.enabled=true",
    ]
    for override in changed:
        assert output_config_hash(load_config(None, [override])) != base, override
    judged = load_config(None, ["judge.enabled=true"])
    judged_other = load_config(None, ["judge.enabled=true", "judge.model=other"])
    assert output_config_hash(judged) != output_config_hash(judged_other)


def test_finished_rows_reach_a_shard_within_shard_flush_s(coded_rows, tmp_path):
    cfg = load_config(None, ["synth.shard_rows=1000", "synth.shard_flush_s=30"])
    rows = to_rows(ValidateStage({"require_checks": False})(from_rows(_copy(coded_rows))))
    recorder = RunRecorder(str(tmp_path / "run"), cfg, output_config_hash(cfg))
    start = recorder._last_flush
    assert recorder.add(rows[0]) == "accepted"
    recorder.checkpoint(start + 1)
    assert glob.glob(str(tmp_path / "run" / "accepted" / "part-*.parquet")) == []
    recorder.checkpoint(start + 31)  # 30 s later the finished row is on disk
    assert len(glob.glob(str(tmp_path / "run" / "accepted" / "part-*.parquet"))) == 1
    assert recorder.add(rows[1]) == "accepted"
    recorder.checkpoint(start + 32)  # not yet again
    assert len(glob.glob(str(tmp_path / "run" / "accepted" / "part-*.parquet"))) == 1


def test_stages_declare_columns_and_a_misordered_pipeline_fails_when_built():
    from sciray.pipeline.rows import SOURCE_COLUMNS
    from sciray.pipeline.stages import (
        CoderStage,
        QuizGenStage,
        RenderStage,
        check_stage_order,
    )

    check_stage_order(
        [QuizGenStage, CoderStage, RenderStage, ValidateStage, JudgeStage], SOURCE_COLUMNS
    )
    with pytest.raises(ValueError, match="stage 'judge' reads \\['verdict'\\]"):
        check_stage_order([ImgCoderStage, JudgeStage, ValidateStage], SOURCE_COLUMNS)
    with pytest.raises(ValueError, match="stage 'imgcoder' reads \\['state'\\]"):
        check_stage_order([ImgCoderStage], SOURCE_COLUMNS - {"state"})
    stage = ValidateStage({"min_r_inv": None}, {})
    with pytest.raises(KeyError, match="needs columns \\['done', 'images', 'problem', 'state'\\]"):
        stage({"problem_id": ["a"], "kind": ["problem"], "failed_stage": [None], "timings": [None]})


def test_pools_that_cannot_all_start_are_refused_before_the_run():
    from sciray.pipeline.run import check_fits, pool_demand

    split = load_config(None, ["synth.layout=split", "coder.attempts=3", "coder.mode=code"])
    # code mode: 4 rounds
    pools = pool_demand(split)
    assert list(pools) == [
        *(f"{stage}{r}" for r in range(1, 5) for stage in ("coder", "render")),
        "validate",
    ]
    why = check_fits(pools, {"CPU": 4.0}, autoscaling=False)
    assert why.startswith("the pipeline's 9 actor pools need 10 CPUs at their smallest")
    assert "synth.layout=fused" in why
    assert check_fits(pools, {"CPU": 4.0}, autoscaling=True) is None  # the nodes may come
    fused = load_config(None, [])
    assert check_fits(pool_demand(fused), {"CPU": 4.0}, autoscaling=False) is None
    gpu = load_config(
        None,
        [
            "synth.layout=split",
            "coder.engine=vllm",
            "coder.mode=code",
            "coder.attempts=1",
            "coder.plan_followup=false",
            "coder.tensor_parallel_size=2",
            "synth.coder.concurrency=[2, 4]",
            "synth.coder.num_cpus=0",
        ],
    )
    assert pool_demand(gpu)["coder1.1"] == {"CPU": 0.0, "GPU": 4.0}
    assert "need 4 GPUs" in check_fits(pool_demand(gpu), {"CPU": 16, "GPU": 2}, autoscaling=False)


def test_the_fused_stage_builds_the_visual_critic_from_the_validator_config(tmp_path):
    """``coder.critique_rounds``: the stage that renders holds the critic, built from the
    validator section (here a scripted vision model that misreads the mass once)."""
    script = tmp_path / "reader.jsonl"
    script.write_text(json.dumps({"text": "A"}) + "\n" + json.dumps({"text": "B"}) + "\n")
    stage = ImgCoderStage(
        {"engine": "scripted", "attempts": 2, "critique_rounds": 1},
        {"workers": 1, "timeout_s": 30},
        engine=ScriptedEngine(responses=[GOOD_ANSWER]),
        validator={"engine": "scripted", "mode": "vision", "script": str(script)},
    )
    try:
        (row,) = to_rows(stage(from_rows([_row("x")])))
    finally:
        stage.renderer.close()
    state = read_state(row)
    assert row["done"] and [a.origin for a in state.attempts] == ["first", "critique"]
    assert 'a reader of the picture read "1 kg"; the problem says "2 kg"' in (
        state.attempts[1].critique
    )


def _scene_row(pid: str) -> dict:
    """A problem without quizzes whose picture was drawn from a mechanics scene."""
    from sciray.types import Candidate

    problem = Problem(id=pid, question=INCLINE_QUESTION, image_type="Physics - Mechanical")
    scene = {
        "domain": "mechanics",
        "bodies": [
            {"name": "ramp", "kind": "incline", "angle_deg": 30, "angle_label": "30 degrees"},
            {"name": "block", "kind": "block", "on": "ramp", "label": "2 kg"},
        ],
    }
    state = CoderResult.start(problem, 1)
    state.attempts.append(
        Candidate(
            problem_id=pid,
            language="scene",
            status="ok",
            render_status="ok",
            code=json.dumps(scene),
            scene_spec=scene,
        )
    )
    state.slots[0].done = True
    row = new_row(problem_id=pid, kind="problem", source="t.jsonl:1")
    write_problem(row, problem)
    write_state(row, state)
    return row


def test_scene_quizgen_grounds_quizzes_in_the_drawn_scene():
    """``synth.quizgen_from=scene``: the prompt carries the scene, and a quiz whose correct
    option no label of the scene states is dropped (the picture could not answer it)."""
    from sciray.pipeline.stages import SceneQuizGenStage

    def quiz(question, options, correct):
        return {
            "question": question,
            "options": dict(zip("ABCD", options)),
            "correct_option": correct,
            "evidence": "mass 2 kg",
        }

    answer = json.dumps(
        [
            quiz("Mass written on the block?", ["1 kg", "2 kg", "3 kg", "4 kg"], "B"),
            quiz("Normal force drawn?", ["17 N", "20 N", "10 N", "0 N"], "A"),
        ]
    )
    engine = ScriptedEngine(responses=[answer])
    stage = SceneQuizGenStage({"engine": "scripted"}, engine=engine)
    (row,) = to_rows(stage(from_rows([_scene_row("x")])))
    prompt = engine.requests[0].messages[-1]["content"]
    assert '"angle_label":"30 degrees"' in prompt and "A block of mass 2 kg" in prompt
    quizzes = read_state(row).problem.quizzes
    assert [q.question for q in quizzes] == ["Mass written on the block?"]
