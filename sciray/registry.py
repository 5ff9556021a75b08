"""Lazy, named registries of back-ends (engines, renderers, validators, ...).

Entries are registered as ``"module.path:attr"`` strings so that registering a back-end never
imports it (vLLM, llama.cpp and torch stay unimported until used), in the manner of
lm-evaluation-harness's registries. Unknown names fail with a "did you mean" hint.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Generic, TypeVar

from sciray.errors import UserError, did_you_mean

T = TypeVar("T")


class Registry(Generic[T]):
    """A name -> lazily imported object mapping for one kind of back-end."""

    def __init__(self, kind: str):
        self.kind = kind
        self._targets: dict[str, str | T] = {}
        self._loaded: dict[str, T] = {}

    def register(self, name: str, target: str | T | None = None) -> Callable[[T], T] | None:
        """Register ``target`` (an object or a ``"module:attr"`` path) under ``name``.

        Used bare as a decorator (``@registry.register("name")``) when ``target`` is omitted.
        """
        if name in self._targets:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        if target is not None:
            self._targets[name] = target
            return None

        def decorator(obj: T) -> T:
            self._targets[name] = obj
            return obj

        return decorator

    def names(self) -> list[str]:
        return sorted(self._targets)

    def __contains__(self, name: object) -> bool:
        return name in self._targets

    def get(self, name: str) -> T:
        """The object registered as ``name``, imported on first use."""
        if name in self._loaded:
            return self._loaded[name]
        if name not in self._targets:
            raise UserError(
                f"unknown {self.kind} {name!r}{did_you_mean(name, self._targets)}; "
                f"choose one of: {', '.join(self.names())}"
            )
        target = self._targets[name]
        if isinstance(target, str):
            module_name, _, attr = target.partition(":")
            try:
                module = importlib.import_module(module_name)
            except ImportError as exc:
                raise UserError(
                    f"{self.kind} {name!r} needs a package that is not installed ({exc.name or exc}); "
                    f"install the matching sciray extra, e.g. pip install 'sciray[{_extra_hint(exc)}]'"
                ) from exc
            obj = getattr(module, attr) if attr else module
        else:
            obj = target
        self._loaded[name] = obj
        return obj


# Which extra provides a missing top-level module, for the install hint above.
_EXTRA_OF_MODULE = {
    "vllm": "gpu",
    "open_clip": "gpu",
    "llama_cpp": "local",
    "torch": "metrics",
    "torchmetrics": "metrics",
    "transformers": "metrics",
    "deepspeed": "train",
    "peft": "train",
}


def _extra_hint(exc: ImportError) -> str:
    top = (exc.name or "").split(".")[0]
    return _EXTRA_OF_MODULE.get(top, "test")
