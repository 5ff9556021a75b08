"""The VM recipes in cluster/: the Ray cluster-launcher config and the runtime_env for
``ray job submit``. The launcher config is checked with Ray's own launcher code (defaults filled
in as ``ray up`` does, then Ray's JSON schema); the runtime_env is built from a real wheel of
this repository and imported from. No Ray is started, no cloud is called."""

from __future__ import annotations

import copy
import math
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib
import yaml

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = REPO / "cluster" / "launcher" / "aws-gpu.yaml"
RUNTIME_ENV = REPO / "cluster" / "runtime_env.yaml"
ALL_INTERFACES = ".".join(["0"] * 4)


def launcher() -> dict:
    return yaml.safe_load(LAUNCHER.read_text())


def prepared(config: dict) -> dict:
    """What ``ray up`` validates: the config merged with the provider's defaults, then Ray's schema."""
    from ray.autoscaler._private.util import prepare_config, validate_config

    full = prepare_config(copy.deepcopy(config))
    validate_config(full)
    return full


def ray_version() -> str:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    return next(d.split("==")[1] for d in deps if d.startswith("ray["))


def test_launcher_config_passes_rays_own_validation():
    full = prepared(launcher())
    assert full["head_node_type"] == "head"
    assert set(full["available_node_types"]) == {"head", "cpu", "gpu"}


@pytest.mark.parametrize(
    "breakage,mutate",
    [
        (
            "unknown node-type field",
            lambda c: c["available_node_types"]["cpu"].__setitem__("min_wrkers", 1),
        ),
        (
            "resources as strings",
            lambda c: c["available_node_types"]["gpu"]["resources"].__setitem__("GPU", "4"),
        ),
        ("idle timeout not a number", lambda c: c.__setitem__("idle_timeout_minutes", "ten")),
        ("unknown head node type", lambda c: c.__setitem__("head_node_type", "ray.head.default")),
        (
            "min workers above the global max",
            lambda c: c["available_node_types"]["cpu"].__setitem__("min_workers", 99),
        ),
    ],
)
def test_rays_validation_rejects_a_broken_launcher_config(breakage, mutate):
    import jsonschema

    config = launcher()
    mutate(config)
    with pytest.raises((jsonschema.ValidationError, ValueError)):
        prepared(config)


def _fits(node_types: dict, cpus: float, gpus: float) -> list[str]:
    out = []
    for name, node in node_types.items():
        res = node["resources"]
        if res.get("CPU", 0) >= cpus and res.get("GPU", 0) >= gpus and (cpus or gpus):
            out.append(name)
    return out


def test_stages_of_the_example_gpu_config_fit_the_node_types():
    from sciray.config import load_config

    types = launcher()["available_node_types"]
    assert types["head"]["resources"] == {"CPU": 0}, "no task or actor may land on the head"
    cfg = load_config(str(REPO / "configs" / "gpu-cluster.yaml"), env={})
    stages = {
        "coder": cfg.synth.coder,
        "render": cfg.synth.render,
        "validate": cfg.synth.validate_stage,
    }
    for name, res in stages.items():
        fitting = _fits(types, res.num_cpus, res.num_gpus)
        assert fitting, f"stage {name} fits no node type"
        if res.num_gpus:
            assert fitting == ["gpu"], (
                f"GPU stage {name} must fit only the GPU node type, fits {fitting}"
            )
        most = res.concurrency[1] if isinstance(res.concurrency, (list, tuple)) else res.concurrency
        capacity = sum(
            types[t].get("max_workers", 0)
            * math.floor(
                min(
                    types[t]["resources"].get("CPU", 0) / res.num_cpus
                    if res.num_cpus
                    else math.inf,
                    types[t]["resources"].get("GPU", 0) / res.num_gpus
                    if res.num_gpus
                    else math.inf,
                )
            )
            for t in fitting
        )
        assert most <= capacity, (
            f"stage {name} autoscales to {most} actors, the node types hold {capacity}"
        )
    assert cfg.synth.coder.num_gpus >= cfg.coder.tensor_parallel_size


# GPU of the instance types a launcher config may use (Ray labels nodes accelerator_type:<GPU>)
INSTANCE_GPUS = {
    "p5.48xlarge": "H100",
    "p5e.48xlarge": "H200",
    "p4de.24xlarge": "A100",
    "p4d.24xlarge": "A100",
    "g6e.12xlarge": "L40S",
    "g6e.48xlarge": "L40S",
    "g5.48xlarge": "A10G",
}


def test_training_workers_of_the_example_train_config_fit_the_gpu_nodes():
    from sciray.config import load_config

    types = launcher()["available_node_types"]
    path = REPO / "configs" / "train-gpu-cluster.yaml"
    assert path.is_file(), "configs/train-gpu-cluster.yaml is missing"
    train = load_config(str(path), env={}).train
    per_worker = dict(train.resources_per_worker)
    cpus, gpus = per_worker.get("CPU", 1.0), per_worker.get("GPU", 1.0 if train.use_gpu else 0.0)
    assert gpus > 0 and _fits(types, cpus, gpus) == ["gpu"]
    gpu = types["gpu"]
    per_node = int(min(gpu["resources"]["CPU"] // cpus, gpu["resources"]["GPU"] // gpus))
    assert train.num_workers <= gpu["max_workers"] * per_node, (
        "the GPU node types cannot hold every training worker"
    )
    if train.accelerator_type:
        assert INSTANCE_GPUS.get(gpu["node_config"]["InstanceType"]) == train.accelerator_type


def test_nodes_install_the_built_wheel_with_the_right_extras():
    config = launcher()
    mounts = config["file_mounts"]
    for local in mounts.values():
        if local != "./dist":  # dist/ is what `python -m build --wheel` makes
            assert (REPO / local).exists(), f"file_mounts source {local} does not exist"
    assert mounts["~/sciray/dist"] == "./dist"
    text = yaml.safe_dump(config)
    assert ALL_INTERFACES not in text, "the dashboard must not listen on all interfaces"
    assert any("install-system-packages.sh" in c for c in config["setup_commands"])
    extras = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    )
    installs = {"head": config["head_setup_commands"]}
    installs.update(
        {
            t: n.get("worker_setup_commands", [])
            for t, n in config["available_node_types"].items()
            if t != "head"
        }
    )
    for node_type, commands in installs.items():
        wheel = [c for c in commands if "sciray/dist/sciray-*-py3-none-any.whl" in c]
        assert len(wheel) == 1, f"{node_type}: installs the wheel once"
        chosen = set(re.search(r"\.whl\)\[([a-z,]+)\]", wheel[0]).group(1).split(","))
        assert chosen <= extras, chosen - extras
        cpu_pin = "PIP_CONSTRAINT=$HOME/sciray/constraints/cpu.txt" in wheel[0]
        if node_type == "gpu":
            assert "gpu" in chosen and not cpu_pin, (
                "GPU nodes need vLLM's CUDA torch, not the CPU pin"
            )
            assert any(f'"ray[llm]=={ray_version()}"' in c for c in commands)
        else:
            assert "gpu" not in chosen and cpu_pin, (
                f"{node_type}: CPU installs use constraints/cpu.txt"
            )
    head_start = " ".join(config["head_start_ray_commands"])
    assert "--num-cpus=0" in head_start and "--dashboard-host=127.0.0.1" in head_start


def test_runtime_env_recipe_ships_the_built_wheel(tmp_path, monkeypatch):
    """Build the wheel, unpack it as README says, check Ray accepts the runtime_env and that
    the job's entrypoints import from what it ships."""
    from ray.runtime_env import RuntimeEnv

    data = yaml.safe_load(RUNTIME_ENV.read_text())
    (module_dir,) = data["py_modules"]
    assert module_dir == "build/runtime_env/sciray"
    dist = tmp_path / "dist"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = dist.glob("sciray-*-py3-none-any.whl")
    zipfile.ZipFile(wheel).extractall(tmp_path / "build" / "runtime_env")
    shipped = tmp_path / module_dir
    monkeypatch.chdir(
        tmp_path
    )  # `ray job submit` runs from the repository root: paths are relative to it
    RuntimeEnv(**data)  # Ray's own validation of the fields (the py_modules folder must exist)
    tops = {
        p.name
        for p in (tmp_path / "build" / "runtime_env").iterdir()
        if not p.name.endswith(".dist-info")
    }
    assert tops == {"sciray"}, f"the wheel must hold only the sciray package: {tops}"
    for entry in (
        "cluster/synthesize.py",
        "cluster/train.py",
        "serve/app.py",
        "actors/stages.py",
        "config/models.py",
        "render/forkserver.py",
    ):
        assert (shipped / entry).is_file(), f"the shipped package lacks sciray/{entry}"
    # py_modules puts the folder's parent first on sys.path: the job imports the shipped code
    check = (
        "import sciray.cluster.synthesize as s, sciray.serve.app, sciray.actors.stages; "
        "print(s.__file__)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", check],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(shipped.parent), "RAY_USAGE_STATS_ENABLED": "0"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().startswith(str(shipped)), proc.stdout
