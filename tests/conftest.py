"""Shared test set-up: paths to the shared data, the gpu marker's skip rule."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SCIRAY_SHARED_DATA", REPO.parent / "shared" / "data"))
SCIGEN = SHARED_DATA / "scigenbench"


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def pytest_collection_modifyitems(config, items):
    if any("gpu" in item.keywords for item in items) and not _cuda_available():
        skip = pytest.mark.skip(reason="needs a CUDA GPU")
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def scigen_dir() -> Path:
    if not (SCIGEN / "scigen.jsonl").exists():
        pytest.fail(
            f"SciGenBench data not found at {SCIGEN}; set SCIRAY_SHARED_DATA to the shared/data folder"
        )
    return SCIGEN
