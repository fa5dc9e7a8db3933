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

The numpy functions below are the same equations as ngspice's MOS1 model
(``mos1load.c``) for these parameters, including the bulk junction diodes and
the ``gmin`` ngspice puts across them, so the fast solver and ngspice agree on
1T1R arrays to solver precision.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["AccessTransistor", "VT_300K", "GMIN_S", "mos1_currents"]

#: Thermal voltage kT/q at ngspice's default 27 °C (V).
VT_300K = 1.380649e-23 * 300.15 / 1.602176634e-19
#: ngspice's default gmin (S), placed across each MOSFET junction.
GMIN_S = 1e-12

_EPS0 = 8.8541878128e-12


def _positive(name: str, value, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"AccessTransistor: {name} must be a number, got {value!r}")
    v = float(value)
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise ValueError(f"AccessTransistor: {name} = {value!r} is not allowed; "
                         f"must be a finite number {'>= 0' if allow_zero else '> 0'}")
    return v


@dataclass(frozen=True)
class AccessTransistor:
    """Level-1 NMOS access transistor of a 1T1R cell (defaults: PTM 45 nm, see module doc).

    Parameters
    ----------
    w_m, l_m : float
        Channel width and length (m).
    v_gate_v : float
        Select (gate) voltage applied to every selected row (V).
    vto_v : float
        Threshold voltage (V).
    kp_a_per_v2 : float
        Process transconductance μ·C_ox (A/V²).
    lambda_per_v : float
        Channel-length modulation (1/V).
    tox_m : float
        Oxide thickness (m), used by ngspice for the Meyer gate capacitances.
    cgso_f_per_m, cgdo_f_per_m : float
        Gate–source/drain overlap capacitance per width (F/m).
    is_a : float
        Bulk junction saturation current (A).
    """

    w_m: float = 450e-9
    l_m: float = 45e-9
    v_gate_v: float = 1.0
    vto_v: float = 0.3423
    kp_a_per_v2: float = 0.02947 * 3.9 * _EPS0 / 0.9e-9
    lambda_per_v: float = 0.0
    tox_m: float = 0.9e-9
    cgso_f_per_m: float = 1e-10
    cgdo_f_per_m: float = 1e-10
    is_a: float = 1e-14

    def __post_init__(self):
        _positive("w_m", self.w_m)
        _positive("l_m", self.l_m)
        _positive("kp_a_per_v2", self.kp_a_per_v2)
        _positive("lambda_per_v", self.lambda_per_v, allow_zero=True)
        _positive("tox_m", self.tox_m)
        _positive("cgso_f_per_m", self.cgso_f_per_m, allow_zero=True)
        _positive("cgdo_f_per_m", self.cgdo_f_per_m, allow_zero=True)
        _positive("is_a", self.is_a, allow_zero=True)
        for name in ("v_gate_v", "vto_v"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) \
                    or not math.isfinite(float(v)):
                raise ValueError(f"AccessTransistor: {name} = {v!r} must be a finite number (V)")

    @property
    def beta_a_per_v2(self) -> float:
        """KP·W/L (A/V²)."""
        return self.kp_a_per_v2 * self.w_m / self.l_m

    @property
    def r_on_ohm(self) -> float:
        """Small-V_DS on-resistance at the select voltage (Ω); inf when V_G ≤ VTO."""
        ov = self.v_gate_v - self.vto_v
        return math.inf if ov <= 0 else 1.0 / (self.beta_a_per_v2 * ov)

    def model_card(self, name: str = "nacc") -> str:
        """The ngspice ``.model`` line (level 1)."""
        return (f".model {name} nmos level=1 vto={self.vto_v:.12g} kp={self.kp_a_per_v2:.15g} "
                f"lambda={self.lambda_per_v:.12g} gamma=0 phi=0.7 tox={self.tox_m:.6g} "
                f"cgso={self.cgso_f_per_m:.6g} cgdo={self.cgdo_f_per_m:.6g} is={self.is_a:.6g}")

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


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
