"""ImgCoder answer parsing on a corpus of messy, realistic small-model answers."""

from __future__ import annotations

import random
import string

import pytest

from sciray.coder.parse import ParsedAnswer, extract_code_blocks, parse_answer
from sciray.types import Plan

INCLINE_CODE = """import matplotlib.pyplot as plt
import numpy as np

fig, ax = plt.subplots(figsize=(6, 4.5))
ax.plot([0, 4, 4, 0], [0, 0, 3, 0], 'k-')
ax.text(2, -0.3, r'$L = 4\\,\\mathrm{m}$', ha='center')
ax.set_xlim(-1, 5)
ax.set_ylim(-1, 4)
ax.set_aspect('equal')
ax.axis('off')
plt.savefig('diagram.png', dpi=100, bbox_inches='tight')"""

WELL_FORMED = f"""## Understanding
A block of mass 2 kg rests on a frictionless incline of length 4 m at 37 degrees.

## Plan
### Image content
The incline (a right triangle) and the block on it.
### Layout
Incline from (0, 0) to (4, 3); block at the middle of the slope.
### Labels
L = 4 m
m = 2 kg
θ = 37°
### Drawing considerations
Do not draw the acceleration or the normal force value.

## Code
```python
{INCLINE_CODE}
```
"""

TIKZ_DOC = r"""\documentclass[tikz,border=4pt]{standalone}
\usetikzlibrary{arrows.meta}
\begin{document}
\begin{tikzpicture}
  \draw (0,0) -- (4,0) -- (4,3) -- cycle;
  \node[below] at (2,0) {$L = 4\,\mathrm{m}$};
\end{tikzpicture}
\end{document}"""

TIKZ_PIC = r"""\begin{tikzpicture}[scale=1.2]
  \draw[->] (0,0) -- (3,0) node[right] {$x$};
  \draw (1,0) circle (0.5);
  \node at (1,0) {$q = 2\,\mu\mathrm{C}$};
\end{tikzpicture}"""


def _py(text: str) -> ParsedAnswer:
    return parse_answer(text, "python")


# ---------------------------------------------------------------------------------------------
# The corpus


def test_well_formed_answer():
    got = _py(WELL_FORMED)
    assert got.status == "ok"
    assert got.code == INCLINE_CODE
    assert got.understanding.startswith("A block of mass 2 kg")
    assert got.plan == Plan(
        content="The incline (a right triangle) and the block on it.",
        layout="Incline from (0, 0) to (4, 3); block at the middle of the slope.",
        labels="L = 4 m\nm = 2 kg\nθ = 37°",
        considerations="Do not draw the acceleration or the normal force value.",
    )
    assert got.note is None


def test_think_block_with_draft_code_is_dropped():
    text = (
        "<think>\nOkay, the user wants an incline. Maybe something like\n"
        "```python\nimport matplotlib.pyplot as plt\nplt.plot([0, 1])\n```\n"
        "but I should label L. Let me write it properly.\n</think>\n\n" + WELL_FORMED
    )
    got = _py(text)
    assert got.code == INCLINE_CODE
    assert got.plan.layout.startswith("Incline from (0, 0)")
    assert "think" in got.note


def test_unclosed_think_at_start_is_dropped_up_to_the_answer():
    text = "<think>\nHmm. The block... the incline is 37 degrees.\n\n" + WELL_FORMED
    got = _py(text)
    assert got.status == "ok" and got.code == INCLINE_CODE
    assert got.understanding.startswith("A block")


def test_lone_closing_think_tag_drops_the_reasoning_before_it():
    text = "We need an incline with labels. ```python\nimport os\n```\n</think>\n\n" + WELL_FORMED
    got = _py(text)
    assert got.code == INCLINE_CODE


def test_whole_answer_is_code_without_fences():
    got = _py("\n\n" + INCLINE_CODE + "\n\n")
    assert got.status == "ok"
    assert got.code == INCLINE_CODE
    assert got.plan == Plan()
    assert got.note == "code without fences"


def test_code_after_plan_without_fences_and_prose_after_it():
    text = (
        "Image content: a pendulum of length 1.2 m.\n"
        "Layout: pivot at the top, bob hanging at 30 degrees.\n"
        "Labels: l = 1.2 m, θ = 30°\n"
        "Constraints: do not show the period.\n\n"
        "# Draw the pendulum\n"
        "import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots()\n"
        "ax.plot([0, 0.6], [0, -1.04], 'k-')\n"
        "plt.savefig('diagram.png')\n\n"
        "This code draws the pendulum with its length and angle labelled.\n"
    )
    got = _py(text)
    assert got.status == "ok"
    assert got.code.split("\n")[0] == "# Draw the pendulum"
    assert got.code.split("\n")[-1] == "plt.savefig('diagram.png')"
    assert got.plan == Plan(
        content="a pendulum of length 1.2 m.",
        layout="pivot at the top, bob hanging at 30 degrees.",
        labels="l = 1.2 m, θ = 30°",
        considerations="do not show the period.",
    )


def test_code_heading_without_fences():
    text = (
        "## Plan\n### Layout\nTwo charges on the x axis.\n\n## Code\n"
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
        "for x in (0, 3):\n    ax.plot(x, 0, 'ro')\nplt.savefig('d.png')\n"
    )
    got = _py(text)
    assert got.status == "ok"
    assert got.code == (
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
        "for x in (0, 3):\n    ax.plot(x, 0, 'ro')\nplt.savefig('d.png')"
    )
    assert got.plan.layout == "Two charges on the x axis."


def test_pip_install_block_before_the_program():
    text = (
        "First install the dependencies:\n\n```bash\npip install matplotlib numpy\n```\n\n"
        "Then run:\n\n```python\n" + INCLINE_CODE + "\n```\n"
    )
    got = _py(text)
    assert got.code == INCLINE_CODE
    assert got.note == "picked block 2 of 2"


def test_bare_pip_block_is_not_the_program():
    text = "```\npip install matplotlib\n```\n\n```\n" + INCLINE_CODE + "\n```"
    assert _py(text).code == INCLINE_CODE


def test_example_block_then_full_program_picks_the_last_complete_one():
    text = (
        "A format string like this sets a red dashed line:\n\n"
        "```python\nplt.plot(x, y, 'r--')\n```\n\nThe full program:\n\n"
        "```py\n" + INCLINE_CODE + "\n```\n"
    )
    assert _py(text).code == INCLINE_CODE


def test_program_then_output_block():
    text = "```Python\n" + INCLINE_CODE + "\n```\n\nOutput:\n```text\nSaved diagram.png\n```\n"
    assert _py(text).code == INCLINE_CODE


@pytest.mark.parametrize("fence", ["py", "python", "Python", "python3", "", "PY"])
def test_fence_languages(fence):
    assert _py(f"## Code\n```{fence}\n{INCLINE_CODE}\n```").code == INCLINE_CODE


def test_fence_with_extra_spaces_and_windows_newlines():
    text = "## Code\r\n```   python   \r\n" + INCLINE_CODE.replace("\n", "\r\n") + "\r\n```   \r\n"
    got = _py(text)
    assert got.code == INCLINE_CODE and got.status == "ok"


def test_code_indented_inside_a_list_item():
    indented = "\n".join(("   " + ln) if ln else "" for ln in INCLINE_CODE.split("\n"))
    text = (
        "1. **Image content:** an incline.\n2. **Code:**\n   ```python\n" + indented + "\n   ```\n"
    )
    got = _py(text)
    assert got.code == INCLINE_CODE
    assert got.plan.content == "an incline."


def test_indented_block_keeps_relative_indentation():
    text = "- Code:\n  ```python\n  for i in range(3):\n      print(i)\n  ```"
    assert _py(text).code == "for i in range(3):\n    print(i)"


def test_closing_fence_glued_to_the_last_line():
    text = "```python\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])```\nDone."
    got = _py(text)
    assert got.code == "import matplotlib.pyplot as plt\nplt.plot([1, 2])"
    assert got.status == "ok"


def test_truncated_answer_mid_call():
    text = WELL_FORMED.split("ax.set_xlim")[0] + "ax.set_xlim(-1,"
    got = _py(text)
    assert got.status == "truncated"
    assert got.code.split("\n")[-1] == "ax.set_xlim(-1,"
    assert got.plan.labels == "L = 4 m\nm = 2 kg\nθ = 37°"


def test_truncated_answer_mid_name():
    text = (
        "## Code\n```python\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.set_xlab"
    )
    got = _py(text)
    assert got.status == "truncated"
    assert got.code.endswith("ax.set_xlab")


def test_truncated_answer_inside_a_string():
    text = "```python\nimport matplotlib.pyplot as plt\nplt.title('Forces on the bl"
    assert _py(text).status == "truncated"


def test_missing_closing_fence_on_a_complete_program_is_ok():
    got = _py("## Code\n```python\n" + INCLINE_CODE + "\n")
    assert got.status == "ok" and got.code == INCLINE_CODE


def test_plan_in_bold_style():
    text = (
        "**Understanding:** Two masses joined by a string over a pulley.\n\n"
        "**Image content:** the pulley, two hanging masses, the string.\n"
        "**Layout**: pulley at the top centre; m1 left, m2 right.\n"
        "**Labels and values:**\n- m1 = 3 kg\n- m2 = 5 kg\n"
        "**What not to show:** the acceleration a = 2.45 m/s².\n\n"
        "```python\n" + INCLINE_CODE + "\n```"
    )
    got = _py(text)
    assert got.understanding == "Two masses joined by a string over a pulley."
    assert got.plan == Plan(
        content="the pulley, two hanging masses, the string.",
        layout="pulley at the top centre; m1 left, m2 right.",
        labels="- m1 = 3 kg\n- m2 = 5 kg",
        considerations="the acceleration a = 2.45 m/s².",
    )


def test_plan_in_numbered_style():
    text = (
        "Plan:\n"
        "1. Image content: a circuit with a 12 V battery and two resistors in series.\n"
        "2) Layout - battery on the left, R1 on top, R2 on the right.\n"
        "3. Annotations: 12 V, R1 = 4 Ω, R2 = 8 Ω\n"
        "4. Drawing considerations: no current value.\n\n"
        "```python\n" + INCLINE_CODE + "\n```"
    )
    got = _py(text)
    assert got.plan == Plan(
        content="a circuit with a 12 V battery and two resistors in series.",
        layout="battery on the left, R1 on top, R2 on the right.",
        labels="12 V, R1 = 4 Ω, R2 = 8 Ω",
        considerations="no current value.",
    )


def test_plan_headings_of_any_level_and_case():
    text = (
        "# UNDERSTANDING\nA lens.\n# PLAN\n"
        "#### 1. What to draw\nA converging lens and an object.\n"
        "## LAYOUT\nOptical axis horizontal.\n"
        "# Labels\nf = 10 cm\n"
        "### Constraints\nNo image position.\n"
        "```python\n" + INCLINE_CODE + "\n```"
    )
    got = _py(text)
    assert got.understanding == "A lens."
    assert got.plan == Plan(
        content="A converging lens and an object.",
        layout="Optical axis horizontal.",
        labels="f = 10 cm",
        considerations="No image position.",
    )


def test_missing_plan_sections_are_none():
    text = "### Layout\nLeft to right.\n\n```python\n" + INCLINE_CODE + "\n```"
    got = _py(text)
    assert got.plan == Plan(layout="Left to right.")
    assert got.understanding is None


def test_sentence_starting_with_a_section_word_is_not_a_heading():
    text = (
        "## Understanding\nLabels must be readable. Layout matters too.\n"
        "1. Labels should sit above each object.\n\n```python\n" + INCLINE_CODE + "\n```"
    )
    got = _py(text)
    assert got.plan.labels is None
    assert got.understanding.endswith("1. Labels should sit above each object.")


def test_only_prose_is_no_code():
    text = (
        "## Understanding\nThe problem asks for the period of a pendulum.\n\n"
        "I cannot draw images, but the diagram should show a pendulum of length 1 m "
        "displaced by 10 degrees from the vertical."
    )
    got = _py(text)
    assert got.status == "no_code" and got.code is None
    assert got.understanding.startswith("The problem asks")


def test_empty_answer():
    got = _py("   \n  ")
    assert got == ParsedAnswer(
        plan=Plan(), code=None, status="no_code", understanding=None, note=None
    )


def test_longest_block_when_none_uses_matplotlib():
    text = "```python\nimport numpy as np\n```\n\n```python\nimport numpy as np\nx = np.arange(3)\nprint(x)\n```"
    assert _py(text).code == "import numpy as np\nx = np.arange(3)\nprint(x)"


def test_complete_block_beats_a_later_truncated_one():
    text = (
        "```python\n" + INCLINE_CODE + "\n```\n\nAn improved version:\n\n"
        "```python\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots("
    )
    got = _py(text)
    assert got.code == INCLINE_CODE and got.status == "ok"


def test_plt_show_is_kept():
    code = "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()"
    assert _py(f"```python\n{code}\n```").code == code


# -- TikZ -------------------------------------------------------------------------------------


def test_tikz_full_document_in_latex_fence():
    text = (
        "## Plan\n### Labels\nL = 4 m\n\n## Code\n```latex\n"
        + TIKZ_DOC
        + "\n```\n\nCompile with pdflatex."
    )
    got = parse_answer(text, "tikz")
    assert got.status == "ok" and got.code == TIKZ_DOC
    assert got.plan.labels == "L = 4 m"


def test_tikz_picture_only_is_kept_as_is():
    got = parse_answer("```tikz\n" + TIKZ_PIC + "\n```", "tikz")
    assert got.code == TIKZ_PIC and got.status == "ok"


def test_tikz_document_beats_a_snippet_and_a_preamble_block():
    text = (
        "You need these packages:\n```tex\n\\usepackage{tikz}\n```\n"
        "Here is the diagram:\n```latex\n" + TIKZ_DOC + "\n```\n"
        "The key line is:\n```latex\n\\draw (0,0) -- (4,0);\n```"
    )
    assert parse_answer(text, "tikz").code == TIKZ_DOC


def test_tikz_without_fences():
    text = "Here is the TikZ code:\n\n" + TIKZ_DOC + "\n\nThis uses the standalone class."
    got = parse_answer(text, "tikz")
    assert got.code == TIKZ_DOC and got.status == "ok"


def test_tikz_truncated_document():
    text = "```latex\n" + TIKZ_DOC.split("\\node")[0] + "\\node[below] at (2,0) {$L"
    got = parse_answer(text, "tikz")
    assert got.status == "truncated"
    assert got.code.startswith("\\documentclass") and got.code.endswith("{$L")


def test_tikz_answer_with_only_python_is_no_code():
    got = parse_answer("```python\n" + INCLINE_CODE + "\n```", "tikz")
    assert got.status == "no_code" and got.code is None


# ---------------------------------------------------------------------------------------------
# extract_code_blocks


def test_extract_code_blocks_lists_every_block():
    text = "```bash\npip install x\n```\ntext\n~~~py\nprint(1)\n~~~\n```\nunclosed"
    assert extract_code_blocks(text) == [
        ("bash", "pip install x"),
        ("py", "print(1)"),
        ("", "unclosed"),
    ]


def test_extract_code_blocks_on_plain_text():
    assert extract_code_blocks("no fences here") == []


# ---------------------------------------------------------------------------------------------
# Never raises


_ALPHABET = (string.printable + "```~~~###***<think></think>\x00\x1b\u2028\ufeffθ°Ω") * 1
_PIECES = [
    "```",
    "```python\n",
    "```latex\n",
    "\n```\n",
    "<think>",
    "</think>",
    "## Plan\n",
    "### Layout\n",
    "**Labels:**",
    "1. Image content:",
    "import matplotlib.pyplot as plt\n",
    "\\documentclass{standalone}",
    "\\begin{tikzpicture}",
    "(((",
    "'''",
    '"""',
    "\r\n",
    "    ",
    "\t",
    "\\",
    "{",
    "}",
    "#",
    "%",
]


def _junk(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 40)):
        if rng.random() < 0.5:
            parts.append(rng.choice(_PIECES))
        else:
            parts.append("".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 30))))
    return "".join(parts)


def test_fuzz_never_raises():
    rng = random.Random(20240521)
    for _ in range(400):
        text = _junk(rng)
        for language in ("python", "tikz"):
            got = parse_answer(text, language)
            assert isinstance(got, ParsedAnswer)
            assert got.status in ("ok", "no_code", "truncated")
            assert (got.code is None) == (got.status == "no_code")


def test_binary_junk_and_huge_inputs():
    rng = random.Random(7)
    binary = bytes(rng.randrange(256) for _ in range(5000)).decode("latin-1")
    assert isinstance(parse_answer(binary, "python"), ParsedAnswer)
    huge = WELL_FORMED * 300 + " " * 200_000 + "(" * 50_000 + "<think>" * 10_000
    got = parse_answer(huge, "python")
    assert got.code == INCLINE_CODE
    assert isinstance(parse_answer("`" * 100_000, "tikz"), ParsedAnswer)
    assert isinstance(parse_answer(None, "python"), ParsedAnswer)  # type: ignore[arg-type]


def test_missing_closing_fence_with_prose_after_the_code():
    text = "```python\n" + INCLINE_CODE + "\n\nThis code draws the incline and labels its length.\n"
    got = _py(text)
    assert got.code == INCLINE_CODE and got.status == "ok"


def test_tikz_missing_closing_fence_with_prose_after_the_document():
    text = "```latex\n" + TIKZ_DOC + "\n\nCompile it with pdflatex.\n"
    got = parse_answer(text, "tikz")
    assert got.code == TIKZ_DOC and got.status == "ok"
