"""Item 8 — VTEAM Pt/Hf/Ti with both exponent pairings (Baokar & He, Table 2 and Fig. 7; MemTorch case study).

Two secondary sources print the Pt/Hf/Ti VTEAM fit with the exponents the
other way round:

* MemTorch's case study (``memtorch/examples/legacy/CaseStudy.ipynb``):
  ``alpha_off = 1, alpha_on = 3``; its hysteresis loop is a 1 V, 0.5 Hz sine
  over 2 s from ``x = x_on`` (MemTorch's VTEAM starts there);
* Baokar & He, Table 2: ``Alpha_on = 1, Alpha_off = 3`` (their Fig. 7 is the
  I-V of that set).

The VTEAM paper's own table could not be consulted offline.  The kit's
``pt_hf_ti`` preset ships MemTorch's pairing; this item simulates both in
ngspice (``vteam.va``) beside the numpy reference: the pinched I-V of
MemTorch's case-study sine, and the pulse response of the kit's
characterisation flow (``flows/characterize_vteam.yaml``: 30 SET pulses of
−0.56 V × 10 ns from near R_off, then 30 RESET pulses of +1 V × 5 ms, a read
at 0.1 V after each).  It also runs a fitted exponent below 1 (0.5/0.5),
which ``vteam.va`` now accepts.
"""
from __future__ import annotations

import numpy as np

from ..devices import characterize as ch
from ..devices import get_model
from ..devices.simulate import simulate_device
from .claims import DIFFERS, REPRODUCED, Claim
from .context import Context

__all__ = ["run", "PAIRINGS", "SINE", "PULSES"]

#: (label, alpha_off, alpha_on, source)
PAIRINGS = (
    ("MemTorch (α_off 1, α_on 3)", 1.0, 3.0, "MemTorch case study, memtorch/examples/legacy/CaseStudy.ipynb"),
    ("Baokar & He (α_off 3, α_on 1)", 3.0, 1.0, "Baokar & He, Table 2"),
)
#: The case study's hysteresis sine: amplitude (V), frequency (Hz), periods, initial state (m).
SINE = {"amplitude_v": 1.0, "frequency_hz": 0.5, "periods": 1.0, "x0_m": 0.0}
#: flows/characterize_vteam.yaml's pulses.
PULSES = {"set_v": -0.56, "set_width_s": 1e-8, "reset_v": 1.0, "reset_width_s": 5e-3, "v_read": 0.1,
          "read_width_s": 1e-6, "x0_m": 9e-9}
#: A fitted exponent below 1, for the widened range.
LOW_ALPHA = 0.5


def _sine(m, params, ppp):
    t, v = ch.periodic_wave("sine", SINE["amplitude_v"], SINE["frequency_hz"], periods=SINE["periods"],
                            points_per_period=ppp)
    tr = simulate_device(m, t, v, preset="pt_hf_ti", params={**params, "x0": SINE["x0_m"]})
    p = m.resolve({**params, "x0": SINE["x0_m"]}, preset="pt_hf_ti")
    ref = m.reference.simulate(tr.t, tr.v, p, p["x0"])
    at_zero = np.abs(tr.v) < 1e-12
    pos, neg = ch.lobe_areas(tr.v, tr.i)
    return {"v": tr.v.tolist(), "i": tr.i.tolist(), "i_ref": ref.i.tolist(),
            "pinch_current_a": float(np.max(np.abs(tr.i[at_zero]))) if at_zero.any() else None,
            "lobe_areas_w": [pos, neg],
            "ref_rel_error": float(np.max(np.abs(tr.i - ref.i)) / np.max(np.abs(ref.i))),
            "r_min_ohm": float(np.min(m.reference.resistance(tr.x, p))),
            "r_max_ohm": float(np.max(m.reference.resistance(tr.x, p)))}


def _pulses(m, params, n):
    pu = PULSES
    x = pu["x0_m"]
    g = []
    for amp, width in ((pu["set_v"], pu["set_width_s"]), (pu["reset_v"], pu["reset_width_s"])):
        train = ch.pulse_train(np.full(n, amp), width_s=width, v_read=pu["v_read"], read_width_s=pu["read_width_s"])
        tr = simulate_device(m, train.t, train.v, preset="pt_hf_ti", params={**params, "x0": x})
        gg = ch.conductance_at_reads(tr.t, tr.v, tr.i, train.read_windows)
        g.extend(gg if not g else gg[1:])
        x = float(tr.x[-1])
    return [float(v) for v in g]


def run(ctx: Context) -> dict:
    """Both pairings: I-V loop and pulse response in ngspice; the low-exponent check; three claims."""
    m = get_model("vteam")
    b = ctx.budget
    cmd = ctx.command_for(8)
    out = {}
    for label, a_off, a_on, src in PAIRINGS:
        prm = {"alpha_off": a_off, "alpha_on": a_on}
        ctx.progress(f"item 8: VTEAM pt_hf_ti {label}: I-V sine and pulse trains in ngspice")
        out[label] = {"alpha_off": a_off, "alpha_on": a_on, "source": src,
                      "sine": _sine(m, prm, b.iv_points_per_period), "pulses_g_s": _pulses(m, prm, b.n_pulses)}
    low = _sine(m, {"alpha_off": LOW_ALPHA, "alpha_on": LOW_ALPHA}, b.iv_points_per_period)

    claims = []
    pinched = {lab: (r["sine"]["pinch_current_a"] is not None and r["sine"]["pinch_current_a"] < 1e-12
                     and min(r["sine"]["lobe_areas_w"]) > 0) for lab, r in out.items()}
    kit = "; ".join(f"{lab}: |I(V=0)| {r['sine']['pinch_current_a']:.1e} A, lobes {r['sine']['lobe_areas_w'][0]:.2e}"
                    f" / {r['sine']['lobe_areas_w'][1]:.2e} W, R {r['sine']['r_min_ohm']:.0f}-"
                    f"{r['sine']['r_max_ohm']:.0f} Ω, vs numpy {r['sine']['ref_rel_error']:.1e}"
                    for lab, r in out.items())
    claims.append(Claim(8, "Pt/Hf/Ti VTEAM: pinched hysteresis I-V (1 V, 0.5 Hz sine)",
                        "Baokar & He, Fig. 7 and Table 2; MemTorch case study", "pinched loop (plot)", kit,
                        REPRODUCED if all(pinched.values()) else DIFFERS,
                        ("both pairings: current 0 at V = 0 and two lobes of non-zero area (ngspice, checked "
                         "against the numpy reference); the kit adds Kvatinsky windows MemTorch does not have")
                        if all(pinched.values()) else "a loop is not pinched or has an empty lobe", cmd))
    (l1, r1), (l2, r2) = out.items()
    g1, g2 = r1["pulses_g_s"], r2["pulses_g_s"]
    kit = (f"after SET pulse 1: {g1[1] * 1e3:.3g} mS ({l1}) vs {g2[1] * 1e3:.3g} mS ({l2}); after {b.n_pulses} "
           f"SET pulses {g1[b.n_pulses] * 1e3:.3g} vs {g2[b.n_pulses] * 1e3:.3g} mS (start {g1[0] * 1e3:.3g} mS)")
    claims.append(Claim(8, "Pt/Hf/Ti exponents (α_on, α_off)", "Baokar & He, Table 2 vs MemTorch case study",
                        "Table 2: α_on 1, α_off 3", kit, DIFFERS,
                        ("the two sources swap the exponents and the VTEAM paper's table could not be consulted "
                         "offline; the kit ships MemTorch's pairing (the one it could check in source). The "
                         "choice matters: at -0.56 V the SET rate goes as (V/v_on - 1)^α_on = 0.057^α_on, so "
                         "Baokar & He's α_on = 1 switches fully in one 10 ns pulse where MemTorch's α_on = 3 "
                         "programs gradually; on the 1 V sine the loops differ less (positive lobe "
                         f"{r1['sine']['lobe_areas_w'][0]:.2e} vs {r2['sine']['lobe_areas_w'][0]:.2e} W)"), cmd))
    claims.append(Claim(8, "VTEAM exponents are fitting constants (values below 1 allowed)",
                        "Kvatinsky et al., IEEE TCAS-II 2015 (VTEAM); issue 13", "α > 0",
                        f"α_off = α_on = {LOW_ALPHA:g} accepted; pinched "
                        f"(|I(V=0)| {low['pinch_current_a']:.1e} A), vs numpy {low['ref_rel_error']:.1e}",
                        REPRODUCED if low["pinch_current_a"] is not None and low["pinch_current_a"] < 1e-12
                        else DIFFERS,
                        ("vteam.va's range is now alpha from (0:inf) (was [1:inf)); max |I_ngspice - I_numpy| / "
                         f"max |I| = {low['ref_rel_error']:.1e} (shipped exponents: "
                         f"{r1['sine']['ref_rel_error']:.1e})"), cmd))
    return {"item": 8, "title": "VTEAM Pt/Hf/Ti: both exponent pairings", "sine": SINE, "pulses": PULSES,
            "n_pulses": b.n_pulses, "pairings": out, "low_alpha": {"alpha": LOW_ALPHA, **low},
            "claims": [c.to_dict() for c in claims]}
