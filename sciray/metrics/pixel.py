"""PSNR and SSIM for a batch of image pairs with torchmetrics' functional API.

SSIM is torchmetrics' SSIM map (Gaussian window 11 x 11, sigma 1.5, k1 0.01, k2 0.03,
``data_range=1.0``) averaged over the pixels where the whole window lies inside the image, the
convention of the original SSIM code and of scikit-image (``gaussian_weights=True, sigma=1.5,
use_sample_covariance=False``), which it then matches to ~1e-6. torchmetrics' own reduction also
averages the 5-px border computed on reflect-padded input; on diagrams with content near the
edges that differs from scikit-image by up to ~0.03 (measured on SeePhys figures at 256 px).
"""

from __future__ import annotations

from sciray.metrics.result import PSNR_CAP_DB

CPU_PIXELS = 1 << 17
"""On a CPU, PSNR / SSIM run on sub-batches of at most this many pixels per image set (2 images
at 256 px): SSIM's ~15 intermediate maps then stay in cache. Measured on the 2-core development
machine at 256 px (contiguous NCHW float32): 14-19 ms/image in sub-batches of 1-2 images,
30-43 ms in sub-batches of 4-32, with 1 or 2 torch threads. On a GPU the whole batch runs at once."""

SSIM_BORDER = 5  # (11 - 1) // 2: the Gaussian window's radius (int(3.5 * 1.5 + 0.5))


def psnr_ssim(generated, reference):
    """Per-pair PSNR (dB, capped at ``PSNR_CAP_DB``) and SSIM for two ``(N, 3, H, W)`` float
    tensors in [0, 1]. Returns two float tensors of shape ``(N,)``."""
    import torch
    from torchmetrics.functional.image import (
        peak_signal_noise_ratio,
        structural_similarity_index_measure,
    )

    psnr = peak_signal_noise_ratio(
        generated, reference, data_range=1.0, reduction="none", dim=(1, 2, 3)
    )
    psnr = torch.clamp(psnr, max=PSNR_CAP_DB)  # identical images: +inf -> the cap (see PSNR_CAP_DB)
    _, ssim_map = structural_similarity_index_measure(
        generated, reference, data_range=1.0, reduction="none", return_full_image=True
    )
    b = SSIM_BORDER
    ssim = (
        ssim_map[..., b:-b, b:-b].mean(dim=(1, 2, 3))
        if min(ssim_map.shape[-2:]) > 2 * b
        else ssim_map.mean(dim=(1, 2, 3))
    )
    return psnr.reshape(-1), ssim.reshape(-1)


def pixel_batch(n: int, size: int, device) -> int:
    """How many image pairs to pass to one ``psnr_ssim`` call (see ``CPU_PIXELS``)."""
    if getattr(device, "type", str(device)) != "cpu":
        return max(1, n)
    return max(1, min(n, CPU_PIXELS // (size * size)))
