"""The ``vllm`` engine: an in-process vLLM ``LLM`` (GPU), batched through ``LLM.chat``.

vLLM is imported when the engine is built, never at import time, so CPU installs (where vLLM
cannot be installed) import this module fine. The fused pipeline and Serve host it in their own
actors; the split pipeline's coder runs on Ray's own ``ray.data.llm`` vLLM processor instead
(``sciray.pipeline.llm_processor``), which batches and schedules across replicas itself.
"""

from __future__ import annotations

import time
from typing import Any

from sciray.llm.base import ChatRequest, ChatResult, EngineConfigError
from sciray.types import TokenUsage


def engine_kwargs(cfg) -> dict[str, Any]:
    """``vllm.LLM`` keyword arguments from an ``LLMConfig`` (pure, tested on CPU)."""
    kwargs: dict[str, Any] = {
        "model": cfg.model,
        "tensor_parallel_size": cfg.tensor_parallel_size,
        "gpu_memory_utilization": cfg.gpu_memory_utilization,
        "seed": cfg.seed or 0,
        "trust_remote_code": False,
    }
    if cfg.max_model_len:
        kwargs["max_model_len"] = cfg.max_model_len
    return kwargs


def sampling_kwargs(request: ChatRequest) -> dict[str, Any]:
    """``vllm.SamplingParams`` keyword arguments for one request (pure, tested on CPU)."""
    kwargs: dict[str, Any] = {
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "top_p": request.top_p if request.temperature > 0 else 1.0,
    }
    if request.stop:
        kwargs["stop"] = list(request.stop)
    if request.seed is not None:
        kwargs["seed"] = request.seed
    if request.json_schema is not None:
        # the key Ray's vLLM processor reads too; VLLMEngine turns it into vLLM's own params
        kwargs["structured_outputs"] = {"json": request.json_schema}
    return kwargs


def sampling_params(kwargs: dict[str, Any]):
    """``vllm.SamplingParams`` from ``sampling_kwargs`` (structured outputs as vLLM's class)."""
    from vllm import SamplingParams

    kwargs = dict(kwargs)
    structured = kwargs.pop("structured_outputs", None)
    if structured is not None:
        from vllm.sampling_params import StructuredOutputsParams

        kwargs["structured_outputs"] = StructuredOutputsParams(**structured)
    return SamplingParams(**kwargs)


def to_result(output, request: ChatRequest, latency_ms: float) -> ChatResult:
    """A vLLM ``RequestOutput`` as a ``ChatResult``."""
    if not output.outputs:
        return ChatResult.failed("vLLM returned no completion", request.request_id, latency_ms)
    completion = output.outputs[0]
    finish = completion.finish_reason if completion.finish_reason in ("stop", "length") else "stop"
    usage = TokenUsage(
        prompt_tokens=len(output.prompt_token_ids or []),
        completion_tokens=len(completion.token_ids or []),
    )
    return ChatResult(
        text=completion.text,
        finish_reason=finish,
        usage=usage,
        latency_ms=latency_ms,
        request_id=request.request_id,
    )


class VLLMEngine:
    """vLLM in this process; needs CUDA and the ``gpu`` extra."""

    name = "vllm"

    def __init__(self, cfg, *, llm=None):
        self.cfg = cfg
        self.model = cfg.model
        if llm is None:
            try:
                from vllm import LLM
            except ImportError:
                raise EngineConfigError(
                    "the vllm engine needs vLLM and a GPU: pip install 'sciray[gpu]' "
                    "(on CPU use coder.engine=local or openai)"
                ) from None
            llm = LLM(**engine_kwargs(cfg))
        self._llm = llm

    def generate(self, requests: list[ChatRequest]) -> list[ChatResult]:
        if not requests:
            return []
        started = time.perf_counter()
        outputs = self._llm.chat(
            [r.messages for r in requests],
            [sampling_params(sampling_kwargs(r)) for r in requests],
            use_tqdm=False,
        )
        latency = (time.perf_counter() - started) * 1000
        return [to_result(o, r, latency) for o, r in zip(outputs, requests)]

    def close(self) -> None:
        self._llm = None
