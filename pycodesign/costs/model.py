"""The cost model: energy, area and latency of a design, per inference and per layer, by component.

:func:`estimate_costs` takes a :class:`~pycodesign.costs.design.DesignDescription`
and returns a :class:`CostReport`.  The formulas, per layer (every count is
derived from the tile grid; "used" lines are the layer's, "physical" lines the
tiles' — idle lines of a partly filled tile cost area, not energy):

Energy per inference
    array       measured Σ V·I·t (devices + wires) if given, else
                wordlines × bitlines × V_READ² × E[(v/V_READ)²] × G_mean × t_read × cycles
                (worst case: E[...] = 1, G_max);
    lines       C·V² per active line: wordline segments (wordlines × column tiles × cycles,
                C = c_wl/cell × tile_cols, V² = V_READ² × E[(v/V_READ)²]) and bitlines
                (bitlines × row tiles × cycles, C = c_bl/cell × tile_rows, V = bitline swing);
    dac         drives (wordlines × column tiles × cycles) × energy per drive;
    tia         P_TIA × t_read × bitlines × row tiles × cycles (user parameter);
    mux         one NAND2 toggle per conversion when columns_per_adc > 1;
    adc         conversions (ADC channels used × row tiles × cycles) × energy per conversion;
    subtractor  (digital differential) one subtraction per output pair per row tile per cycle;
    accumulator additions (outputs × accumulations per output);
    blocks      instances × ops/inference × activity × NAND2-eq × E_NAND2.
    Digital energy per operation = activity × gate count × NAND2 toggle energy.
Area
    cells (cell area × physical cells), DACs (one per physical wordline per tile),
    TIAs (one per physical bitline per tile), ADCs (⌈channels/columns_per_adc⌉ per
    tile), muxes, subtractors, accumulators and blocks (NAND2-eq × NAND2 area).
    No routing, no floorplan, no pitch-matching overhead: :attr:`LayerCost.notes`
    says where the periphery is wider than the array edge it must fit.
Latency
    one read cycle = max(t_read, settling) + ADC conversion time × columns_per_adc
    (conversions through one ADC are sequential; reads and conversions are not
    overlapped); × input cycles; × number of tiles if tiles run in sequence;
    + accumulation (one clock per addition per output, the subtraction included)
    + the digital blocks on the inference path (argmax: its pipeline latency
    from :func:`pycodesign.rtl.models.argmax_latency`, at least one clock;
    ReLU: one clock).  Layers run one after another.
Throughput and efficiency
    operations per inference = 2 × Σ n_inputs × n_outputs (one MAC = one
    multiply + one add = 2 operations; bias and digital steps not counted);
    inferences/s = 1 / latency (or 1 / slowest layer when layers are pipelined);
    TOPS/W = operations / energy per inference / 1e12;
    TOPS/mm² = operations × inferences/s / area (mm²) / 1e12.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from typing import NamedTuple, Sequence

import numpy as np

from . import converters as cv
from .design import DesignDescription, LayerDesign
from .technology import Technology, get_technology

__all__ = ["ComponentCost", "LayerCost", "CostReport", "ArrayReadEnergy", "estimate_costs",
           "cell_area_um2", "cell_size_um", "line_capacitance_per_cell_f", "array_read_energy_j",
           "rc_settling_time_s", "digital_synthesis", "digital_gate_count", "digital_block_cost", "COMPONENT_ORDER"]

#: Order of components in tables and plots.
COMPONENT_ORDER = ("array", "lines", "cells", "dac", "tia", "mux", "adc", "subtractor", "accumulator")


@dataclass(frozen=True)
class ComponentCost:
    """One component of a layer: energy per inference (J), area (µm²), instances and a note on its source."""

    component: str
    energy_j: float
    area_um2: float
    instances: int = 0
    note: str = ""

    def to_dict(self) -> dict:
        return {"energy_j": self.energy_j, "area_um2": self.area_um2, "instances": self.instances,
                "note": self.note}


@dataclass(frozen=True)
class LayerCost:
    """Cost of one layer.

    Attributes
    ----------
    components : tuple of ComponentCost
    latency_s : dict
        Breakdown: ``read_s`` (array settling/read), ``adc_s`` (conversions),
        ``accumulate_s``, ``digital_s``, ``total_s``.
    macs : int
    notes : tuple of str
    """

    name: str
    components: tuple
    latency_s: dict
    macs: int
    notes: tuple = ()

    @property
    def energy_j(self) -> float:
        return sum(c.energy_j for c in self.components)

    @property
    def area_um2(self) -> float:
        return sum(c.area_um2 for c in self.components)

    def component(self, name: str) -> ComponentCost:
        for c in self.components:
            if c.component == name:
                return c
        raise KeyError(f"layer {self.name!r} has no component {name!r}; it has "
                       f"{', '.join(c.component for c in self.components)}")

    def to_dict(self) -> dict:
        return {"name": self.name, "energy_j": self.energy_j, "area_um2": self.area_um2,
                "latency_s": dict(self.latency_s), "macs": self.macs,
                "components": {c.component: c.to_dict() for c in self.components}, "notes": list(self.notes)}


@dataclass(frozen=True)
class CostReport:
    """Cost of a design per inference: layers, totals and figures of merit (see the module docstring)."""

    name: str
    technology: Technology
    clock_hz: float
    layers: tuple
    latency_s: float
    inferences_per_s: float
    ops_per_inference: int
    assumptions: tuple = field(default=())

    @property
    def energy_j(self) -> float:
        return sum(layer.energy_j for layer in self.layers)

    @property
    def area_um2(self) -> float:
        return sum(layer.area_um2 for layer in self.layers)

    @property
    def area_mm2(self) -> float:
        return self.area_um2 * 1e-6

    @property
    def power_w(self) -> float:
        """Mean power at the design's maximum inference rate (W)."""
        return self.energy_j * self.inferences_per_s

    @property
    def tops_per_w(self) -> float:
        return self.ops_per_inference / self.energy_j / 1e12 if self.energy_j > 0 else math.inf

    @property
    def tops_per_mm2(self) -> float:
        return self.ops_per_inference * self.inferences_per_s / self.area_mm2 / 1e12

    def component_totals(self) -> dict[str, tuple[float, float]]:
        """Component → (energy J, area µm²) summed over layers, in :data:`COMPONENT_ORDER` then block order."""
        out: dict[str, list[float]] = {}
        for layer in self.layers:
            for c in layer.components:
                acc = out.setdefault(c.component, [0.0, 0.0])
                acc[0] += c.energy_j
                acc[1] += c.area_um2
        order = [k for k in COMPONENT_ORDER if k in out] + [k for k in out if k not in COMPONENT_ORDER]
        return {k: (out[k][0], out[k][1]) for k in order}

    def share(self, component: str) -> tuple[float, float]:
        """(energy share, area share) of *component* in the whole design, in [0, 1]."""
        e, a = self.component_totals().get(component, (0.0, 0.0))
        return (e / self.energy_j if self.energy_j else 0.0, a / self.area_um2 if self.area_um2 else 0.0)

    def to_dict(self) -> dict:
        """Plain dict (JSON-ready, units in the keys) for ``metrics.json``."""
        return {
            "design": self.name,
            "technology": self.technology.to_dict(),
            "clock_hz": self.clock_hz,
            "energy_per_inference_j": self.energy_j,
            "area_um2": self.area_um2,
            "latency_s": self.latency_s,
            "inferences_per_s": self.inferences_per_s,
            "power_w": self.power_w,
            "ops_per_inference": self.ops_per_inference,
            "ops_definition": "2 operations per MAC (multiply + add); MACs = sum of n_inputs x n_outputs",
            "tops_per_w": self.tops_per_w,
            "tops_per_mm2": self.tops_per_mm2,
            "components": {k: {"energy_j": e, "area_um2": a} for k, (e, a) in self.component_totals().items()},
            "layers": [layer.to_dict() for layer in self.layers],
            "assumptions": list(self.assumptions),
        }


# ----------------------------------------------------------------------------- geometry


def cell_size_um(cell: str, tech: Technology, access_w_over_l: float = 10.0) -> tuple[float, float]:
    """``(width along the wordline, height along the bitline)`` of one cell (µm).

    1R: 2F × 2F (4F², the crosspoint minimum).  1T1R: NVSim's MOS-accessed cell
    (Dong, Xu, Xie & Jouppi, IEEE TCAD 31(7):994–1007, 2012, Eq. 7), area
    3(W/L + 1)F², laid out as (W/L + 1)F along the wordline (the gate) by 3F
    along the bitline, never smaller than 2F × 2F.  NVSim assumes L = F.
    """
    f = tech.f_um
    if cell == "1R":
        return 2 * f, 2 * f
    if cell == "1T1R":
        if not (isinstance(access_w_over_l, (int, float)) and access_w_over_l > 0):
            raise ValueError(f"access_w_over_l = {access_w_over_l!r} must be > 0")
        return max(2 * f, (access_w_over_l + 1) * f), 3 * f
    raise ValueError(f"cell = {cell!r} is not allowed; allowed: 1R, 1T1R")


def cell_area_um2(cell: str, tech: Technology, access_w_over_l: float = 10.0) -> float:
    """Area of one cell (µm²): 4F² (1R) or 3(W/L + 1)F² (1T1R); see :func:`cell_size_um`."""
    w, h = cell_size_um(cell, tech, access_w_over_l)
    return w * h


def line_capacitance_per_cell_f(c_line_to_line_f: float = 0.0, c_crossing_f: float = 0.0,
                                c_to_ground_f: float = 0.0) -> float:
    """Capacitance a line charges per cell from the kit's per-cell parasitics (review Fig. 17d), F.

    ``c_to_ground + c_crossing + 2·c_line_to_line``: both neighbours counted as
    quiet (an upper bound; when neighbours switch together the coupling term vanishes).
    """
    for name, v in (("c_line_to_line_f", c_line_to_line_f), ("c_crossing_f", c_crossing_f),
                    ("c_to_ground_f", c_to_ground_f)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
            raise ValueError(f"{name} = {v!r} must be a finite number >= 0")
    return c_to_ground_f + c_crossing_f + 2.0 * c_line_to_line_f


class ArrayReadEnergy(NamedTuple):
    """Mean energy of one read over the given input vectors (J)."""

    devices_j: float
    lines_j: float

    @property
    def total_j(self) -> float:
        return self.devices_j + self.lines_j


def array_read_energy_j(g_s, v_in_v, t_read_s: float, *, c_wordline_f: float = 0.0, c_bitline_f: float = 0.0,
                        bitline_swing_v: float = 0.0) -> ArrayReadEnergy:
    """Read energy of a crossbar with ideal (zero-resistance) lines and virtual-ground bitlines.

    ``devices = Σ_i Σ_j V_i² G_ij t_read`` and ``lines = Σ_i C_wl V_i² + n_bl C_bl ΔV²``,
    each averaged over the input vectors.

    Parameters
    ----------
    g_s : array (rows, cols)
        Conductances (S).
    v_in_v : array (rows,) or (batch, rows)
        Wordline voltages (V).
    t_read_s : float
        Read time (s).
    c_wordline_f, c_bitline_f : float
        Total capacitance of one wordline / bitline (F).
    bitline_swing_v : float
        Bitline voltage swing (V); 0 for a TIA's virtual ground.
    """
    g = np.asarray(g_s, dtype=float)
    v = np.atleast_2d(np.asarray(v_in_v, dtype=float))
    if g.ndim != 2 or v.shape[1] != g.shape[0]:
        raise ValueError(f"array_read_energy_j: g_s is {g.shape}, v_in_v is {v.shape}; "
                         "need g_s (rows, cols) and v_in_v (batch, rows)")
    if np.any(g < 0) or not np.all(np.isfinite(g)) or not np.all(np.isfinite(v)):
        raise ValueError("array_read_energy_j: conductances must be finite and >= 0, voltages finite")
    v2 = v ** 2
    devices = float(np.mean(v2 @ g.sum(axis=1))) * t_read_s
    lines = float(np.mean(v2.sum(axis=1))) * c_wordline_f + g.shape[1] * c_bitline_f * bitline_swing_v ** 2
    return ArrayReadEnergy(devices, lines)


def rc_settling_time_s(n_cells: int, r_per_cell_ohm: float, c_per_cell_f: float, bits: int) -> float:
    """Time for a distributed RC line of *n_cells* to settle within ½ LSB of *bits* (s).

    Elmore delay of an N-segment RC ladder driven from one end,
    τ = r·c·N(N + 1)/2, times ln(2^(bits+1)) (single-pole settling to 2^-(bits+1)).
    """
    tau = r_per_cell_ohm * c_per_cell_f * n_cells * (n_cells + 1) / 2.0
    return tau * (bits + 1) * math.log(2.0)


# ----------------------------------------------------------------------------- digital blocks


@functools.lru_cache(maxsize=256)
def _synthesis_cached(block: str, params_json: str):
    from pycodesign.rtl.generate import build_component
    from pycodesign.rtl.synth import component_gate_count

    return component_gate_count(build_component(block, json.loads(params_json)))


def digital_synthesis(block: str, params: dict):
    """Yosys synthesis of a kit block (``block`` and ``params`` as in ``hdl/config.yaml``).

    Returns a :class:`pycodesign.rtl.synth.SynthResult`; cached per process (and on
    disk by :func:`pycodesign.rtl.synth.synthesize`).  An unknown block or a bad
    parameter raises ``ValueError`` naming it (:func:`pycodesign.rtl.generate.build_component`).
    """
    return _synthesis_cached(block, json.dumps(dict(params), sort_keys=True))


def digital_gate_count(block: str, params: dict) -> float:
    """NAND2-equivalent size of a kit block (Yosys synthesis, cached), see :mod:`pycodesign.rtl.synth`."""
    return digital_synthesis(block, params).gate_count_nand2


def digital_block_cost(gate_count_nand2: float, node_nm: int, *, activity: float = 0.5) -> tuple[float, float]:
    """``(area µm², energy per operation J)`` of a block of *gate_count_nand2* NAND2 equivalents at *node_nm*.

    area = G × NAND2 area; energy = activity × G × NAND2 toggle energy (technology table).
    """
    if not (isinstance(gate_count_nand2, (int, float)) and math.isfinite(gate_count_nand2) and gate_count_nand2 >= 0):
        raise ValueError(f"gate_count_nand2 = {gate_count_nand2!r} must be a finite number >= 0")
    if not (isinstance(activity, (int, float)) and 0 <= activity <= 1):
        raise ValueError(f"activity = {activity!r} must be in [0, 1]")
    tech = get_technology(node_nm)
    return gate_count_nand2 * tech.nand2_area_um2, activity * gate_count_nand2 * tech.nand2_energy_j


def _block_latency_cycles(block: str, params: dict) -> int:
    if block == "argmax":
        from pycodesign.rtl.models import argmax_latency

        return max(1, argmax_latency(int(params["n"]), int(params.get("pipeline_every", 0))))
    return 1


# ----------------------------------------------------------------------------- the model


def _layer_cost(layer: LayerDesign, tech: Technology, design: DesignDescription) -> LayerCost:
    from pycodesign.rtl.synth import accumulator_gate_count, subtractor_gate_count

    t = layer.tiles
    cyc = layer.input_cycles
    e_gate = tech.nand2_energy_j
    alpha = design.activity_factor
    comps: list[ComponentCost] = []
    notes: list[str] = []
    v2 = layer.v_read_v ** 2

    # Array: measured, or estimated from conductances.
    a = layer.array
    if a.measured_j is not None:
        e_array, basis = a.measured_j, "measured (solver: devices + wires)"
    elif a.estimate == "mean":
        e_array = layer.wordlines * layer.bitlines * v2 * a.input_mean_square * a.g_mean_s * layer.t_read_s * cyc
        basis = f"mean estimate: E[(v/V_READ)^2] = {a.input_mean_square:.3g}, G_mean = {a.g_mean_s:.3g} S"
    else:
        e_array = layer.wordlines * layer.bitlines * v2 * a.g_max_s * layer.t_read_s * cyc
        basis = f"worst case: all inputs at V_READ, all devices at G_max = {a.g_max_s:.3g} S"
    comps.append(ComponentCost("array", e_array, 0.0, 0, basis))

    # Line charging: C V^2 per active line.
    w_cell_um, h_cell_um = cell_size_um(layer.cell, tech, layer.access_w_over_l)
    c_wl = layer.c_wordline_per_cell_f if layer.c_wordline_per_cell_f is not None else \
        tech.c_wire_f_per_um * w_cell_um
    c_bl = layer.c_bitline_per_cell_f if layer.c_bitline_per_cell_f is not None else \
        tech.c_wire_f_per_um * h_cell_um
    ms = 1.0 if (a.measured_j is None and a.estimate == "worst") else a.input_mean_square
    if a.line_charging_j is not None:
        e_lines, note = a.line_charging_j, "measured"
    else:
        e_lines = (layer.wordlines * t.col_tiles * cyc * c_wl * t.tile_cols * v2 * ms
                   + layer.bitlines * t.row_tiles * cyc * c_bl * t.tile_rows * layer.bitline_swing_v ** 2)
        note = (f"C V^2 per active line: {c_wl * 1e15:.3g} fF/cell (wordline), {c_bl * 1e15:.3g} fF/cell "
                f"(bitline, swing {layer.bitline_swing_v} V)")
    comps.append(ComponentCost("lines", e_lines, 0.0, 0, note))

    # Cells.
    n_cells = t.tile_rows * t.tile_cols * t.n_tiles
    a_cell = cell_area_um2(layer.cell, tech, layer.access_w_over_l)
    comps.append(ComponentCost("cells", 0.0, a_cell * n_cells, n_cells,
                               f"{layer.cell}: {a_cell / tech.f_um ** 2:.3g} F^2 per cell"))

    # DACs / row drivers.
    n_dac = t.tile_rows * t.n_tiles
    drives = layer.wordlines * t.col_tiles * cyc
    d = layer.dac
    e_drive = d.energy_per_drive_j if d.energy_per_drive_j is not None else \
        cv.dac_energy_per_drive_j(d.bits, tech, activity=d.activity)
    a_dac = d.area_um2 if d.area_um2 is not None else cv.dac_area_um2(d.bits, tech)
    comps.append(ComponentCost("dac", drives * e_drive, n_dac * a_dac, n_dac,
                               "user figures" if d.energy_per_drive_j is not None else
                               f"{d.bits}-bit unit-element DAC from ISAAC's 1-bit driver"))

    # TIAs (user parameter).
    n_tia = t.tile_cols * t.n_tiles
    e_tia = layer.tia.power_w * layer.t_read_s * layer.bitlines * t.row_tiles * cyc
    comps.append(ComponentCost("tia", e_tia, n_tia * layer.tia.area_um2, n_tia, layer.tia.label))

    # ADCs and their multiplexers.
    adc = cv.adc_cost(layer.adc.model, layer.adc.bits, tech, clock_hz=design.clock_hz,
                      sample_rate_hz=layer.adc.sample_rate_hz, calibration=layer.adc.calibration,
                      table=layer.adc.table)
    n_adc = layer.adcs_per_tile * t.n_tiles
    channels_used = layer.bitlines // (2 if layer.differential == "analog" else 1)
    conversions = channels_used * t.row_tiles * cyc
    if layer.columns_per_adc > 1:
        a_mux = cv.mux_area_nand2(layer.columns_per_adc) * tech.nand2_area_um2
        comps.append(ComponentCost("mux", conversions * e_gate, n_adc * a_mux, n_adc,
                                   f"{layer.columns_per_adc}:1 transmission-gate mux, 1 NAND2 toggle/conversion"))
    comps.append(ComponentCost("adc", conversions * adc.energy_j, n_adc * adc.area_um2, n_adc,
                               f"{adc.model} {adc.bits} b: {adc.energy_j * 1e12:.4g} pJ/conv, "
                               f"{adc.area_um2:.4g} um^2; {adc.source}"))

    # Digital subtraction of differential pairs and accumulation of partial sums.
    outputs = layer.output_channels
    if layer.differential == "digital":
        g_sub = subtractor_gate_count(layer.adc.bits).gate_count_nand2
        n_sub = outputs * t.row_tiles
        comps.append(ComponentCost("subtractor", outputs * t.row_tiles * cyc * alpha * g_sub * e_gate,
                                   n_sub * g_sub * tech.nand2_area_um2, n_sub,
                                   f"{layer.adc.bits}-bit subtractor, {g_sub:.4g} NAND2-eq (Yosys)"))
    adds = layer.accumulations_per_output if layer.accumulations_per_output is not None else \
        t.row_tiles * cyc - 1
    width = layer.accumulator_bits
    if width is None:
        sign = 1 if layer.differential == "digital" else 0
        grow = math.ceil(math.log2(t.row_tiles)) if t.row_tiles > 1 else 0
        shift = ((layer.input_bits or layer.dac.bits) - layer.dac.bits) if cyc > 1 else 0
        width = layer.adc.bits + sign + grow + shift
    if adds > 0:
        g_acc = accumulator_gate_count(width).gate_count_nand2
        comps.append(ComponentCost("accumulator", outputs * adds * alpha * g_acc * e_gate,
                                   outputs * g_acc * tech.nand2_area_um2, outputs,
                                   f"{width}-bit accumulator, {g_acc:.4g} NAND2-eq (Yosys), {adds} adds/output"))

    # Digital blocks of the kit's RTL.
    t_digital = 0.0
    for b in layer.digital_blocks:
        g = b.gate_count_nand2 if b.gate_count_nand2 is not None else digital_gate_count(b.block, b.params)
        comps.append(ComponentCost(b.label, b.instances * b.ops_per_inference * alpha * g * e_gate,
                                   b.instances * g * tech.nand2_area_um2, b.instances,
                                   f"{b.block} {b.params}: {g:.4g} NAND2-eq"))
        if b.on_inference_path and b.instances and b.ops_per_inference:
            t_digital += _block_latency_cycles(b.block, b.params) / design.clock_hz

    # Latency.
    r_cell = layer.r_wire_per_cell_ohm
    if layer.t_settle_s is not None:
        t_settle, settle_note = layer.t_settle_s, "given"
    else:
        r_wl = r_cell if r_cell is not None else tech.r_wire_ohm_per_um * w_cell_um
        r_bl = r_cell if r_cell is not None else tech.r_wire_ohm_per_um * h_cell_um
        t_settle = max(rc_settling_time_s(t.tile_cols, r_wl, c_wl, layer.adc.bits),
                       rc_settling_time_s(t.tile_rows, r_bl, c_bl, layer.adc.bits))
        settle_note = "RC (Elmore) estimate"
    t_read = max(layer.t_read_s, t_settle)
    t_adc = adc.t_conv_s * layer.columns_per_adc
    tile_factor = 1 if design.tiles_parallel else t.n_tiles
    read_s = cyc * t_read * tile_factor
    adc_s = cyc * t_adc * tile_factor
    acc_cycles = max(adds, 0) + (1 if layer.differential == "digital" else 0)
    accumulate_s = acc_cycles / design.clock_hz
    latency = {"read_s": read_s, "adc_s": adc_s, "accumulate_s": accumulate_s, "digital_s": t_digital,
               "settle_s": t_settle, "total_s": read_s + adc_s + accumulate_s + t_digital}
    notes.append(f"settling {t_settle:.3g} s ({settle_note}); read pulse {layer.t_read_s:.3g} s")

    # Pitch matching: periphery wider than the array edge it serves.
    tile_w_um = t.tile_cols * w_cell_um
    adc_row_w_um = layer.adcs_per_tile * math.sqrt(adc.area_um2)
    if adc_row_w_um > tile_w_um:
        notes.append(f"pitch: {layer.adcs_per_tile} ADCs per tile (~{adc_row_w_um:.3g} um side by side, square "
                     f"layout) are wider than the tile's bitline edge ({tile_w_um:.3g} um); the ADCs, not the "
                     "array, set the tile width")
    return LayerCost(layer.name, tuple(comps), latency, layer.n_inputs * layer.n_outputs, tuple(notes))


def estimate_costs(design: DesignDescription) -> CostReport:
    """Energy, area and latency of *design* per inference; see the module docstring for every formula.

    Raises
    ------
    ValueError
        A converter model not defined for the requested bits or node, an
        unknown node (already refused by the description), a bad block parameter.
    pycodesign.rtl.synth.SynthesisError
        Yosys is missing or failed on a block.
    """
    if not isinstance(design, DesignDescription):
        raise TypeError(f"estimate_costs: expected a DesignDescription, got {type(design).__name__}")
    tech = get_technology(design.node_nm)
    layers = tuple(_layer_cost(layer, tech, design) for layer in design.layers)
    lat = [layer.latency_s["total_s"] for layer in layers]
    latency = sum(lat)
    rate = 1.0 / (max(lat) if design.layers_pipelined else latency)
    ops = 2 * sum(layer.macs for layer in layers)
    assumptions = (
        "operations = 2 per MAC (multiply + add), MACs = n_inputs x n_outputs per layer",
        f"digital energy/op = activity {design.activity_factor} x NAND2-eq x {tech.nand2_energy_j * 1e15:.3g} fJ",
        "tiles " + ("in parallel" if design.tiles_parallel else "in sequence") + "; layers "
        + ("pipelined" if design.layers_pipelined else "in sequence") + "; reads and conversions not overlapped",
        "no leakage, routing, buffers, clock tree or control overhead; TIA figures are user parameters",
    )
    return CostReport(design.name, tech, design.clock_hz, layers, latency, rate, ops, assumptions)

