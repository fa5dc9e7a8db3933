"""The 1T1R access transistor: a documented level-1 NMOS model card and its numpy twin.

Where the parameters come from
------------------------------
The card is a first-order (SPICE level 1, Shichman–Hodges) reduction of the
**PTM 45 nm metal-gate / high-k NMOS** BSIM4 card (Predictive Technology
Model, Arizona State University, ptm.asu.edu; the same card ships with
ngspice as ``examples/kirchhoff/45nm_MGK_car2_gidlgisl.pm``):

=============  ==========================  =========================================
level-1 param  value                       from the PTM card
=============  ==========================  =========================================
``VTO``        0.3423 V                    ``vth0 = 0.3423``
``KP``         1.1307e-3 A/V²              ``u0 · epsrox·ε0 / toxe`` with
                                           ``u0 = 0.02947 m²/Vs``, ``epsrox = 3.9``,
                                           ``toxe = 0.9 nm``
``TOX``        0.9 nm                      ``toxe`` (sets the Meyer gate capacitance)
``CGSO/CGDO``  1e-10 F/m                   ``cgso``, ``cgdo`` (overlap capacitance)
``GAMMA``      0                           body effect neglected (see below)
``LAMBDA``     0                           channel-length modulation neglected
``IS``         1e-14 A                     SPICE default junction saturation current
=============  ==========================  =========================================

Default geometry W = 450 nm, L = 45 nm and gate (select) voltage 1.0 V, the
PTM 45 nm nominal supply: the on-resistance is then
``1 / (KP·W/L·(V_G − VTO)) ≈ 134 Ω``, well below the 1 kΩ–100 kΩ devices, as
an access transistor should be.  Level 1 ignores velocity saturation and
mobility degradation; at the read biases of a crossbar (|V_DS| ≲ 0.3 V, deep
linear region) it is a fair first-order model, not a sign-off one.  Body
effect and channel-length modulation are set to zero deliberately: the source
sits on the bitline at ≈ 0 V (the TIA's virtual ground), so V_SB ≈ 0, and the
device runs in the linear region where λ matters little.

The parameters are the configuration section
:class:`pycodesign.config.AccessTransistor` (re-exported here).  The numpy
functions below are the same equations as ngspice's MOS1 model
(``mos1load.c``) for these parameters, including the bulk junction diodes and
the ``gmin`` ngspice puts across them, so the fast solver and ngspice agree on
1T1R arrays to solver precision.
"""
from __future__ import annotations

import numpy as np

from ..config.architecture import AccessTransistor

__all__ = ["AccessTransistor", "VT_300K", "GMIN_S", "mos1_currents"]

#: Thermal voltage kT/q at ngspice's default 27 °C (V).
VT_300K = 1.380649e-23 * 300.15 / 1.602176634e-19
#: ngspice's default gmin (S), placed across each MOSFET junction.
GMIN_S = 1e-12

def mos1_currents(vd, vg, vs, vb, t: AccessTransistor):
    """Level-1 NMOS DC currents and their derivatives (ngspice MOS1, γ = 0, T = TNOM).

    Returns
    -------
    id_ : drain terminal current into the drain (A) = channel current − I_BD
    ib : bulk terminal current into the bulk (A) = I_BD + I_BS
    and the partial derivatives as a dict ``{("d", "d"): ∂I_D/∂V_D, ...}`` for
    the drain and source terminal currents with respect to V_D, V_G, V_S, V_B.
    The source current is ``−(id_ + ib)`` (the gate draws no DC current).
    """
    vd, vg, vs, vb = (np.asarray(a, dtype=float) for a in (vd, vg, vs, vb))
    beta = t.beta_a_per_v2
    lam = t.lambda_per_v
    vds = vd - vs
    forward = vds >= 0
    # Reverse mode swaps the roles of drain and source (symmetric device).
    vgs_eff = np.where(forward, vg - vs, vg - vd)
    vds_eff = np.abs(vds)
    vgst = vgs_eff - t.vto_v
    on = vgst > 0
    sat = on & (vgst <= vds_eff)
    lin = on & ~sat
    betap = beta * (1 + lam * vds_eff)
    ich = np.zeros_like(vgst)
    gm = np.zeros_like(vgst)
    gds = np.zeros_like(vgst)
    ich = np.where(sat, 0.5 * betap * vgst ** 2, ich)
    gm = np.where(sat, betap * vgst, gm)
    gds = np.where(sat, 0.5 * lam * beta * vgst ** 2, gds)
    ich = np.where(lin, betap * vds_eff * (vgst - 0.5 * vds_eff), ich)
    gm = np.where(lin, betap * vds_eff, gm)
    gds = np.where(lin, betap * (vgst - vds_eff) + lam * beta * vds_eff * (vgst - 0.5 * vds_eff), gds)
    # Channel current from drain to source, and its derivatives w.r.t. terminal voltages.
    # forward: i = f(vgs, vds); reverse: i = -f(vgd, vsd).
    sign = np.where(forward, 1.0, -1.0)
    i_ch = sign * ich
    # d i_ch / d vd, dvg, dvs
    di_dvg = sign * gm
    di_dvd = np.where(forward, gds, gm + gds)
    di_dvs = np.where(forward, -gm - gds, -gds)

    def junction(v):
        ex = np.exp(np.minimum(v / VT_300K, 80.0))
        i = np.where(v > 0, t.is_a * (ex - 1), t.is_a / VT_300K * v) + GMIN_S * v
        g = np.where(v > 0, t.is_a * ex / VT_300K, t.is_a / VT_300K) + GMIN_S
        return i, g

    ibd, gbd = junction(vb - vd)  # bulk -> drain diode current
    ibs, gbs = junction(vb - vs)
    id_ = i_ch - ibd
    ib = ibd + ibs
    jac = {
        ("d", "d"): di_dvd + gbd, ("d", "g"): di_dvg, ("d", "s"): di_dvs, ("d", "b"): -gbd,
        ("s", "d"): -di_dvd, ("s", "g"): -di_dvg, ("s", "s"): -di_dvs + gbs, ("s", "b"): -gbs,
    }
    return id_, ib, jac
