"""The ``tikz`` back-end inside the fork-server: pdflatex, pdfinfo and pdftoppm, each in a
confined child that becomes the tool by ``execve``.

Each child gets the same rlimits, identity drop and seccomp filter as a Python render, with
Landlock allowing reads of the TeX trees, fonts and system libraries only, writes to the job
folder only, and execution of that one tool (plus the dynamic loader) only; seccomp lets
``execve`` through and still denies fork, sockets and signals to others. TeX itself runs with
shell escape off and kpathsea in paranoid mode (no absolute paths, no ``..``), so ``\\write18``,
``\\input{/etc/...}`` and ``\\openout`` outside the folder fail twice over.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from sciray.config.models import RenderConfig
from sciray.imaging import DEFAULT_MAX_PIXELS, ImageRejected, open_image
from sciray.render import tex_source
from sciray.render.confine import confine
from sciray.render.supervise import ChildOutcome, remove_tree, supervise

FORMAT_NAME = "sciray-tikz"
_TEX_TREES = (
    "/usr/share/texlive",
    "/usr/share/texmf",
    "/usr/local/share/texmf",
    "/var/lib/texmf",
    "/etc/texmf",
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "/etc/fonts",
    "/var/cache/fontconfig",
    "/usr/share/poppler",
)
_SYSTEM = (
    "/usr/lib",
    "/lib",
    "/usr/lib64",
    "/lib64",
    "/etc/ld.so.cache",
    "/dev/null",
    "/dev/urandom",
    "/etc/localtime",
    "/usr/share/zoneinfo",
)
_LOADERS = ("/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1", "/lib/ld-linux-armhf.so.3")
_LOG_TAIL = 64 << 10


class TexUnavailable(RuntimeError):
    """The system TeX or poppler tools are missing."""


@dataclass(frozen=True)
class TexToolchain:
    """Where the tools are and what a TeX child may touch; found once per fork-server."""

    pdflatex: str
    pdfinfo: str
    pdftoppm: str
    pdftotext: str
    read_paths: tuple[str, ...]
    loaders: tuple[str, ...]
    format_file: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    def exec_paths(self, tool: str) -> tuple[str, ...]:
        return (tool, *self.loaders)


def _which(name: str) -> str:
    found = shutil.which(name, path="/usr/local/bin:/usr/bin:/bin")
    if not found:
        package = "texlive-latex-base" if "latex" in name else "poppler-utils"
        raise TexUnavailable(
            f"{name} is not installed; the tikz renderer needs it (apt-get install {package})"
        )
    return os.path.realpath(found)


def discover() -> TexToolchain:
    """Find pdflatex, pdfinfo, pdftoppm and the TeX trees they read."""
    pdflatex = _which("pdflatex")
    pdfinfo, pdftoppm, pdftotext = _which("pdfinfo"), _which("pdftoppm"), _which("pdftotext")
    trees = set(_TEX_TREES)
    for var in (
        "TEXMFROOT",
        "TEXMFDIST",
        "TEXMFMAIN",
        "TEXMFSYSVAR",
        "TEXMFSYSCONFIG",
        "TEXMFLOCAL",
    ):
        try:
            value = subprocess.run(
                ["kpsewhich", f"-var-value={var}"],
                capture_output=True,
                text=True,
                timeout=10,
                env={"PATH": "/usr/bin:/bin"},
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        trees.update(p.lstrip("!") for p in value.split(":") if p.startswith(("/", "!!/")))
    read = tuple(sorted(p for p in trees | set(_SYSTEM) if os.path.exists(p)))
    loaders = tuple(sorted({os.path.realpath(p) for p in _LOADERS if os.path.exists(p)}))
    return TexToolchain(
        pdflatex=pdflatex,
        pdfinfo=pdfinfo,
        pdftoppm=pdftoppm,
        pdftotext=pdftotext,
        read_paths=read,
        loaders=loaders,
    )


def tool_env(job: str) -> dict[str, str]:
    """The whole environment of a TeX or poppler child."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": job,
        "LANG": "C.UTF-8",
        "TEXMFVAR": job,
        "TEXMFOUTPUT": job,
        "openin_any": "p",
        "openout_any": "p",
        "shell_escape": "f",
        "max_print_line": "10000",
        "error_line": "254",
        "half_error_line": "238",  # unwrapped log lines
        # Never build fonts or formats on the fly (kpathsea would fork mktex* scripts).
        "MKTEXPK": "0",
        "MKTEXTFM": "0",
        "MKTEXMF": "0",
        "MKTEXFMT": "0",
        "MKTEXTEX": "0",
        "SOURCE_DATE_EPOCH": "0",
        "FORCE_SOURCE_DATE": "1",
        "XDG_CACHE_HOME": job,
    }


def build_format(tools: TexToolchain, folder: str) -> str | None:
    """Dump a LaTeX format with TikZ, its libraries and AMS math preloaded (trusted input, run
    once at start-up); None when it fails (renders then load TikZ themselves, slower)."""
    os.makedirs(folder, exist_ok=True)
    source = os.path.join(folder, "preload.tex")
    with open(source, "w") as f:
        f.write(tex_source.FORMAT_PREAMBLE + "\\dump\n")
    try:
        subprocess.run(
            [
                tools.pdflatex,
                "-ini",
                "-interaction=batchmode",
                f"-jobname={FORMAT_NAME}",
                "&pdflatex",
                "preload.tex",
            ],
            cwd=folder,
            env=tool_env(folder),
            capture_output=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    path = os.path.join(folder, FORMAT_NAME + ".fmt")
    if not os.path.isfile(path):
        return None
    os.chmod(folder, 0o755)
    os.chmod(path, 0o644)
    return path


def prepare(cfg: RenderConfig, scratch_root: str) -> TexToolchain:
    """Discover the tools and, with ``render.tex_format``, build the preloaded format."""
    tools = discover()
    if cfg.tex_format:
        fmt = build_format(tools, os.path.join(scratch_root, "format"))
        if fmt:
            return TexToolchain(
                **{
                    **tools.__dict__,
                    "format_file": fmt,
                    "read_paths": (*tools.read_paths, os.path.dirname(fmt)),
                }
            )
    return tools


def run_tool(
    tools: TexToolchain,
    tool: str,
    argv: list[str],
    job: str,
    cfg: RenderConfig,
    deadline: float,
    output_name: str,
) -> ChildOutcome:
    """Fork a child that confines itself and becomes ``tool``; stdout and stderr go to
    ``job/output_name``. The child imports nothing after the fork (it may no longer read Python)."""
    pid = os.fork()
    if pid == 0:  # child
        try:
            out = os.open(
                os.path.join(job, output_name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600
            )
            devnull = os.open("/dev/null", os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(out, 1)
            os.dup2(out, 2)
            os.closerange(3, 1 << 16)
            os.chdir(job)
            for sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, signal.SIG_DFL)  # ignored signals would stay ignored after exec
            confine(
                job,
                cpu_s=cfg.cpu_s,
                memory_mb=cfg.memory_mb,
                file_mb=cfg.scratch_mb,
                open_files=cfg.open_files,
                require_landlock=not cfg.allow_without_landlock,
                read_paths=tools.read_paths,
                exec_paths=tools.exec_paths(tool),
            )
            os.execve(tool, argv, tool_env(job))
        except BaseException as exc:
            try:
                os.write(2, f"sandbox set-up failed: {exc}\n".encode())
            finally:
                os._exit(127)
    return supervise(pid, job, cfg, deadline)


def _tail(path: str, limit: int = _LOG_TAIL, encoding: str = "latin-1") -> str:
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.fstat(f.fileno()).st_size - limit))
            return f.read().decode(encoding, errors="replace")
    except OSError:
        return ""


def _killed_or_crashed(
    outcome: ChildOutcome, cfg: RenderConfig, what: str
) -> tuple[str, str] | None:
    if outcome.killed:
        return outcome.killed
    if outcome.signal_name in ("SIGXCPU", "SIGKILL"):
        return "timeout", f"CPU time limit of {cfg.cpu_s} s reached in {what}"
    if outcome.signal_name == "SIGXFSZ":
        return "limit", f"{what} wrote a file over the scratch limit of {cfg.scratch_mb} MiB"
    if outcome.signal_name:
        return "error", f"{what} died of {outcome.signal_name}"
    return None


def _compile(
    tools: TexToolchain,
    job: str,
    cfg: RenderConfig,
    deadline: float,
    line_offset: int,
    use_format: bool,
) -> tuple[dict[str, Any] | None, bool]:
    """Run pdflatex; returns (failure header or None, whether the format was used)."""
    argv = [
        "pdflatex",
        "-no-shell-escape",
        "-interaction=nonstopmode",
        "-halt-on-error",
        "-file-line-error",
    ]
    if use_format and tools.format_file:
        argv.append(f"-fmt={tools.format_file[:-4]}")
    outcome = run_tool(tools, tools.pdflatex, [*argv, "doc.tex"], job, cfg, deadline, "latex.out")
    log, output = _tail(os.path.join(job, "doc.log")), _tail(os.path.join(job, "latex.out"))
    broken = _killed_or_crashed(outcome, cfg, "pdflatex")
    if broken:
        return {"status": broken[0], "error": broken[1]}, use_format
    if "sandbox set-up failed" in output:
        return {"status": "error", "error": output.strip().splitlines()[-1]}, use_format
    hostile = tex_source.violation(log, output)
    if hostile:
        return {"status": "violation", "error": hostile}, use_format
    if os.path.isfile(os.path.join(job, "doc.pdf")) and outcome.exit_code == 0:
        return None, use_format
    if use_format and tools.format_file and "Option clash" in log:
        # The document loads a preloaded package with other options: compile it from scratch.
        return _compile(tools, job, cfg, deadline, line_offset, use_format=False)
    status, error = tex_source.failure(log)
    error = tex_source.tex_error(log, line_offset) or error
    return {"status": status, "error": error}, use_format


def render_tex(
    code: str, cfg: RenderConfig, scratch_root: str, tools: TexToolchain
) -> tuple[dict, bytes]:
    """Compile ``code`` to PNG in a fresh job folder; never raises for anything the code does."""
    started = time.perf_counter()
    deadline = started + cfg.timeout_s
    job = tempfile.mkdtemp(prefix="tex-", dir=scratch_root)
    timings: dict[str, float] = {}
    try:
        document, line_offset = tex_source.prepare_document(code)
        with open(os.path.join(job, "doc.tex"), "w", encoding="utf-8") as f:
            f.write(document)
        failed, used_format = _compile(tools, job, cfg, deadline, line_offset, use_format=True)
        timings["latex_ms"] = round((time.perf_counter() - started) * 1000, 2)
        timings["format"] = float(bool(used_format and tools.format_file))
        if failed:
            header, png = failed, b""
        else:
            header, png = _rasterize(tools, job, cfg, deadline, tex_source.is_standalone(document))
            timings["raster_ms"] = round(
                (time.perf_counter() - started) * 1000 - timings["latex_ms"], 2
            )
        return {**header, "timings": timings}, png
    finally:
        remove_tree(job)


def _rasterize(
    tools: TexToolchain, job: str, cfg: RenderConfig, deadline: float, standalone: bool
) -> tuple[dict, bytes]:
    outcome = run_tool(
        tools,
        tools.pdfinfo,
        ["pdfinfo", "-f", "1", "-l", "1", "doc.pdf"],
        job,
        cfg,
        deadline,
        "info.out",
    )
    info = _tail(os.path.join(job, "info.out"))
    broken = _killed_or_crashed(outcome, cfg, "pdfinfo")
    if broken:
        return {"status": broken[0], "error": broken[1]}, b""
    size = tex_source.page_size_pts(info)
    if size is None:
        return {"status": "error", "error": "the PDF has no readable page size"}, b""
    width, height = tex_source.pixels_at(size, cfg.dpi)
    if width * height > cfg.max_pixels:
        return {
            "status": "limit",
            "error": f"page of {width}x{height} pixels is over the cap of {cfg.max_pixels}",
        }, b""
    # pdftoppm writes into a folder made after TeX exited (TeX cannot make folders), so a file
    # the document wrote itself (\openout to page.png) is never taken for the raster.
    raster = os.path.join(job, "raster")
    try:
        os.mkdir(raster, 0o700)
    except OSError:
        return {"status": "violation", "error": "the document made the raster folder itself"}, b""
    path = os.path.join(raster, "page.png")
    # The crop box bounds the raster to the checked size even if the page size was misread.
    outcome = run_tool(
        tools,
        tools.pdftoppm,
        [
            "pdftoppm",
            "-png",
            "-r",
            str(cfg.dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-x",
            "0",
            "-y",
            "0",
            "-W",
            str(width),
            "-H",
            str(height),
            "-singlefile",
            "doc.pdf",
            "raster/page",
        ],
        job,
        cfg,
        deadline,
        "ppm.out",
    )
    broken = _killed_or_crashed(outcome, cfg, "pdftoppm")
    if broken:
        return {"status": broken[0], "error": broken[1]}, b""
    if outcome.exit_code != 0 or not os.path.isfile(path) or os.path.islink(path):
        return {
            "status": "error",
            "error": f"pdftoppm failed (exit code {outcome.exit_code}): "
            + _tail(os.path.join(job, "ppm.out"), 300).strip(),
        }, b""
    if os.path.getsize(path) > cfg.max_png_mb << 20:
        return {"status": "limit", "error": f"result is over {cfg.max_png_mb} MiB"}, b""
    with open(path, "rb") as f:
        try:
            png, scene, offset = finish_png(
                f.read(), crop=not standalone, max_pixels=cfg.max_pixels
            )
        except ImageRejected as exc:
            return {"status": "violation", "error": f"pdftoppm's image was rejected: {exc}"}, b""
    outcome = run_tool(
        tools,
        tools.pdftotext,
        ["pdftotext", "-bbox-layout", "-f", "1", "-l", "1", "doc.pdf", "text.html"],
        job,
        cfg,
        deadline,
        "text.out",
    )
    if (
        _killed_or_crashed(outcome, cfg, "pdftotext") is None
    ):  # texts are a bonus: the image stands without them
        add_texts(
            scene,
            tex_source.text_lines(_tail(os.path.join(job, "text.html"), 4 << 20, "utf-8"), cfg.dpi),
            offset,
        )
    return {"status": "ok", "error": None, "scene": scene}, png


def add_texts(
    scene: dict[str, Any], lines: list[tuple[str, list[float]]], offset: tuple[int, int]
) -> None:
    """Put the page's text lines (moved by the crop ``offset``) into ``scene`` with overlaps and
    off-canvas ones."""
    from sciray.render.scene import outside_canvas, overlapping_pairs

    boxes = [
        [b[0] - offset[0], b[1] - offset[1], b[2] - offset[0], b[3] - offset[1]] for _, b in lines
    ]
    scene["texts"] = [
        {"text": text, "bbox": box, "kind": "text"} for (text, _), box in zip(lines, boxes)
    ]
    every = list(range(len(boxes)))
    scene["overlaps"] = overlapping_pairs(boxes, every)
    scene["outside"] = outside_canvas(boxes, every, *scene["size"])


def finish_png(
    png: bytes, crop: bool = False, margin: int = 8, max_pixels: int = DEFAULT_MAX_PIXELS
) -> tuple[bytes, dict[str, Any], tuple[int, int]]:
    """The PNG to return, its scene (blank check and size; texts come from pdftotext) and the
    crop offset.

    A document that is not ``standalone`` renders a whole page: ``crop`` trims it to the
    drawing plus ``margin`` pixels.
    """
    import numpy as np
    from PIL import Image, ImageChops

    from sciray.render.scene import is_blank

    with open_image(png, max_pixels=max_pixels) as image:
        rgb = image.convert("RGB")
    offset = (0, 0)
    if crop:
        box = ImageChops.difference(rgb, Image.new("RGB", rgb.size, rgb.getpixel((0, 0)))).getbbox()
        if box:
            box = (
                max(box[0] - margin, 0),
                max(box[1] - margin, 0),
                min(box[2] + margin, rgb.width),
                min(box[3] + margin, rgb.height),
            )
            rgb = rgb.crop(box)
            offset = (box[0], box[1])
            buffer = io.BytesIO()
            rgb.save(buffer, format="PNG")
            png = buffer.getvalue()
    pixels = np.asarray(rgb)
    scene = {
        "texts": [],
        "overlaps": [],
        "outside": [],
        "blank": is_blank(pixels),
        "artists": {},
        "size": [int(pixels.shape[1]), int(pixels.shape[0])],
    }
    return png, scene, offset


def exec_self_test(
    cfg: RenderConfig, scratch_root: str, tools: TexToolchain
) -> tuple[list[str], list[str]]:
    """Fork one child confined exactly like a TeX child and check that reading a foreign file,
    ``socket()``, ``fork()``, signalling the parent and executing anything but the tool all fail."""
    foreign = tempfile.NamedTemporaryFile(
        "w", prefix="sciray-selftest-", suffix=".txt", delete=False
    )
    foreign.write("secret")
    foreign.close()
    job = tempfile.mkdtemp(prefix="selftest-", dir=scratch_root)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _probe(write_fd, job, foreign.name, cfg, tools)
    os.close(write_fd)
    try:
        outcome = supervise(
            pid, job, cfg, time.perf_counter() + 30, read_fd=read_fd, max_bytes=1 << 16
        )
    finally:
        os.close(read_fd)
        os.unlink(foreign.name)
        shutil.rmtree(job, ignore_errors=True)
    reports = [
        json.loads(line)
        for line in outcome.data.decode(errors="replace").splitlines()
        if line.startswith("{")
    ]
    mechanisms = next((r["sandbox"] for r in reports if "sandbox" in r), [])
    results = {k: v for r in reports for k, v in r.items() if k != "sandbox"}
    if "error" in results:
        return mechanisms, [f"self-test did not run: {results['error']}"]
    expected = {"read_foreign_file", "socket", "fork", "kill_parent", "exec_other"}
    escapes = sorted(name for name, ok in results.items() if ok)
    if "exec_other" not in results and set(results) == expected - {"exec_other"}:
        escapes.append("exec_other (the probe was replaced by a program it should not run)")
    elif set(results) != expected:
        escapes.append(f"self-test incomplete: {sorted(results)}")
    return mechanisms, escapes


def _probe(write_fd: int, job: str, foreign: str, cfg: RenderConfig, tools: TexToolchain) -> None:
    def report(obj: dict) -> None:
        os.write(write_fd, (json.dumps(obj) + "\n").encode())

    try:
        os.chdir(job)
        mechanisms = confine(
            job,
            cpu_s=cfg.cpu_s,
            memory_mb=cfg.memory_mb,
            file_mb=cfg.scratch_mb,
            open_files=cfg.open_files,
            require_landlock=not cfg.allow_without_landlock,
            read_paths=tools.read_paths,
            exec_paths=tools.exec_paths(tools.pdflatex),
        )
        report({"sandbox": mechanisms})
    except BaseException as exc:
        report({"error": str(exc)})
        os._exit(0)

    def attempt(name: str, fn) -> None:
        try:
            fn()
            report({name: True})
        except Exception:
            report({name: False})

    def fork() -> None:
        if os.fork() == 0:
            os._exit(0)

    attempt("read_foreign_file", lambda: open(foreign).read())
    attempt("socket", lambda: socket.socket().close())
    attempt("fork", fork)
    attempt("kill_parent", lambda: os.kill(os.getppid(), 0))
    # Last: a successful exec replaces this process, and the missing report counts as an escape.
    attempt("exec_other", lambda: os.execv("/bin/true", ["true"]))
    os._exit(0)
