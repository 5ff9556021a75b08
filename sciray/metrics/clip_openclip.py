"""CLIP score with open_clip (the ``gpu`` extra), imported when the backend is built; its
absence becomes "pip install 'sciray[gpu]'".

``metrics.clip_model`` is ``ARCH:PRETRAINED`` (``ViT-B-32:openai``, or a local weights file
``ViT-B-32:/models/clip.bin``) or an ``hf-hub:org/name`` id already in the cache.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sciray.errors import UserError
from sciray.metrics.clip import clip_scores


class OpenClip:
    @staticmethod
    def require() -> None:
        """Fail early, with the install line, when open_clip is missing."""
        import importlib.util

        if importlib.util.find_spec("open_clip") is None:
            raise UserError(
                "metrics.clip_backend=open_clip needs open_clip: pip install 'sciray[gpu]' "
                "(on CPU use metrics.clip_backend=transformers)"
            )

    def __init__(self, model: str, device: str = "cpu"):
        import torch

        self.require()
        import open_clip

        self.name, self.device = model, torch.device(device)
        if model.startswith("hf-hub:"):
            arch, pretrained = model, None
        else:
            arch, _, pretrained = model.partition(":")
        self.model, _, self.preprocess = open_clip.create_model_and_transforms(
            arch, pretrained=pretrained or None, device=self.device
        )
        self.model.eval()
        self.tokenizer = open_clip.get_tokenizer(
            arch
        )  # pads / truncates to 77 tokens, keeps end-of-text

    def score(self, images: Sequence[np.ndarray], texts: Sequence[str]):
        import torch
        from PIL import Image

        pixels = torch.stack([self.preprocess(Image.fromarray(img)) for img in images]).to(
            self.device
        )
        tokens = self.tokenizer(list(texts)).to(self.device)
        with torch.inference_mode():
            return clip_scores(
                self.model.encode_image(pixels).float(), self.model.encode_text(tokens).float()
            ).cpu()
