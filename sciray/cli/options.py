"""Options shared by several commands."""

from __future__ import annotations

import click

config_option = click.option(
    "--config",
    "-c",
    "config",
    default=None,
    metavar="FILE",
    help="YAML config file (see 'sciray config keys').",
)
set_option = click.option(
    "--set",
    "set_",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override one config key, e.g. --set ray.num_cpus=8 (repeatable; beats env and file).",
)
json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object instead of a table."
)
