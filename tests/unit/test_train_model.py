"""Loading the model to train: LoRA adapters, a frozen vision tower, activation checkpointing, and
the DDP checkpoint round trip (no Ray)."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from sciray.config.models import TrainConfig, TrainDataConfig
from sciray.errors import UserError
from sciray.train.collate import causal_lm_loss, encode_batch
from sciray.train.demo import load_problems, write_demo_run
from sciray.train.model import (
    load_model,
    load_trainable,
    lr_lambda,
    save_trainable,
    trainable_parameters,
)
from sciray.train.samples import row_to_samples

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from sciray.train.tiny import build_tiny_qwen2_vl

    return build_tiny_qwen2_vl(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def batch(tiny, tmp_path_factory, scigen_dir):
    from sciray.train.processor import load_processor

    run = tmp_path_factory.mktemp("run")
    shards = write_demo_run(load_problems(scigen_dir / "scigen.jsonl", 2), str(run))
    samples = [
        s
        for sh in shards
        for r in pq.read_table(sh).to_pylist()
        for s in row_to_samples(r, TrainDataConfig())
    ]
    return encode_batch(load_processor(tiny), samples, 1024)


def _steps(model, batch, cfg, n):
    import torch

    labels = batch["labels"]
    inputs = {k: v for k, v in batch.items() if k != "labels"}
    opt = torch.optim.AdamW(trainable_parameters(model), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(cfg, n))
    losses = []
    for _ in range(n):
        loss, _ = causal_lm_loss(model(**inputs).logits, labels)
        loss.backward()
        opt.step()
        sched.step()
        opt.zero_grad()
        losses.append(float(loss.detach()))
    return losses, opt, sched


def test_lora_trains_only_the_adapters(tiny, batch):
    import torch

    cfg = TrainConfig(
        lr=1e-2, lora={"enabled": True, "r": 4, "alpha": 8}, activation_checkpointing=True
    )
    model = load_model(cfg, tiny)
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    assert names and all("lora_" in n for n in names)
    assert any("language_model" in n and "q_proj" in n for n in names) and not any(
        "visual" in n for n in names
    )
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    losses, _, _ = _steps(model, batch, cfg, 5)
    assert losses[-1] < losses[0]
    assert all(torch.equal(p, frozen[n]) for n, p in model.named_parameters() if n in frozen)


def test_unknown_lora_target_is_a_user_error(tiny):
    with pytest.raises(UserError, match="train.lora.target_modules"):
        load_model(TrainConfig(lora={"enabled": True, "target_modules": ["no_such_proj"]}), tiny)


def test_freeze_vision(tiny):
    model = load_model(TrainConfig(freeze_vision=True), tiny)
    grads = {n: p.requires_grad for n, p in model.named_parameters()}
    assert not any(v for n, v in grads.items() if ".visual." in n) and any(grads.values())


def test_checkpoint_round_trip_restores_weights_and_optimizer(tiny, batch, tmp_path):
    import torch

    cfg = TrainConfig(lr=1e-2)
    model = load_model(cfg, tiny)
    _, opt, sched = _steps(model, batch, cfg, 3)
    save_trainable(model, opt, sched, tmp_path)
    fresh = load_model(cfg, tiny)
    rest = load_trainable(fresh, tmp_path)
    assert all(
        torch.equal(a, b) for a, b in zip(model.state_dict().values(), fresh.state_dict().values())
    )
    opt2 = torch.optim.AdamW(trainable_parameters(fresh), lr=cfg.lr)
    opt2.load_state_dict(rest["optimizer"])
    assert opt2.state_dict()["state"][0]["step"] == 3
    lora = load_model(TrainConfig(lora={"enabled": True}), tiny)
    with pytest.raises(UserError, match="does not fit train.model"):
        load_trainable(lora, tmp_path)


def test_unloadable_model_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="cannot load train.model"):
        load_model(TrainConfig(), str(tmp_path))
