"""Images/s of ImageMetrics.compute (batched) vs compute_one_at_a_time (the reference's loop).

    python benchmarks/metrics.py [--n 257] [--size 256] [--batch-size 32] [--clip-model DIR] [--repeat 1] [--threads N]

Pairs: the SeePhys reference figures (shared/data/scigenbench/seephys_images) with perturbed
copies (Gaussian noise / blur / a small shift, in turn, at the figure's own size, PNG-encoded)
as the "generated" images. Both ways run in this one process on the same pairs, in turn, after a
warm-up; each way's best of ``--repeat`` runs is kept. Metrics: PSNR + SSIM, CLIP score with
``--clip-model`` or else with a tiny random-weight CLIP built on the fly (labelled as such: it
measures the code path, not a real model's cost), and FID when an extractor is available
(``--tiny-fid`` uses a tiny random one). Prints a table, then, as its last line, one JSON object
{"batched_per_s", "loop_per_s", "ratio", "metrics", ...}.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SCIRAY_SHARED_DATA", REPO.parent / "shared" / "data")) / "scigenbench"


def perturbed_pairs(n: int, seed: int = 0):
    from PIL import Image, ImageFilter

    from sciray.metrics import MetricPair

    rng = np.random.default_rng(seed)
    rows = [
        json.loads(line)
        for line in (DATA / "seephys.jsonl").read_text(encoding="utf-8").splitlines()
        if line
    ]
    pairs = []
    for row in rows:
        path = DATA / "seephys_images" / f"{row['id']}.png"
        if not path.is_file():
            continue
        with Image.open(path) as img:
            rgb = np.asarray(img.convert("RGB"))
        kind = len(pairs) % 3
        if kind == 0:
            gen = np.clip(
                rgb.astype(np.int16) + rng.normal(0, 20, rgb.shape).round(), 0, 255
            ).astype(np.uint8)
        elif kind == 1:
            gen = np.asarray(Image.fromarray(rgb).filter(ImageFilter.GaussianBlur(2)))
        else:
            gen = np.full_like(rgb, 255)
            gen[4:, 3:] = rgb[:-4, :-3]
        buf = io.BytesIO()
        Image.fromarray(gen).save(buf, format="PNG")
        pairs.append(
            MetricPair(
                id=str(row["id"]), image=buf.getvalue(), reference=str(path), text=row["question"]
            )
        )
        if len(pairs) == n:
            break
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--n", type=int, default=257, help="pairs (at most the 257 SeePhys figures)"
    )
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--clip-model", default=None, help="local CLIP folder; default: a tiny random CLIP"
    )
    parser.add_argument("--no-clip", action="store_true")
    parser.add_argument(
        "--tiny-fid", action="store_true", help="FID with a tiny random feature extractor"
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch intra-op threads for both ways (default: torch's own choice)",
    )
    args = parser.parse_args(argv)

    import torch

    from sciray.config.models import MetricsConfig
    from sciray.metrics import ImageMetrics
    from sciray.metrics.tiny import build_tiny_clip, tiny_fid_features

    if args.threads:
        torch.set_num_threads(args.threads)
    pairs = perturbed_pairs(args.n)
    tmp = tempfile.TemporaryDirectory()
    clip_model, clip_label = None, "none"
    if not args.no_clip:
        if args.clip_model:
            clip_model, clip_label = args.clip_model, f"clip ({args.clip_model})"
        else:
            clip_model, clip_label = (
                build_tiny_clip(Path(tmp.name) / "clip"),
                "clip (tiny random CLIP, not real weights)",
            )
    cfg = MetricsConfig(
        device=args.device, batch_size=args.batch_size, size=args.size, clip_model=clip_model
    )
    metrics = ImageMetrics(cfg, fid_feature=tiny_fid_features() if args.tiny_fid else None)

    metrics.compute(pairs[:4])  # warm-up: loads CLIP and FID, first calls of every kernel
    metrics.compute_one_at_a_time(pairs[:2])
    timings: dict[str, list[float]] = {"batched": [], "loop": []}
    results = {}
    for _ in range(max(1, args.repeat)):
        for way, run in (("batched", metrics.compute), ("loop", metrics.compute_one_at_a_time)):
            start = time.perf_counter()
            results[way] = run(pairs)
            timings[way].append(time.perf_counter() - start)

    batched, loop = results["batched"], results["loop"]
    done = len(batched.per_image)
    diff = max(
        (
            abs(v - loop.per_image[pid][k])
            for pid, vals in batched.per_image.items()
            for k, v in vals.items()
            if v is not None
        ),
        default=0.0,
    )
    names = [m for m in ("psnr", "ssim") if batched.means.get(m) is not None]
    if batched.means.get("clip") is not None:
        names.append(clip_label)
    if batched.fid is not None:
        names.append("fid (tiny random features)" if args.tiny_fid else "fid")
    per_s = {way: done / min(ts) for way, ts in timings.items()}

    print(
        f"SeePhys pairs: {len(pairs)} ({done} scored, {len(batched.missing)} missing), size {args.size}, "
        f"batch {args.batch_size}, device {args.device}, torch threads {torch.get_num_threads()}, "
        f"cpus {os.cpu_count()}"
    )
    print(f"metrics: {', '.join(names)}; null: {batched.reasons or '-'}")
    print(f"{'way':<10} {'seconds':>9} {'images/s':>9}")
    for way in ("batched", "loop"):
        print(f"{way:<10} {min(timings[way]):>9.2f} {per_s[way]:>9.2f}")
    print(
        f"means: { {k: (round(v, 4) if v is not None else None) for k, v in batched.means.items()} }, "
        f"fid {batched.fid}; max |batched - loop| per-image difference {diff:.2e}"
    )
    tmp.cleanup()
    print(
        json.dumps(
            {
                "batched_per_s": round(per_s["batched"], 3),
                "loop_per_s": round(per_s["loop"], 3),
                "ratio": round(per_s["batched"] / per_s["loop"], 3),
                "metrics": names,
                "n": done,
                "size": args.size,
                "batch_size": args.batch_size,
                "device": args.device,
                "threads": torch.get_num_threads(),
                "max_abs_diff": diff,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
