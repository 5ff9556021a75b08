"""The python renderer on scripts as models write them, the import guard, scenes and the CLI."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from sciray.cli.main import main
from sciray.config.models import RenderConfig
from sciray.render.backends import PythonRenderer
from sciray.render.scene import is_blank, outside_canvas, overlapping_pairs


@pytest.fixture(scope="module")
def renderer():
    with PythonRenderer(RenderConfig(timeout_s=10, cpu_s=8), workers=1) as r:
        yield r


def _size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


MODEL_STYLES = {
    "show": "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()\n",
    "savefig_any_name": "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.savefig('diagram_final.png', dpi=150, bbox_inches='tight')\nplt.close()\n",
    "main_guard": "import matplotlib.pyplot as plt\ndef main():\n    fig, ax = plt.subplots()\n    ax.plot([0, 1])\nif __name__ == '__main__':\n    main()\n",
    "sys_exit": "import sys\nimport matplotlib.pyplot as plt\nplt.plot([0, 1])\nsys.exit(0)\n",
    "three_d": "import matplotlib.pyplot as plt\nax = plt.figure().add_subplot(projection='3d')\nax.plot([0, 1], [0, 1], [0, 1])\n",
}


@pytest.mark.parametrize("style", sorted(MODEL_STYLES))
def test_model_styles_render(renderer, style):
    result = renderer.render(MODEL_STYLES[style])
    assert result.status == "ok", result.error
    assert result.png.startswith(b"\x89PNG") and not result.scene.blank


def test_the_last_figure_that_drew_is_the_result(renderer):
    code = (
        "import matplotlib.pyplot as plt\nf1 = plt.figure(figsize=(2, 2))\nplt.plot([1, 2])\n"
        "f2 = plt.figure(figsize=(6, 3))\nplt.text(0.5, 0.5, 'second')\nplt.figure(figsize=(3, 3))\n"
    )
    result = renderer.render(code)
    assert result.status == "ok"
    assert _size(result.png) == (600, 300)
    assert [t.text for t in result.scene.texts if t.kind != "tick"] == ["second"]


def test_errors_report_the_diagram_line(renderer):
    result = renderer.render("import matplotlib.pyplot as plt\n\nplt.plot(undefined_name)\n")
    assert result.status == "error"
    assert result.error == "line 3: NameError: name 'undefined_name' is not defined"
    assert result.failure.model_dump() == {
        "kind": "NameError",
        "line": 3,
        "message": "name 'undefined_name' is not defined",
    }
    syntax = renderer.render("import matplotlib.pyplot as plt\nplt.plot([1, 2]\n")
    assert syntax.failure.kind == "SyntaxError" and syntax.failure.line == 2
    assert "never closed" in syntax.failure.message and "<diagram>" not in syntax.failure.message


def test_no_figure_is_an_error(renderer):
    result = renderer.render("x = 1\n")
    assert result.status == "error" and "drew no figure" in result.error
    assert result.failure.kind == "no_figure" and result.failure.line is None


def test_import_guard_blocks_what_is_not_allowed():
    with PythonRenderer(RenderConfig(timeout_s=10), workers=1) as r:
        blocked = r.render("import socket\n")
        assert blocked.status == "violation" and "render.allowed_imports" in blocked.error
        allowed = r.render(
            "import math, numpy as np\nimport matplotlib.pyplot as plt\nplt.plot(np.sin(np.linspace(0, math.pi)))\n"
        )
        assert allowed.status == "ok"


def test_scene_lists_labels_boxes_overlaps_and_outside(renderer):
    code = (
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(4, 3))\nax.set_xlim(0, 1); ax.set_ylim(0, 1)\n"
        "ax.text(0.1, 0.5, 'm = 2 kg')\nax.text(0.11, 0.51, 'F = 10 N')\nax.text(3.0, 0.5, 'far away')\n"
        "ax.set_title('Block')\nax.set_xlabel('x (m)')\n"
    )
    result = renderer.render(code)
    scene = result.scene
    labels = [t for t in scene.texts if t.kind != "tick"]
    names = [t.text for t in labels]
    assert {"m = 2 kg", "F = 10 N", "far away", "Block", "x (m)"} <= set(names)
    index = {t.text: i for i, t in enumerate(scene.texts)}
    assert [index["m = 2 kg"], index["F = 10 N"]] in scene.overlaps
    assert index["far away"] in scene.outside
    ticks = [t.text for t in scene.texts if t.kind == "tick"]
    assert "0.0" in ticks and "1.0" in ticks and "1.2" not in ticks  # only ticks that are drawn
    assert scene.size == [400, 300]
    m = scene.texts[index["m = 2 kg"]].bbox
    assert 0 <= m[0] < m[2] <= 400 and 0 <= m[1] < m[3] <= 300


def test_blank_image_is_flagged(renderer):
    result = renderer.render(
        "import matplotlib.pyplot as plt\nfig = plt.figure()\nax = fig.add_axes([0, 0, 1, 1])\nax.axis('off')\n"
    )
    assert result.status == "ok" and result.scene.blank


def test_pure_scene_helpers():
    boxes = [[0, 0, 10, 10], [5, 5, 15, 15], [10, 10, 20, 20], [-5, 0, 5, 5]]
    assert overlapping_pairs(boxes, [0, 1, 2]) == [[0, 1], [1, 2]]
    assert outside_canvas(boxes, [0, 1, 2, 3], 100, 100) == [3]
    white = np.full((50, 50, 4), 255, np.uint8)
    assert is_blank(white)
    white[10:20, 10:20, :3] = 0
    assert not is_blank(white)


def test_cli_render_json(tmp_path, capsys):
    (tmp_path / "good.py").write_text(
        "import matplotlib.pyplot as plt\nplt.text(0.5, 0.5, 'R = 5 ohm')\n"
    )
    (tmp_path / "bad.py").write_text("raise ValueError('nope')\n")
    out_dir = tmp_path / "out"
    rc = main(
        [
            "render",
            str(tmp_path / "good.py"),
            str(tmp_path / "bad.py"),
            "--json",
            "--out-dir",
            str(out_dir),
            "--timeout",
            "10",
        ]
    )
    assert rc == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["status"] for line in lines] == ["ok", "error"]
    assert set(lines[0]) == {"file", "status", "error", "png", "ms", "sandbox", "scene"}
    assert lines[0]["png"] == str(out_dir / "good.png") and (
        out_dir / "good.png"
    ).read_bytes().startswith(b"\x89PNG")
    assert lines[1]["png"] is None and "ValueError: nope" in lines[1]["error"]
    assert "R = 5 ohm" in [t["text"] for t in lines[0]["scene"]["texts"]]
    assert "seccomp" in lines[0]["sandbox"]


def test_cli_render_bad_usage(tmp_path, capsys):
    assert main(["render", str(tmp_path / "missing.py")]) == 2
    (tmp_path / "x.svg").write_text("<svg/>")
    assert main(["render", str(tmp_path / "x.svg")]) == 2
    assert "--language" in capsys.readouterr().err
