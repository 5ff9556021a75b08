"""A tiny random-weight Qwen2-VL built entirely offline, for CPU runs and tests.

``train.model: tiny-qwen2-vl`` names it: the first use builds the model, a byte-level tokenizer
(no merges, so no training corpus is needed and the vocabulary is fixed), a Qwen2-VL image
processor with small pixel bounds and a Qwen2-VL-style chat template, and saves them into the
model cache; the trainer then loads the folder by path exactly like
a real model. Same seed, same weights. Its answers mean nothing; it exercises the real code paths.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

TINY_NAME = "tiny-qwen2-vl"
TINY_VERSION = 1  # bump when the builder changes: a new cache folder is built

SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
]

# Qwen2-VL's template without the default system prompt: images first, then the text.
CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for c in message['content'] %}"
    "{% if c['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

TINY_MIN_PIXELS = 56 * 56
TINY_MAX_PIXELS = (
    112 * 112
)  # at most 8 x 8 patches of 14 pixels = 16 image tokens after the 2x2 merge


def _tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {ch: i for i, ch in enumerate(alphabet)}
    core = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    core.decoder = decoders.ByteLevel()
    tok = PreTrainedTokenizerFast(
        tokenizer_object=core,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        chat_template=CHAT_TEMPLATE,
    )
    tok.add_special_tokens(
        {
            "additional_special_tokens": [
                t for t in SPECIAL_TOKENS if t not in ("<|im_end|>", "<|endoftext|>")
            ]
        }
    )
    return tok


def build_tiny_qwen2_vl(folder: str | os.PathLike, *, seed: int = 0) -> str:
    """Save the tiny model, tokenizer, image processor and chat template to ``folder``."""
    import torch
    from transformers import Qwen2VLConfig, Qwen2VLForConditionalGeneration
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    tok = _tokenizer()
    ids = {t: tok.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    hidden, heads = 64, 4
    config = Qwen2VLConfig(
        text_config={
            "vocab_size": len(tok),
            "hidden_size": hidden,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": heads,
            "num_key_value_heads": 2,
            "max_position_embeddings": 4096,
            "bos_token_id": ids["<|endoftext|>"],
            "eos_token_id": ids["<|im_end|>"],
            "pad_token_id": ids["<|endoftext|>"],
            # head_dim 16: the 3-D rotary sections (time, height, width) cover its 8 frequencies
            "rope_parameters": {
                "rope_type": "default",
                "rope_theta": 10000.0,
                "mrope_section": [2, 3, 3],
            },
        },
        vision_config={
            "depth": 2,
            "embed_dim": 32,
            "hidden_size": hidden,
            "num_heads": 2,
            "mlp_ratio": 2,
            "patch_size": 14,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
        },
        image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"],
    )
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = Qwen2VLForConditionalGeneration(config).eval()
    model.generation_config.eos_token_id = ids["<|im_end|>"]
    model.generation_config.pad_token_id = ids["<|endoftext|>"]
    image_processor = Qwen2VLImageProcessorPil(
        min_pixels=TINY_MIN_PIXELS, max_pixels=TINY_MAX_PIXELS
    )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # Not model.save_pretrained: transformers 5 writes weights only on rank 0 of an initialized
    # torch.distributed group, and a Ray Train worker of another rank that built the cache first
    # left a folder without them (every later run failed to load it).
    from safetensors.torch import save_model

    model.config.save_pretrained(folder)
    model.generation_config.save_pretrained(folder)
    save_model(model, str(folder / "model.safetensors"), metadata={"format": "pt"})
    # The parts of a Qwen2VLProcessor, saved one by one: building the processor itself needs
    # torchvision (see sciray.train.processor.load_processor, which loads these either way).
    tok.save_pretrained(folder)
    image_processor.save_pretrained(folder)
    (folder / "processor_config.json").write_text(
        json.dumps({"processor_class": "Qwen2VLProcessor"})
    )
    return str(folder)


def tiny_model_path(cache: str | os.PathLike | None = None, *, seed: int = 0) -> str:
    """The cached tiny model folder, built on first use. Safe when several workers race to build
    it: each builds into a temporary folder and the first rename wins."""
    from sciray.llm.weights import cache_dir

    dest = Path(cache) if cache else cache_dir() / f"{TINY_NAME}-v{TINY_VERSION}-seed{seed}"
    marker = dest / "sciray-tiny.json"
    if marker.exists() and (dest / "model.safetensors").exists():
        return str(dest)
    if marker.exists():  # built without its weights (see build_tiny_qwen2_vl): build it again
        shutil.rmtree(dest, ignore_errors=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        build_tiny_qwen2_vl(tmp, seed=seed)
        (tmp / "sciray-tiny.json").write_text(
            json.dumps({"name": TINY_NAME, "version": TINY_VERSION, "seed": seed})
        )
        try:
            tmp.rename(dest)
        except OSError:  # another worker finished first
            if not marker.exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return str(dest)
