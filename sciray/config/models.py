"""The configuration schema. Every section is strict (``extra="forbid"``) and every field's
docstring is its help text (``sciray config show --help-fields`` lists them).

Secrets never live in config: a field that needs one holds the *name* of an environment
variable (``*_env``), read when the secret is used.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sciray.data.problems import DEFAULT_MAX_ROW_BYTES


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, validate_default=True)


class RayConfig(Section):
    """Where the Ray cluster is and how a local one is started."""

    address: str | None = None
    """Address of an existing cluster ('auto' inside a cluster, 'ray://host:10001' from outside); empty starts a local Ray for the run."""
    num_cpus: int | None = Field(default=4, ge=1)
    """Logical CPUs of a local Ray. At least 4 even on a 2-core machine, or a Serve replica and a Data job can deadlock."""
    num_gpus: int | None = Field(default=None, ge=0)
    """GPUs of a local Ray; empty lets Ray detect them."""
    namespace: str = "sciray"
    """Ray namespace for named actors and jobs."""
    include_dashboard: bool = False
    """Start the Ray dashboard with a local Ray (bound to 127.0.0.1)."""
    object_store_memory_mb: int | None = Field(default=None, ge=64)
    """Object store size of a local Ray in MiB; empty lets Ray choose."""


class ProblemsConfig(Section):
    """How problem files are read."""

    max_row_bytes: int = Field(default=DEFAULT_MAX_ROW_BYTES, ge=1024)
    """A row larger than this (bytes of JSON) is quarantined instead of loaded."""
    reference_images: str | None = None
    """Folder (path or fsspec URL) holding <id>.png reference figures, e.g. SeePhys's images."""


class SciRayConfig(Section):
    """The whole SciRay configuration."""

    ray: RayConfig = Field(default_factory=RayConfig)
    """Ray cluster connection."""
    problems: ProblemsConfig = Field(default_factory=ProblemsConfig)
    """Problem loading."""
