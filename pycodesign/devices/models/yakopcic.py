"""Yakopcic generalized memristive-device model (registry name ``yakopcic``).

C. Yakopcic et al., "A memristor device model", IEEE EDL 32(10), 2011, and
"Generalized memristive device SPICE model and its application in circuit
design", IEEE TCAD 32(8), 2013.  Default (and preset ``oblea_ag_chalcogenide``)
parameters: the 2011 fit to the Ag-chalcogenide device of Oblea et al. (2010).

Equations (``veriloga/yakopcic.va`` states them in full)::

    I     = a1 x sinh(b V)  (V >= 0),   a2 x sinh(b V)  (V < 0)
    g(V)  = Ap (e^V - e^Vp)  (V > Vp),  -An (e^-V - e^Vn)  (V < -Vn),  0 else
    f(x)  = e^{-alphap (x - xp)} wp(x)  if eta V >= 0 and x >= xp
            e^{alphan (x + xn - 1)} wn(x) if eta V < 0 and x <= 1 - xn
            1 otherwise
    wp(x) = (xp - x)/(1 - xp) + 1,   wn(x) = x/(1 - xn)
    dx/dt = eta g(V) f(x)

The published piecewise functions are kept as they are: they are continuous
(only their slopes jump at the thresholds and at x = xp, 1 - xn), which the
tests show ngspice integrates without trouble.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from ..registry import DeviceModel, Param, Reference, StateVar, StimulusHints

__all__ = ["YakopcicReference", "MODELS", "OBLEA_AG_CHALCOGENIDE"]

_SRC = "Yakopcic et al., IEEE EDL 32(10) 2011, fit to Oblea et al. (IJCNN 2010) Ag-chalcogenide device"

#: The 2011 parameter set for the Boise State Ag-chalcogenide device.
OBLEA_AG_CHALCOGENIDE: dict[str, float] = {
    "a1": 0.17, "a2": 0.17, "b": 0.05, "vp": 0.16, "vn": 0.15, "ap": 4000.0, "an": 4000.0,
    "xp": 0.3, "xn": 0.5, "alphap": 1.0, "alphan": 5.0, "eta": 1.0, "x0": 0.11,
}


class YakopcicReference(Reference):
    """numpy implementation of the Yakopcic equations (vectorised over v and x)."""

    def current(self, v, x, p: Mapping[str, float]):
        v = np.asarray(v, dtype=float)
        x = np.asarray(x, dtype=float)
        amp = np.where(v >= 0, p["a1"], p["a2"])
        return amp * x * np.sinh(p["b"] * v)

    def g(self, v, p: Mapping[str, float]):
        """Threshold function g(V) (1/s)."""
        v = np.asarray(v, dtype=float)
        pos = p["ap"] * (np.exp(v) - np.exp(p["vp"]))
        neg = -p["an"] * (np.exp(-v) - np.exp(p["vn"]))
        return np.where(v > p["vp"], pos, np.where(v < -p["vn"], neg, 0.0))

    def f(self, v, x, p: Mapping[str, float]):
        """Motion window f(x), selected by the sign of eta*V."""
        v = np.asarray(v, dtype=float)
        x = np.asarray(x, dtype=float)
        xp, xn = p["xp"], p["xn"]
        wp = (xp - x) / (1 - xp) + 1
        wn = x / (1 - xn)
        f_up = np.where(x >= xp, np.exp(-p["alphap"] * (x - xp)) * wp, 1.0)
        f_dn = np.where(x <= 1 - xn, np.exp(p["alphan"] * (x + xn - 1)) * wn, 1.0)
        return np.where(p["eta"] * v >= 0, f_up, f_dn)

    def dxdt(self, v, x, p: Mapping[str, float]):
        return p["eta"] * self.g(v, p) * self.f(v, x, p)


def _params() -> tuple[Param, ...]:
    d = OBLEA_AG_CHALCOGENIDE
    return (
        Param("a1", d["a1"], "A", "I-V amplitude for V >= 0", low=0, low_open=True, source=_SRC),
        Param("a2", d["a2"], "A", "I-V amplitude for V < 0", low=0, low_open=True, source=_SRC),
        Param("b", d["b"], "1/V", "I-V curvature (sinh argument scale)", low=0, low_open=True, source=_SRC),
        Param("vp", d["vp"], "V", "positive threshold voltage", low=0, source=_SRC),
        Param("vn", d["vn"], "V", "negative threshold magnitude (motion for V < -vn)", low=0, source=_SRC),
        Param("ap", d["ap"], "1/s", "state-motion magnitude above vp", low=0, source=_SRC),
        Param("an", d["an"], "1/s", "state-motion magnitude below -vn", low=0, source=_SRC),
        Param("xp", d["xp"], "1", "state above which positive motion decays", low=0, high=1, high_open=True,
              source=_SRC),
        Param("xn", d["xn"], "1", "1 - state below which negative motion decays", low=0, high=1, high_open=True,
              source=_SRC),
        Param("alphap", d["alphap"], "1", "decay rate of positive motion near x = 1", low=0, source=_SRC),
        Param("alphan", d["alphan"], "1", "decay rate of negative motion near x = 0", low=0, source=_SRC),
        Param("eta", d["eta"], "1", "direction of motion: +1 (V > 0 raises x) or -1", low=-1, high=1,
              source=_SRC),
        Param("x0", d["x0"], "1", "initial state", low=0, high=1, instance=True, source=_SRC),
    )


def _thresholds(p: Mapping[str, float]) -> tuple[float, float]:
    return (-p["vn"], p["vp"])


MODELS = [
    DeviceModel(
        name="yakopcic",
        title="Yakopcic generalized memristor model (Yakopcic et al., IEEE EDL 2011 / TCAD 2013)",
        va_file="yakopcic.va",
        module="pcd_yakopcic",
        params=_params(),
        state=StateVar(name="x", opvar="x", initial_param="x0", unit="1",
                       doc="normalised state (conductance is proportional to x)",
                       bounds=lambda p: (0.0, 1.0)),
        reference=YakopcicReference(),
        stimulus=StimulusHints(
            amplitude_v=0.25,
            frequencies_hz=(100.0, 1000.0, 10000.0),
            set_pulse_v=0.25,
            reset_pulse_v=-0.25,
            pulse_width_s=50e-6,
            v_read=0.1,
            ref_rel_tol=1e-3,
            large_signal_v=1.0,
        ),
        presets={"oblea_ag_chalcogenide": dict(OBLEA_AG_CHALCOGENIDE)},
        default_preset="oblea_ag_chalcogenide",
        set_polarity=1,
        thresholds=_thresholds,
        constraints=(
            (lambda p: abs(p["eta"]) == 1.0, "eta must be +1 or -1"),
        ),
        citation=("C. Yakopcic, T. M. Taha, G. Subramanyam, R. E. Pino, S. Rogers, IEEE EDL 32(10), 1436 (2011); "
                  "C. Yakopcic, T. M. Taha, G. Subramanyam, R. E. Pino, IEEE TCAD 32(8), 1201 (2013); "
                  "A. S. Oblea et al., IJCNN 2010"),
    ),
]
