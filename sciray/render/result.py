"""What every renderer returns."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sciray.types import Record, RenderFailure, RenderStatus, Scene


class RenderResult(Record):
    """One render: PNG (or none), status, a short error, timings, the scene, the sandbox used."""

    status: RenderStatus
    """ok | error | timeout | violation | limit."""
    language: Literal["python", "tikz", "scene"] = "python"
    png: bytes | None = None
    error: str | None = None
    """The last traceback line (with the diagram's line number) or the TeX error."""
    failure: RenderFailure | None = None
    """``error`` as fields (kind, line, message)."""
    ms: float = 0.0
    """Wall-clock time of the whole render as the caller saw it."""
    timings: dict[str, float] = Field(default_factory=dict)
    scene: Scene | None = None
    sandbox: list[str] = Field(default_factory=list)
    """Isolation mechanisms in force for this render."""
    stdout: str = ""
    stderr: str = ""
