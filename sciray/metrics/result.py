"""Inputs and outputs of the standard image metrics (plain dataclasses, JSON-ready)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PER_IMAGE_METRICS = ("psnr", "ssim", "clip")

PSNR_CAP_DB = 100.0
"""PSNR is reported as at most this many dB. Identical images (MSE 0, PSNR +inf) get exactly
this value: JSON cannot hold inf, and dropping them (None) would bias the mean downwards. For
8-bit images a single 1-level difference at 256 x 256 already gives ~101 dB, so the cap only
touches pairs that are identical or differ in a handful of pixel values."""


@dataclass(frozen=True)
class MetricPair:
    """One generated image, its reference figure and the problem text (for CLIP score)."""

    id: str
    image: bytes | str | Path | None
    reference: bytes | str | Path | None
    text: str = ""


@dataclass
class MetricsResult:
    """Per-image PSNR / SSIM / CLIP score, set-level FID, and why anything is null."""

    per_image: dict[str, dict[str, float | None]] = field(default_factory=dict)
    """Pair id -> {"psnr", "ssim", "clip"}; only pairs whose two images were loaded."""
    fid: float | None = None
    """FID between the generated and the reference images of the loaded pairs."""
    reasons: dict[str, str] = field(default_factory=dict)
    """Metric name -> why it is null (for every pair, or FID)."""
    missing: dict[str, str] = field(default_factory=dict)
    """Pair id -> why its image or reference could not be loaded (reported, never fatal)."""
    means: dict[str, float | None] = field(default_factory=dict)
    """Metric name -> mean over the pairs that have a value (None when none has)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "per_image": self.per_image,
            "fid": self.fid,
            "reasons": dict(self.reasons),
            "missing": dict(self.missing),
            "means": dict(self.means),
        }


def finite_or_none(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def mean_of(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return math.fsum(kept) / len(kept) if kept else None
