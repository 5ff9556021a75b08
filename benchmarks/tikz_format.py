"""TikZ render time with the preloaded format against plain pdflatex, measured in one run.

Renders benchmarks/tikz/*.tex through the sandboxed ``tikz`` renderer twice: with
``render.tex_format`` on (TikZ, its libraries and AMS math dumped into a format once per worker)
and off (every render loads them). Last line: one JSON object with both rates and the speed-up.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(codes: list[str], tex_format: bool, workers: int) -> tuple[float, dict[str, int]]:
    from sciray.config.models import RenderConfig
    from sciray.render import make_renderer

    with make_renderer("tikz", RenderConfig(tex_format=tex_format), workers=workers) as renderer:
        renderer.render_many(codes[:workers])  # warm
        start = time.perf_counter()
        results = renderer.render_many(codes)
        elapsed = time.perf_counter() - start
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    return elapsed, statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = sorted((HERE / "tikz").glob("*.tex"))
    codes = [f.read_text() for f in files] * args.repeat
    fmt_s, fmt_status = timed(codes, True, args.workers)
    plain_s, plain_status = timed(codes, False, args.workers)
    n = len(codes)
    print(f"{n} renders of {len(files)} TikZ documents, {args.workers} worker(s)")
    print(f"{'way':28} {'seconds':>8} {'ms each':>8}  statuses")
    print(f"{'preloaded format':28} {fmt_s:8.2f} {1000 * fmt_s / n:8.1f}  {fmt_status}")
    print(f"{'plain pdflatex':28} {plain_s:8.2f} {1000 * plain_s / n:8.1f}  {plain_status}")
    print(
        json.dumps(
            {
                "format_ms": round(1000 * fmt_s / n, 1),
                "plain_ms": round(1000 * plain_s / n, 1),
                "speedup": round(plain_s / fmt_s, 3),
                "workers": args.workers,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
