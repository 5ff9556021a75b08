"""The synthesis job: problems -> Ray Data pipeline -> accepted/ and rejected/ shards + manifest.

Runs the same on a laptop (``sciray synth``, a local Ray started for the run) and on a cluster
(``ray job submit -- python -m sciray.cluster.synthesize --problems ... --out ...``). The driver
streams finished rows out of the pipeline and writes them; every input row ends in exactly one
of quarantined / accepted / rejected / failed, and the manifest's counts add up.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from typing import Any

from fsspec.core import url_to_fs

from sciray.coder.imgcoder import CoderResult
from sciray.config.models import SciRayConfig
from sciray.errors import UserError
from sciray.lineage import config_hash, package_versions
from sciray.pipeline.report import render_run_report
from sciray.pipeline.rows import to_rows
from sciray.pipeline.writer import JsonlLog, ShardWriter, shard_row, written


def output_config_hash(cfg: SciRayConfig) -> str:
    """Hash of what decides the output (coder, render limits, validator, acceptance), not of
    resources or cluster address: a resumed run may use a different cluster."""
    return config_hash(
        {
            "coder": cfg.coder.model_dump(mode="json"),
            "render": cfg.render.model_dump(mode="json", exclude={"workers"}),
            "validator": cfg.validator.model_dump(mode="json"),
            "accept": cfg.synth.accept.model_dump(mode="json"),
            "judge": cfg.judge.model_dump(mode="json"),
        }
    )


def preflight(cfg: SciRayConfig) -> None:
    """Fail in seconds, with the fix, when a configured HTTP engine is unreachable or misconfigured."""
    from sciray.llm import make_engine

    engines = [cfg.coder] + ([cfg.validator] if cfg.synth.accept.min_r_inv is not None else [])
    for llm in engines:
        if llm.engine == "openai":
            engine = make_engine(llm)  # also checks base_url and the API key variable
            engine.probe()


def _validator_label(cfg: SciRayConfig) -> str:
    if cfg.synth.accept.min_r_inv is None:
        return (
            "checks-only (no quiz validation: set synth.accept.min_r_inv and validator.* to add it)"
        )
    mode = "OCR proxy" if cfg.validator.mode == "ocr" else "vision"
    return f"{mode} validator {cfg.validator.engine}:{cfg.validator.model}, r_inv >= {cfg.synth.accept.min_r_inv}"


def _limited_ids(problems: str, limit: int, cfg: SciRayConfig, skip: set[str]) -> frozenset[str]:
    """The first ``limit`` valid problems not yet written (file order)."""
    from sciray.data.problems import Quarantined, iter_problems

    ids: list[str] = []
    for item in iter_problems(
        problems, reference_images=cfg.problems.reference_images, **cfg.problems.read_limits()
    ):
        if not isinstance(item, Quarantined) and item.id not in skip:
            ids.append(item.id)
            if len(ids) >= limit:
                break
    return frozenset(ids)


class RunRecorder:
    """Writes finished rows and keeps the manifest's counts."""

    def __init__(self, out: str, cfg: SciRayConfig, chash: str):
        self.fs, self.root = url_to_fs(out)
        self.fs.makedirs(self.root, exist_ok=True)
        self.cfg, self.chash = cfg, chash
        self.versions = json.dumps(package_versions())
        self.accepted = ShardWriter(self.fs, f"{self.root}/accepted", cfg.synth.shard_rows)
        self.rejected = ShardWriter(self.fs, f"{self.root}/rejected", cfg.synth.shard_rows)
        self.failed_log = JsonlLog(self.fs, f"{self.root}/failed")
        self.quarantine_log = JsonlLog(self.fs, f"{self.root}/quarantine")
        for log in (self.failed_log, self.quarantine_log):
            log.clear()  # this run meets those rows again: logging them twice would double-count
        self.counts: Counter = Counter()
        self.rejected_by: Counter = Counter()
        self.failed_by: Counter = Counter()
        self.stage_seconds: Counter = Counter()
        self.tokens = Counter()
        self.by_subject: dict[str, Counter] = {}
        self.examples: dict[str, list[dict]] = {"accepted": [], "rejected": []}
        self.seen: set[str] = set()

    def add(self, row: dict[str, Any]) -> None:
        self.counts["input"] += 1
        for stage, secs in (json.loads(row["timings"]) if row.get("timings") else {}).items():
            self.stage_seconds[stage] += secs
        if row["kind"] == "quarantined":
            self.counts["quarantined"] += 1
            self.quarantine_log.add({"source": row["source"], "reason": row["reason"]})
            return
        pid = row["problem_id"]
        if pid in self.seen:  # a safety net: the read tasks' IdClaims quarantine these first
            self.counts["quarantined"] += 1
            self.quarantine_log.add(
                {"source": row.get("source"), "reason": f"duplicate id {pid!r} (in another file)"}
            )
            return
        self.seen.add(pid)
        if row.get("failed_stage"):
            kind = (row.get("error") or "error").split(":")[0]
            self.counts["failed"] += 1
            self.failed_by[f"{row['failed_stage']}:{kind}"] += 1
            self.failed_log.add(
                {"problem_id": pid, "stage": row["failed_stage"], "error": row.get("error")}
            )
            return
        state = CoderResult.model_validate_json(row["state"])
        for c in state.attempts:
            self.tokens["prompt"] += c.usage.prompt_tokens
            self.tokens["completion"] += c.usage.completion_tokens
        verdict = (
            json.loads(row["verdict"])
            if row.get("verdict")
            else {"accepted": False, "reason": "no verdict"}
        )
        out = shard_row(state, verdict, self.chash, self.versions)
        kind = "accepted" if verdict.get("accepted") else "rejected"
        self.counts[kind] += 1
        subject = self.by_subject.setdefault(out["subject"] or "Unknown", Counter())
        subject[kind] += 1
        if kind == "rejected":
            self.rejected_by[(verdict.get("reason") or "unknown").split(":")[0]] += 1
        (self.accepted if kind == "accepted" else self.rejected).add(out)
        if len(self.examples[kind]) < 12 and out["image"]:
            self.examples[kind].append(
                {"id": pid, "reason": verdict.get("reason"), "png": out["image"]["bytes"]}
            )

    def flush_logs(self) -> None:
        self.failed_log.flush()
        self.quarantine_log.flush()

    def flush(self) -> None:
        for writer in (self.accepted, self.rejected, self.failed_log, self.quarantine_log):
            writer.flush()


def run_synthesis(
    cfg: SciRayConfig, problems: str, out: str, limit: int | None = None, progress: bool = True
) -> dict[str, Any]:
    """Run the pipeline; returns the manifest (also written to ``out/manifest.json``)."""
    import ray

    from sciray.actors.stages import build_pipeline
    from sciray.cluster.runtime import init_ray
    from sciray.cluster.source import ProblemSource

    started = time.time()
    preflight(cfg)
    chash = output_config_hash(cfg)
    recorder = RunRecorder(out, cfg, chash)
    earlier = written(recorder.fs, recorder.root, chash)
    skip = earlier["accepted"] | earlier["rejected"]
    allow = _limited_ids(problems, limit, cfg, skip) if limit else None
    init_ray(cfg.ray)
    ctx = ray.data.DataContext.get_current()
    ctx.max_errored_blocks = cfg.synth.max_errored_blocks
    ctx.enable_progress_bars = progress
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
    for batch in ds.iter_batches(batch_size=cfg.synth.shard_rows, batch_format="default"):
        for row in to_rows(batch):
            recorder.add(row)
        recorder.flush_logs()  # shards are written when full (synth.shard_rows) and at the end
    recorder.flush()
    manifest = _manifest(
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


def _manifest(
    rec: RunRecorder,
    cfg: SciRayConfig,
    chash: str,
    problems: str,
    out: str,
    previous: dict[str, int],
    wall_s: float,
) -> dict[str, Any]:
    resumed = previous["accepted"] + previous["rejected"]
    accepted = rec.counts["accepted"] + previous["accepted"]
    rejected = rec.counts["rejected"] + previous["rejected"]
    counts = {
        "input": rec.counts["input"] + resumed,
        "quarantined": rec.counts["quarantined"],
        "accepted": accepted,
        "rejected": rejected,
        "failed": rec.counts["failed"],
        "resumed_from_earlier_runs": resumed,
    }
    stage_cpus = {
        "coder": cfg.synth.coder.num_cpus,
        "render": cfg.synth.render.num_cpus,
        "validate": cfg.synth.validate_stage.num_cpus,
        "quizgen": cfg.synth.coder.num_cpus,
    }
    stage_gpus = {
        "coder": cfg.synth.coder.num_gpus,
        "quizgen": cfg.synth.coder.num_gpus,
        "validate": cfg.synth.validate_stage.num_gpus,
    }
    cpu_s = sum(secs * stage_cpus.get(stage, 1.0) for stage, secs in rec.stage_seconds.items())
    gpu_s = sum(secs * stage_gpus.get(stage, 0.0) for stage, secs in rec.stage_seconds.items())
    new_accepted = max(rec.counts["accepted"], 1)
    return {
        "problems": problems,
        "out": out,
        "config_hash": chash,
        "validator": _validator_label(cfg),
        "engine": f"{cfg.coder.engine}:{cfg.coder.model}",
        "counts": counts,
        "counts_add_up": counts["input"]
        == counts["quarantined"] + accepted + rejected + counts["failed"],
        "rejected_by_reason": dict(rec.rejected_by),
        "failed_by_stage": dict(rec.failed_by),
        "by_subject": {k: dict(v) for k, v in sorted(rec.by_subject.items())},
        "stage_seconds": {k: round(v, 3) for k, v in rec.stage_seconds.items()},
        "stage_rows_per_s": {
            k: round(rec.counts["input"] / v, 3) for k, v in rec.stage_seconds.items() if v > 0
        },
        "tokens": dict(rec.tokens),
        "cpu_seconds_per_accepted": round(cpu_s / new_accepted, 3),
        "gpu_seconds_per_accepted": round(gpu_s / new_accepted, 3),
        "wall_seconds": round(wall_s, 2),
        "shards": {"accepted": rec.accepted.shards, "rejected": rec.rejected.shards},
        "package_versions": package_versions(),
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m sciray.cluster.synthesize --problems P --out RUN [--limit N] [--config F] [--set k=v]...``"""
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
