"""``sciray imgcoder``: coder + sandboxed render + checks for a few problems, no cluster."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sciray.cli.options import config_option, json_option, set_option
from sciray.data.names import file_stem
from sciray.errors import UserError


def candidate_record(result) -> dict:
    """The ``<id>.json`` written for one problem: plan, attempts and checks of the best one."""
    best = result.best
    attempts = [
        {
            "attempt": c.attempt,
            "sample": c.sample,
            "origin": c.origin,
            "status": c.status,
            "fixes": c.fixes,
            "render_status": c.render_status,
            "render_error": c.render_error,
            "render_failure": c.render_failure.model_dump() if c.render_failure else None,
            "scene_spec": c.scene_spec,
            "render_ms": round(c.render_ms, 1) if c.render_ms is not None else None,
            "checks": c.checks,
            "check_reasons": c.check_reasons,
            "label_recall": c.label_recall,
            "score": c.score,
            "finish_reason": c.finish_reason,
            "tokens": {"prompt": c.usage.prompt_tokens, "completion": c.usage.completion_tokens},
            "raw_text": c.raw_text,
        }
        for c in result.attempts
    ]
    return {
        "id": result.problem.id,
        "status": result.status,
        "engine": best.engine if best else None,
        "model": best.model if best else None,
        "prompt_version": best.prompt_version if best else None,
        "language": best.language if best else None,
        "plan": best.plan.model_dump() if best and best.plan else None,
        "scene_spec": best.scene_spec if best else None,
        "checks": best.checks if best else {},
        "check_reasons": best.check_reasons if best else [],
        "label_recall": best.label_recall if best else None,
        "sandbox": best.sandbox if best else [],
        "model_calls": result.model_calls,
        "attempts": attempts,
    }


def write_outputs(result, out_dir: Path) -> dict:
    """Write <id>.png, <id>.py|.tex and <id>.json; returns the JSON record."""
    record = candidate_record(result)
    best, stem = result.best, file_stem(result.problem.id)
    if best is not None and best.code:
        (out_dir / f"{stem}{'.tex' if best.language == 'tikz' else '.py'}").write_text(
            best.code, encoding="utf-8"
        )
    if best is not None and best.image and best.image.bytes:
        (out_dir / f"{stem}.png").write_bytes(best.image.bytes)
        record["png"] = str(out_dir / f"{stem}.png")
    else:
        record["png"] = None
    (out_dir / f"{stem}.json").write_text(
        json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return record


@click.command("imgcoder")
@click.option(
    "--problems",
    "problems_path",
    required=True,
    metavar="PATH",
    help="Problem file, folder, glob or URL.",
)
@click.option(
    "--id", "ids", multiple=True, metavar="ID", help="Only these problem ids (repeatable)."
)
@click.option("--limit", type=int, default=None, help="At most N problems (after --id).")
@click.option(
    "--out",
    "out_dir",
    required=True,
    metavar="DIR",
    help="Write <id>.png, <id>.py|.tex and <id>.json here.",
)
@config_option
@set_option
@json_option
def imgcoder(problems_path, ids, limit, out_dir, config, set_, as_json) -> None:
    """Plan, code, render and check diagrams for a few problems (engine from coder.*)."""
    from sciray.coder.critic import build_critic
    from sciray.coder.imgcoder import ImgCoder
    from sciray.config import load_config
    from sciray.data.problems import load_problems
    from sciray.llm import make_engine
    from sciray.progress import RunProgress
    from sciray.render import coder_renderer

    if limit is not None and limit < 1:
        raise UserError("--limit must be at least 1")
    cfg = load_config(config, set_)
    report = load_problems(
        problems_path, reference_images=cfg.problems.reference_images, **cfg.problems.read_limits()
    )
    problems = report.problems
    if ids:
        by_id = {p.id: p for p in problems}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            from sciray.errors import did_you_mean

            raise UserError(
                f"no problem with id {unknown[0]!r} in {problems_path}{did_you_mean(unknown[0], by_id)}"
            )
        problems = [by_id[i] for i in ids]
    problems = problems[:limit] if limit else problems
    if not problems:
        raise UserError(
            f"no valid problems in {problems_path} ({len(report.quarantined)} quarantined)"
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    engine, critic = make_engine(cfg.coder), None
    try:
        with (
            coder_renderer(cfg.coder, cfg.render) as renderer,
            RunProgress("imgcoder", len(problems), enabled=not as_json) as progress,
        ):

            def finished(result, seconds: float) -> None:
                progress.stage("coder+render", seconds)
                progress.advance(result.status)

            critic = build_critic(cfg.coder, cfg.validator)  # None unless critique rounds are set
            results = ImgCoder(cfg.coder, engine, renderer, critic).run(problems, on_done=finished)
    finally:
        engine.close()
        if critic is not None:
            critic.validator.engine.close()
    records = [write_outputs(r, out) for r in results]
    if as_json:
        for rec in records:
            click.echo(
                json.dumps(
                    {
                        k: rec[k]
                        for k in ("id", "status", "png", "label_recall", "model_calls", "checks")
                    },
                    ensure_ascii=False,
                )
            )
        return
    for rec in records:
        recall = "-" if rec["label_recall"] is None else f"{rec['label_recall']:.2f}"
        click.echo(
            f"{rec['id']}: {rec['status']}  label_recall={recall}  calls={rec['model_calls']}  png={rec['png']}"
        )
