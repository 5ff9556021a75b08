"""Sandboxed rendering of model-written diagram code.

Back-ends are registered lazily by name (``RENDERERS.get("python")``); each takes a
``RenderConfig`` and offers ``render(code) -> RenderResult``, ``render_many``, ``close``.
"""

from __future__ import annotations

import threading

from sciray.registry import Registry

RENDERERS: Registry = Registry("renderer")
RENDERERS.register("python", "sciray.render.backends:PythonRenderer")
RENDERERS.register("tikz", "sciray.render.backends:TikzRenderer")
RENDERERS.register("scene", "sciray.render.backends:SceneRenderer")


def make_renderer(language: str, cfg=None, **kwargs):
    """A ready renderer for ``language`` ('python' | 'tikz' | 'scene')."""
    from sciray.config.models import RenderConfig

    return RENDERERS.get(language)(cfg or RenderConfig(), **kwargs)


class RendererSet:
    """Renderers for several languages, each started on first use: ImgCoder's scene and auto
    modes render scenes and programs side by side. ``render_many`` uses the primary language."""

    def __init__(self, primary: str, cfg=None, workers: int | None = None):
        self.primary, self.cfg, self.workers = primary, cfg, workers
        self._started: dict = {}
        self._starting = threading.Lock()  # a stage's batches may ask from two threads at once

    def for_language(self, language: str):
        with self._starting:
            if language not in self._started:
                kwargs = {} if self.workers is None else {"workers": self.workers}
                self._started[language] = make_renderer(language, self.cfg, **kwargs)
            return self._started[language]

    @property
    def sandbox(self) -> list[str]:
        return self.for_language(self.primary).sandbox

    def render(self, code: str):
        return self.for_language(self.primary).render(code)

    def render_many(self, codes):
        return self.for_language(self.primary).render_many(codes)

    def close(self) -> None:
        started, self._started = self._started, {}
        for renderer in started.values():
            renderer.close()

    def __enter__(self) -> RendererSet:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def coder_renderer(coder_cfg, cfg=None, workers: int | None = None):
    """What ImgCoder renders with: the code language's renderer in code mode; a
    ``RendererSet`` (scenes, and programs for auto's fallback) otherwise."""
    if coder_cfg.mode == "code":
        kwargs = {} if workers is None else {"workers": workers}
        return make_renderer(coder_cfg.language, cfg, **kwargs)
    return RendererSet("scene", cfg, workers)
