"""``sciray train`` and ``python -m sciray.cluster.train``: bad input exits 2 with one line, before
Ray starts."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sciray.cli.main import main
from sciray.train.demo import load_problems, write_demo_run


@pytest.fixture(scope="module")
def run(tmp_path_factory, scigen_dir):
    out = tmp_path_factory.mktemp("run")
    write_demo_run(load_problems(scigen_dir / "scigen.jsonl", 2), str(out))
    return str(out)


def _fails(args, capsys, expected):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("sciray: error: ") and "Traceback" not in err
    assert expected in err


def test_help(capsys):
    assert main(["train", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--data" in out and "--out" in out and "--set" in out


def test_missing_data_path(tmp_path, capsys):
    _fails(
        ["train", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "o")],
        capsys,
        "does not exist; give a run folder",
    )
    assert not (tmp_path / "o").exists()


def test_unknown_config_key(run, tmp_path, capsys):
    _fails(
        ["train", "--data", run, "--out", str(tmp_path), "--set", "train.max_step=3"],
        capsys,
        "train.max_step: unknown key (did you mean 'max_steps'?)",
    )


def test_not_sciray_shards(tmp_path, capsys):
    pq.write_table(pa.table({"a": [1]}), tmp_path / "x.parquet")
    _fails(
        ["train", "--data", str(tmp_path / "x.parquet"), "--out", str(tmp_path)],
        capsys,
        "not a SciRay shard",
    )


def test_deepspeed_on_cpu_workers_needs_a_yes(run, tmp_path, capsys):
    _fails(
        ["train", "--data", run, "--out", str(tmp_path), "--set", "train.deepspeed.enabled=true"],
        capsys,
        "set train.deepspeed.allow_cpu=true",
    )


def test_job_entrypoint_exits_2(tmp_path, capsys):
    from sciray.cluster.train import main as job_main

    assert job_main(["--data", str(tmp_path / "nope"), "--out", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_shipped_configs_validate():
    from pathlib import Path

    from sciray.config import load_config

    repo = Path(__file__).resolve().parents[2]
    tiny = load_config(str(repo / "configs" / "train_tiny_cpu.yaml"), env={})
    assert (
        tiny.train.model == "tiny-qwen2-vl"
        and tiny.train.num_workers == 2
        and not tiny.train.use_gpu
    )
    gpu = load_config(str(repo / "configs" / "train-gpu-cluster.yaml"), env={})
    assert gpu.train.use_gpu and gpu.train.deepspeed.enabled and gpu.train.deepspeed.zero_stage == 3
    assert gpu.train.bf16 and gpu.train.storage_path.startswith("s3://")
