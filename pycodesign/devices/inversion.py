"""Device states for target conductances: invert a model's read-out conductance.

A device read at ``V_READ`` shows the read-out conductance
``g(x) = I(V_READ, x) / V_READ`` of its internal state ``x``.
:func:`reachable_conductance_range` is the range of ``g`` over the state
bounds; :func:`state_for_conductance` inverts ``g`` for the state (e.g. the
QMM's lambda) with a vectorised bracketing solve, so every target
conductance becomes a state to program.  A model flagged
:attr:`~pycodesign.devices.registry.DeviceModel.linear` (``I = x V``, the
state is the conductance) needs no solve: both are exact.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .registry import DeviceModel, get_model

__all__ = ["state_for_conductance", "reachable_conductance_range"]

#: States sampled to bracket targets and to find the reachable range.
N_GRID = 257


@dataclass(frozen=True)
class _ReadOut:
    """What the inversion needs of a model: its current, state bounds, name and linear flag."""

    current: Callable
    bounds: tuple
    name: str
    linear: bool


def _read_out(model, params, preset) -> _ReadOut:
    """The read-out of a registry name, a :class:`DeviceModel`, or a plain object."""
    if isinstance(model, str):
        model = get_model(model)
    if isinstance(model, DeviceModel):
        # Resolve defaults, preset and overrides once (ParameterError names a bad one).
        p = model.resolve(params, preset=preset)
        name = model.name if preset is None else f"{model.name} (preset {preset!r})"
        return _ReadOut(lambda v, x: model.reference.current(v, x, p), model.state.bounds(p), name, model.linear)
    if preset is not None:
        raise TypeError(
            f"preset = {preset!r} applies to registered device models only, not to {type(model).__name__}; "
            "allowed: preset=None for a plain model object"
        )
    reference = getattr(model, "reference", None)
    if callable(getattr(reference, "current", None)) and callable(getattr(model, "resolve", None)):
        # Shaped like a DeviceModel (numpy reference, resolve, state_bounds).
        p = model.resolve(params)
        bounds = model.state_bounds(params)
        name = getattr(model, "name", type(model).__name__)
        return _ReadOut(lambda v, x: reference.current(v, x, p), bounds, name, False)
    if callable(getattr(model, "current", None)) and hasattr(model, "state_bounds"):
        bounds = model.state_bounds(params) if callable(model.state_bounds) else model.state_bounds
        return _ReadOut(lambda v, x: model.current(v, x, params), bounds, type(model).__name__, False)
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


def _check_v_read(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a read voltage in volts (a real number), got {value!r}")
    v = float(value)
    if not math.isfinite(v) or v == 0.0:
        raise ValueError(f"{name} = {value!r} V must be finite and non-zero")
    return v


def _sampled_read_out(read: _ReadOut, v_read: float, x_lo: float, x_hi: float, n_grid: int):
    """States ``xs`` on a grid over the bounds and their read-out conductances ``gs`` (S)."""
    xs = np.linspace(x_lo, x_hi, int(n_grid))
    gs = np.asarray(read.current(v_read, xs), dtype=np.float64) / v_read
    if gs.shape != xs.shape or not np.all(np.isfinite(gs)):
        raise ValueError(
            f"{read.name}: current(v_read, x) returned non-finite or mis-shaped values over the state bounds "
            f"({x_lo!r}, {x_hi!r})"
        )
    return xs, gs


def reachable_conductance_range(model, *, v_read_v: float, params=None, preset=None) -> tuple[float, float]:
    """Range ``(g_lo, g_hi)`` (S) of the read-out conductance ``I(v_read_v, x) / v_read_v`` over the state bounds.

    The conductances a device can be programmed to, as seen at the read
    voltage: what a flow checks its requested ``[G_HRS, G_LRS]`` against
    before it runs, and what :func:`state_for_conductance` refuses targets
    outside of.

    Parameters
    ----------
    model : str or object
        A device-registry name, a :class:`~pycodesign.devices.registry.DeviceModel`,
        or a plain object as accepted by :func:`state_for_conductance`.
    v_read_v : float
        Read voltage (V), finite and non-zero.
    params : mapping, optional
        Parameter overrides (registry models: on top of the defaults and the
        preset; plain objects: passed to ``current``).
    preset : str, optional
        Registry models only: the named parameter set (default: the model's
        default preset).

    Returns
    -------
    g_lo, g_hi : float
        Lowest and highest read-out conductance in siemens.  Exact for a
        :attr:`~pycodesign.devices.registry.DeviceModel.linear` model (the
        state bounds themselves).  Otherwise the extremes over
        :data:`N_GRID` states from bound to bound: exact (the values at the
        bounds) for the monotonic read-out every programmable model has and
        :func:`state_for_conductance` requires; a sampled estimate for a
        non-monotonic one.

    Raises
    ------
    ValueError
        A bad ``v_read_v``, bad state bounds, or a non-finite read-out.
    ParameterError
        An unknown preset or a bad parameter (registry models).

    Examples
    --------
    >>> reachable_conductance_range("linear", v_read_v=0.2)
    (0.0, 1.0)
    """
    read = _read_out(model, params, preset)
    x_lo, x_hi = _check_bounds(read.bounds)
    v = _check_v_read("v_read_v", v_read_v)
    if read.linear:
        return x_lo, x_hi
    _, gs = _sampled_read_out(read, v, x_lo, x_hi, N_GRID)
    return float(np.min(gs)), float(np.max(gs))


def state_for_conductance(
    model,
    g_target,
    *,
    v_read: float,
    params=None,
    preset=None,
    n_grid: int = N_GRID,
    xtol: float = 0.0,
    max_iter: int = 200,
):
    """Device state that gives each target conductance at the read voltage.

    The read-out conductance ``g(x) = I(v_read, x) / v_read`` must be
    strictly monotonic over the state bounds.  For a model flagged
    :attr:`~pycodesign.devices.registry.DeviceModel.linear` the state is the
    target itself (exact, no solve).  Otherwise ``g`` is
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
        preset).  Plain objects: passed through to ``current``.
    preset : str, optional
        Registry models only: the named parameter set (default: the model's
        default preset).
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
    read = _read_out(model, params, preset)
    x_lo, x_hi = _check_bounds(read.bounds)
    v_read_f = _check_v_read("v_read", v_read)
    if isinstance(n_grid, bool) or not isinstance(n_grid, numbers.Integral) or n_grid < 2:
        raise ValueError(f"n_grid must be an int >= 2, got {n_grid!r}")
    scalar = np.ndim(g_target) == 0
    t = np.atleast_1d(np.asarray(g_target, dtype=np.float64)).ravel()
    shape = np.shape(g_target)
    if not np.all(np.isfinite(t)):
        i = int(np.flatnonzero(~np.isfinite(t))[0])
        raise ValueError(f"g_target[{i}] = {float(t[i])!r} S is not finite")

    def refuse_outside(g_lo: float, g_hi: float) -> None:
        tol = 1e-12 * (g_hi - g_lo)
        outside = (t < g_lo - tol) | (t > g_hi + tol)
        if outside.any():
            i = int(np.flatnonzero(outside)[0])
            raise ValueError(
                f"target conductance {float(t[i])!r} S is outside the range reachable at v_read = {v_read_f!r} V, "
                f"[{float(g_lo)!r}, {float(g_hi)!r}] S, of {read.name} with state in ({x_lo!r}, {x_hi!r})"
                + (f" ({int(outside.sum())} target(s) outside)" if outside.sum() > 1 else "")
            )

    if read.linear:  # the state is the conductance: exact, nothing to solve
        refuse_outside(x_lo, x_hi)
        x = np.clip(t, x_lo, x_hi)
        return float(x[0]) if scalar else x.reshape(shape)

    def g_of(x):
        return np.asarray(read.current(v_read_f, x), dtype=np.float64) / v_read_f

    xs, gs = _sampled_read_out(read, v_read_f, x_lo, x_hi, n_grid)
    d = np.diff(gs)
    if np.all(d > 0):
        increasing = True
    elif np.all(d < 0):
        increasing = False
    else:
        raise ValueError(
            f"read-out conductance of {read.name} at v_read = {v_read_f!r} V is not strictly "
            f"monotonic over state_bounds ({x_lo!r}, {x_hi!r}); cannot assign a unique state"
        )
    if not increasing:
        xs, gs = xs[::-1], gs[::-1]
    g_lo, g_hi = gs[0], gs[-1]
    refuse_outside(g_lo, g_hi)
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
