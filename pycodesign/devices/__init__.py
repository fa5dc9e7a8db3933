"""Memristor compact models: Verilog-A sources in ``veriloga/``, compiled by
OpenVAF, simulated in ngspice, each with a numpy reference.

* :mod:`.registry` — what each model is and takes (:func:`get_model`, :func:`list_models`)
* :mod:`.compile` — Verilog-A → OSDI with a content-addressed cache
* :mod:`.simulate` — one device under a voltage waveform
* :mod:`.characterize` — stimuli and figures of merit (loop areas, nonlinearity, levels)
* :mod:`.inversion` — the device state that reads a target conductance (:func:`state_for_conductance`)
  and the conductances a model can reach (:func:`reachable_conductance_range`)
"""
from .inversion import reachable_conductance_range, state_for_conductance
from .registry import DeviceModel, Param, ParameterError, StateVar, StimulusHints, get_model, list_models

__all__ = [
    "DeviceModel",
    "Param",
    "ParameterError",
    "StateVar",
    "StimulusHints",
    "get_model",
    "list_models",
    "state_for_conductance",
    "reachable_conductance_range",
]
