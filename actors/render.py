"""Render stage on Ray: an actor pool of warm sandboxed fork-servers.

``render_stage_kwargs`` turns the config into ``Dataset.map_batches`` arguments for the plain
``BatchRenderer``; ``RenderActor`` is the same renderer as a named-able Ray actor (for Serve or
direct calls). Ray Data restarts dead pool actors itself; their fork-servers start again with them.
"""

from __future__ import annotations

from typing import Any

import ray

from sciray.config.models import RenderConfig
from sciray.render import make_renderer
from sciray.render.batch import BatchRenderer
from sciray.render.result import RenderResult


def render_stage_kwargs(
    cfg: RenderConfig,
    *,
    concurrency: int | tuple[int, int] = 1,
    num_cpus: float = 1.0,
    batch_size: int = 16,
) -> dict[str, Any]:
    """Arguments for ``ds.map_batches(BatchRenderer, **kwargs)``."""
    return {
        "fn_constructor_kwargs": {
            "render": cfg.model_dump(mode="json"),
            "workers": max(1, int(num_cpus)),
        },
        "concurrency": concurrency,
        "num_cpus": num_cpus,
        "batch_size": batch_size,
        "batch_format": "default",
    }


def render_dataset(ds, cfg: RenderConfig, **kwargs):
    """``ds`` (rows with ``code`` and optional ``language``) with the render columns added."""
    return ds.map_batches(BatchRenderer, **render_stage_kwargs(cfg, **kwargs))


@ray.remote(max_restarts=3, max_task_retries=3)
class RenderActor:
    """A Ray actor over the renderer of one language (``python`` or ``tikz``)."""

    def __init__(
        self, render: dict[str, Any] | None = None, workers: int = 1, language: str = "python"
    ):
        self._renderer = make_renderer(
            language, RenderConfig.model_validate(render or {}), workers=workers
        )

    def sandbox(self) -> list[str]:
        return self._renderer.sandbox

    def render(self, code: str) -> RenderResult:
        return self._renderer.render(code)
