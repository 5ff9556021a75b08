"""``sciray problems``: look at problem files before spending GPU time on them."""

from __future__ import annotations

import json

import click

from sciray.cli.options import config_option, json_option, set_option


@click.group("problems")
def group() -> None:
    """Inspect problem files."""


@group.command("inspect")
@click.argument("path")
@click.option(
    "--reference-images",
    default=None,
    metavar="DIR",
    help="Folder of <id>.png reference figures (overrides problems.reference_images).",
)
@config_option
@set_option
@json_option
def inspect(
    path: str,
    reference_images: str | None,
    config: str | None,
    set_: tuple[str, ...],
    as_json: bool,
) -> None:
    """Count valid and quarantined rows of PATH (file, folder, glob or fsspec URL of .jsonl /
    .json / .parquet problems), with line and reason, and problems per image type."""
    from sciray.config import load_config
    from sciray.data.problems import load_problems

    cfg = load_config(config, set_)
    report = load_problems(
        path,
        reference_images=reference_images or cfg.problems.reference_images,
        **cfg.problems.read_limits(),
    )
    summary = {
        "total": report.total,
        "valid": len(report.problems),
        "quarantined": [
            {"file": q.file, "line": q.line, "reason": q.reason} for q in report.quarantined
        ],
        "by_image_type": report.by_image_type(),
    }
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    _print_table(summary, with_reference=sum(1 for p in report.problems if p.reference_image))


def _print_table(summary: dict, with_reference: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"[bold]{summary['total']}[/] rows: [green]{summary['valid']} valid[/], "
        f"[red]{len(summary['quarantined'])} quarantined[/], {with_reference} with a reference image"
    )
    types = Table("image type", "problems")
    for name, count in summary["by_image_type"].items():
        types.add_row(name, str(count))
    console.print(types)
    if summary["quarantined"]:
        bad = Table("file", "line", "reason", title="quarantined rows")
        for q in summary["quarantined"]:
            bad.add_row(q["file"], str(q["line"]), q["reason"])
        console.print(bad)
