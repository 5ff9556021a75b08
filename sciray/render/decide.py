"""The supervisor's verdict on one render: what the result is worth, decided outside the child.

The child runs hostile code and owns its result pipe, so whatever it wrote is a claim. The
worker decides: the status comes from how the child ended (the fork-server's report) and from
the worker's own checks of the frame; a frame that does not parse or has fields of the wrong
type or size is the render's ``violation``; a claimed ``ok`` counts only with a real PNG within
the size and pixel caps (read from its header, nothing decoded) that the scene describes; the
``sandbox`` list is the worker's, never the child's.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sciray.config.models import RenderConfig
from sciray.imaging import ImageRejected, verify_png
from sciray.render import protocol
from sciray.render.result import RenderResult
from sciray.types import RenderFailure, RenderStatus, Scene

MAX_HEADER = 8 << 20
MAX_ERROR = 4096
MAX_TIMINGS = 16


class ChildReport(BaseModel):
    """What a render child may say about itself; anything else is a forged or broken frame."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    status: RenderStatus
    error: str | None = Field(default=None, max_length=MAX_ERROR)
    failure: RenderFailure | None = None
    timings: dict[str, float] = Field(default_factory=dict, max_length=MAX_TIMINGS)
    scene: Scene | None = None
    stdout: str = ""
    stderr: str = ""

    @field_validator("timings")
    @classmethod
    def _finite(cls, value: dict[str, float]) -> dict[str, float]:
        if not all(math.isfinite(v) and v >= 0 for v in value.values()):
            raise ValueError("timings must be finite and not negative")
        return value


def max_result_bytes(cfg: RenderConfig) -> int:
    """The most a worker reads from one result pipe: a header, the PNG cap and the lengths."""
    return MAX_HEADER + (cfg.max_png_mb << 20) + 16


def _ended_badly(outcome: dict[str, Any], cfg: RenderConfig) -> tuple[str, str, str] | None:
    """(status, error, kind) when the child was killed, died of a signal or exited non-zero."""
    killed = outcome.get("killed")
    if killed:
        status = str(killed[0])
        return status, str(killed[1]), "timeout" if status == "timeout" else status
    name = outcome.get("signal")
    if name in ("SIGXCPU", "SIGKILL"):
        return "timeout", f"CPU time limit of {cfg.cpu_s} s reached", "timeout"
    if name:
        return "error", f"render process died of {name}", "crash"
    if outcome.get("exit_code") not in (0, None):
        code = outcome["exit_code"]
        return "error", f"render process exited with code {code} without a result", "crash"
    return None


def decide(
    outcome: dict[str, Any],
    data: bytes,
    *,
    overflow: bool,
    cfg: RenderConfig,
    language: str,
    sandbox: list[str],
    ms: float,
) -> RenderResult:
    """The render's result from how the child ended (``outcome``, the fork-server's word) and
    the bytes it wrote (``data``; ``overflow`` when it wrote more than ``max_result_bytes``)."""

    def result(status: str, error: str | None, kind: str | None = None, **fields) -> RenderResult:
        failure = fields.pop("failure", None)
        if failure is None and kind is not None:
            failure = RenderFailure.from_text(kind, error or "")
        return RenderResult(
            status=status,
            error=failure.text if failure is not None else error,
            failure=failure,
            language=language,
            ms=ms,
            sandbox=list(sandbox),
            **fields,
        )

    bad_end = _ended_badly(outcome, cfg)
    if bad_end:
        return result(*bad_end)
    if overflow:
        return result("limit", f"result is over {cfg.max_png_mb} MiB", "too_large")
    if not data:
        return result("error", "render process exited without a result", "no_result")
    try:
        header, png = protocol.decode(data, MAX_HEADER, max_result_bytes(cfg))
        report = ChildReport.model_validate(header)
    except protocol.ProtocolError as exc:
        return result("violation", f"malformed render result: {exc}", "malformed")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "result"
        return result("violation", f"malformed render result: {where}: {first['msg']}", "malformed")
    limit = cfg.max_output_kb * 1024 + 100
    fields: dict[str, Any] = {
        "timings": {"child_ms": float(outcome.get("ms") or 0.0), **report.timings},
        "stdout": report.stdout[:limit],
        "stderr": report.stderr[:limit],
    }
    if report.status != "ok":
        # the child's account of its own failure (it only ever steers its own repair)
        kind = None
        if report.failure is None:
            kind = "tex" if report.status == "error" and language == "tikz" else report.status
        return result(report.status, report.error, kind, failure=report.failure, **fields)
    if len(png) > cfg.max_png_mb << 20:
        return result("limit", f"result is over {cfg.max_png_mb} MiB", "too_large", **fields)
    try:  # the child's pixel cap stops honest code before allocation: past it, the bytes are forged
        width, height = verify_png(png, max_pixels=cfg.max_pixels)
    except ImageRejected as exc:
        return result("violation", f"render result rejected: {exc}", "forged", **fields)
    scene = report.scene
    if scene is not None and scene.size and scene.size != [width, height]:
        return result(
            "violation",
            f"render result rejected: the scene describes a {scene.size[0]}x"
            f"{scene.size[1]} image, the PNG is {width}x{height}",
            "forged",
            **fields,
        )
    return result("ok", None, png=png, scene=scene, **fields)
