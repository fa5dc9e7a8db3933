"""``linear``: a linear conductance, the non-memristive reference resistor.

Verilog-A module ``pcd_linear_g`` in ``veriloga/linear_conductance.va``:
``I(p, n) = g * V(p, n)`` with the conductance ``g`` (S) an *instance*
parameter, so the crossbar writer can give every cell its own value.  It is
the device the analog array uses for exact solver-vs-ngspice checks and for
weight matrices mapped straight to conductances.

Two registry flags describe it, and code reads nothing else (not its name,
title or reference class):

* ``linear=True`` -- the state *is* the conductance and ``I = g V`` exactly,
  so array code uses the state as the conductance and solves the array as a
  linear circuit (:attr:`DeviceModel.linear`);
* ``memristive=False`` -- it is **not a memristor**: it has no state dynamics
  (``dxdt = 0``) and no hysteresis, so its I–V loop has zero area at every
  frequency, and the memristor property tests (pinched loop whose lobe area
  falls with frequency, set/reset pulses move the state) skip it
  (:attr:`DeviceModel.memristive`).

The registry still requires a state variable and stimulus hints: the state is
the conductance itself (operating-point variable ``gstate``, initial value
the instance parameter ``g``), and the stimulus hints are ordinary read-level
drives that exercise the ngspice-vs-reference comparison only.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from ..registry import DeviceModel, Param, Reference, StateVar, StimulusHints

__all__ = ["LinearReference", "LINEAR", "MODELS"]

G_MAX_S = 1.0


class LinearReference(Reference):
    """numpy twin of ``pcd_linear_g``: ``I = g V``; the state is ``g`` and never moves."""

    def current(self, v, x, p: Mapping[str, float]):
        # The state x *is* the conductance (S); p["g"] is only its initial value.
        return np.asarray(x, dtype=float) * np.asarray(v, dtype=float)

    def didv(self, v, x, p: Mapping[str, float]):
        return np.asarray(x, dtype=float) * np.ones_like(np.asarray(v, dtype=float))

    def dxdt(self, v, x, p: Mapping[str, float]):
        return np.zeros(np.broadcast(np.asarray(v, dtype=float), np.asarray(x, dtype=float)).shape)


LINEAR = DeviceModel(
    name="linear",
    title="Linear conductance (non-memristive reference resistor)",
    va_file="linear_conductance.va",
    module="pcd_linear_g",
    params=(
        Param("g", 1e-4, "S", "conductance (per device; the state variable's initial and only value)",
              low=0.0, high=G_MAX_S, instance=True,
              source="ideal resistor; value set per cell by the array writer"),
    ),
    state=StateVar(
        name="g",
        opvar="gstate",
        initial_param="g",
        unit="S",
        doc="conductance; constant (no dynamics)",
        bounds=lambda p: (0.0, G_MAX_S),
    ),
    reference=LinearReference(),
    stimulus=StimulusHints(
        # A resistor has no hysteresis: these drives only exercise the
        # ngspice-vs-numpy comparison; the "loop" is a straight line.
        amplitude_v=1.0,
        frequencies_hz=(1.0, 10.0, 100.0),
        set_pulse_v=1.0,
        reset_pulse_v=-1.0,
        pulse_width_s=1e-3,
        v_read=0.1,
        ref_rel_tol=1e-9,
        large_signal_v=1.0,
    ),
    set_polarity=1,
    citation="Ohm's law; non-memristive reference resistor (no hysteresis, no state dynamics).",
    memristive=False,
    linear=True,
)

MODELS = [LINEAR]
