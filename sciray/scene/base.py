"""What every scene domain is: a pydantic description a small model can fill, and a
deterministic renderer that decides where things go.

A domain is a ``SceneSpec`` subclass with a literal ``domain`` field, registered with
``@register``. The model writes *what* is in the figure (objects, relations, the given values as
labels); the renderer decides *where*: it never asks the model for pixel or data coordinates
except where the problem itself states them (a point (2, 3), a data table).

Contract of ``draw(fig)``: draw on the given Matplotlib figure only (no ``savefig``, no global
style changes), fit the content to the canvas, keep text readable at the rendered size, never
let labels overlap or leave the canvas (the checks in ``sciray.checks`` must pass on every valid
scene by construction), and draw only what the scene states: no derived value unless the scene
marks it given.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

__all__ = ["DOMAINS", "SceneSpec", "register"]


class SceneSpec(BaseModel):
    """Base of every domain's scene. Subclasses add ``domain: Literal["<name>"] = "<name>"``
    and their own fields, each with a docstring (the docstrings become the prompt's schema)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)

    domain: str
    title: str | None = None
    """A short caption drawn above the figure; empty for none."""

    # image_type words (lower case) that route a problem to this domain, e.g. ("circuit",)
    image_types: ClassVar[tuple[str, ...]] = ()

    def labels(self) -> list[str]:
        """Every text this scene asks the renderer to write (the label-recall and answer-leak
        checks read them beside the rendered texts)."""
        raise NotImplementedError

    def draw(self, fig: Any) -> None:
        """Draw the scene on the Matplotlib figure ``fig`` (see the module doc's contract)."""
        raise NotImplementedError

    def notation(self) -> list[str]:
        """Texts this scene draws that are notation, not values (an orbital's name "2p", an
        energy level's "n = 3"): the check that every drawn number is one the problem states
        passes over them. None by default."""
        return []

    def disagreements(self, question: str) -> list[str]:
        """What this scene contradicts in ``question``, one short reason each (a repair prompt
        shows them); none by default."""
        return []

    @classmethod
    def completed_by(cls, data: dict[str, Any], question: str) -> tuple[dict[str, Any], str] | None:
        """(the invalid scene ``data`` with a part it needs and left empty taken from what
        ``question`` states, what was filled) or None; used only on scenes that do not
        validate (``sciray.scene.salvage``). None by default."""
        return None

    def aligned_to(self, question: str) -> SceneSpec:
        """This scene with what ``question`` states exactly put in place of what the model wrote
        differently (the problem is the authority on its own data); unchanged by default."""
        return self

    def without_commentary(self) -> SceneSpec:
        """This scene without the notes that talk about the task instead of stating something
        (``sciray.scene.text.is_commentary``): what a small model writes there after a repair
        prompt would stand under the figure."""
        from sciray.scene.text import is_commentary

        notes = getattr(self, "notes", None)
        if not isinstance(notes, list):
            return self
        kept = [n for n in notes if not (isinstance(n, str) and is_commentary(n))]
        return self if len(kept) == len(notes) else self.model_copy(update={"notes": kept})

    def with_named_notes(self, question: str) -> SceneSpec:
        """This scene with each note that is a bare number written as the problem names it
        ('4' -> '|V| = 4', ``sciray.scene.text.named_number``): a lone number under a figure
        says nothing about what it is."""
        from sciray.scene.text import named_number

        notes = getattr(self, "notes", None)
        if not isinstance(notes, list):
            return self
        named = [(named_number(n, question) if isinstance(n, str) else None) or n for n in notes]
        return self if named == notes else self.model_copy(update={"notes": named})


DOMAINS: dict[str, type[SceneSpec]] = {}


def register(cls: type[SceneSpec]) -> type[SceneSpec]:
    """Class decorator: make ``cls`` a scene domain under its ``domain`` literal."""
    name = cls.model_fields["domain"].default
    if not isinstance(name, str) or not name:
        raise TypeError(f"{cls.__name__} needs a default for its literal domain field")
    if name in DOMAINS and DOMAINS[name] is not cls:
        raise ValueError(f"scene domain {name!r} is registered twice")
    DOMAINS[name] = cls
    return cls
