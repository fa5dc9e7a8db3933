"""Flow kinds: the registry of runners, and loading a flow file into its configuration.

Every flow module registers its configuration class with
:func:`pycodesign.config.register_flow`; importing this module imports them
all, so the registry is complete before any flow file is read.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import ConfigError, build, read_yaml, registered_flows
from ..config.core import _short
from .characterize import run_characterize
from .inference import run_crossbar_inference
from .search import run_search
from .sweep import run_sweep

__all__ = ["RUNNERS", "flow_kinds", "flow_class", "flow_from_dict", "load_flow"]

#: kind -> (runner, tools checked before the run starts)
RUNNERS = {
    "characterize": (run_characterize, ("ngspice", "openvaf")),
    "crossbar_inference": (run_crossbar_inference, ("ngspice", "openvaf")),
    "search": (run_search, ("ngspice", "openvaf")),
    "sweep": (run_sweep, ("ngspice", "openvaf")),
}


def flow_kinds() -> list[str]:
    """Every flow kind, sorted."""
    return sorted(registered_flows())


def flow_class(kind: Any, *, file: str | None = None) -> type:
    """The configuration class of *kind*; :class:`ConfigError` listing the kinds otherwise."""
    flows = registered_flows()
    if not isinstance(kind, str) or kind not in flows:
        raise ConfigError(file, "kind", f"{_short(kind)} is not a known flow kind; allowed: "
                                        f"{', '.join(sorted(flows))}")
    return flows[kind]


def flow_from_dict(data: Any, *, file: str | None = None):
    """Build the flow configuration for ``data['kind']``."""
    if not isinstance(data, dict):
        raise ConfigError(file, "", "a flow file must be a YAML mapping")
    cls = flow_class(data.get("kind"), file=file)
    return build(cls, {k: v for k, v in data.items() if k != "kind"}, file=file)


def load_flow(path: str | Path):
    """Read and validate a flow YAML file."""
    return flow_from_dict(read_yaml(path), file=str(path))
