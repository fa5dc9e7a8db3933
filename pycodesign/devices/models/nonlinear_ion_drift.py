"""Nonlinear ion-drift memristor of Lehtonen & Laiho (registry name ``nonlinear_ion_drift``).

E. Lehtonen, M. Laiho, "CNN using memristors for neighborhood connections",
CNNA 2010; I-V form after J. J. Yang et al., Nature Nanotech. 3, 429 (2008).
Default parameters: the authors' own SPICE subcircuit (``a=2 b=9 c=0.01 g=4
n=4 q=13 p=1``, currents scaled by ``skaala = 10 nA``, state capacitor
``Cx = 80 uF``, i.e. ``a = 1/Cx``), read from the listing titled "CNN Using
Memristors for Neighborhood Connections, Eero Lehtonen, Mika Laiho" as
reproduced at thoughtcrackers.blogspot.com (2015/09).  (Kvatinsky et al.'s
Verilog-A report copies a=2, b=9, c=0.01, g=4, q=13 but uses n=14, a=4 and
gives no units.)

Equations (``veriloga/nonlinear_ion_drift.va`` states them in full)::

    I     = w^n beta sinh(alpha V) + chi (exp(gamma V) - 1),   w in [0, 1]
    dw/dt = a f(w) V^m,   m odd (evaluated as V |V|^(m-1))
    window 1 (Joglekar):     f = 1 - (2w - 1)^(2p)
    window 2 (Biolek):       f = 1 - (w - s(V))^(2p),  s(V) = (1 - tanh(V / v_eps)) / 2
    window 3 (Prodromakis):  f = j [1 - ((w - 1/2)^2 + 3/4)^p]

``chi (exp(gamma V) - 1)`` is zero at ``V = 0``, so the current passes
through zero at zero voltage for every state, and both terms have the sign of
``V`` (passive).  Parameter names: ``n_exp`` is the paper's ``n`` and
``p_win`` the window's ``p`` (``n`` and ``p`` are the device terminals).  The
subcircuit's series resistor, leakage term and hard state limits are not part
of the published equations and are left out.  The reference integrates ``w``
with the windows as written; the Verilog-A integrates a phase ``phi`` (``w =
(1 - o cos phi)/2``) for windows 1 and 3 so a time step cannot push ``w`` out
of [0, 1], and ``w`` itself for Biolek's self-restoring window (see
``hp.py`` for the one place where the two forms can part).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from ..registry import DeviceModel, Param, Reference, StateVar, StimulusHints

__all__ = ["NonlinearIonDriftReference", "MODELS", "LEHTONEN_LAIHO_2010"]

_SRC = "Lehtonen & Laiho, CNNA 2010, authors' SPICE subcircuit"

#: The parameter set of Lehtonen & Laiho's SPICE subcircuit, in SI units.
LEHTONEN_LAIHO_2010: dict[str, float] = {
    "alpha": 2.0, "beta": 9e-8, "chi": 1e-10, "gamma": 4.0, "n_exp": 4.0, "a": 1.25e4, "m": 13,
    "window": 1, "p_win": 1.0,
}


class NonlinearIonDriftReference(Reference):
    """numpy implementation of the Lehtonen-Laiho equations (vectorised over v and w)."""

    def current(self, v, x, p: Mapping[str, float]):
        v = np.asarray(v, dtype=float)
        w = np.asarray(x, dtype=float)
        return np.abs(w) ** p["n_exp"] * p["beta"] * np.sinh(p["alpha"] * v) + p["chi"] * np.expm1(p["gamma"] * v)

    def window(self, v, w, p: Mapping[str, float]):
        """The selected window f(w) (Biolek's also depends on the sign of V)."""
        w = np.asarray(w, dtype=float)
        pw = p["p_win"]
        k = int(round(p["window"]))
        if k == 1:
            return 1.0 - np.abs(2.0 * w - 1.0) ** (2 * pw)
        if k == 2:
            s = 0.5 * (1.0 - np.tanh(np.asarray(v, dtype=float) / p["v_eps"]))
            return 1.0 - np.abs(w - s) ** (2 * pw)
        if k == 3:
            return p["j"] * (1.0 - ((w - 0.5) ** 2 + 0.75) ** pw)
        raise ValueError(f"nonlinear_ion_drift: window must be 1, 2 or 3, got {p['window']!r}")

    def dxdt(self, v, x, p: Mapping[str, float]):
        v = np.asarray(v, dtype=float)
        m = int(round(p["m"]))
        return p["a"] * self.window(v, x, p) * v * np.abs(v) ** (m - 1)


def _params() -> tuple[Param, ...]:
    d = LEHTONEN_LAIHO_2010
    return (
        Param("alpha", d["alpha"], "1/V", "sinh argument scale of the ON branch", low=0, low_open=True, source=_SRC),
        Param("beta", d["beta"], "A", "ON-branch current scale", low=0, low_open=True, instance=True,
              source=_SRC + " (b = 9 times the 10 nA current scale)"),
        Param("chi", d["chi"], "A", "exponential-branch current scale", low=0,
              source=_SRC + " (c = 0.01 times the 10 nA current scale)"),
        Param("gamma", d["gamma"], "1/V", "exponential-branch slope", low=0, source=_SRC),
        Param("n_exp", d["n_exp"], "", "state exponent n of the current (w^n)", low=1, source=_SRC),
        Param("a", d["a"], "1/(s V^m)", "state-rate constant", low=0, low_open=True,
              source=_SRC + " (1 / 80 uF state capacitor)"),
        Param("m", d["m"], "", "odd voltage exponent of the state rate", low=1, high=31, integer=True,
              source=_SRC + " (q = 13)"),
        Param("window", d["window"], "", "window function: 1 Joglekar, 2 Biolek, 3 Prodromakis", low=1, high=3,
              integer=True, source=_SRC + " (Joglekar window)"),
        Param("p_win", d["p_win"], "", "window exponent p (Joglekar/Biolek use 2p, Prodromakis p)", low=1,
              high=50, source=_SRC),
        Param("j", 1.0, "", "Prodromakis window scale factor", low=0, low_open=True,
              source="Prodromakis et al., IEEE TED 58(9), 3099 (2011)"),
        Param("v_eps", 1e-3, "V", "voltage scale of the smooth step replacing stp(-V) in Biolek's window",
              low=0, low_open=True, source="kit choice: the state rate a|V|^m is ~1e-35 /s at 1 mV"),
        Param("w0", 0.1, "", "initial state", low=0, high=1, instance=True,
              source="kit choice: a low-conductance start"),
    )


MODELS = [
    DeviceModel(
        name="nonlinear_ion_drift",
        title="Nonlinear ion-drift memristor (Lehtonen & Laiho, CNNA 2010)",
        va_file="nonlinear_ion_drift.va",
        module="pcd_nonlinear_ion_drift",
        params=_params(),
        state=StateVar(name="w", opvar="w", initial_param="w0", unit="1",
                       doc="normalised state w (conductance grows as w^n)",
                       bounds=lambda p: (0.0, 1.0)),
        reference=NonlinearIonDriftReference(),
        stimulus=StimulusHints(
            amplitude_v=1.0,
            frequencies_hz=(1e3, 4e3, 16e3),
            set_pulse_v=1.0,
            reset_pulse_v=-1.0,
            pulse_width_s=10e-6,
            v_read=0.3,
            ref_rel_tol=1e-3,
            large_signal_v=1.5,
        ),
        presets={"lehtonen_laiho_2010": dict(LEHTONEN_LAIHO_2010)},
        set_polarity=1,
        constraints=((lambda p: int(round(p["m"])) % 2 == 1, "m must be odd"),),
        max_step_s=1e-6,
        citation=("E. Lehtonen, M. Laiho, CNNA 2010; J. J. Yang et al., Nature Nanotech. 3, 429 (2008); "
                  "Y. N. Joglekar, S. J. Wolf, Eur. J. Phys. 30, 661 (2009); Z. Biolek et al., "
                  "Radioengineering 18(2), 210 (2009); T. Prodromakis et al., IEEE TED 58(9), 3099 (2011)"),
    ),
]
