"""Quasi-static memdiode model, QMM (registry name ``qmm``).

E. Miranda, "Compact model for the major and minor hysteretic I-V loops in
nonlinear memristive devices", IEEE Trans. Nanotechnology 14(5), 787 (2015);
F. Aguirre et al., "Application of the quasi-static memdiode model in
cross-point arrays for large dataset pattern recognition", IEEE Access 8,
202174 (2020); F. Aguirre et al., "Hardware implementation of memristor-based
artificial neural networks", Nature Communications 15, 1974 (2024) (the
review this kit follows, which simulates crossbars with the QMM).

Equations (``veriloga/qmm.va`` states them in full)::

    I0(lam) = I_min (1 - lam) + I_max lam
    I       = sgn(V) [ W(a Rs I0 exp(a (|V| + Rs I0))) / (a Rs) - I0 ]
              (the solution of I = sgn(V) I0 (exp(a (|V| - |I| Rs)) - 1),
               a diode pair with series resistance; W = Lambert W)
    dlam/dt = (1 - lam)/tau_S(V) - lam/tau_R(V, lam)
    tau_S   = exp(-eta_S (V - V_S)),   tau_R = exp(eta_R lam^gamma (V - V_R))   (seconds)

``lam`` is bounded to [0, 1] by the memory equation itself: its set term
vanishes at lam = 1 and its reset term at lam = 0.  The balance form of the
memory equation (with tau_S, tau_R as above) is the one of the authors' SPICE
listings; it is used with both terms always on (smooth at V = 0) where the
listing switches them by polarity -- see ``veriloga/qmm.va``.

:meth:`QmmReference.lam_for_current` inverts the I-V in closed form (the state
that gives a target read current), for mapping weights to device states.
:meth:`QmmReference.for_devices` evaluates a fixed set of devices at many
voltages with the Lambert W warm-started from the previous evaluation (what
array solvers do in their Newton loops).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from ..registry import DeviceModel, Param, Reference, StateVar, StimulusHints

__all__ = ["QmmReference", "QmmDevices", "MODELS", "lambertw_exp"]

_MIRANDA = "Miranda, IEEE TNANO 14(5) 2015; Aguirre et al., IEEE Access 8 2020; Aguirre et al., Nat. Commun. 15 2024"
_KIT = ("pycodesign default, within the range of published QMM fits (I_min..I_max ~ uA..mA, "
        "alpha ~ 1-6 /V, R_S ~ 1-250 ohm, eta ~ 4-15 /V, |V_S|, |V_R| ~ 0.8-1.3 V); not a fit to one device")
_LISTING = ("memory parameters of the authors' ngspice QMM listing (F. Aguirre): I_min 2 uA, I_max 200 uA, "
            "R_S 1 ohm, eta_S 15 /V, V_S 0.8 V, eta_R 4 /V, V_R -1.3 V, gamma 0.9; alpha 2.85 /V is its "
            "beta*alpha (double diode, beta = 0.5) for this single-exponential form")

#: Kit default: symmetric SET/RESET, non-volatile at 0 V (tau = e^12 s).
KIT_SYMMETRIC: dict[str, float] = {
    "i_min": 2e-6, "i_max": 2e-4, "alpha": 3.0, "r_s": 50.0,
    "eta_set": 15.0, "v_set": 0.8, "eta_res": 15.0, "v_res": -0.8, "gamma": 0.0,
}

#: The authors' listing (see ``_LISTING``): slow, gradual RESET, lam^0.9 reset factor.
AGUIRRE_LISTING: dict[str, float] = {
    "i_min": 2e-6, "i_max": 2e-4, "alpha": 2.85, "r_s": 1.0,
    "eta_set": 15.0, "v_set": 0.8, "eta_res": 4.0, "v_res": -1.3, "gamma": 0.9,
}


#: Warm start: Newton steps stop once every residual ``|w + ln w - log_z|`` is
#: below this before a step.  The residual bounds the relative error of ``w``
#: and Newton squares it (halved), so the step taken leaves < 1e-16 relative.
_WARM_RESIDUAL = 1e-8
#: Warm starts further than this residual from the root go back to the seed:
#: Newton keeps ``w > 0`` only while the residual is below ``1 + w``.
_WARM_FAR = 0.5
_WARM_MAX_STEPS = 6
_SEED_BELOW = -20.0


def _lambertw_exp_cold(lz: np.ndarray) -> np.ndarray:
    small = lz < 30.0
    ell = np.log1p(np.exp(np.minimum(lz, 30.0)))
    w = np.where(small, ell * (1.0 - np.log1p(ell) / (2.0 + ell)), lz - np.log(np.maximum(lz, 1.0)))
    for _ in range(4):
        w = w - (w + np.log(w) - lz) * w / (1.0 + w)
    return w


def lambertw_exp(log_z, w0=None, *, out=None):
    """Principal Lambert W of ``exp(log_z)`` for any real ``log_z`` (vectorised, real arithmetic).

    Without ``w0``: Winitzki's approximation ``L (1 - ln(1 + L) / (2 + L))``
    with ``L = ln(1 + e^log_z)`` (``log_z - ln(log_z)`` past ``log_z = 30``,
    where ``exp`` would lose the point), then four Newton steps on
    ``w + ln(w) = log_z``, quadratically convergent for every ``w > 0``:
    within 1e-14 relative of ``scipy.special.lambertw`` and about three times
    faster.

    Parameters
    ----------
    log_z : array_like
        ``ln z``; the result is ``W(z)``.
    w0 : array_like or None
        Warm start, broadcastable to ``log_z``: an estimate of the result, such
        as ``W`` at the previous Newton iterate of an array solver.  Newton
        steps run from it until every residual ``|w + ln w - log_z|`` is below
        1e-8 before the step (the step then leaves < 1e-16 relative error):
        one or two steps when ``log_z`` moved little.  Entries whose start is
        not positive, not finite or further than 0.5 (in residual) from the
        root restart from the seed above, so any ``w0`` gives the same
        accuracy; only the cost depends on it.
    out : ndarray or None
        With ``w0``: array (shape of ``log_z``) to iterate in and return,
        e.g. ``w0`` itself (saves allocating in a solver's inner loop).
    """
    lz = np.asarray(log_z, dtype=float)
    if w0 is None:
        return _lambertw_exp_cold(lz)
    if out is None:
        w = np.array(np.broadcast_to(np.asarray(w0, dtype=float), lz.shape), dtype=float)
    else:
        w = out
        if w is not w0:
            np.copyto(w, np.broadcast_to(np.asarray(w0, dtype=float), lz.shape))
    tmp = np.empty_like(w)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.log(w)
        r += w
        r -= lz
        r_hi, r_lo = r.max(initial=0.0), r.min(initial=0.0)
        seed = None
        # Seed instead: starts too far (or not positive / NaN), and z < 2e-9, where the
        # residual cannot resolve w better than ulp(log_z) but the seed is exact.
        if not (r_hi <= _WARM_FAR and r_lo >= -_WARM_FAR and lz.min(initial=0.0) >= _SEED_BELOW):
            seed = ~(np.abs(r) <= _WARM_FAR) | (lz < _SEED_BELOW)
            w[seed] = _lambertw_exp_cold(lz[seed])
            r[seed] = 0.0
            r_hi, r_lo = r.max(initial=0.0), r.min(initial=0.0)
        for _ in range(_WARM_MAX_STEPS):
            done = r_hi <= _WARM_RESIDUAL and r_lo >= -_WARM_RESIDUAL
            r *= w  # Newton: w -= r w / (1 + w)
            np.add(w, 1.0, out=tmp)
            r /= tmp
            w -= r
            if done:
                return w
            np.log(w, out=r)
            r += w
            r -= lz
            if seed is not None:
                r[seed] = 0.0
            r_hi, r_lo = r.max(initial=0.0), r.min(initial=0.0)
    w[...] = _lambertw_exp_cold(lz)  # not reached for finite input
    return w


class QmmReference(Reference):
    """numpy implementation of the QMM (vectorised over v and lam)."""

    @staticmethod
    def i0(lam, p: Mapping[str, float]):
        """Diode current factor I0(lam) = I_min (1 - lam) + I_max lam (A)."""
        lam = np.asarray(lam, dtype=float)
        return p["i_min"] * (1.0 - lam) + p["i_max"] * lam

    def current(self, v, x, p: Mapping[str, float]):
        v = np.asarray(v, dtype=float)
        i0 = self.i0(x, p)
        v, i0 = np.broadcast_arrays(v, i0)
        a, rs = p["alpha"], p["r_s"]
        w = lambertw_exp(np.log(a * rs * i0) + a * (np.abs(v) + rs * i0))
        return np.sign(v) * (w / (a * rs) - i0)

    def for_devices(self, x, p: Mapping[str, float]) -> "QmmDevices":
        """Evaluator of the devices with states ``x`` (n_devices,) at many voltages (see :class:`QmmDevices`)."""
        return QmmDevices(x, p)

    def diode_voltage(self, v, x, p: Mapping[str, float]):
        """Voltage across the diode pair, V - I R_S (V)."""
        return np.asarray(v, dtype=float) - self.current(v, x, p) * p["r_s"]

    def dxdt(self, v, x, p: Mapping[str, float]):
        v = np.asarray(v, dtype=float)
        lam = np.asarray(x, dtype=float)
        isf = 1.0 if p["gamma"] == 0 else np.maximum(lam, 1e-12) ** p["gamma"]
        with np.errstate(over="ignore"):  # far-off trial points of the stiff solver
            set_rate = np.exp(p["eta_set"] * (v - p["v_set"]))  # 1/tau_S
            res_rate = np.exp(-p["eta_res"] * isf * (v - p["v_res"]))  # 1/tau_R
        return (1.0 - lam) * set_rate - lam * res_rate

    def lam_for_current(self, v_read: float, i_target, p: Mapping[str, float]):
        """The state giving current ``i_target`` at ``v_read`` (vectorised; the
        inverse of :meth:`current`, used to map conductances to states)."""
        v_read = float(v_read)
        if v_read == 0:
            raise ValueError("lam_for_current: v_read must be non-zero")
        i = np.abs(np.asarray(i_target, dtype=float))
        a, rs = p["alpha"], p["r_s"]
        vd = abs(v_read) - i * rs  # diode voltage at that current
        if np.any(vd <= 0):
            raise ValueError(f"lam_for_current: a current of {i.max():g} A cannot flow through "
                             f"r_s = {rs:g} ohm at {v_read:g} V")
        i0 = i / np.expm1(a * vd)
        lam = (i0 - p["i_min"]) / (p["i_max"] - p["i_min"])
        lo = self.current(v_read, 0.0, p)
        hi = self.current(v_read, 1.0, p)
        bad = (lam < -1e-9) | (lam > 1 + 1e-9)
        if np.any(bad):
            raise ValueError(f"lam_for_current: |I| must lie in [{abs(lo):g}, {abs(hi):g}] A at "
                             f"{v_read:g} V (the lam = 0 and lam = 1 currents)")
        return np.clip(lam, 0.0, 1.0)


class QmmDevices:
    """QMM currents of a fixed set of devices at many voltages, Lambert W warm-started.

    Array solvers evaluate the same devices once per Newton iteration at
    voltages that change less and less; starting the Lambert W from its value
    at the previous iterate replaces the seed and four Newton steps by one or
    two steps (see :func:`lambertw_exp`), and the per-device constants are
    computed once.  ``ln z`` is formed as in :meth:`QmmReference.current`,
    operation for operation, and W is converged to rounding, so both agree to
    1e-13 relative (near V = 0, where the current cancels to nothing, to
    ~1e-15 of I0 absolute).

    Parameters
    ----------
    x : array (n_devices,)
        Memory states ``lam`` of the devices.
    p : mapping
        Resolved model parameters.
    """

    def __init__(self, x, p: Mapping[str, float]):
        lam = np.asarray(x, dtype=float).reshape(-1, 1)
        self.alpha = float(p["alpha"])
        self.r_s_ohm = float(p["r_s"])
        self.i0_a = QmmReference.i0(lam, p)  # (n_devices, 1)
        a, rs = self.alpha, self.r_s_ohm
        self._log_ars_i0 = np.log(a * rs * self.i0_a)
        self._rs_i0 = rs * self.i0_a
        # W at V = 0 for each device: the first call extrapolates from it instead of seeding
        # every entry (``d ln W / d ln z = 1 / (1 + W)``).
        self._lz0 = self._log_ars_i0 + a * self._rs_i0
        self._w0 = lambertw_exp(self._lz0)

    def current(self, v, w=None):
        """Currents (A) at voltages ``v`` (n_devices, batch) V, and the Lambert W values.

        ``w`` is the second return value of the previous call (same shape;
        updated in place and returned again), or None: then W starts from its
        value at V = 0, extrapolated to first order in ``ln z`` (and any start
        too far off restarts from the seed).
        """
        v = np.asarray(v, dtype=float)
        a, rs = self.alpha, self.r_s_ohm
        lz = np.abs(v)  # log_z = ln(a Rs I0) + a (|v| + Rs I0), in place
        lz += self._rs_i0
        lz *= a
        lz += self._log_ars_i0
        if w is None:
            w = (lz - self._lz0) / (1.0 + self._w0)
            np.exp(w, out=w)
            w *= self._w0
        w = lambertw_exp(lz, w, out=w)
        i = w / (a * rs)
        i -= self.i0_a
        i *= np.sign(v, out=lz)
        return i, w

    def conductance(self, v, w):
        """Small-signal conductance dI/dV (S) from the Lambert W values of :meth:`current`.

        ``dW/d ln z = W / (1 + W)`` and ``d ln z / d|V| = alpha``, so
        ``dI/dV = W / (R_S (1 + W))`` for either polarity.
        """
        w = np.asarray(w, dtype=float)
        return w / (self.r_s_ohm * (1.0 + w))


def _params() -> tuple[Param, ...]:
    d = KIT_SYMMETRIC
    return (
        Param("i_min", d["i_min"], "A", "diode current factor I0 at lam = 0 (HRS)", low=0, low_open=True,
              source=_KIT),
        Param("i_max", d["i_max"], "A", "diode current factor I0 at lam = 1 (LRS)", low=0, low_open=True,
              source=_KIT),
        Param("alpha", d["alpha"], "1/V", "diode exponent factor", low=0, low_open=True, source=_KIT),
        Param("r_s", d["r_s"], "ohm", "series resistance", low=0, low_open=True, source=_KIT),
        Param("eta_set", d["eta_set"], "1/V", "SET transition rate", low=0, low_open=True,
              source="Aguirre ngspice QMM listing (eta_set = 15 /V)"),
        Param("v_set", d["v_set"], "V", "SET voltage", low=0, low_open=True,
              source="Aguirre ngspice QMM listing (V_set = 0.8 V)"),
        Param("eta_res", d["eta_res"], "1/V", "RESET transition rate", low=0, low_open=True,
              source=_KIT + "; chosen equal to eta_set (listing: 4 /V)"),
        Param("v_res", d["v_res"], "V", "RESET voltage (negative)", high=0, high_open=True,
              source=_KIT + "; mirror of v_set (listing: -1.3 V)"),
        Param("gamma", d["gamma"], "1", "exponent of lam in the RESET time (0: tau_R independent of lam)",
              low=0, high=5, source="Aguirre ngspice QMM listing option gam = 0 (ISF = 1)"),
        Param("lam0", 0.0, "1", "initial memory state", low=0, high=1, instance=True,
              source="HRS, as the listing's H0 = 0"),
    )


def _sanity(p: Mapping[str, float]) -> bool:
    return p["i_min"] < p["i_max"]


MODELS = [
    DeviceModel(
        name="qmm",
        title="Quasi-static memdiode model (Miranda, IEEE TNANO 2015; Aguirre et al., Nat. Commun. 2024)",
        va_file="qmm.va",
        module="pcd_qmm",
        params=_params(),
        state=StateVar(name="lam", opvar="lam", initial_param="lam0", unit="1",
                       doc="memory state lambda: 0 = HRS (I0 = i_min), 1 = LRS (I0 = i_max)",
                       bounds=lambda p: (0.0, 1.0)),
        reference=QmmReference(),
        stimulus=StimulusHints(
            amplitude_v=1.5,
            frequencies_hz=(1e3, 1e4, 1e5),
            set_pulse_v=1.3,
            reset_pulse_v=-1.3,
            pulse_width_s=20e-6,
            v_read=0.1,
            ref_rel_tol=1e-3,
            large_signal_v=1.8,
        ),
        presets={"kit_symmetric": dict(KIT_SYMMETRIC), "aguirre_listing": dict(AGUIRRE_LISTING)},
        default_preset="kit_symmetric",
        set_polarity=1,
        constraints=(
            (_sanity, "i_min must be smaller than i_max"),
        ),
        citation=("E. Miranda, IEEE Trans. Nanotechnol. 14(5), 787 (2015); F. L. Aguirre et al., IEEE Access 8, "
                  "202174 (2020); F. Aguirre et al., Nat. Commun. 15, 1974 (2024)"),
    ),
]
