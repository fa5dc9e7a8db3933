"""Conductance states and the one quantiser of the kit.

Quantisation (``levels`` of :func:`pycodesign.mapping.map_weights`)
    ``None``: continuous conductances.  An int ``x >= 2``: ``x`` linearly
    spaced states from G_HRS to G_LRS (:func:`linear_levels`).  A sequence:
    measured conductance levels (siemens) within ``[g_min, g_max]``.  Each
    target conductance of Eq. 5 is rounded to the nearest state (ties to the
    lower state) by :func:`quantize_to_levels`.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["linear_levels", "quantize_to_levels"]


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
    "allowed: None (continuous), an int >= 2 (number of linearly spaced states between "
    "g_min and g_max), or a sequence of >= 2 distinct conductances in siemens within [g_min, g_max]"
)


def linear_levels(n_levels: int, g_min: float, g_max: float) -> np.ndarray:
    """``n_levels`` linearly spaced conductance states from ``g_min`` to ``g_max`` (S)."""
    g_min = _conductance("g_min", g_min)
    g_max = _conductance("g_max", g_max)
    _check_range(g_min, g_max)
    if isinstance(n_levels, bool) or not isinstance(n_levels, numbers.Integral):
        raise TypeError(f"n_levels must be an int >= 2, got {n_levels!r}")
    if n_levels < 2:
        raise ValueError(f"levels = {n_levels!r}: need at least 2 conductance states; {_LEVELS_ALLOWED}")
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
    for i, g in enumerate(arr):
        if not math.isfinite(g) or g <= 0.0:
            raise ValueError(f"levels[{i}] = {float(g)!r} S is not allowed: conductances must be finite and > 0 siemens")
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
    """Round each value to the nearest of ``levels`` (ties go to the lower level).

    Parameters
    ----------
    values : array_like
        Target conductances (S) or any values on the same scale as ``levels``.
    levels : array_like, 1-D
        Available states; sorted and de-duplicated here.

    Returns
    -------
    quantized : numpy.ndarray
        Same shape as ``values``.
    index : numpy.ndarray of int64
        Index of the chosen state in ``numpy.unique(levels)``.
    """
    lv = np.unique(np.asarray(levels, dtype=np.float64))
    if lv.ndim != 1 or lv.size == 0 or not np.all(np.isfinite(lv)):
        raise ValueError(f"levels must be a non-empty 1-D array of finite numbers, got {levels!r}")
    v = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(v)):
        idx = tuple(int(k) for k in np.argwhere(~np.isfinite(v))[0])
        raise ValueError(f"values{list(idx)} = {float(v[idx])!r} is not finite")
    if lv.size == 1:
        return np.full(v.shape, lv[0]), np.zeros(v.shape, dtype=np.int64)
    hi = np.clip(np.searchsorted(lv, v, side="left"), 1, lv.size - 1)
    lo = hi - 1
    pick_hi = (lv[hi] - v) < (v - lv[lo])
    index = np.where(pick_hi, hi, lo).astype(np.int64)
    return lv[index], index
