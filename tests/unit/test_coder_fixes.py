"""Mechanical fixes: each one on realistic snippets, and the Python ones executed for real."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from sciray.coder.fixes import (  # noqa: E402
    apply_fit_view,
    error_fixes,
    fit_view_postlude,
    needs_fit_view,
    static_fixes,
    valid_format,
)
from sciray.types import RenderFailure  # noqa: E402

NUMPY2 = int(np.__version__.split(".")[0]) >= 2


@pytest.fixture(autouse=True)
def _clean(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # scripts savefig('diagram.png') into the cwd
    plt.close("all")
    with matplotlib.rc_context():  # plt.style.use() in a script must not leak into other tests
        yield
    plt.close("all")


def run(code: str) -> dict:
    """Execute a script like the renderer does and save its current figure."""
    namespace = {"__name__": "__main__"}
    exec(compile(code, "<diagram>", "exec"), namespace)
    plt.gcf().savefig(io.BytesIO(), format="png")
    return namespace


def error_of(code: str) -> RenderFailure:
    """The failure the renderer reports for a failing script (the child's own ``_failure``)."""
    from sciray.render.child import _failure

    try:
        run(code)
    except Exception as exc:
        return RenderFailure(**_failure(exc))
    raise AssertionError("the script did not fail")


def error_of_text(code: str) -> str:
    return error_of(code).text


def failure(text: str) -> RenderFailure:
    """A failure written by hand as the renderer shows it: ``line N: Kind: message``, or one of
    SciRay's own kinds as ``kind: message``."""
    line = None
    head, sep, rest = text.partition(": ")
    if sep and head.startswith("line "):
        line, text = int(head[5:]), rest
    kind, _, message = text.partition(": ")
    return RenderFailure(kind=kind, line=line, message=message)


# ---------------------------------------------------------------------------------------------
# numpy2_names

NUMPY_SCRIPT = """import numpy as np
import matplotlib.pyplot as plt

t = np.linspace(0, 2, 50)
v = 3 * t**2
distance = np.trapz(v, t)
counts = np.array([1.5, 2.5]).astype(np.float)
idx = np.zeros(3, dtype=np.int)
flags = np.in1d([1, 2], [2])
missing = np.NaN
big = np.Inf
tiny = -np.Infinity + np.NINF
area = np.product([2, 3]) + np.cumproduct([1, 2])[-1]
ok = np.alltrue(flags | True) and np.sometrue(flags)
stack = np.row_stack([t, v])
xs = np.asfarray([1, 2, 3])
fig, ax = plt.subplots(figsize=(6, 4.5))
ax.plot(t, v, 'b-')
ax.set_title(f"distance = {distance:.1f} m, {np.float64(1.0)}")
plt.savefig('diagram.png')
"""


def test_numpy2_names_rewrites_every_removed_name():
    fixed, names = static_fixes(NUMPY_SCRIPT, "python")
    assert names == ["numpy2_names"]
    assert "distance = np.trapezoid(v, t)" in fixed
    assert ".astype(float)" in fixed and "dtype=int)" in fixed
    assert "np.isin([1, 2], [2])" in fixed
    assert "missing = np.nan" in fixed and "big = np.inf" in fixed
    assert "tiny = -np.inf + -np.inf" in fixed
    assert "np.prod([2, 3]) + np.cumprod([1, 2])" in fixed
    assert "np.all(flags | True) and np.any(flags)" in fixed
    assert "np.vstack([t, v])" in fixed
    assert "xs = np.asarray([1, 2, 3], dtype=float)" in fixed
    assert "np.float64(1.0)" in fixed  # whole words only


@pytest.mark.skipif(not NUMPY2, reason="the names still exist before NumPy 2")
def test_numpy2_names_fixed_script_renders():
    assert "AttributeError: " in error_of_text(NUMPY_SCRIPT)
    fixed, _ = static_fixes(NUMPY_SCRIPT, "python")
    ns = run(fixed)
    assert ns["distance"] == pytest.approx(8.0, rel=1e-3)
    assert ns["xs"].dtype == float


def test_numpy2_names_with_other_spellings():
    code = (
        "import numpy\nimport numpy as npy\na = numpy.trapz([1, 2])\nb = npy.NaN\n"
        "c = np.asfarray(x, dtype=np.float32)\n"
    )
    fixed, names = static_fixes(code, "python")
    assert fixed == (
        "import numpy\nimport numpy as npy\na = numpy.trapezoid([1, 2])\nb = npy.nan\n"
        "c = np.asarray(x, dtype=np.float32)\n"
    )
    assert names == ["numpy2_names"]


def test_numpy2_names_leaves_lookalikes_alone():
    code = "x = mynp.trapz(y)\ny = np.trapz_like\nz = np.float64(1) + np.int32(2) + np.bool_(1)\n"
    assert static_fixes(code, "python") == (code, [])


@pytest.mark.skipif(not NUMPY2, reason="np.NaN exists before NumPy 2")
def test_numpy_error_reruns_the_fix():
    code = "import numpy as np\nimport matplotlib.pyplot as plt\nplt.plot([np.trapz([1, 2, 3]), np.NaN])\n"
    error = error_of(code)
    fixed, names = error_fixes(code, error, "python")
    assert names == ["numpy2_names"]
    run(fixed)


def test_numpy_error_without_a_fixable_name():
    error = failure("line 3: AttributeError: module 'numpy' has no attribute 'linespace'")
    assert error_fixes("import numpy as np\nx = np.linespace(0, 1)\n", error, "python") is None


# ---------------------------------------------------------------------------------------------
# axes_3d

SURFACE = """import numpy as np
import matplotlib.pyplot as plt

x = np.linspace(-2, 2, 30)
X, Y = np.meshgrid(x, x)
Z = np.exp(-(X**2 + Y**2))
{creation}
ax.plot_surface(X, Y, Z, cmap='viridis')
ax.set_xlabel('x (m)')
ax.set_zlabel('potential (V)')
ax.view_init(30, 45)
plt.savefig('diagram.png')
"""


@pytest.mark.parametrize(
    ("creation", "expected"),
    [
        ("fig, ax = plt.subplots()", "fig = plt.figure()\nax = fig.add_subplot(projection='3d')"),
        (
            "fig, ax = plt.subplots(figsize=(7, 5), dpi=100)",
            "fig = plt.figure(figsize=(7, 5), dpi=100)\nax = fig.add_subplot(projection='3d')",
        ),
        (
            "fig = plt.figure(figsize=(6, 5))\nax = fig.add_subplot(111)",
            "fig = plt.figure(figsize=(6, 5))\nax = fig.add_subplot(111, projection='3d')",
        ),
        (
            "fig = plt.figure()\nax = fig.add_subplot()",
            "fig = plt.figure()\nax = fig.add_subplot(projection='3d')",
        ),
        ("ax = plt.subplot(111)", "ax = plt.subplot(111, projection='3d')"),
        ("ax = plt.axes()", "ax = plt.axes(projection='3d')"),
        (
            "fig = plt.figure()\nax = fig.gca()",
            "fig = plt.figure()\nax = fig.add_subplot(projection='3d')",
        ),
        ("ax = plt.gca()", "ax = plt.gcf().add_subplot(projection='3d')"),
        (
            "fig = plt.figure()\nax = fig.gca(projection='3d')",
            "fig = plt.figure()\nax = fig.add_subplot(projection='3d')",
        ),
    ],
)
def test_axes_3d_rewrites_the_creation_and_renders(creation, expected):
    code = SURFACE.format(creation=creation)
    error = error_of(code)
    assert error.kind in ("AttributeError", "TypeError")
    fixed, names = static_fixes(code, "python")
    assert SURFACE.format(creation=expected) == fixed
    assert names in (["axes_3d"], ["gca_projection"])
    run(fixed)
    assert plt.gcf().axes[-1].name == "3d"


def test_axes_3d_inside_a_function_keeps_indentation():
    code = (
        "import numpy as np\nimport matplotlib.pyplot as plt\n\ndef draw():\n"
        "    fig, ax = plt.subplots(figsize=(5, 4))\n"
        "    t = np.linspace(0, 6, 100)\n    ax.plot3D(np.cos(t), np.sin(t), t)\n"
        "    ax.set_zlim(0, 6)\n\ndraw()\n"
    )
    fixed, names = static_fixes(code, "python")
    assert (
        "    fig = plt.figure(figsize=(5, 4))\n    ax = fig.add_subplot(projection='3d')\n"
    ) in fixed
    run(fixed)


def test_axes_3d_for_a_six_argument_quiver():
    code = (
        "import matplotlib.pyplot as plt\nfig = plt.figure()\nax = fig.add_subplot(111)\n"
        "ax.quiver(0, 0, 0, 1, 1, 1)\n"
    )
    assert "quiver() takes" in error_of_text(code)
    fixed, names = static_fixes(code, "python")
    assert "ax = fig.add_subplot(111, projection='3d')" in fixed and names == ["axes_3d"]
    run(fixed)


def test_axes_3d_leaves_2d_quiver_and_3d_code_alone():
    flat = (
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.quiver([0], [0], [1], [1])\n"
    )
    assert static_fixes(flat, "python") == (flat, [])
    done = SURFACE.format(creation='fig = plt.figure()\nax = fig.add_subplot(111, projection="3d")')
    assert static_fixes(done, "python") == (done, [])


def test_axes_3d_from_the_error_on_a_second_axes():
    code = (
        "import numpy as np\nimport matplotlib.pyplot as plt\nfig = plt.figure(figsize=(8, 4))\n"
        "ax1 = fig.add_subplot(121, projection='3d')\nax2 = fig.add_subplot(122)\n"
        "X, Y = np.meshgrid([0, 1], [0, 1])\nax1.plot_surface(X, Y, X + Y)\n"
        "ax2.plot_wireframe(X, Y, X * Y)\n"
    )
    assert static_fixes(code, "python") == (code, [])  # it has '3d': the static pass keeps off
    error = error_of(code)
    assert error.text == "line 8: AttributeError: 'Axes' object has no attribute 'plot_wireframe'"
    fixed, names = error_fixes(code, error, "python")
    assert names == ["axes_3d"]
    assert "ax2 = fig.add_subplot(122, projection='3d')" in fixed
    run(fixed)


def test_axes_3d_error_for_set_zlabel():
    code = "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(5, 4))\nax.set_zlabel('z')\n"
    error = failure("line 3: AttributeError: 'Axes' object has no attribute 'set_zlabel'")
    fixed, names = error_fixes(code, error, "python")
    assert names == ["axes_3d"]
    run(fixed)


def test_axes_3d_on_a_grid_of_axes_is_left_to_the_model():
    code = (
        "import matplotlib.pyplot as plt\nfig, axs = plt.subplots(1, 2)\naxs[0].set_zlabel('z')\n"
    )
    assert static_fixes(code, "python") == (code, [])
    assert (
        error_fixes(
            code,
            failure("line 3: AttributeError: 'Axes' object has no attribute 'set_zlabel'"),
            "python",
        )
        is None
    )


def test_axes_3d_with_subplots_options_uses_subplot_kw():
    code = (
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(1, 1, squeeze=True)\n"
        "ax.view_init(20, 30)\n"
    )
    fixed, _ = static_fixes(code, "python")
    assert "plt.subplots(1, 1, squeeze=True, subplot_kw={'projection': '3d'})" in fixed
    run(fixed)


def test_axes_3d_with_unicode_before_the_call():
    code = (
        "import matplotlib.pyplot as plt\nfig = plt.figure(); lbl = 'θ°'; ax = fig.add_subplot(111)\n"
        "ax.set_zlabel(lbl)\n"
    )
    fixed, _ = static_fixes(code, "python")
    assert "lbl = 'θ°'; ax = fig.add_subplot(111, projection='3d')" in fixed
    run(fixed)


# ---------------------------------------------------------------------------------------------
# Matplotlib names and styles


def test_removed_matplotlib_names_render():
    code = (
        "import matplotlib.pyplot as plt\nfrom matplotlib import cm\nimport numpy as np\n"
        "plt.style.use('seaborn-darkgrid')\ncolors = cm.get_cmap('viridis', 4)\n"
        "fig = plt.figure()\nax = fig.add_subplot(projection='3d')\n"
        "ax.w_xaxis.set_pane_color((1, 1, 1, 1))\nax.plot([0, 1], [0, 1], [0, 1], color=colors(1))\n"
    )
    assert "seaborn-darkgrid" in error_of_text(code)
    fixed, names = static_fixes(code, "python")
    assert names == ["mpl_removed_names", "seaborn_style"]
    assert "plt.style.use('seaborn-v0_8-darkgrid')" in fixed
    assert "colors = plt.get_cmap('viridis', 4)" in fixed
    assert "ax.xaxis.set_pane_color" in fixed
    run(fixed)


def test_each_matplotlib_error_maps_to_its_fix():
    cmap = (
        "import matplotlib.pyplot as plt\nc = plt.cm.get_cmap('jet')\nplt.plot([1], color=c(0))\n"
    )
    fixed, names = error_fixes(cmap, error_of(cmap), "python")
    assert names == ["mpl_removed_names"]
    run(fixed)
    style = 'import matplotlib.pyplot as plt\nplt.style.use("seaborn")\nplt.plot([1, 2])\n'
    fixed, names = error_fixes(style, error_of(style), "python")
    assert (
        names == ["seaborn_style"] and "'seaborn-v0_8'" not in fixed and '"seaborn-v0_8"' in fixed
    )
    run(fixed)
    gca = "import matplotlib.pyplot as plt\nax = plt.gca(projection='3d')\nax.plot([0], [0], [0])\n"
    fixed, names = error_fixes(gca, error_of(gca), "python")
    assert names == ["gca_projection"]
    assert "ax = plt.gcf().add_subplot(projection='3d')" in fixed
    run(fixed)


def test_get_cmap_without_pyplot_imported():
    code = (
        "import matplotlib\nfrom matplotlib import cm\nc = cm.get_cmap('jet', 3)\nassert c.N == 3\n"
    )
    fixed, names = static_fixes(code, "python")
    assert names == ["mpl_removed_names"]
    exec(compile(fixed, "<diagram>", "exec"), {})


# ---------------------------------------------------------------------------------------------
# format_string


@pytest.mark.parametrize(
    ("bad", "good"),
    [
        ("b-o-", "bo-"),
        ("ro--x", "ro--"),
        ("k--:", "k--"),
        ("r-.-", "r-."),
        ("red--", "r--"),
        ("orange-o", "o-"),
        ("C1--o:", "C1o--"),
        ("k -", "k-"),
        ("g^:-", "g^:"),
        ("xx", "x"),
    ],
)
def test_valid_format(bad, good):
    assert valid_format(bad) == good
    plt.plot([0, 1], [0, 1], good)  # matplotlib accepts it


def test_format_string_fix_renders():
    code = (
        "import matplotlib.pyplot as plt\nimport numpy as np\nt = np.linspace(0, 1, 20)\n"
        "fig, ax = plt.subplots()\nax.plot(t, t**2, \"b-o-\", label='x(t)')\nax.plot(t, t, 'b-o-')\n"
        "ax.plot(t, 2 * t, 'r--')\n"
    )
    error = error_of(code)
    assert (
        error.text
        == "line 5: ValueError: 'b-o-' is not a valid format string (two linestyle symbols)"
    )
    fixed, names = error_fixes(code, error, "python")
    assert names == ["format_string"]
    assert (
        "ax.plot(t, t**2, \"bo-\", label='x(t)')\nax.plot(t, t, 'bo-')\nax.plot(t, 2 * t, 'r--')"
        in fixed
    )
    run(fixed)


def test_format_string_not_in_the_code():
    code = "import matplotlib.pyplot as plt\nfmt = 'b' + '-o-'\nplt.plot([1], fmt)\n"
    assert error_fixes(code, error_of(code), "python") is None


# ---------------------------------------------------------------------------------------------
# call_entry_point and errors with no fix


def test_uncalled_main_is_called():
    code = (
        "import matplotlib.pyplot as plt\n\ndef helper(ax, x):\n    ax.plot([x], [x], 'o')\n\n"
        "def main():\n    fig, ax = plt.subplots()\n    helper(ax, 1)\n    plt.savefig('d.png')\n"
    )
    fixed, names = error_fixes(code, failure("no_figure: the code drew no figure"), "python")
    assert names == ["call_entry_point"] and fixed.endswith("\n\nmain()\n")
    run(fixed)
    assert plt.gcf().axes[0].lines


def test_drew_no_figure_without_an_entry_point():
    code = "import numpy as np\nprint(np.arange(3))\n"
    assert error_fixes(code, failure("no_figure: the code drew no figure"), "python") is None
    called = "import matplotlib.pyplot as plt\ndef main():\n    plt.plot([1])\nif __name__ == '__main__':\n    main()\n"
    assert error_fixes(called, failure("no_figure: the code drew no figure"), "python") is None


@pytest.mark.parametrize(
    "error",
    [
        "line 4: NameError: name 'r' is not defined",
        "",
        "timeout",
        "SyntaxError: invalid syntax (<diagram>, line 2)",
    ],
)
def test_unrelated_errors_have_no_fix(error):
    assert error_fixes(SURFACE.format(creation="ax = None"), failure(error), "python") is None


def test_tikz_is_left_alone():
    tex = "\\begin{tikzpicture}\\draw (0,0) -- (1,1);\\end{tikzpicture}"
    assert static_fixes(tex, "tikz") == (tex, [])
    assert (
        error_fixes(tex, failure("line 1: ValueError: 'b-o-' is not a valid format string"), "tikz")
        is None
    )


# ---------------------------------------------------------------------------------------------
# fit_view

PATCHES = """import matplotlib.pyplot as plt
from matplotlib.patches import Circle, Rectangle, FancyArrow

fig, ax = plt.subplots(figsize=(6, 4.5))
ax.add_patch(Rectangle((20, 5), 10, 4, color='gray'))
ax.add_artist(Circle((50, 12), 3))
ax.add_patch(FancyArrow(30, 7, 15, 0, width=0.4))
ax.text(25, 10, 'm = 2 kg')
ax.set_aspect('equal')
ax.axis('off')
plt.savefig('diagram.png')
"""


def test_needs_fit_view():
    assert needs_fit_view(PATCHES)
    assert not needs_fit_view(PATCHES.replace("ax.axis('off')", "ax.set_xlim(0, 60)"))
    assert not needs_fit_view(PATCHES.replace("ax.axis('off')", "plt.axis([0, 60, 0, 20])"))
    assert not needs_fit_view(PATCHES.replace("ax.axis('off')", "ax.autoscale()"))
    assert not needs_fit_view(PATCHES.replace("ax.axis('off')", "ax.set(xlim=(0, 60))"))
    assert not needs_fit_view("import matplotlib.pyplot as plt\nplt.plot([1, 2])\n")


def test_fit_view_shows_patches_outside_the_unit_view():
    run(PATCHES)
    assert plt.gca().get_xlim() == (0.0, 1.0)  # the bug: everything is off-screen
    plt.close("all")
    fixed, names = apply_fit_view(PATCHES)
    assert names == ["fit_view"] and fixed.endswith(fit_view_postlude())
    run(fixed)
    ax = plt.gcf().axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < 20 and x1 > 53 and y0 < 5 and y1 > 15  # the rectangle and the add_artist circle
    assert x1 - x0 < 60  # a 5% pad, not a huge one
    assert ax.get_aspect() in ("equal", 1.0)


def test_fit_view_leaves_axes_with_limits_or_data_alone():
    code = PATCHES.replace("ax.axis('off')", "ax.plot([0, 100], [0, 50])")
    fixed, names = apply_fit_view(code)
    assert names == ["fit_view"]
    run(fixed)
    assert plt.gcf().axes[0].get_xlim() == pytest.approx((-5, 105))  # plot() autoscaled it already
    assert apply_fit_view(fixed) == (fixed, [])  # never twice


def test_fit_view_survives_closed_figures_and_empty_axes():
    code = (
        "import matplotlib.pyplot as plt\nfrom matplotlib.patches import Circle\n"
        "fig, (a, b) = plt.subplots(1, 2)\na.add_patch(Circle((5, 5), 1))\n"
        "fig2 = plt.figure()\nplt.close(fig2)\n"
    )
    fixed, _ = apply_fit_view(code)
    ns = run(fixed)
    assert ns["a"].get_xlim()[1] > 6 and ns["b"].get_xlim() == (0.0, 1.0)


# ---------------------------------------------------------------------------------------------
# latex_escapes

LATEX_SCRIPT = """import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.text(0.1, 0.1, "$y = \\frac{27}{x}$")
ax.text(0.1, 0.3, '$\\theta = 30^\\circ$\\nangle ABC')
ax.text(0.1, 0.5, r"$\\frac{1}{2}$")
ax.text(0.1, 0.7, "$\\\\beta$ and $\\mu$")
ax.text(0.1, 0.9, f"$\\tau = {3}$ N m")
ax.set_title("no math:\\tkept")
plt.savefig('diagram.png')
"""


def test_latex_escapes_fixes_what_python_would_read_as_escapes():
    with pytest.raises(ValueError, match="ParseException|Expected"):
        run(LATEX_SCRIPT)  # "\f" is a form feed: mathtext cannot parse the label
    fixed, names = static_fixes(LATEX_SCRIPT, "python")
    assert names == ["latex_escapes"]
    run(fixed)
    texts = [t.get_text() for t in plt.gca().texts]
    assert texts == [
        "$y = \\frac{27}{x}$",
        "$\\theta = 30^\\circ$\nangle ABC",
        "$\\frac{1}{2}$",
        "$\\beta$ and $\\mu$",
        "$\\tau = 3$ N m",
    ]
    assert plt.gca().get_title() == "no math:\tkept"  # no $: escapes are what the model meant


def test_latex_escapes_makes_an_uncompilable_script_compile():
    code = 'import matplotlib.pyplot as plt\nplt.text(0.5, 0.5, "$\\xi = 2$")\n'
    with pytest.raises(SyntaxError):
        compile(code, "<diagram>", "exec")
    fixed, names = static_fixes(code, "python")
    assert names == ["latex_escapes"]
    run(fixed)
    assert plt.gca().texts[0].get_text() == "$\\xi = 2$"


def test_latex_escapes_leaves_raw_and_correct_strings_alone():
    code = 'a = r"$\\frac{1}{2}$"\nb = "$\\\\theta$"\nc = "$\\mu$ \\n"\nd = b"$\\t"\n'
    assert static_fixes(code, "python") == (code, [])


# ---------------------------------------------------------------------------------------------
# text_3d, canvas_size, truncated_tail, undefined_axes

TEXT_3D = """import matplotlib.pyplot as plt
fig = plt.figure()
ax = fig.add_subplot(projection='3d')
ax.plot([0, 1], [0, 1], [0, 1])
ax.text(1, 1, 'P(1, 1, 1)', color='red')
ax.text(0, 0, 0, 'O')
ax2 = fig.add_axes([0.7, 0.7, 0.2, 0.2])
ax2.text(0.5, 0.5, 'inset')
"""


def test_text_3d_adds_z_to_the_failing_receiver_only():
    error = error_of(TEXT_3D)
    assert "Axes3D.text() missing 1 required positional argument: 's'" in error.text
    fixed, names = error_fixes(TEXT_3D, error, "python")
    assert names == ["text_3d"]
    assert "ax.text(1, 1, 0, 'P(1, 1, 1)', color='red')" in fixed
    assert "ax.text(0, 0, 0, 'O')" in fixed and "ax2.text(0.5, 0.5, 'inset')" in fixed
    run(fixed)
    texts = [t.get_text() for t in plt.gcf().axes[0].texts]
    assert texts == ["P(1, 1, 1)", "O"]


HUGE_CANVAS = """import matplotlib.pyplot as plt
import numpy as np
height = 2.6e6
fig, ax = plt.subplots(figsize=(2, height), dpi=300)
ax.plot([0, 1], [0, 1])
fig.set_size_inches(4, height)
plt.savefig('out.png', bbox_inches='tight', dpi=600)
plt.show()
"""


def test_canvas_size_clamps_sizes_and_drops_savefig():
    from sciray.config.models import RenderConfig
    from sciray.render import make_renderer

    with make_renderer("python", RenderConfig(timeout_s=20), workers=1) as renderer:
        (failed,) = renderer.render_many([HUGE_CANVAS])
        assert failed.status == "limit" and "pixels is over the cap" in failed.error
        assert failed.failure.kind == "pixel_cap"
        fixed, names = error_fixes(HUGE_CANVAS, failed.failure, "python")
        assert names == ["canvas_size"]
        assert (
            "figsize=(8, 6), dpi=100" in fixed
            and "savefig" not in fixed
            and "set_size_inches" not in fixed
        )
        (ok,) = renderer.render_many([fixed])
    assert ok.status == "ok" and ok.png.startswith(b"\x89PNG")
    small = "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(6, 4), dpi=100)\nax.plot([1])\n"
    assert (
        error_fixes(
            small,
            failure("line 2: PixelLimitError: canvas of 9x9 pixels is over the cap of 1"),
            "python",
        )
        is None
    )


TRUNCATED = """import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.plot([0, 1], [0, 2], 'b-')
ax.set_xlabel('t (s)')
ax.set_ylabel('v (m/s)')
ax.annotate('v = 2 m/s', xy=(1, 2))
ax.set_title('Velocity')
points = [(0, 0), (1, 2),
"""


def test_truncated_tail_keeps_the_longest_prefix_that_parses():
    error = failure("line 8: SyntaxError: '[' was never closed")
    fixed, names = error_fixes(TRUNCATED, error, "python")
    assert names == ["truncated_tail"] and fixed.rstrip().endswith("ax.set_title('Velocity')")
    run(fixed)
    assert plt.gca().get_title() == "Velocity"
    # a syntax error early in a long program is not a truncation: cutting would lose most of it
    early = TRUNCATED.replace("ax.plot([0, 1], [0, 2], 'b-')", "ax.plot([0, 1, [0, 2], 'b-')")
    early = early.replace("points = [(0, 0), (1, 2),\n", "")
    assert (
        error_fixes(early, failure("line 3: SyntaxError: '[' was never closed"), "python") is None
    )


def test_undefined_axes_binds_the_current_axes_before_the_failing_line():
    code = (
        "import matplotlib.pyplot as plt\nplt.figure(figsize=(5, 4))\nplt.plot([0, 1], [1, 0])\n"
        "def label():\n    ax.set_title('Ramp')\n    fig.suptitle('Figure 1')\nlabel()\n"
    )
    error = error_of(code)
    assert error.text == "line 5: NameError: name 'ax' is not defined"
    fixed, names = error_fixes(code, error, "python")
    assert names == ["undefined_axes"] and "    ax = plt.gca()\n    ax.set_title('Ramp')" in fixed
    error = error_of(fixed)
    assert error.text == "line 7: NameError: name 'fig' is not defined"
    fixed, names = error_fixes(fixed, error, "python")
    assert names == ["undefined_axes"]
    run(fixed)
    assert plt.gca().get_title() == "Ramp" and plt.gcf()._suptitle.get_text() == "Figure 1"


def test_fstring_latex_makes_latex_braces_literal():
    code = (
        "import matplotlib.pyplot as plt\ndx = 2.5\nfig, ax = plt.subplots()\nax.plot([0, 1], [0, 1])\n"
        'ax.set_title(f"${\\Delta x}$ = {dx} m, $\\sqrt{{2}}$ {dx:.1f}")\n'
        'ax.set_xlabel(f"$\\hat{\\omega}$ (rad/s) {dx!r}")\n'
    )
    try:
        compile(code, "<diagram>", "exec")
        pytest.skip("this Python accepts backslashes in f-string fields (3.12+)")
    except SyntaxError:
        error = error_of(code)
    assert "f-string expression part cannot include a backslash" in error.text
    fixed, names = error_fixes(code, error, "python")
    assert names == ["fstring_latex"]
    run(fixed)
    ax = plt.gca()
    assert ax.get_title() == "${\\Delta x}$ = 2.5 m, $\\sqrt{2}$ 2.5"
    assert ax.get_xlabel() == "$\\hat{\\omega}$ (rad/s) 2.5"


def test_unknown_kwarg_is_dropped_from_the_failing_calls_only():
    code = (
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
        "ax.quiver(0, 0, 1, 1, color='r', arrow_length_ratio=0.1)  # force\n"
        "ax.annotate('F', xy=(1, 1), xytext=(0.5, 0.5),\n"
        "            arrowprops=dict(arrowstyle='->', head_width=0.2))\n"
        "ax.set_xlim(-1, 2); ax.set_ylim(-1, 2)\n"
    )
    error = error_of(code)
    assert (
        "got an unexpected keyword argument 'arrow_length_ratio'" in error.text
        and error.text.startswith("line 3:")
    )
    fixed, names = error_fixes(code, error, "python")
    assert names == ["unknown_kwarg"]
    assert "ax.quiver(0, 0, 1, 1, color='r')  # force\n" in fixed and "head_width=0.2" in fixed
    error = error_of(fixed)  # the next rejected keyword sits in a nested call across two lines
    assert "head_width" in error.message
    fixed, names = error_fixes(fixed, error, "python")
    assert names == ["unknown_kwarg"] and "head_width" not in fixed and "arrowstyle='->'" in fixed
    run(fixed)
    ax = plt.gca()
    assert len(ax.collections) == 1 and ax.texts[0].get_text() == "F"


def test_unknown_kwarg_needs_the_keyword_on_the_failing_line():
    code = "import matplotlib.pyplot as plt\nplt.plot([0, 1], [0, 1], wdth=2)\n"
    assert (
        error_fixes(
            code,
            failure("line 1: TypeError: plot() got an unexpected keyword argument 'wdth'"),
            "python",
        )
        is None
    )
    assert (
        error_fixes(
            code, failure("TypeError: plot() got an unexpected keyword argument 'wdth'"), "python"
        )
        is None
    )


def test_fixes_are_chosen_by_the_failure_kind_not_its_wording():
    code = "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nax.set_title('t')\n"
    name_error = failure("line 3: NameError: name 'ax' is not defined")
    fixed, names = error_fixes(code, name_error, "python")
    assert names == ["undefined_axes"]
    # the same words under another kind (a message the diagram printed itself) fire nothing
    assert error_fixes(code, name_error.model_copy(update={"kind": "ValueError"}), "python") is None
    # SciRay's own kinds: no figure, pixel cap; none fires on TikZ
    assert error_fixes(
        "def main():\n    import matplotlib.pyplot as plt\n    plt.plot([1])\n",
        RenderFailure(kind="no_figure", message="anything"),
        "python",
    )[1] == ["call_entry_point"]
    assert error_fixes(code, name_error, "tikz") is None


def test_every_registered_fix_is_documented_and_counted():
    import sciray.coder.fixes as fixes
    from sciray.coder.fixes import ERROR_FIX_NAMES, fix_outcomes
    from sciray.types import Candidate

    for name in ERROR_FIX_NAMES:
        assert f"``{name}``" in fixes.__doc__, name
    made = [
        Candidate(problem_id="p", fixed_by="undefined_axes", render_status="ok"),
        Candidate(problem_id="p", fixed_by="undefined_axes", render_status="error"),
        Candidate(problem_id="p", fixed_by="givens_legend", render_status="ok"),
        Candidate(problem_id="p", render_status="ok"),
    ]
    counts = fix_outcomes(made)
    assert counts["undefined_axes"] == {"fired": 2, "rendered": 1}
    assert counts["givens_legend"] == {"fired": 1, "rendered": 1}
    assert counts["truncated_tail"] == {"fired": 0, "rendered": 0}
    assert set(counts) == {*ERROR_FIX_NAMES, "givens_legend"}


def test_imgcoder_records_which_fix_made_a_candidate():
    from sciray.coder.imgcoder import ImgCoder
    from sciray.config.models import CoderConfig, RenderConfig
    from sciray.llm.scripted import ScriptedEngine
    from sciray.render import make_renderer
    from sciray.testing import GOOD_ANSWER, INCLINE_QUESTION
    from sciray.types import Problem

    broken = GOOD_ANSWER.replace("fig, ax = plt.subplots", "fig, axes = plt.subplots")
    assert broken != GOOD_ANSWER
    problem = Problem(id="p", question=INCLINE_QUESTION, image_type="Physics - Mechanics")
    cfg = CoderConfig(engine="scripted", attempts=1)
    with make_renderer("python", RenderConfig(workers=1, timeout_s=30)) as renderer:
        (result,) = ImgCoder(cfg, ScriptedEngine(responses=[broken]), renderer).run([problem])
    first, fixed = result.attempts[0], result.attempts[1]
    assert first.render_failure.kind == "NameError" and first.fixed_by is None
    assert fixed.fixed_by == "undefined_axes" and fixed.render_status == "ok"
    assert fixed.render_failure is None
