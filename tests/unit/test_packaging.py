"""The wheel installs exactly one namespace, ``sciray``, with every package listed."""

from __future__ import annotations

from pathlib import Path

import tomllib

REPO = Path(__file__).resolve().parents[2]
ROOTS = {
    "sciray": "sciray",
    "sciray.actors": "actors",
    "sciray.serve": "serve",
    "sciray.cluster": "cluster",
}


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def _packages_on_disk() -> set[str]:
    found = set()
    for package, folder in ROOTS.items():
        base = REPO / folder
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base)
            if "__pycache__" in rel.parts:
                continue
            found.add(".".join([package, *rel.parts]) if rel.parts else package)
    return found


def test_every_package_folder_is_listed():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    missing = _packages_on_disk() - listed
    assert not missing, (
        f"add these to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"
    )


def test_listed_packages_exist():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    stale = listed - _packages_on_disk()
    assert not stale, f"pyproject.toml lists packages with no __init__.py: {sorted(stale)}"


def test_top_level_folders_map_into_the_sciray_namespace():
    mapping = _pyproject()["tool"]["setuptools"]["package-dir"]
    assert mapping == ROOTS
    assert all(
        p == "sciray" or p.startswith("sciray.")
        for p in _pyproject()["tool"]["setuptools"]["packages"]
    )


def test_installed_namespace_points_at_the_repo_folders():
    import sciray.actors
    import sciray.cluster
    import sciray.serve

    for module, folder in (
        (sciray.actors, "actors"),
        (sciray.serve, "serve"),
        (sciray.cluster, "cluster"),
    ):
        assert Path(module.__file__).resolve().parent == (REPO / folder).resolve()


def test_cpu_constraints_pin_torch():
    lines = (REPO / "constraints" / "cpu.txt").read_text().splitlines()
    assert "torch==2.13.0" in [line.strip() for line in lines]


def test_extras_keep_gpu_packages_off_cpu_installs():
    extras = _pyproject()["project"]["optional-dependencies"]
    cpu_side = " ".join(
        extras["test"]
        + extras["metrics"]
        + extras["train"]
        + _pyproject()["project"]["dependencies"]
    )
    for gpu_only in ("vllm", "open-clip-torch", "torchvision"):
        assert gpu_only not in cpu_side
        assert any(gpu_only in req for req in extras["gpu"])


def _readme_block(marker: str) -> str:
    text = (REPO / "README.md").read_text()
    after = text.split(f"<!-- {marker} -->", 1)[1]
    return after.split("```bash\n", 1)[1].split("```", 1)[0].strip()


def test_readme_commands_use_the_cpu_constraints():
    test_command = _readme_block("test-command")
    main_command = _readme_block("main-command")
    for command in (test_command, main_command):
        assert "pip install -c constraints/cpu.txt --find-links wheels -e " in command
        assert "pip install" not in command.replace("pip install -c constraints/cpu.txt", "")
    # the prebuilt llama-cpp-python wheel that --find-links points at is in the repo
    assert list((REPO / "wheels").glob("llama_cpp_python-*-py3-none-linux_x86_64.whl"))
    assert test_command.startswith("bash scripts/install-system-packages.sh && ")
    assert test_command.endswith("&& pytest") and ".[test]" in test_command


def test_system_package_script_lists_what_the_sandbox_and_tex_need():
    script = (REPO / "scripts" / "install-system-packages.sh").read_text()
    for package in (
        "libseccomp2",
        "texlive-latex-base",
        "texlive-pictures",
        "texlive-latex-extra",
        "poppler-utils",
    ):
        assert package in script
    assert "scripts/install-system-packages.sh" in (REPO / ".ci" / "run").read_text()


def test_ci_runs_the_readme_test_command_under_a_timeout():
    ci = (REPO / ".ci" / "run").read_text()
    assert "<!-- test-command -->" in ci and "timeout" in ci
    assert "5)" in ci  # pytest's 'no tests collected' fails CI
