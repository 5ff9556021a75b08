"""The tiny offline model, the processor (also without torchvision), batches with the prompt
masked, the loss, and generation."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from sciray.config.models import TrainDataConfig
from sciray.errors import UserError
from sciray.train.collate import IGNORE, causal_lm_loss, chat_texts, encode_batch
from sciray.train.demo import load_problems, write_demo_run
from sciray.train.samples import row_to_samples

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from sciray.train.tiny import build_tiny_qwen2_vl

    return build_tiny_qwen2_vl(tmp_path_factory.mktemp("tiny"))


def test_a_worker_of_another_rank_builds_the_whole_tiny_model(tiny, tmp_path, monkeypatch):
    """transformers 5 writes a model's weights only on rank 0 of an initialized torch.distributed
    group: a Ray Train worker of rank 1 that built the cache first left it without weights, and
    every later train run failed to load it. The build writes them on any rank, and a cache
    folder left without weights is built again."""
    import torch
    import transformers.distributed.mixin as mixin
    from transformers import AutoModelForImageTextToText

    from sciray.train.tiny import build_tiny_qwen2_vl, tiny_model_path

    monkeypatch.setattr(mixin, "_is_torch_distributed_initialized", lambda: True)
    monkeypatch.setattr(mixin, "_get_torch_distributed_rank", lambda: 1)
    built = build_tiny_qwen2_vl(tmp_path / "rank1")
    model = AutoModelForImageTextToText.from_pretrained(built)
    reference = AutoModelForImageTextToText.from_pretrained(tiny).state_dict()
    assert all(torch.equal(t, reference[k]) for k, t in model.state_dict().items())

    broken = tmp_path / "cache"
    broken.mkdir()
    (broken / "sciray-tiny.json").write_text("{}")  # what the rank-1 build used to leave
    assert tiny_model_path(broken) == str(broken)
    assert (broken / "model.safetensors").exists() and (broken / "config.json").exists()


@pytest.fixture(scope="module")
def processor(tiny):
    from sciray.train.processor import load_processor

    return load_processor(tiny)


@pytest.fixture(scope="module")
def samples(tmp_path_factory, scigen_dir):
    run = tmp_path_factory.mktemp("run")
    shards = write_demo_run(load_problems(scigen_dir / "scigen.jsonl", 4), str(run))
    rows = [r for s in shards for r in pq.read_table(s).to_pylist()]
    return [s for r in rows for s in row_to_samples(r, TrainDataConfig(caption_share=1.0))]


def test_tiny_model_is_small_deterministic_and_loads_by_path(tiny, tmp_path):
    import torch
    from transformers import AutoModelForImageTextToText

    from sciray.train.tiny import build_tiny_qwen2_vl

    model = AutoModelForImageTextToText.from_pretrained(tiny)
    assert type(model).__name__ == "Qwen2VLForConditionalGeneration"
    assert 50_000 < sum(p.numel() for p in model.parameters()) < 1_000_000
    again = AutoModelForImageTextToText.from_pretrained(build_tiny_qwen2_vl(tmp_path / "again"))
    other = AutoModelForImageTextToText.from_pretrained(
        build_tiny_qwen2_vl(tmp_path / "other", seed=1)
    )
    w = "lm_head.weight"
    assert torch.equal(model.state_dict()[w], again.state_dict()[w])
    assert not torch.equal(model.state_dict()[w], other.state_dict()[w])
    assert (
        json.loads((tmp_path / "again" / "processor_config.json").read_text())["processor_class"]
        == "Qwen2VLProcessor"
    )


def test_processor_has_the_qwen2_vl_tokens_and_pixel_bounds(tiny, processor, samples):
    from sciray.train.processor import load_processor

    assert type(processor).__name__ == "Qwen2VLProcessor"
    tok = processor.tokenizer
    for token in (
        "<|vision_start|>",
        "<|image_pad|>",
        "<|vision_end|>",
        "<|im_start|>",
        "<|im_end|>",
    ):
        assert (
            tok.convert_tokens_to_ids(token) != tok.unk_token_id and len(tok.tokenize(token)) == 1
        )
    big = encode_batch(processor, samples[:1], 2048)
    small = encode_batch(load_processor(tiny, max_pixels=56 * 56), samples[:1], 2048)
    image_id = processor.image_token_id
    assert int((small["input_ids"] == image_id).sum()) < int((big["input_ids"] == image_id).sum())


def test_prompt_tokens_are_masked_and_answer_tokens_kept(processor, samples):
    batch = encode_batch(processor, samples[:4], 2048)
    tok = processor.tokenizer
    ids, labels, mask = batch["input_ids"], batch["labels"], batch["attention_mask"]
    assert ids.shape == labels.shape == mask.shape and ids.shape[0] == 4
    grid = batch["image_grid_thw"]
    assert batch["pixel_values"].shape[0] == int(grid.prod(dim=1).sum())
    for i, sample in enumerate(samples[:4]):
        kept = labels[i] != IGNORE
        assert tok.decode(ids[i][kept]) == sample["answer"] + "<|im_end|>\n"
        first = int(kept.nonzero()[0])
        prompt, _ = chat_texts(processor, sample)
        assert tok.decode(ids[i][:first]).endswith("<|im_start|>assistant\n")
        assert sample["prompt"] in tok.decode(ids[i][:first]) and prompt.startswith(
            "<|im_start|>user"
        )
        assert (
            int((ids[i][:first] == processor.image_token_id).sum()) > 0
        )  # the image tokens are in the prompt
        assert (labels[i][mask[i] == 0] == IGNORE).all()  # padding never counts


def test_max_length_cuts_the_answer_never_the_image(processor, samples):
    full = encode_batch(processor, samples[:1], 2048)
    n = int(full["attention_mask"].sum())
    kept = int((full["labels"] != IGNORE).sum())
    cut = encode_batch(processor, samples[:1], n - 2)
    assert cut["input_ids"].shape[1] == n - 2 and int((cut["labels"] != IGNORE).sum()) == kept - 2
    images = int((full["input_ids"] == processor.image_token_id).sum())
    with pytest.raises(UserError, match="raise train.max_length"):
        encode_batch(processor, samples[:1], 8 + images // 2)


def test_loss_counts_only_answer_tokens(tiny, processor, samples):
    import torch
    from transformers import AutoModelForImageTextToText

    model = AutoModelForImageTextToText.from_pretrained(tiny)
    batch = encode_batch(processor, samples[:2], 2048)
    labels = batch.pop("labels")
    logits = model(**batch).logits
    loss, count = causal_lm_loss(logits, labels)
    assert (
        count == int((labels != IGNORE).sum()) and 3.0 < float(loss.detach()) < 8.0
    )  # ~ln(264) at random init
    none, zero = causal_lm_loss(logits, torch.full_like(labels, IGNORE))
    assert zero == 0 and float(none.detach()) == 0.0
    none.backward()  # a cut-off batch still has a graph: every worker can step


def test_generation_returns_one_answer_per_sample(tiny, processor, samples):
    from transformers import AutoModelForImageTextToText

    from sciray.train.evaluate import generate_answers, grade_samples, summarize

    model = AutoModelForImageTextToText.from_pretrained(tiny).eval()
    answers = generate_answers(model, processor, samples[:3], max_new_tokens=5, batch_size=2)
    assert len(answers) == 3 and all(isinstance(a, str) for a in answers)
    assert processor.tokenizer.padding_side == "right"  # restored after left-padded generation
    rows = grade_samples(samples[:3], [s["answer"] for s in samples[:3]], 0.02)
    assert summarize(rows)["accuracy"] == 1.0
