"""``sciray synth``: the synthesis pipeline on a local Ray (or the cluster in ray.address)."""

from __future__ import annotations

import json

import click

from sciray.cli.options import config_option, json_option, set_option


@click.command("synth")
@click.option(
    "--problems",
    "problems_path",
    required=True,
    metavar="PATH",
    help="Problem file, folder, glob or URL.",
)
@click.option(
    "--limit", type=int, default=None, help="Only the first N valid problems not yet written."
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    metavar="RUN",
    help="Run directory (local path or fsspec URL); rerun to resume.",
)
@config_option
@set_option
@json_option
def synth(problems_path, limit, out_dir, config, set_, as_json) -> None:
    """Problems -> coder -> sandboxed render -> repair -> checks -> validator -> accepted/ and
    rejected/ shards."""
    from sciray.cluster.synthesize import run_synthesis
    from sciray.config import load_config
    from sciray.errors import UserError

    if limit is not None and limit < 1:
        raise UserError("--limit must be at least 1")
    cfg = load_config(config, set_)
    manifest = run_synthesis(cfg, problems_path, out_dir, limit, progress=not as_json)
    if as_json:
        click.echo(
            json.dumps(
                {
                    k: manifest[k]
                    for k in ("counts", "counts_add_up", "validator", "engine", "wall_seconds")
                }
            )
        )
        return
    c = manifest["counts"]
    click.echo(
        f"{c['input']} problems: {c['accepted']} accepted, {c['rejected']} rejected, {c['failed']} failed, "
        f"{c['quarantined']} quarantined ({c['resumed_from_earlier_runs']} from earlier runs)"
    )
    click.echo(f"validator: {manifest['validator']}")
    click.echo(
        f"wrote {out_dir}/manifest.json, {out_dir}/report.html, accepted/ and rejected/ shards"
    )
