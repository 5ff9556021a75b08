"""FID between generated and reference images with torchmetrics' ``FrechetInceptionDistance``.

Feature extractors (torchmetrics' contract for ``feature=``):

- an ``int`` (2048 here): torchmetrics' Inception-v3 (``NoTrainInceptionV3``), which needs the
  ``torch-fidelity`` package and its weights (cached, or ``metrics.fid_features``: a local
  torch-fidelity Inception weights file passed as ``feature_extractor_weights_path``);
- an ``nn.Module``: called on ``uint8`` tensors of shape ``(N, 3, H, W)`` (``normalize=False``)
  and returning ``(N, num_features)``. A ``num_features`` attribute (int or tensor) gives the
  dimension; without one torchmetrics runs one dummy image of ``input_img_size`` (set here to
  ``(3, size, size)``) through the module to find it.
"""

from __future__ import annotations

import math
from pathlib import Path


def build_fid(fid_features: str | None, feature=None, *, size: int, device: str = "cpu"):
    """``(FrechetInceptionDistance, None)``, or ``(None, reason)`` when no extractor is usable."""
    try:
        from torchmetrics.image.fid import FrechetInceptionDistance
    except Exception as exc:  # noqa: BLE001
        return None, f"torchmetrics FID is unavailable ({type(exc).__name__}: {exc})"
    try:
        if feature is not None:
            feature.eval()
            metric = FrechetInceptionDistance(
                feature=feature, normalize=False, input_img_size=(3, size, size)
            )
        else:
            weights = fid_features or None
            if weights and "://" not in weights and not Path(weights).is_file():
                return None, f"metrics.fid_features file not found: {weights}"
            metric = FrechetInceptionDistance(
                feature=2048, normalize=False, feature_extractor_weights_path=weights
            )
    except ModuleNotFoundError as exc:
        package = exc.name if exc.name and exc.name != "torch_fidelity" else "torch-fidelity"
        return None, (
            f"torchmetrics' Inception FID feature extractor needs {package}, which is not installed "
            f"(pip install {package})"
        )
    except Exception as exc:  # noqa: BLE001 - e.g. the weights are not cached and cannot be downloaded
        return None, f"cannot load the FID Inception weights ({type(exc).__name__}: {exc})"
    return metric.to(device), None


def fid_value(metric) -> tuple[float | None, str | None]:
    """The FID of what ``metric`` has seen, or None and why (fewer than 2 images per side, ...)."""
    real, fake = int(metric.real_features_num_samples), int(metric.fake_features_num_samples)
    if real < 2 or fake < 2:
        return (
            None,
            f"FID needs at least 2 images on each side (got {fake} generated, {real} reference)",
        )
    try:
        value = float(metric.compute())
    except Exception as exc:  # noqa: BLE001
        return None, f"FID computation failed ({type(exc).__name__}: {exc})"
    if not math.isfinite(value):
        return None, "FID is not finite (degenerate features)"
    return max(value, 0.0), None  # identical sets give ~0, possibly -1e-9 from round-off
