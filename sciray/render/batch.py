"""Render a batch of rows (a Ray Data ``map_batches`` batch, or any dict of columns).

A plain class, tested without Ray; ``sciray.actors.render`` runs it as an actor pool. A row whose
render fails keeps its place with a status and an error: a batch never fails for a bad snippet.
"""

from __future__ import annotations

import json
from typing import Any

from sciray.config.models import RenderConfig
from sciray.render import make_renderer

OUTPUT_COLUMNS = ("png", "render_status", "render_error", "render_ms", "scene", "sandbox")


class BatchRenderer:
    """Adds the render columns to a batch that has ``code`` (and optionally ``language``)."""

    def __init__(
        self, render: RenderConfig | dict[str, Any] | None = None, workers: int | None = None
    ):
        cfg = (
            render
            if isinstance(render, RenderConfig)
            else RenderConfig.model_validate(render or {})
        )
        self.cfg = cfg
        self.workers = workers or cfg.workers or 1
        self._renderers: dict[str, Any] = {}

    def _renderer(self, language: str):
        if language not in self._renderers:
            self._renderers[language] = make_renderer(language, self.cfg, workers=self.workers)
        return self._renderers[language]

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        codes = [str(c) if c is not None else "" for c in batch["code"]]
        languages = (
            [str(l) for l in batch["language"]] if "language" in batch else ["python"] * len(codes)
        )
        results: list[Any] = [None] * len(codes)
        for language in sorted(set(languages)):
            idx = [i for i, l in enumerate(languages) if l == language]
            try:
                rendered = self._renderer(language).render_many([codes[i] for i in idx])
            except Exception as exc:  # unknown language or a back-end that cannot start
                rendered = [None] * len(idx)
                for i in idx:
                    results[i] = exc
                continue
            for i, r in zip(idx, rendered):
                results[i] = r
        out = {k: list(v) for k, v in batch.items()}
        out.update({name: [] for name in OUTPUT_COLUMNS})
        for r in results:
            if isinstance(r, Exception):
                values = (None, "error", str(r), 0.0, None, [])
            else:
                scene = json.dumps(r.scene.model_dump(mode="json")) if r.scene else None
                values = (r.png, r.status, r.error, r.ms, scene, list(r.sandbox))
            for name, value in zip(OUTPUT_COLUMNS, values):
                out[name].append(value)
        return out

    def close(self) -> None:
        for renderer in self._renderers.values():
            renderer.close()
        self._renderers.clear()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
