"""One training worker's recipe, Ray-free: the model, optimizer and schedule (DDP or DeepSpeed
ZeRO), the micro-batch step, evaluation before and after, checkpoint contents, and the metrics it
reports.

The recipe never talks to a cluster itself; its collaborators come in as arguments: the worker's
rank, world size and device, a folder to restore from, ``prepare_model`` (wraps the model for data
parallelism), ``batches(epoch)`` (the worker's micro-batches of samples for one pass) and
``reporter(metrics, checkpoint_folder)`` (records metrics, and a checkpoint when the folder is not
None; the folder is deleted once it returns). ``sciray.cluster.train`` wires Ray Train into these;
tests run a step or two of the tiny model in-process with plain callables.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import astuple, dataclass
from typing import Any

from sciray.config.models import TrainConfig
from sciray.errors import UserError
from sciray.train.plan import use_deepspeed
from sciray.train.state import STATE_FILE, TrainState

Reporter = Callable[[dict[str, Any], str | None], None]
"""``reporter(metrics, checkpoint_folder)``; the folder (None: metrics only) is deleted after."""
Batches = Callable[[int], Iterable[list[dict]]]
"""``batches(epoch)``: this worker's micro-batches (lists of samples) for one pass over its data."""


@dataclass
class Window:
    """Sums over the micro-batches of the optimizer step in progress on one worker."""

    loss_sum: float = 0.0
    micro: float = 0.0
    samples: float = 0.0
    tokens: float = 0.0
    answer_tokens: float = 0.0

    def values(self) -> list[float]:
        return [float(v) for v in astuple(self)]


def record_step(
    state: TrainState, totals: Sequence[float], seconds: float, lr: float, cfg: TrainConfig
) -> dict[str, Any]:
    """Count one finished optimizer step into ``state`` from the window sums over all workers
    (loss sum, micro-batches, samples, tokens, answer tokens) and the seconds it took; returns the
    step's metrics. Every worker sees the same sums, so a batch whose answers were all cut off
    makes all of them raise the same UserError."""
    loss_sum, micro, samples, tokens, answer_tokens = totals
    if answer_tokens == 0:
        raise UserError(
            f"train.max_length={cfg.max_length} cuts off every answer of a whole batch "
            "(prompt and image tokens fill it); raise train.max_length or lower train.max_pixels"
        )
    state.step += 1
    state.samples += int(samples)
    state.tokens += int(tokens)
    state.train_seconds += seconds
    state.step_seconds.append(round(seconds, 4))
    state.loss_history.append(loss_sum / micro)
    return {
        "step": state.step,
        "epoch": state.epoch,
        "loss": state.loss_history[-1],
        "lr": lr,
        "samples_per_s": samples / seconds,
        "tokens_per_s": tokens / seconds,
    }


def final_metrics(state: TrainState) -> dict[str, Any]:
    """The metrics reported with the final checkpoint."""
    return {
        "step": state.step,
        "epoch": state.epoch,
        "loss": state.loss_history[-1] if state.loss_history else None,
        "eval_before": (state.eval_before or {}).get("accuracy"),
        "eval_after": (state.eval_after or {}).get("accuracy"),
    }


class Recipe:
    """One worker's model, optimizer and loop (DDP or DeepSpeed). Build it (loads the processor and
    model), call :meth:`setup` (optionally restoring a checkpoint folder), then :meth:`run`."""

    def __init__(
        self,
        cfg: TrainConfig,
        total_steps: int,
        *,
        rank: int = 0,
        world_size: int = 1,
        device=None,
    ):
        import torch

        from sciray.train.model import load_model, resolve_model_path
        from sciray.train.processor import load_processor

        self.cfg = cfg
        self.total = total_steps
        self.rank, self.world = rank, world_size
        self.device = device if device is not None else torch.device("cpu")
        if self.device.type == "cuda":
            torch.cuda.set_device(self.device)  # DeepSpeed places the model on the current device
        self.deepspeed = use_deepspeed(cfg, torch.cuda.is_available())
        torch.manual_seed(cfg.seed)
        self.model_path = resolve_model_path(cfg.model, cfg.seed)
        self.processor = load_processor(
            self.model_path, min_pixels=cfg.min_pixels, max_pixels=cfg.max_pixels
        )
        # DeepSpeed keeps fp32 master weights itself; DDP trains fp32 weights under bf16 autocast
        self.model = load_model(cfg, self.model_path, bf16_weights=self.deepspeed and cfg.bf16)
        self.state = TrainState(
            strategy=f"deepspeed-zero{cfg.deepspeed.zero_stage}" if self.deepspeed else "ddp"
        )
        self.net = self.module = self.optimizer = self.scheduler = None

    # -- set-up

    def setup(self, restore: str | None = None, prepare_model: Callable | None = None) -> None:
        """Build the optimizer and schedule (DeepSpeed: the engine), restoring weights, optimizer,
        scheduler and trainer state from the checkpoint folder ``restore`` when given.
        ``prepare_model`` (DDP only) moves and wraps the model; default: move it to the device and
        wrap it in DistributedDataParallel when a process group of several workers is up."""
        if self.deepspeed:
            self._setup_deepspeed(restore)
        else:
            self._setup_ddp(restore, prepare_model or self._prepare_model)
        if restore is not None:
            self.state.resumed_from_step = self.state.step

    def _prepare_model(self, model):
        import torch.distributed as dist

        model = model.to(self.device)
        if self.world > 1 and dist.is_initialized():
            from torch.nn.parallel import DistributedDataParallel

            ids = [self.device] if self.device.type == "cuda" else None
            return DistributedDataParallel(model, device_ids=ids)
        return model

    def _read_state(self, folder: str) -> None:
        path = os.path.join(folder, STATE_FILE)
        if os.path.exists(path):
            with open(path) as f:
                self.state = TrainState.model_validate_json(f.read())

    def _setup_ddp(self, restore: str | None, prepare_model: Callable) -> None:
        import torch

        from sciray.train.model import load_trainable, lr_lambda, trainable_parameters

        restored = None
        if restore is not None:
            restored = load_trainable(self.model, restore)
            self._read_state(restore)
        self.net = prepare_model(self.model)
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

    def _setup_deepspeed(self, restore: str | None) -> None:
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
        if restore is not None:
            self.net.load_checkpoint(restore, tag="deepspeed")
            self._read_state(restore)

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

    def write_checkpoint(self, folder: str, final: bool = False) -> bool:
        """Write this worker's part of a checkpoint into ``folder``; False when it contributes
        nothing (DDP ranks other than 0). DDP: ``trainable.pt`` (trainable weights, optimizer,
        scheduler); DeepSpeed: every rank's ZeRO shards under ``deepspeed/``; rank 0 adds the
        trainer state. The final one also exports the model (LoRA adapters merged into it) with
        its processor to ``model/``."""
        from sciray.train.model import save_processor, save_trainable

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
        return self.deepspeed or self.rank == 0

    def _export_deepspeed(self, folder: str) -> None:
        if self.cfg.deepspeed.zero_stage == 3:
            self.net.save_16bit_model(folder)  # gathers the shards; rank 0 writes
            if self.rank == 0:
                self.module.config.save_pretrained(folder)
        elif self.rank == 0:
            self.module.save_pretrained(folder)

    def report(
        self,
        reporter: Reporter,
        metrics: dict[str, Any],
        checkpoint: bool = False,
        final: bool = False,
    ) -> None:
        """Hand ``metrics`` to ``reporter``, with a checkpoint folder written for it when asked."""
        if not checkpoint:
            reporter(metrics, None)
            return
        folder = tempfile.mkdtemp(prefix="sciray-ckpt-")
        try:
            contributes = self.write_checkpoint(folder, final)
            reporter(metrics, folder if contributes else None)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    # -- training

    def run(
        self, batches: Batches, reporter: Reporter, eval_samples: list[dict] | None = None
    ) -> TrainState:
        """Evaluate (unless a resumed run already did), train to ``total_steps`` over passes of
        ``batches(epoch)``, evaluate again, and report the final checkpoint; returns the state."""
        eval_samples = eval_samples or []
        cfg, state = self.cfg, self.state
        if eval_samples and state.eval_before is None:
            state.eval_before, state.eval_rows_before = self.evaluate(eval_samples)
        start_step = state.step
        window = Window()
        started = time.perf_counter()
        while state.step < self.total:
            count = 0
            for samples in batches(state.epoch):
                count += 1
                if not self.micro_step(samples, window):
                    continue
                now = time.perf_counter()
                lr = self.optimizer.param_groups[0]["lr"]
                metrics = record_step(state, self._all_sum(window.values()), now - started, lr, cfg)
                if state.step >= self.total:
                    break
                due = cfg.checkpoint_every and state.step % cfg.checkpoint_every == 0
                if due or state.step % cfg.log_every == 0:
                    self.report(reporter, metrics, checkpoint=bool(due))
                window = Window()
                started = time.perf_counter()
            else:
                state.epoch += 1
                if count == 0:
                    raise UserError(
                        "a training worker got no samples; raise train.data.repeat or lower "
                        "train.num_workers"
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
        # a rerun of a finished run adds nothing: no new checkpoint, the latest one stays the result
        self.report(
            reporter,
            final_metrics(state),
            checkpoint=state.step > start_step or evaluated,
            final=True,
        )
        return state

    def _autocast(self):
        """bf16 compute over float32 weights for DDP (DeepSpeed keeps its own fp32 master copy)."""
        import torch

        if not self.cfg.bf16:
            return nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=torch.bfloat16)

    def micro_step(self, samples: list[dict], window: Window) -> bool:
        """Forward and backward of one micro-batch, counted into ``window``; True when it
        completed an optimizer step."""
        import torch

        from sciray.train.collate import causal_lm_loss, encode_batch

        inputs = encode_batch(self.processor, samples, self.cfg.max_length)
        labels = inputs.pop("labels")
        inputs = {k: v.to(self.device) for k, v in inputs.items()}
        if self.deepspeed and self.cfg.bf16 and "pixel_values" in inputs:
            inputs["pixel_values"] = inputs["pixel_values"].to(torch.bfloat16)
        window.samples += len(samples)
        window.tokens += int(inputs["attention_mask"].sum())
        if self.deepspeed:
            boundary = self.net.is_gradient_accumulation_boundary()
            loss, answer_tokens = causal_lm_loss(self.net(**inputs).logits, labels)
            self.net.backward(loss)
            self.net.step()  # DeepSpeed scales, accumulates, clips and steps at the boundary
        else:
            window_micro = int(window.micro) + 1
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
        window.loss_sum += float(loss.detach())
        window.micro += 1
        window.answer_tokens += answer_tokens
        return boundary
