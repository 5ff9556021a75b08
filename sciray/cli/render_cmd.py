"""``sciray render``: render diagram files through one warm sandboxed pool."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sciray.cli.options import config_option, json_option, set_option
from sciray.errors import UserError

_SUFFIX_LANGUAGE = {".py": "python", ".tex": "tikz", ".tikz": "tikz", ".json": "scene"}


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
    type=click.Choice(["python", "tikz", "scene"]),
    default=None,
    help="Language of every FILE (default: from the suffix, .py -> python, .tex -> tikz, "
    ".json -> scene).",
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
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UserError(f"{name!r} is not UTF-8 text") from None
        if lang == "scene":
            text = _checked_scene(name, text)
        jobs.append((name, lang, text))
    out = Path(out_dir) if out_dir else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    results: dict[int, object] = {}
    for lang in sorted({lang for _, lang, _ in jobs}):
        indices = [i for i, (_, language, _) in enumerate(jobs) if language == lang]
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


def _checked_scene(name: str, text: str) -> str:
    """A scene file's JSON, validated here so a bad file is a one-line error (exit 2)."""
    from sciray.coder.scene_prompts import parse_scene_answer

    if len(text) > 200_000:
        raise UserError(f"{name}: a scene file holds at most 200 kB of JSON")
    spec, why = parse_scene_answer(text)
    if spec is None:
        raise UserError(f"{name}: {why}; fix the file (see 'sciray scene schema DOMAIN')")
    return spec.model_dump_json(exclude_none=True)


@click.group("scene")
def scene_group() -> None:
    """Typed scene descriptions drawn by deterministic domain renderers."""


@scene_group.command("render")
@click.argument("files", nargs=-1, required=True)
@click.option("--out-dir", default=None, metavar="DIR", help="Write <name>.png here.")
@config_option
@set_option
@json_option
@click.pass_context
def scene_render(ctx, files, out_dir, config, set_, as_json) -> None:
    """Render scene FILE.json... (a description a model wrote, or one edited by hand)."""
    ctx.invoke(
        render,
        files=files,
        language="scene",
        out_dir=out_dir,
        timeout_s=None,
        config=config,
        set_=set_,
        as_json=as_json,
    )


@scene_group.command("schema")
@click.argument("domain")
def scene_schema(domain) -> None:
    """Print the JSON schema of DOMAIN's scene (what a model fills; 'list' names the domains)."""
    from sciray.errors import did_you_mean
    from sciray.scene import domains, prompt_schema

    known = domains()
    if domain == "list":
        for name, cls in sorted(known.items()):
            click.echo(f"{name}: {', '.join(cls.image_types)}")
        return
    if domain not in known:
        raise UserError(f"no scene domain {domain!r}{did_you_mean(domain, known)}")
    click.echo(json.dumps(prompt_schema(domain), indent=2, ensure_ascii=False))
