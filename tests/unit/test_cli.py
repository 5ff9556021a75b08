"""The installed ``sciray`` command: help, versions, exit codes and one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from sciray import __version__
from sciray.cli.main import main

SCIRAY = shutil.which("sciray")


def sciray(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    assert SCIRAY, "the sciray console script is not installed; pip install -e ."
    return subprocess.run([SCIRAY, *args], capture_output=True, text=True, timeout=120, env=env)


def test_version_from_the_console_script():
    result = sciray("version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"sciray {__version__}"


def test_version_json_lists_packages(capsys):
    assert main(["version", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sciray"] == __version__ and "pydantic" in data["packages"]


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["version"],
        ["config"],
        ["config", "show"],
        ["config", "validate"],
        ["config", "keys"],
        ["problems"],
        ["problems", "inspect"],
    ],
)
def test_every_command_has_help(command, capsys):
    assert main([*command, "--help"]) == 0
    assert "Usage:" in capsys.readouterr().out


def test_inspect_json_on_scigenbench(scigen_dir, capsys):
    assert main(["problems", "inspect", str(scigen_dir / "scigen.jsonl"), "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    data = json.loads(out)
    assert set(data) == {"total", "valid", "quarantined", "by_image_type"}
    assert data["total"] == 845 == data["valid"] + len(data["quarantined"])
    assert data["by_image_type"]["Physics - Mechanical"] > 0
    assert all({"line", "reason"} <= set(q) for q in data["quarantined"])


def test_inspect_table_output(scigen_dir, capsys):
    assert (
        main(
            [
                "problems",
                "inspect",
                str(scigen_dir / "seephys.jsonl"),
                "--reference-images",
                str(scigen_dir / "seephys_images"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "257 valid" in out and "257 with a reference image" in out


@pytest.mark.parametrize(
    "args, expected",
    [
        (["problems", "inspect", "/no/such/file.jsonl"], "does not exist"),
        (["problems", "inspect", "x.jsonl", "--bogus"], "No such option"),
        (["config", "show", "--set", "ray.num_cpus=many"], "ray.num_cpus"),
        (["config", "show", "--set", "ray.num_cpu=4"], "did you mean 'num_cpus'"),
        (["config", "show", "--config", "/no/such.yaml"], "does not exist"),
        (["nosuchcommand"], "No such command"),
    ],
)
def test_bad_usage_exits_2_with_one_line_and_no_traceback(args, expected):
    result = sciray(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sciray: error:") and expected in lines[0]
    assert "Traceback" not in result.stderr


def test_config_validate_reports_everything(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("ray:\n  num_cpu: 3\nproblems:\n  max_row_bytes: 1\n")
    result = sciray("config", "validate", str(f))
    assert result.returncode == 2
    assert (
        f"{f}:2: ray.num_cpu" in result.stderr and f"{f}:4: problems.max_row_bytes" in result.stderr
    )
    assert "2 problem(s)" in result.stderr
    good = tmp_path / "ok.yaml"
    good.write_text("ray:\n  num_cpus: 8\n")
    assert sciray("config", "validate", str(good)).returncode == 0


def test_config_show_applies_env_and_set(tmp_path):
    import os

    env = {**os.environ, "SCIRAY_RAY__NAMESPACE": "env-ns", "SCIRAY_RAY__NUM_CPUS": "6"}
    result = sciray("config", "show", "--json", "--set", "ray.num_cpus=9", env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ray"]["namespace"] == "env-ns" and data["ray"]["num_cpus"] == 9


def test_config_keys_documents_every_field(capsys):
    assert main(["config", "keys", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    fields = [r for r in rows if r["type"] != "section"]
    assert {"ray.address", "problems.max_row_bytes"} <= {r["key"] for r in fields}
    assert all(r["help"] for r in rows)


def test_runtime_failure_exits_1_without_traceback(tmp_path, monkeypatch, capsys):
    import sciray.data.problems as problems

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(problems, "load_problems", boom)
    assert main(["problems", "inspect", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "RuntimeError: disk on fire" in err and "Traceback" not in err
