"""The split layout's vLLM coder on Ray's LLM processor: the per-row prompt (``ask``) and the
answer joined back (``answer``) give exactly what our ``CoderStage`` gives, without Ray or vLLM.
(The processor itself needs vLLM: ``tests/ray/test_synth.py`` checks how it is built.)"""

from __future__ import annotations

from sciray.coder.imgcoder import CoderResult
from sciray.config.models import CoderConfig
from sciray.llm.base import ChatRequest
from sciray.llm.scripted import ScriptedEngine
from sciray.pipeline.llm_processor import ASKED, answer, ask
from sciray.pipeline.rows import COLUMNS, from_rows, read_problem, read_state, to_rows, write_state
from sciray.pipeline.stages import CoderStage
from sciray.testing import GOOD_ANSWER
from tests.unit.test_pipeline_stages import _row as _one_sample_row

CODER = {"engine": "vllm", "model": "some/model", "attempts": 2, "samples": 2}


def _row(pid: str) -> dict:
    """A source row whose problem is drawn as two best-of-n samples."""
    row = _one_sample_row(pid)
    write_state(row, CoderResult.start(read_problem(row), 2))
    return row


def _engine_answer(asked: dict, engine: ScriptedEngine) -> dict:
    """What the processor's stages add to a row: the model's text and token counts."""
    params = asked["sampling_params"]
    request = ChatRequest(
        messages=asked["messages"],
        max_tokens=params["max_tokens"],
        temperature=params["temperature"],
        top_p=params["top_p"],
        seed=params.get("seed"),
    )
    (result,) = engine.generate([request])
    return {
        **asked,
        "generated_text": result.text,
        "num_generated_tokens": result.usage.completion_tokens,
        "num_input_tokens": result.usage.prompt_tokens,
    }


def _pending(row: dict) -> list[dict | None]:
    slots = [s.model_dump(mode="json") for s in read_state(row).slots]
    keep = ("code", "plan", "status", "origin", "fixes", "attempt", "sample", "finish_reason")
    return [{k: s["pending"][k] for k in keep} if s["pending"] else None for s in slots]


def test_ask_and_answer_give_what_the_coder_stage_gives():
    coder_json = CoderConfig.model_validate(CODER).model_dump_json()
    row = _row("x")
    via_stage = to_rows(
        CoderStage(CODER, engine=ScriptedEngine(responses=[GOOD_ANSWER]))(from_rows([dict(row)]))
    )[0]
    stage_requests = ScriptedEngine(responses=[GOOD_ANSWER])
    CoderStage(CODER, engine=stage_requests)(from_rows([dict(row)]))

    engine = ScriptedEngine(responses=[GOOD_ANSWER])
    out = dict(row)
    for sample in range(2):  # one processor per best-of-n sample
        asked = ask(out, coder_json, sample)
        assert asked[ASKED] == sample
        out = answer(_engine_answer(asked, engine), coder_json)
    assert set(out) == set(COLUMNS)  # the processor's own columns do not go on
    assert _pending(out) == _pending(via_stage)
    assert _pending(to_rows(from_rows([out]))[0]) == _pending(via_stage)  # typed on the wire
    assert [r.messages for r in engine.requests] == [r.messages for r in stage_requests.requests]
    assert [r.temperature for r in engine.requests] == [
        r.temperature for r in stage_requests.requests
    ]


def test_rows_with_nothing_to_ask_pass_as_idle_requests():
    coder_json = CoderConfig.model_validate(CODER).model_dump_json()
    done = {**_row("x"), "done": True}
    failed = {**_row("y"), "failed_stage": "quizgen", "error": "boom"}
    quarantined = {name: None for name in COLUMNS} | {"kind": "quarantined", "reason": "bad"}
    for row in (done, failed, quarantined):
        asked = ask(row, coder_json, 0)
        assert asked[ASKED] == -1 and asked["sampling_params"] == {"max_tokens": 1}
        back = answer({**asked, "generated_text": "whatever"}, coder_json)
        assert back == {name: row.get(name) for name in COLUMNS}
    # a sample already waiting for its render is not asked again
    first = answer(
        _engine_answer(ask(_row("z"), coder_json, 0), ScriptedEngine(responses=[GOOD_ANSWER])),
        coder_json,
    )
    assert ask(first, coder_json, 0)[ASKED] == -1 and ask(first, coder_json, 1)[ASKED] == 1


def test_engine_errors_and_cut_off_answers_become_the_candidates_status():
    coder_json = CoderConfig.model_validate(CODER).model_dump_json()
    asked = ask(_row("x"), coder_json, 0)
    failed = answer({**asked, "__inference_error__": "CUDA out of memory"}, coder_json)
    pending = _pending(failed)[0]
    assert pending["status"] == "engine_error" and pending["finish_reason"] == "error"
    limit = asked["sampling_params"]["max_tokens"]
    cut = answer(
        {**asked, "generated_text": GOOD_ANSWER[:200], "num_generated_tokens": limit},
        coder_json,
    )
    assert _pending(cut)[0]["finish_reason"] == "length"
