"""Item 2 — the review's worked mapping example (Aguirre et al. 2024, Eq. 6-9) and its Eq. 5.

The printed matrices are transcribed here from the review (the 4 × 4 entries
shown; the ellipsis columns are not printed).  Eq. 9's conductances are kept
as level indices ``k`` of the six states ``{G_HRS, 0.2, 0.4, 0.6, 0.8, 1.0 ×
G_LRS}``: ``k = 0`` is ``G_HRS``, ``k >= 1`` is ``k G_LRS / 5``.

The kit maps Eq. 6 with :func:`pycodesign.mapping.map_weights`:

* ``levels=6, w_max=5`` (six linearly spaced states in [G_HRS, G_LRS]):
  the level indices are the quantised weights of Eq. 8;
* the literal state list ``[G_HRS, 0.2 G_LRS, …, G_LRS]``: the conductances
  are Eq. 9's states.

Eq. 5 as printed, ``G = a W + b`` with ``a = (G_max − G_min)/(max W − min W)``
and ``b = G_max − a max W``, sends ``w = 0`` to ``G_max − (G_max − G_min) max W
/ (max W − min W)`` — mid-window for weights symmetric about 0 — while Eq. 9
(and the kit) send ``|w| = 0`` to G_HRS, i.e. ``a = (G_LRS − G_HRS)/max|W|``
and ``b = G_HRS`` applied to W⁺ and W⁻.
"""
from __future__ import annotations

import numpy as np

from ..mapping import map_weights
from .claims import DIFFERS, REPRODUCED, Claim

__all__ = ["W_EQ6", "W_POS_EQ8", "W_NEG_EQ8", "G_POS_EQ9_LEVELS", "G_NEG_EQ9_LEVELS", "run", "level_label",
           "eq5_conductance"]

#: Eq. 6, the weights (the 4 × 4 entries printed).
W_EQ6 = ((1.1, 4.7, -3.9, 4.9), (1.8, -3.0, -1.2, 0.2), (4.6, -4.9, 0.3, 1.3), (-0.9, 2.7, -2.2, -4.8))
#: Eq. 8, the quantised W⁺ and W⁻ as printed.
W_POS_EQ8 = ((1, 5, 0, 5), (2, 0, 0, 0), (5, 0, 0, 1), (0, 3, 0, 0))
W_NEG_EQ8 = ((0, 0, 4, 0), (0, 3, 1, 0), (0, 5, 0, 0), (1, 0, 2, 5))
#: Eq. 9, G⁺ and G⁻ as printed, as level indices (0: G_HRS, k: k G_LRS / 5).
G_POS_EQ9_LEVELS = ((1, 5, 0, 5), (2, 0, 0, 0), (5, 0, 0, 1), (0, 3, 0, 0))
G_NEG_EQ9_LEVELS = ((0, 5, 4, 5), (0, 3, 1, 0), (0, 5, 0, 0), (5, 0, 2, 5))

#: Numbers for the conductances (the example is symbolic): the kit's digits-flow window.
G_HRS_S, G_LRS_S = 1e-5, 1e-3
W_MAX = 5.0  # "a matrix of real values in the range [-5, 5]"


def level_label(k: int) -> str:
    """Eq. 9's notation for state ``k``: ``G_HRS``, ``G_LRS/5`` … ``G_LRS``."""
    k = int(k)
    if k == 0:
        return "G_HRS"
    if k == 5:
        return "G_LRS"
    return "G_LRS/5" if k == 1 else f"{k}G_LRS/5"


def eq5_conductance(w, W, *, g_min: float, g_max: float) -> np.ndarray:
    """Eq. 5 exactly as printed: ``a w + b``, ``a = ΔG/(max W − min W)``, ``b = G_max − a max W``."""
    W = np.asarray(W, dtype=float)
    a = (g_max - g_min) / (W.max() - W.min())
    b = g_max - a * W.max()
    return a * np.asarray(w, dtype=float) + b


def run(ctx=None) -> dict:
    """Map Eq. 6 as the review does and compare with Eq. 8 and Eq. 9, entry by entry."""
    cmd = ctx.command_for(2) if ctx is not None else "pycodesign reproduce --items 2"
    W = np.array(W_EQ6)
    lin = map_weights(W, g_min=G_HRS_S, g_max=G_LRS_S, levels=6, w_max=W_MAX, scheme="differential")
    states = [G_HRS_S] + [k * G_LRS_S / 5 for k in range(1, 6)]
    lit = map_weights(W, g_min=G_HRS_S, g_max=G_LRS_S, levels=states, w_max=W_MAX, scheme="differential")
    wq_pos, wq_neg = np.asarray(lin.level_pos), np.asarray(lin.level_neg)
    g_pos_lv, g_neg_lv = np.asarray(lit.level_pos), np.asarray(lit.level_neg)
    # the conductances of the literal mapping are exactly the printed states
    states_a = np.array(states)
    if not (np.array_equal(np.asarray(lit.g_pos), states_a[g_pos_lv])
            and np.array_equal(np.asarray(lit.g_neg), states_a[g_neg_lv])):
        raise RuntimeError("map_weights with a state list returned conductances that are not the listed states")
    eq8_pos, eq8_neg = np.array(W_POS_EQ8), np.array(W_NEG_EQ8)
    eq9_pos, eq9_neg = np.array(G_POS_EQ9_LEVELS), np.array(G_NEG_EQ9_LEVELS)
    # the printed G- entries that contradict the printed W- (Eq. 8)
    contradict = [(int(i) + 1, int(j) + 1) for i, j in np.argwhere(eq9_neg != eq8_neg)]
    pos_ok = int(np.sum(wq_pos == eq8_pos))
    neg_ok = int(np.sum(wq_neg == eq8_neg))
    gpos_ok = int(np.sum(g_pos_lv == eq9_pos))
    gneg_ok = int(np.sum(g_neg_lv == eq9_neg))
    kit_vs_eq9_neg = [(int(i) + 1, int(j) + 1) for i, j in np.argwhere(g_neg_lv != eq9_neg)]

    # Eq. 5 as printed, on the printed weights
    g_zero_eq5 = float(eq5_conductance(0.0, W, g_min=G_HRS_S, g_max=G_LRS_S))
    g_zero_kit = float(np.asarray(lin.g_pos)[W < 0][0])  # W⁺ = 0 where w < 0
    mid = 0.5 * (G_HRS_S + G_LRS_S)

    claims = [
        Claim(2, "Eq. 8: W⁺ and W⁻ rounded to the 6 states", "Aguirre et al. 2024, Eq. 6-8",
              "printed 4x4 W⁺q, W⁻q", f"W⁺q {pos_ok}/16, W⁻q {neg_ok}/16 entries equal",
              REPRODUCED if pos_ok == neg_ok == 16 else DIFFERS,
              "map_weights(levels=6, w_max=5): level index = quantised weight, compared entry by entry",
              cmd),
        Claim(2, "Eq. 9: G⁺ of the example", "Aguirre et al. 2024, Eq. 9", "printed 4x4 G⁺",
              f"{gpos_ok}/16 entries equal", REPRODUCED if gpos_ok == 16 else DIFFERS,
              "states [G_HRS, G_LRS/5, ..., G_LRS] as printed; compared entry by entry", cmd),
        Claim(2, "Eq. 9: G⁻ of the example", "Aguirre et al. 2024, Eq. 9", "printed 4x4 G⁻",
              f"{gneg_ok}/16 entries equal; differ at {', '.join(f'({i},{j})' for i, j in kit_vs_eq9_neg)}",
              DIFFERS if kit_vs_eq9_neg else REPRODUCED,
              ("the printed G⁻ contradicts the paper's own Eq. 8 at (row, column) "
               + ", ".join(f"({i},{j})" for i, j in contradict)
               + " (weights 4.7 and 4.9 are positive, so G⁻ = G_HRS; -0.9 rounds to W⁻ = 1, so G⁻ = G_LRS/5); "
               "the kit follows Eq. 8, and agrees with every other entry"), cmd),
        Claim(2, "Eq. 5 maps the weight range linearly onto [G_min, G_max]", "Aguirre et al. 2024, Eq. 5 vs Eq. 9",
              f"w = 0 -> b = {g_zero_eq5 * 1e3:.4g} mS (Eq. 5 as printed)",
              f"|w| = 0 -> G_HRS = {g_zero_kit * 1e3:.4g} mS (as Eq. 9)", DIFFERS,
              (f"Eq. 5 as printed (a = ΔG/(max W - min W), b = G_max - a max W) sends w = 0 to mid-window "
               f"((G_HRS + G_LRS)/2 = {mid * 1e3:.4g} mS for the example's symmetric weights); Eq. 9 and the kit "
               "send |w| = 0 to G_HRS (a = ΔG/max|W|, b = G_HRS, applied to W⁺ and W⁻)"), cmd),
    ]
    return {
        "item": 2, "title": "Aguirre et al. 2024, Eq. 5-9: the worked mapping example",
        "g_hrs_s": G_HRS_S, "g_lrs_s": G_LRS_S, "w_max": W_MAX,
        "w_eq6": W.tolist(),
        "eq8": {"w_pos": eq8_pos.tolist(), "w_neg": eq8_neg.tolist()},
        "eq9_levels": {"g_pos": eq9_pos.tolist(), "g_neg": eq9_neg.tolist()},
        "kit": {"w_pos_q": wq_pos.tolist(), "w_neg_q": wq_neg.tolist(),
                "g_pos_levels": g_pos_lv.tolist(), "g_neg_levels": g_neg_lv.tolist(),
                "g_pos_s": np.asarray(lit.g_pos).tolist(), "g_neg_s": np.asarray(lit.g_neg).tolist(),
                "w_quantized_linear_states": np.asarray(lin.w_quantized).tolist()},
        "eq9_contradicts_eq8": [list(c) for c in contradict],
        "eq5": {"g_at_zero_s": g_zero_eq5, "mid_window_s": mid, "g_hrs_s": G_HRS_S,
                "max_w": float(W.max()), "min_w": float(W.min())},
        "claims": [c.to_dict() for c in claims],
    }
