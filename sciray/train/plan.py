"""What the training driver decides around the workers, Ray-free: the strategy, which shard rows
train and which evaluate, how many optimizer steps the run has, and the final report."""

from __future__ import annotations

import math
from typing import Any

from sciray.config.models import TrainConfig
from sciray.errors import UserError
from sciray.train.samples import is_holdout, keep_row, row_tasks
from sciray.train.state import TrainState, build_report


def use_deepspeed(cfg: TrainConfig, cuda: bool) -> bool:
    """DeepSpeed when asked for and the workers have CUDA (or CPU is explicitly allowed)."""
    return cfg.deepspeed.enabled and (cuda or cfg.deepspeed.allow_cpu)


def check_strategy(cfg: TrainConfig) -> None:
    """Refuse DeepSpeed on CPU workers unless it is explicitly allowed."""
    if cfg.deepspeed.enabled and not cfg.use_gpu and not cfg.deepspeed.allow_cpu:
        raise UserError(
            "train.deepspeed.enabled needs GPU workers (train.use_gpu=true); set "
            "train.deepspeed.allow_cpu=true to run DeepSpeed on CPU over gloo (slow)"
        )


def holdout_enabled(cfg: TrainConfig) -> bool:
    """Whether evaluation questions are held out of the training rows (no separate eval data)."""
    return cfg.eval.enabled and not cfg.eval.data and cfg.eval.holdout_share > 0


def row_split(row: dict[str, Any], cfg: TrainConfig, holdout: bool) -> str | None:
    """'train', 'eval' or None (filtered out) for one shard row."""
    if not keep_row(row, cfg.data):
        return None
    if holdout and is_holdout(str(row.get("problem_id")), cfg.eval.holdout_share, cfg.seed):
        return "eval"
    return "train"


def count_batch(batch, cfg: TrainConfig, holdout: bool) -> dict[str, list[int]]:
    """Per-batch counts of kept rows and training samples (for the epoch length and early errors);
    ``batch`` is a pyarrow table."""
    rows = samples = evals = 0
    for row in batch.to_pylist():
        split = row_split(row, cfg, holdout)
        if split == "train":
            rows += 1
            samples += len(row_tasks(row, cfg.data, cfg.seed))
        elif split == "eval":
            evals += 1
    return {"rows": [rows], "samples": [samples], "eval_rows": [evals]}


def training_size(cfg: TrainConfig, counted: list[dict[str, int]], data: str) -> tuple[int, int]:
    """(training rows, training samples) of the run from the rows of :func:`count_batch` results
    (``max_rows`` and ``repeat`` applied); UserError when nothing is left or the workers cannot
    fill one micro-batch each."""
    rows = sum(c["rows"] for c in counted)
    samples = sum(c["samples"] for c in counted)
    if rows == 0 or samples == 0:
        d = cfg.data
        share = cfg.eval.holdout_share if holdout_enabled(cfg) else 0
        raise UserError(
            f"no accepted rows with a question and an answer in {data} after the filters "
            f"(train.data.min_r_inv={d.min_r_inv}, train.data.subjects={d.subjects or 'all'}, "
            f"train.eval.holdout_share={share}); relax them or "
            "point --data at a run with accepted rows"
        )
    if cfg.data.max_rows and rows > cfg.data.max_rows:
        samples = math.ceil(samples * cfg.data.max_rows / rows)
        rows = cfg.data.max_rows
    samples *= cfg.data.repeat
    if samples < cfg.num_workers * cfg.micro_batch_size:
        raise UserError(
            f"{samples} training samples cannot fill one micro-batch of {cfg.micro_batch_size} "
            f"on each of {cfg.num_workers} workers; raise train.data.repeat or lower "
            "train.num_workers"
        )
    return rows, samples


def total_steps(cfg: TrainConfig, samples: int) -> int:
    """Optimizer steps of the whole run: max_steps, else epochs over each worker's equal share."""
    if cfg.max_steps:
        return cfg.max_steps
    per_worker = samples // cfg.num_workers
    return max(1, cfg.epochs * math.ceil(per_worker / cfg.micro_batch_size) // cfg.grad_accum)


def run_report(
    state: TrainState,
    checkpoint: str,
    cfg: TrainConfig,
    *,
    total_steps: int,
    wall_seconds: float,
    counts: dict[str, int],
) -> dict[str, Any]:
    """``train_report.json`` of a finished run from the final checkpoint's trainer state."""
    report = build_report(
        state,
        checkpoint,
        model=cfg.model,
        workers=cfg.num_workers,
        total_steps=total_steps,
        wall_seconds=wall_seconds,
        **counts,
    )
    report["model_folder"] = f"{checkpoint}/model"
    return report


class StepProgress:
    """Training progress from Ray Train's reports: optimizer steps done of ``total_steps``, the
    last loss, rate and ETA (``sciray.progress.RunProgress``; plain lines, since it runs in Ray
    Train's controller, whose output Ray forwards to the driver's terminal). Built lazily: the
    callback is pickled to the controller before it is first used."""

    def __init__(self, total_steps: int, enabled: bool = True, plain_every_s: float = 30.0):
        self.total_steps = total_steps
        self.enabled = enabled
        self.plain_every_s = plain_every_s
        self._progress = None
        self._step = 0

    def on_report(self, metrics: list[dict]) -> None:
        """One report: ``metrics`` holds each worker's dict; rank 0's step and loss count."""
        if not self.enabled or not metrics:
            return
        first = metrics[0] or {}
        step = first.get("step")
        if not isinstance(step, int) or step <= self._step:
            return
        if self._progress is None:
            from sciray.progress import RunProgress

            self._progress = RunProgress(
                "train", self.total_steps, plain_every_s=self.plain_every_s
            ).__enter__()
        loss = first.get("loss")
        if isinstance(loss, float):
            self._progress.note(f"loss {loss:.4f}")
        self._progress.advance("steps", step - self._step)
        self._step = step
        if step >= self.total_steps:
            self.close()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)
            self._progress = None
