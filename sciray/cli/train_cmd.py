"""``sciray train``: fine-tune a vision-language model on accepted shards with Ray Train."""

from __future__ import annotations

import json

import click

from sciray.cli.options import config_option, json_option, set_option


@click.command("train")
@click.option(
    "--data",
    "data",
    required=True,
    metavar="RUN_OR_SHARDS",
    help="A synth run folder (its accepted/ shards), a folder of shards, a glob or a .parquet file.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    metavar="DIR",
    help="Folder for train_report.json (and the checkpoints unless train.storage_path is set); rerun to resume.",
)
@config_option
@set_option
@json_option
def train(data, out_dir, config, set_, as_json) -> None:
    """Accepted shards -> Ray Data -> Ray Train (DDP or DeepSpeed) -> checkpoints +
    DIR/train_report.json."""
    from sciray.cluster.train import run_training
    from sciray.config import load_config

    cfg = load_config(config, set_)
    report = run_training(cfg, data, out_dir, progress=not as_json)
    summary = {
        k: report[k]
        for k in ("steps", "loss_first", "loss_last", "checkpoint", "eval_before", "eval_after")
    }
    if as_json:
        click.echo(
            json.dumps(
                {
                    **summary,
                    "samples_per_s": report["samples_per_s"],
                    "tokens_per_s": report["tokens_per_s"],
                }
            )
        )
        return

    def acc(e) -> str:
        return "n/a" if not e else f"{e['accuracy']:.3f} ({e['correct']}/{e['n']})"

    resumed = (
        f", resumed from step {report['resumed_from_step']}"
        if report["resumed_from_step"] is not None
        else ""
    )
    click.echo(
        f"{report['steps']} steps ({report['strategy']}{resumed}): loss {report['loss_first']:.4f} -> "
        f"{report['loss_last']:.4f}, {report['samples_per_s']} samples/s, {report['tokens_per_s']} tokens/s"
    )
    click.echo(
        f"held-out accuracy: before {acc(report['eval_before'])}, after {acc(report['eval_after'])}"
    )
    click.echo(f"checkpoint: {report['checkpoint']}")
    click.echo(f"wrote {out_dir}/train_report.json")
