"""LLM engines on Ray: an actor that hosts one engine (a vLLM engine on its GPUs, or any other),
and a client that makes the actor look like a plain ``Engine`` to ImgCoder.

``engine_actor_options`` reads the resources from config (a ``vllm`` engine gets ``num_gpus``;
the others run on CPU). For Ray Data pipelines the synthesis job can instead use Ray's own
``ray.data.llm`` processors, which batch across replicas themselves.
"""

from __future__ import annotations

from typing import Any

import ray

from sciray.config.models import LLMConfig
from sciray.llm import make_engine
from sciray.llm.base import ChatRequest, ChatResult


def engine_actor_options(cfg: LLMConfig) -> dict[str, Any]:
    """``ray.remote`` options for an engine actor built from ``cfg``."""
    if cfg.engine == "vllm":
        return {"num_gpus": cfg.num_gpus, "num_cpus": 1}
    return {"num_gpus": 0, "num_cpus": 1}


class EngineHost:
    """The plain class the actor wraps: builds the engine once, answers batches as dicts."""

    def __init__(self, cfg: dict[str, Any]):
        self.cfg = LLMConfig.model_validate(cfg)
        self.engine = make_engine(self.cfg)

    def info(self) -> dict[str, str]:
        return {"name": self.engine.name, "model": self.engine.model}

    def generate(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        results = self.engine.generate([ChatRequest.model_validate(r) for r in requests])
        return [r.model_dump(mode="json") for r in results]


EngineActor = ray.remote(max_restarts=1, max_task_retries=1)(EngineHost)


class RemoteEngine:
    """An ``Engine`` whose work runs in an ``EngineActor`` (possibly on a GPU node)."""

    def __init__(self, cfg: LLMConfig, actor=None):
        self.actor = actor or EngineActor.options(**engine_actor_options(cfg)).remote(
            cfg.model_dump(mode="json")
        )
        info = ray.get(self.actor.info.remote())
        self.name, self.model = info["name"], info["model"]

    def generate(self, requests: list[ChatRequest]) -> list[ChatResult]:
        raw = ray.get(self.actor.generate.remote([r.model_dump(mode="json") for r in requests]))
        return [ChatResult.model_validate(r) for r in raw]

    def close(self) -> None:
        ray.kill(self.actor)
