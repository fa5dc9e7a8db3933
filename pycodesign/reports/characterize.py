"""Plots of a device characterisation run (``kind: characterize``).

* :func:`plot_iv` — sine sweeps: the pinched loop on a linear axis beside
  |I| on a log axis (the pinch and the HRS branch show there), arrows for
  the sweep direction, and a note on the plot when the loops at different
  frequencies coincide (a threshold device switches fully at every
  frequency shown) instead of drawing the same curve several times.
* :func:`plot_state_sweep` — triangle sweeps: the internal state against
  the voltage (how the state moves), not a second I–V plot.
* :func:`plot_pulses` — conductance vs pulse number, potentiation and
  depression labelled with their amplitude, width and nonlinearity.
* :func:`plot_read_disturb` — ΔG/G after each read against the limit.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from . import style
from .plots import new_figure, save_figure

__all__ = ["loops_coincide", "plot_iv", "plot_state_sweep", "plot_pulses", "plot_read_disturb"]


def loops_coincide(traces, rel_tol: float = 0.02) -> bool:
    """True when every frequency's loop encloses the same area as the first, within ``rel_tol``.

    The enclosed area (both lobes) is what frequency changes in a memristor;
    equal areas mean the device switched fully at every frequency swept.
    """
    if len(traces) < 2:
        return False

    def area(tr):
        v, i = np.asarray(tr.v), np.asarray(tr.i)
        return abs(float(np.sum(0.5 * (i[1:] + i[:-1]) * np.diff(v))))

    ref = area(traces[0])
    if ref == 0:
        return False
    return all(abs(area(tr) - ref) <= rel_tol * ref for tr in traces[1:])


def _arrows(ax, v, i_ma, color, n: int = 4) -> None:
    """Arrows along a trace showing the direction of the sweep."""
    idx = np.linspace(len(v) * 0.08, len(v) * 0.92, n).astype(int)
    for k in idx:
        k2 = min(k + max(1, len(v) // 200), len(v) - 1)
        if k2 > k and (v[k2] != v[k] or i_ma[k2] != i_ma[k]):
            ax.annotate("", xy=(v[k2], i_ma[k2]), xytext=(v[k], i_ma[k]),
                        arrowprops=dict(arrowstyle="-|>", color=color, lw=1.2, mutation_scale=12))


def plot_iv(traces, frequencies, path: str | Path, *, model: str, amplitude_v: float, caption: str = "") -> Path:
    """Pinched hysteresis of the sine sweeps: linear current beside log |current|."""
    fig, ax = new_figure(2, 1)
    lin, log = ax[0, 0], ax[0, 1]
    same = loops_coincide(traces)
    shown = traces[:1] if same else traces
    for j, (tr, f) in enumerate(zip(shown, frequencies)):
        c = style.color_for("", j)
        label = f"{f:g} Hz" if not same else ", ".join(f"{x:g}" for x in frequencies) + " Hz"
        lin.plot(tr.v, tr.i * 1e3, color=c, lw=1.4, label=label)
        _arrows(lin, tr.v, tr.i * 1e3, c)
        mag = np.abs(tr.i)
        floor = max(float(np.max(mag)) * 1e-9, 1e-18)
        log.semilogy(tr.v, np.maximum(mag, floor), color=c, lw=1.4, label=label)
    lin.set(xlabel="voltage V(p, n) [V]", ylabel="current [mA]", title=f"{model}: pinched hysteresis")
    log.set(xlabel="voltage V(p, n) [V]", ylabel="|current| [A]", title="|I| on a log axis")
    lin.legend(title="sine frequency")
    if same:
        lin.text(0.02, 0.98, f"the loops at all {len(frequencies)} frequencies coincide\n(enclosed areas within "
                             "2 %): drawn once", transform=lin.transAxes, va="top", fontsize=8,
                 bbox=dict(boxstyle="round", fc="#fff8e0", ec="#E69F00"))
    style.caption(fig, caption or f"{model}, sine {amplitude_v:g} V")
    return save_figure(fig, path)


def plot_state_sweep(traces, frequencies, path: str | Path, *, model: str, state_name: str, state_unit: str,
                     amplitude_v: float, caption: str = "") -> Path:
    """Triangle sweeps: the internal state against the voltage, one trace per frequency."""
    fig, ax = new_figure()
    a = ax[0, 0]
    for j, (tr, f) in enumerate(zip(traces, frequencies)):
        c = style.color_for("", j)
        a.plot(tr.v, tr.x, color=c, lw=1.4, label=f"{f:g} Hz")
        _arrows(a, tr.v, tr.x, c, n=3)
    a.set(xlabel="voltage V(p, n) [V]", ylabel=f"state {state_name} [{state_unit}]",
          title=f"{model}: state during triangle sweeps (where it moves, and how fast)")
    a.legend(title="triangle frequency")
    style.caption(fig, caption or f"{model}, triangle {amplitude_v:g} V")
    return save_figure(fig, path)


def plot_pulses(pot, dep, path: str | Path, *, model: str, set_v: float, set_width_s: float, reset_v: float,
                reset_width_s: float, v_read: float, nl_pot: float, nl_dep: float, caption: str = "") -> Path:
    """Conductance after every pulse: potentiation (SET) then depression (RESET), each labelled."""
    fig, ax = new_figure()
    a = ax[0, 0]
    n_p = len(pot) - 1
    n = np.arange(len(pot) + len(dep) - 1)
    a.plot(n[: n_p + 1], np.asarray(pot) * 1e3, "o-", ms=3, color=style.color_for("", 0),
           label=f"potentiation: {set_v:g} V x {set_width_s:.3g} s pulses, NL = {nl_pot:.2f}")
    a.plot(n[n_p:], np.asarray(dep) * 1e3, "s-", ms=3, color=style.color_for("", 1),
           label=f"depression: {reset_v:g} V x {reset_width_s:.3g} s pulses, NL = {nl_dep:.2f}")
    a.axvline(n_p, color="#888888", ls=":", lw=1)
    a.set(xlabel="pulse number", ylabel=f"conductance read at {v_read:g} V [mS]",
          title=f"{model}: conductance vs pulse number")
    a.legend(fontsize=8)
    style.caption(fig, caption or "NL = max |G(n) - G_lin(n)| / |G_N - G_0| per train")
    return save_figure(fig, path)


def plot_read_disturb(g_reads, path: str | Path, *, model: str, v_read: float, width_s: float,
                      max_change_rel: float, caption: str = "") -> Path:
    """ΔG/G after each read, relative to the first, with the pass limit drawn."""
    g = np.asarray(g_reads, dtype=float)
    rel = (g - g[0]) / abs(g[0])
    scale, unit = (1e6, "ppm") if max(np.max(np.abs(rel)), max_change_rel) < 1e-3 else (1e2, "%")
    fig, ax = new_figure()
    a = ax[0, 0]
    a.plot(np.arange(1, g.size + 1), rel * scale, ".-", color=style.color_for("", 0), label="dG/G after each read")
    for sgn in (-1, 1):
        a.axhline(sgn * max_change_rel * scale, color=style.color_for("limit"), ls="--",
                  label=f"limit +-{max_change_rel * scale:g} {unit}" if sgn > 0 else None)
    a.set(xlabel="read number", ylabel=f"(G - G_1) / G_1 [{unit}]",
          title=f"{model}: read disturb, {g.size} reads of {width_s:.3g} s at {v_read:g} V")
    a.legend()
    style.caption(fig, caption or f"{model}")
    return save_figure(fig, path)
