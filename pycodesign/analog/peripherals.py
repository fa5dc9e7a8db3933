"""Converters and non-idealities as seeded numpy functions.

* :func:`dac_codes` / :func:`dac_quantize` — input DAC, K bits over [0, V_READ] (or symmetric).
* :func:`adc_quantize` — output ADC, B bits with a stated full scale, clipping.
* :func:`apply_variability` — device-to-device log-normal conductance spread.
* :func:`apply_stuck_at` — stuck-at-HRS / stuck-at-LRS faults.
* :func:`read_noise` — per-read Gaussian current fluctuation of every device.

Both converters round half up, ``code = ⌊x / LSB + ½⌋``: a comparator-based
converter (a SAR ADC whose DAC levels sit at (c + ½)·LSB) does exactly
this, and the co-simulation compares codes bit for bit.  Finite device states
are :func:`pycodesign.mapping.quantize_to_levels` (the one quantiser).

Every random function takes ``rng``: a :class:`numpy.random.Generator` or an
int seed (``None`` is refused, so no draw is ever unseeded).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import checks

__all__ = [
    "as_generator",
    "dac_codes",
    "dac_quantize",
    "adc_quantize",
    "adc_lsb",
    "AdcResult",
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
        return np.random.default_rng(checks.seed("seed", rng))
    raise TypeError(f"rng must be a numpy.random.Generator or an int seed, got {rng!r}")


def dac_codes(x, *, bits: int) -> np.ndarray:
    """Input DAC codes of values ``x`` in [0, 1]: ``⌊x (2^K − 1) + ½⌋`` (int64).

    0 and 1 are exact codes (0 and 2^K − 1); values outside [0, 1] are an
    error (scale inputs first).
    """
    k = checks.bits("dac bits", bits)
    a = checks.finite_array("DAC inputs", x)
    if a.min() < 0 or a.max() > 1:
        bad = float(a.min() if a.min() < 0 else a.max())
        raise ValueError(f"DAC input {bad!r} is outside [0, 1]")
    top = 2 ** k - 1
    return np.floor(a * top + 0.5).astype(np.int64)


def dac_quantize(v, *, bits: int, v_read: float, bipolar: bool = False) -> np.ndarray:
    """Input DAC: quantise voltages to ``2**bits`` equally spaced levels.

    Unipolar (default): levels ``k · V_READ / (2**bits − 1)``, k = 0 … 2**bits − 1,
    so both 0 and V_READ are exact levels.  Bipolar: the same magnitude levels
    with either sign (sign-magnitude DAC).  Rounds half away from zero, like
    :func:`dac_codes`.  Inputs outside the range are an error (the caller
    scales images into [0, V_READ] first).
    """
    k = checks.bits("dac bits", bits)
    vr = checks.number("v_read", v_read, gt=0, unit="V")
    a = checks.finite_array("DAC input voltages", v, unit="V")
    lo = -vr if bipolar else 0.0
    tol = 1e-12 * vr
    if a.min() < lo - tol or a.max() > vr + tol:
        bad = float(a.min() if a.min() < lo - tol else a.max())
        raise ValueError(f"DAC input voltage {bad!r} V is outside [{lo:g}, {vr:g}] V")
    step = vr / (2 ** k - 1)
    mag = np.minimum(np.floor(np.abs(a) / step + 0.5), 2 ** k - 1)
    return np.sign(a) * mag * step


@dataclass
class AdcResult:
    """ADC output: integer ``codes``, ``currents`` = codes · lsb (A), ``clipped`` fraction."""

    codes: np.ndarray
    currents: np.ndarray
    lsb_a: float
    full_scale_a: float
    clipped_fraction: float


def adc_lsb(*, bits: int, full_scale_a: float, signed: bool = True) -> tuple[float, int]:
    """``(lsb_a, top_code)`` of a B-bit ADC with full scale ``full_scale_a``.

    Signed: top code 2^(B−1) − 1 (symmetric codes); unsigned: 2^B − 1.  The
    full scale is an exact code.
    """
    b = checks.bits("adc bits", bits, low=2 if signed else 1)
    fs = checks.number("adc full_scale_a", full_scale_a, gt=0, unit="A")
    top = 2 ** (b - 1) - 1 if signed else 2 ** b - 1
    return fs / top, top


def adc_quantize(i, *, bits: int, full_scale_a: float, signed: bool = True) -> AdcResult:
    """Output ADC with a stated full scale.

    ``signed=True`` (analog-combined differential outputs): symmetric
    mid-tread codes −(2**(B−1) − 1) … +(2**(B−1) − 1), LSB = full_scale /
    (2**(B−1) − 1), so ±full scale are exact codes (B ≥ 2).
    ``signed=False`` (one ADC per bitline): codes 0 … 2**B − 1, LSB =
    full_scale / (2**B − 1).  ``code = ⌊I / LSB + ½⌋`` (comparator thresholds
    at (c + ½)·LSB); currents beyond the full scale clip to the end codes,
    and the clipped fraction is reported.
    """
    lsb, top = adc_lsb(bits=bits, full_scale_a=full_scale_a, signed=signed)
    a = checks.finite_array("ADC input currents", i, unit="A")
    lo = -top if signed else 0
    raw = np.floor(a / lsb + 0.5)
    codes = np.clip(raw, lo, top)
    clipped = float(np.mean(raw != codes)) if a.size else 0.0
    return AdcResult(codes=codes.astype(np.int64), currents=codes * lsb, lsb_a=lsb, full_scale_a=float(full_scale_a),
                     clipped_fraction=clipped)


def apply_variability(g, *, sigma: float, rng) -> np.ndarray:
    """Device-to-device variability: ``g · exp(σ · z)``, z ~ N(0, 1) per device.

    ``sigma`` is the standard deviation of ln(g) (a median-preserving
    log-normal spread); σ = 0 returns a copy.
    """
    sigma = checks.number("variability sigma", sigma, ge=0)
    a = checks.finite_array("conductances", g, unit="S")
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
    ph = checks.probability("stuck-at-HRS rate", rate_hrs)
    pl = checks.probability("stuck-at-LRS rate", rate_lrs)
    if ph + pl > 1:
        raise ValueError(f"stuck-at rates add to {ph + pl:g} > 1 (rate_hrs={ph:g}, rate_lrs={pl:g})")
    gh = checks.number("g_hrs", g_hrs, gt=0, unit="S")
    gl = checks.number("g_lrs", g_lrs, gt=0, unit="S")
    a = checks.finite_array("conductances", g, unit="S")
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
    sigma_rel = checks.number("read noise sigma_rel", sigma_rel, ge=0)
    i = checks.finite_array("column currents", column_currents, unit="A")
    s2 = checks.finite_array("device current squares", device_currents_sq, shape=i.shape, low=0.0)
    gen = as_generator(rng)
    return i + float(sigma_rel) * np.sqrt(s2) * gen.standard_normal(i.shape)
