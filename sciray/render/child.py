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
SAVE_KWARGS = "_sciray_save_kwargs"
# savefig arguments that change what the image shows; the rest (file name, format, metadata,
# transparency) are the render's business.
HONOURED_SAVE_KWARGS = ("dpi", "bbox_inches", "pad_inches", "facecolor", "edgecolor")


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

    original_savefig = matplotlib.figure.Figure.savefig

    def remembering_savefig(self, *args, **kwargs):
        # How the program itself saved this figure: the render saves it the same way.
        self.__dict__[SAVE_KWARGS] = {k: kwargs[k] for k in HONOURED_SAVE_KWARGS if k in kwargs}
        return original_savefig(self, *args, **kwargs)

    matplotlib.figure.Figure.savefig = remembering_savefig

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
            raise ImportBlocked(
                f"import of {name!r} is not allowed in diagram code (render.allowed_imports)"
            )
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


def _failure(exc: BaseException) -> dict[str, Any]:
    """The failure as fields: the exception's class (or SciRay's own kind for its limits), the
    last line of the diagram's own code in the traceback (a SyntaxError's own line), the message."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == "<diagram>":
            line = frame.lineno
    if isinstance(exc, SyntaxError) and exc.filename == "<diagram>":
        line = exc.lineno
        message = exc.msg
    else:
        message = str(exc)
    kind = type(exc).__name__
    if isinstance(exc, PixelLimitError):
        kind = "pixel_cap"
    elif isinstance(exc, ImportBlocked):
        kind = "import_blocked"
    return {"kind": kind, "line": line, "message": message[:4000]}


def _failed(status: str, failure: dict[str, Any]) -> dict[str, Any]:
    from sciray.types import RenderFailure

    return {"status": status, "error": RenderFailure(**failure).text, "failure": failure}


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


def save_kwargs(fig, default_dpi: int) -> dict[str, Any]:
    """How to save ``fig``: as the program saved it (its dpi, a tight box, padding, colours),
    else at the figure's own dpi. A figure the program never saved keeps its dpi, which is
    ``render.dpi`` unless the program chose one."""
    kwargs = dict(fig.__dict__.get(SAVE_KWARGS, {}))
    dpi = kwargs.get("dpi")
    if dpi in (None, "figure") or not isinstance(dpi, (int, float)) or not 1 <= dpi <= 2400:
        kwargs["dpi"] = fig.get_dpi() or default_dpi
    if kwargs.get("bbox_inches") not in (None, "tight"):
        kwargs.pop("bbox_inches")  # a Bbox in inches the program computed: honoured only as "tight"
    return kwargs


def save_as_drawn(fig, default_dpi: int) -> tuple[bytes, dict, float]:
    """The figure's PNG as the program would have saved it, and the scene of exactly that
    drawing (a tight box moves and crops everything). The canvas of every draw, the one that
    measures the tight box too, passes the pixel cap before it is allocated."""
    import numpy as np

    from sciray.render.scene import figure_scene, forget_drawn_ticks

    captured: dict[str, Any] = {}

    def on_draw(event) -> None:  # the last draw is the saved one, with its final transforms
        began = time.perf_counter()
        captured["scene"] = figure_scene(fig, np.asarray(event.renderer.buffer_rgba()))
        captured["ms"] = captured.get("ms", 0.0) + (time.perf_counter() - began) * 1000

    forget_drawn_ticks(fig)
    connection = fig.canvas.mpl_connect("draw_event", on_draw)
    try:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", **save_kwargs(fig, default_dpi))
    finally:
        fig.canvas.mpl_disconnect(connection)
    if "scene" not in captured:
        raise RuntimeError("the figure was saved without being drawn")
    return buffer.getvalue(), captured["scene"], round(captured["ms"], 2)


def run(code: str, *, dpi: int, allowed_imports: list[str], max_output: int) -> tuple[dict, bytes]:
    """Execute ``code`` and render its figure. Never raises."""

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
        header = _failed(classify(exc), _failure(exc))
    exec_ms = (time.perf_counter() - started) * 1000
    png = b""
    if header["status"] == "ok":
        try:
            fig = pick_figure(_created)
            if fig is None:
                header = _failed(
                    "error", {"kind": "no_figure", "message": "the code drew no figure"}
                )
            else:
                from matplotlib.backends.backend_agg import FigureCanvasAgg

                if not isinstance(
                    fig.canvas, FigureCanvasAgg
                ):  # closed with plt.close(): re-attach
                    FigureCanvasAgg(fig)
                png, header["scene"], timings["scene_ms"] = save_as_drawn(fig, dpi)
        except BaseException as exc:
            header = _failed(classify(exc), _failure(exc))
            png = b""
    # No plt.close("all"): the child exits right after, and tearing figures down costs ~ms.
    timings["exec_ms"] = round(exec_ms, 2)
    timings["save_ms"] = round(
        (time.perf_counter() - started) * 1000 - exec_ms - timings.get("scene_ms", 0.0), 2
    )
    header["timings"] = timings
    header["stdout"], header["stderr"] = out.text(), err.text()
    return header, png
