"""The fine-tuning job: accepted shards -> Ray Data -> Ray Train workers (DDP or DeepSpeed ZeRO).

Runs the same on a laptop (``sciray train``, a local Ray started for the run) and on a cluster
(``ray job submit -- python -m sciray.cluster.train --data RUN --config F --out DIR``). The driver
reads and filters the shards with Ray Data, holds out evaluation questions, and starts a
``TorchTrainer``; each worker streams its share of the samples, builds batches with the model's
processor, trains, evaluates before and after, and reports metrics and checkpoints to Ray Train.
A rerun with the same ``train.storage_path`` and ``train.run_name`` resumes from the latest
checkpoint. The driver writes ``OUT/train_report.json``.

Only the Ray wiring lives here: the worker's training recipe is ``sciray.train.recipe`` and the
driver's row split, step count and report are ``sciray.train.plan`` (both Ray-free).
"""

from __future__ import annotations

import json
import os
import sys
import time
from contextlib import nullcontext
from typing import Any

from fsspec.core import url_to_fs

from sciray.config.models import SciRayConfig, TrainConfig
from sciray.errors import InternalError, UserError
from sciray.train.plan import (
    StepProgress,
    check_strategy,
    count_batch,
    holdout_enabled,
    row_split,
    run_report,
    total_steps,
    training_size,
    use_deepspeed,
)
from sciray.train.samples import LIGHT_COLUMNS, keep_row, row_to_samples
from sciray.train.shards import find_shards
from sciray.train.state import REPORT_FILE, STATE_FILE, TrainState, write_report

__all__ = ["build_datasets", "main", "run_training", "total_steps", "train_loop", "use_deepspeed"]


def build_datasets(cfg: TrainConfig, data: str):
    """(training dataset of samples, its sample count, evaluation samples, counts for the
    report)."""
    import ray

    paths = find_shards(data)
    holdout = holdout_enabled(cfg)
    counted = (
        ray.data.read_parquet(paths)
        .select_columns(LIGHT_COLUMNS)
        .map_batches(
            count_batch, fn_kwargs={"cfg": cfg, "holdout": holdout}, batch_format="pyarrow"
        )
        .take_all()
    )
    rows, samples = training_size(cfg, counted, data)

    columns = LIGHT_COLUMNS + ["image"]
    ds = (
        ray.data.read_parquet(paths)
        .select_columns(columns)
        .filter(lambda row: row_split(row, cfg, holdout) == "train")
    )
    if cfg.data.max_rows:
        ds = ds.limit(cfg.data.max_rows)
    # repeated inside one read (a union would read the shards once per copy); the workers'
    # local shuffle buffers spread the copies apart
    ds = ds.flat_map(lambda row: row_to_samples(row, cfg.data, cfg.seed) * cfg.data.repeat)

    eval_samples: list[dict] = []
    if cfg.eval.enabled:
        if cfg.eval.data:
            source = ray.data.read_parquet(
                find_shards(cfg.eval.data, "train.eval.data")
            ).select_columns(columns)
            source = source.filter(lambda row: keep_row(row, cfg.data))
        else:
            source = (
                ray.data.read_parquet(paths)
                .select_columns(columns)
                .filter(lambda row: row_split(row, cfg, holdout) == "eval")
            )
        eval_samples = (
            source.flat_map(lambda row: row_to_samples(row, cfg.data, cfg.seed, tasks=("qa",)))
            .limit(cfg.eval.max_rows)
            .take_all()
        )
    counts = {"train_rows": rows, "train_samples": samples, "eval_rows": len(eval_samples)}
    return ds, samples, eval_samples, counts


# ---------------------------------------------------------------- the worker


def _report(metrics: dict[str, Any], folder: str | None) -> None:
    """The recipe's reporter: metrics, and the checkpoint folder when there is one, to Ray Train."""
    import ray.train

    checkpoint = ray.train.Checkpoint.from_directory(folder) if folder is not None else None
    ray.train.report(metrics, checkpoint=checkpoint)


def _shard_batches(cfg: TrainConfig):
    """The recipe's ``batches(epoch)`` over this worker's Ray Data shard (fetched on first use)."""
    import ray.train

    shard = None

    def batches(epoch: int):
        nonlocal shard
        if shard is None:
            shard = ray.train.get_dataset_shard("train")
        for batch in shard.iter_batches(
            batch_size=cfg.micro_batch_size,
            batch_format="pyarrow",
            local_shuffle_buffer_size=cfg.data.shuffle_buffer or None,
            local_shuffle_seed=cfg.seed + epoch,
        ):
            yield batch.to_pylist()

    return batches


def train_loop(config: dict[str, Any]) -> None:
    """``train_loop_per_worker`` of the TorchTrainer: Ray Train's context, device, checkpoint,
    dataset shard and ``report`` wired into the plain recipe (``sciray.train.recipe``)."""
    import ray
    import ray.train
    import ray.train.torch
    import transformers

    from sciray.train.recipe import Recipe

    transformers.utils.logging.disable_progress_bar()
    cfg = TrainConfig.model_validate(config["train"])
    ctx = ray.train.get_context()
    recipe = Recipe(
        cfg,
        config["total_steps"],
        rank=ctx.get_world_rank(),
        world_size=ctx.get_world_size(),
        device=ray.train.torch.get_device(),
    )
    checkpoint = ray.train.get_checkpoint()
    if checkpoint is None and cfg.resume_from:
        checkpoint = ray.train.Checkpoint(cfg.resume_from)
    with checkpoint.as_directory() if checkpoint is not None else nullcontext() as folder:
        recipe.setup(folder, prepare_model=ray.train.torch.prepare_model)
    eval_samples = ray.get(config["eval_samples"]) if config.get("eval_samples") is not None else []
    recipe.run(_shard_batches(cfg), _report, eval_samples)


# ---------------------------------------------------------------- the driver


def _storage(cfg: TrainConfig, out: str) -> str:
    path = cfg.storage_path or out
    fs, _ = url_to_fs(path)
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return os.path.abspath(path) if protocol in ("file", "local") else path


def _user_error(exc: BaseException) -> UserError | None:
    """The UserError a worker raised (bad data or config seen only there), to exit 2 with its
    line."""
    for failure in getattr(exc, "worker_failures", {}).values():
        for candidate in (failure, getattr(failure, "cause", None), failure.__cause__):
            if isinstance(candidate, UserError):
                message = candidate.args[0] if candidate.args else str(candidate)
                return UserError(str(message).splitlines()[0])
    return None


def _read_state(checkpoint) -> TrainState:
    """The trainer state inside a checkpoint, read without downloading the weights."""
    with checkpoint.filesystem.open_input_stream(f"{checkpoint.path}/{STATE_FILE}") as f:
        return TrainState.model_validate_json(f.read().decode())


def _progress_callback(steps: int, enabled: bool):
    """Ray Train's callback (it runs in the controller) around the plain ``StepProgress``."""
    import ray.train

    class ReportProgress(ray.train.UserCallback):
        def __init__(self):
            self.shown = StepProgress(steps, enabled=enabled)

        def after_report(self, run_context, metrics, checkpoint) -> None:
            self.shown.on_report(metrics)

    return ReportProgress()


def run_training(cfg: SciRayConfig, data: str, out: str, progress: bool = True) -> dict[str, Any]:
    """Train, then write ``out/train_report.json``; returns the report."""
    import ray
    import ray.train
    from ray.train.torch import TorchTrainer

    from sciray.cluster.runtime import init_ray

    tcfg = cfg.train
    check_strategy(tcfg)
    started = time.time()
    find_shards(data)  # fail before starting Ray when the path is wrong
    init_ray(cfg.ray)
    ray.data.DataContext.get_current().enable_progress_bars = progress
    ds, samples, eval_samples, counts = build_datasets(tcfg, data)
    steps = total_steps(tcfg, samples)
    resources = dict(tcfg.resources_per_worker) or None
    scaling = ray.train.ScalingConfig(
        num_workers=tcfg.num_workers,
        use_gpu=tcfg.use_gpu,
        resources_per_worker=resources,
        accelerator_type=tcfg.accelerator_type,
    )
    run_config = ray.train.RunConfig(
        name=tcfg.run_name,
        storage_path=_storage(tcfg, out),
        checkpoint_config=ray.train.CheckpointConfig(num_to_keep=tcfg.keep_checkpoints),
        callbacks=[_progress_callback(steps, progress)],
    )
    trainer = TorchTrainer(
        train_loop,
        train_loop_config={
            "train": tcfg.model_dump(mode="json"),
            "total_steps": steps,
            "eval_samples": ray.put(eval_samples) if eval_samples else None,
        },
        scaling_config=scaling,
        run_config=run_config,
        datasets={"train": ds},
    )
    try:
        result = trainer.fit()
    except ray.train.TrainingFailedError as exc:
        user = _user_error(exc)
        if user is not None:
            raise user from None
        raise
    if result.checkpoint is None:
        raise InternalError(
            f"training finished without a checkpoint in {result.path}; see the worker logs above"
        )
    report = run_report(
        _read_state(result.checkpoint),
        result.checkpoint.path,
        tcfg,
        total_steps=steps,
        wall_seconds=round(time.time() - started, 2),
        counts=counts,
    )
    write_report(out, report)
    return report


def main(argv: list[str] | None = None) -> int:
    """``python -m sciray.cluster.train --data RUN --out DIR [--config F] [--set k=v]...``"""
    import argparse

    from sciray.config import load_config

    parser = argparse.ArgumentParser(
        prog="python -m sciray.cluster.train", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--data", required=True, help="run folder, shard folder, glob or file")
    parser.add_argument(
        "--out", required=True, help="folder for train_report.json (and checkpoints by default)"
    )
    parser.add_argument("--config", default=None)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args(argv)
    try:
        cfg = load_config(args.config, args.overrides)
        report = run_training(cfg, args.data, args.out)
    except UserError as exc:
        print(f"sciray: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({k: report[k] for k in ("steps", "loss_first", "loss_last", "checkpoint")}))
    print(f"wrote {args.out}/{REPORT_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
