from __future__ import annotations

import sys

import pytest

from sciray.errors import UserError
from sciray.registry import Registry


def test_entries_import_only_when_asked(tmp_path, monkeypatch):
    (tmp_path / "lazy_backend_mod.py").write_text(
        "LOADED = True\nclass Engine:\n    name = 'lazy'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry: Registry = Registry("engine")
    registry.register("lazy", "lazy_backend_mod:Engine")
    assert "lazy_backend_mod" not in sys.modules
    assert registry.get("lazy").name == "lazy"
    assert "lazy_backend_mod" in sys.modules


def test_unknown_name_suggests_the_closest():
    registry: Registry = Registry("engine")
    registry.register("openai", object())
    registry.register("scripted", object())
    with pytest.raises(
        UserError,
        match=r"unknown engine 'opneai' \(did you mean 'openai'\?\); choose one of: openai, scripted",
    ):
        registry.get("opneai")


def test_missing_dependency_names_the_extra():
    registry: Registry = Registry("engine")
    registry.register("vllm", "vllm.entrypoints.llm:LLM")
    if "vllm" in sys.modules:
        pytest.skip("vllm is installed here")
    with pytest.raises(UserError, match=r"sciray\[gpu\]"):
        registry.get("vllm")


def test_decorator_registration_and_duplicates():
    registry: Registry = Registry("renderer")

    @registry.register("python")
    class Python:
        pass

    assert registry.get("python") is Python
    with pytest.raises(ValueError, match="registered twice"):
        registry.register("python", object())
