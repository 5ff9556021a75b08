"""What produced a record: package versions and config hashes, for lineage columns."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata

TRACKED_PACKAGES = (
    "sciray",
    "ray",
    "pyarrow",
    "pydantic",
    "matplotlib",
    "numpy",
    "pillow",
    "httpx",
    "torch",
    "transformers",
    "torchmetrics",
    "vllm",
    "llama-cpp-python",
    "deepspeed",
)


def package_versions(names: tuple[str, ...] = TRACKED_PACKAGES) -> dict[str, str]:
    """Installed version of each tracked package (missing ones are left out)."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def config_hash(data: dict) -> str:
    """A stable short hash of a config dict (key order does not matter)."""
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
