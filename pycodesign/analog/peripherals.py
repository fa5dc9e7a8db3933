"""Converters and non-idealities as seeded numpy functions.

* :func:`dac_quantize` — input DAC, K bits over [0, V_READ] (or symmetric).
* :func:`adc_quantize` — output ADC, B bits with a stated full scale, clipping.
* :func:`quantize_levels` — finite device states (equally spaced conductance levels).
* :func:`apply_variability` — device-to-device log-normal conductance spread.
* :func:`apply_stuck_at` — stuck-at-HRS / stuck-at-LRS faults.
* :func:`read_noise` — per-read Gaussian current fluctuation of every device.

Every random function takes ``rng``: a :class:`numpy.random.Generator` or an
int seed (``None`` is refused, so no draw is ever unseeded).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .circuit import check_finite_array

__all__ = [
    "as_generator",
    "dac_quantize",
    "adc_quantize",
    "AdcResult",
    "quantize_levels",
    "apply_variability",
    "apply_stuck_at",
    "StuckAtMap",
    "read_noise",
]


def as_generator(rng) -> np.random.Generator:
    """A Generator from a Generator or an int seed; ``TypeError`` otherwise."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"seed = {rng!r} must be a non-negative integer")
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy.random.Generator or an int seed, got {rng!r}")


def _bits(name: str, bits, low: int = 1) -> int:
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not (low <= int(bits) <= 32):
        raise ValueError(f"{name} = {bits!r} is not allowed; must be an integer in [{low}, 32]")
    return int(bits)


def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(value)) or float(value) <= 0:
        raise ValueError(f"{name} = {value!r} is not allowed; must be a finite number > 0")
    return float(value)


def _rate(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not (0.0 <= float(value) <= 1.0):
        raise ValueError(f"{name} = {value!r} is not allowed; must be a probability in [0, 1]")
    return float(value)


def dac_quantize(v, *, bits: int, v_read: float, bipolar: bool = False) -> np.ndarray:
    """Input DAC: quantise voltages to ``2**bits`` equally spaced levels.

    Unipolar (default): levels ``k · V_READ / (2**bits − 1)``, k = 0 … 2**bits − 1,
    so both 0 and V_READ are exact levels.  Bipolar: the same magnitude levels
    with either sign (sign-magnitude DAC).  Inputs outside the range are an
    error (the caller scales images into [0, V_READ] first).
    """
    k = _bits("dac bits", bits)
    vr = _positive("v_read", v_read)
    a = check_finite_array("DAC input voltages", v, unit="V")
    lo = -vr if bipolar else 0.0
    tol = 1e-12 * vr
    if a.min() < lo - tol or a.max() > vr + tol:
        bad = float(a.min() if a.min() < lo - tol else a.max())
        raise ValueError(f"DAC input voltage {bad!r} V is outside [{lo:g}, {vr:g}] V")
    step = vr / (2 ** k - 1)
    return np.clip(np.round(a / step), -(2 ** k - 1) if bipolar else 0, 2 ** k - 1) * step


@dataclass
class AdcResult:
    """ADC output: integer ``codes``, ``currents`` = codes · lsb (A), ``clipped`` fraction."""

    codes: np.ndarray
    currents: np.ndarray
    lsb_a: float
    full_scale_a: float
    clipped_fraction: float


def adc_quantize(i, *, bits: int, full_scale_a: float, signed: bool = True) -> AdcResult:
    """Output ADC with a stated full scale.

    ``signed=True`` (differential outputs): symmetric mid-tread codes
    −(2**(B−1) − 1) … +(2**(B−1) − 1), LSB = full_scale / (2**(B−1) − 1), so
    ±full scale are exact codes (B ≥ 2).  ``signed=False``: codes 0 …
    2**B − 1, LSB = full_scale / (2**B − 1).  Currents beyond the full scale
    clip to the end codes; the clipped fraction is reported.
    """
    b = _bits("adc bits", bits, low=2 if signed else 1)
    fs = _positive("adc full_scale_a", full_scale_a)
    a = check_finite_array("ADC input currents", i, unit="A")
    top = 2 ** (b - 1) - 1 if signed else 2 ** b - 1
    lo = -top if signed else 0
    lsb = fs / top
    raw = np.round(a / lsb)
    codes = np.clip(raw, lo, top)
    clipped = float(np.mean(raw != codes)) if a.size else 0.0
    return AdcResult(codes=codes.astype(np.int64), currents=codes * lsb, lsb_a=lsb, full_scale_a=fs,
                     clipped_fraction=clipped)


def quantize_levels(g, *, levels: int, g_min: float, g_max: float) -> np.ndarray:
    """Snap conductances to ``levels`` equally spaced states in [g_min, g_max] (clipping first)."""
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or int(levels) < 2:
        raise ValueError(f"levels = {levels!r} is not allowed; must be an integer >= 2")
    n = int(levels)
    lo = _positive("g_min", g_min)
    hi = _positive("g_max", g_max)
    if hi <= lo:
        raise ValueError(f"g_max = {g_max!r} must be greater than g_min = {g_min!r}")
    a = check_finite_array("conductances", g, unit="S")
    step = (hi - lo) / (n - 1)
    return lo + np.round((np.clip(a, lo, hi) - lo) / step) * step


def apply_variability(g, *, sigma: float, rng) -> np.ndarray:
    """Device-to-device variability: ``g · exp(σ · z)``, z ~ N(0, 1) per device.

    ``sigma`` is the standard deviation of ln(g) (a median-preserving
    log-normal spread); σ = 0 returns a copy.
    """
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(sigma)) or sigma < 0:
        raise ValueError(f"variability sigma = {sigma!r} is not allowed; must be a finite number >= 0")
    a = check_finite_array("conductances", g, unit="S")
    gen = as_generator(rng)
    z = gen.standard_normal(a.shape)
    return a * np.exp(float(sigma) * z)


@dataclass
class StuckAtMap:
    """Which devices are stuck: boolean masks of the array's shape."""

    hrs: np.ndarray
    lrs: np.ndarray


def apply_stuck_at(g, *, rate_hrs: float, rate_lrs: float, g_hrs: float, g_lrs: float,
                   rng) -> tuple[np.ndarray, StuckAtMap]:
    """Stuck-at faults: each device independently stuck at ``g_hrs`` with probability
    ``rate_hrs`` or at ``g_lrs`` with probability ``rate_lrs`` (one uniform draw per
    device decides, so the two faults are exclusive).
    """
    ph = _rate("stuck-at-HRS rate", rate_hrs)
    pl = _rate("stuck-at-LRS rate", rate_lrs)
    if ph + pl > 1:
        raise ValueError(f"stuck-at rates add to {ph + pl:g} > 1 (rate_hrs={ph:g}, rate_lrs={pl:g})")
    gh = _positive("g_hrs", g_hrs)
    gl = _positive("g_lrs", g_lrs)
    a = check_finite_array("conductances", g, unit="S")
    u = as_generator(rng).random(a.shape)
    hrs = u < ph
    lrs = (u >= ph) & (u < ph + pl)
    out = a.copy()
    out[hrs] = gh
    out[lrs] = gl
    return out, StuckAtMap(hrs=hrs, lrs=lrs)


def read_noise(column_currents, device_currents_sq, *, sigma_rel: float, rng) -> np.ndarray:
    """Per-read device current noise, summed at the columns.

    Each device's read current fluctuates independently from read to read
    with relative standard deviation ``sigma_rel``; a column's current then
    gains a zero-mean Gaussian of variance ``sigma_rel² · Σ_i I_ij²``.

    Parameters
    ----------
    column_currents : array (batch, columns)
        Noise-free column currents (A).
    device_currents_sq : array (batch, columns)
        ``Σ_i I_ij²`` per column and read (A²), e.g. ``(v²) @ (g²)`` for ideal devices.
    """
    if isinstance(sigma_rel, bool) or not isinstance(sigma_rel, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(sigma_rel)) or sigma_rel < 0:
        raise ValueError(f"read noise sigma_rel = {sigma_rel!r} is not allowed; must be a finite number >= 0")
    i = check_finite_array("column currents", column_currents, unit="A")
    s2 = check_finite_array("device current squares", device_currents_sq, shape=i.shape, low=0.0)
    gen = as_generator(rng)
    return i + float(sigma_rel) * np.sqrt(s2) * gen.standard_normal(i.shape)
