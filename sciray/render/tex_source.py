"""Pure helpers of the ``tikz`` back-end: the document to compile and what its log means.

No TeX needed here; ``sciray.render.tex`` runs the tools.
"""

from __future__ import annotations

import re

TIKZ_LIBRARIES = (
    "arrows.meta",
    "calc",
    "angles",
    "quotes",
    "positioning",
    "decorations.pathmorphing",
    "decorations.markings",
    "decorations.pathreplacing",
    "patterns",
    "shapes.geometric",
    "shapes.misc",
    "intersections",
    "through",
    "backgrounds",
    "fit",
    "3d",
)

# Loaded into the preloaded format (before any \documentclass, hence \RequirePackage) and into
# the wrapper of a bare tikzpicture; a document loading them again costs nothing.
FORMAT_PREAMBLE = (
    "\\RequirePackage{tikz}\n"
    "\\RequirePackage{amsmath}\n"
    "\\RequirePackage{amssymb}\n"
    f"\\usetikzlibrary{{{','.join(TIKZ_LIBRARIES)}}}\n"
)

WRAPPER_HEAD = (
    "\\documentclass[border=4pt]{standalone}\n"
    "\\usepackage{tikz}\n"
    "\\usepackage{amsmath,amssymb}\n"
    f"\\usetikzlibrary{{{','.join(TIKZ_LIBRARIES)}}}\n"
    "\\begin{document}\n"
)
WRAPPER_TAIL = "\n\\end{document}\n"

_FILE_LINE_ERROR = re.compile(
    r"^(?P<file>[^\s:]+\.(?:tex|sty|cls|def|cfg|code\.tex)):(?P<line>\d+): (?P<msg>.+)$"
)
_BANG_ERROR = re.compile(r"^! (?P<msg>.+)$")
_LINE_MARK = re.compile(r"^l\.(?P<line>\d+) ")
_PAGE_SIZE = re.compile(r"^Page(?:\s+\d+)?\s+size:\s+(?P<w>[\d.]+) x (?P<h>[\d.]+) pts", re.M)
_SHELL_ESCAPE = re.compile(r"runsystem\(")  # TeX logs every \write18 attempt this way
_REFUSED = re.compile(
    r"Not (?:reading from|writing to) (?P<path>\S+) \((?:openin|openout)_any = p\)"
)


def prepare_document(code: str) -> tuple[str, int]:
    """The document to compile and how many lines were put before the model's first line.

    A full document (with ``\\documentclass``) is compiled as written; anything else (a bare
    ``tikzpicture``, or ``tikzpicture`` environments with a few commands) is wrapped in a
    standalone document with TikZ, its common libraries and AMS math.
    """
    if "\\documentclass" in code:
        return code, 0
    body = code.strip("\n")
    if "\\begin{document}" in body:  # a body without a preamble
        body = body.replace("\\begin{document}", "").replace("\\end{document}", "")
    return WRAPPER_HEAD + body + WRAPPER_TAIL, WRAPPER_HEAD.count("\n")


def is_standalone(document: str) -> bool:
    """True when the document's class already crops the page to the picture."""
    return bool(re.search(r"\\documentclass(\[[^\]]*\])?\{standalone\}", document))


def tex_error(log: str, line_offset: int = 0, source: str = "doc.tex") -> str:
    """The first TeX error in ``log`` as one line: ``line N: message`` (N in the model's code).

    Reads both ``-file-line-error`` lines (``./doc.tex:12: Undefined control sequence.``) and
    classic ``! message`` blocks with their ``l.12`` context line.
    """
    lines = log.splitlines()
    for i, raw in enumerate(lines):
        line = raw.rstrip()
        match = _FILE_LINE_ERROR.match(line)
        if match:
            message = match["msg"].strip()
            if match["file"].lstrip("./") == source:
                return _with_line(message, int(match["line"]), line_offset)
            return f"{message} (in {match['file'].rsplit('/', 1)[-1]}:{match['line']})"
        match = _BANG_ERROR.match(line)
        if match and not line.startswith("!  ==>"):
            message = match["msg"].strip()
            for follow in lines[i + 1 : i + 12]:
                mark = _LINE_MARK.match(follow)
                if mark:
                    return _with_line(message, int(mark["line"]), line_offset)
            return message
    return ""


def _with_line(message: str, line: int, offset: int) -> str:
    if line <= offset:
        return f"in the wrapper preamble: {message}"
    return f"line {line - offset}: {message}"


def refused_paths(output: str) -> list[str]:
    """Files TeX tried to read or write outside the job folder (kpathsea's paranoid mode)."""
    return sorted({m["path"] for m in _REFUSED.finditer(output)} - {"/dev/null"})


def violation(log: str, output: str) -> str | None:
    """Why a pdflatex run counts as hostile (even when it produced a PDF), or None.

    Shell escape is off and kpathsea refuses paths outside the job folder, so these attempts
    fail anyway; the render is still marked, because a diagram has no business trying.
    """
    refused = refused_paths(output + "\n" + log)
    if refused:
        return f"access outside the job folder refused: {', '.join(refused)}"
    if _SHELL_ESCAPE.search(log):
        return "shell escape (\\write18) attempted; it is disabled"
    return None


def failure(log: str) -> tuple[str, str]:
    """(status, error) of a pdflatex run that produced no PDF."""
    error = tex_error(log)
    if "TeX capacity exceeded" in log:
        return "limit", error or "TeX capacity exceeded"
    return "error", error or "pdflatex produced no PDF"


def page_size_pts(pdfinfo_output: str) -> tuple[float, float] | None:
    """(width, height) in PostScript points from ``pdfinfo`` output; None when absent.

    The last such line: pdfinfo prints the document's own metadata (Title, Author, ...) first,
    and a title may hold a line break followed by a forged ``Page size:``.
    """
    matches = list(_PAGE_SIZE.finditer(pdfinfo_output))
    return (float(matches[-1]["w"]), float(matches[-1]["h"])) if matches else None


def pixels_at(size_pts: tuple[float, float], dpi: int) -> tuple[int, int]:
    """The raster size ``pdftoppm -r dpi`` produces for a page of ``size_pts``."""
    return int(round(size_pts[0] / 72 * dpi)), int(round(size_pts[1] / 72 * dpi))


_LINE = re.compile(
    r'<line xMin="(?P<x0>[\d.]+)" yMin="(?P<y0>[\d.]+)" xMax="(?P<x1>[\d.]+)" yMax="(?P<y1>[\d.]+)">(?P<body>.*?)</line>',  # noqa: E501
    re.S,
)
_WORD = re.compile(r"<word [^>]*>(?P<text>.*?)</word>", re.S)


def text_lines(bbox_layout: str, dpi: int, max_lines: int = 2000) -> list[tuple[str, list[float]]]:
    """(text, [x0, y0, x1, y1] in pixels) of every text line in ``pdftotext -bbox-layout`` output."""
    import html

    scale = dpi / 72
    lines = []
    for match in _LINE.finditer(bbox_layout):
        words = [html.unescape(w["text"]) for w in _WORD.finditer(match["body"])]
        text = re.sub(
            r"(\d)\s*\u25e6", "\\1°", " ".join(w for w in words if w.strip())
        )  # TeX's ^\circ
        if text:
            box = [round(float(match[k]) * scale, 1) for k in ("x0", "y0", "x1", "y1")]
            lines.append((text, box))
        if len(lines) >= max_lines:
            break
    return lines
