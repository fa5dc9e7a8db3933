"""From the evaluation core to the cost model: a design description of what was evaluated.

:func:`costs_of_evaluation` takes a :class:`pycodesign.system.Evaluation`
(the architecture is in it) and returns the :class:`CostReport`; the array
read energy is the solver's (or ngspice's) measured Σ V·I over devices, wires
and access transistors × ``technology.t_read_s`` when the evaluation
computed electrical metrics (``metrics_images``), else the estimate from the
programmed conductances and the layer's actual input voltages.
:func:`costs_of_architecture` costs a design from its mapped layers alone —
no image simulated — with the array energy from the mean conductance and
either the stated mean input or the worst case (every input at V_READ).

What each layer of the kit's integer pipeline costs (documented so a reader
can check the adapter against :func:`pycodesign.system.evaluate`):

* tiles: the configured ``tile_rows × tile_cols`` (or the layer's physical
  size when untiled) in a grid of row tiles × column tiles;
* ADCs: ``adc_bits`` per ADC input (an analog-combined output, or each
  bitline with ``differential: digital``), ``columns_per_adc`` multiplexed;
* DACs: one ``dac_bits`` DAC per wordline of every tile;
* digital: the accumulator of ``accumulator_bits`` when there are row tiles,
  the ReLU (hidden layers) and the argmax (last layer) of the RTL, and —
  area only, for programming — a write-verify controller with its row and
  column decoders per tile.
"""
from __future__ import annotations

import numpy as np

from ..config.architecture import Architecture
from ..config.core import ConfigError
from .converters import ConverterTable
from .design import (AdcSpec, ArrayEnergyInput, DacSpec, DesignDescription, DigitalBlockUse, LayerDesign, TiaSpec,
                     TileGeometry)
from .model import CostReport, estimate_costs, line_capacitance_per_cell_f

__all__ = ["design_from_evaluation", "costs_of_evaluation", "design_from_architecture", "costs_of_architecture"]

_DIFF = {"subtractor": "analog", "opposite_polarity": "analog", "digital": "digital"}


def _adc_spec(arch: Architecture) -> AdcSpec:
    c, t = arch.converters, arch.technology
    if c.adc_bits is None:
        raise ConfigError(None, "converters.adc_bits", "the cost model needs a finite ADC resolution (null means "
                                                       "an ideal converter, which has no cost figure)")
    table = None
    if t.adc_model == "table":
        table = ConverterTable({b: dict(e) for b, e in t.adc_table.items()})
    return AdcSpec(bits=c.adc_bits, model=t.adc_model, calibration=t.adc_calibration, table=table)


def _dac_spec(arch: Architecture) -> DacSpec:
    if arch.converters.dac_bits is None:
        raise ConfigError(None, "converters.dac_bits", "the cost model needs a finite DAC resolution (null means "
                                                       "an ideal converter, which has no cost figure)")
    return DacSpec(bits=arch.converters.dac_bits)


def _layer(k: int, n_layers: int, mapped, plan, arch: Architecture, *, array: ArrayEnergyInput,
           accumulator_bits: int | None, settle_s: float | None, relu: dict | None) -> LayerDesign:
    a, t = arch.array, arch.technology
    adc, dac = _adc_spec(arch), _dac_spec(arch)  # refuse ideal converters first, naming the key
    rows = [len(b) * plan.row_factor for b in plan.row_blocks]
    cols = [len(b) * plan.pair_columns + plan.reference_columns for b in plan.col_blocks]
    tile_rows = arch.tiling.tile_rows or max(rows)
    tile_cols = arch.tiling.tile_cols or max(cols)
    if mapped.scheme == "reference":
        diff = "none"
    else:
        diff = _DIFF[a.differential]
    par = a.parasitics
    c_cell = line_capacitance_per_cell_f(par.c_line_to_line_f, par.c_crossing_f, par.c_to_ground_f)
    last = k == n_layers - 1
    acc_width = accumulator_bits or (arch.converters.adc_bits + (1 if diff == "digital" else 0))
    blocks = []
    if last:
        blocks.append(DigitalBlockUse("argmax", {"n": mapped.n_cols, "width": acc_width, "signed": True},
                                      instances=1, ops_per_inference=1))
    elif relu is not None:
        blocks.append(DigitalBlockUse("relu", {"width_in": acc_width, "width_out": arch.converters.dac_bits,
                                               "lanes": mapped.n_cols, **relu}, instances=1, ops_per_inference=1))
    # programming periphery: area only (it works when the weights are written, not per inference)
    blocks += [
        DigitalBlockUse("write_verify_controller", {"rows": tile_rows, "cols": tile_cols, "partitions": 1,
                                                    "max_pulses": 20, "read_cycles": 2, "write_cycles": 4},
                        instances=plan.n_tiles, ops_per_inference=0),
        DigitalBlockUse("decoder", {"n": tile_rows}, instances=plan.n_tiles, ops_per_inference=0,
                        name="row decoder"),
        DigitalBlockUse("decoder", {"n": tile_cols}, instances=plan.n_tiles, ops_per_inference=0,
                        name="column decoder"),
    ]
    return LayerDesign(
        name=f"layer {k + 1}", n_inputs=mapped.n_inputs, n_outputs=mapped.n_cols,
        wordlines=sum(rows), bitlines=sum(cols),
        tiles=TileGeometry(tile_rows, tile_cols, plan.n_row_tiles, plan.n_col_tiles),
        v_read_v=a.v_read_v, t_read_s=t.t_read_s, adc=adc, array=array,
        columns_per_adc=arch.tiling.columns_per_adc, cell=a.cell,
        access_w_over_l=a.transistor.w_m / a.transistor.l_m, dac=dac, differential=diff,
        accumulator_bits=accumulator_bits if plan.n_row_tiles > 1 else None,
        c_wordline_per_cell_f=c_cell if c_cell > 0 else None, c_bitline_per_cell_f=c_cell if c_cell > 0 else None,
        r_wire_per_cell_ohm=a.r_row_ohm if a.r_row_ohm > 0 else None, t_settle_s=settle_s,
        tia=TiaSpec(power_w=t.tia_power_w, area_um2=t.tia_area_um2), digital_blocks=tuple(blocks))


def _design(layers: list[LayerDesign], arch: Architecture, name: str) -> DesignDescription:
    t = arch.technology
    return DesignDescription(layers=tuple(layers), node_nm=t.node_nm, clock_hz=t.clock_hz,
                             tiles_parallel=t.tiles_parallel, layers_pipelined=t.layers_pipelined, name=name)


def _g_stats(mapped) -> tuple[float, float]:
    g = np.concatenate([np.asarray(v, dtype=float).ravel() for v in mapped.conductances().values()])
    return float(np.mean(g)), float(np.max(g))


def design_from_evaluation(evaluation, *, name: str = "design") -> DesignDescription:
    """The :class:`DesignDescription` of what :func:`pycodesign.system.evaluate` evaluated."""
    arch = evaluation.architecture
    layers = []
    n = len(evaluation.layers)
    for k, lay in enumerate(evaluation.layers):
        if lay.electrical is not None:
            e = lay.electrical
            array = ArrayEnergyInput(measured_j=(e.power_devices_w + e.power_wires_w + e.power_transistors_w)
                                     * arch.technology.t_read_s)
        else:
            g_mean, g_max = _g_stats(lay.mapped)
            ms = float(np.mean((lay.inputs_v / arch.array.v_read_v) ** 2))
            array = ArrayEnergyInput(g_mean_s=g_mean, g_max_s=g_max, input_mean_square=min(ms, 1.0))
        relu = None
        if lay.relu_shift is not None:
            relu = {"shift": lay.relu_shift, "limit": lay.relu_limit}
        layers.append(_layer(k, n, lay.mapped, lay.plan, arch, array=array, accumulator_bits=lay.accumulator_bits,
                             settle_s=lay.settling.latency_s if lay.settling is not None else None, relu=relu))
    return _design(layers, arch, name)


def costs_of_evaluation(evaluation, *, name: str = "design") -> CostReport:
    """Energy, area and latency of the evaluated design (see the module doc)."""
    return estimate_costs(design_from_evaluation(evaluation, name=name))


def design_from_architecture(network, architecture: Architecture, *, estimate: str = "mean",
                             input_mean_square: float = 1.0 / 3.0, name: str = "design") -> DesignDescription:
    """A design description from the mapped network alone — no image simulated.

    ``estimate="mean"``: array energy from the mean programmed conductance and
    inputs of mean square ``input_mean_square`` (of V_READ²; 1/3 for inputs
    uniform in [0, 1]); ``"worst"``: every input at V_READ and every device
    at the largest programmed conductance.
    """
    from ..system import map_network, plan_tiles
    from ..system.tiles import accumulator_bits_needed

    arch = architecture
    mapped_layers = map_network(network, arch)
    layers = []
    for k, mapped in enumerate(mapped_layers):
        plan = plan_tiles(mapped.n_rows, mapped.n_cols, arch)
        g_mean, g_max = _g_stats(mapped)
        array = ArrayEnergyInput(g_mean_s=g_mean, g_max_s=g_max, input_mean_square=input_mean_square,
                                 estimate=estimate)
        acc = None
        if plan.n_row_tiles > 1 and arch.converters.adc_bits is not None:
            digital = mapped.scheme == "differential" and arch.array.differential == "digital"
            top = (2 ** arch.converters.adc_bits - 1) if digital else (2 ** (arch.converters.adc_bits - 1) - 1)
            acc = arch.tiling.accumulator_bits or accumulator_bits_needed(plan.n_row_tiles, top)
        relu = None if k == len(mapped_layers) - 1 else {"shift": 0}
        layers.append(_layer(k, len(mapped_layers), mapped, plan, arch, array=array, accumulator_bits=acc,
                             settle_s=None, relu=relu))
    return _design(layers, arch, name)


def costs_of_architecture(network, architecture: Architecture, *, estimate: str = "mean",
                          input_mean_square: float = 1.0 / 3.0, name: str = "design") -> CostReport:
    """:func:`estimate_costs` of :func:`design_from_architecture`."""
    return estimate_costs(design_from_architecture(network, architecture, estimate=estimate,
                                                   input_mean_square=input_mean_square, name=name))
