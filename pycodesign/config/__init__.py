"""One configuration tree: typed, documented sections loaded from, and written back to, YAML.

* :mod:`~pycodesign.config.core` — :class:`Section`, :func:`option`,
  :class:`ConfigError`, conversion and checks, YAML round trip, ``describe``,
  the flow-kind registry (filled by :mod:`pycodesign.flows`).
* :mod:`~pycodesign.config.architecture` — the accelerator: mapping, array,
  tiling, converters, non-idealities (:class:`Architecture`).
* :mod:`~pycodesign.config.checks` — the value checks library functions share.
* :mod:`~pycodesign.config.yaml_io` — reading YAML files.
"""
from . import checks
from .architecture import (DIFFERENTIAL_KINDS, MAX_LEVELS, AccessTransistor, Architecture, ArraySection,
                           ConvertersSection, CrossbarParasitics, MappingSection, NonIdealitySection, TECHNOLOGY_NODES,
                           TechnologySection, TiaConfig, TilingSection)
from .core import (ConfigError, OutputsConfig, Section, build, describe, option, register_flow, registered_flows,
                   to_dict, to_yaml)
from .yaml_io import read_yaml

__all__ = ["ConfigError", "Section", "option", "register_flow", "registered_flows", "build", "to_dict", "to_yaml",
           "describe", "OutputsConfig", "read_yaml", "checks",
           "Architecture", "MappingSection", "ArraySection", "TilingSection", "ConvertersSection",
           "NonIdealitySection", "TechnologySection", "TECHNOLOGY_NODES", "CrossbarParasitics", "TiaConfig", "AccessTransistor", "MAX_LEVELS",
           "DIFFERENTIAL_KINDS"]
