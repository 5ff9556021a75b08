"""Hostile config files and values: refused with exit 2 and one line that says what to fix, never a
Python error, and quickly (a billion-laughs file must not expand)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from sciray.config import ConfigError, load_config

SCIRAY = shutil.which("sciray")

BILLION_LAUGHS = "".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n',
        *(f"{x}: &{x} [{','.join([f'*{p}'] * 9)}]\n" for p, x in zip("abcdefgh", "bcdefghi")),
    ]
)


def sciray(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    assert SCIRAY, "the sciray console script is not installed; pip install -e ."
    env = {k: v for k, v in (env or os.environ).items() if k != "SCIRAY_DEBUG"}
    return subprocess.run(
        [SCIRAY, *args], capture_output=True, text=True, timeout=60, env=env, check=False
    )


def one_line_exit_2(result: subprocess.CompletedProcess, expected: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sciray: error:") and expected in lines[0], lines[0]
    assert "Traceback" not in result.stderr and len(lines[0]) < 400


# Each in a subprocess with a timeout: before the limits, the 342-byte billion laughs took GBs.
HOSTILE = {
    "billion-laughs": (BILLION_LAUGHS, "aliases are expanded"),
    "deep-flow": ("ray: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested more than"),
    "deep-block": ("".join(" " * i + f"k{i}:\n" for i in range(300)), "nested more than"),
    "huge-int": ("ray:\n  num_cpus: " + "9" * 100_000 + "\n", "a number of 100000 characters"),
    "self-alias": ("ray: &a {x: *a}\n", "refers to a node that contains it"),
    "huge-file": ("# padding\n" * 40_000, "over 256 KiB"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
@pytest.mark.parametrize("command", ["validate", "show"])
def test_hostile_yaml_is_refused_with_one_line(tmp_path, name, command):
    text, expected = HOSTILE[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    args = (
        ["config", "validate", str(path)]
        if command == "validate"
        else ["config", "show", "--config", str(path)]
    )
    one_line_exit_2(sciray(*args), expected)


def test_a_few_anchors_still_work(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "coder: &llm {engine: scripted, timeout_s: 30}\nvalidator:\n  <<: *llm\n  mode: ocr\n"
    )
    cfg = load_config(str(path), env={})
    assert (
        cfg.validator.engine == "scripted"
        and cfg.validator.timeout_s == 30
        and cfg.coder.timeout_s == 30
    )


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e999"])
def test_non_finite_floats_are_refused_in_files(tmp_path, value):
    path = tmp_path / "c.yaml"
    path.write_text(f"coder:\n  timeout_s: {value}\n")
    one_line_exit_2(
        sciray("config", "show", "--config", str(path)),
        "coder.timeout_s: Input should be a finite number",
    )
    result = sciray("config", "validate", str(path))
    assert (
        result.returncode == 2
        and f"{path}:2: coder.timeout_s: Input should be a finite number" in result.stderr
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "render.timeout_s",
        "serve.request_timeout_s",
        "train.lr",
        "synth.coder.num_gpus",
        "train.resources_per_worker.GPU",
    ],
)
@pytest.mark.parametrize("value", ["inf", ".inf", "nan", ".nan"])
def test_non_finite_floats_are_refused_from_set_and_env(key, value):
    with pytest.raises(ConfigError, match="finite number"):
        load_config(None, [f"{key}={value}"], env={})
    var = "SCIRAY_" + key.upper().replace(".", "__")
    with pytest.raises(ConfigError, match=f"env {var}: .*finite number"):
        load_config(None, [], env={var: value})


def test_hostile_set_and_env_values_exit_2_with_one_line():
    one_line_exit_2(
        sciray("config", "show", "--set", "ray.num_cpus=" + "9" * 100_000), "ray.num_cpus"
    )
    one_line_exit_2(
        sciray("config", "show", "--set", "ray.num_cpus=" + "[" * 100_000), "ray.num_cpus"
    )
    env = {**os.environ, "SCIRAY_CODER__TIMEOUT_S": ".inf"}
    one_line_exit_2(
        sciray("config", "show", env=env), "env SCIRAY_CODER__TIMEOUT_S: coder.timeout_s"
    )


def test_problems_caps_are_config_keys(tmp_path):
    cfg = load_config(None, ["problems.max_depth=16", "problems.max_decompressed_mb=8"], env={})
    assert cfg.problems.read_limits() == {
        "max_row_bytes": 1_000_000,
        "max_depth": 16,
        "max_decompressed_mb": 8,
    }
    with pytest.raises(ConfigError, match="problems.max_depth"):
        load_config(None, ["problems.max_depth=100000"], env={})  # past what json can parse
