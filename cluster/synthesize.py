"""The synthesis job on Ray: problems -> Ray Data pipeline -> accepted/ and rejected/ shards.

Runs the same on a laptop (``sciray synth``, a local Ray started for the run) and on a cluster
(``ray job submit -- python -m sciray.cluster.synthesize --problems ... --out ...``). Only the Ray
launch lives here; what a run writes and counts is ``sciray.pipeline.run``. The driver takes each
finished problem's row as soon as the pipeline emits it, so finished work reaches the shards
(and survives a kill) while the rest still runs, and every input row ends in exactly one of
quarantined / accepted / rejected / failed.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from sciray.config.models import SciRayConfig
from sciray.errors import UserError
from sciray.pipeline.report import render_run_report
from sciray.pipeline.rows import read_timings, to_rows
from sciray.pipeline.run import (
    RunRecorder,
    build_manifest,
    check_fits,
    output_config_hash,
    pending_ids,
    pool_demand,
    preflight,
    validator_label,
)
from sciray.pipeline.writer import written


def run_synthesis(
    cfg: SciRayConfig, problems: str, out: str, limit: int | None = None, progress: bool = True
) -> dict[str, Any]:
    """Run the pipeline; returns the manifest (also written to ``out/manifest.json``)."""
    import ray

    from sciray.actors.stages import build_pipeline
    from sciray.cluster.runtime import init_ray
    from sciray.cluster.source import ProblemSource
    from sciray.progress import RunProgress

    started = time.time()
    preflight(cfg)
    chash = output_config_hash(cfg)
    recorder = RunRecorder(out, cfg, chash)
    earlier = written(recorder.fs, recorder.root, chash)
    skip = earlier["accepted"] | earlier["rejected"]
    allow, todo = pending_ids(problems, limit, cfg, skip)
    init_ray(cfg.ray)
    # a cluster we joined may autoscale; the local Ray we started has what it has
    joined = bool(cfg.ray.address or os.environ.get("RAY_ADDRESS"))
    why = check_fits(pool_demand(cfg), ray.cluster_resources(), autoscaling=joined)
    if why:
        raise UserError(why)
    ctx = ray.data.DataContext.get_current()
    ctx.max_errored_blocks = cfg.synth.max_errored_blocks
    ctx.execution_no_progress_timeout_s = cfg.synth.no_progress_timeout_s
    ctx.enable_progress_bars = False  # our own display counts problems, not blocks
    # a model in an actor is meant to use GBs: Ray Data's memory detector would print ten
    # lines every 30 s into the progress display for it
    ctx.issue_detectors_config.high_memory_detector_config.detection_time_interval_s = -1
    source = ProblemSource(
        problems,
        skip=frozenset(skip),
        allow=allow,
        samples=cfg.coder.samples,
        reference_images=cfg.problems.reference_images,
        **cfg.problems.read_limits(),
    )
    needs_quizzes = cfg.synth.accept.min_r_inv is not None
    ds = build_pipeline(ray.data.read_datasource(source), cfg, needs_quizzes=needs_quizzes)
    title = f"synth {validator_label(cfg).split(' (')[0]}"
    with RunProgress(title, todo, enabled=progress) as shown:
        # batch_size=None: every block as it comes (one problem per block, see build_pipeline)
        for batch in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
            for row in to_rows(batch):
                outcome = recorder.add(row)
                if outcome != "quarantined":  # the total counts problems to do, not bad rows
                    shown.advance(outcome)
                for stage, seconds in read_timings(row).items():
                    shown.stage(stage, seconds)
            recorder.checkpoint()
    recorder.flush()
    manifest = build_manifest(
        recorder,
        cfg,
        chash,
        problems,
        out,
        {k: len(v) for k, v in earlier.items()},
        time.time() - started,
    )
    with recorder.fs.open(f"{recorder.root}/manifest.json.tmp", "w") as f:
        f.write(json.dumps(manifest, indent=2))
    recorder.fs.mv(f"{recorder.root}/manifest.json.tmp", f"{recorder.root}/manifest.json")
    with recorder.fs.open(f"{recorder.root}/report.html", "w") as f:
        f.write(render_run_report(manifest, recorder.examples))
    return manifest


def main(argv: list[str] | None = None) -> int:
    """``python -m sciray.cluster.synthesize --problems P --out RUN [--limit N] [--config F]
    [--set k=v]...``"""
    import argparse

    from sciray.config import load_config

    parser = argparse.ArgumentParser(
        prog="python -m sciray.cluster.synthesize", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--problems", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--config", default=None)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args(argv)
    try:
        cfg = load_config(args.config, args.overrides)
        manifest = run_synthesis(cfg, args.problems, args.out, args.limit)
    except UserError as exc:
        print(f"sciray: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(manifest["counts"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
