"""The fine-tuning job: accepted shards -> Ray Data -> Ray Train workers (DDP or DeepSpeed ZeRO).

Runs the same on a laptop (``sciray train``, a local Ray started for the run) and on a cluster
(``ray job submit -- python -m sciray.cluster.train --data RUN --config F --out DIR``). The driver
reads and filters the shards with Ray Data, holds out evaluation questions, and starts a
``TorchTrainer``; each worker streams its share of the samples, builds batches with the model's
processor, trains, evaluates before and after, and reports metrics and checkpoints to Ray Train.
A rerun with the same ``train.storage_path`` and ``train.run_name`` resumes from the latest
checkpoint. The driver writes ``OUT/train_report.json``.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import time
from contextlib import nullcontext
from typing import Any

from fsspec.core import url_to_fs

from sciray.config.models import SciRayConfig, TrainConfig
from sciray.errors import InternalError, UserError
from sciray.train.samples import LIGHT_COLUMNS, is_holdout, keep_row, row_tasks, row_to_samples
from sciray.train.shards import find_shards
from sciray.train.state import REPORT_FILE, STATE_FILE, TrainState, build_report, write_report


def use_deepspeed(cfg: TrainConfig, cuda: bool) -> bool:
    """DeepSpeed when asked for and the workers have CUDA (or CPU is explicitly allowed)."""
    return cfg.deepspeed.enabled and (cuda or cfg.deepspeed.allow_cpu)


def _row_split(row: dict[str, Any], cfg: TrainConfig, holdout: bool) -> str | None:
    """'train', 'eval' or None (filtered out) for one shard row."""
    if not keep_row(row, cfg.data):
        return None
    if holdout and is_holdout(str(row.get("problem_id")), cfg.eval.holdout_share, cfg.seed):
        return "eval"
    return "train"


def _count_batch(batch, cfg: TrainConfig, holdout: bool) -> dict[str, list[int]]:
    """Per-batch counts of kept rows and training samples (for the epoch length and early errors)."""
    rows = samples = evals = 0
    for row in batch.to_pylist():
        split = _row_split(row, cfg, holdout)
        if split == "train":
            rows += 1
            samples += len(row_tasks(row, cfg.data, cfg.seed))
        elif split == "eval":
            evals += 1
    return {"rows": [rows], "samples": [samples], "eval_rows": [evals]}


def build_datasets(cfg: TrainConfig, data: str):
    """(training dataset of samples, its sample count, evaluation samples, counts for the report)."""
    import ray

    paths = find_shards(data)
    holdout = cfg.eval.enabled and not cfg.eval.data and cfg.eval.holdout_share > 0
    counted = (
        ray.data.read_parquet(paths)
        .select_columns(LIGHT_COLUMNS)
        .map_batches(
            _count_batch, fn_kwargs={"cfg": cfg, "holdout": holdout}, batch_format="pyarrow"
        )
        .take_all()
    )
    rows = sum(c["rows"] for c in counted)
    samples = sum(c["samples"] for c in counted)
    if rows == 0 or samples == 0:
        d = cfg.data
        raise UserError(
            f"no accepted rows with a question and an answer in {data} after the filters "
            f"(train.data.min_r_inv={d.min_r_inv}, train.data.subjects={d.subjects or 'all'}, "
            f"train.eval.holdout_share={cfg.eval.holdout_share if holdout else 0}); relax them or "
            "point --data at a run with accepted rows"
        )
    if cfg.data.max_rows and rows > cfg.data.max_rows:
        samples = math.ceil(samples * cfg.data.max_rows / rows)
        rows = cfg.data.max_rows
    samples *= cfg.data.repeat
    if samples < cfg.num_workers * cfg.micro_batch_size:
        raise UserError(
            f"{samples} training samples cannot fill one micro-batch of {cfg.micro_batch_size} on each "
            f"of {cfg.num_workers} workers; raise train.data.repeat or lower train.num_workers"
        )

    columns = LIGHT_COLUMNS + ["image"]
    ds = (
        ray.data.read_parquet(paths)
        .select_columns(columns)
        .filter(lambda row: _row_split(row, cfg, holdout) == "train")
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
                .filter(lambda row: _row_split(row, cfg, holdout) == "eval")
            )
        eval_samples = (
            source.flat_map(lambda row: row_to_samples(row, cfg.data, cfg.seed, tasks=("qa",)))
            .limit(cfg.eval.max_rows)
            .take_all()
        )
    counts = {"train_rows": rows, "train_samples": samples, "eval_rows": len(eval_samples)}
    return ds, samples, eval_samples, counts


def total_steps(cfg: TrainConfig, samples: int) -> int:
    """Optimizer steps of the whole run: max_steps, else epochs over each worker's equal share."""
    if cfg.max_steps:
        return cfg.max_steps
    per_worker = samples // cfg.num_workers
    return max(1, cfg.epochs * math.ceil(per_worker / cfg.micro_batch_size) // cfg.grad_accum)


# ---------------------------------------------------------------- the worker


class _Worker:
    """One Ray Train worker's model, optimizer and loop (DDP or DeepSpeed)."""

    def __init__(self, config: dict[str, Any]):
        import ray.train
        import ray.train.torch
        import torch

        from sciray.train.model import load_model, resolve_model_path
        from sciray.train.processor import load_processor

        self.cfg = TrainConfig.model_validate(config["train"])
        self.total = config["total_steps"]
        ctx = ray.train.get_context()
        self.rank, self.world = ctx.get_world_rank(), ctx.get_world_size()
        self.device = ray.train.torch.get_device()
        if self.device.type == "cuda":
            torch.cuda.set_device(self.device)  # DeepSpeed places the model on the current device
        self.deepspeed = use_deepspeed(self.cfg, torch.cuda.is_available())
        torch.manual_seed(self.cfg.seed)
        self.model_path = resolve_model_path(self.cfg.model, self.cfg.seed)
        self.processor = load_processor(
            self.model_path, min_pixels=self.cfg.min_pixels, max_pixels=self.cfg.max_pixels
        )
        # DeepSpeed keeps fp32 master weights itself; DDP trains fp32 weights under bf16 autocast
        self.model = load_model(
            self.cfg, self.model_path, bf16_weights=self.deepspeed and self.cfg.bf16
        )
        self.state = TrainState(
            strategy=f"deepspeed-zero{self.cfg.deepspeed.zero_stage}" if self.deepspeed else "ddp"
        )
        checkpoint = ray.train.get_checkpoint()
        if checkpoint is None and self.cfg.resume_from:
            checkpoint = ray.train.Checkpoint(self.cfg.resume_from)
        (self._setup_deepspeed if self.deepspeed else self._setup_ddp)(checkpoint)
        if checkpoint is not None:
            self.state.resumed_from_step = self.state.step

    # -- set-up

    def _read_state(self, folder: str) -> None:
        path = os.path.join(folder, STATE_FILE)
        if os.path.exists(path):
            with open(path) as f:
                self.state = TrainState.model_validate_json(f.read())

    def _setup_ddp(self, checkpoint) -> None:
        import ray.train.torch
        import torch

        from sciray.train.model import load_trainable, lr_lambda, trainable_parameters

        restored = None
        if checkpoint is not None:
            with checkpoint.as_directory() as folder:
                restored = load_trainable(self.model, folder)
                self._read_state(folder)
        self.net = ray.train.torch.prepare_model(self.model)
        self.module = self.net.module if hasattr(self.net, "module") else self.net
        self.optimizer = torch.optim.AdamW(
            trainable_parameters(self.module), lr=self.cfg.lr, weight_decay=self.cfg.weight_decay
        )
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lr_lambda(self.cfg, self.total)
        )
        if restored is not None:
            self.optimizer.load_state_dict(restored["optimizer"])
            self.scheduler.load_state_dict(restored["scheduler"])

    def _setup_deepspeed(self, checkpoint) -> None:
        import deepspeed
        import torch

        from sciray.train.deepspeed_config import build_deepspeed_config
        from sciray.train.model import lr_lambda, trainable_parameters

        ds_config = build_deepspeed_config(self.cfg)
        params = trainable_parameters(self.model)
        optimizer = (
            None
            if "optimizer" in ds_config
            else torch.optim.AdamW(params, lr=self.cfg.lr, weight_decay=self.cfg.weight_decay)
        )
        schedule = lr_lambda(self.cfg, self.total)
        self.net, self.optimizer, _, self.scheduler = deepspeed.initialize(
            model=self.model,
            model_parameters=params,
            optimizer=optimizer,
            config=ds_config,
            lr_scheduler=lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, schedule),
        )
        self.module = self.net.module
        self.device = self.net.device
        if checkpoint is not None:
            with checkpoint.as_directory() as folder:
                self.net.load_checkpoint(folder, tag="deepspeed")
                self._read_state(folder)

    # -- collectives

    def _all_sum(self, values: list[float]) -> list[float]:
        import torch
        import torch.distributed as dist

        if self.world == 1 or not dist.is_initialized():
            return values
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        dist.all_reduce(t)
        return t.tolist()

    def _gather(self, rows: list) -> list:
        import torch.distributed as dist

        if self.world == 1 or not dist.is_initialized():
            return rows
        parts: list = [None] * self.world
        dist.all_gather_object(parts, rows)
        return [r for part in parts for r in part]

    # -- evaluation

    def evaluate(self, samples: list[dict]) -> tuple[dict, list[dict]]:
        """Every worker answers its slice; ZeRO-3 needs every worker in every generate call, so
        slices are padded to the same length there and the padding is dropped."""
        from sciray.train.evaluate import generate_answers, grade_samples, summarize

        mine = samples[self.rank :: self.world]
        synced = self.deepspeed and self.cfg.deepspeed.zero_stage == 3 and self.world > 1
        padded = (
            mine + samples[:1] * (math.ceil(len(samples) / self.world) - len(mine))
            if synced
            else mine
        )
        self.module.eval()
        answers = (
            generate_answers(
                self.module,
                self.processor,
                padded,
                max_new_tokens=self.cfg.eval.max_new_tokens,
                batch_size=self.cfg.eval.batch_size,
                synced_gpus=synced,
            )
            if padded
            else []
        )
        self.module.train()
        rows = self._gather(grade_samples(mine, answers[: len(mine)], self.cfg.eval.rel_tol))
        return summarize(rows), rows

    # -- checkpoints

    def _checkpoint(self, final: bool):
        """Write a checkpoint into a temporary folder; returns (folder, Checkpoint), the Checkpoint
        None on workers that contribute nothing (DDP ranks other than 0). The final one also
        exports the model (LoRA adapters merged into it) with its processor to ``model/``."""
        import ray.train

        from sciray.train.model import save_processor, save_trainable

        folder = tempfile.mkdtemp(prefix="sciray-ckpt-")
        if self.deepspeed:
            self.net.save_checkpoint(folder, tag="deepspeed")  # every rank writes its shards
            if final:
                self._export_deepspeed(os.path.join(folder, "model"))
        elif self.rank == 0:
            save_trainable(self.module, self.optimizer, self.scheduler, folder)
            if final:  # the last use of the weights: merging the adapters in place is fine
                export = self.module.merge_and_unload() if self.cfg.lora.enabled else self.module
                export.save_pretrained(os.path.join(folder, "model"))
        if self.rank == 0:
            with open(os.path.join(folder, STATE_FILE), "w") as f:
                f.write(self.state.model_dump_json())
            if final:
                save_processor(self.processor, os.path.join(folder, "model"))
        if self.rank != 0 and not self.deepspeed:
            return folder, None
        return folder, ray.train.Checkpoint.from_directory(folder)

    def _export_deepspeed(self, folder: str) -> None:
        if self.cfg.deepspeed.zero_stage == 3:
            self.net.save_16bit_model(folder)  # gathers the shards; rank 0 writes
            if self.rank == 0:
                self.module.config.save_pretrained(folder)
        elif self.rank == 0:
            self.module.save_pretrained(folder)

    def report(
        self, metrics: dict[str, Any], checkpoint: bool = False, final: bool = False
    ) -> None:
        import shutil

        import ray.train

        if not checkpoint:
            ray.train.report(metrics)
            return
        folder, ckpt = self._checkpoint(final)
        try:
            ray.train.report(metrics, checkpoint=ckpt)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    # -- training

    def run(self, eval_samples: list[dict]) -> None:
        import ray.train

        cfg, state = self.cfg, self.state
        if eval_samples and state.eval_before is None:
            state.eval_before, state.eval_rows_before = self.evaluate(eval_samples)
        shard = ray.train.get_dataset_shard("train")
        start_step = state.step
        window: list[float] = [0.0] * 5  # loss sum, micro-batches, samples, tokens, answer tokens
        started = time.perf_counter()
        while state.step < self.total:
            batches = 0
            for batch in shard.iter_batches(
                batch_size=cfg.micro_batch_size,
                batch_format="pyarrow",
                local_shuffle_buffer_size=cfg.data.shuffle_buffer or None,
                local_shuffle_seed=cfg.seed + state.epoch,
            ):
                batches += 1
                boundary = self._micro_step(batch.to_pylist(), window)
                if not boundary:
                    continue
                now = time.perf_counter()
                loss_sum, micro, samples, tokens, answer_tokens = self._all_sum(window)
                if answer_tokens == 0:  # the same sums on every worker: all of them stop here
                    raise UserError(
                        f"train.max_length={cfg.max_length} cuts off every answer of a whole batch "
                        "(prompt and image tokens fill it); raise train.max_length or lower train.max_pixels"
                    )
                seconds = now - started
                state.step += 1
                state.samples += int(samples)
                state.tokens += int(tokens)
                state.train_seconds += seconds
                state.step_seconds.append(round(seconds, 4))
                state.loss_history.append(loss_sum / micro)
                metrics = {
                    "step": state.step,
                    "epoch": state.epoch,
                    "loss": state.loss_history[-1],
                    "lr": self.optimizer.param_groups[0]["lr"],
                    "samples_per_s": samples / seconds,
                    "tokens_per_s": tokens / seconds,
                }
                if state.step >= self.total:
                    break
                due = cfg.checkpoint_every and state.step % cfg.checkpoint_every == 0
                if due or state.step % cfg.log_every == 0:
                    self.report(metrics, checkpoint=bool(due))
                window = [0.0] * 5
                started = time.perf_counter()
            else:
                state.epoch += 1
                if batches == 0:
                    raise UserError(
                        "a training worker got no samples; raise train.data.repeat or lower train.num_workers"
                    )
                continue
            break
        evaluated = bool(eval_samples) and (state.step > start_step or state.eval_after is None)
        if evaluated:
            state.eval_after, state.eval_rows_after = self.evaluate(eval_samples)
        if self.device.type == "cuda":
            import torch

            state.peak_gpu_memory_mb = round(
                torch.cuda.max_memory_allocated(self.device) / 2**20, 1
            )
        final = {
            "step": state.step,
            "epoch": state.epoch,
            "loss": state.loss_history[-1] if state.loss_history else None,
            "eval_before": (state.eval_before or {}).get("accuracy"),
            "eval_after": (state.eval_after or {}).get("accuracy"),
        }
        # a rerun of a finished run adds nothing: no new checkpoint, the latest one stays the result
        self.report(final, checkpoint=state.step > start_step or evaluated, final=True)

    def _autocast(self):
        """bf16 compute over float32 weights for DDP (DeepSpeed keeps its own fp32 master copy)."""
        import torch

        if not self.cfg.bf16:
            return nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=torch.bfloat16)

    def _micro_step(self, samples: list[dict], window: list[float]) -> bool:
        """Forward and backward of one micro-batch; True when it completed an optimizer step."""
        import torch

        from sciray.train.collate import causal_lm_loss, encode_batch

        inputs = encode_batch(self.processor, samples, self.cfg.max_length)
        labels = inputs.pop("labels")
        inputs = {k: v.to(self.device) for k, v in inputs.items()}
        if self.deepspeed and self.cfg.bf16 and "pixel_values" in inputs:
            inputs["pixel_values"] = inputs["pixel_values"].to(torch.bfloat16)
        window[2] += len(samples)
        window[3] += int(inputs["attention_mask"].sum())
        if self.deepspeed:
            boundary = self.net.is_gradient_accumulation_boundary()
            loss, answer_tokens = causal_lm_loss(self.net(**inputs).logits, labels)
            self.net.backward(loss)
            self.net.step()  # DeepSpeed scales, accumulates, clips and steps at the boundary
        else:
            window_micro = int(window[1]) + 1
            boundary = window_micro % self.cfg.grad_accum == 0
            sync = boundary or not hasattr(self.net, "no_sync")
            with self.net.no_sync() if not sync else nullcontext(), self._autocast():
                loss, answer_tokens = causal_lm_loss(self.net(**inputs).logits, labels)
                (loss / self.cfg.grad_accum).backward()
            if boundary:
                if self.cfg.max_grad_norm:
                    torch.nn.utils.clip_grad_norm_(self.module.parameters(), self.cfg.max_grad_norm)
                self.optimizer.step()
                self.scheduler.step()
                self.optimizer.zero_grad(set_to_none=True)
        window[0] += float(loss.detach())
        window[1] += 1
        window[4] += answer_tokens
        return boundary


def train_loop(config: dict[str, Any]) -> None:
    """``train_loop_per_worker`` of the TorchTrainer."""
    import ray
    import transformers

    transformers.utils.logging.disable_progress_bar()
    worker = _Worker(config)
    eval_samples = ray.get(config["eval_samples"]) if config.get("eval_samples") is not None else []
    worker.run(eval_samples)


# ---------------------------------------------------------------- the driver


def _storage(cfg: TrainConfig, out: str) -> str:
    path = cfg.storage_path or out
    fs, _ = url_to_fs(path)
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return os.path.abspath(path) if protocol in ("file", "local") else path


def _user_error(exc: BaseException) -> UserError | None:
    """The UserError a worker raised (bad data or config seen only there), to exit 2 with its line."""
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


def run_training(cfg: SciRayConfig, data: str, out: str, progress: bool = True) -> dict[str, Any]:
    """Train, then write ``out/train_report.json``; returns the report."""
    import ray
    import ray.train
    from ray.train.torch import TorchTrainer

    from sciray.cluster.runtime import init_ray

    tcfg = cfg.train
    if tcfg.deepspeed.enabled and not tcfg.use_gpu and not tcfg.deepspeed.allow_cpu:
        raise UserError(
            "train.deepspeed.enabled needs GPU workers (train.use_gpu=true); set "
            "train.deepspeed.allow_cpu=true to run DeepSpeed on CPU over gloo (slow)"
        )
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
    state = _read_state(result.checkpoint)
    checkpoint = result.checkpoint.path
    report = build_report(
        state,
        checkpoint,
        model=tcfg.model,
        workers=tcfg.num_workers,
        total_steps=steps,
        wall_seconds=round(time.time() - started, 2),
        **counts,
    )
    report["model_folder"] = f"{checkpoint}/model"
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
