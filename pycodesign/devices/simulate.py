"""Simulate one device in ngspice under a voltage waveform.

Shared by the characterisation flow and the device tests: one netlist writer,
two engines (batch ``ngspice -b`` and in-process libngspice), identical
results as numpy arrays.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from .registry import DeviceModel
from ..spice import SpiceResult, run_batch, run_shared

__all__ = ["DeviceTrace", "pwl", "device_netlist", "simulate_device", "operating_point"]

ENGINES = ("batch", "shared")


@dataclass
class DeviceTrace:
    """ngspice result for one device: time (s), voltage V(p, n) (V), current p->n (A), state."""

    t: np.ndarray
    v: np.ndarray
    i: np.ndarray
    x: np.ndarray
    engine: str
    raw_file: Path | None = None


def pwl(t: Sequence[float], v: Sequence[float]) -> str:
    """A SPICE ``PWL(...)`` source value, wrapped on continuation lines."""
    t = np.asarray(t, dtype=float)
    v = np.asarray(v, dtype=float)
    pairs = [f"{a:.12g} {b:.12g}" for a, b in zip(t, v)]
    lines, cur = [], "PWL("
    for pr in pairs:
        if len(cur) > 200:
            lines.append(cur)
            cur = "+ "
        cur += pr + " "
    lines.append(cur.rstrip() + ")")
    return "\n".join(lines)


def device_netlist(model: DeviceModel, params: Mapping[str, float], source: str, *,
                   r_series_ohm: float = 0.0, title: str | None = None) -> str:
    """Deck: source ``VSRC`` -> (optional series resistor) -> device ``N1`` -> ground."""
    node = "p"
    lines = [title or f"pycodesign single-device test: {model.name}"]
    if r_series_ohm > 0:
        lines.append(f"VSRC in 0 {source}")
        lines.append(f"RSER in p {r_series_ohm:.12g}")
    else:
        lines.append(f"VSRC p 0 {source}")
    lines.append(model.instance_line("N1", node, "0", "dev", params))
    lines.append(model.model_card("dev", params))
    if model.tran_options:
        lines.append(".options " + " ".join(model.tran_options))
    return "\n".join(lines) + "\n"


def _run(netlist: str, analyses: list[str], model: DeviceModel, engine: str, workdir) -> SpiceResult:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    save = [f"@n1[{model.state.opvar}]", "v(p)", "i(vsrc)"]
    osdi = [model.osdi()]
    if engine == "batch":
        return run_batch(netlist, analyses, osdi=osdi, save=save, workdir=workdir)
    return run_shared(netlist, analyses, osdi=osdi, save=save)


def simulate_device(model: DeviceModel, t: Sequence[float], v: Sequence[float], *,
                    params: Mapping[str, float] | None = None, preset: str | None = None,
                    x0: float | None = None, engine: str = "batch", uic: bool = False,
                    step_s: float | None = None, max_step_s: float | None = None,
                    workdir: str | Path | None = None) -> DeviceTrace:
    """Transient of one device driven by the piecewise-linear voltage ``v(t)``.

    Parameters
    ----------
    x0
        Initial state (overrides the model's initial-state parameter).
    uic
        ``.tran ... uic``: skip the operating point (the state must still
        start at ``x0``).
    step_s, max_step_s
        Print step and largest internal step (defaults: ``t_end/2000`` and the
        smaller of that and the model's ``max_step_s``).
    """
    t = np.asarray(t, dtype=float)
    v = np.asarray(v, dtype=float)
    if t.ndim != 1 or t.shape != v.shape or t.size < 2 or np.any(np.diff(t) <= 0) or t[0] != 0:
        raise ValueError("simulate_device: t must start at 0 and increase; t and v of equal length")
    over = dict(params or {})
    if x0 is not None:
        over[model.state.initial_param] = x0
    p = model.resolve(over, preset=preset)
    t_end = float(t[-1])
    step = step_s or t_end / 2000
    mstep = max_step_s or min(step, model.max_step_s or np.inf)
    analysis = f"tran {step:.6g} {t_end:.12g} 0 {mstep:.6g}" + (" uic" if uic else "")
    res = _run(device_netlist(model, p, pwl(t, v)), [analysis], model, engine, workdir)
    pl = res.plots[-1]
    return DeviceTrace(t=pl["time"], v=pl["v(p)"], i=-pl["i(vsrc)"], x=pl[f"@n1[{model.state.opvar}]"],
                       engine=engine, raw_file=res.raw_files[-1] if res.raw_files else None)


def operating_point(model: DeviceModel, v_dc: float, *, params: Mapping[str, float] | None = None,
                    preset: str | None = None, x0: float | None = None,
                    engine: str = "batch") -> tuple[float, float]:
    """``.op`` of one device at ``v_dc``: (current p->n in A, state)."""
    over = dict(params or {})
    if x0 is not None:
        over[model.state.initial_param] = x0
    p = model.resolve(over, preset=preset)
    res = _run(device_netlist(model, p, f"DC {v_dc:.12g}"), ["op"], model, engine, None)
    pl = res.plots[-1]
    return float(-pl["i(vsrc)"][0]), float(pl[f"@n1[{model.state.opvar}]"][0])
