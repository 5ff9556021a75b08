"""Configuration: pydantic models (``models``) and layered loading (``loader``)."""

from sciray.config.loader import ConfigError, load_config
from sciray.config.models import SciRayConfig

__all__ = ["ConfigError", "SciRayConfig", "load_config"]
