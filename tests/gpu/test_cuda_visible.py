"""Sanity check for GPU hosts: torch sees the device the gpu-marked tests will use."""

import pytest


@pytest.mark.gpu
def test_torch_allocates_on_cuda():
    torch = pytest.importorskip("torch")
    x = torch.ones(1024, 1024, device="cuda")
    assert float((x @ x).sum()) == 1024.0**3
