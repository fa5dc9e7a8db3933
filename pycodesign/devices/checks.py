"""Device-aware checks of a read configuration: what the device can do at V_READ.

:func:`read_findings` is a pure function (no I/O, no simulation: the numpy
reference of the model only) that configuration checks call before anything
runs.  It returns :class:`Finding` objects; the caller turns errors into
:class:`~pycodesign.config.ConfigError` (prefixing its own key path) and
shows warnings on the terminal and in the report.

Rules
-----
Errors (the run would silently compute something else than asked):

``device_params``
    The parameters (with the preset) do not resolve
    (:meth:`DeviceModel.resolve` refuses them), or the reference gives a
    non-finite current at V_READ.  No further check runs.
``v_read_v`` — magnitude
    V_READ is zero or not finite, or ``|V_READ| >`` :data:`V_READ_MAX_V`
    (10 V: no memristor array is read there; reads are ~0.05-0.5 V).
``v_read_v`` — a read that writes
    The model has switching thresholds (``model.thresholds(params) ->
    (v_neg, v_pos)``) and ``V_READ >= v_pos`` or ``V_READ <= v_neg``: every
    read moves the state.  Also an error for a model without thresholds when
    the reference's state rate at V_READ moves the state by 1 % of its range
    in less than :data:`READ_WRITES_S` (1 us, one read pulse), over the states
    used (those whose conductance lies in the requested range, if given).
``g_hrs_s`` / ``g_lrs_s`` — magnitude
    Not finite, ``<=`` 0, below :data:`G_MIN_PLAUSIBLE_S` (1e-12 S, 1 TOhm:
    below what a TIA senses in an array) or above :data:`G_MAX_PLAUSIBLE_S`
    (1 S, 1 Ohm: the order of a wire segment); or G_HRS >= G_LRS.
``g_hrs_s`` / ``g_lrs_s`` — reachable range
    The requested [G_HRS, G_LRS] must lie within the conductances the device
    reaches at V_READ: its state bounds ``model.state.bounds(params)``
    mapped through ``reference.current(V_READ, x) / V_READ``, as computed by
    :func:`pycodesign.devices.inversion.reachable_conductance_range` (the
    range :func:`~pycodesign.devices.inversion.state_for_conductance` refuses
    targets outside of).  The message names the key, the reachable range and
    the requested range.  A relative slack of :data:`G_REL_SLACK` absorbs
    rounding at the ends.

Warnings (stated, the run goes ahead):

``v_read_v``
    ``|V_READ| >`` :data:`V_READ_WARN_V` (2 V): unusually high for a read.
    For threshold models, ``|V_READ|`` above :data:`THRESHOLD_MARGIN` (80 %)
    of the threshold on its side: a small overshoot or IR-drop variation
    would make reads write.
``v_read_v`` — read disturb
    The reference's state rate at V_READ (worst case over the states used)
    moves the state by 1 % of its range in less than
    :data:`READ_DISTURB_WARN_S` (1 s) of accumulated read time (e.g. 10^6
    reads of 1 us): long inference runs would drift the weights.  The
    estimate is ``0.01 (x_max - x_min) / max |dx/dt(V_READ, x)|``, the
    model's own equations, without the array's IR drop (which only lowers
    the device voltage).

With ``bipolar=True`` (inputs of both polarities, e.g. opposite-polarity
differential inputs, review Fig. 8b) the threshold and disturb rules are
applied at ``-V_READ`` too.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Mapping

import numpy as np

from .inversion import reachable_conductance_range
from .registry import DeviceModel, ParameterError, get_model

__all__ = ["Finding", "read_findings", "V_READ_MAX_V", "V_READ_WARN_V",
           "G_MIN_PLAUSIBLE_S", "G_MAX_PLAUSIBLE_S", "THRESHOLD_MARGIN", "READ_WRITES_S", "READ_DISTURB_WARN_S",
           "N_STATES", "G_REL_SLACK"]

#: |V_READ| above this is an error (V).
V_READ_MAX_V = 10.0
#: |V_READ| above this is a warning (V).
V_READ_WARN_V = 2.0
#: Conductances below this are an error (S): 1 TOhm.
G_MIN_PLAUSIBLE_S = 1e-12
#: Conductances above this are an error (S): 1 Ohm.
G_MAX_PLAUSIBLE_S = 1.0
#: Fraction of a switching threshold above which a read is warned about.
THRESHOLD_MARGIN = 0.8
#: Reads moving the state by 1 % of its range faster than this are an error (s).
READ_WRITES_S = 1e-6
#: Reads moving the state by 1 % of its range faster than this are a warning (s).
READ_DISTURB_WARN_S = 1.0
#: States sampled over the state bounds.
N_STATES = 257
#: Relative slack at the ends of the reachable range.
G_REL_SLACK = 1e-9

Key = Literal["v_read_v", "g_hrs_s", "g_lrs_s", "device_params"]


@dataclass(frozen=True)
class Finding:
    """One result of a device check.

    Attributes
    ----------
    level : {"error", "warning"}
    key : {"v_read_v", "g_hrs_s", "g_lrs_s", "device_params"}
        The configuration key the finding is about (the caller prefixes its
        section path, e.g. ``array.v_read_v``).
    message : str
        What is wrong, with the values and what is allowed.
    """

    level: Literal["error", "warning"]
    key: Key
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


def _label(model: DeviceModel, preset: str | None) -> str:
    name = preset or model.default_preset
    return f"`{model.name}`" + (f" (preset {name})" if name else "")


def _read_out_samples(model: DeviceModel, p: Mapping[str, float], v_read_v: float,
                      n_states: int = N_STATES) -> tuple[np.ndarray, np.ndarray]:
    """States over the bounds and their read-out conductances ``I(v_read_v, x) / v_read_v`` (S)."""
    lo, hi = (float(b) for b in model.state.bounds(p))
    xs = np.linspace(lo, hi, n_states)
    with np.errstate(all="ignore"):
        g = np.asarray(model.reference.current(np.full_like(xs, v_read_v), xs, p), dtype=float) / v_read_v
    return xs, g


def _disturb_time_s(model: DeviceModel, p: Mapping[str, float], v: float, xs: np.ndarray) -> float:
    """Read time (s) at *v* that moves the state by 1 % of its range, worst case over *xs*."""
    lo, hi = (float(b) for b in model.state.bounds(p))
    with np.errstate(all="ignore"):
        rate = np.abs(np.asarray(model.reference.dxdt(np.full_like(xs, v), xs, p), dtype=float))
    rate = rate[np.isfinite(rate)]
    worst = float(np.max(rate)) if rate.size else 0.0
    return math.inf if worst <= 0 or hi <= lo else 0.01 * (hi - lo) / worst


def _fmt_t(t: float) -> str:
    return f"{t:.3g} s"


def read_findings(model: DeviceModel | str, *, v_read_v: float, g_min_s: float | None = None,
                  g_max_s: float | None = None, params: Mapping[str, float] | None = None,
                  preset: str | None = None, bipolar: bool = False) -> list[Finding]:
    """Check a read configuration against what the device can do (see the module's rules).

    Parameters
    ----------
    model : DeviceModel or str
        A registered model or its registry name.
    v_read_v : float
        Read voltage (V).
    g_min_s, g_max_s : float, optional
        The requested G_HRS and G_LRS (S); the conductance checks are skipped
        for one left ``None``.
    params : mapping, optional
        Parameter overrides (as in :meth:`DeviceModel.resolve`).
    preset : str, optional
        Named parameter set (default: the model's default preset).
    bipolar : bool
        Reads also apply ``-V_READ`` (threshold and disturb rules at both signs).

    Returns
    -------
    list of Finding
        Errors first, then warnings; empty when everything is plausible.
    """
    m = get_model(model) if isinstance(model, str) else model
    out: list[Finding] = []

    def err(key: Key, msg: str) -> None:
        out.append(Finding("error", key, msg))

    def warn(key: Key, msg: str) -> None:
        out.append(Finding("warning", key, msg))

    try:
        p = m.resolve(params, preset=preset)
    except ParameterError as exc:
        return [Finding("error", "device_params", str(exc))]
    label = _label(m, preset)

    # ---- magnitudes
    try:
        v = float(v_read_v)
    except (TypeError, ValueError):
        return [Finding("error", "v_read_v", f"{v_read_v!r} is not a number")]
    v_ok = math.isfinite(v) and v != 0.0
    if not v_ok:
        err("v_read_v", f"V_READ = {v!r} V cannot read a conductance; give a finite, non-zero read voltage")
    elif abs(v) > V_READ_MAX_V:
        err("v_read_v", f"|V_READ| = {abs(v):g} V is above {V_READ_MAX_V:g} V, where no memristor array is read "
                        "(reads are typically 0.05-0.5 V)")
        v_ok = False
    elif abs(v) > V_READ_WARN_V:
        warn("v_read_v", f"|V_READ| = {abs(v):g} V is unusually high for a read (above {V_READ_WARN_V:g} V)")
    g_req: dict[str, float] = {}
    for key, g, name in (("g_hrs_s", g_min_s, "G_HRS"), ("g_lrs_s", g_max_s, "G_LRS")):
        if g is None:
            continue
        try:
            gf = float(g)
        except (TypeError, ValueError):
            err(key, f"{name} = {g!r} is not a number")
            continue
        if not math.isfinite(gf) or gf <= 0:
            err(key, f"{name} = {gf!r} S must be a finite conductance > 0 S")
        elif gf > G_MAX_PLAUSIBLE_S:
            err(key, f"{name} = {gf:g} S is above {G_MAX_PLAUSIBLE_S:g} S (below 1 Ohm, the order of a wire "
                     "segment); conductances are in siemens (1 mS = 1e-3)")
        elif gf < G_MIN_PLAUSIBLE_S:
            err(key, f"{name} = {gf:g} S is below {G_MIN_PLAUSIBLE_S:g} S (above 1 TOhm, below what a TIA "
                     "senses); conductances are in siemens (1 uS = 1e-6)")
        else:
            g_req[key] = gf
    if "g_hrs_s" in g_req and "g_lrs_s" in g_req and g_req["g_hrs_s"] >= g_req["g_lrs_s"]:
        err("g_hrs_s", f"G_HRS = {g_req['g_hrs_s']:g} S must be below G_LRS = {g_req['g_lrs_s']:g} S")
        g_req.pop("g_hrs_s")
    if not v_ok:
        return _sorted(out)

    # ---- reachable conductance at V_READ
    xs, gs = _read_out_samples(m, p, v)
    try:
        if not np.all(np.isfinite(gs)):
            raise ValueError("non-finite read-out")
        g_lo, g_hi = reachable_conductance_range(m, v_read_v=v, params=params, preset=preset)
    except ValueError:
        err("device_params", f"the numpy reference of {label} gives a non-finite current at V_READ = {v:g} V "
                             "over its state bounds; check the parameters")
        return _sorted(out)
    lo, hi = m.state.bounds(p)
    reach = f"[{g_lo:.4g}, {g_hi:.4g}] S"
    asked = f"[{g_min_s if g_min_s is not None else '-'}, {g_max_s if g_max_s is not None else '-'}] S"
    slack_hi = g_hi * (1 + G_REL_SLACK)
    slack_lo = g_lo * (1 - G_REL_SLACK) if g_lo > 0 else g_lo
    if "g_lrs_s" in g_req and g_req["g_lrs_s"] > slack_hi:
        err("g_lrs_s", f"G_LRS = {g_req['g_lrs_s']:g} S is above what {label} reaches at V_READ = {v:g} V: its "
                       f"states [{lo:g}, {hi:g}] {m.state.unit} give G in {reach}; requested [G_HRS, G_LRS] = "
                       f"{asked}; choose G_LRS <= {g_hi:.4g} S (or other device parameters)")
    if "g_hrs_s" in g_req and g_req["g_hrs_s"] < slack_lo:
        err("g_hrs_s", f"G_HRS = {g_req['g_hrs_s']:g} S is below what {label} reaches at V_READ = {v:g} V: its "
                       f"states [{lo:g}, {hi:g}] {m.state.unit} give G in {reach}; requested [G_HRS, G_LRS] = "
                       f"{asked}; choose G_HRS >= {g_lo:.4g} S (or other device parameters)")

    # the states a mapping into the requested range would use
    used = np.ones(xs.shape, dtype=bool)
    if "g_hrs_s" in g_req:
        used &= gs >= g_req["g_hrs_s"] * (1 - G_REL_SLACK)
    if "g_lrs_s" in g_req:
        used &= gs <= g_req["g_lrs_s"] * (1 + G_REL_SLACK)
    states = xs[used] if np.count_nonzero(used) >= 2 else xs

    # ---- a read that writes; read disturb
    for vv in ((v, -v) if bipolar else (v,)):
        sign = "" if vv == v else " (opposite polarity)"
        thresholds = m.thresholds(p) if m.thresholds is not None else None
        if thresholds is not None:
            v_neg, v_pos = (float(t) for t in thresholds)
            hit = (vv >= v_pos) if vv > 0 else (vv <= v_neg)
            th = v_pos if vv > 0 else v_neg
            if hit:
                towards = "LRS" if m.set_polarity * vv > 0 else "HRS"
                err("v_read_v", f"V_READ = {vv:g} V{sign} is at or beyond the switching threshold {th:g} V of "
                                f"{label}: a read that writes (every read moves the state towards {towards}); "
                                f"allowed: {v_neg:g} V < V_READ < {v_pos:g} V")
                continue
            if abs(vv) > THRESHOLD_MARGIN * abs(th):
                warn("v_read_v", f"V_READ = {vv:g} V{sign} is {100 * abs(vv / th):.0f} % of the switching threshold "
                                 f"{th:g} V of {label}: an overshoot or a model/device mismatch of "
                                 f"{100 * (1 - abs(vv / th)):.0f} % would make reads write")
        t1 = _disturb_time_s(m, p, vv, states)
        if t1 < READ_WRITES_S:
            err("v_read_v", f"V_READ = {vv:g} V{sign} moves the state of {label} by 1 % of its range in "
                            f"{_fmt_t(t1)} (its own dx/dt): a read that writes; use a lower read voltage")
        elif t1 < READ_DISTURB_WARN_S:
            warn("v_read_v", f"read disturb: at V_READ = {vv:g} V{sign} the state of {label} moves by 1 % of its "
                             f"range in {_fmt_t(t1)} of accumulated read time (numpy reference dx/dt, worst case "
                             "over the states used); long read sequences drift the stored state")
    return _sorted(out)


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: f.level != "error")
