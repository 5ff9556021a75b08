from __future__ import annotations

import pytest

from sciray.config import ConfigError, load_config
from sciray.config.loader import collect


def test_defaults():
    cfg = load_config(env={})
    assert cfg.ray.address is None and cfg.ray.num_cpus == 4


def test_precedence_set_over_env_over_file(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("ray:\n  num_cpus: 6\n  namespace: from-file\n  include_dashboard: true\n")
    env = {"SCIRAY_RAY__NUM_CPUS": "8", "SCIRAY_RAY__NAMESPACE": "from-env", "SCIRAY_DEBUG": "1"}
    cfg = load_config(str(f), ["ray.namespace=from-set"], env=env)
    assert cfg.ray.namespace == "from-set"
    assert cfg.ray.num_cpus == 8
    assert cfg.ray.include_dashboard is True
    assert cfg.problems.max_row_bytes == 1_000_000


def test_every_problem_is_reported_with_its_source(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(
        "ray:\n  num_cpu: 3\n  address: 5\nproblems:\n  max_row_bytes: abc\n  api_key: sk-123\nrendr: {}\n"
    )
    _, problems = collect(
        str(f), ["ray.namespace", "ray.num_gpus=-1"], env={"SCIRAY_RAY__NUM_CPUS": "x"}
    )
    text = [str(p) for p in problems]
    assert f"{f}:2: ray.num_cpu: unknown key (did you mean 'num_cpus'?)" in text
    assert any(t.startswith(f"{f}:3: ray.address:") for t in text)
    assert any(t.startswith(f"{f}:5: problems.max_row_bytes:") for t in text)
    assert any(
        t.startswith(f"{f}:6: problems.api_key: unknown key; secrets never go in config")
        for t in text
    )
    assert f"{f}:7: rendr: unknown key (did you mean 'render'?)" in text
    assert any(t.startswith("env SCIRAY_RAY__NUM_CPUS: ray.num_cpus:") for t in text)
    assert any(t.startswith("--set ray.num_gpus: ray.num_gpus:") for t in text)
    assert any(t.startswith("--set: ray.namespace: expected --set") for t in text)
    assert len(problems) == 8


def test_load_config_raises_one_line(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(None, ["ray.num_cpus=zero"], env={})
    assert "\n" not in str(info.value)
    assert "ray.num_cpus" in str(info.value)


def test_invalid_yaml_and_non_mapping(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("ray:\n  num_cpus: [1\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(str(bad), env={})
    listy = tmp_path / "list.yaml"
    listy.write_text("- 1\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(str(listy), env={})


def test_missing_file_says_how_to_fix(tmp_path):
    with pytest.raises(Exception, match="does not exist; check the path given to --config"):
        load_config(str(tmp_path / "nope.yaml"), env={})


def test_a_section_given_in_part_keeps_the_defaults_its_parent_set():
    """``validator`` defaults to the OCR proxy: setting one of its keys must not validate the
    section from its class defaults (that silently made it a vision validator)."""
    cfg = load_config(None, ["validator.temperature=0.1"])
    assert (cfg.validator.mode, cfg.validator.model) == ("ocr", "qwen2.5-coder-1.5b")
    assert cfg.validator.temperature == 0.1
    assert load_config(None, ["validator.mode=vision"]).validator.mode == "vision"
    cfg = load_config(None, [], env={"SCIRAY_VALIDATOR__MAX_TOKENS": "64"})
    assert cfg.validator.mode == "ocr" and cfg.validator.max_tokens == 64


def test_stages_after_the_coder_take_its_batch_size_unless_set():
    assert load_config(None, []).synth.validate_stage.batch_size == 1
    cfg = load_config(None, ["synth.coder.batch_size=8", "synth.render.batch_size=3"])
    assert (cfg.synth.render.batch_size, cfg.synth.validate_stage.batch_size) == (3, 8)
    cfg = load_config(None, ["synth.coder.batch_size=8", "synth.coder.num_cpus=0.5"])
    assert cfg.synth.coder.batch_size == 8 and cfg.synth.validate_stage.batch_size == 8


def test_an_engines_gpus_are_set_in_one_place():
    """Stages and Serve replicas hold what their engine holds: its tensor_parallel_size."""
    cfg = load_config(
        None,
        ["coder.engine=vllm", "coder.tensor_parallel_size=4", "validator.engine=vllm"],
        env={},
    )
    assert cfg.synth.coder.num_gpus == 4 and cfg.serve.coder_num_gpus == 4
    assert cfg.synth.validate_stage.num_gpus == 1 and cfg.synth.render.num_gpus == 0
    local = load_config(None, [], env={})
    assert local.synth.coder.num_gpus == 0 and local.serve.coder_num_gpus == 0
    # a fraction shares a GPU; a count that contradicts the engine is refused with the fix
    shared = load_config(None, ["coder.engine=vllm", "synth.coder.num_gpus=0.5"], env={})
    assert shared.synth.coder.num_gpus == 0.5
    with pytest.raises(ConfigError, match="leave synth.coder.num_gpus empty"):
        load_config(
            None,
            ["coder.engine=vllm", "coder.tensor_parallel_size=2", "synth.coder.num_gpus=1"],
            env={},
        )
    with pytest.raises(ConfigError, match="num_gpus is no engine setting"):
        load_config(None, ["coder.num_gpus=2"], env={})
