"""Sandboxed rendering of model-written diagram code.

Back-ends are registered lazily by name (``RENDERERS.get("python")``); each takes a
``RenderConfig`` and offers ``render(code) -> RenderResult``, ``render_many``, ``close``.
"""

from sciray.registry import Registry

RENDERERS: Registry = Registry("renderer")
RENDERERS.register("python", "sciray.render.backends:PythonRenderer")
RENDERERS.register("tikz", "sciray.render.backends:TikzRenderer")


def make_renderer(language: str, cfg=None, **kwargs):
    """A ready renderer for ``language`` ('python' | 'tikz')."""
    from sciray.config.models import RenderConfig

    return RENDERERS.get(language)(cfg or RenderConfig(), **kwargs)
