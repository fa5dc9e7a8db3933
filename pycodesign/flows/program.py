"""Flow ``kind: program`` — write-verify programming of a trained network's conductances, RTL in the loop.

Steps

1. data and the network (SLP or MLP; trained here, as the inference flow, or
   loaded);
2. :func:`pycodesign.system.evaluate` of the mapped network on the flow's
   architecture (``mapping``, ``array``, ``tiling``, ``converters``,
   ``nonideal``): its tiling (:func:`pycodesign.system.plan_tiles`) says which
   logical rows and outputs tile ``program.tile`` of layer ``program.layer``
   holds; the layer's mapped conductances (``Evaluation.layers[k].mapped``)
   are the targets, W⁺ and W⁻ in adjacent physical columns (the ``digital``
   differential layout: column ``2j`` holds W⁺ of the tile's output ``j``,
   ``2j+1`` its W⁻); each cell's target becomes a window of ``±
   program.tolerance_codes`` read-ADC codes;
3. starting states (all HRS, or random) and seeded device-to-device
   variability (``program.variability``: relative σ per device parameter,
   instance parameters on the device line, model parameters on a card per
   device), drawn for the whole layer;
4. the **fast engine** (:mod:`pycodesign.cosim.fast`) programs the whole layer;
5. the **co-simulation** (:mod:`pycodesign.cosim.program`) programs the block
   ``cosim.rows × cosim.cols`` of the tile (physical rows and columns counted
   inside the tile; same targets, starting states and variability) with the
   RTL in ngspice, line parasitics and the half-select drivers; the final
   states are read back by a separate ngspice operating-point read;
6. accuracy through :func:`pycodesign.system.evaluate` with
   ``programmed=``: the layer's conductances as programmed (fast engine
   everywhere, the co-simulated block as read back) replace its mapping;
   beside the mapped network's accuracy on the same architecture and the
   ideal read of the same mapping;
7. ``metrics.json``, ``report.md``, plots, the RTL's ``digital.vcd`` and the
   ngspice raw file under ``cosim/``.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..config import (Architecture, ArraySection, ConfigError, ConvertersSection, MappingSection, NonIdealitySection,
                      OutputsConfig, Section, TilingSection, option, register_flow)
from .inference import DataSection, NetworkSection

__all__ = ["ProgramFlow", "run_program", "WriteSection", "ReadAdcSection", "TimingSection", "CosimSection",
           "ProgramSection"]


@dataclass
class WriteSection(Section):
    """Write pulses and half-select bias."""

    set_v: float = option(-0.58, "cell voltage V(WL) - V(BL) of a SET pulse (sign per device: VTEAM sets "
                          "with a negative voltage)", unit="V")
    reset_v: float = option(1.0, "cell voltage of a RESET pulse (opposite sign)", unit="V")
    scheme: Literal["v/2", "v/3"] = option("v/2", "half-select bias of the unselected lines")
    gate_read_v: float = option(1.0, "1T1R: gate of the selected row while reading", unit="V")
    gate_set_v: float = option(1.0, "1T1R: gate of the selected row during SET (compliance)", unit="V")
    gate_reset_v: float = option(1.5, "1T1R: gate of the selected row during RESET", unit="V")

    def validate(self):
        if self.set_v == 0 or self.reset_v == 0 or (self.set_v > 0) == (self.reset_v > 0):
            self.fail("reset_v", f"{self.reset_v!r} must be non-zero and of the opposite sign of set_v "
                                 f"({self.set_v!r})")


@dataclass
class ReadAdcSection(Section):
    """The read path's TIA and ADC."""

    bits: int = option(8, "read-ADC resolution", ge=2, le=16)
    full_scale_a: float | None = option(None, "current of the top code (null: G_LRS * V_READ * 1.2)", unit="A",
                                        gt=0)
    tia_r_f_ohm: float = option(10e3, "TIA transimpedance", unit="Ohm", gt=0)


@dataclass
class TimingSection(Section):
    """Clock, phases and the digital/analog bridges."""

    clock_period_s: float = option(5e-9, "RTL clock period", unit="s", gt=0)
    read_cycles: int = option(2, "cycles per read phase (settle, then convert)", ge=2, le=64)
    write_cycles: int = option(1, "cycles per write pulse (pulse width = write_cycles x clock_period_s)",
                               ge=1, le=1024)
    max_pulses: int = option(20, "write phases per position before a cell is given up", ge=0, le=4096)
    dac_rise_s: float = option(50e-12, "dac_bridge rise/fall time: edges of every pulse", unit="s", gt=0)
    adc_delay_s: float = option(1e-12, "adc_bridge delay", unit="s", gt=0)
    cosim_delay_s: float = option(10e-12, "d_cosim output delay (>= 1 ps)", unit="s", ge=1e-12)
    logic_high_v: float = option(1.0, "analog level of a digital 1", unit="V", gt=0)
    adc_threshold_v: float = option(0.5, "adc_bridge threshold", unit="V", gt=0)


@dataclass
class ProgramSection(Section):
    """Targets, starting states, variability, pulses, read path and timing."""

    layer: int = option(1, "layer of the network to program (1 = the first crossbar)", ge=1, le=2)
    tile: list[int] = option([0, 0], "[row tile, column tile] of that layer in the evaluation's tiling "
                                     "(tiling.tile_rows/tile_cols; [0, 0] without tiling)")
    tolerance_codes: int = option(3, "target window: target code +- this many read-ADC codes", ge=0, le=1000)
    start: Literal["hrs", "random"] = option("hrs", "starting states: every cell at G_HRS, or uniformly random "
                                                    "states between G_HRS and G_LRS")
    variability: dict[str, float] = option({}, "relative sigma of each device parameter across devices "
                                               "(normal, seeded), e.g. {r_on: 0.05}")
    write: WriteSection = option(WriteSection())
    adc: ReadAdcSection = option(ReadAdcSection())
    timing: TimingSection = option(TimingSection())

    def validate(self):
        if len(self.tile) != 2 or min(self.tile) < 0:
            self.fail("tile", f"{self.tile!r} must be [row tile, column tile], both >= 0")


@dataclass
class CosimSection(Section):
    """The block of the array programmed with the RTL in ngspice."""

    rows: list[int] = option([0, 4], "physical rows [first, end) of the tile co-simulated")
    cols: list[int] = option([0, 4], "physical columns [first, end) of the tile co-simulated")
    partitions: int = option(2, "column blocks of the co-simulated block programmed in parallel", ge=1)
    stop_margin: float = option(0.5, "latest end of the transient = (1 + stop_margin) x the fast engine's cycles "
                                     "+ 40 (it ends at the RTL's done)", ge=0, le=100)
    compare_margin_lsb: float = option(0.5, "engines may differ where the deciding read lies this close to a "
                                            "window threshold", unit="LSB", ge=0)
    timeout_s: float = option(1800.0, "give up the ngspice run after this long", unit="s", gt=0)

    def validate(self):
        for key in ("rows", "cols"):
            v = getattr(self, key)
            if len(v) != 2 or v[0] < 0 or v[1] <= v[0]:
                self.fail(key, f"{v!r} must be [first, end) with 0 <= first < end")


@register_flow("program")
@dataclass
class ProgramFlow(Section):
    """Write-verify programming of a layer (tile) of the mapped network with the RTL in the loop
    (see :mod:`pycodesign.flows.program`)."""

    name: str = option("program", "run name (prefix of the results folder)")
    seed: int = option(0, "seeds the split, training, starting states, variability and the evaluation", ge=0)
    data: DataSection = option(DataSection())
    network: NetworkSection = option(NetworkSection())
    mapping: MappingSection = option(MappingSection())
    array: ArraySection = option(ArraySection())
    tiling: TilingSection = option(TilingSection())
    converters: ConvertersSection = option(ConvertersSection())
    nonideal: NonIdealitySection = option(NonIdealitySection())
    program: ProgramSection = option(ProgramSection())
    cosim: CosimSection = option(CosimSection())
    outputs: OutputsConfig = option(OutputsConfig())

    def architecture(self) -> Architecture:
        """The architecture the network is evaluated on (its tiling gives the tiles to program)."""
        return Architecture(mapping=self.mapping, array=self.array, tiling=self.tiling,
                            converters=self.converters, nonideal=self.nonideal)

    def validate(self):
        layers = 1 if self.network.type == "slp" else 2
        if self.program.layer > layers:
            self.fail("program.layer", f"{self.program.layer}: the {self.network.type} has {layers} crossbar "
                                       f"layer(s); allowed: 1..{layers}")
        if self.mapping.scheme != "differential":
            self.fail("mapping.scheme", f"{self.mapping.scheme!r}: only 'differential' (W+ and W- columns) is "
                                        "programmed")
        if self.array.differential != "digital":
            self.fail("array.differential", f"{self.array.differential!r}: programming uses the 'digital' layout "
                                            "(W+ and W- columns side by side)")
        from ..devices import get_model

        try:
            model = get_model(self.array.device)
        except ValueError as exc:
            self.fail("array.device", str(exc))
        s = model.set_polarity
        if (self.program.write.set_v > 0) != (s > 0):
            self.fail("program.write.set_v", f"{self.program.write.set_v!r} V does not raise the conductance of "
                                             f"{model.name} (set_polarity {s:+d}: SET needs a "
                                             f"{'positive' if s > 0 else 'negative'} cell voltage)")
        pm = model.param_map
        for k, v in self.program.variability.items():
            if k not in pm:
                self.fail(f"program.variability.{k}", f"not a parameter of {model.name}; known: {', '.join(pm)}")
            if not (0 <= v <= 1):
                self.fail(f"program.variability.{k}", f"{v!r} is out of range; allowed: relative sigma in [0, 1]")
        if self.program.timing.adc_threshold_v >= self.program.timing.logic_high_v:
            self.fail("program.timing.adc_threshold_v", "must be below logic_high_v")
        c = self.cosim
        n_cols = (self.cosim.cols[1] - self.cosim.cols[0])
        if n_cols % c.partitions:
            self.fail("cosim.partitions", f"{c.partitions} does not divide the {n_cols} co-simulated columns")
        self.architecture()


# --------------------------------------------------------------------------- building the job


def _job(flow: ProgramFlow, g_target: np.ndarray, x_start: np.ndarray, per_device: dict, partitions: int,
         parasitics: bool):
    from ..analog.circuit import CrossbarParasitics, CrossbarSpec
    from ..analog.mosfet import AccessTransistor
    from ..cosim.netlist import BridgeTiming
    from ..cosim.program import ProgramJob, ProgramTiming, WriteBias
    from ..devices import get_model

    a, p = flow.array, flow.program
    model = get_model(a.device)
    params = model.resolve(a.device_params, preset=a.preset)
    par = (CrossbarParasitics(a.r_row_ohm, a.r_col_ohm, a.c_line_to_line_f, a.c_crossing_f, a.c_to_ground_f)
           if parasitics else CrossbarParasitics())
    t = a.transistor
    tr = AccessTransistor(w_m=t.w_m, l_m=t.l_m, v_gate_v=p.write.gate_read_v, vto_v=t.vto_v,
                          kp_a_per_v2=t.kp_a_per_v2, lambda_per_v=t.lambda_per_v, tox_m=t.tox_m,
                          cgso_f_per_m=t.cgso_f_per_m, cgdo_f_per_m=t.cgdo_f_per_m, is_a=t.is_a)
    spec = CrossbarSpec(x_start, device=model, device_params=params, cell=a.cell, parasitics=par,
                        dual_side=a.dual_side, transistor=tr)
    adc = _adc(flow)
    codes = adc.codes(g_target * a.v_read_v)
    tol = p.tolerance_codes
    windows = np.stack([np.clip(codes - tol, 0, adc.top), np.clip(codes + tol, 0, adc.top)], axis=-1)
    tm = p.timing
    bridges = BridgeTiming(tm.logic_high_v, tm.adc_threshold_v, tm.adc_delay_s, tm.dac_rise_s, tm.cosim_delay_s)
    w = p.write
    bias = WriteBias(w.set_v, w.reset_v, a.v_read_v, w.scheme, w.gate_read_v, w.gate_set_v, w.gate_reset_v)
    timing = ProgramTiming(tm.clock_period_s, tm.read_cycles, tm.write_cycles, tm.max_pulses, bridges)
    return ProgramJob(spec, windows, partitions, adc, bias, timing, per_device=per_device, target_g_s=g_target)


def _adc(flow: ProgramFlow):
    from ..cosim.program import ReadAdc

    fs = flow.program.adc.full_scale_a or flow.mapping.g_lrs_s * flow.array.v_read_v * 1.2
    return ReadAdc(flow.program.adc.bits, fs, flow.program.adc.tia_r_f_ohm)


def _variability(flow: ProgramFlow, shape, rng) -> dict:
    from ..devices import get_model

    model = get_model(flow.array.device)
    params = model.resolve(flow.array.device_params, preset=flow.array.preset)
    pm = model.param_map
    out = {}
    for k, sigma in sorted(flow.program.variability.items()):
        if sigma == 0:
            continue
        v = params[k] * (1.0 + sigma * rng.standard_normal(shape))
        lo = pm[k].low if pm[k].low is not None else -np.inf
        hi = pm[k].high if pm[k].high is not None else np.inf
        eps = 1e-12 * max(1.0, abs(params[k]))
        out[k] = np.clip(v, lo + eps if pm[k].low_open else lo, hi - eps if pm[k].high_open else hi)
    return out


def _start_states(flow: ProgramFlow, shape, rng) -> np.ndarray:
    from ..devices import get_model
    from ..devices.inversion import state_for_conductance

    model = get_model(flow.array.device)
    params = model.resolve(flow.array.device_params, preset=flow.array.preset)
    m = flow.mapping
    x_hrs = state_for_conductance(model, m.g_hrs_s, v_read=flow.array.v_read_v, params=params)
    if flow.program.start == "hrs":
        return np.full(shape, x_hrs)
    x_lrs = state_for_conductance(model, m.g_lrs_s, v_read=flow.array.v_read_v, params=params)
    return x_hrs + (x_lrs - x_hrs) * rng.uniform(size=shape)


def compare_engines(job, cosim, fast, margin_lsb: float) -> dict:
    """Per-cell pulse sequences of the two engines: equal, or diverging at a verify read that lay within
    ``margin_lsb`` of a window threshold (explained), or not (unexplained)."""
    rows, cols = job.shape
    same, explained, unexplained = [], [], []
    for r in range(rows):
        for c in range(cols):
            a, b = cosim.pulses.get((r, c), []), fast.pulses.get((r, c), [])
            if a == b:
                same.append((r, c))
                continue
            k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            reads = fast.reads_a[(r, c)]
            lo, hi = job.windows[r, c]
            d = float(job.adc.edge_distance_lsb(reads[k], lo, hi)) if k < len(reads) else math.inf
            entry = {"cell": [r, c], "cosim_pulses": len(a), "fast_pulses": len(b), "diverge_at_read": k,
                     "read_distance_lsb": d}
            (explained if d <= margin_lsb else unexplained).append(entry)
    return {"cells": rows * cols, "same": len(same), "explained": explained, "unexplained": unexplained,
            "margin_lsb": margin_lsb}


# --------------------------------------------------------------------------- the run


def layer_targets(ev, layer: int, tile) -> dict:
    """The physical target conductances of *layer* (1-based) of an evaluation, and where *tile* sits in them.

    Returns ``g_layer`` (rows × 2·outputs, W⁺ then W⁻ of each output in
    adjacent columns), the tile's logical ``rows`` and ``outputs`` (arrays),
    its physical column indices ``cols`` into ``g_layer``, and the layer's
    ``mapped`` weights.

    Raises
    ------
    ConfigError
        The tile is outside the layer's tiling (names ``program.tile``).
    """
    res = ev.layers[layer - 1]
    plan = res.plan
    ri, ci = int(tile[0]), int(tile[1])
    if not (0 <= ri < plan.n_row_tiles and 0 <= ci < plan.n_col_tiles):
        raise ConfigError(None, "program.tile", f"{list(tile)} is outside layer {layer}'s tiling of "
                                                f"{plan.n_row_tiles} x {plan.n_col_tiles} tiles "
                                                f"({', '.join(plan.describe()['tile_shapes'])} devices)")
    m = res.mapped
    g_pos, g_neg = np.asarray(m.g_pos, dtype=float), np.asarray(m.g_neg, dtype=float)
    g_layer = np.empty((g_pos.shape[0], 2 * g_pos.shape[1]))
    g_layer[:, 0::2], g_layer[:, 1::2] = g_pos, g_neg
    rows, outs = np.asarray(plan.row_blocks[ri]), np.asarray(plan.col_blocks[ci])
    cols = np.stack([2 * outs, 2 * outs + 1], axis=1).ravel()
    return {"g_layer": g_layer, "rows": rows, "outputs": outs, "cols": cols, "mapped": m, "plan": plan}


def programmed_layers(n_layers: int, layer: int, g_layer: np.ndarray) -> list:
    """``evaluate(..., programmed=...)`` argument: *g_layer* (physical, W⁺/W⁻ interleaved) for *layer*."""
    out: list = [None] * n_layers
    out[layer - 1] = {"g_pos": g_layer[:, 0::2].copy(), "g_neg": g_layer[:, 1::2].copy()}
    return out


def layer_draws(flow: ProgramFlow, shape, rng) -> tuple[np.ndarray, dict]:
    """Starting states and per-device variability of a whole layer: one seeded draw, states first."""
    return _start_states(flow, shape, rng), _variability(flow, shape, rng)


def block_jobs(flow: ProgramFlow, tg: dict, x_layer: np.ndarray, var_layer: dict):
    """The co-simulated block (``cosim.rows`` x ``cosim.cols`` of the tile *tg* from :func:`layer_targets`) as a
    job with the array's wires and one without, and the block's index into the layer.

    Raises
    ------
    ConfigError
        The block exceeds the tile (names ``cosim.rows``).
    """
    (r0, r1), (c0, c1) = flow.cosim.rows, flow.cosim.cols
    rows, cols = len(tg["rows"]), len(tg["cols"])
    if r1 > rows or c1 > cols:
        raise ConfigError(None, "cosim.rows", f"the block rows {flow.cosim.rows} x cols {flow.cosim.cols} exceeds "
                                              f"the {rows}x{cols} devices of layer {flow.program.layer}'s tile "
                                              f"{list(flow.program.tile)}")
    lay = np.ix_(tg["rows"][r0:r1], tg["cols"][c0:c1])
    var = {n: v[lay] for n, v in var_layer.items()}
    jobs = [_job(flow, tg["g_layer"][lay], x_layer[lay], var, flow.cosim.partitions, parasitics=p)
            for p in (True, False)]
    return jobs[0], jobs[1], lay


def run_program(flow: ProgramFlow, run, progress=print) -> dict:
    from ..cosim.fast import program_fast
    from ..cosim.program import conductance_of_states, read_back, run_cosim_program
    from ..system import evaluate
    from .inference import _load_data, _network

    t_all = time.perf_counter()
    metrics: dict = {"complete": False}
    timing: dict = {}

    def checkpoint():
        run.write_json("metrics.json", {**metrics, "timing_s": timing})

    rng = np.random.default_rng(flow.seed)
    # 1-2. network, its evaluation on the architecture, the targets of the chosen tile
    ds = _load_data(flow)
    net, source = _network(flow, ds, progress)
    arch = flow.architecture()
    t0 = time.perf_counter()
    ev = evaluate(net, arch, ds.x_test, ds.y_test, engine="solver", seed=flow.seed)
    timing["evaluate_s"] = time.perf_counter() - t0
    k, tile = flow.program.layer, flow.program.tile
    tg = layer_targets(ev, k, tile)
    g_layer, m = tg["g_layer"], flow.mapping
    g_target = g_layer[np.ix_(tg["rows"], tg["cols"])]
    rows, cols = g_target.shape
    progress(f"layer {k} of the {flow.network.type} mapped to "
             f"{g_layer.shape[0]}x{g_layer.shape[1]} devices ({flow.array.device}); tile {list(tile)}: "
             f"{rows}x{cols} devices")
    metrics["mapping"] = {"layer": k, "tile": list(tile), "layer_physical_shape": list(g_layer.shape),
                          "physical_shape": [rows, cols], "tile_rows": tg["rows"].tolist(),
                          "tile_outputs": tg["outputs"].tolist(), "tiling": tg["plan"].describe(),
                          "g_hrs_s": m.g_hrs_s, "g_lrs_s": m.g_lrs_s, "levels": m.levels,
                          "weight_per_siemens": tg["mapped"].weight_per_siemens}

    # 3. starting states and variability (whole layer, one draw)
    x_layer, var_layer = layer_draws(flow, g_layer.shape, rng)
    full = _job(flow, g_layer, x_layer, var_layer, 1, parasitics=False)
    metrics["read_adc"] = {"bits": full.adc.bits, "full_scale_a": full.adc.full_scale_a, "lsb_a": full.adc.lsb_a,
                           "tolerance_codes": flow.program.tolerance_codes}

    # 4. fast engine on the whole layer
    t0 = time.perf_counter()
    progress(f"fast engine: programming the {g_layer.size} cells of layer {k}")
    fast = program_fast(full)
    timing["fast_s"] = time.perf_counter() - t0
    g_fast = conductance_of_states(full, fast.final_states)
    metrics["fast"] = {"cells": int(g_layer.size), "fail_count": fast.fail_count, "cycles": fast.cycles,
                       "programming_time_s": fast.programming_time_s, "seconds": fast.seconds,
                       "cells_per_s": g_layer.size / max(fast.seconds, 1e-9),
                       "pulses_mean": float(fast.pulse_counts.mean()), "pulses_max": int(fast.pulse_counts.max())}
    checkpoint()

    # 5. co-simulated block of the tile
    (r0, r1), (c0, c1) = flow.cosim.rows, flow.cosim.cols
    blk = (slice(r0, r1), slice(c0, c1))  # the block in the tile
    job, job_ideal, lay = block_jobs(flow, tg, x_layer, var_layer)
    fast_blk = program_fast(job_ideal)
    T = job.timing.clock_period_s
    t_stop = (fast_blk.cycles * (1 + flow.cosim.stop_margin) + 40) * T
    progress(f"co-simulation: tile rows {r0}..{r1 - 1} x cols {c0}..{c1 - 1} "
             f"({job.shape[0] * job.shape[1]} cells, {flow.cosim.partitions} partitions)")
    cos_dir = run.file("cosim")
    t0 = time.perf_counter()
    hint = (f"raise cosim.stop_margin (now {flow.cosim.stop_margin:g}: the transient may last (1 + stop_margin) x the "
            f"fast engine's {fast_blk.cycles} cycles + 40; the co-simulation needs more where half-select disturb "
            "or IR drop add pulses)")
    cos = run_cosim_program(job, cos_dir, t_stop_s=t_stop, timeout_s=flow.cosim.timeout_s, progress=progress,
                            stop_hint=hint)
    timing["cosim_s"] = time.perf_counter() - t0
    rb = read_back(job, cos.final_states, cos_dir / "readback")
    g_after_own = conductance_of_states(job, cos.states_after_own_programming())
    g_end = conductance_of_states(job, cos.final_states)
    last = cos.finish_time_s >= np.nanmax(cos.finish_time_s)
    rel = np.abs(g_end - g_after_own) / g_after_own
    earlier = rel[~last]
    step = (m.g_lrs_s - m.g_hrs_s) / ((m.levels or 2) - 1)
    err_levels = (rb.g_s - g_target[blk]) / step
    failed_cells = {(r, c) for (r, c), kinds in cos.pulses.items()
                    if len(kinds) >= job.timing.max_pulses}
    out_not_failed = [[int(r), int(c)] for r, c in zip(*np.nonzero(~rb.in_window)) if (r, c) not in failed_cells]
    comparison = compare_engines(job_ideal, cos, fast_blk, flow.cosim.compare_margin_lsb)
    cells = job.shape[0] * job.shape[1]
    metrics["cosim"] = {
        "block": {"rows": [r0, r1], "cols": [c0, c1], "partitions": flow.cosim.partitions,
                  "layer_rows": tg["rows"][r0:r1].tolist(), "layer_cols": tg["cols"][c0:c1].tolist()},
        "cells": cells, "fail_count_rtl": cos.fail_count, "in_window_readback": int(rb.in_window.sum()),
        "out_of_window_not_counted": out_not_failed,
        "programming_time_s": cos.programming_time_s, "cycles": int(round(cos.programming_time_s / T)),
        "energy_j": cos.energy_j, "energy_per_cell_j": cos.energy_j["total"] / cells,
        "disturb": {"max_rel_dG": float(earlier.max()) if earlier.size else 0.0,
                    "mean_rel_dG": float(earlier.mean()) if earlier.size else 0.0,
                    "cells": int(earlier.size)},
        "error_levels": {"mean_abs": float(np.abs(err_levels).mean()), "max_abs": float(np.abs(err_levels).max()),
                         "rms": float(np.sqrt((err_levels ** 2).mean()))},
        "pulses_mean": float(cos.pulse_counts.mean()), "pulses_max": int(cos.pulse_counts.max()),
        "ngspice_s": cos.seconds, "ngspice_cpu_s": cos.cpu_seconds, "verilator_build_s": cos.build_seconds,
        "cells_per_s": cells / cos.seconds,
        "engine_comparison_parasitic_free_fast_vs_cosim_with_parasitics": {
            "same": comparison["same"], "explained": len(comparison["explained"]),
            "unexplained": len(comparison["unexplained"]), "details": comparison["explained"]
            + comparison["unexplained"], "margin_lsb": comparison["margin_lsb"]},
        "files": {n: str(v) for n, v in cos.files.items()},
    }
    checkpoint()

    # 6. accuracy through evaluate, the programmed layer's conductances replacing its mapping
    g_prog = g_fast.copy()
    g_prog[lay] = rb.g_s
    n_layers = len(ev.layers)
    t0 = time.perf_counter()
    ev_fast = evaluate(net, arch, ds.x_test, ds.y_test, engine="solver", seed=flow.seed,
                       programmed=programmed_layers(n_layers, k, g_fast))
    ev_prog = evaluate(net, arch, ds.x_test, ds.y_test, engine="solver", seed=flow.seed,
                       programmed=programmed_layers(n_layers, k, g_prog))
    timing["evaluate_programmed_s"] = time.perf_counter() - t0
    acc_sw = float(np.mean(net.predict(ds.x_test) == ds.y_test))
    metrics["accuracy"] = {
        "software": acc_sw, "ideal_mapping": float(ev.ideal_accuracy), "mapped": float(ev.accuracy),
        "fast_programmed": float(ev_fast.accuracy), "programmed_with_cosim_block": float(ev_prog.accuracy),
        "images": int(ev.n_images),
        "note": (f"pycodesign.system.evaluate (solver engine, seed {flow.seed}) on the flow's architecture: "
                 "'mapped' with the mapped conductances (and the nonideal section's draws), 'programmed' with "
                 f"layer {k}'s conductances as programmed (read at V_READ) via evaluate(programmed=...); "
                 "'ideal_mapping' is the same mapping read ideally (no circuit, no converters)")}
    progress(f"accuracy (evaluate): software {acc_sw:.4f}, ideal mapping {ev.ideal_accuracy:.4f}, mapped "
             f"{ev.accuracy:.4f}, programmed {ev_prog.accuracy:.4f}")

    # 7. plots and report
    from ..cosim.report import write_program_report

    plots = write_program_report(run, flow, metrics, job, cos, rb, fast_blk, err_levels, g_target[blk])
    metrics["plots"] = plots
    metrics["complete"] = True
    timing["total_s"] = time.perf_counter() - t_all
    checkpoint()
    return metrics
