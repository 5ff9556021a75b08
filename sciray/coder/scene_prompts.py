"""Prompts and answer parsing of ImgCoder's scene mode (pure; ``sciray.scene`` for the models).

The model reads the problem and the JSON schema of one domain's scene (or of all domains, when
the image type names none: filling ``domain`` is then its pick) and answers with one JSON object;
decoding is constrained to that schema where the engine can. A repair shows the last scene and
what was wrong with it (a validation error, a render error or the checks' findings).
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from sciray.coder.fixes import double_latex_backslashes
from sciray.llm.base import Message
from sciray.types import Problem

SCENE_PROMPT_VERSION = "imgcoder-scene-v3"

SYSTEM = (
    "You describe the figure a science problem needs as one JSON object that follows the given "
    "schema. Name the objects, their relations and the values the problem gives (as labels, "
    "written exactly as the problem writes them). Never give coordinates unless the problem "
    "states them, never include the answer or any value the problem asks for."
)

# The domain's schema sits in the system message: every call for a domain then shares that long
# prefix, which llama.cpp keeps evaluated. The worked example nearest to the problem follows as
# one earlier turn (its problem, its scene), then the problem itself.
_SYSTEM_DOMAIN = """{system}

The figure is one JSON object of type Scene, declared here TypeScript-style ("?" marks a field
that may be left out, "= x" its default, "//" what it means):
{schema}"""

_FIRST = """Problem:
{question}

Answer with the JSON object of this problem's figure only."""

_REPAIR = """Problem:
{question}

This scene for the problem's figure {failure}:
{scene}

{error}

Answer with the corrected JSON object only."""


def scene_schema(domain: str) -> dict[str, Any]:
    """The schema of ``domain``'s scene (what decoding is constrained to)."""
    from sciray.scene import prompt_schema

    return prompt_schema(domain)


_PICK = """Problem:
{question}

Which kind of figure does this problem need? Choose one:
{choices}
- none: none of these

Answer with a JSON object such as {{"domain": "{example}"}}."""


def pick_messages(problem: Problem) -> tuple[list[Message], dict[str, Any]]:
    """The short call that picks a domain when the image type names none: (messages, the
    schema of its answer, an enum of the domains and "none")."""
    from sciray.scene import domains

    known = domains()
    choices = "\n".join(
        f"- {name}: {(cls.__doc__ or '').strip().splitlines()[0]}"
        for name, cls in sorted(known.items())
    )
    text = _PICK.format(
        question=problem.question.strip()[:4000], choices=choices, example=sorted(known)[0]
    )
    schema = {
        "type": "object",
        "properties": {"domain": {"type": "string", "enum": [*sorted(known), "none"]}},
        "required": ["domain"],
        "additionalProperties": False,
    }
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}], schema


def parse_pick(text: str) -> str:
    """The domain a pick answer names, or "" (none, or not a known domain: code mode)."""
    from sciray.scene import domains

    match = re.search(r'"domain"\s*:\s*"([a-z_]+)"', text or "")
    name = match.group(1) if match else ""
    return name if name in domains() else ""


def system_message(domain: str) -> Message:
    """The system message of every call for ``domain``: the rules and its schema."""
    return {"role": "system", "content": _system_content(domain)}


@functools.lru_cache(maxsize=None)
def _system_content(domain: str) -> str:
    # built once per domain: every scene request of a run sends the same text
    from sciray.scene.outline import schema_outline

    return _SYSTEM_DOMAIN.format(system=SYSTEM, schema=schema_outline(scene_schema(domain)))


def example_turns(problem: Problem, domain: str) -> list[Message]:
    """The worked example of ``domain`` nearest to ``problem`` (``sciray.scene.examples``) as an
    earlier exchange: its problem asked as this one is, its scene as the answer; no turns for a
    domain without examples (a plugin's)."""
    from sciray.scene.examples import nearest_example

    example = nearest_example(domain, problem.question)
    if example is None:
        return []
    question, scene = example
    return [
        {"role": "user", "content": _FIRST.format(question=question)},
        {"role": "assistant", "content": example_json(domain, scene)},
    ]


def example_json(domain: str, scene: dict[str, Any]) -> str:
    """``scene`` as a constrained decoder makes the model write it: llama.cpp's grammar order
    (required keys, then optional ones, each in schema order), every required list present
    (empty where the scene has none), defaults left out."""
    from sciray.scene import parse_scene

    schema = scene_schema(domain)
    written = parse_scene(scene).model_dump(mode="json", exclude_defaults=True)
    written["domain"] = domain
    for key in schema.get("required", []):
        written.setdefault(key, [])
    return json.dumps(_grammar_order(written, schema, schema), ensure_ascii=False)


def _grammar_order(value: Any, schema: dict[str, Any], root: dict[str, Any]) -> Any:
    ref = schema.get("$ref", "")
    if ref.startswith("#/$defs/"):
        schema = root["$defs"][ref.rsplit("/", 1)[1]]
    if isinstance(value, list):
        items = schema.get("items", {})
        return [_grammar_order(v, items, root) for v in value]
    if not isinstance(value, dict) or "properties" not in schema:
        return value
    props, required = schema["properties"], schema.get("required", [])
    keys = [k for k in props if k in required] + [k for k in props if k not in required]
    keys += [k for k in value if k not in props]
    return {k: _grammar_order(value[k], props.get(k, {}), root) for k in keys if k in value}


def first_messages(problem: Problem, domain: str) -> list[Message]:
    text = _FIRST.format(question=problem.question.strip()[:6000])
    return [
        system_message(domain),
        *example_turns(problem, domain),
        {"role": "user", "content": text},
    ]


def repair_messages(
    problem: Problem,
    domain: str,
    scene: str,
    error: str,
    *,
    failed_render: bool,
    critique: bool = False,
) -> list[Message]:
    failure = "could not be drawn" if failed_render else "was drawn, but the checks found problems"
    if critique:
        failure = "was drawn, but a reader who saw only the picture misread it"
    text = _REPAIR.format(
        question=problem.question.strip()[:6000],
        failure=failure,
        scene=scene[:4000],
        error=error[:1500],
    )
    return [
        system_message(domain),
        *example_turns(problem, domain),
        {"role": "user", "content": text},
    ]


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


# A TeX command written with one backslash inside a JSON string ("$\\frac{dy}{dx}$", seen on
# seed 33): JSON reads \f, \b, \n, \r, \t as control characters ("\frac": a form feed and
# "rac") and refuses \alpha. The code fix latex_escapes doubles such backslashes in Python
# strings; the same doubling, with JSON's escape letters, keeps them TeX here (\n before other
# words stays a newline, \uXXXX a unicode escape).
_JSON_ESCAPE_LETTERS = "bfnrtu"


def scene_data(text: str, domain: str | None = None) -> tuple[dict[str, Any] | None, str | None]:
    """(the JSON object in a model's answer, bare or fenced, with ``domain`` where it names
    none; None) or (None, why there is none); not validated."""
    body = text.strip()
    fenced = _FENCE.search(body)
    if fenced:
        body = fenced.group(1).strip()
    start, end = body.find("{"), body.rfind("}")
    if start < 0 or end <= start:
        return None, "the answer holds no JSON object"
    try:
        raw = json.loads(double_latex_backslashes(body[start : end + 1], _JSON_ESCAPE_LETTERS))
    except (ValueError, RecursionError) as exc:
        return None, f"invalid scene: {str(exc).splitlines()[0][:1000]}"
    if not isinstance(raw, dict):
        return None, "invalid scene: a scene is a JSON object with a 'domain' field"
    if domain and "domain" not in raw:
        raw["domain"] = domain
    return raw, None


def parse_scene_answer(text: str, domain: str | None = None):
    """(the scene, None) or (None, why it is not one) for a model's answer: the JSON object in it
    (bare or fenced), validated against its domain (``domain`` where the answer names none)."""
    from sciray.scene import parse_scene

    raw, why = scene_data(text, domain)
    if raw is None:
        return None, why
    try:
        scene = parse_scene(raw)
    except (ValueError, RecursionError) as exc:
        return None, f"invalid scene: {str(exc).splitlines()[0][:1000]}"
    return scene, None


def copies_the_example(scene) -> bool:
    """Whether ``scene`` repeats one of its domain's worked examples (what a small model writes
    when it does not know what to draw; seen on a hexagonal-grid problem answered with the
    example's two curves): the same content, whatever its title."""
    return scene.model_dump(exclude={"title"}) in _example_contents(scene.domain)


@functools.lru_cache(maxsize=None)
def _example_contents(domain: str) -> tuple[dict[str, Any], ...]:
    # parsed once per domain, not for every scene candidate
    from sciray.scene import parse_scene
    from sciray.scene.examples import EXAMPLES

    return tuple(
        parse_scene(scene).model_dump(exclude={"title"}) for _q, scene in EXAMPLES.get(domain, [])
    )
