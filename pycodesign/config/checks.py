"""The value checks every layer shares (library functions, not only flow files).

Configuration sections check their fields through :mod:`pycodesign.config.core`;
library functions that take plain arguments (array builders, quantisers,
converters) use these, so a bad value reads the same wherever it enters::

    r_row_ohm = -1.0 is not allowed; allowed: a finite number >= 0 Ohm

Each function returns the checked value (as ``float``/``int``) or raises
``ValueError`` (``TypeError`` for a value of the wrong kind) naming the
argument, the value and what is allowed.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

import numpy as np

from .core import _short

__all__ = ["number", "integer", "bits", "probability", "choice", "finite_array", "seed", "refuse"]


def refuse(name: str, value: Any, allowed: str):
    """Raise the standard ``ValueError`` for a value no other check covers."""
    raise ValueError(f"{name} = {_short(value)} is not allowed; allowed: {allowed}")


def _bounds_text(gt, ge, lt, le, unit: str) -> str:
    parts = []
    for v, sym in ((gt, ">"), (ge, ">="), (lt, "<"), (le, "<=")):
        if v is not None:
            parts.append(f"{sym} {v:g}")
    text = "a finite number" + (" " + " and ".join(parts) if parts else "")
    return text + (f" {unit}" if unit else "")


def number(name: str, value: Any, *, gt: float | None = None, ge: float | None = None, lt: float | None = None,
           le: float | None = None, unit: str = "") -> float:
    """A finite real number within the given bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {_short(value)}")
    v = float(value)
    bad = (not math.isfinite(v) or (gt is not None and not v > gt) or (ge is not None and not v >= ge)
           or (lt is not None and not v < lt) or (le is not None and not v <= le))
    if bad:
        raise ValueError(f"{name} = {_short(value)} is not allowed; allowed: {_bounds_text(gt, ge, lt, le, unit)}")
    return v


def integer(name: str, value: Any, *, ge: int | None = None, le: int | None = None) -> int:
    """An integer (not a bool) within the given bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_short(value)}")
    v = int(value)
    if (ge is not None and v < ge) or (le is not None and v > le):
        rng = " and ".join(t for t in ((f">= {ge}" if ge is not None else ""),
                                      (f"<= {le}" if le is not None else "")) if t)
        raise ValueError(f"{name} = {v} is not allowed; allowed: an integer {rng}")
    return v


def bits(name: str, value: Any, *, low: int = 1, high: int = 32) -> int:
    """A converter resolution in bits."""
    return integer(name, value, ge=low, le=high)


def probability(name: str, value: Any) -> float:
    """A probability in [0, 1]."""
    return number(name, value, ge=0.0, le=1.0)


def choice(name: str, value: Any, allowed: Sequence[str]) -> str:
    """One of the allowed strings."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} = {_short(value)} is not allowed; allowed: "
                         + ", ".join(repr(a) for a in allowed))
    return value


def seed(name: str, value: Any) -> int:
    """A non-negative integer seed."""
    return integer(name, value, ge=0)


def finite_array(name: str, a: Any, *, ndim: int | None = None, shape: tuple | None = None,
                 low: float | None = None, high: float | None = None, unit: str = "") -> np.ndarray:
    """``a`` as a float64 array, or ``ValueError`` naming the first bad entry."""
    try:
        arr = np.array(a, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of numbers ({exc})") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{name} has shape {arr.shape}; expected {tuple(shape)}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name}{list(idx)} = {float(arr[idx])!r} is not finite; all entries must be finite numbers"
                         + (f" ({unit})" if unit else ""))
    for bound, cmp, word in ((low, np.less, ">="), (high, np.greater, "<=")):
        if bound is not None:
            b = cmp(arr, bound)
            if b.any():
                idx = tuple(int(i) for i in np.argwhere(b)[0])
                raise ValueError(f"{name}{list(idx)} = {float(arr[idx])!r} is out of range; entries must be "
                                 f"{word} {bound:g}" + (f" {unit}" if unit else ""))
    return arr
