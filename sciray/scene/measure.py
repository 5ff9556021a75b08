"""Draw a scene outside the sandbox and measure it as the renderer would (tests, debugging)."""

from __future__ import annotations

from sciray.scene import draw_scene
from sciray.scene.base import SceneSpec
from sciray.types import Scene


def draw_and_measure(scene: SceneSpec) -> tuple[bytes, Scene]:
    """The scene's PNG and its measured ``Scene`` (texts, overlaps, off-canvas, blank), exactly
    as the render child saves and measures a figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sciray.render.child import save_as_drawn
    from sciray.render.scene import install_tick_hook

    install_tick_hook()  # as in the render child: ticks as the last draw showed them
    fig = draw_scene(scene)
    try:
        png, measured, _ = save_as_drawn(fig, fig.get_dpi())
    finally:
        plt.close(fig)
    return png, Scene.model_validate(measured)
