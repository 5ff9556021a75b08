"""SciGenBench standard image metrics against reference figures: PSNR, SSIM, CLIP score, FID.

Plain classes (no Ray): ``ImageMetrics(cfg.metrics).compute(pairs) -> MetricsResult``. torch,
torchmetrics and transformers (the ``metrics`` extra) are imported only when metrics run.
"""

from __future__ import annotations

from sciray.metrics.core import NO_CLIP_MODEL, ImageMetrics
from sciray.metrics.images import load_rgb
from sciray.metrics.result import PER_IMAGE_METRICS, PSNR_CAP_DB, MetricPair, MetricsResult
from sciray.registry import Registry

CLIP_BACKENDS: Registry = Registry("CLIP backend")
CLIP_BACKENDS.register("transformers", "sciray.metrics.clip:TransformersClip")
CLIP_BACKENDS.register("open_clip", "sciray.metrics.clip_openclip:OpenClip")

__all__ = [
    "CLIP_BACKENDS",
    "NO_CLIP_MODEL",
    "PER_IMAGE_METRICS",
    "PSNR_CAP_DB",
    "ImageMetrics",
    "MetricPair",
    "MetricsResult",
    "load_rgb",
]
