"""``sciray render``: render diagram files through one warm sandboxed pool."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sciray.cli.options import config_option, json_option, set_option
from sciray.errors import UserError

_SUFFIX_LANGUAGE = {".py": "python", ".tex": "tikz", ".tikz": "tikz"}


def result_json(file: str, result, png_path: str | None) -> dict:
    scene = result.scene
    return {
        "file": file,
        "status": result.status,
        "error": result.error,
        "png": png_path,
        "ms": round(result.ms, 1),
        "sandbox": result.sandbox,
        "scene": {
            "texts": [{"text": t.text, "bbox": t.bbox, "kind": t.kind} for t in scene.texts]
            if scene
            else [],
            "overlaps": scene.overlaps if scene else [],
            "outside": scene.outside if scene else [],
            "blank": scene.blank if scene else None,
        },
    }


@click.command("render")
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--language",
    type=click.Choice(["python", "tikz"]),
    default=None,
    help="Language of every FILE (default: from the suffix, .py -> python, .tex -> tikz).",
)
@click.option(
    "--out-dir", default=None, metavar="DIR", help="Write <name>.png here for each rendered file."
)
@click.option(
    "--timeout",
    "timeout_s",
    type=float,
    default=None,
    help="Wall-clock seconds per render (render.timeout_s).",
)
@config_option
@set_option
@json_option
def render(files, language, out_dir, timeout_s, config, set_, as_json) -> None:
    """Render FILE... in the sandbox; print one result per file, in order."""
    from sciray.config import load_config
    from sciray.render import make_renderer

    overrides = list(set_) + ([f"render.timeout_s={timeout_s}"] if timeout_s is not None else [])
    cfg = load_config(config, overrides).render
    jobs = []
    for name in files:
        path = Path(name)
        if not path.is_file():
            raise UserError(f"{name!r} is not a file; pass diagram source files (.py or .tex)")
        lang = language or _SUFFIX_LANGUAGE.get(path.suffix.lower())
        if lang is None:
            raise UserError(f"cannot tell the language of {name!r}; pass --language python|tikz")
        try:
            jobs.append((name, lang, path.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            raise UserError(f"{name!r} is not UTF-8 text") from None
    out = Path(out_dir) if out_dir else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    results: dict[int, object] = {}
    for lang in sorted({lang for _, lang, _ in jobs}):
        indices = [i for i, (_, l, _) in enumerate(jobs) if l == lang]
        workers = min(len(indices), cfg.workers or __import__("os").cpu_count() or 1)
        with make_renderer(lang, cfg, workers=workers) as renderer:
            for i, result in zip(indices, renderer.render_many([jobs[i][2] for i in indices])):
                results[i] = result
    for i, (name, _, _) in enumerate(jobs):
        result = results[i]
        png_path = None
        if out and result.png:
            png_path = str(out / (Path(name).stem + ".png"))
            Path(png_path).write_bytes(result.png)
        if as_json:
            click.echo(json.dumps(result_json(name, result, png_path), ensure_ascii=False))
        else:
            detail = (
                f" -> {png_path}" if png_path else (f": {result.error}" if result.error else "")
            )
            click.echo(f"{name}: {result.status} ({result.ms:.0f} ms){detail}")
