"""The ``tikz`` back-end: real pdflatex/pdftoppm in the sandbox, and its TeX hostile corpus.

CI installs the system TeX (scripts/install-system-packages.sh); without it these tests fail
with the install hint, they are not skipped.
"""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from sciray.config.models import RenderConfig
from sciray.render import make_renderer

FIGURE = r"""\documentclass[tikz,border=2pt]{standalone}
\usepackage{tikz}
\usetikzlibrary{arrows.meta}
\begin{document}
\begin{tikzpicture}
  \draw[-{Latex}] (0,0) -- (3,0) node[right] {$F = 12\,\mathrm{N}$};
  \draw (0,0) circle (1);
\end{tikzpicture}
\end{document}
"""
BARE = "\\begin{tikzpicture}\n  \\draw[thick] (0,0) -- (2,2) node[above] {$30^\\circ$};\n\\end{tikzpicture}\n"


@pytest.fixture(scope="module")
def tikz():
    cfg = RenderConfig(timeout_s=8, cpu_s=4, scratch_mb=4, max_files=64)
    with make_renderer("tikz", cfg, workers=1) as r:
        yield r


def _image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png))


def test_standalone_document_renders_to_png(tikz):
    result = tikz.render(FIGURE)
    assert result.status == "ok", result.error
    assert result.language == "tikz"
    image = _image(result.png)
    assert image.format == "PNG"
    assert result.scene.size == list(image.size) and image.size[0] > image.size[1] > 50
    assert not result.scene.blank
    (label,) = [t for t in result.scene.texts if "F = 12" in t.text]  # from pdftotext, in pixels
    x0, y0, x1, y1 = label.bbox
    assert 0 <= x0 < x1 <= image.size[0] and 0 <= y0 < y1 <= image.size[1]
    assert result.scene.outside == []
    assert result.timings["latex_ms"] > 0 and result.timings["raster_ms"] > 0
    for layer in ("landlock-fs", "seccomp", "rlimits", "tex-no-shell-escape", "tex-paranoid-paths"):
        assert layer in result.sandbox


def test_bare_tikzpicture_is_wrapped(tikz):
    result = tikz.render(BARE)
    assert result.status == "ok", result.error
    assert not result.scene.blank


def test_preloaded_format_is_used_and_option_clash_falls_back(tikz):
    assert tikz.render(FIGURE).timings["format"] == 1.0
    # xcolor with options, after the format already loaded it (through TikZ) without them.
    clash = (
        "\\documentclass{standalone}\n\\usepackage[dvipsnames]{xcolor}\n\\usepackage{tikz}\n"
        "\\begin{document}\\tikz\\fill[ForestGreen] (0,0) circle (1);\\end{document}\n"
    )
    result = tikz.render(clash)
    assert result.status == "ok", result.error
    assert result.timings["format"] == 0.0


def test_whole_page_document_is_cropped_to_the_drawing(tikz):
    doc = (
        "\\documentclass{article}\\usepackage{tikz}\\pagestyle{empty}\\begin{document}\n"
        "\\begin{tikzpicture}\\draw (0,0) rectangle (2,1);\\end{tikzpicture}\n\\end{document}\n"
    )
    result = tikz.render(doc)
    assert result.status == "ok", result.error
    width, height = _image(result.png).size
    assert width < 120 and height < 80  # a 2 cm x 1 cm box at 100 dpi, not a letter page


def test_tex_error_names_the_model_line(tikz):
    result = tikz.render(
        "\\begin{tikzpicture}\n\\draw (0,0) -- (1,1);\n\\undefinedmacro\n\\end{tikzpicture}\n"
    )
    assert result.status == "error"
    assert result.error == "line 3: Undefined control sequence."
    assert result.png is None


def test_blank_picture_is_flagged(tikz):
    result = tikz.render("\\begin{tikzpicture}\\path (0,0) -- (2,2);\\end{tikzpicture}")
    assert result.status == "ok", result.error
    assert result.scene.blank


@pytest.fixture
def paths(tmp_path):
    secret = tmp_path / "secret.tex"
    secret.write_text("TOPSECRETCONTENT")
    return {"SECRET": str(secret), "OUT": str(tmp_path / "written-by-tex.txt")}


def _doc(body: str) -> str:
    """A standalone document around ``body``: a ``str.format`` template (braces doubled)."""
    return (
        "\\documentclass{{standalone}}\n\\begin{{document}}\n" + body + "\nok\n\\end{{document}}\n"
    )


# name -> (document template with {SECRET} / {OUT}, expected statuses)
TEX_CORPUS = {
    "write18_touch": (_doc("\\immediate\\write18{{touch {OUT}}}"), {"violation"}),
    "input_pipe": (_doc('\\input|"touch {OUT}" '), {"violation", "error"}),
    "input_etc_passwd": (_doc("\\input{{/etc/passwd}}"), {"violation"}),
    "input_secret": (_doc("\\input{{{SECRET}}}"), {"violation"}),
    "input_parent_folder": (_doc("\\input{{../../../../etc/hostname}}"), {"violation", "error"}),
    "openin_secret": (
        _doc("\\newread\\r\\immediate\\openin\\r={SECRET} \\read\\r to\\x \\x"),
        {"violation"},
    ),
    "openout_outside": (
        _doc("\\newwrite\\w\\immediate\\openout\\w={OUT} \\immediate\\write\\w{{x}}"),
        {"violation"},
    ),
    "pdf_embed_file": (
        _doc("\\immediate\\pdfobj file {{{SECRET}}}\\pdfrefobj\\pdflastobj"),
        {"violation", "error"},
    ),
    "pdf_image_outside": (
        _doc("\\pdfximage{{/usr/share/texlive/../../../etc/passwd}}"),
        {"violation", "error"},
    ),
    "infinite_loop": (_doc("\\def\\x{{\\x}}\\x"), {"timeout"}),
    "memory_growth": (_doc("\\def\\x{{a\\x}}\\edef\\y{{\\x}}"), {"limit", "error", "timeout"}),
    "huge_page": (
        "\\documentclass{{standalone}}\\usepackage{{tikz}}\\begin{{document}}"
        "\\tikz\\draw (0,0) rectangle (400,400);\\end{{document}}",
        {"limit"},
    ),
    "disk_fill": (
        _doc(
            "\\newwrite\\w\\immediate\\openout\\w=fill.txt "
            "\\def\\f{{\\immediate\\write\\w{{xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}}\\f}}\\f"
        ),
        {"limit", "error", "timeout"},
    ),
}


@pytest.mark.parametrize("name", sorted(TEX_CORPUS))
def test_tex_hostile_snippet_is_contained(name, tikz, paths):
    template, expected = TEX_CORPUS[name]
    result = tikz.render(template.format(**paths))
    assert result.status in expected, (result.status, result.error)
    assert not os.path.exists(paths["OUT"]), "TeX wrote outside its job folder or ran a command"
    assert "TOPSECRETCONTENT" not in (result.error or "") + result.stdout + result.stderr
    if result.png:  # whatever was drawn must not show the secret: pdftotext would, so no PNG at all
        pytest.fail("a hostile document produced an image")
    after = tikz.render(FIGURE)
    assert after.status == "ok", after.error


def test_tex_child_cannot_read_secrets_into_the_pdf(tikz, paths):
    """Even a 'successful' render never contains a file from outside: kpathsea and Landlock refuse."""
    result = tikz.render(_doc("\\IfFileExists{{{SECRET}}}{{FOUND}}{{MISSING}}").format(**paths))
    assert result.status == "violation" and paths["SECRET"] in result.error
    assert result.png is None


def test_missing_tex_is_a_clear_error(monkeypatch):
    from sciray.render import tex

    monkeypatch.setattr(tex.shutil, "which", lambda *a, **k: None)
    with pytest.raises(tex.TexUnavailable, match="apt-get install texlive-latex-base"):
        tex.discover()


def test_files_inside_the_job_folder_are_allowed(tikz):
    doc = (
        "\\documentclass{standalone}\n\\begin{document}\n"
        "\\newwrite\\w\\immediate\\openout\\w=part.tex \\immediate\\write\\w{from a helper file}"
        "\\immediate\\closeout\\w\n\\input{part.tex}\n\\end{document}\n"
    )
    result = tikz.render(doc)
    assert result.status == "ok", result.error
    assert not result.scene.blank


def test_self_test_passes_and_catches_an_executable_it_should_not_reach(tmp_path):
    from dataclasses import replace

    from sciray.render import tex

    cfg = RenderConfig()
    os.chmod(tmp_path, 0o711)
    tools = tex.discover()
    mechanisms, escapes = tex.exec_self_test(cfg, str(tmp_path), tools)
    assert escapes == []
    assert {"landlock-fs", "seccomp", "rlimits"} <= set(mechanisms)
    # A toolchain that (wrongly) lets /usr/bin be executed: the probe's exec of /bin/true succeeds,
    # its report never arrives, and the self-test says so.
    loose = replace(tools, loaders=(*tools.loaders, "/usr/bin"))
    _, escapes = tex.exec_self_test(cfg, str(tmp_path), loose)
    assert escapes and "exec_other" in " ".join(escapes)


# --- pure helpers -------------------------------------------------------------------------

from sciray.render import tex_source  # noqa: E402


def test_prepare_document_wraps_only_bare_pictures():
    doc, offset = tex_source.prepare_document(FIGURE)
    assert (doc, offset) == (FIGURE, 0)
    doc, offset = tex_source.prepare_document(BARE)
    assert doc.startswith("\\documentclass") and doc.rstrip().endswith("\\end{document}")
    assert doc.splitlines()[offset] == BARE.splitlines()[0]  # offset = lines put before the code
    body_only, _ = tex_source.prepare_document(
        "\\begin{document}\n\\tikz\\draw (0,0)--(1,1);\n\\end{document}"
    )
    assert body_only.count("\\begin{document}") == 1


def test_tex_error_reads_both_log_styles_and_shifts_lines():
    file_line = "(./doc.tex\n./doc.tex:9: Undefined control sequence.\nl.9 \\foo\n"
    assert tex_source.tex_error(file_line, line_offset=5) == "line 4: Undefined control sequence."
    assert tex_source.tex_error(file_line, line_offset=9).startswith("in the wrapper preamble")
    classic = "! Missing $ inserted.\n<inserted text>\n                $\nl.12 x^2\n"
    assert tex_source.tex_error(classic) == "line 12: Missing $ inserted."
    in_package = "/usr/share/texlive/texmf-dist/tex/latex/pgf/x.code.tex:40: Package pgfkeys Error: bad key\n"
    assert tex_source.tex_error(in_package) == "Package pgfkeys Error: bad key (in x.code.tex:40)"
    assert tex_source.tex_error("This is pdfTeX\nOutput written on doc.pdf") == ""


def test_violations_come_from_kpathsea_refusals_and_write18():
    ok_output = "pdflatex: Not reading from /dev/null (openin_any = p).\n"
    assert tex_source.violation("", ok_output) is None  # LaTeX probes /dev/null on every run
    assert "/etc/passwd" in tex_source.violation(
        "", "pdflatex: Not reading from /etc/passwd (openin_any = p)."
    )
    assert "/tmp/x" in tex_source.violation(
        "", "pdflatex: Not writing to /tmp/x (openout_any = p)."
    )
    assert "write18" in tex_source.violation(
        "runsystem(touch /tmp/very/long/\npath)...disabled.", ""
    )
    assert (
        tex_source.failure("! TeX capacity exceeded, sorry [main memory size=5000000].\nl.3 \\x")[0]
        == "limit"
    )


def test_text_lines_from_pdftotext_layout():
    layout = (
        '<line xMin="72.0" yMin="36.0" xMax="144.0" yMax="46.0"><word xMin="72" yMin="36" xMax="80" yMax="46">'
        'F</word><word xMin="90" yMin="36" xMax="100" yMax="46">=</word><word xMin="110" yMin="36" '
        'xMax="144" yMax="46">30\u25e6 &amp; m</word></line>'
    )
    assert tex_source.text_lines(layout, dpi=72) == [("F = 30° & m", [72.0, 36.0, 144.0, 46.0])]
    assert tex_source.text_lines(layout, dpi=144)[0][1] == [144.0, 72.0, 288.0, 92.0]


def test_page_size_and_pixels():
    info = "Pages:           1\nPage    1 size:  136.233 x 67.602 pts\n"
    assert tex_source.page_size_pts(info) == (136.233, 67.602)
    assert tex_source.page_size_pts("Page size:       612 x 792 pts (letter)") == (612.0, 792.0)
    assert tex_source.page_size_pts("garbage") is None
    assert tex_source.pixels_at((72.0, 144.0), 100) == (100, 200)


def test_cli_renders_tex_files(tmp_path, capsys):
    import json

    from sciray.cli.main import main

    (tmp_path / "fig.tex").write_text(FIGURE)
    (tmp_path / "pic.txt").write_text(BARE)
    rc = main(["render", str(tmp_path / "fig.tex"), "--json", "--out-dir", str(tmp_path / "out")])
    assert rc == 0
    line = json.loads(capsys.readouterr().out)
    assert line["status"] == "ok" and (tmp_path / "out" / "fig.png").read_bytes().startswith(
        b"\x89PNG"
    )
    assert line["scene"]["blank"] is False and "tex-no-shell-escape" in line["sandbox"]
    assert main(["render", str(tmp_path / "pic.txt"), "--language", "tikz", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "ok"


# --- round 2: what the document or a tool writes is checked, never trusted -----------------

BIG_PAGE = (
    "\\documentclass{article}\n\\paperwidth=1000pt \\paperheight=1000pt \\pdfpagewidth=1000pt \\pdfpageheight=1000pt\n"
    "\\pdfinfo{/Title (x\\string\\012Page size: 100 x 100 pts)}\n"  # \\012: a line break in the title
    "\\begin{document}\nbig\n\\end{document}\n"
)


def test_a_page_size_forged_in_the_pdf_title_is_not_believed():
    cfg = RenderConfig(
        timeout_s=20, cpu_s=10, max_pixels=1_000_000
    )  # 996 bp at 100 dpi: 1384 x 1384
    with make_renderer("tikz", cfg, workers=1) as r:
        result = r.render(BIG_PAGE)
    assert result.status == "limit", (result.status, result.error)
    assert "1384x1384" in result.error
    assert result.png is None


def test_forged_title_parsing_takes_pdfinfos_own_line():
    info = "Title:          x\nPage size: 100 x 100 pts\nPages:          1\nPage size:      1000 x 1000 pts\n"
    assert tex_source.page_size_pts(info) == (1000.0, 1000.0)


PAGE_PNG_BY_TEX = (
    "\\documentclass{standalone}\n\\begin{document}\n"
    "\\newwrite\\w\\immediate\\openout\\w=page.png \\immediate\\write\\w{not an image}"
    "\\immediate\\closeout\\w\nhello\n\\end{document}\n"
)


@pytest.mark.parametrize("stand_in", ["/bin/false", "/bin/true"])
def test_a_failing_or_silent_pdftoppm_never_yields_a_file_tex_wrote(stand_in, tmp_path):
    """pdftoppm exits non-zero, or exits 0 and writes nothing, while the document itself wrote
    page.png: the render is an error, never TeX's file passed off as the raster."""
    from dataclasses import replace

    from sciray.render import tex

    cfg = RenderConfig(timeout_s=20, cpu_s=10, tex_format=False)
    os.chmod(tmp_path, 0o711)
    tools = replace(tex.discover(), pdftoppm=stand_in)
    header, png = tex.render_tex(PAGE_PNG_BY_TEX, cfg, str(tmp_path), tools)
    assert header["status"] == "error", header
    assert "pdftoppm" in header["error"]
    if stand_in == "/bin/false":
        assert "exit code 1" in header["error"]
    assert png == b""


def test_a_page_png_written_by_tex_does_not_replace_the_raster(tikz):
    result = tikz.render(PAGE_PNG_BY_TEX)
    assert result.status == "ok", result.error
    assert result.png.startswith(b"\x89PNG") and _image(result.png).size[0] > 10
