"""Loading the model to fine-tune (LoRA, frozen vision, activation checkpointing), the learning-rate
schedule, and saving / restoring what a DDP checkpoint holds. Ray-free."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from sciray.config.models import TrainConfig
from sciray.errors import UserError

WEIGHTS_FILE = "trainable.pt"
"""A DDP checkpoint's trainable parameters, optimizer and scheduler states."""


def resolve_model_path(name: str, seed: int = 0) -> str:
    """A folder to load: the tiny model (built into the cache on first use), else ``name``."""
    from sciray.train.tiny import TINY_NAME, tiny_model_path

    if name == TINY_NAME:
        return tiny_model_path(seed=seed)
    return name


def _vision_module(model):
    for owner in (model, getattr(model, "model", None)):
        for attr in ("visual", "vision_tower", "vision_model"):
            module = getattr(owner, attr, None) if owner is not None else None
            if module is not None:
                return module
    return None


def load_model(cfg: TrainConfig, path: str, bf16_weights: bool = False):
    """The model (bf16 or float32 weights) with frozen parts, adapters and activation
    checkpointing."""
    import torch
    from transformers import AutoModelForImageTextToText

    try:
        model = AutoModelForImageTextToText.from_pretrained(
            path, dtype=torch.bfloat16 if bf16_weights else torch.float32
        )
    except (OSError, ValueError) as exc:
        raise UserError(
            f"cannot load train.model {path!r} as an image-text-to-text model ({exc}); give a "
            "local folder of a Qwen2-VL / Qwen2.5-VL / Qwen3-VL class model or 'tiny-qwen2-vl'"
        ) from None
    if cfg.freeze_vision:
        vision = _vision_module(model)
        if vision is None:
            raise UserError(
                "train.freeze_vision is set but the model has no vision module "
                "(visual / vision_tower)"
            )
        vision.requires_grad_(False)
    if cfg.activation_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.config.use_cache = False
    if cfg.lora.enabled:
        from peft import LoraConfig, get_peft_model

        if cfg.activation_checkpointing:
            # frozen embeddings: checkpointed blocks still need a grad path
            model.enable_input_require_grads()
        lora = LoraConfig(
            r=cfg.lora.r,
            lora_alpha=cfg.lora.alpha,
            lora_dropout=cfg.lora.dropout,
            target_modules=list(cfg.lora.target_modules),
        )
        try:
            model = get_peft_model(model, lora)
        except ValueError as exc:
            raise UserError(f"train.lora.target_modules: {exc}") from None
    return model


def trainable_parameters(model) -> list:
    return [p for p in model.parameters() if p.requires_grad]


def lr_lambda(cfg: TrainConfig, total_steps: int):
    """Multiplier of ``cfg.lr`` at each step: linear warm-up, then constant / linear / cosine to
    10%."""
    warmup = cfg.warmup_steps
    floor = 0.1

    def factor(step: int) -> float:
        if warmup and step < warmup:
            return (step + 1) / warmup
        if cfg.lr_schedule == "constant" or total_steps <= warmup:
            return 1.0
        progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
        if cfg.lr_schedule == "linear":
            return 1.0 - (1.0 - floor) * progress
        return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))

    return factor


def trainable_state(model, optimizer, scheduler) -> dict[str, Any]:
    """What a DDP checkpoint's ``trainable.pt`` holds: the trainable parameters (all of them, or
    only the adapters) on the CPU, the optimizer state and the scheduler state."""
    weights = {n: p.detach().cpu() for n, p in model.named_parameters() if p.requires_grad}
    return {
        "weights": weights,
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
    }


def save_trainable(model, optimizer, scheduler, folder: str | Path) -> None:
    """The trainable parameters (all of them, or only the adapters), optimizer and scheduler."""
    import torch

    torch.save(trainable_state(model, optimizer, scheduler), Path(folder) / WEIGHTS_FILE)


def load_trainable(model, folder: str | Path) -> dict[str, Any]:
    """Put a checkpoint's trainable parameters into ``model``; returns the rest (optimizer,
    scheduler)."""
    import torch

    data = torch.load(Path(folder) / WEIGHTS_FILE, map_location="cpu", weights_only=True)
    params = dict(model.named_parameters())
    missing = [n for n in data["weights"] if n not in params]
    if missing:
        raise UserError(
            f"the checkpoint in {folder} does not fit train.model (first unknown weight "
            f"{missing[0]}); resume with the same model and LoRA settings or start a new "
            "train.run_name"
        )
    with torch.no_grad():
        for name, value in data["weights"].items():
            params[name].copy_(value)
    return data


def save_processor(processor, folder: str | Path) -> None:
    """Save the processor; an image-only one (no torchvision) part by part, loadable either way."""
    import json

    folder = Path(folder)
    try:
        processor.save_pretrained(folder)
    except AttributeError:  # its video processor is None
        processor.tokenizer.save_pretrained(folder)
        processor.image_processor.save_pretrained(folder)
        (folder / "processor_config.json").write_text(
            json.dumps({"processor_class": type(processor).__name__})
        )
