"""The split layout's vLLM coder on Ray's own LLM processor (``ray.data.llm``).

Continuous batching, tensor parallelism, placement groups and engine replicas are the
processor's job; SciRay supplies what only it knows: the prompt for a row's next answer
(``ask``) and how the answer joins the row's ImgCoder state (``answer``). Both are pure
functions of one row, tested without Ray or vLLM against the ``CoderStage`` they replace.

A processor makes one request per row, so a coder round unrolls one processor per best-of-n
sample (``coder.samples``): processor ``k`` asks for sample ``k`` only. A row with nothing to
ask (finished, failed, quarantined, or sample ``k`` already waiting or done) still passes the
engine, as a one-token request whose answer is dropped: filtering it out and joining it back in
would end the stream's order-free streaming with a shuffle.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sciray.config.models import CoderConfig, SciRayConfig
from sciray.llm.base import ChatResult
from sciray.pipeline.rows import COLUMNS, active, read_state, write_state
from sciray.types import TokenUsage

ASKED = "sciray_asked"
"""The row column naming the sample this row asked for (-1: nothing asked)."""

_IDLE = {"messages": [{"role": "user", "content": "."}], "sampling_params": {"max_tokens": 1}}


@lru_cache(maxsize=4)
def _coder(coder_json: str):
    from sciray.coder.imgcoder import ImgCoder

    return ImgCoder(CoderConfig.model_validate_json(coder_json), engine=None, renderer=None)


def _slot_asking(row: dict[str, Any], coder_json: str, sample: int):
    if not active(row) or row.get("done"):
        return None, None
    state = read_state(row)
    for result, slot in _coder(coder_json).asking([state]):
        if slot.sample == sample:
            return state, (result, slot)
    return state, None


def ask(row: dict[str, Any], coder_json: str, sample: int) -> dict[str, Any]:
    """``preprocess``: the row plus the chat request for its sample ``sample`` (or an idle one)."""
    from sciray.llm.vllm_engine import sampling_kwargs

    state, asking = _slot_asking(row, coder_json, sample)
    if asking is None:
        return {**row, **_IDLE, ASKED: -1}
    result, slot = asking
    request = _coder(coder_json).request(result.problem, slot)
    return {
        **row,
        "messages": [dict(m) for m in request.messages],
        "sampling_params": sampling_kwargs(request),
        ASKED: sample,
    }


def _chat_result(row: dict[str, Any]) -> ChatResult:
    error = row.get("__inference_error__")
    if error:
        return ChatResult.failed(f"vLLM: {str(error)[:500]}")
    generated = int(row.get("num_generated_tokens") or 0)
    limit = (row.get("sampling_params") or {}).get("max_tokens")
    return ChatResult(
        text=row.get("generated_text") or "",
        finish_reason="length" if limit and generated >= limit else "stop",
        usage=TokenUsage(
            prompt_tokens=int(row.get("num_input_tokens") or 0), completion_tokens=generated
        ),
    )


def answer(row: dict[str, Any], coder_json: str) -> dict[str, Any]:
    """``postprocess``: the engine's answer joined to the row's ImgCoder state (the candidate
    waits for the render stage, as after ``CoderStage``); only the pipeline's columns go on."""
    out = {name: row.get(name) for name in COLUMNS}
    sample = row.get(ASKED, -1)
    if sample is None or sample < 0:
        return out
    state, asking = _slot_asking(out, coder_json, sample)
    if asking is None:  # cannot happen: ask() saw the same state
        return out
    _coder(coder_json).take_answers([asking], [_chat_result(row)])
    write_state(out, state)
    return out


def processor_config(cfg: SciRayConfig):
    """The ``vLLMEngineProcessorConfig`` of the coder: ``coder.*`` says which model and how
    many GPUs per replica (``coder.tensor_parallel_size``), ``synth.coder`` how many replicas,
    the batch size and the accelerator type."""
    from ray.data.llm import vLLMEngineProcessorConfig

    from sciray.llm.vllm_engine import engine_kwargs

    kwargs = engine_kwargs(cfg.coder)
    model = kwargs.pop("model")
    stage = cfg.synth.coder
    return vLLMEngineProcessorConfig(
        model_source=model,
        engine_kwargs=kwargs,
        concurrency=stage.concurrency,
        batch_size=stage.batch_size,
        accelerator_type=stage.accelerator_type,
        should_continue_on_error=True,  # a failed request is that row's engine_error, not the run's
    )


def build_coder_processors(cfg: SciRayConfig) -> list:
    """One ``ray.data.llm`` processor per best-of-n sample: apply them in order for one
    coder half-round."""
    from ray.data.llm import build_processor

    config = processor_config(cfg)
    coder_json = cfg.coder.model_dump_json()
    return [
        build_processor(
            config,
            preprocess=lambda row, k=k: ask(row, coder_json, k),
            postprocess=lambda row: answer(row, coder_json),
        )
        for k in range(cfg.coder.samples)
    ]
