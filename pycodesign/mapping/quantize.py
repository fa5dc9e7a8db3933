"""Conductance states and the one quantiser of the kit.

Quantisation (``levels`` of :func:`pycodesign.mapping.map_weights`)
    ``None``: continuous conductances.  An int ``x >= 2``: ``x`` linearly
    spaced states from G_HRS to G_LRS (:func:`linear_levels`).  A sequence:
    measured conductance levels (siemens) within ``[g_min, g_max]``.  Each
    target conductance of Eq. 5 is rounded to the nearest state (ties to the
    lower state) by :func:`quantize_to_levels`.  At most :data:`MAX_LEVELS`
    states.

The tie rule
    Every quantiser in the kit -- the mapping's levels, the finite device
    states of the analog array (:func:`snap_to_linear_levels`) -- is
    :func:`quantize_to_levels`: nearest state, and a value at the midpoint of
    two adjacent states goes to the **lower** one (towards G_HRS: a device
    programmed from HRS reaches the lower state first, and the lower state
    reads less current).  "At the midpoint" is decided with a band of
    :data:`TIE_RTOL` times the larger state magnitude on either side of the
    float midpoint, so a midpoint computed in floating point -- ``(a + b) /
    2``, ``a + (b - a) / 2`` or a decimal literal such as 752.5 uS between
    505 uS and 1 mS -- is a tie whichever way its last bit was rounded.  The
    band is about 2e-15 relative, far below any level spacing the kit allows
    (at most :data:`MAX_LEVELS` states).
"""
from __future__ import annotations

import math
import numbers
import reprlib

import numpy as np

__all__ = ["MAX_LEVELS", "TIE_RTOL", "linear_levels", "quantize_to_levels", "snap_to_linear_levels"]

#: Most conductance states a level set may hold (16 bits).  Published
#: memristors distinguish at most a few thousand levels; the cap keeps a typo
#: such as ``levels=10**12`` from trying to allocate terabytes.
MAX_LEVELS = 2**16

#: Half-width of the tie band around the midpoint of two adjacent states,
#: relative to the larger of their magnitudes (8 float64 epsilons).
TIE_RTOL = 8.0 * float(np.finfo(np.float64).eps)


def _conductance(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a conductance in siemens (a real number), got {value!r}")
    g = float(value)
    if not math.isfinite(g) or g <= 0.0:
        raise ValueError(f"{name} = {value!r} S is not allowed: conductances must be finite and > 0 siemens")
    return g


def _check_range(g_min: float, g_max: float) -> None:
    if g_min >= g_max:
        raise ValueError(
            f"g_min (G_HRS) = {g_min!r} S must be below g_max (G_LRS) = {g_max!r} S "
            "(G_HRS < G_LRS is required)"
        )


_LEVELS_ALLOWED = (
    f"allowed: None (continuous), an int from 2 to {MAX_LEVELS} (number of linearly spaced states between "
    f"g_min and g_max), or a sequence of 2 to {MAX_LEVELS} distinct conductances in siemens within [g_min, g_max]"
)


def linear_levels(n_levels: int, g_min: float, g_max: float) -> np.ndarray:
    """``n_levels`` linearly spaced conductance states from ``g_min`` to ``g_max`` (S).

    Parameters
    ----------
    n_levels : int
        Number of states, 2 .. :data:`MAX_LEVELS`.
    g_min, g_max : float
        G_HRS and G_LRS in siemens, ``0 < g_min < g_max``.

    Returns
    -------
    numpy.ndarray
        ``g_min + k (g_max - g_min) / (n_levels - 1)``, ``k = 0 .. n_levels - 1``.

    Raises
    ------
    TypeError, ValueError
        A non-integer ``n_levels``, fewer than 2 or more than
        :data:`MAX_LEVELS` states, or a bad conductance range.
    """
    g_min = _conductance("g_min", g_min)
    g_max = _conductance("g_max", g_max)
    _check_range(g_min, g_max)
    if isinstance(n_levels, bool) or not isinstance(n_levels, numbers.Integral):
        raise TypeError(f"n_levels must be an int >= 2, got {n_levels!r}")
    if n_levels < 2:
        raise ValueError(f"levels = {n_levels!r}: need at least 2 conductance states; {_LEVELS_ALLOWED}")
    if n_levels > MAX_LEVELS:
        raise ValueError(
            f"levels = {n_levels!r} is too many conductance states: at most MAX_LEVELS = {MAX_LEVELS} "
            f"(16 bits); {_LEVELS_ALLOWED}"
        )
    k = np.arange(int(n_levels), dtype=np.float64)
    return g_min + (g_max - g_min) * k / (int(n_levels) - 1)


def _resolve_levels(levels, g_min: float, g_max: float) -> np.ndarray | None:
    if levels is None:
        return None
    if isinstance(levels, bool):
        raise TypeError(f"levels = {levels!r} is not allowed; {_LEVELS_ALLOWED}")
    if isinstance(levels, numbers.Integral):
        return linear_levels(int(levels), g_min, g_max)
    if isinstance(levels, (str, bytes)) or isinstance(levels, numbers.Real):
        raise TypeError(f"levels = {levels!r} is not allowed; {_LEVELS_ALLOWED}")
    try:
        arr = np.array(levels, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"levels = {levels!r} is not allowed; {_LEVELS_ALLOWED}") from None
    if arr.ndim != 1:
        raise ValueError(f"levels must be 1-D, got shape {arr.shape}; {_LEVELS_ALLOWED}")
    if arr.size == 0:
        raise ValueError(f"levels is empty; {_LEVELS_ALLOWED}")
    if arr.size > MAX_LEVELS:
        raise ValueError(
            f"levels holds {arr.size} conductances: at most MAX_LEVELS = {MAX_LEVELS} states; {_LEVELS_ALLOWED}"
        )
    bad = ~np.isfinite(arr) | (arr <= 0.0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"levels[{i}] = {float(arr[i])!r} S is not allowed: conductances must be finite and > 0 siemens"
        )
    tol = 1e-9 * (g_max - g_min)
    outside = (arr < g_min - tol) | (arr > g_max + tol)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"levels[{i}] = {float(arr[i])!r} S lies outside [g_min, g_max] = [{g_min!r}, {g_max!r}] S"
        )
    arr = np.unique(np.clip(arr, g_min, g_max))
    if arr.size < 2:
        raise ValueError(f"levels holds {arr.size} distinct conductance(s), need at least 2; {_LEVELS_ALLOWED}")
    return arr


def quantize_to_levels(values, levels) -> tuple[np.ndarray, np.ndarray]:
    """Round each value to the nearest of ``levels``; ties go to the lower level.

    The kit's one quantiser (see the module's tie rule): a value within
    :data:`TIE_RTOL` times ``max(|a|, |b|)`` of the midpoint of adjacent
    levels ``a < b`` goes to ``a``; values below the lowest or above the
    highest level go to that level.

    Parameters
    ----------
    values : array_like
        Target conductances (S) or any values on the same scale as ``levels``;
        finite.
    levels : array_like, 1-D
        Available states, finite; sorted and de-duplicated here.

    Returns
    -------
    quantized : numpy.ndarray
        Same shape as ``values``.
    index : numpy.ndarray of int64
        Index of the chosen state in ``numpy.unique(levels)``.

    Raises
    ------
    ValueError
        Levels that are not a non-empty 1-D array of finite numbers, or a
        non-finite value (its index is named).

    Examples
    --------
    >>> q, k = quantize_to_levels([752.5e-6, 752.6e-6], linear_levels(3, 10e-6, 1e-3))
    >>> q.tolist(), k.tolist()
    ([0.000505, 0.001], [1, 2])
    """
    lv = np.asarray(levels, dtype=np.float64)
    if lv.ndim != 1 or lv.size == 0 or not np.all(np.isfinite(lv)):
        raise ValueError(
            f"levels must be a non-empty 1-D array of finite numbers, got {reprlib.repr(levels)} "
            f"(shape {lv.shape})"
        )
    lv = np.unique(lv)
    v = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(v)):
        idx = tuple(int(k) for k in np.argwhere(~np.isfinite(v))[0])
        raise ValueError(f"values{list(idx)} = {float(v[idx])!r} is not finite")
    if lv.size == 1:
        return np.full(v.shape, lv[0]), np.zeros(v.shape, dtype=np.int64)
    hi = np.clip(np.searchsorted(lv, v, side="left"), 1, lv.size - 1)
    lo = hi - 1
    # (v - a) - (b - v) is twice the distance past the midpoint; compared with
    # the band rather than with 0 so that float rounding of a midpoint cannot
    # flip a tie upwards.  Never inf - inf: one of the two terms is at most
    # half the span of the levels.
    past_mid = (v - lv[lo]) - (lv[hi] - v)
    band = 2.0 * TIE_RTOL * np.maximum(np.abs(lv[lo]), np.abs(lv[hi]))
    index = np.where(past_mid > band, hi, lo).astype(np.int64)
    return lv[index], index


def snap_to_linear_levels(g, levels: int, g_min: float, g_max: float) -> np.ndarray:
    """Snap conductances to ``levels`` linear states in ``[g_min, g_max]``, clipping first.

    Finite device states of an array: each conductance is clipped to
    ``[g_min, g_max]`` and moved to the nearest of :func:`linear_levels`
    ``(levels, g_min, g_max)`` by :func:`quantize_to_levels` (ties to the
    lower state).

    Parameters
    ----------
    g : array_like
        Conductances in siemens, finite.
    levels : int
        Number of states, 2 .. :data:`MAX_LEVELS`.
    g_min, g_max : float
        Lowest and highest state (G_HRS, G_LRS) in siemens, ``0 < g_min < g_max``.

    Returns
    -------
    numpy.ndarray
        The snapped conductances (S), shaped like ``g``; every entry is
        exactly one of ``linear_levels(levels, g_min, g_max)``.

    Raises
    ------
    TypeError, ValueError
        A bad ``levels`` or conductance range (as :func:`linear_levels`), or a
        non-finite conductance (its index is named).

    Examples
    --------
    >>> snap_to_linear_levels([0.0, 752.5e-6, 5e-3], 3, 10e-6, 1e-3).tolist()
    [1e-05, 0.000505, 0.001]
    """
    lv = linear_levels(levels, g_min, g_max)
    try:
        a = np.asarray(g, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"g must be an array of conductances in siemens, got {reprlib.repr(g)}") from None
    bad = ~np.isfinite(a)
    if bad.any():
        idx = tuple(int(k) for k in np.argwhere(bad)[0])
        where = "" if a.ndim == 0 else str(list(idx))
        raise ValueError(f"g{where} = {float(a[idx])!r} S is not finite; conductances must be finite")
    return quantize_to_levels(np.clip(a, lv[0], lv[-1]), lv)[0]
