"""HP linear ion-drift memristor (registry name ``hp``).

D. B. Strukov, G. S. Snider, D. R. Stewart, R. S. Williams, "The missing
memristor found", Nature 453, 80 (2008), with the window functions of
Joglekar & Wolf (Eur. J. Phys. 30, 661, 2009), Biolek et al.
(Radioengineering 18(2), 210, 2009) and Prodromakis et al. (IEEE TED 58(9),
3099, 2011), selected by the integer parameter ``window``.

Equations (``veriloga/hp_linear_drift.va`` states them in full)::

    V     = [R_on x + R_off (1 - x)] I,            x = w / D in [0, 1]
    dx/dt = (mu_v R_on / D^2) I f(x, I)
    window 1 (Joglekar):     f = 1 - (2x - 1)^(2p)
    window 2 (Biolek):       f = 1 - (x - s(I))^(2p),  s(I) = (1 - tanh(I / i_eps)) / 2
    window 3 (Prodromakis):  f = j [1 - ((x - 1/2)^2 + 3/4)^p]

``p`` is the parameter ``p_win`` (``p`` is the device's positive terminal).
There is no "no window" option: the bare linear-drift state is unbounded.
Biolek's step ``stp(-I)`` is replaced by the smooth ``s(I)`` above so the
solver sees no discontinuity at ``I = 0``; where the two differ (``|I| <~
i_eps``) the state moves at most at ``k i_eps`` (1e-4 /s by default).

The reference here integrates ``x`` with the windows exactly as written.  The
Verilog-A integrates, for windows 1 and 3, a phase ``phi`` with ``x = (1 - o
cos phi)/2`` — the same ODE rewritten so that no time step can push ``x`` out
of [0, 1] (those windows repel an overshooting state under reverse drive) —
and ``x`` itself for Biolek's window, which restores an overshoot by itself;
``max_step_s = 1 ms`` keeps that overshoot below 1e-14 at the hinted drives.
The two implementations agree to ~1e-5 of the current at the hinted sine.
They part only after a state has been driven into a bound for long: in
double precision ``x`` rounds to exactly 1 once ``1 - x < 1e-16`` and the
reference then sticks there (the window is 0), whereas the phase form keeps
``1 - x`` (down to ~1e-300) and returns under reverse drive, as the exact
ODE does.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from ..registry import DeviceModel, Param, Reference, StateVar, StimulusHints

__all__ = ["HPReference", "MODELS", "WINDOWS"]

#: ``window`` parameter values.
WINDOWS = {"joglekar": 1, "biolek": 2, "prodromakis": 3}

_STRUKOV = "Strukov et al., Nature 453, 80 (2008)"


class HPReference(Reference):
    """numpy implementation of the HP linear-drift equations (vectorised over v and x)."""

    def resistance(self, x, p: Mapping[str, float]):
        """Memristance R(x) = R_on x + R_off (1 - x) (Ohm)."""
        x = np.asarray(x, dtype=float)
        return p["r_on"] * x + p["r_off"] * (1.0 - x)

    def current(self, v, x, p: Mapping[str, float]):
        return np.asarray(v, dtype=float) / self.resistance(x, p)

    def window(self, x, i, p: Mapping[str, float]):
        """The selected window f(x, I)."""
        x = np.asarray(x, dtype=float)
        pw = p["p_win"]
        w = int(round(p["window"]))
        if w == 1:
            return 1.0 - np.abs(2.0 * x - 1.0) ** (2 * pw)
        if w == 2:
            s = 0.5 * (1.0 - np.tanh(np.asarray(i, dtype=float) / p["i_eps"]))
            return 1.0 - np.abs(x - s) ** (2 * pw)
        if w == 3:
            return p["j"] * (1.0 - ((x - 0.5) ** 2 + 0.75) ** pw)
        raise ValueError(f"hp: window must be 1, 2 or 3, got {p['window']!r}")

    def dxdt(self, v, x, p: Mapping[str, float]):
        i = self.current(v, x, p)
        k = p["mu_v"] * p["r_on"] / p["d"] ** 2
        return k * i * self.window(x, i, p)


def _params() -> tuple[Param, ...]:
    return (
        Param("r_on", 100.0, "Ohm", "ON resistance (fully doped, x = 1)", low=0, low_open=True,
              instance=True, source=_STRUKOV),
        Param("r_off", 16e3, "Ohm", "OFF resistance (undoped, x = 0)", low=0, low_open=True,
              instance=True, source=_STRUKOV + " (R_off/R_on = 160)"),
        Param("d", 10e-9, "m", "film thickness D", low=0, low_open=True, source=_STRUKOV),
        Param("mu_v", 1e-14, "m^2/(V s)", "dopant mobility", low=0, low_open=True,
              source=_STRUKOV + " (1e-10 cm^2/(V s))"),
        Param("window", 1, "", "window function: 1 Joglekar, 2 Biolek, 3 Prodromakis", low=1, high=3,
              integer=True, source="Joglekar & Wolf 2009 (the common default)"),
        Param("p_win", 2.0, "", "window exponent p (Joglekar/Biolek use 2p, Prodromakis p)", low=1, high=50,
              source="Kvatinsky et al., 'Verilog-A for memristor models', Technion CCIT report 801 (2011)"),
        Param("j", 1.0, "", "Prodromakis window scale factor", low=0, low_open=True,
              source="Prodromakis et al., IEEE TED 58(9), 3099 (2011)"),
        Param("i_eps", 1e-8, "A", "current scale of the smooth step replacing stp(-I) in Biolek's window",
              low=0, low_open=True, source="kit choice: << device currents, so the step is sharp"),
        Param("x0", 0.1, "", "initial state w0/D", low=0, high=1, instance=True,
              source="kit choice: a high-resistance start"),
    )


MODELS = [
    DeviceModel(
        name="hp",
        title="HP linear ion-drift memristor (Strukov et al., Nature 2008) with Joglekar/Biolek/Prodromakis windows",
        va_file="hp_linear_drift.va",
        module="pcd_hp_linear_drift",
        params=_params(),
        state=StateVar(name="x", opvar="x", initial_param="x0", unit="1",
                       doc="normalised doped-region width w/D (x = 1: R_on)",
                       bounds=lambda p: (0.0, 1.0)),
        reference=HPReference(),
        stimulus=StimulusHints(
            amplitude_v=1.0,
            frequencies_hz=(0.5, 2.0, 8.0),
            set_pulse_v=1.0,
            reset_pulse_v=-1.0,
            pulse_width_s=20e-3,
            v_read=0.01,
            ref_rel_tol=1e-4,
            large_signal_v=1.5,
        ),
        presets={
            "strukov2008_joglekar": {"r_on": 100.0, "r_off": 16e3, "d": 10e-9, "mu_v": 1e-14, "window": 1},
            "strukov2008_biolek": {"r_on": 100.0, "r_off": 16e3, "d": 10e-9, "mu_v": 1e-14, "window": 2},
            "strukov2008_prodromakis": {"r_on": 100.0, "r_off": 16e3, "d": 10e-9, "mu_v": 1e-14, "window": 3},
        },
        set_polarity=1,
        constraints=((lambda p: p["r_on"] < p["r_off"], "r_on must be below r_off"),),
        max_step_s=1e-3,
        citation=("D. B. Strukov et al., Nature 453, 80 (2008); Y. N. Joglekar, S. J. Wolf, Eur. J. Phys. 30, "
                  "661 (2009); Z. Biolek et al., Radioengineering 18(2), 210 (2009); T. Prodromakis et al., "
                  "IEEE TED 58(9), 3099 (2011)"),
    ),
]
