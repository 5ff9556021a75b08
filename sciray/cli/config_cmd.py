"""``sciray config``: show the effective configuration, validate a file, list the keys."""

from __future__ import annotations

import json
import typing

import click
import yaml
from pydantic import BaseModel

from sciray.cli.options import config_option, json_option, set_option


@click.group("config")
def group() -> None:
    """Show, validate and document configuration."""


@group.command("show")
@config_option
@set_option
@json_option
def show(config: str | None, set_: tuple[str, ...], as_json: bool) -> None:
    """Print the effective config: --set > SCIRAY_SECTION__KEY env vars > file > defaults."""
    from sciray.config import load_config

    data = load_config(config, set_).model_dump(mode="json")
    click.echo(
        json.dumps(data, indent=2) if as_json else yaml.safe_dump(data, sort_keys=False).rstrip()
    )


@group.command("validate")
@click.argument("path")
def validate(path: str) -> None:
    """Check config file PATH and report every problem in it at once (exit 2 if any)."""
    from sciray.config.loader import collect

    _, problems = collect(path, env={})
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{path}: {len(problems)} problem(s)", err=True)
        raise click.exceptions.Exit(2)
    click.echo(f"{path}: valid")


def _type_name(annotation: typing.Any) -> str:
    if typing.get_origin(annotation) is None and hasattr(annotation, "__name__"):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def config_keys(model: type[BaseModel], prefix: str = "") -> list[dict]:
    """Every key of ``model`` (sections first, then their fields) with type, default and help."""
    rows = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            doc = field.description or (annotation.__doc__ or "").strip()
            rows.append({"key": key, "type": "section", "default": None, "help": doc})
            rows.extend(config_keys(annotation, key + "."))
        else:
            rows.append(
                {
                    "key": key,
                    "type": _type_name(annotation),
                    "default": field.get_default(call_default_factory=True),
                    "help": field.description or "",
                }
            )
    return rows


@group.command("keys")
@json_option
def keys(as_json: bool) -> None:
    """List every config key with its type, default and help."""
    from sciray.config import SciRayConfig

    rows = config_keys(SciRayConfig)
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    for row in rows:
        if row["type"] == "section":
            click.echo(f"\n[{row['key']}]  {row['help']}")
        else:
            click.echo(
                f"  {row['key']} ({row['type']}, default {row['default']!r})\n      {row['help']}"
            )
