"""Flows: what ``pycodesign run FLOW.yaml`` runs, one module per ``kind:``.

Each module registers its configuration class with
:func:`pycodesign.config.register_flow` and provides a ``run_<kind>``
function; :data:`RUNNERS` (in :mod:`~pycodesign.flows.loader`) maps kinds to
them and to the tools they need.  Flows only orchestrate: evaluation lives in
:mod:`pycodesign.system`, plots and reports in :mod:`pycodesign.reports`.
"""
from .characterize import CharacterizeFlow, run_characterize
from .inference import CrossbarInferenceFlow, run_crossbar_inference
from .sweep import SweepFlow, run_sweep
from .loader import RUNNERS, flow_class, flow_from_dict, flow_kinds, load_flow

__all__ = ["RUNNERS", "CharacterizeFlow", "CrossbarInferenceFlow", "run_characterize", "run_crossbar_inference", "SweepFlow", "run_sweep",
           "flow_class", "flow_from_dict", "flow_kinds", "load_flow"]
