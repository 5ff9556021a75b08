"""ImgCoder's prompt templates (ours, versioned) as pure builders: problem in, messages out.

The first prompt follows the paper's ImgCoder: understand the problem, plan the diagram in four
parts (content, layout, labels listing every given value, drawing considerations including what
must not be shown), then write one complete program. Repairs use a fresh, short prompt (problem,
script, error): small models given the whole conversation again tend to return the same script.
An answer that planned but ran out of tokens before its code gets its plan back with a code-only
prompt.
Changing any template text means bumping ``PROMPT_VERSION``: it is stored with every candidate.
"""

from __future__ import annotations

from sciray.checks import extract_givens
from sciray.llm.base import Message
from sciray.types import Plan, Problem

PROMPT_VERSION = "imgcoder-v3"

_LANGUAGE = {
    "python": {
        "name": "Python with Matplotlib",
        "fence": "python",
        "rules": (
            "- Use only matplotlib and numpy (networkx, schemdraw or rdkit only if really needed).\n"
            "- Create the figure with `fig, ax = plt.subplots(figsize=(6, 4.5))`; for 3-D use "
            "`fig.add_subplot(projection='3d')`.\n"
            "- For shapes (circles, blocks, arrows) use data coordinates and set the limits with "
            "`ax.set_xlim(...)`, `ax.set_ylim(...)`, `ax.set_aspect('equal')`; hide axes with "
            "`ax.axis('off')` unless the problem is about a graph or plot.\n"
            "- Write every given value as a text label next to the thing it belongs to, e.g. "
            "`ax.text(x, y, r'$m = 2\\,\\mathrm{kg}$')`.\n"
            "- End with `plt.savefig('diagram.png', dpi=100, bbox_inches='tight')`. No `plt.show()`, "
            "no input(), no files other than the image, no network."
        ),
    },
    "tikz": {
        "name": "TikZ (LaTeX)",
        "fence": "latex",
        "rules": (
            "- Write a complete document: `\\documentclass[tikz,border=4pt]{standalone}`, the "
            "`\\usetikzlibrary{...}` you need, `\\begin{document}` ... `\\end{document}`.\n"
            "- Use only TikZ and its libraries (arrows.meta, calc, angles, quotes, patterns, "
            "decorations); pgfplots or circuitikz only when the problem needs a plot or a circuit.\n"
            "- Write every given value as a node label next to the thing it belongs to, e.g. "
            "`node[above] {$m = 2\\,\\mathrm{kg}$}`.\n"
            "- No \\input, no \\write18, no external files."
        ),
    },
}

SYSTEM = (
    "You are ImgCoder, an expert in drawing precise scientific diagrams (physics setups, "
    "geometry, circuits, chemistry, plots) with code. You draw the situation a problem "
    "describes, with every given value labelled, and never the solution."
)

_FIRST = """Problem:
{question}
{extra}
Draw the diagram a student needs to solve this problem, in {language_name}.

Answer in exactly this format:

## Understanding
What the problem describes: the objects, their relations, every given value with its unit.

## Plan
### Image content
What the image shows (objects, forces, points, curves), and nothing more.
### Layout
Where each object goes, with coordinates.
### Labels
Every given value and name that must be written in the image, one per line, exactly as it will appear.
### Drawing considerations
What must NOT be shown: the answer, unknown results, solution steps. Anything easy to get wrong.

## Code
One complete program in a single ```{fence} block.

Rules:
{rules}"""

_REPAIR = """This {language_name} program should draw the diagram for the problem below, but it {failure}.

Problem:
{question}

Program:
```{fence}
{code}
```

Problem with it:
{error}

Write the corrected, complete program in a single ```{fence} block. Keep what was right; fix the problem.
Rules:
{rules}"""


_CODE_ONLY = """Problem:
{question}
{extra}
Plan for the diagram:
{plan}

Write the program that draws this diagram, in {language_name}: one complete program in a single ```{fence} block, and nothing else (no plan, no explanation).
Rules:
{rules}"""


def _language(language: str) -> dict[str, str]:
    if language not in _LANGUAGE:
        raise ValueError(f"unknown diagram language {language!r}; choose python or tikz")
    return _LANGUAGE[language]


def _problem_text(problem: Problem, max_chars: int = 6000) -> str:
    text = problem.question.strip()
    return text if len(text) <= max_chars else text[:max_chars] + " [...]"


def givens_lines(question: str, max_items: int = 24) -> list[str]:
    """The values and names the problem states, as the checks will look for them.

    Small models skip labels they were not reminded of; listing what our label check reads from
    the text (the same extraction) turns "label every given value" into a checklist.
    """
    givens = extract_givens(question)
    values = [g.raw or g.text for g in givens if g.kind == "number"][:max_items]
    names = [g.text for g in givens if g.kind == "symbol"][:max_items]
    lines = []
    if values:
        lines.append(
            "Given values (write each one as a text label in the image): " + "; ".join(values)
        )
    if names:
        lines.append("Names to label in the image: " + ", ".join(names))
    return lines


def _extra(problem: Problem, use_elements: bool) -> str:
    lines = []
    if problem.image_type:
        lines.append(f"Diagram type: {problem.image_type}")
    if use_elements and problem.elements:
        lines.append("Elements to include: " + "; ".join(problem.elements)[:1500])
    lines += givens_lines(problem.question)
    return ("\n" + "\n".join(lines) + "\n") if lines else ""


def first_messages(problem: Problem, language: str, *, use_elements: bool = False) -> list[Message]:
    """The understand -> plan -> code prompt for one problem.

    ``use_elements`` adds the dataset's element checklist; off by default, because SciGenBench
    derives its evaluation from the same annotations and the paper's ImgCoder sees only the text.
    """
    lang = _language(language)
    user = _FIRST.format(
        question=_problem_text(problem),
        extra=_extra(problem, use_elements),
        language_name=lang["name"],
        fence=lang["fence"],
        rules=lang["rules"],
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def code_messages(
    problem: Problem, language: str, plan: Plan, *, use_elements: bool = False
) -> list[Message]:
    """After an answer that planned but ran out of room before its code: the plan back, code only."""
    lang = _language(language)
    parts = [
        ("Image content", plan.content),
        ("Layout", plan.layout),
        ("Labels", plan.labels),
        ("Drawing considerations", plan.considerations),
    ]
    text = "\n".join(
        f"### {name}\n{body.strip()[:1500]}" for name, body in parts if body and body.strip()
    )
    user = _CODE_ONLY.format(
        question=_problem_text(problem),
        extra=_extra(problem, use_elements),
        plan=text,
        language_name=lang["name"],
        fence=lang["fence"],
        rules=lang["rules"],
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def has_plan(plan: Plan | None) -> bool:
    return plan is not None and any(
        (v or "").strip() for v in (plan.content, plan.layout, plan.labels)
    )


def repair_messages(
    problem: Problem,
    language: str,
    code: str,
    error: str,
    *,
    failed_render: bool,
    critique: bool = False,
) -> list[Message]:
    """A fresh, short repair prompt: the problem, the script and what went wrong with it
    (``critique``: what a reader of its picture got wrong, ``sciray.coder.critic``)."""
    lang = _language(language)
    failure = "fails to render" if failed_render else "renders a diagram that fails our checks"
    if critique:
        failure = "renders a diagram that a reader who sees only the picture misreads"
    user = _REPAIR.format(
        language_name=lang["name"],
        failure=failure,
        question=_problem_text(problem, 3000),
        fence=lang["fence"],
        code=code.strip()[:8000],
        error=error.strip()[:1500],
        rules=lang["rules"],
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def check_feedback(reasons: list[str], missing: list[str]) -> str:
    """The 'problem with it' text of a repair after failed checks."""
    lines = [f"- {r}" for r in reasons]
    if missing:
        lines.append("- add text labels for these given values: " + ", ".join(missing))
    return "\n".join(lines)
