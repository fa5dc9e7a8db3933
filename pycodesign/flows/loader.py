"""Flow kinds: every flow module imported, and the table of runners.

``RUNNERS`` maps each ``kind:`` to its runner and the tools it needs
(checked before a run starts); the loading functions live in
:mod:`pycodesign.flows.dispatch` and are re-exported here.
"""
from __future__ import annotations

from .characterize import run_characterize
from .cosim_inference import run_cosim_inference_flow
from .dispatch import (RUNNERS, check_plain_data, flow_class, flow_from_dict, flow_kinds, load_flow,
                       runner_for)
from .inference import run_crossbar_inference
from .program import run_program
from .reproductions import run_reproductions
from .search import run_search
from .sweep import run_sweep

__all__ = ["RUNNERS", "flow_kinds", "flow_class", "flow_from_dict", "load_flow", "check_plain_data", "runner_for"]

# kind -> (runner, tools checked before the run starts); the one table is dispatch.RUNNERS
RUNNERS.update({
    "characterize": (run_characterize, ("ngspice", "openvaf")),
    "crossbar_inference": (run_crossbar_inference, ("ngspice", "openvaf")),
    "program": (run_program, ("ngspice", "openvaf", "verilator", "cxx")),
    "cosim_inference": (run_cosim_inference_flow, ("ngspice", "openvaf", "verilator", "cxx")),
    "reproductions": (run_reproductions, ("ngspice", "openvaf")),
    "search": (run_search, ("ngspice", "openvaf")),
    "sweep": (run_sweep, ("ngspice", "openvaf")),
})
