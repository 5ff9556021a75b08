"""``sciray eval`` and ``sciray leaderboard``: the SciGenBench numbers for any set of images."""

from __future__ import annotations

import json

import click

from sciray.cli.options import config_option, json_option, set_option
from sciray.errors import UserError


@click.command("eval")
@click.option(
    "--problems",
    "problems_path",
    required=True,
    metavar="PATH",
    help="Problems with quizzes (file, folder, glob or URL).",
)
@click.option(
    "--images",
    required=True,
    metavar="DIR_OR_RUN",
    help="Folder of <id>.png|jpg, or a SciRay run / Parquet shard.",
)
@click.option(
    "--reference-images",
    default=None,
    metavar="DIR",
    help="Folder of <id>.png reference figures (standard metrics).",
)
@click.option(
    "--name",
    default=None,
    help="Name of this image set in the leaderboard (default: the images folder's name).",
)
@click.option(
    "--metrics",
    "families",
    default="checks,quiz,judge,standard",
    show_default=True,
    help="Comma-separated families: checks, quiz, judge, standard.",
)
@click.option("--limit", type=int, default=None, help="Only the first N problems.")
@click.option(
    "--out",
    "out_dir",
    required=True,
    metavar="DIR",
    help="Write scores.parquet, summary.json and report.html here.",
)
@config_option
@set_option
@json_option
def eval_(
    problems_path, images, reference_images, name, families, limit, out_dir, config, set_, as_json
) -> None:
    """Score images of PROBLEMS: inverse validation (R_inv), judge, PSNR/SSIM/CLIP/FID, checks."""
    from pathlib import Path

    from sciray.config import load_config
    from sciray.data.problems import load_problems
    from sciray.evaluation.images import find_images
    from sciray.evaluation.output import write_eval
    from sciray.evaluation.run import Evaluator
    from sciray.progress import RunProgress

    cfg = load_config(config, set_)
    wanted = tuple(f.strip() for f in families.split(",") if f.strip())
    report = load_problems(
        problems_path,
        reference_images=reference_images or cfg.problems.reference_images,
        **cfg.problems.read_limits(),
    )
    problems = report.problems[:limit] if limit else report.problems
    if not problems:
        raise UserError(
            f"no valid problems in {problems_path} ({len(report.quarantined)} quarantined)"
        )
    entries = find_images(images, [p.id for p in problems])
    evaluator = Evaluator(cfg, wanted)
    if "judge" in wanted and not cfg.judge.enabled:
        evaluator.metrics = tuple(f for f in wanted if f != "judge")
        click.echo(
            "note: judge skipped (set judge.enabled=true and a judge engine/model to score it)",
            err=True,
        )
    try:
        with RunProgress("eval", len(problems), enabled=not as_json) as progress:
            result = evaluator.evaluate(
                problems, entries, name or Path(images).resolve().name, on_stage=progress.stage
            )
            for row in result.rows:
                progress.advance(row["status"])
    finally:
        evaluator.close()
    result.summary["quarantined_problems"] = len(report.quarantined)
    paths = write_eval(out_dir, result.rows, result.summary, result.images)
    summary = {k: v for k, v in result.summary.items() if k not in ("missing", "by_image_type")}
    if as_json:
        click.echo(json.dumps({**summary, "files": paths}, ensure_ascii=False))
    else:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        click.echo(f"wrote {paths['scores']}, {paths['summary']}, {paths['report']}")


@click.command("leaderboard")
@click.argument("dirs", nargs=-1, required=True)
@json_option
def leaderboard(dirs, as_json) -> None:
    """Merge the summary.json of several 'sciray eval' folders into the paper's table."""
    from sciray.evaluation.leaderboard import leaderboard as table
    from sciray.evaluation.leaderboard import load_summary

    markdown, rows = table([load_summary(d) for d in dirs])
    click.echo(json.dumps(rows, ensure_ascii=False) if as_json else markdown)
