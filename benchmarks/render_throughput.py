"""Render throughput: the sandboxed pool against in-process exec, measured in one run.

Renders the same diagram corpus (benchmarks/diagrams/*.py) three ways:
  reference  - the reference implementation's style: exec() in this process under one lock
  inprocess  - unsafe exec() in N forked worker processes (no isolation at all)
  sandboxed  - SciRay's pool of N warm fork-servers (Landlock + seccomp + rlimits per render)
Each way returns PNG bytes for every diagram. Pool start-up is timed separately, not counted.
Last line: one JSON object with the rates and ratios.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def exec_and_png(code: str) -> bytes:
    """What an unsandboxed renderer does: exec the script, save the last figure as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    try:
        exec(compile(code, "<diagram>", "exec"), {"__name__": "__main__"})
    except SystemExit:
        pass
    nums = plt.get_fignums()
    if not nums:
        return b""
    buffer = io.BytesIO()
    plt.figure(nums[-1]).savefig(buffer, format="png", dpi=100)
    plt.close("all")
    return buffer.getvalue()


def _init_worker(scratch: str) -> None:
    os.chdir(scratch)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401


def run_reference(codes: list[str]) -> tuple[float, int]:
    lock = threading.Lock()
    start = time.perf_counter()
    ok = 0
    for code in codes:
        with lock:
            ok += bool(exec_and_png(code))
    return time.perf_counter() - start, ok


def run_inprocess(codes: list[str], workers: int, scratch: str) -> tuple[float, int]:
    ctx = mp.get_context("fork")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(scratch,)) as pool:
        pool.map(exec_and_png, codes[:workers])  # warm
        start = time.perf_counter()
        pngs = pool.map(exec_and_png, codes, chunksize=1)
        return time.perf_counter() - start, sum(bool(p) for p in pngs)


def run_sandboxed(codes: list[str], workers: int) -> tuple[float, int, float, list[str], dict]:
    from sciray.config.models import RenderConfig
    from sciray.render.backends import PythonRenderer

    t0 = time.perf_counter()
    renderer = PythonRenderer(RenderConfig(allowed_imports=["*"]), workers=workers)
    startup = time.perf_counter() - t0
    try:
        renderer.render_many(codes[:workers])  # warm
        start = time.perf_counter()
        results = renderer.render_many(codes)
        elapsed = time.perf_counter() - start
        statuses: dict[str, int] = {}
        for r in results:
            statuses[r.status] = statuses.get(r.status, 0) + 1
        return elapsed, sum(r.status == "ok" for r in results), startup, renderer.sandbox, statuses
    finally:
        renderer.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--repeat", type=int, default=1, help="Render the corpus this many times per way."
    )
    parser.add_argument("--corpus", default=str(HERE / "diagrams"))
    parser.add_argument("--out", default=None, help="Also save the JSON result here.")
    args = parser.parse_args()
    files = sorted(Path(args.corpus).glob("*.py"))
    if len(files) < 50:
        print(f"need at least 50 diagrams in {args.corpus}, found {len(files)}", file=sys.stderr)
        return 2
    codes = [f.read_text() for f in files] * args.repeat
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        exec_and_png(codes[0])  # warm imports for the reference
        ref_s, ref_ok = run_reference(codes)
        inp_s, inp_ok = run_inprocess(codes, args.workers, scratch)
    sb_s, sb_ok, startup, sandbox, statuses = run_sandboxed(codes, args.workers)
    n = len(codes)
    rows = [
        ("reference (1 proc, lock)", ref_s, ref_ok),
        (f"in-process x{args.workers} (unsafe)", inp_s, inp_ok),
        (f"sandboxed x{args.workers}", sb_s, sb_ok),
    ]
    print(
        f"{n} renders of {len(files)} diagrams; sandbox: {', '.join(sandbox)}; pool start-up {startup:.2f} s"
    )
    print(f"{'way':34} {'seconds':>8} {'per s':>8} {'ms each':>8} {'ok':>5}")
    for name, secs, ok in rows:
        print(f"{name:34} {secs:8.2f} {n / secs:8.2f} {1000 * secs / n:8.1f} {ok:5d}")
    print(f"sandboxed statuses: {statuses}")
    result = {
        "sandboxed_per_s": round(n / sb_s, 3),
        "inprocess_per_s": round(n / inp_s, 3),
        "reference_per_s": round(n / ref_s, 3),
        "ratio_vs_inprocess": round(inp_s / sb_s, 3),
        "ratio_vs_reference": round(ref_s / sb_s, 3),
        "workers": args.workers,
    }
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
