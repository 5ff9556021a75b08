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
    sizes = (
        {"min_size": concurrency[0], "max_size": concurrency[1]}
        if isinstance(concurrency, (list, tuple))
        else {"size": concurrency}
    )
    threads = resources.concurrent_batches
    compute = ActorPoolStrategy(
        **sizes,
        max_concurrent_calls_per_actor=threads,
        enable_true_multi_threading=threads > 1,
    )
    kwargs: dict[str, Any] = {
        "fn_constructor_kwargs": constructor,
        "compute": compute,
        "num_cpus": resources.num_cpus,
        "batch_size": resources.batch_size,
        "batch_format": "pyarrow",  # typed rows: struct columns stay Arrow
    }
    if resources.num_gpus:
        kwargs["num_gpus"] = resources.num_gpus
    if resources.accelerator_type:
        kwargs["accelerator_type"] = resources.accelerator_type
    return kwargs


def build_pipeline(ds, cfg: SciRayConfig, *, needs_quizzes: bool):
    """``ds`` (rows from ``sciray.cluster.source``) through quizgen, the coder/render rounds,
    validation and (with ``judge.enabled``) the judge.

    Problems travel in blocks of one coder batch (``synth.coder.batch_size``; 1 row by default),
    so a stage emits a problem's row as soon as its batch is done instead of holding it until
    the whole read block is through: a slow engine never stalls the stream, and finished rows
    reach the driver, and the shards, while the rest still runs. An actor pool bundles blocks
    into batches of its own ``batch_size``; blocks smaller than the coder's batch would only add
    per-block cost (a task, scheduling and serialization each).
    """
    from sciray.pipeline.rows import SOURCE_COLUMNS
    from sciray.pipeline.stages import (
        CoderStage,
        ImgCoderStage,
        JudgeStage,
        QuizGenStage,
        RenderStage,
        SceneQuizGenStage,
        ValidateStage,
        check_stage_order,
    )

    from_scene = cfg.synth.quizgen_from == "scene"
    order = [QuizGenStage] if needs_quizzes and not from_scene else []
    if cfg.synth.layout == "fused":
        order.append(ImgCoderStage)
    else:
        order += [CoderStage, RenderStage] * cfg.coder.max_rounds
    order += [SceneQuizGenStage] if needs_quizzes and from_scene else []
    order += [ValidateStage] + ([JudgeStage] if cfg.judge.enabled else [])
    check_stage_order(order, SOURCE_COLUMNS)

    ds = ds.repartition(target_num_rows_per_block=cfg.synth.coder.batch_size)
    coder = cfg.coder.model_dump(mode="json")
    render = cfg.render.model_dump(mode="json")
    retries = cfg.synth.stage_retries
    quizgen = {"coder": coder, "retries": retries}
    if needs_quizzes and not from_scene:
        ds = ds.map_batches(QuizGenStage, **stage_kwargs(cfg.synth.coder, quizgen))
    workers = max(1, int(cfg.synth.render.num_cpus))
    with_render = {"coder": coder, "render": render, "retries": retries, "workers": workers}
    if cfg.coder.critique_rounds:  # the visual critic judges pictures where they are rendered
        with_render["validator"] = cfg.validator.model_dump(mode="json")
    if cfg.synth.layout == "fused":
        ds = ds.map_batches(ImgCoderStage, **stage_kwargs(cfg.synth.coder, with_render))
    else:
        # ImgCoder's repair loop, unrolled as many rounds as ImgCoder may take (attempts plus
        # the plan follow-up); a finished row passes the later rounds untouched. A vLLM coder
        # runs on Ray's own LLM processor; the other engines in our CoderStage.
        for _ in range(cfg.coder.max_rounds):
            if cfg.coder.engine == "vllm":
                from sciray.pipeline.llm_processor import build_coder_processors

                for processor in build_coder_processors(cfg):
                    ds = processor(ds)
            else:
                coder_kwargs = {"coder": coder, "retries": retries}
                ds = ds.map_batches(CoderStage, **stage_kwargs(cfg.synth.coder, coder_kwargs))
            ds = ds.map_batches(RenderStage, **stage_kwargs(cfg.synth.render, with_render))
    if needs_quizzes and from_scene:
        ds = ds.map_batches(SceneQuizGenStage, **stage_kwargs(cfg.synth.coder, quizgen))
    accept = cfg.synth.accept.model_dump(mode="json")
    validate = {
        "accept": accept,
        "validator": cfg.validator.model_dump(mode="json"),
        "retries": retries,
    }
    ds = ds.map_batches(ValidateStage, **stage_kwargs(cfg.synth.validate_stage, validate))
    if cfg.judge.enabled:
        judge = {"judge": cfg.judge.model_dump(mode="json"), "accept": accept, "retries": retries}
        ds = ds.map_batches(JudgeStage, **stage_kwargs(cfg.synth.validate_stage, judge))
    return ds
