"""CLIP score (image vs. problem text) with a local transformers CLIP model.

CLIP score = 100 * max(cos(image embedding, text embedding), 0), torchmetrics' ``CLIPScore``
definition, computed per pair. It is computed here with the transformers model directly rather
than through ``torchmetrics.functional.multimodal.clip_score``, because that function, tried
with transformers 5.x, (1) fails: ``get_image_features`` / ``get_text_features`` now return a
``BaseModelOutputWithPooling`` instead of a tensor (``AttributeError: ... has no attribute
'norm'``); (2) returns only the batch mean, clamped after averaging, never per-pair scores; and
(3) truncates long captions by slicing the token ids, which cuts off the end-of-text token the
CLIP text tower pools at. Here the tokenizer truncates (``truncation=True, max_length=77``: the
end-of-text token is kept) and the scores equal torchmetrics' for texts within 77 tokens
(tests/unit/test_metrics.py checks that against ``clip_score`` with a small shim).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

CLIP_MAX_TOKENS = 77


def _pooled(out):
    """transformers < 5 returns the projected features as a tensor, 5.x in ``pooler_output``."""
    import torch

    if isinstance(out, torch.Tensor):
        return out
    pooled = getattr(out, "pooler_output", None)
    if pooled is None:
        raise TypeError(f"unexpected CLIP feature output {type(out).__name__}")
    return pooled


def clip_scores(image_features, text_features):
    """100 * max(cosine similarity, 0) per row of two ``(N, D)`` feature tensors."""
    image_features = image_features / image_features.norm(p=2, dim=-1, keepdim=True)
    text_features = text_features / text_features.norm(p=2, dim=-1, keepdim=True)
    return (100 * (image_features * text_features).sum(dim=-1)).clamp(min=0)


class TransformersClip:
    """``CLIPModel`` + ``CLIPProcessor`` from a local folder (or a model id already cached)."""

    def __init__(self, model: str, device: str = "cpu"):
        import torch
        from transformers import CLIPModel, CLIPProcessor

        self.name, self.device = model, torch.device(device)
        self.model = CLIPModel.from_pretrained(model, local_files_only=True).to(self.device).eval()
        self.processor = CLIPProcessor.from_pretrained(model, local_files_only=True)
        limit = getattr(
            getattr(self.model.config, "text_config", None),
            "max_position_embeddings",
            CLIP_MAX_TOKENS,
        )
        self.max_tokens = min(CLIP_MAX_TOKENS, int(limit))

    def tokenize(self, texts: Sequence[str]):
        return self.processor.tokenizer(
            list(texts),
            padding=True,
            truncation=True,
            max_length=self.max_tokens,
            return_tensors="pt",
        )

    def score(self, images: Sequence[np.ndarray], texts: Sequence[str]):
        """CLIP score per (uint8 HxWx3 image, text) pair, a float tensor of shape (N,) on the CPU."""
        import torch

        if len(images) != len(texts):
            raise ValueError(f"{len(images)} images but {len(texts)} texts")
        pixels = self.processor.image_processor(images=list(images), return_tensors="pt")[
            "pixel_values"
        ]
        tokens = self.tokenize(texts)
        with torch.inference_mode():
            image_features = _pooled(
                self.model.get_image_features(pixel_values=pixels.to(self.device))
            )
            text_features = _pooled(
                self.model.get_text_features(
                    input_ids=tokens["input_ids"].to(self.device),
                    attention_mask=tokens["attention_mask"].to(self.device),
                )
            )
            return clip_scores(image_features.float(), text_features.float()).cpu()
