"""``ImageMetrics``: PSNR, SSIM, CLIP score per pair and FID over the set, in batches."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from sciray.errors import UserError
from sciray.metrics.images import load_rgb
from sciray.metrics.result import (
    PER_IMAGE_METRICS,
    MetricPair,
    MetricsResult,
    finite_or_none,
    mean_of,
)

NO_CLIP_MODEL = "no CLIP weights configured (metrics.clip_model)"
LOAD_THREADS = 4


class ImageMetrics:
    """Standard metrics of generated images against reference figures.

    ``compute`` decodes each batch of ``cfg.batch_size`` pairs in a few threads (PIL releases the
    GIL), stacks them into ``(N, 3, size, size)`` tensors on ``cfg.device`` and runs PSNR / SSIM,
    the CLIP model and the FID feature extractor once per batch. ``compute_one_at_a_time`` is the
    deliberately naive loop of the reference implementation (one pair per call, no threads); it
    gives the same numbers and exists for ``benchmarks/metrics.py``.

    ``clip``: an object with ``score(images: list[uint8 HxWx3], texts: list[str]) -> (N,) tensor``
    used instead of loading ``cfg.clip_model``. ``fid_feature``: an ``nn.Module`` used as
    torchmetrics' FID ``feature=`` (see ``sciray.metrics.fid``) instead of the Inception network.
    A missing CLIP model or FID extractor makes that metric null with the reason; the other
    metrics are still computed. Unreadable images are reported in ``missing``, never raised.
    PSNR of identical images is ``PSNR_CAP_DB`` (100 dB), not inf; SSIM follows scikit-image's
    border convention (``sciray.metrics.pixel``). Not thread-safe (one FID state per instance).
    """

    def __init__(self, cfg, *, clip=None, fid_feature=None):
        try:
            import torch
            import torchmetrics  # noqa: F401
        except ImportError as exc:
            raise UserError(
                f"standard image metrics need {exc.name or exc}: pip install 'sciray[metrics]'"
            ) from exc

        self.cfg = cfg
        try:
            self.device = torch.device(cfg.device)
        except (RuntimeError, TypeError) as exc:
            raise UserError(f"metrics.device {cfg.device!r} is not a torch device ({exc})") from exc
        if self.device.type == "cuda" and not torch.cuda.is_available():
            raise UserError(
                f"metrics.device is {cfg.device!r} but no CUDA device is available; set metrics.device=cpu"
            )
        self._clip, self._clip_reason, self._clip_class = clip, None, None
        if clip is None:
            if cfg.clip_model:
                from sciray.metrics import CLIP_BACKENDS

                # resolved now so that a missing backend package (open_clip) fails before any work
                self._clip_class = CLIP_BACKENDS.get(cfg.clip_backend)
                getattr(self._clip_class, "require", lambda: None)()
            else:
                self._clip_reason = NO_CLIP_MODEL
        self._fid_feature = fid_feature
        self._fid, self._fid_reason, self._fid_tried = None, None, False

    # -- lazily built models ---------------------------------------------------------------
    def clip_scorer(self):
        """The CLIP scorer, loaded on first use, or None (then ``clip_reason`` says why)."""
        if self._clip is None and self._clip_reason is None and self._clip_class is not None:
            try:
                self._clip = self._clip_class(self.cfg.clip_model, device=str(self.device))
            except Exception as exc:  # noqa: BLE001 - unusable weights make CLIP null, not the run fail
                self._clip_reason = (
                    f"cannot load CLIP weights from {self.cfg.clip_model!r} "
                    f"({type(exc).__name__}: {exc})"
                )
        return self._clip

    @property
    def clip_reason(self) -> str | None:
        return self._clip_reason

    def _fid_metric(self):
        if not self._fid_tried:
            from sciray.metrics.fid import build_fid

            self._fid_tried = True
            self._fid, self._fid_reason = build_fid(
                self.cfg.fid_features,
                self._fid_feature,
                size=self.cfg.size,
                device=str(self.device),
            )
        if self._fid is not None:
            self._fid.reset()
        return self._fid

    # -- public API ------------------------------------------------------------------------
    def compute(self, pairs: Sequence[MetricPair]) -> MetricsResult:
        """All metrics for ``pairs``, ``cfg.batch_size`` pairs per batch."""
        return self._run(
            pairs, batch_size=self.cfg.batch_size, threads=min(LOAD_THREADS, os.cpu_count() or 1)
        )

    def compute_one_at_a_time(self, pairs: Sequence[MetricPair]) -> MetricsResult:
        """The same numbers as ``compute``, one pair per call (the reference implementation's loop)."""
        return self._run(pairs, batch_size=1, threads=1)

    # -- the work --------------------------------------------------------------------------
    def _load(self, pair: MetricPair):
        image, why_image = load_rgb(pair.image, self.cfg.size)
        if image is None:
            return pair, None, None, f"image: {why_image}"
        reference, why_reference = load_rgb(pair.reference, self.cfg.size)
        if reference is None:
            return pair, None, None, f"reference: {why_reference}"
        return pair, image, reference, None

    def _batches(self, pairs: list[MetricPair], batch_size: int, threads: int):
        """Yield each batch as a list of ``_load`` results; with threads, one batch decodes ahead."""
        chunks = [pairs[start : start + batch_size] for start in range(0, len(pairs), batch_size)]
        if threads <= 1:
            for chunk in chunks:
                yield [self._load(p) for p in chunk]
            return
        with ThreadPoolExecutor(threads, thread_name_prefix="sciray-metrics") as pool:
            try:
                ahead = [pool.submit(self._load, p) for p in chunks[0]] if chunks else []
                for index in range(len(chunks)):
                    current = ahead
                    if index + 1 < len(chunks):
                        ahead = [pool.submit(self._load, p) for p in chunks[index + 1]]
                    yield [future.result() for future in current]
            finally:
                pool.shutdown(cancel_futures=True)

    def _pixel_metrics(self, loaded, fid):
        """PSNR and SSIM lists for a batch of loaded pairs; adds the batch to the FID state."""
        import torch

        from sciray.metrics.pixel import pixel_batch, psnr_ssim

        with torch.no_grad():
            # contiguous NCHW: SSIM's grouped convolution is ~25% faster on it than on NHWC strides
            gen_u8 = (
                torch.from_numpy(np.stack([i for _, i, _ in loaded]))
                .to(self.device)
                .permute(0, 3, 1, 2)
                .contiguous()
            )
            ref_u8 = (
                torch.from_numpy(np.stack([r for _, _, r in loaded]))
                .to(self.device)
                .permute(0, 3, 1, 2)
                .contiguous()
            )
            psnr, ssim = [], []
            step = pixel_batch(len(loaded), self.cfg.size, self.device)
            for s in range(0, len(loaded), step):
                p, q = psnr_ssim(
                    gen_u8[s : s + step].float() / 255.0, ref_u8[s : s + step].float() / 255.0
                )
                psnr += p.cpu().tolist()
                ssim += q.cpu().tolist()
            if fid is not None:
                fid.update(ref_u8, real=True)
                fid.update(gen_u8, real=False)
        return psnr, ssim

    def _run(self, pairs: Sequence[MetricPair], *, batch_size: int, threads: int) -> MetricsResult:
        from sciray.metrics.fid import fid_value

        pairs = list(pairs)
        ids = [str(p.id) for p in pairs]
        if len(set(ids)) != len(ids):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            raise UserError(f"metric pairs must have unique ids; repeated: {', '.join(dupes[:5])}")
        result = MetricsResult()
        clip, clip_reason = self.clip_scorer(), self._clip_reason
        fid = self._fid_metric()
        for batch in self._batches(pairs, batch_size, threads):
            loaded = []
            for pair, image, reference, why in batch:
                if why is None:
                    loaded.append((pair, image, reference))
                else:
                    result.missing[str(pair.id)] = why
            if not loaded:
                continue
            psnr, ssim = self._pixel_metrics(loaded, fid)
            scores = None
            if clip is not None:
                try:
                    scores = clip.score(
                        [i for _, i, _ in loaded], [p.text or "" for p, _, _ in loaded]
                    ).tolist()
                except Exception as exc:  # noqa: BLE001 - CLIP failing must not lose PSNR / SSIM / FID
                    clip, clip_reason = None, f"CLIP scoring failed ({type(exc).__name__}: {exc})"
                    for values in result.per_image.values():
                        values["clip"] = None
            for k, (pair, _, _) in enumerate(loaded):
                result.per_image[str(pair.id)] = {
                    "psnr": finite_or_none(psnr[k]),
                    "ssim": finite_or_none(ssim[k]),
                    "clip": finite_or_none(scores[k]) if scores is not None else None,
                }

        if not result.per_image:
            why = (
                "no pair had both its image and its reference loaded" if pairs else "no image pairs"
            )
            result.reasons.update(psnr=why, ssim=why, clip=clip_reason or why, fid=why)
        else:
            if clip_reason:
                result.reasons["clip"] = clip_reason
            if fid is None:
                result.reasons["fid"] = self._fid_reason or "no FID feature extractor"
            else:
                result.fid, why = fid_value(fid)
                if why:
                    result.reasons["fid"] = why
        result.means = {
            m: mean_of([v[m] for v in result.per_image.values()]) for m in PER_IMAGE_METRICS
        }
        return result
