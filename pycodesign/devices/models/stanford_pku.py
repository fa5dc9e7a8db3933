"""Stanford-PKU metal-oxide RRAM model (registry name ``stanford_pku``).

What is implemented, exactly: the Stanford University RRAM Verilog-A model
v1.0.0 (Z. Jiang, H.-S. P. Wong, nanoHUB 2014, doi:10.4231/D37H1DN48) in its
standard mode (``model_switch = 0``), i.e. the gap model of Guan, Yu & Wong,
IEEE EDL 33(10), 1405 (2012), with one activation energy, a static local
temperature ``T = T0 + V I Rth`` and no cycle-to-cycle gap noise; its HfOx
parameters are the defaults (preset ``stanford_v1_hfox``).  Not implemented:
v1.0.0's dynamic mode (``model_switch = 1``, a random gap term
``deltaGap0 N(0, 1) / (1 + exp((T_crit - T)/T_smth))`` needing
``$rdist_normal``) and whatever Jiang et al., IEEE TED 63(5), 1884 (2016) add
to the v1.0.0 form; that paper is cited as the model family's journal
description, not as the source of these equations.

Equations (``veriloga/stanford_pku.va`` states them and every change from
v1.0.0)::

    I     = I0 exp(-(g + dgap)/g0) sinh(V/V0)
    T     = T0 + V I Rth
    gamma = gamma0 - beta (g/g1)^3
    u     = gamma a0/tox * qV/(kT)
    dg/dt = vel0 exp(-q Ea/(kT)) S_F 0.5 [e^-u W(gmax - g) - e^u W(g - gmin)]
    W(d)  = tanh(d/gap_smooth) |tanh(d/gap_smooth)|
    S_F   = (1 + tanh((gamma |V|/tox - F_min)/(2 f_smooth)))/2

Away from the gap bounds and the field threshold this is v1.0.0's
``dg/dt = -vel0 exp(-qEa/kT) sinh(u)``; the windows replace its hard clamp of
the integrated gap, the smooth step replaces its ``gamma = 0`` below F_min.
The state is the gap in metres (SI, as in v1.0.0); the conductance *falls* as
the state grows (SET shrinks the gap).

Behaviour worth knowing when choosing stimuli: SET is abrupt (Joule heating
raises T, which speeds the gap collapse: a thermal runaway), RESET is gradual.
The set pulses of the stimulus hints (1.4 V, 10 ns) shrink the gap gradually
for ~40 pulses from the HRS before the runaway completes the SET; the reset
pulses (-1.2 V, 10 ns) grow it gradually from the LRS.  The default initial
state is the LRS (v1.0.0's gap_ini), so the characterisation sine (1.2 V,
1-10 MHz) shows a gradual partial RESET whose lobe shrinks with frequency.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from ..registry import DeviceModel, Param, Reference, StateVar, StimulusHints

__all__ = ["StanfordPkuReference", "MODELS", "STANFORD_V1_HFOX", "Q_E", "K_B"]

#: Elementary charge (C) and Boltzmann constant (J/K), SI 2019 exact values
#: (the Verilog-A file uses the same literals).
Q_E = 1.602176634e-19
K_B = 1.380649e-23

_V1 = ("Stanford RRAM Verilog-A model v1.0.0, standard mode (Jiang & Wong, nanoHUB 2014, doi:10.4231/D37H1DN48; "
       "equations of Guan, Yu, Wong, IEEE EDL 33(10) 2012)")
_KIT = "pycodesign choice (not in v1.0.0); see veriloga/stanford_pku.va"

#: The v1.0.0 HfOx parameter set (model parameters only).
STANFORD_V1_HFOX: dict[str, float] = {
    "i0": 1e-3, "g0": 0.25e-9, "v0": 0.25, "vel0": 10.0, "ea": 0.6, "a0": 0.25e-9, "tox": 12e-9,
    "gamma0": 16.0, "beta": 0.8, "g1": 1e-9, "f_min": 1.4e9, "t0": 298.0, "rth": 2.1e3,
    "gap_min": 0.2e-9, "gap_max": 1.7e-9,
}


def _smooth_step(x):
    """(1 + tanh(x/2))/2: the logistic function without overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class StanfordPkuReference(Reference):
    """numpy implementation of the gap equations (vectorised over v and the gap g, in m)."""

    def current(self, v, x, p: Mapping[str, float]):
        v = np.asarray(v, dtype=float)
        g = np.asarray(x, dtype=float)
        with np.errstate(over="ignore"):  # far-off trial states of a stiff solver
            return p["i0"] * np.exp(-(g + p["dgap"]) / p["g0"]) * np.sinh(v / p["v0"])

    def temperature(self, v, x, p: Mapping[str, float]):
        """Local temperature T = T0 + V I Rth (K)."""
        return p["t0"] + np.asarray(v, dtype=float) * self.current(v, x, p) * p["rth"]

    def gamma(self, x, p: Mapping[str, float]):
        """Local field-enhancement factor gamma0 - beta (g/g1)^3."""
        return p["gamma0"] - p["beta"] * (np.asarray(x, dtype=float) / p["g1"]) ** 3

    def threshold_step(self, v, x, p: Mapping[str, float]):
        """Smooth version of v1.0.0's ``gamma*|V|/tox >= F_min`` (0..1)."""
        field = self.gamma(x, p) * np.abs(np.asarray(v, dtype=float)) / p["tox"]
        return _smooth_step((field - p["f_min"]) / p["f_smooth"])

    def dxdt(self, v, x, p: Mapping[str, float]):
        v = np.asarray(v, dtype=float)
        g = np.asarray(x, dtype=float)
        temp = self.temperature(v, g, p)
        kt = K_B * temp
        u = self.gamma(g, p) * p["a0"] / p["tox"] * Q_E * v / kt
        w_hi = np.tanh((p["gap_max"] - g) / p["gap_smooth"])
        w_hi = w_hi * np.abs(w_hi)
        w_lo = np.tanh((g - p["gap_min"]) / p["gap_smooth"])
        w_lo = w_lo * np.abs(w_lo)
        with np.errstate(over="ignore"):
            return (p["vel0"] * np.exp(-Q_E * p["ea"] / kt) * self.threshold_step(v, g, p)
                    * 0.5 * (np.exp(-u) * w_hi - np.exp(u) * w_lo))


def _params() -> tuple[Param, ...]:
    d = STANFORD_V1_HFOX
    return (
        Param("i0", d["i0"], "A", "current scale I0", low=0, low_open=True, source=_V1),
        Param("g0", d["g0"], "m", "gap scale of the current", low=0, low_open=True, source=_V1),
        Param("v0", d["v0"], "V", "voltage scale of the current", low=0, low_open=True, source=_V1),
        Param("vel0", d["vel0"], "m/s", "gap velocity prefactor", low=0, source=_V1),
        Param("ea", d["ea"], "eV", "activation energy of vacancy generation/recombination", low=0,
              low_open=True, source=_V1),
        Param("a0", d["a0"], "m", "atomic hopping distance", low=0, low_open=True, source=_V1),
        Param("tox", d["tox"], "m", "oxide thickness (L in Jiang 2016)", low=0, low_open=True, source=_V1),
        Param("gamma0", d["gamma0"], "1", "field enhancement factor at g = 0", low=0, low_open=True, source=_V1),
        Param("beta", d["beta"], "1", "gap dependence of the enhancement factor", low=0, source=_V1),
        Param("g1", d["g1"], "m", "gap scale of the enhancement factor", low=0, low_open=True, source=_V1),
        Param("f_min", d["f_min"], "V/m", "minimum local field for gap motion", low=0, source=_V1),
        Param("f_smooth", 0.01 * d["f_min"], "V/m", "width of the smooth field threshold", low=0, low_open=True,
              source=_KIT + " (1% of F_min: 10.5 mV at the default thresholds)"),
        Param("t0", d["t0"], "K", "ambient temperature", low=0, low_open=True, source=_V1),
        Param("rth", d["rth"], "K/W", "thermal resistance", low=0, source=_V1),
        Param("gap_min", d["gap_min"], "m", "smallest gap (low-resistance bound)", low=0, source=_V1),
        Param("gap_max", d["gap_max"], "m", "largest gap (high-resistance bound)", low=0, low_open=True,
              source=_V1),
        Param("gap_smooth", 0.01e-9, "m", "width of the smooth windows at the gap bounds", low=0, low_open=True,
              source=_KIT),
        Param("dg_step", 0.002e-9, "m", "largest gap change per transient time step ($bound_step)", low=0,
              low_open=True, source=_KIT + " (v1.0.0 uses a constant 1 ns bound)"),
        Param("gap_ini", d["gap_min"], "m", "initial gap (default: LRS)", low=0, instance=True, source=_V1),
        Param("dgap", 0.0, "m", "device-to-device offset of the conducting gap (in the I-V only)",
              low=-1e-9, high=1e-9, instance=True, source=_KIT + " (replaces v1.0.0's $rdist_normal)"),
    )


def _v_threshold(p: Mapping[str, float]) -> float:
    """Smallest |V| at which the field reaches F_min (at the gap where gamma is largest)."""
    gamma_max = p["gamma0"] - p["beta"] * (p["gap_min"] / p["g1"]) ** 3
    return p["f_min"] * p["tox"] / gamma_max


MODELS = [
    DeviceModel(
        name="stanford_pku",
        title="Stanford-PKU metal-oxide RRAM model v1.0.0, standard mode (Guan/Yu/Wong, IEEE EDL 2012)",
        va_file="stanford_pku.va",
        module="pcd_stanford_pku",
        params=_params(),
        state=StateVar(name="gap", opvar="gap", initial_param="gap_ini", unit="m",
                       doc="gap between conductive-filament tip and electrode (smaller = more conductive)",
                       bounds=lambda p: (p["gap_min"], p["gap_max"])),
        reference=StanfordPkuReference(),
        stimulus=StimulusHints(
            amplitude_v=1.2,
            frequencies_hz=(1e6, 3e6, 1e7),
            set_pulse_v=1.4,
            reset_pulse_v=-1.2,
            pulse_width_s=10e-9,
            v_read=0.1,
            ref_rel_tol=1e-3,
            large_signal_v=1.8,
        ),
        presets={"stanford_v1_hfox": dict(STANFORD_V1_HFOX)},
        default_preset="stanford_v1_hfox",
        set_polarity=1,
        thresholds=lambda p: (-_v_threshold(p), _v_threshold(p)),
        constraints=(
            (lambda p: p["gap_min"] < p["gap_max"], "gap_min must be smaller than gap_max"),
            (lambda p: p["gap_min"] <= p["gap_ini"] <= p["gap_max"],
             "gap_ini must lie in [gap_min, gap_max]"),
            (lambda p: p["gamma0"] - p["beta"] * (p["gap_max"] / p["g1"]) ** 3 > 0,
             "gamma0 - beta*(gap_max/g1)^3 must stay positive (field enhancement over the whole gap range)"),
            (lambda p: p["gap_smooth"] <= 0.1 * (p["gap_max"] - p["gap_min"]),
             "gap_smooth must not exceed a tenth of gap_max - gap_min"),
        ),
        citation=("Stanford RRAM Verilog-A model v1.0.0, standard mode (model_switch = 0; Z. Jiang, H.-S. P. Wong, "
                  "nanoHUB 2014, doi:10.4231/D37H1DN48), the gap model of X. Guan, S. Yu, H.-S. P. Wong, IEEE EDL "
                  "33(10), 1405 (2012); not implemented: v1.0.0's cycle-to-cycle gap noise (model_switch = 1) and "
                  "the additions of Z. Jiang et al., IEEE TED 63(5), 1884 (2016)"),
    ),
]
