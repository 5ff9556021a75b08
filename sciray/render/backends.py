"""The renderer back-ends: each is a pool of warm, sandboxed fork-servers for one language."""

from __future__ import annotations

from collections.abc import Iterable

from sciray.config.models import RenderConfig
from sciray.render.pool import RenderPool
from sciray.render.result import RenderResult


class PoolRenderer:
    """Renders code of ``language``; one pool of ``workers`` fork-servers, started once."""

    language = "python"

    def __init__(self, cfg: RenderConfig | None = None, workers: int | None = None):
        self.cfg = cfg or RenderConfig()
        self.pool = RenderPool(self.cfg, workers, language=self.language)

    @property
    def sandbox(self) -> list[str]:
        return self.pool.sandbox

    def render(self, code: str) -> RenderResult:
        return self.pool.render(code)

    def render_many(self, codes: Iterable[str]) -> list[RenderResult]:
        return self.pool.render_many(codes)

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> PoolRenderer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class PythonRenderer(PoolRenderer):
    """Matplotlib scripts as models write them (see ``sciray.render.child``)."""

    language = "python"


class SceneRenderer(PoolRenderer):
    """Typed scene descriptions (``sciray.scene``) drawn by their domain renderers, in the same
    sandbox as Python diagrams. The model-written part is only the scene's JSON, embedded as a
    string literal in a fixed two-line program; the child validates and draws it."""

    language = "scene"

    def __init__(self, cfg: RenderConfig | None = None, workers: int | None = None):
        cfg = cfg or RenderConfig()
        allowed = [*cfg.allowed_imports, "sciray"] if "*" not in cfg.allowed_imports else ["*"]
        super().__init__(cfg.model_copy(update={"allowed_imports": allowed}), workers)

    @staticmethod
    def program(scene_json: str) -> str:
        """The program the child runs for one scene (``repr`` makes any text a safe literal)."""
        return f"from sciray.scene import draw_json\ndraw_json({scene_json!r})\n"

    def render(self, scene_json: str) -> RenderResult:
        return self.pool.render(self.program(scene_json))

    def render_many(self, scenes: Iterable[str]) -> list[RenderResult]:
        return self.pool.render_many([self.program(s) for s in scenes])


class TikzRenderer(PoolRenderer):
    """TikZ/LaTeX documents or bare ``tikzpicture``s, compiled by the system TeX (see
    ``sciray.render.tex``)."""

    language = "tikz"
