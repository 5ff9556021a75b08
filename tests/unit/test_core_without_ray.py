"""The core package imports and works with Ray made unimportable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sciray

CORE = Path(sciray.__file__).resolve().parent

BLOCK_RAY = r"""
import importlib.abc, sys

class BlockRay(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "ray" or name.startswith("ray."):
            raise ImportError(f"ray is blocked in this test ({name})")
        return None

sys.meta_path.insert(0, BlockRay())
"""


def _core_modules() -> list[str]:
    modules = []
    for path in sorted(CORE.rglob("*.py")):
        rel = path.relative_to(CORE).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        modules.append(".".join(["sciray", *parts]))
    return modules


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", BLOCK_RAY + code], capture_output=True, text=True, timeout=120
    )


def test_every_core_module_imports_without_ray():
    modules = _core_modules()
    assert "sciray.data.problems" in modules and "sciray.cli.main" in modules
    code = "import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    code += "assert 'ray' not in sys.modules\nprint('imported', len(%r))" % (modules,)
    result = _run(code)
    assert result.returncode == 0, result.stderr


def test_the_blocker_really_blocks_ray():
    result = _run("import sciray.cluster.runtime as r\nr.init_ray.__globals__\nimport ray")
    assert result.returncode != 0
    assert "ray is blocked" in result.stderr


def test_core_cli_runs_without_ray(tmp_path):
    problems = tmp_path / "p.jsonl"
    problems.write_text('{"id": 1, "question": "q"}\n')
    code = (
        "from sciray.cli.main import main\n"
        f"rc = main(['problems', 'inspect', {str(problems)!r}, '--json'])\n"
        "assert rc == 0, rc\nassert 'ray' not in sys.modules\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert '"valid": 1' in result.stdout
