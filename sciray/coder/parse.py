"""Parse an ImgCoder answer (understanding, four-part plan, one program) as small models write it.

Pure functions, no I/O. The prompt asks for ``## Understanding`` / ``## Plan`` (four ``###``
parts) / ``## Code`` with one fenced block, but answers arrive with ``<think>`` blocks, no fences,
several blocks, bold or numbered plan items, prose after the code, or cut off mid-program.
``parse_answer`` never raises: whatever it is given, it returns a :class:`ParsedAnswer`.
"""

from __future__ import annotations

import ast
import re
import textwrap
import warnings
from dataclasses import dataclass

from sciray.types import Plan

__all__ = ["ParsedAnswer", "extract_code_blocks", "parse_answer"]


@dataclass(frozen=True)
class ParsedAnswer:
    """What one model answer holds."""

    plan: Plan
    code: str | None
    status: str
    """"ok" (code found), "no_code", or "truncated" (code runs off the end of the answer
    unfinished)."""
    understanding: str | None
    note: str | None
    """What the parser had to work around (think block, no fence, which block...), or None."""


# ---------------------------------------------------------------------------------------------
# Text clean-up


_THINK_OPEN = re.compile(r"<(?:think|thinking)>", re.IGNORECASE)
_THINK_END = re.compile(r"</(?:think|thinking)\s*>", re.IGNORECASE)
_ANSWER_HEADING = re.compile(
    r"^[ \t]*#{1,6}[ \t]*(?:understanding|plan|code)\b", re.IGNORECASE | re.MULTILINE
)


def _normalize(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return text


def _drop_think(text: str, notes: list[str]) -> str:
    """Remove reasoning blocks; the answer proper follows them."""
    end = _THINK_END.search(text)
    if end and not _THINK_OPEN.search(text, 0, end.start()):
        # A lone closing tag: the opening one was in the chat template, so the head is reasoning.
        notes.append("dropped reasoning before </think>")
        text = text[end.end() :]
    kept, pos = [], 0
    while (opened := _THINK_OPEN.search(text, pos)) and (
        closed := _THINK_END.search(text, opened.end())
    ):
        kept.append(text[pos : opened.start()])
        pos = closed.end()
    if kept:
        notes.append("dropped think block")
        text = "".join(kept) + text[pos:]
    opened = _THINK_OPEN.search(text)
    if opened and not text[: opened.start()].strip():
        # Never closed: keep the answer if one starts later, else the text minus the tag.
        heading = _ANSWER_HEADING.search(text, opened.end())
        if heading:
            notes.append("dropped unclosed think block")
            text = text[heading.start() :]
        else:
            notes.append("unclosed think block")
            text = text[opened.end() :]
    return _THINK_END.sub("", _THINK_OPEN.sub("", text))


# ---------------------------------------------------------------------------------------------
# Fenced code blocks


@dataclass(frozen=True)
class _Block:
    lang: str
    code: str
    closed: bool
    first: int  # index of the opening fence line
    last: int  # index of the closing fence line (or the last line when unclosed)


_OPEN = re.compile(r"^([ \t]*)(`{3,}|~{3,})[ \t]*([A-Za-z0-9_+#.\-]*)[ \t]*(.*)$")
_KNOWN_LANGS = re.compile(
    r"^(?:py|python\d*(?:\.\d+)?|py3|ipython\d*|latex|tex|tikz|pgf|pgfplots|bash|sh|shell|"
    r"console|text|txt|output|json|plaintext|markdown|md)$",
    re.IGNORECASE,
)


def _closing(line: str, fence: str) -> bool:
    s = line.strip()
    return len(s) >= len(fence) and set(s) == {fence[0]}


def _dedent(lines: list[str], indent: str) -> str:
    """Undo the indentation of a block nested in a list item, then any common indentation."""
    if indent and all(ln.startswith(indent) for ln in lines if ln.strip()):
        lines = [ln[len(indent) :] for ln in lines]
    code = textwrap.dedent("\n".join(lines))
    return code.strip("\n").rstrip()


def _blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, lang, rest = m.groups()
        body: list[str] = []
        if rest.strip() or (lang and not _KNOWN_LANGS.match(lang)):
            # "```python import x" or "```import x": code starts on the fence line itself.
            if not _KNOWN_LANGS.match(lang):
                rest, lang = f"{lang} {rest}".strip(), ""
            body.append(indent + rest)
        end = next((j for j in range(i + 1, len(lines)) if _closing(lines[j], fence)), None)
        inline = False
        if end is None:
            # Some models glue the closing fence to the last code line: "plt.show()```".
            end = next(
                (j for j in range(i + 1, len(lines)) if lines[j].rstrip().endswith(fence)), None
            )
            inline = end is not None
        if end is None:
            body += lines[i + 1 :]
            blocks.append(_Block(lang, _dedent(body, indent), False, i, len(lines) - 1))
            break
        body += lines[i + 1 : end]
        if inline:
            body.append(lines[end].rstrip()[: -len(fence)])
        blocks.append(_Block(lang, _dedent(body, indent), True, i, end))
        i = end + 1
    return blocks


def extract_code_blocks(text: str) -> list[tuple[str, str]]:
    """Every fenced block as (fence language as written, dedented code); an unclosed last block
    runs to the end of the text."""
    try:
        lines = _normalize(str(text)).split("\n")
        return [(b.lang, b.code) for b in _blocks(lines)]
    except Exception:  # a helper of a never-raising parser
        return []


# ---------------------------------------------------------------------------------------------
# Choosing the program


_PY_LANG = re.compile(r"^(?:py|py3|python\d*(?:\.\d+)?|ipython\d*)?$", re.IGNORECASE)
_TEX_LANG = re.compile(r"^(?:latex|tex|tikz|pgf|pgfplots|)$", re.IGNORECASE)
_SHELL = re.compile(
    r"^\s*(?:\$\s|pip3?\s+install|conda\s+install|python3?\s+\S+\.py\b|apt(?:-get)?\s)",
    re.MULTILINE,
)
_MPL = re.compile(r"\bmatplotlib\b|\bplt\.|\bpyplot\b")
_TEX_DOC = re.compile(r"\\documentclass")
_TEX_PIC = re.compile(r"\\begin\s*\{tikzpicture\}")
_PY_START_ANY = re.compile(
    r"^[ \t]*(?:import[ \t]+\w|from[ \t]+[\w.]+[ \t]+import[ \t])", re.MULTILINE
)


def _is_shell(block: _Block) -> bool:
    if block.lang.lower() in ("bash", "sh", "shell", "console", "cmd", "powershell", "zsh"):
        return True
    first = block.code.strip().split("\n", 1)[0]
    return bool(_SHELL.match(first)) and not _PY_START_ANY.search(block.code)


def _looks_python(block: _Block) -> bool:
    if block.lang:
        return bool(_PY_LANG.match(block.lang)) or bool(_MPL.search(block.code))
    # A bare fence may hold anything (the plan, sample output): ask for some sign of a program.
    return bool(
        _MPL.search(block.code) or _PY_START_ANY.search(block.code) or _compiles(block.code)
    )


def _python_candidates(blocks: list[_Block]) -> list[_Block]:
    return [b for b in blocks if b.code.strip() and not _is_shell(b) and _looks_python(b)]


def _pick_python(blocks: list[_Block]) -> _Block | None:
    cands = _python_candidates(blocks)
    complete = [b for b in cands if b.closed and _MPL.search(b.code)]
    if complete:
        return complete[-1]
    if not cands:
        return None
    return max(reversed(cands), key=lambda b: len(b.code))  # longest; the later one on ties


def _pick_tikz(blocks: list[_Block]) -> _Block | None:
    cands = [
        b
        for b in blocks
        if _TEX_PIC.search(b.code)
        or _TEX_DOC.search(b.code)
        or ("\\" in b.code and _TEX_LANG.match(b.lang) and not _PY_START_ANY.search(b.code))
    ]
    for want in (_TEX_DOC, _TEX_PIC):
        for closed in (True, False):
            hits = [b for b in cands if b.closed == closed and want.search(b.code)]
            if hits:
                return hits[-1]
    if not cands:
        return None
    return max(reversed(cands), key=lambda b: len(b.code))


# ---------------------------------------------------------------------------------------------
# Code without fences


_PY_START = re.compile(r"^(?:import\s+\w|from\s+[\w.]+\s+import\s|#!\s*/|%matplotlib\b)")
_PY_KEYWORDS = frozenset(
    "and as assert async await break class continue def del elif else except finally for from "
    "global if import in is lambda nonlocal not or pass raise return try while with yield "
    "print True False None".split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[,.;:!?)]?")
_MD_STOP = re.compile(r"^(?:\*\*|__|#{1,6}\s+\S|```|~~~)")


def _compiles(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
        return True
    except Exception:  # SyntaxError, ValueError (NUL bytes), RecursionError, MemoryError
        return False


def _is_prose(line: str) -> bool:
    """An unindented line of English after the code ("This code draws ...")."""
    s = line.strip()
    if not s or line[:1] in (" ", "\t"):
        return False
    if _MD_STOP.match(s) and not s.startswith("# "):
        return not _compiles(s)
    tokens = s.split()
    if len(tokens) < 3 or tokens[0].rstrip(":") in _PY_KEYWORDS or not _WORD.fullmatch(tokens[0]):
        return False  # "plt.title('Forces on the bl" is cut-off code, not a sentence
    if sum(bool(_WORD.fullmatch(t)) for t in tokens) < 0.6 * len(tokens):
        return False
    return not (_compiles(s) or _compiles(s + "\n    pass"))


def _depth_after(line: str, depth: int, quote: str | None) -> tuple[int, str | None]:
    """Bracket depth and open triple quote after one line (strings and comments skipped)."""
    i, n = 0, len(line)
    while i < n:
        if quote:
            close = line.find(quote, i)
            if close < 0:
                return depth, quote
            i, quote = close + 3, None
            continue
        c = line[i]
        if c == "#":
            break
        if c in "\"'":
            if line.startswith(c * 3, i):
                quote, i = c * 3, i + 3
                continue
            close = line.find(c, i + 1)
            i = n if close < 0 else close + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
        i += 1
    return depth, quote


def _python_span(lines: list[str], lo: int, hi: int) -> tuple[int, int] | None:
    """[start, end) of the unfenced program in lines[lo:hi]: from the first import (and the
    comment lines right above it) to the first prose line at bracket depth 0."""
    start = next((i for i in range(lo, hi) if _PY_START.match(lines[i])), None)
    if start is None:
        return None
    while (
        start > lo and re.match(r"^#(?!#)\s", lines[start - 1]) and not _heading(lines[start - 1])
    ):
        start -= 1
    return start, _prose_end(lines, start, hi)


def _prose_end(lines: list[str], start: int, hi: int) -> int:
    """Where the program that starts at lines[start] gives way to prose (or hi)."""
    depth, quote, end = 0, None, hi
    for i in range(start, hi):
        if (
            depth == 0
            and quote is None
            and i > start
            and (_is_prose(lines[i]) or re.match(r"^\s*(```|~~~)", lines[i]))
        ):
            end = i
            break
        depth, quote = _depth_after(lines[i], depth, quote)
    while end > start and not lines[end - 1].strip():
        end -= 1
    return end


_TEX_START = re.compile(
    r"^\s*\\(?:documentclass|usepackage|usetikzlibrary|tikzset|pgfplotsset|definecolor|"
    r"begin\s*\{tikzpicture\})"
)


def _tikz_span(lines: list[str], lo: int, hi: int) -> tuple[int, int] | None:
    start = next((i for i in range(lo, hi) if _TEX_START.match(lines[i])), None)
    if start is None:
        return None
    text = "\n".join(lines[start:hi])
    end_marks = [m.end() for m in re.finditer(r"\\end\s*\{document\}", text)] or [
        m.end() for m in re.finditer(r"\\end\s*\{tikzpicture\}", text)
    ]
    if not end_marks:
        return start, hi
    return start, start + text[: end_marks[-1]].count("\n") + 1


# ---------------------------------------------------------------------------------------------
# Truncation


def _tex_balanced(code: str) -> bool:
    body = re.sub(r"(?<!\\)%.*", "", code).replace("\\{", "").replace("\\}", "")
    if body.count("{") != body.count("}"):
        return False
    if len(_TEX_PIC.findall(body)) > len(re.findall(r"\\end\s*\{tikzpicture\}", body)):
        return False
    return not (_TEX_DOC.search(body) and not re.search(r"\\end\s*\{document\}", body))


def _python_complete(code: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(code)
    except SyntaxError as exc:
        n_lines = code.count("\n") + 1
        msg = str(exc.msg or "")
        near_end = (exc.lineno or 0) >= n_lines - 1
        ends_early = any(
            w in msg for w in ("never closed", "EOF", "unterminated", "expected an indented")
        )
        return not (near_end or ends_early)
    except Exception:
        return True  # not a program we can judge; let the renderer report it
    if (
        tree.body
        and isinstance(tree.body[-1], ast.Expr)
        and isinstance(tree.body[-1].value, (ast.Name, ast.Attribute))
    ):
        return False  # "ax.set_xlab": a bare name is what a cut-off call looks like
    return True


def _complete(code: str, language: str) -> bool:
    return _tex_balanced(code) if language == "tikz" else _python_complete(code)


# ---------------------------------------------------------------------------------------------
# Plan sections


_SYNONYMS = {
    "understanding": [
        "understanding",
        "problem understanding",
        "understanding the problem",
        "understanding of the problem",
        "problem analysis",
        "analysis",
    ],
    "plan": ["plan", "diagram plan", "drawing plan", "image plan", "the plan"],
    "code": [
        "code",
        "python code",
        "tikz code",
        "latex code",
        "the code",
        "complete code",
        "full code",
        "program",
        "implementation",
        "matplotlib code",
    ],
    "content": [
        "image content",
        "image contents",
        "content",
        "contents",
        "what to draw",
        "diagram content",
        "visual content",
    ],
    "layout": ["layout", "image layout", "spatial layout", "diagram layout", "composition"],
    "labels": [
        "labels and values",
        "labels and annotations",
        "labels",
        "labeling",
        "labelling",
        "annotations",
        "text labels",
        "labels/annotations",
    ],
    "considerations": [
        "drawing considerations",
        "considerations",
        "constraints",
        "what not to show",
        "what must not be shown",
        "things to avoid",
    ],
}
_NAME_OF = {syn: key for key, syns in _SYNONYMS.items() for syn in syns}
_NAMES = "|".join(
    re.escape(s).replace(r"\ ", r"\s+") for s in sorted(_NAME_OF, key=len, reverse=True)
)
_HEADING = re.compile(
    r"^[ \t]*(?:[-*+•][ \t]+)?"
    r"(?P<hash>#{1,6})?[ \t]*"
    r"(?P<b1>\*\*|__)?[ \t]*"
    r"(?P<num>\(?(?:\d{1,2}|[A-Da-d])[.):][ \t]*)?"
    r"(?P<b2>\*\*|__)?[ \t]*"
    rf"(?P<name>{_NAMES})(?![\w/])"
    r"[ \t]*(?:\([^)\n]*\))?"
    r"[ \t]*(?P<p1>[:：\-–—])?[ \t]*(?P<b3>\*\*|__)?[ \t]*(?P<p2>[:：\-–—])?"
    r"[ \t]*(?P<rest>.*)$",
    re.IGNORECASE,
)


def _heading(line: str) -> tuple[str, int, str] | None:
    """(section key, heading level, text on the same line) when the line opens a section."""
    m = _HEADING.match(re.sub(r"[ \t]+", " ", line))  # single spaces: no regex backtracking
    if not m:
        return None
    bold = bool(m["b1"] or m["b2"]) and bool(m["b3"] or m["rest"].startswith(("**", "__")))
    punct = m["p1"] or m["p2"]
    rest = m["rest"].strip().strip("*_").strip()
    if m["hash"]:
        return _NAME_OF[_key(m["name"])], len(m["hash"]), rest if punct else ""
    if not (bold or m["num"] or punct in (":", "：")):
        return None  # a plain "Layout - ..." line is too easily a sentence
    if not punct and rest:
        return None  # "1. Labels should go ..." is a sentence, not a heading
    return _NAME_OF[_key(m["name"])], 7, rest


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


_ANY_MD_HEADING = re.compile(r"^[ \t]*(#{1,6})[ \t]+\S")


def _sections(lines: list[str], is_code: list[bool]) -> dict[str, str]:
    found: dict[str, str] = {}
    key, level, buf = None, 0, []

    def close() -> None:
        text = _clean_section("\n".join(buf))
        if key and key not in ("plan", "code") and text and key not in found:
            found[key] = text

    for line, code in zip(lines, is_code):
        if code:
            close()
            key, buf = None, []
            continue
        head = _heading(line)
        if head:
            close()
            key, level, first = head
            buf = [first] if first else []
            continue
        other = _ANY_MD_HEADING.match(line)
        if other and len(other.group(1)) <= level:
            close()
            key, buf = None, []
            continue
        if key:
            buf.append(line)
    close()
    return found


def _clean_section(text: str) -> str:
    lines = [ln.rstrip() for ln in text.strip("\n").split("\n")]
    while lines and re.fullmatch(r"\s*(?:-{3,}|\*{3,}|_{3,})?\s*", lines[-1]):
        lines.pop()
    return textwrap.dedent("\n".join(lines)).strip()


# ---------------------------------------------------------------------------------------------
# The answer


def _locate_code(
    lines: list[str], language: str, notes: list[str]
) -> tuple[str | None, bool, list[bool]]:
    """(code, whether it runs off the end of the answer, which lines hold code or fences)."""
    is_code = [False] * len(lines)
    blocks = _blocks(lines)
    for b in blocks:
        for i in range(b.first, b.last + 1):
            is_code[i] = True
    picked = (_pick_tikz if language == "tikz" else _pick_python)(blocks)
    if picked is not None:
        if len(blocks) > 1:
            notes.append(f"picked block {blocks.index(picked) + 1} of {len(blocks)}")
        if picked.closed:
            return picked.code, False, is_code
        code = _trim_unclosed(picked.code, language)
        if code != picked.code:
            notes.append("closing fence missing, prose after the code dropped")
        return code, code == picked.code, is_code
    # No usable fenced block: look for a bare program outside the fences.
    free = [i for i in range(len(lines)) if not is_code[i]]
    if not free:
        if blocks:
            notes.append(f"no {language} block among {len(blocks)} fenced blocks")
        return None, False, is_code
    code_head = next((i for i in free if (_heading(lines[i]) or ("", 0, ""))[0] == "code"), None)
    lo = code_head + 1 if code_head is not None else 0
    span_of = _tikz_span if language == "tikz" else _python_span
    span = _segment_span(lines, is_code, lo, span_of)
    if span is None and code_head is not None:
        span = _segment_span(lines, is_code, 0, span_of)
    if span is None:
        if blocks:
            notes.append(f"no {language} block among {len(blocks)} fenced blocks")
        return None, False, is_code
    start, end = span
    notes.append("code without fences")
    for i in range(start, end):
        is_code[i] = True
    code = textwrap.dedent("\n".join(lines[start:end])).strip("\n").rstrip()
    at_end = not any(ln.strip() for ln in lines[end:])
    return (code or None), at_end, is_code


def _trim_unclosed(code: str, language: str) -> str:
    """An unclosed block runs to the end of the answer: cut the prose that may follow the code."""
    if language == "tikz":
        ends = [m.end() for m in re.finditer(r"\\end\s*\{document\}", code)]
        return code[: ends[-1]] if ends else code
    lines = code.split("\n")
    return "\n".join(lines[: _prose_end(lines, 0, len(lines))]).rstrip()


def _segment_span(
    lines: list[str], is_code: list[bool], lo: int, span_of
) -> tuple[int, int] | None:
    """The first span found in a run of non-code lines from lo on."""
    i = lo
    while i < len(lines):
        if is_code[i]:
            i += 1
            continue
        j = i
        while j < len(lines) and not is_code[j]:
            j += 1
        span = span_of(lines, i, j)
        if span is not None and span[1] > span[0]:
            return span
        i = j
    return None


def _parse(text: str, language: str) -> ParsedAnswer:
    notes: list[str] = []
    text = _drop_think(_normalize(text), notes).strip()
    lines = text.split("\n")
    code, open_end, is_code = _locate_code(lines, language, notes)
    sections = _sections(lines, is_code)
    plan = Plan(**{k: sections.get(k) for k in ("content", "layout", "labels", "considerations")})
    if code is None:
        status = "no_code"
    elif open_end and not _complete(code, language):
        status = "truncated"
    else:
        status = "ok"
    return ParsedAnswer(
        plan=plan,
        code=code,
        status=status,
        understanding=sections.get("understanding"),
        note="; ".join(notes) or None,
    )


def parse_answer(text: str, language: str) -> ParsedAnswer:
    """Plan, program and status of one answer; ``language`` is "python" or "tikz". Never raises."""
    try:
        return _parse("" if text is None else str(text), language)
    except Exception as exc:  # the contract is a result for any input, whatever slipped through
        return ParsedAnswer(
            plan=Plan(),
            code=None,
            status="no_code",
            understanding=None,
            note=f"parser failed: {type(exc).__name__}: {exc}"[:300],
        )
