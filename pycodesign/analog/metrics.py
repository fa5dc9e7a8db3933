"""Electrical metrics of a crossbar read: currents, power, read margin, settling latency.

:func:`electrical_metrics` evaluates DC operating points (fast solver or
ngspice — both give every node voltage of the same circuit description) and
reports

* the output current range (min/max over outputs and input vectors) and the
  physical column current range;
* power dissipated in the devices, in the wires (wordline and bitline
  segments), in the 1T1R access transistors, and delivered by the input
  drivers (their balance is a built-in check);
* the read margin: the fraction of the voltage applied to a wordline that
  actually reaches each device, ``V_device / V_applied``, worst (minimum) and
  mean over the devices, **with every wordline driven at the full read
  voltage** (the worst IR-drop pattern; ``read_margin_v``, default the
  largest input magnitude of the batch; W⁻ rows of the opposite-polarity
  scheme at its negative).  The same ratio over the actual input vectors is
  also reported (``read_margin_inputs_*``), restricted to rows driven at
  >= 50 % of the batch's largest input (on weakly driven rows the ratio is
  dominated by the bitline voltage that other rows set and says nothing
  about the drop along the lines).

:func:`settling_time` applies a step to the inputs and returns the time after
which every sensed column current stays within ``tol`` (default 1 %) of its
final (DC) value: an ngspice transient with the parasitic capacitances and the
op-amp TIA dynamics, or, for linear arrays with an ideal TIA, the solver's
backward-Euler transient.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .circuit import Circuit, CrossbarSpec, build_circuit
from .mosfet import mos1_currents
from .solver import CrossbarSolver, check_inputs, transient_linear

__all__ = ["ElectricalMetrics", "electrical_metrics", "metrics_from_nodes", "SettlingResult", "settling_time"]


@dataclass
class ElectricalMetrics:
    """Electrical figures of a batch of reads (powers are means over the input vectors).

    Attributes
    ----------
    output_current_min_a, output_current_max_a : float
        Range of the output currents (after the differential combination).
    column_current_min_a, column_current_max_a : float
        Range of the sensed physical column currents.
    power_devices_w, power_wires_w, power_transistors_w, power_sources_w : float
        Mean power per read dissipated in the devices, in the wire segments,
        in the access transistors, and delivered by the input drivers (W).
    power_sensing_w : float
        Power flowing into the op-amp TIAs' inputs (their virtual ground is
        not exactly 0 V); zero for the ideal TIA.  Sources = devices + wires +
        transistors + sensing (energy balance).
    power_wires_wordline_w, power_wires_bitline_w : float
        The wire power split by line type.
    read_margin_worst, read_margin_mean : float
        min and mean of ``V_device / V_applied`` over all devices, every
        wordline at ``read_margin_v``.
    read_margin_v : float
    read_margin_inputs_worst, read_margin_inputs_mean : float
        The same ratio over the given input vectors (rows driven at >= 50 %
        of the batch's largest input).
    n_vectors : int
    engine : str
    """

    output_current_min_a: float
    output_current_max_a: float
    column_current_min_a: float
    column_current_max_a: float
    power_devices_w: float
    power_wires_w: float
    power_wires_wordline_w: float
    power_wires_bitline_w: float
    power_transistors_w: float
    power_sources_w: float
    power_sensing_w: float
    read_margin_worst: float
    read_margin_mean: float
    read_margin_v: float
    read_margin_inputs_worst: float
    read_margin_inputs_mean: float
    n_vectors: int
    engine: str
    per_vector: dict = field(default_factory=dict, repr=False)

    def to_dict(self, *, per_vector: bool = False) -> dict:
        d = asdict(self)
        pv = d.pop("per_vector")
        if per_vector:
            d["per_vector"] = {k: np.asarray(v).tolist() for k, v in pv.items()}
        return d


def _device_currents(circuit: Circuit, vdev: np.ndarray) -> np.ndarray:
    s = circuit.spec
    from .circuit import is_linear_model

    if is_linear_model(s.model):
        return vdev * circuit.dev_state
    x = np.broadcast_to(circuit.dev_state, vdev.shape)
    return np.asarray(s.model.reference.current(vdev.ravel(), x.ravel(), s.params), dtype=float).reshape(vdev.shape)


def _margin(circuit: Circuit, nodes: np.ndarray, vdev: np.ndarray, min_fraction: float) -> tuple[float, float]:
    c = circuit
    v_app = nodes[:, c.src_node][:, c.dev_row]  # applied wordline voltage of each device's row
    scale = float(np.max(np.abs(v_app))) if v_app.size else 0.0
    driven = np.abs(v_app) >= min_fraction * scale if scale > 0 else np.zeros_like(v_app, dtype=bool)
    if not driven.any():
        return math.nan, math.nan
    ratio = vdev[driven] / v_app[driven]
    return float(np.min(ratio)), float(np.mean(ratio))


def metrics_from_nodes(circuit: Circuit, v_in: np.ndarray, nodes: np.ndarray, outputs: np.ndarray,
                       columns: np.ndarray, engine: str, full_nodes: np.ndarray | None = None,
                       read_margin_v: float = math.nan) -> ElectricalMetrics:
    """Metrics from node voltages (batch × nodes) of either engine.

    ``full_nodes`` (1 × nodes) is the operating point with every input at
    ``read_margin_v`` (for the read margin).
    """
    c = circuit
    vdev = nodes[:, c.dev_a] - nodes[:, c.dev_b]
    idev = _device_currents(c, vdev)
    p_dev = np.sum(vdev * idev, axis=1)
    dv = nodes[:, c.res_a] - nodes[:, c.res_b]
    pw = dv ** 2 * c.res_g
    wl = c.res_kind <= 1
    p_wl = pw[:, wl].sum(axis=1)
    p_bl = pw[:, ~wl].sum(axis=1)
    p_fet = np.zeros(nodes.shape[0])
    if len(c.fet_d):
        vd, vg, vs = nodes[:, c.fet_d], nodes[:, c.fet_g], nodes[:, c.fet_s]
        id_, ib, _ = mos1_currents(vd, vg, vs, 0.0, c.spec.transistor)
        p_fet = np.sum(id_ * vd - (id_ + ib) * vs, axis=1)
    # Source power: V_src · (current the driver pushes into its wires / devices).
    n = c.n_nodes
    a = np.concatenate([c.res_a, c.dev_a])
    b = np.concatenate([c.res_b, c.dev_b])
    i_ab = np.concatenate([dv * c.res_g, idev], axis=1)  # current a -> b per element
    out_of = np.zeros((nodes.shape[0], n))
    np.add.at(out_of, (slice(None), a), i_ab)
    np.add.at(out_of, (slice(None), b), -i_ab)
    if len(c.fet_d):
        np.add.at(out_of, (slice(None), c.fet_d), id_)
        np.add.at(out_of, (slice(None), c.fet_s), -(id_ + ib))
    p_src = np.sum(nodes[:, c.src_node] * out_of[:, c.src_node], axis=1)
    p_sense = np.zeros(nodes.shape[0])
    if not c.sense_fixed:
        p_sense = np.sum(nodes[:, c.sense_node] ** 2, axis=1) * c.spec.tia.dc_input_conductance_s
    in_worst, in_mean = _margin(c, nodes, vdev, 0.5)
    if full_nodes is not None:
        worst, mean = _margin(c, full_nodes, full_nodes[:, c.dev_a] - full_nodes[:, c.dev_b], 1.0 - 1e-12)
    else:
        worst = mean = math.nan
    return ElectricalMetrics(
        output_current_min_a=float(outputs.min()), output_current_max_a=float(outputs.max()),
        column_current_min_a=float(columns.min()), column_current_max_a=float(columns.max()),
        power_devices_w=float(p_dev.mean()), power_wires_w=float((p_wl + p_bl).mean()),
        power_wires_wordline_w=float(p_wl.mean()), power_wires_bitline_w=float(p_bl.mean()),
        power_transistors_w=float(p_fet.mean()), power_sources_w=float(p_src.mean()),
        power_sensing_w=float(p_sense.mean()),
        read_margin_worst=worst, read_margin_mean=mean, read_margin_v=float(read_margin_v),
        read_margin_inputs_worst=in_worst, read_margin_inputs_mean=in_mean,
        n_vectors=int(nodes.shape[0]), engine=engine,
        per_vector={"power_devices_w": p_dev, "power_wires_w": p_wl + p_bl, "power_transistors_w": p_fet,
                    "power_sources_w": p_src},
    )


def electrical_metrics(spec: CrossbarSpec | Circuit, v_in, *, engine: str = "solver",
                       read_margin_v: float | None = None, chunk: int = 256,
                       workdir: str | Path | None = None,
                       progress: Callable[[int, int], None] | None = None) -> ElectricalMetrics:
    """DC electrical metrics of reading every input vector (see the module doc).

    ``engine="solver"`` works in chunks of ``chunk`` vectors (node voltages
    of a chunk are held in memory); ``engine="spice"`` runs one ngspice job
    saving every node voltage (keep the batch small for large arrays).
    ``read_margin_v`` (V) is the full-scale drive for the read margin
    (default: the largest input magnitude in ``v_in``).
    """
    c = spec if isinstance(spec, Circuit) else build_circuit(spec)
    v = check_inputs(c, v_in)
    vm = float(np.max(np.abs(v))) if read_margin_v is None else float(read_margin_v)
    if not math.isfinite(vm) or vm <= 0:
        raise ValueError(f"electrical_metrics: read_margin_v = {read_margin_v!r} must be a finite voltage > 0 "
                         "(or leave it None with a non-zero input)")
    full = np.full((1, c.n_inputs), vm)
    if engine == "solver":
        solver = CrossbarSolver(c)
        parts = []
        outs, cols = [], []
        for start in range(0, v.shape[0], chunk):
            r = solver.solve(v[start:start + chunk], return_nodes=True)
            parts.append(r.node_voltages)
            outs.append(r.outputs)
            cols.append(r.column_currents)
            if progress:
                progress(min(start + chunk, v.shape[0]), v.shape[0])
        nodes = np.concatenate(parts)
        full_nodes = solver.solve(full, return_nodes=True).node_voltages
        return metrics_from_nodes(c, v, nodes, np.concatenate(outs), np.concatenate(cols), "solver",
                                  full_nodes=full_nodes, read_margin_v=vm)
    if engine == "spice":
        from .spice_engine import simulate

        # the full-scale vector rides along as the last point of the same sweep
        r = simulate(c, np.vstack([v, full]), workdir=workdir, return_nodes=True)
        return metrics_from_nodes(c, v, r.node_voltages[:-1], r.outputs[:-1], r.column_currents[:-1], "spice",
                                  full_nodes=r.node_voltages[-1:], read_margin_v=vm)
    raise ValueError(f"electrical_metrics: engine = {engine!r} is not allowed; must be 'solver' or 'spice'")


@dataclass
class SettlingResult:
    """Step response summary.

    Attributes
    ----------
    latency_s : float
        Time from the start of the input step after which every sensed column
        current stays within ``tol`` of its final value.
    tol : float
    t_stop_s : float
        Simulated window.
    final_columns_a : array
        Final (DC) column currents.
    per_column_s : array
        Settling time of each column (NaN for columns whose final current is
        below 1e-9 of the largest: no meaningful relative band).
    engine : str
    files : dict
    """

    latency_s: float
    tol: float
    t_stop_s: float
    final_columns_a: np.ndarray
    per_column_s: np.ndarray
    engine: str
    t: np.ndarray = field(repr=False, default=None)
    column_currents: np.ndarray = field(repr=False, default=None)
    files: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"latency_s": self.latency_s, "tol": self.tol, "t_stop_s": self.t_stop_s, "engine": self.engine,
                "per_column_s": np.asarray(self.per_column_s).tolist(), "files": self.files}


def _estimate_tau(spec: CrossbarSpec, t_rise_s: float) -> float:
    """Rough dominant time constant (s): distributed-RC lines and the op-amp TIA loop."""
    pr, pc = spec.physical_shape
    par = spec.parasitics
    c_node = par.c_crossing_f + par.c_to_ground_f + 2 * par.c_line_to_line_f
    cols = pc / spec.col_partitions
    rows = pr / spec.partitions
    tau = max(par.r_row_ohm * c_node * cols ** 2 / 2, par.r_col_ohm * c_node * rows ** 2 / 2, t_rise_s, 1e-13)
    if spec.tia.kind == "opamp":
        st = spec.physical_state()
        g_col = float(np.max(np.sum(np.abs(st), axis=0))) if spec.model.linear else 1e-3
        loop = 1.0 + spec.tia.r_f_ohm * g_col  # noise gain of the TIA loop
        tau = max(tau, loop / (2 * math.pi * spec.tia.gbw_hz))
    return tau


def _settle(t: np.ndarray, cols: np.ndarray, final: np.ndarray, tol: float) -> np.ndarray:
    per = np.full(cols.shape[1], math.nan)
    big = np.max(np.abs(final)) if final.size else 0.0
    for j in range(cols.shape[1]):
        if abs(final[j]) <= 1e-9 * big:
            continue
        bad = np.abs(cols[:, j] - final[j]) > tol * abs(final[j])
        idx = np.flatnonzero(bad)
        if idx.size == 0:
            per[j] = 0.0
        elif idx[-1] + 1 < t.size:
            # interpolate the crossing into the band between the last bad and the next good sample
            k = idx[-1]
            e0 = abs(cols[k, j] - final[j]) - tol * abs(final[j])
            e1 = abs(cols[k + 1, j] - final[j]) - tol * abs(final[j])
            frac = e0 / (e0 - e1) if e0 != e1 else 1.0
            per[j] = t[k] + frac * (t[k + 1] - t[k])
        else:
            per[j] = math.inf
    return per


def settling_time(spec: CrossbarSpec | Circuit, v_step, *, tol: float = 0.01, t_stop_s: float | None = None,
                  engine: str = "spice", t_rise_s: float = 1e-12, points: int = 2000, max_tries: int = 6,
                  workdir: str | Path | None = None, timeout_s: float = 3600.0) -> SettlingResult:
    """Settling latency of the column currents after a step of the inputs to ``v_step``.

    The window starts at ``t_stop_s`` (default: 10× an RC/op-amp estimate)
    and doubles, up to ``max_tries`` times, until every column has stayed in
    its band for at least the last 20 % of the window.  ``timeout_s`` bounds
    the whole search (each ngspice transient gets what is left of it); running
    out of it raises :class:`~pycodesign.errors.SimulationError`.
    """
    c = spec if isinstance(spec, Circuit) else build_circuit(spec)
    s = c.spec
    if not (0 < tol < 1):
        raise ValueError(f"settling_time: tol = {tol!r} must be in (0, 1)")
    v = check_inputs(c, v_step, "v_step")
    if engine not in ("spice", "solver"):
        raise ValueError(f"settling_time: engine = {engine!r} is not allowed; must be 'spice' or 'solver'")
    if engine == "solver":
        final = CrossbarSolver(c).solve(v).column_currents[0]
    t_stop = t_stop_s if t_stop_s is not None else 10 * _estimate_tau(s, t_rise_s)
    refined = False
    import time as _time

    deadline = _time.monotonic() + float(timeout_s)
    for attempt in range(max_tries):
        if engine == "spice":
            from ..errors import SimulationError
            from .spice_engine import run_transient_step

            left = deadline - _time.monotonic()
            if left <= 0:
                raise SimulationError(f"settling_time: no settled result within timeout_s = {timeout_s:g} s")
            wd = (Path(workdir) / f"settling_{attempt}") if workdir else None
            r = run_transient_step(c, v, t_stop_s=t_stop, t_rise_s=t_rise_s, max_step_s=t_stop / points,
                                   workdir=wd, timeout_s=left)
            t, cols, final, files = r["t"], r["column_currents"], r["final_columns"], r["files"]
        else:
            t, cols = transient_linear(c, v, t_stop_s=t_stop, n_steps=points)
            files = {}
        per = _settle(t, cols, final, tol)
        valid = per[~np.isnan(per)]
        latency = float(np.max(valid)) if valid.size else 0.0
        if valid.size and latency > 0.8 * t_stop:
            t_stop *= 2 if np.all(np.isfinite(valid)) else 4  # not settled (long enough) yet: longer window
            continue
        if not refined and t_stop_s is None and latency < 0.1 * t_stop and attempt + 1 < max_tries:
            # settled early in the window: rerun once on a window of 5x the latency for resolution
            t_stop = max(5 * latency, 20 * t_rise_s, t_stop / 200)
            refined = True
            continue
        return SettlingResult(latency_s=latency, tol=tol, t_stop_s=t_stop, final_columns_a=final,
                              per_column_s=per, engine=engine, t=t, column_currents=cols, files=files)
    raise RuntimeError(f"settling_time: the column currents did not settle within {t_stop:g} s "
                       f"({max_tries} windows); pass a longer t_stop_s")
