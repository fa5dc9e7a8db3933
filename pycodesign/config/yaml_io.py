"""Reading configuration files: YAML text to plain data, with clear errors."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .core import ConfigError

__all__ = ["read_yaml"]


def read_yaml(path: str | Path) -> Any:
    """The plain data of a YAML file; :class:`ConfigError` naming the file otherwise."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(str(p), "", "file not found")
    try:
        return yaml.safe_load(p.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(str(p), "", f"not valid YAML: {exc}") from None
