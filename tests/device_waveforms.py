"""Stimuli and a loop-area measure for the model-specific device tests.

Written independently of :mod:`pycodesign.devices.characterize` on purpose:
the tests that use them check the models, not the characterisation code.
"""
import numpy as np


def sine(freq_hz: float, amp_v: float, periods: int = 1, pts: int = 1000):
    t = np.linspace(0.0, periods / freq_hz, periods * pts + 1)
    return t, amp_v * np.sin(2 * np.pi * freq_hz * t)


def loop_area(v, i):
    """Area enclosed by the I-V loop (sum of both lobes, A*V)."""
    pos, neg = v >= 0, v <= 0
    return abs(np.trapezoid(i[pos], v[pos])) + abs(np.trapezoid(i[neg], v[neg]))


def pulse_train(amp_v: float, width_s: float, n: int, *, edge_fraction: float = 1 / 50):
    """n rectangular pulses (edges ``edge_fraction`` of the width, gaps = width);
    returns t, v and sample times between pulses."""
    edge = width_s * edge_fraction
    t, v, reads = [0.0], [0.0], []
    tc = width_s
    for _ in range(n):
        t += [tc, tc + edge, tc + edge + width_s, tc + 2 * edge + width_s]
        v += [0.0, amp_v, amp_v, 0.0]
        reads.append(tc + 2 * edge + 1.5 * width_s)
        tc += 2 * edge + 2 * width_s
    t.append(tc)
    v.append(0.0)
    return np.array(t), np.array(v), np.array(reads)
