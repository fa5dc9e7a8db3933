"""Flows: what ``pycodesign run FLOW.yaml`` runs, one module per ``kind:``.

Each module registers its configuration class with
:func:`pycodesign.config.register_flow` and provides a ``run_<kind>`` function;
:data:`RUNNERS` maps kinds to them and to the tools they need.
"""
from __future__ import annotations

from .characterize import CharacterizeFlow, run_characterize
from .inference import CrossbarInferenceFlow, run_crossbar_inference

#: kind -> (runner, tools checked before the run starts)
RUNNERS = {
    "characterize": (run_characterize, ("ngspice", "openvaf")),
    "crossbar_inference": (run_crossbar_inference, ("ngspice", "openvaf")),
}

__all__ = ["RUNNERS", "CharacterizeFlow", "CrossbarInferenceFlow"]
