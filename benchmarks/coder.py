"""ImgCoder quality and speed on a fixed sample of problems, with the configured engine.

Runs coder + sandboxed render + checks once (attempts and samples from config) and reads from the
same run what the first answers alone achieved, so repair and best-of-n are measured against a
baseline of the same run. Prints a table, writes per-problem rows with --out, and as its last line
one JSON object: {"engine", "model", "problems", "render_success", "render_success_no_repair",
"label_recall", "tokens_per_s", "seconds_per_problem", ...}.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

from sciray.coder.fixes import fix_outcomes

DEFAULT_PROBLEMS = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "scigenbench" / "scigen.jsonl"
)


class TimedEngine:
    """Wraps an engine to count generation time and completion tokens."""

    def __init__(self, engine):
        self.engine, self.name, self.model = engine, engine.name, engine.model
        self.seconds, self.tokens, self.calls = 0.0, 0, 0

    def generate(self, requests):
        start = time.perf_counter()
        results = self.engine.generate(requests)
        self.seconds += time.perf_counter() - start
        self.tokens += sum(r.usage.completion_tokens for r in results)
        self.calls += len(requests)
        return results

    def close(self):
        self.engine.close()


def sample_problems(
    path: str,
    limit: int,
    seed: int = 0,
    scene_types_only: bool = False,
    by_domain: bool = False,
    domains: tuple[str, ...] = (),
):
    from sciray.data.problems import load_problems
    from sciray.scene import route

    problems = sorted(load_problems(path).problems, key=lambda p: p.id)
    if scene_types_only:  # the image types a scene domain takes (coder.mode=scene vs code)
        problems = [p for p in problems if route(p.image_type) is not None]
    if domains:  # only these domains' image types (e.g. the ones added last)
        problems = [p for p in problems if route(p.image_type) in domains]
    sample = random.Random(seed).sample(problems, min(limit, len(problems)))
    if by_domain:  # a domain's problems together, as a long run's prompt cache sees them
        sample.sort(key=lambda p: route(p.image_type) or "")
    return sample


def first_answer(result):
    """The sample-0 first answer, after mechanical fixes but before any model repair (and before
    the givens_legend, which comes after the repairs)."""
    firsts = [
        c
        for c in result.attempts
        if c.sample == 0 and c.attempt == 0 and "givens_legend" not in c.fixes
    ]
    return firsts[-1] if firsts else None


def summarize(results, engine: TimedEngine, wall_s: float) -> dict:
    n = len(results)
    rendered = [r for r in results if r.best is not None and r.best.render_status == "ok"]
    no_repair = [first_answer(r) for r in results]
    recalls = [r.best.label_recall for r in rendered if r.best.label_recall is not None]
    # what the model's own diagrams label: the best per problem before the givens_legend fix
    own = [
        max(cs, key=lambda c: (c.score or 0.0, -c.attempt))
        for cs in (
            [c for c in r.attempts if c.render_status == "ok" and "givens_legend" not in c.fixes]
            for r in rendered
        )
        if cs
    ]
    recalls_own = [c.label_recall for c in own if c.label_recall is not None]
    recalls_first = [
        c.label_recall
        for c in no_repair
        if c is not None and c.render_status == "ok" and c.label_recall is not None
    ]
    return {
        "engine": engine.name,
        "model": engine.model,
        "problems": n,
        "render_success": round(len(rendered) / n, 3),
        "render_success_no_repair": round(
            sum(1 for c in no_repair if c and c.render_status == "ok") / n, 3
        ),
        "label_recall": round(statistics.mean(recalls), 3) if recalls else None,
        "label_recall_no_repair": round(statistics.mean(recalls_first), 3)
        if recalls_first
        else None,
        "label_recall_without_legend": round(statistics.mean(recalls_own), 3)
        if recalls_own
        else None,
        "givens_legend_used": sum(1 for r in rendered if "givens_legend" in r.best.fixes),
        "checks_passed": round(sum(1 for r in results if r.status == "ok") / n, 3),
        "model_calls_per_problem": round(engine.calls / n, 2),
        "tokens_per_s": round(engine.tokens / engine.seconds, 2) if engine.seconds else None,
        "seconds_per_problem": round(wall_s / n, 2),
        "problems_per_min": round(60 * n / wall_s, 3),
        # per mechanical fix: times it fired, times the re-render then succeeded
        "fixes": fix_outcomes(c for r in results for c in r.attempts),
    }


def _row(r) -> dict:
    best = r.best
    return {
        "id": r.problem.id,
        "status": r.status,
        "calls": r.model_calls,
        "label_recall": best.label_recall if best else None,
        "fixes": sorted({f for c in r.attempts for f in c.fixes}),
        "first_status": first_answer(r).status if first_answer(r) else None,
        "best_origin": best.origin if best else None,
        "origins": [c.origin for c in r.attempts],
        "errors": [c.render_error for c in r.attempts if c.render_error],
        "error_kinds": [c.render_failure.kind for c in r.attempts if c.render_failure],
        "check_reasons": best.check_reasons if best else [],
        # what each scene attempt said (the scene, or the raw answer that was not one): why a
        # scene failed is read from these
        "scenes": [c.scene_spec or c.raw_text for c in r.attempts if c.language == "scene"],
    }


def per_type(results) -> dict:
    """Render success and label recall per image type (the contact sheet's grouping)."""
    groups: dict[str, list] = {}
    for r in results:
        groups.setdefault(r.problem.image_type or "(none)", []).append(r)
    out = {}
    for name, rs in sorted(groups.items()):
        ok = [r for r in rs if r.best is not None and r.best.render_status == "ok"]
        recalls = [r.best.label_recall for r in ok if r.best.label_recall is not None]
        out[name] = {
            "problems": len(rs),
            "render_success": round(len(ok) / len(rs), 3),
            "label_recall": round(statistics.mean(recalls), 3) if recalls else None,
        }
    return out


def engine_config(coder_cfg, modes: list[str]):
    """The config the one engine serving every mode is loaded with: as a scene or auto coder's
    when any mode is one, so it gets the prompt cache those modes get by default (loaded as
    code mode's, every change of domain, as between a chunk's first answers and its repairs,
    evaluates the domain's schema again)."""
    scene_modes = [m for m in modes if m != "code"]
    if scene_modes and coder_cfg.mode == "code":
        return coder_cfg.model_copy(update={"mode": scene_modes[0]})
    return coder_cfg


def warm_prompts(engine, coder_cfg, problems) -> int:
    """Evaluate, untimed, the system message every call of this mode starts with (code mode's
    one, each sampled domain's schema): what a long run has evaluated once and keeps (the local
    engine's prompt cache), so the timed run measures that steady state and not a small
    sample's first meeting with each domain. Returns how many system messages were evaluated."""
    from sciray.coder import prompts, scene_prompts
    from sciray.llm.base import ChatRequest
    from sciray.scene import route

    systems = []
    if coder_cfg.mode != "scene":
        systems.append({"role": "system", "content": prompts.SYSTEM})
    if coder_cfg.mode != "code":
        domains = dict.fromkeys(route(p.image_type) for p in problems)
        systems += [scene_prompts.system_message(d) for d in domains if d is not None]
    hello = {"role": "user", "content": "Ready?"}
    engine.generate([ChatRequest(messages=[s, hello], max_tokens=1) for s in systems])
    return len(systems)


def run_mode(cfg, mode: str, problems, inner_engine, args, out) -> tuple[list, dict]:
    """One mode over the sample: its results and summary (the engine's counters are its own)."""
    from sciray.coder.critic import build_critic
    from sciray.coder.imgcoder import ImgCoder
    from sciray.render import coder_renderer

    coder_cfg = cfg.coder.model_copy(update={"mode": mode}) if mode else cfg.coder
    if args.warm:
        warmed = warm_prompts(inner_engine, coder_cfg, problems)
        print(f"[{coder_cfg.mode}] {warmed} system messages evaluated first", file=sys.stderr)
    engine = TimedEngine(inner_engine)
    images = Path(args.images, coder_cfg.mode) if args.images else None
    if images:
        images.mkdir(parents=True, exist_ok=True)
    start, results = time.perf_counter(), []
    with coder_renderer(coder_cfg, cfg.render) as renderer:
        coder = ImgCoder(coder_cfg, engine, renderer, build_critic(coder_cfg, cfg.validator))
        for i in range(0, len(problems), args.chunk):
            done = coder.run(problems[i : i + args.chunk])
            results += done
            for r in done:
                if images and r.best is not None and r.best.image is not None:
                    Path(images, f"{r.problem.id}.png").write_bytes(r.best.image.bytes)
                if out:
                    out.write(json.dumps({"mode": coder_cfg.mode, **_row(r)}) + "\n")
                    out.flush()
            print(
                f"[{coder_cfg.mode} {len(results)}/{len(problems)}] "
                f"{time.perf_counter() - start:.0f} s, {engine.tokens} tokens in "
                f"{engine.seconds:.0f} s of generation",
                file=sys.stderr,
                flush=True,
            )
    summary = summarize(results, engine, time.perf_counter() - start)
    summary = {"mode": coder_cfg.mode, **summary, "per_type": per_type(results)}
    return results, summary


def print_table(results, summary, cfg) -> None:
    print(
        f"{summary['problems']} problems, mode {summary['mode']}, {cfg.coder.engine}:"
        f"{cfg.coder.model}, attempts={cfg.coder.attempts}, samples={cfg.coder.samples}, "
        f"{summary['seconds_per_problem']} s per problem"
    )
    print(f"{'problem':32} {'status':14} {'calls':>5} {'recall':>6}  fixes")
    for r in results:
        row = _row(r)
        recall = "-" if row["label_recall"] is None else f"{row['label_recall']:.2f}"
        print(
            f"{r.problem.id[:32]:32} {r.status:14} {r.model_calls:5d} {recall:>6}  "
            f"{','.join(row['fixes'])}"
        )
    print(json.dumps(summary))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", default=str(DEFAULT_PROBLEMS))
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0, help="Which fixed sample of problems.")
    parser.add_argument("--config", default=None)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument(
        "--out", default=None, help="Write per-problem rows (JSON Lines) here, as they finish."
    )
    parser.add_argument(
        "--chunk",
        type=int,
        default=5,
        help="Problems per ImgCoder batch (progress is printed per chunk).",
    )
    parser.add_argument(
        "--scene-types-only",
        action="store_true",
        help="Sample only problems whose image type a scene domain takes.",
    )
    parser.add_argument(
        "--by-domain",
        action="store_true",
        help="Run the sample grouped by scene domain: in a long run every domain recurs and the "
        "local engine's prompt cache keeps each domain's system message; a small sample of "
        "mixed domains otherwise pays that prompt on every problem.",
    )
    parser.add_argument(
        "--domains",
        default="",
        help="Sample only problems whose image type these scene domains take, e.g. optics,wave.",
    )
    parser.add_argument(
        "--modes",
        default="",
        help="coder.mode values to run one after another on the same sample with the same "
        "loaded model, e.g. code,scene,auto (default: the configured mode); the last line then "
        "compares each with code.",
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="Before each mode, evaluate (untimed) the system messages its calls start with: "
        "seconds per problem then measure a long run's steady state, in which the prompt "
        "cache holds every domain's schema, not a small sample's first meeting with each.",
    )
    parser.add_argument(
        "--images", default=None, metavar="DIR", help="Write each problem's best PNG to DIR/MODE/."
    )
    parser.add_argument(
        "--sheet",
        default=None,
        metavar="FILE.html",
        help="Write a contact sheet: each problem's text beside every mode's image.",
    )
    args = parser.parse_args()

    from sciray.config import load_config
    from sciray.llm import make_engine

    cfg = load_config(args.config, args.overrides)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()] or [cfg.coder.mode]
    for mode in modes:
        if mode not in ("code", "scene", "auto"):
            print(f"error: unknown mode {mode!r}; use code, scene or auto", file=sys.stderr)
            return 2
    from sciray.errors import did_you_mean
    from sciray.scene import domains as scene_domains

    known = scene_domains()
    wanted = tuple(d.strip() for d in args.domains.split(",") if d.strip())
    for name in wanted:
        if name not in known:
            hint = did_you_mean(name, known)
            print(f"error: unknown scene domain {name!r}{hint}; see --help", file=sys.stderr)
            return 2
    problems = sample_problems(
        args.problems, args.limit, args.seed, args.scene_types_only, args.by_domain, wanted
    )
    inner = make_engine(engine_config(cfg.coder, modes))
    out = open(args.out, "w") if args.out else None
    runs: dict[str, tuple[list, dict]] = {}
    try:
        for mode in modes:
            runs[mode] = run_mode(cfg, mode, problems, inner, args, out)
            print_table(*runs[mode], cfg)
    finally:
        inner.close()
        if out:
            out.close()
    if args.sheet:
        from contact_sheet import write_sheet

        write_sheet(args.sheet, problems, {m: results for m, (results, _) in runs.items()})
        print(f"contact sheet: {args.sheet}", file=sys.stderr)
    if len(runs) > 1:
        print(json.dumps(compare(runs)))
    return 0


def compare(runs: dict) -> dict:
    """The modes side by side, each mode's time per problem as a share of code mode's."""
    summaries = {m: s for m, (_, s) in runs.items()}
    keys = (
        "render_success",
        "render_success_no_repair",
        "label_recall_without_legend",
        "model_calls_per_problem",
        "seconds_per_problem",
    )
    out = {"modes": {m: {k: s[k] for k in keys} for m, s in summaries.items()}}
    code = summaries.get("code")
    if code and code["seconds_per_problem"]:
        out["seconds_vs_code"] = {
            m: round(s["seconds_per_problem"] / code["seconds_per_problem"], 3)
            for m, s in summaries.items()
            if m != "code"
        }
    return out


if __name__ == "__main__":
    sys.exit(main())
