"""A synthesis run's bookkeeping, without Ray: which problems to do, what the output depends
on, the recorder that writes finished rows and keeps the counts, and the manifest.

``sciray.cluster.synthesize`` runs the Ray Data pipeline and hands every finished row to a
``RunRecorder``; everything here is plain Python, unit-tested without Ray.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

from fsspec.core import url_to_fs

from sciray.config.models import SciRayConfig
from sciray.lineage import config_hash, package_versions
from sciray.pipeline.rows import read_state, read_timings, read_verdict
from sciray.pipeline.writer import JsonlLog, ShardWriter, shard_row
from sciray.types import ShardVerdict

# Fields of an engine config that change how it is reached or scheduled, never what it answers.
OPERATIONAL_LLM_FIELDS = frozenset(
    {
        "base_url",
        "api_key_env",
        "max_concurrency",
        "timeout_s",
        "max_retries",
        "n_threads",
        "num_gpus",
        "tensor_parallel_size",
        "gpu_memory_utilization",
    }
)


def _llm_output_fields(llm) -> dict[str, Any]:
    return llm.model_dump(mode="json", exclude=set(OPERATIONAL_LLM_FIELDS))


def output_config_hash(cfg: SciRayConfig) -> str:
    """Hash of exactly what decides a row's output: the coder (model, prompts, sampling, repair
    budget), the render limits, the acceptance rule, and the validator and judge only when they
    run. Resources, endpoints, timeouts and the cluster address stay out: a resumed run may use
    another cluster, and a judge that is off changes nothing however it is configured."""
    accept = cfg.synth.accept
    parts: dict[str, Any] = {
        "coder": _llm_output_fields(cfg.coder),
        "render": cfg.render.model_dump(mode="json", exclude={"workers"}),
        "accept": accept.model_dump(mode="json"),
    }
    if accept.min_r_inv is not None:
        parts["validator"] = _llm_output_fields(cfg.validator)
    if cfg.judge.enabled:
        parts["judge"] = _llm_output_fields(cfg.judge)
    return config_hash(parts)


def preflight(cfg: SciRayConfig) -> None:
    """Fail in seconds, with the fix, when a configured HTTP engine is unreachable or
    misconfigured."""
    from sciray.llm import make_engine

    engines = [cfg.coder] + ([cfg.validator] if cfg.synth.accept.min_r_inv is not None else [])
    engines += [cfg.judge] if cfg.judge.enabled else []
    for llm in engines:
        if llm.engine == "openai":
            engine = make_engine(llm)  # also checks base_url and the API key variable
            engine.probe()


def pool_demand(cfg: SciRayConfig) -> dict[str, dict[str, float]]:
    """CPUs and GPUs that each of the pipeline's actor pools holds at its smallest (Ray Data
    starts every pool's minimum before rows flow), by pool name."""
    from sciray.config.models import StageResources

    def need(res: StageResources, gpus: float | None = None) -> dict[str, float]:
        low = res.concurrency[0] if isinstance(res.concurrency, (list, tuple)) else res.concurrency
        return {"CPU": low * res.num_cpus, "GPU": low * (res.num_gpus if gpus is None else gpus)}

    synth = cfg.synth
    pools: dict[str, dict[str, float]] = {}
    if synth.accept.min_r_inv is not None:
        pools["quizgen"] = need(synth.coder)
    if synth.layout == "fused":
        pools["imgcoder"] = need(synth.coder)
    else:
        for r in range(cfg.coder.max_rounds):
            if cfg.coder.engine == "vllm":  # Ray's processor: one engine per replica, TP GPUs each
                for k in range(cfg.coder.samples):
                    pools[f"coder{r + 1}.{k + 1}"] = need(
                        synth.coder, gpus=float(cfg.coder.tensor_parallel_size)
                    )
            else:
                pools[f"coder{r + 1}"] = need(synth.coder)
            pools[f"render{r + 1}"] = need(synth.render)
    pools["validate"] = need(synth.validate_stage)
    if cfg.judge.enabled:
        pools["judge"] = need(synth.validate_stage)
    return pools


def check_fits(
    pools: dict[str, dict[str, float]], available: dict[str, float], *, autoscaling: bool
) -> str | None:
    """The one-line reason the pools cannot all start on ``available`` resources, or None. On
    an autoscaling cluster the nodes may come: no reason then."""
    if autoscaling:
        return None
    for resource, key in (("CPU", "num_cpus"), ("GPU", "num_gpus")):
        # one CPU stays free for Ray Data's own tasks (reading, repartitioning)
        total = sum(p[resource] for p in pools.values()) + (1.0 if resource == "CPU" else 0.0)
        have = float(available.get(resource, 0.0))
        if total > have + 1e-9:
            hint = (
                "use synth.layout=fused, fewer coder.attempts, or fractional synth.<stage>."
                f"{key} (e.g. synth.render.{key}=0.5)"
                if resource == "CPU"
                else "give the cluster GPUs (or a GPU node group) or lower the GPU stages"
            )
            return (
                f"the pipeline's {len(pools)} actor pools need {total:g} {resource}s at their "
                f"smallest{' (with one for reading)' if resource == 'CPU' else ''}, the cluster "
                f"has {have:g}: they would wait forever; {hint}"
            )
    return None


def validator_label(cfg: SciRayConfig) -> str:
    accept = cfg.synth.accept
    judge = (
        f"; judge {cfg.judge.engine}:{cfg.judge.model}"
        + (f", total >= {accept.min_judge_total}" if accept.min_judge_total is not None else "")
        if cfg.judge.enabled
        else ""
    )
    if accept.min_r_inv is None:
        return (
            "checks-only (no quiz validation: set synth.accept.min_r_inv and validator.* to add it)"
            + judge
        )
    mode = {"ocr": "OCR proxy", "scene": "scene proxy"}.get(cfg.validator.mode, "vision")
    cascade = (
        f" behind an OCR-proxy gate (r_inv >= {accept.min_cheap_r_inv})"
        if accept.cascade and cfg.validator.mode == "vision"
        else ""
    )
    return (
        f"{mode} validator {cfg.validator.engine}:{cfg.validator.model}, "
        f"r_inv >= {accept.min_r_inv}{cascade}{judge}"
    )


def pending_ids(
    problems: str, limit: int | None, cfg: SciRayConfig, skip: set[str]
) -> tuple[frozenset[str] | None, int]:
    """The problems this run will do: with ``limit``, the first ``limit`` valid problems not yet
    written (file order) and their count; without, None (all of them) and their count, for the
    progress display's total and ETA."""
    from sciray.data.problems import Quarantined, iter_problems

    ids: list[str] = []
    count = 0
    for item in iter_problems(
        problems, reference_images=cfg.problems.reference_images, **cfg.problems.read_limits()
    ):
        if not isinstance(item, Quarantined) and item.id not in skip:
            count += 1
            if limit is not None:
                ids.append(item.id)
                if count >= limit:
                    break
    return (frozenset(ids) if limit is not None else None), count


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
        self._last_flush = time.monotonic()

    def add(self, row: dict[str, Any]) -> str:
        """Record one finished row; returns where it went (quarantined, failed, accepted or
        rejected)."""
        self.counts["input"] += 1
        for stage, secs in read_timings(row).items():
            self.stage_seconds[stage] += secs
        if row["kind"] == "quarantined":
            self.counts["quarantined"] += 1
            self.quarantine_log.add({"source": row["source"], "reason": row["reason"]})
            return "quarantined"
        pid = row["problem_id"]
        if pid in self.seen:  # a safety net: the read tasks' IdClaims quarantine these first
            self.counts["quarantined"] += 1
            self.quarantine_log.add(
                {"source": row.get("source"), "reason": f"duplicate id {pid!r} (in another file)"}
            )
            return "quarantined"
        self.seen.add(pid)
        if row.get("failed_stage"):
            kind = (row.get("error") or "error").split(":")[0]
            self.counts["failed"] += 1
            self.failed_by[f"{row['failed_stage']}:{kind}"] += 1
            self.failed_log.add(
                {"problem_id": pid, "stage": row["failed_stage"], "error": row.get("error")}
            )
            return "failed"
        state = read_state(row)
        for c in state.attempts:
            self.tokens["prompt"] += c.usage.prompt_tokens
            self.tokens["completion"] += c.usage.completion_tokens
        verdict = read_verdict(row) or ShardVerdict(reason="no verdict")
        out = shard_row(state, verdict, self.chash, self.versions)
        kind = verdict.status
        self.counts[kind] += 1
        subject = self.by_subject.setdefault(out["subject"] or "Unknown", Counter())
        subject[kind] += 1
        if kind == "rejected":
            self.rejected_by[(verdict.reason or "unknown").split(":")[0]] += 1
        (self.accepted if kind == "accepted" else self.rejected).add(out)
        if len(self.examples[kind]) < 12 and out["image"]:
            self.examples[kind].append(
                {"id": pid, "reason": verdict.reason, "png": out["image"]["bytes"]}
            )
        return kind

    def flush_logs(self) -> None:
        self.failed_log.flush()
        self.quarantine_log.flush()

    def checkpoint(self, now: float | None = None) -> None:
        """Make what has finished survive a kill: the logs at once, the shards when
        ``synth.shard_flush_s`` has passed since they were last written (a shard is also written
        whenever ``synth.shard_rows`` rows are waiting)."""
        now = time.monotonic() if now is None else now
        self.flush_logs()
        if now - self._last_flush >= self.cfg.synth.shard_flush_s:
            self.accepted.flush()
            self.rejected.flush()
            self._last_flush = now

    def flush(self) -> None:
        for writer in (self.accepted, self.rejected, self.failed_log, self.quarantine_log):
            writer.flush()


def build_manifest(
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
        "validator": validator_label(cfg),
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
