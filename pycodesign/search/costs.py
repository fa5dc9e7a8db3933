"""From an evaluated design to :mod:`pycodesign.costs`: energy per inference, area and latency.

:func:`describe_design` fills the cost model's
:class:`~pycodesign.costs.DesignDescription` from the architecture and one
:class:`~pycodesign.system.Evaluation` of it; :func:`design_costs` runs
:func:`~pycodesign.costs.estimate_costs`.  Per layer:

* geometry: the tile plan — ``TileGeometry(tile_rows, tile_cols, row tiles,
  column tiles)`` at the hardware tile size (partly used last tiles cost
  area), the physical wordlines (bias row, W⁻ rows of opposite polarity) and
  bitlines (W⁺/W⁻ pairs, a reference column per column tile) the layer uses;
* ``differential``: ``subtractor`` → ``analog`` (one conversion per pair),
  ``digital`` → ``digital``, opposite polarity and the reference column →
  ``none`` (for the reference mapping the model converts the reference
  column too: one conversion per column tile more than the kit's pipeline);
* the array's read energy, **computed** for this design: Σ V_i² G_ij t_read
  over the layer's real wordline voltages (the DAC codes of the whole test
  set, averaged per inference) and its mapped conductances
  (:func:`~pycodesign.costs.array_read_energy_j`); lines charge through the
  cost model with the architecture's per-cell capacitances
  (:func:`~pycodesign.costs.line_capacitance_per_cell_f`) when any is set,
  else the node's wire capacitance;
* converters from ``converters`` (DAC bits = input bits: one read cycle), the
  ADC model and calibration of the ``costs`` section, columns per ADC, the
  accumulator width of the evaluation;
* digital blocks: :func:`pycodesign.search.silicon.rtl_instances` (the same
  blocks the chosen design's Verilog is generated from).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..config.core import Section, option

__all__ = ["CostsSection", "describe_design", "design_costs", "check_costable"]


@dataclass
class CostsSection(Section):
    """Technology and periphery assumptions of the cost model (:mod:`pycodesign.costs`, ``docs/costs.md``)."""

    node_nm: int = option(32, "technology node, a key of pycodesign.costs' table (130, 65, 45, 32, 22)", unit="nm")
    clock_hz: float = option(1e9, "digital clock (SAR conversions take bits + 1 cycles)", unit="Hz", gt=0)
    t_read_s: float = option(10e-9, "read pulse per input vector", unit="s", gt=0)
    adc_model: Literal["sar", "survey"] = option("sar", "ADC model: SAR macro (4..10 bits) or the survey bound")
    adc_calibration: Literal["neurosim", "isaac"] = option("neurosim", "SAR model calibration")
    tiles_parallel: bool = option(True, "all tiles of a layer read at once")
    layers_pipelined: bool = option(False, "throughput = 1 / slowest layer")
    activity_factor: float = option(0.5, "fraction of a digital block's gates toggling per operation", ge=0, le=1)
    tia_power_w: float = option(0.0, "power of one TIA during a read (user figure; 0: not costed)", unit="W", ge=0)
    tia_area_um2: float = option(0.0, "area of one TIA (user figure; 0: not costed)", unit="um^2", ge=0)

    def validate(self):
        from ..costs import known_nodes

        if self.node_nm not in known_nodes():
            self.fail("node_nm", f"{self.node_nm} is not a node of the cost model's table; allowed: "
                                 f"{', '.join(map(str, known_nodes()))}")


def _apply_extra(settings: CostsSection, extra: dict) -> CostsSection:
    changes = {k.split(".", 1)[1]: v for k, v in (extra or {}).items() if k.startswith("costs.")}
    return settings.replace(**changes) if changes else settings


@dataclass(frozen=True)
class _Geometry:
    wordlines: int
    bitlines: int
    differential: str


def _geometry(layer, architecture) -> _Geometry:
    plan = layer.plan
    n_rows = layer.mapped.n_rows
    n_out = layer.mapped.n_cols
    scheme, diff = architecture.mapping.scheme, architecture.array.differential
    if scheme == "reference":
        return _Geometry(n_rows, n_out + plan.n_col_tiles, "none")
    if diff == "opposite_polarity":
        return _Geometry(2 * n_rows, n_out, "none")
    return _Geometry(n_rows, 2 * n_out, "digital" if diff == "digital" else "analog")


def _physical_conductances(layer) -> np.ndarray:
    """Mapped conductances as (logical rows, physical columns): every device a wordline drives."""
    m = layer.mapped
    if m.scheme == "differential":
        return np.hstack([np.asarray(m.g_pos), np.asarray(m.g_neg)])
    g_ref = np.asarray(m.g_ref)
    return np.hstack([np.asarray(m.g), np.repeat(g_ref[:, None], layer.plan.n_col_tiles, axis=1)])


def describe_design(architecture, evaluation, settings: CostsSection, rtl, *, name: str = "design"):
    """The cost model's description of an evaluated design (see the module doc)."""
    from ..costs import (AdcSpec, ArrayEnergyInput, DacSpec, DesignDescription, DigitalBlockUse, LayerDesign,
                         TiaSpec, TileGeometry, array_read_energy_j, line_capacitance_per_cell_f)
    from .silicon import rtl_instances

    a, conv, t = architecture.array, architecture.converters, architecture.tiling
    if conv.adc_bits is None or conv.dac_bits is None:
        raise ValueError("the cost model needs finite converters: converters.adc_bits and converters.dac_bits "
                         "must be set (not null)")
    blocks = rtl_instances(architecture, evaluation, rtl)
    c_any = a.c_line_to_line_f > 0 or a.c_crossing_f > 0 or a.c_to_ground_f > 0
    c_cell = line_capacitance_per_cell_f(a.c_line_to_line_f, a.c_crossing_f, a.c_to_ground_f) if c_any else None
    r_cell = max(a.r_row_ohm, a.r_col_ohm)
    layers = []
    for k, layer in enumerate(evaluation.layers):
        plan = layer.plan
        geo = _geometry(layer, architecture)
        full_r, full_c = plan.physical_shape(0, 0)
        tr = t.tile_rows if t.tile_rows is not None else full_r
        tc = t.tile_cols if t.tile_cols is not None else full_c
        tiles = TileGeometry(tr, tc, plan.n_row_tiles, plan.n_col_tiles)
        v = np.asarray(layer.inputs_v, dtype=float)
        energy = array_read_energy_j(_physical_conductances(layer), v, settings.t_read_s)
        ms = float(np.mean((v / a.v_read_v) ** 2))
        digital_blocks = tuple(
            DigitalBlockUse(b.block, b.params, instances=b.instances, ops_per_inference=b.ops_per_inference,
                            name=f"{b.block} ({b.role.split(': ', 1)[-1]})" if b.block == "decoder" else b.block)
            for b in blocks if b.layer == k and b.costed)
        W = evaluation.layers[k].mapped.w_quantized
        layers.append(LayerDesign(
            name=f"layer{k + 1}", n_inputs=int(W.shape[0]) - (1 if layer.mapped.bias_row else 0),
            n_outputs=int(W.shape[1]), wordlines=geo.wordlines, bitlines=geo.bitlines, tiles=tiles,
            v_read_v=a.v_read_v, t_read_s=settings.t_read_s,
            adc=AdcSpec(conv.adc_bits, model=settings.adc_model, calibration=settings.adc_calibration),
            array=ArrayEnergyInput(measured_j=energy.devices_j, input_mean_square=min(1.0, ms)),
            columns_per_adc=t.columns_per_adc, cell=a.cell,
            access_w_over_l=a.transistor.w_m / a.transistor.l_m, dac=DacSpec(bits=conv.dac_bits),
            input_bits=conv.dac_bits, differential=geo.differential,
            accumulator_bits=layer.accumulator_bits, c_wordline_per_cell_f=c_cell, c_bitline_per_cell_f=c_cell,
            r_wire_per_cell_ohm=r_cell if r_cell > 0 else None, bitline_swing_v=0.0,
            tia=TiaSpec(power_w=settings.tia_power_w, area_um2=settings.tia_area_um2),
            digital_blocks=digital_blocks))
    return DesignDescription(layers=layers, node_nm=settings.node_nm, clock_hz=settings.clock_hz,
                             tiles_parallel=settings.tiles_parallel, layers_pipelined=settings.layers_pipelined,
                             activity_factor=settings.activity_factor, name=name)


def design_costs(result, extra: dict, settings: CostsSection, rtl, *, name: str = "design") -> dict:
    """``{"energy_j", "area_mm2", "latency_s", "tops_per_w", "components", "latency", "report"}`` of a design.

    ``report`` is the :class:`~pycodesign.costs.CostReport` (not JSON); the
    rest is plain data.
    """
    from ..costs import estimate_costs

    s = _apply_extra(settings, extra)
    rep = estimate_costs(describe_design(result.architecture, result.evaluation, s, rtl, name=name))
    lat: dict = {}
    for layer in rep.layers:
        for k, v in layer.latency_s.items():
            lat[k] = lat.get(k, 0.0) + float(v) if k != "settle_s" else max(lat.get(k, 0.0), float(v))
    return {"energy_j": rep.energy_j, "area_mm2": rep.area_mm2, "latency_s": rep.latency_s,
            "tops_per_w": rep.tops_per_w, "node_nm": s.node_nm, "adc_model": s.adc_model,
            "components": {k: {"energy_j": e, "area_um2": ar} for k, (e, ar) in rep.component_totals().items()},
            "latency": lat, "report": rep}


def check_costable(architecture, settings: CostsSection, extra: dict) -> None:
    """Raise ``ValueError`` when the cost model cannot price this architecture (before any trial runs)."""
    from ..costs import AdcSpec, DacSpec, adc_cost, get_technology

    s = _apply_extra(settings, extra)
    conv = architecture.converters
    if conv.adc_bits is None or conv.dac_bits is None:
        raise ValueError("the cost model needs finite converters: converters.adc_bits and converters.dac_bits "
                         "must be set (not null)")
    AdcSpec(conv.adc_bits, model=s.adc_model, calibration=s.adc_calibration)
    DacSpec(bits=conv.dac_bits)
    adc_cost(s.adc_model, conv.adc_bits, get_technology(s.node_nm), clock_hz=s.clock_hz,
             calibration=s.adc_calibration)
