"""Runs inside a confined render child: execute diagram code, pick its figure, return PNG + scene.

Matplotlib scripts as models write them work: ``plt.show()`` is a no-op on Agg, ``savefig`` to
any name lands in the scratch folder, several figures are allowed (the last one that drew
something is the result), ``if __name__ == "__main__":`` runs, ``sys.exit()`` just ends the script.
"""

from __future__ import annotations

import builtins
import io
import sys
import time
import traceback
from typing import Any

_created: list = []  # every Figure created in this process, in order


class PixelLimitError(MemoryError):
    """A canvas larger than render.max_pixels was about to be allocated."""


class ImportBlocked(ImportError):
    """Diagram code imported a module outside render.allowed_imports."""


class BoundedText(io.TextIOBase):
    """A stdout/stderr stand-in that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int):
        self.limit, self.parts, self.kept, self.dropped = limit, [], 0, 0

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(s[:room])
            self.kept += min(len(s), room)
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def text(self) -> str:
        tail = f"\n[... {self.dropped} more characters dropped]" if self.dropped else ""
        return "".join(self.parts) + tail


def install_matplotlib_hooks(max_pixels_ref: list[int]) -> None:
    """Once, in the fork-server: track created figures and cap canvas size before allocation."""
    import matplotlib.figure
    from matplotlib.backends import backend_agg

    original_init = matplotlib.figure.Figure.__init__

    def tracking_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        _created.append(self)

    matplotlib.figure.Figure.__init__ = tracking_init

    original_renderer = backend_agg.RendererAgg.__init__

    def capped_renderer(self, width, height, dpi):
        if width * height > max_pixels_ref[0]:
            raise PixelLimitError(
                f"canvas of {int(width)}x{int(height)} pixels is over the cap of {max_pixels_ref[0]}"
            )
        original_renderer(self, width, height, dpi)

    backend_agg.RendererAgg.__init__ = capped_renderer
    from sciray.render.scene import install_tick_hook

    install_tick_hook()


def guarded_builtins(allowed: list[str]) -> dict[str, Any]:
    """Builtins whose ``__import__`` admits only allowed top-level modules.

    A policy layer for diagram code, not the security boundary (Python-level guards can be
    escaped; Landlock, seccomp and rlimits are what hold).
    """
    namespace = dict(vars(builtins))
    if "*" in allowed:
        return namespace
    allowed_set = set(allowed)
    real_import = builtins.__import__

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        top = name.split(".")[0]
        if level == 0 and top not in allowed_set:
            raise ImportBlocked(f"import of {name!r} is not allowed in diagram code (render.allowed_imports)")
        return real_import(name, globals, locals, fromlist, level)

    namespace["__import__"] = guarded_import
    return namespace


def _figure_has_content(fig) -> bool:
    return bool(fig.axes or fig.artists or fig.lines or fig.patches or fig.texts or fig.images)


def pick_figure(created: list):
    """The last figure that drew something, open or closed; else the last one; else None."""
    for fig in reversed(created):
        if _figure_has_content(fig):
            return fig
    return created[-1] if created else None


def _error_line(exc: BaseException) -> str:
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == "<diagram>":
            line = frame.lineno
    text = f"{type(exc).__name__}: {exc}".strip()
    return f"line {line}: {text}" if line else text


def classify(exc: BaseException) -> str:
    if isinstance(exc, (PixelLimitError, MemoryError)):
        return "limit"
    if isinstance(exc, ImportBlocked):
        return "violation"
    if isinstance(exc, PermissionError) or (isinstance(exc, OSError) and exc.errno in (1, 13)):
        return "violation"
    if isinstance(exc, OSError) and exc.errno == 27:  # EFBIG: over the scratch file-size limit
        return "limit"
    return "error"


def run(code: str, *, dpi: int, allowed_imports: list[str], max_output: int) -> tuple[dict, bytes]:
    """Execute ``code`` and render its figure. Never raises."""
    import matplotlib.pyplot as plt

    from sciray.render.scene import figure_scene, forget_drawn_ticks

    started = time.perf_counter()
    out, err = BoundedText(max_output), BoundedText(max_output)
    sys.stdout, sys.stderr = out, err
    header: dict[str, Any] = {"status": "ok", "error": None}
    timings: dict[str, float] = {}
    try:
        compiled = compile(code, "<diagram>", "exec")
        namespace = {"__name__": "__main__", "__builtins__": guarded_builtins(allowed_imports)}
        try:
            exec(compiled, namespace)
        except SystemExit:
            pass
    except BaseException as exc:  # the diagram's own failure: reported, never raised
        header = {"status": classify(exc), "error": _error_line(exc)}
    exec_ms = (time.perf_counter() - started) * 1000
    png = b""
    if header["status"] == "ok":
        try:
            fig = pick_figure(_created)
            if fig is None:
                header = {"status": "error", "error": "the code drew no figure"}
            else:
                from matplotlib.backends.backend_agg import FigureCanvasAgg

                if not isinstance(fig.canvas, FigureCanvasAgg):  # closed with plt.close(): re-attach
                    FigureCanvasAgg(fig)
                fig.set_dpi(dpi)
                forget_drawn_ticks(fig)
                buffer = io.BytesIO()
                fig.savefig(buffer, format="png", dpi=dpi)
                png = buffer.getvalue()
                saved = time.perf_counter()
                pixels = __import__("numpy").asarray(fig.canvas.buffer_rgba())
                header["scene"] = figure_scene(fig, pixels)
                timings["scene_ms"] = round((time.perf_counter() - saved) * 1000, 2)
        except BaseException as exc:
            header = {"status": classify(exc), "error": _error_line(exc)}
            png = b""
    # No plt.close("all"): the child exits right after, and tearing figures down costs ~ms.
    timings["exec_ms"] = round(exec_ms, 2)
    timings["save_ms"] = round((time.perf_counter() - started) * 1000 - exec_ms - timings.get("scene_ms", 0.0), 2)
    header["timings"] = timings
    header["stdout"], header["stderr"] = out.text(), err.text()
    return header, png
