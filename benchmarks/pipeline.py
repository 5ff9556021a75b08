"""Synthesis pipeline: throughput against render-only, and memory while streaming, in one run.

(a) throughput: ``run_synthesis`` (the real pipeline: ProblemSource -> ImgCoderStage with the
    ``scripted`` engine answering one fixed GOOD Matplotlib script instantly -> real sandboxed
    render + checks -> ValidateStage (checks-only) -> RunRecorder writing shards) on N problems
    made by varying a template, against render-only: the same number of sandboxed render workers
    rendering the same code (taken from the shards) through ``make_renderer(...).render_many``.
    Pipeline rate is steady state: the rows of the second half of the run (by arrival at the
    driver, from the shards' mtimes) over the time they took; the start-up (Ray Data planning,
    actors and fork-servers starting) is reported apart, as the wall rate, and not counted.
    Render-only excludes pool start-up and one warm-up batch.
(b) memory: the real ProblemSource, rows, ValidateStage and RunRecorder writer, with a trivial
    stage instead of coder + render that fills each row with one fixed small PNG candidate, on
    10k and 100k problems (``--sizes``), each size in a fresh process with a fresh local Ray.
    Sampled in a thread: driver RSS (psutil) and object-store bytes in use (the raylet's
    FormatGlobalMemoryInfo reply, ``ray._private.internal_api.get_memory_info_reply``, which is
    what ``ray memory --stats-only`` prints; ``available_resources()['object_store_memory']``
    is a logical resource that does not move with puts).

Last line: one JSON object {"pipeline_per_s", "render_only_per_s", "ratio", "peak_mem_10k_mb",
"peak_mem_100k_mb", "mem_ratio", ...}: peak_mem_* are the driver's peak private resident memory
in MiB (Linux RssAnon; plain RSS elsewhere) for the first and second size of --sizes. Plain RSS
also counts the object store's shared-memory pages the driver has touched while reading blocks
(RssShmem), which grow with the run until they cover the store and belong to the store, not the
driver: they are reported as peak_rss_* / rss_ratio, next to peak_store_*_mb and the sizes run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sciray.testing import GOOD_ANSWER

# The coder's canned answer: it labels the template's given values (2 kg, 30 degrees), so every
# problem passes the checks first time.
GOOD = GOOD_ANSWER
THINGS = ["block", "crate", "box", "wooden block", "steel block", "cart", "sled", "brick"]
SURFACES = ["ramp", "incline", "wedge", "slope", "plank", "inclined plane"]
ASKS = [
    "Find the normal force on the {t}.",
    "What is the normal force acting on the {t}?",
    "Determine the normal force exerted on the {t}.",
    "Compute the normal force on the {t}.",
]


def make_problems(path: Path, n: int, prefix: str) -> None:
    """``n`` problems from one template, varied in wording (not in the given values)."""
    with path.open("w") as f:
        for i in range(n):
            t, s, ask = (
                THINGS[i % len(THINGS)],
                SURFACES[(i // 3) % len(SURFACES)],
                ASKS[(i // 7) % len(ASKS)],
            )
            q = f"A {t} of mass 2 kg rests on a {s} inclined at 30 degrees. " + ask.format(t=t)
            f.write(
                json.dumps(
                    {
                        "id": f"{prefix}{i:06d}",
                        "question": q,
                        "answer": "16.97 N",
                        "image_type": "Physics - Mechanical",
                    }
                )
                + "\n"
            )


def _init_ray(num_cpus: int):
    from sciray.cluster.runtime import init_ray
    from sciray.config.models import RayConfig

    return init_ray(RayConfig(num_cpus=num_cpus))


def _coder_code() -> str:
    """The code ImgCoder renders for GOOD (parsed and mechanically fixed as the coder does)."""
    from sciray.coder.fixes import apply_fit_view, static_fixes
    from sciray.coder.parse import parse_answer

    code, _ = static_fixes(parse_answer(GOOD, "python").code, "python")
    code, _ = apply_fit_view(code)
    return code


def _render_only(code: str, n: int, pool: int, cfg) -> float:
    from sciray.render import make_renderer

    with make_renderer("python", cfg.render, workers=pool) as renderer:
        renderer.render_many([code] * pool)  # warm
        t0 = time.perf_counter()
        results = renderer.render_many([code] * n)
        elapsed = time.perf_counter() - t0
    assert all(r.status == "ok" for r in results), {r.status for r in results}
    return elapsed


# --- (a) throughput -----------------------------------------------------------------------------


def part_a(args) -> dict:
    import glob

    import pyarrow.parquet as pq

    from sciray.cluster.synthesize import run_synthesis
    from sciray.config import load_config
    from sciray.render import make_renderer

    pool = args.actors * args.workers_per_actor
    with tempfile.TemporaryDirectory(prefix="sciray-bench-a-") as tmp:
        tmp = Path(tmp)
        make_problems(tmp / "problems.jsonl", args.problems_a, "t")
        (tmp / "script.json").write_text(json.dumps([GOOD]))
        cfg = load_config(
            None,
            [
                "coder.engine=scripted",
                f"coder.script={tmp / 'script.json'}",
                "coder.attempts=1",
                f"synth.coder.concurrency={args.actors}",
                f"synth.coder.batch_size={args.batch_size}",
                f"synth.coder.concurrent_batches={args.concurrent_batches}",
                f"synth.render.num_cpus={args.workers_per_actor}",
                f"synth.shard_rows={args.shard_rows}",
                f"ray.num_cpus={args.ray_cpus}",
            ],
        )
        render_before_s = None
        if args.render_before:
            render_before_s = _render_only(_coder_code(), args.problems_a, pool, cfg)
        _init_ray(args.ray_cpus)
        out = tmp / "run"
        started = time.time()
        manifest = run_synthesis(cfg, str(tmp / "problems.jsonl"), str(out), progress=False)
        wall = time.time() - started
        shards = sorted(
            glob.glob(str(out / "accepted" / "part-*.parquet"))
            + glob.glob(str(out / "rejected" / "part-*.parquet")),
            key=os.path.getmtime,
        )
        marks = [(os.path.getmtime(p), pq.ParquetFile(p).metadata.num_rows) for p in shards]
        # steady state: the second half of the rows, by arrival (the first half absorbs start-up,
        # including rows that queue while a later stage's actor is still starting)
        total = sum(n for _, n in marks)
        seen, mid = 0, 0
        for mid, (_, n) in enumerate(marks):
            seen += n
            if seen >= total / 2:
                break
        steady_rows = sum(n for _, n in marks[mid + 1 :])
        steady_s = marks[-1][0] - marks[mid][0]
        first_s = marks[0][0] - started
        if os.environ.get("SCIRAY_BENCH_DEBUG"):
            print(
                "    shard marks (s after start, rows):",
                [(round(t - started, 2), n) for t, n in marks],
            )
        codes = pq.read_table(shards, columns=["code"]).column("code").to_pylist()
        import ray

        ray.shutdown()  # render-only runs without the pipeline's actors competing for the cores

    codes = [c for c in codes if c]
    if render_before_s is not None and set(codes) != {_coder_code()}:
        print(
            "    warning: the pipeline rendered other code than the render-only run before it",
            file=sys.stderr,
        )
    renderer = make_renderer("python", cfg.render, workers=pool)
    try:
        renderer.render_many(codes[:pool])  # warm
        t0 = time.perf_counter()
        results = renderer.render_many(codes)
        render_s = time.perf_counter() - t0
    finally:
        renderer.close()
    ok = sum(r.status == "ok" for r in results)
    if (
        render_before_s is not None
    ):  # measured on both sides of the pipeline: the load on 2 cores drifts
        print(
            f"    render-only before the pipeline {len(codes) / render_before_s:.2f}/s, "
            f"after {len(codes) / render_s:.2f}/s"
        )
        render_s = (render_s + render_before_s) / 2
    pipeline_per_s = steady_rows / steady_s if steady_s > 0 else float("nan")
    if steady_s < 3:
        print(
            f"    warning: the second half took {steady_s:.1f} s: too few problems for a steady-state rate "
            "(rows queued during start-up drain at once); use --problems-a 200 or more",
            file=sys.stderr,
        )
    render_per_s = len(codes) / render_s
    c = manifest["counts"]
    print(
        f"(a) {c['input']} problems -> {c['accepted']} accepted, {c['rejected']} rejected, {c['failed']} failed; "
        f"{args.actors} ImgCoderStage actor(s) x {args.workers_per_actor} render worker(s), batch {args.batch_size}"
    )
    print(
        f"    pipeline: wall {wall:.1f} s (first shard after {first_s:.1f} s); steady state (2nd half) "
        f"{steady_rows} rows in {steady_s:.1f} s = {pipeline_per_s:.2f}/s; "
        f"wall rate incl. start-up {c['input'] / wall:.2f}/s"
    )
    print(f"    stage seconds (summed over rows): {manifest['stage_seconds']}")
    print(
        f"    render-only x{pool}: {len(codes)} renders ({ok} ok) in {render_s:.1f} s = {render_per_s:.2f}/s"
    )
    return {
        "pipeline_per_s": round(pipeline_per_s, 3),
        "render_only_per_s": round(render_per_s, 3),
        "ratio": round(pipeline_per_s / render_per_s, 3),
        "pipeline_wall_per_s": round(c["input"] / wall, 3),
        "accepted_a": c["accepted"],
        "problems_a": c["input"],
        "render_pool": pool,
    }


# --- (b) memory ---------------------------------------------------------------------------------


def _fixed_png() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (64, 48), "white")
    ImageDraw.Draw(image).line([(4, 40), (60, 8)], fill="black", width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _fixed_stage_class():
    from sciray.pipeline.rows import active
    from sciray.pipeline.stages import Stage

    class FixedPNGStage(Stage):
        """Benchmark-only stand-in for coder + render: every active row gets one rendered,
        checked candidate carrying the same small PNG."""

        name = "render"

        def __init__(self, png: bytes, retries: int = 0):
            super().__init__(retries)
            self.png = png

        def wanted(self, row):
            return active(row) and not row.get("done")

        def process(self, rows):
            from sciray.pipeline.rows import read_state, write_state
            from sciray.types import Candidate, ImageRef

            for row in rows:
                state = read_state(row)
                pid = state.problem.id
                cand = Candidate(
                    problem_id=pid,
                    status="ok",
                    engine="fixed",
                    model="fixed",
                    prompt_version="bench",
                    code="# fixed",
                    image=ImageRef(bytes=self.png, path=f"{pid}.png"),
                    render_status="ok",
                    render_ms=0.0,
                    sandbox=["none"],
                    checks={"rendered": 1.0, "not_blank": 1.0},
                    label_recall=1.0,
                    score=1.0,
                )
                state.attempts.append(cand)
                for slot in state.slots:
                    slot.attempt, slot.last, slot.done = 1, cand, True
                write_state(row, state)

    return FixedPNGStage


def _private_rss() -> int | None:
    """The driver's anonymous resident memory (Linux ``RssAnon``): RSS without the object store's
    shared-memory pages the driver has mapped (``RssShmem``) and without mapped files."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


class Sampler:
    """Peak driver RSS (total and private), peak object-store bytes in use, sampled on a thread."""

    def __init__(self, rss_every: float = 0.1, store_every: float = 0.5):
        import psutil

        self.proc = psutil.Process()
        self.rss_every, self.store_every = rss_every, store_every
        self.peak_rss = self.proc.memory_info().rss
        self.peak_private = _private_rss() or 0
        self.peak_store = 0
        self.store_samples = 0
        self.store_error = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _store_bytes(self, state) -> int:
        from ray._private.internal_api import get_memory_info_reply

        return int(
            get_memory_info_reply(state, timeout_seconds=10).store_stats.object_store_bytes_used
        )

    def _run(self):
        import ray
        from ray._private.internal_api import get_state_from_address

        state = get_state_from_address(ray.get_runtime_context().gcs_address)
        next_store = 0.0
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, self.proc.memory_info().rss)
            self.peak_private = max(self.peak_private, _private_rss() or 0)
            now = time.monotonic()
            if now >= next_store and self.store_error is None:
                try:
                    self.peak_store = max(self.peak_store, self._store_bytes(state))
                    self.store_samples += 1
                except Exception as exc:  # noqa: BLE001 - reported, RSS sampling goes on
                    self.store_error = f"{type(exc).__name__}: {exc}"[:200]
                next_store = now + self.store_every
            self._stop.wait(self.rss_every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def mem_run(n: int, ray_cpus: int, shard_rows: int, batch_size: int) -> dict:
    """One size, in this (fresh) process: stream ``n`` problems through source -> fixed PNG ->
    ValidateStage -> RunRecorder; peak memory while doing it."""
    with tempfile.TemporaryDirectory(prefix="sciray-bench-b-") as tmp:
        tmp = Path(tmp)
        make_problems(tmp / "problems.jsonl", n, "m")
        _init_ray(ray_cpus)
        import ray

        from sciray.actors.stages import stage_kwargs
        from sciray.pipeline.run import RunRecorder, build_manifest, output_config_hash

        try:
            from sciray.cluster.source import ProblemSource
        except ImportError:  # its earlier home
            from sciray.pipeline.source import ProblemSource

        from sciray.config import load_config
        from sciray.pipeline.rows import to_rows
        from sciray.pipeline.stages import ValidateStage

        cfg = load_config(
            None,
            [
                f"synth.shard_rows={shard_rows}",
                f"synth.render.batch_size={batch_size}",
                f"synth.validate_stage.batch_size={batch_size}",
            ],
        )
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        chash = output_config_hash(cfg)
        out = tmp / "run"
        with Sampler() as sampler:
            started = time.time()
            recorder = RunRecorder(str(out), cfg, chash)
            source = ProblemSource(
                str(tmp / "problems.jsonl"),
                skip=frozenset(),
                allow=None,
                samples=1,
                max_row_bytes=cfg.problems.max_row_bytes,
            )
            ds = ray.data.read_datasource(source)
            ds = ds.map_batches(
                _fixed_stage_class(), **stage_kwargs(cfg.synth.render, {"png": _fixed_png()})
            )
            validate = {
                "accept": cfg.synth.accept.model_dump(mode="json"),
                "validator": cfg.validator.model_dump(mode="json"),
                "retries": 0,
            }
            ds = ds.map_batches(ValidateStage, **stage_kwargs(cfg.synth.validate_stage, validate))
            for batch in ds.iter_batches(batch_size=shard_rows, batch_format="pyarrow"):
                for row in to_rows(batch):
                    recorder.add(row)
                recorder.flush()
            recorder.flush()
            wall = time.time() - started
            previous = {"accepted": 0, "rejected": 0}
            manifest = build_manifest(recorder, cfg, chash, str(tmp), str(out), previous, wall)
        ray.shutdown()
    mib = 1024 * 1024
    return {
        "n": n,
        "counts": manifest["counts"],
        "counts_add_up": manifest["counts_add_up"],
        "wall_s": round(wall, 1),
        "rows_per_s": round(n / wall, 1),
        "peak_rss_mb": round(sampler.peak_rss / mib, 1),
        "peak_private_mb": round(sampler.peak_private / mib, 1) if sampler.peak_private else None,
        "peak_store_mb": round(sampler.peak_store / mib, 1),
        "store_samples": sampler.store_samples,
        "store_error": sampler.store_error,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--problems-a", type=int, default=200, help="Problems for the throughput part (a)."
    )
    parser.add_argument(
        "--sizes", default="10000,100000", help="Two problem counts for the memory part (b)."
    )
    parser.add_argument(
        "--actors", type=int, default=1, help="(a) ImgCoderStage actors (synth.coder.concurrency)."
    )
    parser.add_argument(
        "--workers-per-actor",
        type=int,
        default=2,
        help="(a) render workers per actor (synth.render.num_cpus); pool = actors x this.",
    )
    parser.add_argument(
        "--batch-size", type=int, default=8, help="(a) rows per ImgCoderStage batch."
    )
    parser.add_argument(
        "--concurrent-batches",
        type=int,
        default=2,
        help="(a) batches the ImgCoderStage actor works on at once (synth.coder.concurrent_batches).",
    )
    parser.add_argument(
        "--shard-rows", type=int, default=8, help="(a) rows per shard (its timing marks)."
    )
    parser.add_argument(
        "--no-render-before",
        dest="render_before",
        action="store_false",
        help="(a) render-only only after the pipeline (default: before and after, averaged).",
    )
    parser.add_argument("--ray-cpus", type=int, default=4, help="Logical CPUs of the local Ray.")
    parser.add_argument("--skip-a", action="store_true", help="Only the memory part.")
    parser.add_argument("--skip-b", action="store_true", help="Only the throughput part.")
    parser.add_argument(
        "--mem-run", type=int, default=None, help=argparse.SUPPRESS
    )  # one size, internal
    parser.add_argument("--out", default=None, help="Also save the JSON result here.")
    args = parser.parse_args()
    if args.mem_run is not None:
        print(json.dumps(mem_run(args.mem_run, args.ray_cpus, 256, 64)))
        return 0

    result: dict = {}
    if not args.skip_a:
        result.update(part_a(args))
    if not args.skip_b:
        sizes = [int(s) for s in args.sizes.split(",")]
        if len(sizes) != 2:
            parser.error("--sizes takes two counts, e.g. 10000,100000")
        runs = []
        for n in sizes:
            proc = subprocess.run(
                [sys.executable, __file__, "--mem-run", str(n), "--ray-cpus", str(args.ray_cpus)],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                print(proc.stdout[-2000:], proc.stderr[-4000:], file=sys.stderr)
                return 1
            run = json.loads(proc.stdout.strip().splitlines()[-1])
            runs.append(run)
            print(
                f"(b) {n} problems: {run['counts']} add up {run['counts_add_up']}; {run['wall_s']} s "
                f"({run['rows_per_s']}/s); peak driver RSS {run['peak_rss_mb']} MiB "
                f"(private {run['peak_private_mb']} MiB); "
                f"peak object store "
                f"{run['peak_store_mb']} MiB ({run['store_samples']} samples"
                + (f"; store sampling failed: {run['store_error']}" if run["store_error"] else "")
                + ")"
            )
        small, big = runs
        key = (
            "peak_private_mb"
            if small["peak_private_mb"] and big["peak_private_mb"]
            else "peak_rss_mb"
        )
        result.update(
            {
                "peak_mem_10k_mb": small[key],
                "peak_mem_100k_mb": big[key],
                "mem_ratio": round(big[key] / small[key], 3),
                "peak_mem_is": key.removesuffix("_mb"),
                "peak_rss_10k_mb": small["peak_rss_mb"],
                "peak_rss_100k_mb": big["peak_rss_mb"],
                "rss_ratio": round(big["peak_rss_mb"] / small["peak_rss_mb"], 3),
                "peak_store_10k_mb": small["peak_store_mb"],
                "peak_store_100k_mb": big["peak_store_mb"],
                "sizes": sizes,
            }
        )
    keys = (
        "pipeline_per_s",
        "render_only_per_s",
        "ratio",
        "peak_mem_10k_mb",
        "peak_mem_100k_mb",
        "mem_ratio",
    )
    result = {
        **{k: result[k] for k in keys if k in result},
        **{k: v for k, v in result.items() if k not in keys},
    }
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
