"""Item 9 — what the Stanford-PKU model implements, checked against the v1.0.0 equations.

``veriloga/stanford_pku.va`` used to cite Jiang et al. (IEEE TED 2016) for
its equations; it implements the Stanford RRAM Verilog-A model v1.0.0 in its
standard mode (the gap model of Guan, Yu & Wong, IEEE EDL 2012): one
activation energy, a static local temperature, no cycle-to-cycle gap noise.
The header and the registry now cite exactly that.

This item checks the claim numerically: the kit's numpy reference (which
``tests/test_device_stanford_pku.py`` ties to the Verilog-A) is compared,
away from the gap bounds and above the field threshold where the kit's
smooth windows are 1, with the v1.0.0 equations written out here
independently::

    I     = I0 exp(-g/g0) sinh(V/V0)
    T     = T0 + |V I| Rth
    gamma = gamma0 - beta (g / 1 nm)^3
    dg/dt = -vel0 exp(-q Ea/(k T)) sinh(gamma a0/tox q V/(k T))

(same physical constants in both).
"""
from __future__ import annotations

import numpy as np

from ..devices import get_model
from ..devices.models.stanford_pku import K_B, Q_E
from .claims import DIFFERS, REPRODUCED, Claim

__all__ = ["run", "v1_current", "v1_dgdt", "VOLTAGES_V", "GAPS_M"]

#: Check points: |V| well above the field threshold (~1.1 V: the kit's smooth step is 1 to 1e-11), gaps
#: more than 0.3 nm (30 gap_smooth) from both bounds (the windows are 1).
VOLTAGES_V = (-1.7, -1.5, 1.5, 1.7)
GAPS_M = (0.6e-9, 1.0e-9, 1.3e-9)


def v1_current(v, g, p):
    """v1.0.0's I-V."""
    return p["i0"] * np.exp(-g / p["g0"]) * np.sinh(v / p["v0"])


def v1_dgdt(v, g, p):
    """v1.0.0's gap rate (standard mode, above F_min), with its static temperature."""
    temp = p["t0"] + np.abs(v * v1_current(v, g, p)) * p["rth"]
    gamma = p["gamma0"] - p["beta"] * (g / 1e-9) ** 3
    return -p["vel0"] * np.exp(-Q_E * p["ea"] / (K_B * temp)) * np.sinh(gamma * p["a0"] / p["tox"] * Q_E * v /
                                                                       (K_B * temp))


def run(ctx=None) -> dict:
    """Compare the kit's reference with the v1.0.0 equations at the check points; one claim."""
    cmd = ctx.command_for(9) if ctx is not None else "pycodesign reproduce --items 9"
    m = get_model("stanford_pku")
    p = m.resolve()
    vv, gg = np.meshgrid(np.array(VOLTAGES_V), np.array(GAPS_M))
    kit_i = np.asarray(m.reference.current(vv, gg, p))
    kit_r = np.asarray(m.reference.dxdt(vv, gg, p))
    i_err = float(np.max(np.abs(kit_i - v1_current(vv, gg, p)) / np.abs(v1_current(vv, gg, p))))
    r_err = float(np.max(np.abs(kit_r - v1_dgdt(vv, gg, p)) / np.abs(v1_dgdt(vv, gg, p))))
    ok = i_err < 1e-9 and r_err < 1e-9
    claims = [Claim(9, "Stanford-PKU: the equations the header cites are the ones implemented",
                    "Stanford RRAM model v1.0.0 (doi:10.4231/D37H1DN48; Guan, Yu, Wong, IEEE EDL 2012); "
                    "Jiang et al., IEEE TED 2016", "v1.0.0 standard mode",
                    f"I and dg/dt equal v1.0.0's at {vv.size} points (max rel. diff. {i_err:.0e} / {r_err:.0e})",
                    REPRODUCED if ok else DIFFERS,
                    ("the header cited Jiang et al. 2016 for its equations; it implements v1.0.0's standard mode "
                     "(one activation energy, static temperature, no cycle-to-cycle gap noise), and now cites that"
                     if ok else "the kit's reference departs from the v1.0.0 equations away from the bounds"), cmd)]
    vteam = get_model("vteam")
    return {"item": 9, "title": "Model provenance: Stanford-PKU (and VTEAM pt_hf_ti)",
            "stanford_pku": {"title": m.title, "citation": m.citation, "voltages_v": list(VOLTAGES_V),
                             "gaps_m": list(GAPS_M), "current_rel_error": i_err, "rate_rel_error": r_err},
            "vteam": {"citation": vteam.citation,
                      "alpha_range": [p_.allowed() for p_ in vteam.params if p_.name == "alpha_on"][0]},
            "claims": [c.to_dict() for c in claims]}
