"""Entry point of the ``sciray`` command: subcommands plus uniform error handling.

Exit codes: 0 success, 2 bad usage / config / unreadable input (one line on stderr saying how
to fix it, no traceback), 1 runtime failure. ``SCIRAY_DEBUG=1`` adds tracebacks.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

import click

from sciray import __version__
from sciray.cli import (
    config_cmd,
    eval_cmd,
    imgcoder_cmd,
    problems_cmd,
    render_cmd,
    serve_cmd,
    synth_cmd,
    train_cmd,
)
from sciray.errors import SciRayError


@click.group(
    "sciray",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
def cli() -> None:
    """SciRay: synthesize scientifically faithful diagrams from problem text and prove them
    faithful."""


cli.add_command(config_cmd.group)
cli.add_command(problems_cmd.group)
cli.add_command(render_cmd.render)
cli.add_command(render_cmd.scene_group)
cli.add_command(imgcoder_cmd.imgcoder)
cli.add_command(eval_cmd.eval_)
cli.add_command(eval_cmd.leaderboard)
cli.add_command(synth_cmd.synth)
cli.add_command(serve_cmd.serve)
cli.add_command(train_cmd.train)


@cli.command("version")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Also print the versions of the main libraries, as JSON.",
)
def version(as_json: bool) -> None:
    """Print the SciRay version."""
    if not as_json:
        click.echo(f"sciray {__version__}")
        return
    from sciray.lineage import package_versions

    click.echo(json.dumps({"sciray": __version__, "packages": package_versions()}))


def _fail(message: str, code: int) -> int:
    click.echo(f"sciray: error: {message}", err=True)
    return code


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    debug = os.environ.get("SCIRAY_DEBUG", "") not in ("", "0")
    try:
        result = cli.main(args=argv, prog_name="sciray", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except click.exceptions.NoArgsIsHelpError as exc:  # bare group: show its help
        click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
        return 2
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        return _fail("aborted", 130)
    except click.ClickException as exc:
        ctx = getattr(exc, "ctx", None)
        command = ctx.command_path if ctx else "sciray"
        return _fail(f"{exc.format_message()} (see '{command} --help')", 2)
    except SciRayError as exc:
        if debug:
            traceback.print_exc()
        return _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:  # a runtime failure: one line unless debugging
        if debug:
            traceback.print_exc()
        return _fail(f"{type(exc).__name__}: {exc} (rerun with SCIRAY_DEBUG=1 for a traceback)", 1)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
