"""Tiny random-weight stand-ins built offline, for tests and ``benchmarks/metrics.py``.

Their numbers mean nothing about image quality: they exercise the real code paths (a
transformers CLIP folder loaded with ``local_files_only=True``; a torchmetrics FID custom
feature extractor) where no real weights can be downloaded.
"""

from __future__ import annotations

from pathlib import Path


def build_tiny_clip(folder: str | Path, *, seed: int = 0, image_size: int = 32) -> str:
    """Save a tiny random ``CLIPModel`` + ``CLIPProcessor`` (byte-level tokenizer with no merges,
    PIL image processor) to ``folder``; returns the folder for ``metrics.clip_model``."""
    import torch
    from tokenizers import pre_tokenizers
    from transformers import (
        CLIPConfig,
        CLIPImageProcessorPil,
        CLIPModel,
        CLIPProcessor,
        CLIPTokenizer,
    )

    folder = Path(folder)
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    for suffix in ("", "</w>"):
        for ch in alphabet:
            vocab.setdefault(ch + suffix, len(vocab))
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[])
    config = CLIPConfig(
        text_config={
            "vocab_size": len(vocab),
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "max_position_embeddings": 77,
            "bos_token_id": 0,
            "eos_token_id": 1,
            "pad_token_id": 1,
        },
        vision_config={
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "image_size": image_size,
            "patch_size": 8,
        },
        projection_dim=16,
    )
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = CLIPModel(config).eval()
        with torch.no_grad():
            # Share the projection and a common offset between the towers so that scores land
            # mostly above 0 (random towers give cosines around 0, which the max(., 0) clamps).
            model.text_projection.weight.copy_(model.visual_projection.weight)
            model.vision_model.post_layernorm.bias.fill_(1.0)
            model.text_model.final_layer_norm.bias.fill_(1.0)
    image_processor = CLIPImageProcessorPil(
        size={"shortest_edge": image_size}, crop_size={"height": image_size, "width": image_size}
    )
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
    return str(folder)


def tiny_fid_features(num_features: int = 16, *, seed: int = 0):
    """A fixed random feature extractor following torchmetrics' FID ``feature=`` contract:
    uint8 ``(N, 3, H, W)`` in, ``(N, num_features)`` float out, ``num_features`` attribute set."""
    import torch
    from torch import nn

    class TinyFeatures(nn.Module):
        def __init__(self):
            super().__init__()
            self.num_features = num_features
            generator = torch.Generator().manual_seed(seed)
            self.register_buffer(
                "weight", torch.randn(3 * 8 * 8, num_features, generator=generator) / 8.0
            )

        def forward(self, images):
            x = nn.functional.adaptive_avg_pool2d(images.float() / 255.0, (8, 8)).flatten(1)
            return torch.tanh(x @ self.weight)

    return TinyFeatures().eval()
