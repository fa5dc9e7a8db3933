"""Device characterisation: stimuli and the figures of merit computed from traces.

Stimuli
-------
* :func:`periodic_wave` — sine or triangle sweeps (start and end at 0 V).
* :func:`pulse_train` — programming pulses each followed by a read pulse, so
  the conductance after every pulse is measured in the same transient.

Figures of merit
----------------
* :func:`lobe_areas` — area enclosed by the positive and the negative lobe of
  a pinched hysteresis loop, ``|∮ i dv|`` over the samples where ``v >= 0``
  (resp. ``v <= 0``), in V·A (= W).
* :func:`nonlinearity` — how far conductance-vs-pulse departs from a straight
  line between its end points: ``max |G(n) - G_lin(n)| / |G_N - G_0|``
  (0 = perfectly linear; the usual "NL" of synaptic-device papers).
* :func:`distinguishable_levels` — how many conductance levels on a pulse
  curve stay apart by ``k_sigma`` standard deviations of a Gaussian read noise
  (``sigma = read_noise_rel * G``), counted greedily from the low end.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "periodic_wave",
    "pulse_train",
    "PulseTrain",
    "lobe_areas",
    "conductance_at_reads",
    "nonlinearity",
    "distinguishable_levels",
]


def periodic_wave(shape: str, amplitude_v: float, frequency_hz: float, *, periods: float = 1.0,
                  points_per_period: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Time (s) and voltage (V) of a sine or triangle starting at 0 V, rising first."""
    if shape not in ("sine", "triangle"):
        raise ValueError(f"waveform shape must be 'sine' or 'triangle', got {shape!r}")
    n = int(round(periods * points_per_period))
    t = np.linspace(0.0, periods / frequency_hz, n + 1)
    phase = (t * frequency_hz) % 1.0
    if shape == "sine":
        v = amplitude_v * np.sin(2 * np.pi * t * frequency_hz)
    else:
        # 0 -> A at phase 1/4, -> -A at 3/4, -> 0 at 1
        v = amplitude_v * np.where(phase < 0.25, 4 * phase,
                                   np.where(phase < 0.75, 2 - 4 * phase, 4 * phase - 4))
    v[0] = 0.0
    return t, v


@dataclass
class PulseTrain:
    """A PWL pulse train and where its read windows are."""

    t: np.ndarray
    v: np.ndarray
    read_windows: list[tuple[float, float]]
    program_v: np.ndarray


def pulse_train(program_v, *, width_s, v_read: float, read_width_s: float,
                gap_s: float | None = None, edge_s: float | None = None) -> PulseTrain:
    """Programming pulses (amplitudes *program_v*, V), each followed by a read.

    ``width_s`` is one width for every pulse or one per pulse (asymmetric
    devices SET and RESET on very different time scales).  An initial read
    precedes the first pulse, so there are ``len(program_v)+1`` read windows.
    Edges take ``edge_s`` (default 1 % of the shortest width); pulses are
    separated by ``gap_s`` (default: the read width).
    """
    program_v = np.asarray(program_v, dtype=float)
    widths = np.broadcast_to(np.asarray(width_s, dtype=float), program_v.shape)
    shortest = min([read_width_s] + list(widths))
    edge = edge_s if edge_s is not None else 0.01 * shortest
    gap = gap_s if gap_s is not None else read_width_s
    t, v, reads = [0.0], [0.0], []
    now = 0.0

    def pulse(amp, width):
        nonlocal now
        now += gap
        pts = [(now, 0.0), (now + edge, amp), (now + edge + width, amp), (now + 2 * edge + width, 0.0)]
        for a, b in pts:
            t.append(a)
            v.append(b)
        start, stop = now + edge, now + edge + width
        now += 2 * edge + width
        return start, stop

    reads.append(pulse(v_read, read_width_s))
    for amp, width in zip(program_v, widths):
        pulse(amp, float(width))
        reads.append(pulse(v_read, read_width_s))
    now += gap
    t.append(now)
    v.append(0.0)
    return PulseTrain(np.array(t), np.array(v), reads, program_v)


def conductance_at_reads(t, v, i, windows) -> np.ndarray:
    """Mean ``i/v`` over the middle half of each read window (S)."""
    t, v, i = (np.asarray(a, dtype=float) for a in (t, v, i))
    out = []
    for a, b in windows:
        lo, hi = a + 0.25 * (b - a), a + 0.75 * (b - a)
        m = (t >= lo) & (t <= hi)
        if not np.any(m):
            m = [int(np.argmin(np.abs(t - 0.5 * (a + b))))]
        out.append(float(np.mean(i[m] / v[m])))
    return np.array(out)


def lobe_areas(v, i) -> tuple[float, float]:
    """Areas (V·A) enclosed by the positive and negative lobes of an i–v loop.

    ``|Σ ½(i_k + i_{k+1})(v_{k+1} − v_k)|`` over segments with both ends in the
    lobe's half-plane.  A memristor's loop is pinched at the origin, so each
    lobe is a closed curve through (0, 0).
    """
    v = np.asarray(v, dtype=float)
    i = np.asarray(i, dtype=float)
    seg = 0.5 * (i[1:] + i[:-1]) * np.diff(v)
    pos = (v[1:] >= 0) & (v[:-1] >= 0)
    neg = (v[1:] <= 0) & (v[:-1] <= 0)
    return float(abs(np.sum(seg[pos]))), float(abs(np.sum(seg[neg])))


def nonlinearity(g) -> float:
    """``max |G(n) − G_lin(n)| / |G_N − G_0|`` for a conductance-vs-pulse curve."""
    g = np.asarray(g, dtype=float)
    if g.size < 3:
        raise ValueError("nonlinearity needs at least 3 conductance values")
    span = g[-1] - g[0]
    if span == 0:
        return float("nan")
    lin = g[0] + span * np.arange(g.size) / (g.size - 1)
    return float(np.max(np.abs(g - lin)) / abs(span))


def distinguishable_levels(g, *, read_noise_rel: float, k_sigma: float = 6.0) -> int:
    """Levels on the curve *g* separated by ``k_sigma`` noise σ (σ = rel·G).

    Two levels G_a < G_b count as distinguishable when
    ``G_b − G_a ≥ k_sigma/2 · (σ_a + σ_b)``; with the default 6 σ each
    level's ±3 σ band stays clear of its neighbour's.
    """
    if read_noise_rel <= 0:
        raise ValueError(f"read_noise_rel must be > 0, got {read_noise_rel!r}")
    vals = np.sort(np.abs(np.asarray(g, dtype=float)))
    if vals.size == 0:
        return 0
    count, last = 1, vals[0]
    for x in vals[1:]:
        if x - last >= 0.5 * k_sigma * read_noise_rel * (x + last):
            count += 1
            last = x
    return count
