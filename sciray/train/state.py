"""Trainer state kept in every checkpoint, and the run's ``train_report.json``."""

from __future__ import annotations

import json
import statistics
from typing import Any

from fsspec.core import url_to_fs
from pydantic import BaseModel, ConfigDict, Field

STATE_FILE = "trainer_state.json"
REPORT_FILE = "train_report.json"
REPORT_KEYS = ("steps", "loss_first", "loss_last", "checkpoint", "eval_before", "eval_after")


class TrainState(BaseModel):
    """What a resumed run needs besides weights and optimizer: counters, history, evaluations."""

    model_config = ConfigDict(extra="forbid")

    step: int = 0
    """Optimizer steps done, over every run that this one continues."""
    epoch: int = 0
    """Passes over the training stream started."""
    samples: int = 0
    """Training samples seen (all workers)."""
    tokens: int = 0
    """Tokens seen (all workers, padding excluded)."""
    train_seconds: float = 0.0
    """Wall-clock seconds spent in training steps."""
    loss_history: list[float] = Field(default_factory=list)
    """Loss of every optimizer step (mean over workers and micro-batches)."""
    step_seconds: list[float] = Field(default_factory=list)
    """Wall-clock seconds of every optimizer step (waits for data included)."""
    resumed_from_step: int | None = None
    """The step this run started from, when it resumed from a checkpoint."""
    peak_gpu_memory_mb: float | None = None
    """Most GPU memory torch allocated on worker 0 in this run (None on CPU)."""
    strategy: str = "ddp"
    """'ddp' or 'deepspeed-zero2' / 'deepspeed-zero3'."""
    eval_before: dict[str, Any] | None = None
    """Accuracy summary before the first step."""
    eval_after: dict[str, Any] | None = None
    """Accuracy summary after the last step."""
    eval_rows_before: list[dict[str, Any]] = Field(default_factory=list)
    eval_rows_after: list[dict[str, Any]] = Field(default_factory=list)


def build_report(state: TrainState, checkpoint: str | None, **extra: Any) -> dict[str, Any]:
    """The report: the required keys first, then throughput and details. ``samples_per_s`` and
    ``tokens_per_s`` count every second in the training loop (stream start-ups and stalls
    included); the ``median_step_*`` rates are those of a typical step."""
    history = state.loss_history
    median = statistics.median(state.step_seconds) if state.step_seconds else None
    per_step = state.samples / len(state.step_seconds) if state.step_seconds else 0
    tokens_per_sample = state.tokens / state.samples if state.samples else 0
    report = {
        "steps": state.step,
        "loss_first": history[0] if history else None,
        "loss_last": history[-1] if history else None,
        "checkpoint": checkpoint,
        "eval_before": state.eval_before,
        "eval_after": state.eval_after,
        "resumed_from_step": state.resumed_from_step,
        "strategy": state.strategy,
        "samples_per_s": round(state.samples / state.train_seconds, 3)
        if state.train_seconds
        else None,
        "tokens_per_s": round(state.tokens / state.train_seconds, 1)
        if state.train_seconds
        else None,
        "median_step_samples_per_s": round(per_step / median, 3) if median else None,
        "median_step_tokens_per_s": round(per_step * tokens_per_sample / median, 1)
        if median
        else None,
        "train_seconds": round(state.train_seconds, 2),
        "peak_gpu_memory_mb": state.peak_gpu_memory_mb,
        "samples_seen": state.samples,
        "loss_history": [round(x, 5) for x in history],
        **extra,
        "eval_details": {"before": state.eval_rows_before, "after": state.eval_rows_after},
    }
    return report


def write_report(out: str, report: dict[str, Any]) -> str:
    """Write ``out/train_report.json`` (temp name, then rename); returns its path."""
    fs, root = url_to_fs(out)
    fs.makedirs(root, exist_ok=True)
    final, tmp = f"{root}/{REPORT_FILE}", f"{root}/.{REPORT_FILE}.tmp"
    with fs.open(tmp, "w") as f:
        f.write(json.dumps(report, indent=2, default=str))
    fs.mv(tmp, final)
    return final
