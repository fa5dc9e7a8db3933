"""Device states for target conductances: invert a model's read-out conductance.

:func:`state_for_conductance` inverts a device model's read-out conductance
``I(V_READ, x) / V_READ`` for its internal state ``x`` (e.g. the QMM's
lambda) with a vectorised bracketing solve, so every target conductance
becomes a state to program.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .registry import get_model

__all__ = ["state_for_conductance"]


def _device_read_model(model, params):
    """``(current(v, x), (x_min, x_max), name)`` for a registry model or a plain object."""
    if isinstance(model, str):
        model = get_model(model)
    reference = getattr(model, "reference", None)
    if callable(getattr(reference, "current", None)) and callable(getattr(model, "resolve", None)):
        # pycodesign.devices.DeviceModel: resolve defaults/presets/overrides once.
        p = model.resolve(params)
        bounds = model.state_bounds(params)
        name = getattr(model, "name", type(model).__name__)
        return (lambda v, x: reference.current(v, x, p)), bounds, name
    if callable(getattr(model, "current", None)) and hasattr(model, "state_bounds"):
        bounds = model.state_bounds(params) if callable(model.state_bounds) else model.state_bounds
        return (lambda v, x: model.current(v, x, params)), bounds, type(model).__name__
    raise TypeError(
        f"model {model!r} must be a device-registry name, a pycodesign.devices.DeviceModel, or an object "
        "with current(v, x, params) and state_bounds = (x_min, x_max)"
    )


def _check_bounds(bounds):
    try:
        x_lo, x_hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ValueError(f"state bounds must be a pair (x_min, x_max), got {bounds!r}") from None
    if not (math.isfinite(x_lo) and math.isfinite(x_hi) and x_lo < x_hi):
        raise ValueError(f"state bounds ({x_lo!r}, {x_hi!r}) must be finite with x_min < x_max")
    return x_lo, x_hi


def state_for_conductance(
    model,
    g_target,
    *,
    v_read: float,
    params=None,
    n_grid: int = 257,
    xtol: float = 0.0,
    max_iter: int = 200,
):
    """Device state that gives each target conductance at the read voltage.

    The read-out conductance ``g(x) = I(v_read, x) / v_read`` must be
    strictly monotonic over the state bounds.  It is
    sampled on ``n_grid`` states to bracket each target, then each bracket is
    bisected (vectorised over all targets) to ``xtol`` times the state range
    -- by default to the float resolution -- and a last linear interpolation
    inside the bracket places the state.
    Works for any implicit I-V (e.g. the QMM's Lambert-W current with state
    lambda) because only ``current`` evaluations are needed.

    Parameters
    ----------
    model : str or object
        A device-registry name (``"hp"``), a registered
        ``pycodesign.devices.DeviceModel`` (its numpy ``reference.current``
        with ``model.resolve(params)`` and ``model.state_bounds(params)``), or
        any object with ``current(v, x, params) -> i`` (numpy, vectorised
        over ``x``) and ``state_bounds``, a pair ``(x_min, x_max)`` or a
        method ``state_bounds(params)`` returning one.
    g_target : float or array_like
        Target conductances in siemens.
    v_read : float
        Read voltage (V), non-zero.
    params : mapping or object, optional
        Registry models: parameter overrides (resolved with defaults and the
        default preset).  Plain objects: passed through to ``current``.
    n_grid : int
        Bracketing samples (>= 2).
    xtol : float
        Bracket width, relative to the state range, at which to stop; 0 runs
        to the float resolution (about 60 steps).
    max_iter : int
        Bisection steps at most.

    Returns
    -------
    float or numpy.ndarray
        State(s) shaped like ``g_target``.

    Raises
    ------
    ValueError
        A target outside the reachable conductance range (message names the
        target and the range), a non-monotonic or non-finite ``g(x)``, bad
        ``v_read`` or bounds.
    """
    current, bounds, model_name = _device_read_model(model, params)
    x_lo, x_hi = _check_bounds(bounds)
    v_read_f = float(v_read)
    if not math.isfinite(v_read_f) or v_read_f == 0.0:
        raise ValueError(f"v_read = {v_read!r} V must be finite and non-zero")
    if isinstance(n_grid, bool) or not isinstance(n_grid, numbers.Integral) or n_grid < 2:
        raise ValueError(f"n_grid must be an int >= 2, got {n_grid!r}")
    scalar = np.ndim(g_target) == 0
    t = np.atleast_1d(np.asarray(g_target, dtype=np.float64)).ravel()
    shape = np.shape(g_target)
    if not np.all(np.isfinite(t)):
        i = int(np.flatnonzero(~np.isfinite(t))[0])
        raise ValueError(f"g_target[{i}] = {float(t[i])!r} S is not finite")

    def g_of(x):
        return np.asarray(current(v_read_f, x), dtype=np.float64) / v_read_f

    xs = np.linspace(x_lo, x_hi, int(n_grid))
    gs = g_of(xs)
    if gs.shape != xs.shape or not np.all(np.isfinite(gs)):
        raise ValueError(f"{model_name}: current(v_read, x) returned non-finite or mis-shaped values over the state bounds ({x_lo!r}, {x_hi!r})")
    d = np.diff(gs)
    if np.all(d > 0):
        increasing = True
    elif np.all(d < 0):
        increasing = False
    else:
        raise ValueError(
            f"read-out conductance of {model_name} at v_read = {v_read_f!r} V is not strictly "
            f"monotonic over state_bounds ({x_lo!r}, {x_hi!r}); cannot assign a unique state"
        )
    if not increasing:
        xs, gs = xs[::-1], gs[::-1]
    g_lo, g_hi = gs[0], gs[-1]
    tol = 1e-12 * (g_hi - g_lo)
    outside = (t < g_lo - tol) | (t > g_hi + tol)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"target conductance {float(t[i])!r} S is outside the range reachable at v_read = {v_read_f!r} V, "
            f"[{float(g_lo)!r}, {float(g_hi)!r}] S, of {model_name} with state in ({x_lo!r}, {x_hi!r})"
            + (f" ({int(outside.sum())} target(s) outside)" if outside.sum() > 1 else "")
        )
    t = np.clip(t, g_lo, g_hi)
    j = np.clip(np.searchsorted(gs, t, side="left"), 1, gs.size - 1)
    # Bracket [a, b] with g(a) <= t <= g(b) (a may lie above b in x).
    a, b = xs[j - 1].copy(), xs[j].copy()
    ga, gb = gs[j - 1].copy(), gs[j].copy()
    width_tol = xtol * (x_hi - x_lo)
    for _ in range(int(max_iter)):
        m = 0.5 * (a + b)
        # Stop at the tolerance or when a midpoint is no longer representable.
        busy = (np.abs(b - a) > width_tol) & (m != a) & (m != b)
        if not busy.any():
            break
        gm = g_of(m)
        below = busy & (gm < t)
        above = busy & ~(gm < t)
        a, ga = np.where(below, m, a), np.where(below, gm, ga)
        b, gb = np.where(above, m, b), np.where(above, gm, gb)
    # Final linear interpolation inside the bracket (exact for g linear in x).
    dg = gb - ga
    frac = np.divide(t - ga, dg, out=np.full_like(t, 0.5), where=dg != 0)
    x = a + np.clip(frac, 0.0, 1.0) * (b - a)
    return float(x[0]) if scalar else x.reshape(shape)
