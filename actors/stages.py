"""The synthesis stages as Ray Data actor pools: ``map_batches`` arguments from config.

The stage classes themselves are the plain ones in ``sciray.pipeline.stages``; here only their
resources (concurrency fixed or [min, max], CPUs, GPUs, accelerator type, batch size) are set.
A GPU stage declares ``num_gpus`` and so never lands on a CPU-only node. Fault tolerance is Ray
Data's own: pool actors restart without limit and their in-flight batches are retried
(``max_restarts=-1``, ``max_task_retries=-1`` are its defaults for actor pools).
"""

from __future__ import annotations

from typing import Any

from sciray.config.models import SciRayConfig, StageResources


def stage_kwargs(resources: StageResources, constructor: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``Dataset.map_batches(StageClass, **kwargs)``."""
    from ray.data import ActorPoolStrategy

    concurrency = resources.concurrency
    if isinstance(concurrency, (list, tuple)):
        compute = ActorPoolStrategy(min_size=concurrency[0], max_size=concurrency[1])
    else:
        compute = ActorPoolStrategy(size=concurrency)
    kwargs: dict[str, Any] = {
        "fn_constructor_kwargs": constructor,
        "compute": compute,
        "num_cpus": resources.num_cpus,
        "batch_size": resources.batch_size,
        "batch_format": "default",
    }
    if resources.num_gpus:
        kwargs["num_gpus"] = resources.num_gpus
    if resources.accelerator_type:
        kwargs["accelerator_type"] = resources.accelerator_type
    return kwargs


def build_pipeline(ds, cfg: SciRayConfig, *, needs_quizzes: bool):
    """``ds`` (rows from ``sciray.cluster.source``) through quizgen, coder/render rounds and validation."""
    from sciray.pipeline.stages import (
        CoderStage,
        ImgCoderStage,
        QuizGenStage,
        RenderStage,
        ValidateStage,
    )

    coder = cfg.coder.model_dump(mode="json")
    render = cfg.render.model_dump(mode="json")
    retries = cfg.synth.stage_retries
    if needs_quizzes:
        ds = ds.map_batches(
            QuizGenStage, **stage_kwargs(cfg.synth.coder, {"coder": coder, "retries": retries})
        )
    workers = max(1, int(cfg.synth.render.num_cpus))
    if cfg.synth.layout == "fused":
        ds = ds.map_batches(
            ImgCoderStage,
            **stage_kwargs(
                cfg.synth.coder,
                {"coder": coder, "render": render, "retries": retries, "workers": workers},
            ),
        )
    else:
        for _ in range(
            cfg.coder.attempts
        ):  # the repair loop, unrolled: a finished row passes through
            ds = ds.map_batches(
                CoderStage, **stage_kwargs(cfg.synth.coder, {"coder": coder, "retries": retries})
            )
            ds = ds.map_batches(
                RenderStage,
                **stage_kwargs(
                    cfg.synth.render,
                    {"coder": coder, "render": render, "retries": retries, "workers": workers},
                ),
            )
    validate = {
        "accept": cfg.synth.accept.model_dump(mode="json"),
        "validator": cfg.validator.model_dump(mode="json"),
        "retries": retries,
    }
    return ds.map_batches(ValidateStage, **stage_kwargs(cfg.synth.validate_stage, validate))
