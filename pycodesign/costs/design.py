"""The input of the cost model: a small, typed description of a design, units in every name.

It does not depend on the evaluation core's classes: an adapter fills it from
whatever describes the architecture (the lead's ``pycodesign.system`` result,
a flow configuration, or hand-written values in a study).  Everything is a
frozen dataclass validated on construction; a bad value raises ``ValueError``
naming the class, the field, the value and what is allowed.

Structure::

    DesignDescription(node_nm, clock_hz, layers=[LayerDesign(...), ...], tiles_parallel, ...)
      LayerDesign(n_inputs, n_outputs, wordlines, bitlines, tiles=TileGeometry(...),
                  cell, v_read_v, t_read_s, dac=DacSpec(..), adc=AdcSpec(..), columns_per_adc,
                  differential, accumulator_bits, ..., array=ArrayEnergyInput(..),
                  digital_blocks=[DigitalBlockUse(..)], tia=TiaSpec(..))
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Mapping

from ..config import checks
from .converters import ADC_MODELS, SAR_CALIBRATIONS, ConverterTable

__all__ = ["CELL_TYPES", "DIFFERENTIAL_MODES", "ARRAY_ESTIMATES", "TileGeometry", "AdcSpec", "DacSpec", "TiaSpec",
           "DigitalBlockUse", "ArrayEnergyInput", "LayerDesign", "DesignDescription"]

CELL_TYPES = ("1R", "1T1R")
#: "digital": both columns of a pair are converted, the codes subtracted in logic;
#: "analog": the pair's currents are subtracted before one (signed) conversion;
#: "none": single-ended columns (a reference column counts as a column).
DIFFERENTIAL_MODES = ("digital", "analog", "none")
ARRAY_ESTIMATES = ("mean", "worst")


# The shared checks (pycodesign.config.checks), with the owner in the name so a message says where.
def _fail(owner: str, name: str, value, allowed: str):
    checks.refuse(f"{owner}: {name}", value, allowed)


def _int(owner: str, name: str, value, minimum: int = 1, maximum: int | None = None) -> int:
    return checks.integer(f"{owner}: {name}", value, ge=minimum, le=maximum)


def _num(owner: str, name: str, value, *, positive: bool = True, allow_zero: bool = False,
         upper: float | None = None) -> float:
    if not positive:
        return checks.number(f"{owner}: {name}", value, le=upper)
    return checks.number(f"{owner}: {name}", value, ge=0.0 if allow_zero else None,
                         gt=None if allow_zero else 0.0, le=upper)


def _choice(owner: str, name: str, value, allowed) -> str:
    return checks.choice(f"{owner}: {name}", value, tuple(allowed))


@dataclass(frozen=True)
class TileGeometry:
    """Grid of identical tiles holding one layer.

    Parameters
    ----------
    tile_rows, tile_cols : int
        Physical wordlines and bitlines of one tile (>= 1).
    row_tiles, col_tiles : int
        Tiles along the rows (partial sums added digitally) and along the columns.
    """

    tile_rows: int
    tile_cols: int
    row_tiles: int = 1
    col_tiles: int = 1

    def __post_init__(self):
        for f in fields(self):
            _int("TileGeometry", f.name, getattr(self, f.name))

    @classmethod
    def covering(cls, wordlines: int, bitlines: int, tile_rows: int, tile_cols: int) -> "TileGeometry":
        """The smallest grid of ``tile_rows × tile_cols`` tiles holding *wordlines* × *bitlines*."""
        _int("TileGeometry", "wordlines", wordlines)
        _int("TileGeometry", "bitlines", bitlines)
        _int("TileGeometry", "tile_rows", tile_rows)
        _int("TileGeometry", "tile_cols", tile_cols)
        return cls(tile_rows, tile_cols, -(-wordlines // tile_rows), -(-bitlines // tile_cols))

    @property
    def n_tiles(self) -> int:
        return self.row_tiles * self.col_tiles

    @property
    def rows_capacity(self) -> int:
        return self.tile_rows * self.row_tiles

    @property
    def cols_capacity(self) -> int:
        return self.tile_cols * self.col_tiles


@dataclass(frozen=True)
class AdcSpec:
    """The column ADC.

    Parameters
    ----------
    bits : int
        Resolution (bits).
    model : {"survey", "sar", "table"}
        See :mod:`pycodesign.costs.converters`.
    calibration : {"neurosim", "isaac"}
        SAR model only.
    sample_rate_hz : float, optional
        Survey model only (S/s); default ``clock_hz / (bits + 1)``.
    table : ConverterTable, optional
        Table model only.
    """

    bits: int
    model: str = "sar"
    calibration: str = "neurosim"
    sample_rate_hz: float | None = None
    table: ConverterTable | None = None

    def __post_init__(self):
        _int("AdcSpec", "bits", self.bits, 1, 32)
        _choice("AdcSpec", "model", self.model, ADC_MODELS)
        _choice("AdcSpec", "calibration", self.calibration, SAR_CALIBRATIONS)
        if self.sample_rate_hz is not None:
            _num("AdcSpec", "sample_rate_hz", self.sample_rate_hz)
        if self.model == "table" and not isinstance(self.table, ConverterTable):
            _fail("AdcSpec", "table", self.table, "a ConverterTable when model = 'table'")


@dataclass(frozen=True)
class DacSpec:
    """Row drivers: a K-bit unit-element DAC per wordline of each tile.

    Parameters
    ----------
    bits : int
        DAC resolution K (1 = binary driver).
    activity : float
        Mean fraction of the 2^K − 1 unit drivers switched per drive (0.5:
        uniformly distributed codes).
    energy_per_drive_j, area_um2 : float, optional
        Override the ISAAC-derived model with your own figures (J per drive, µm² per DAC).
    """

    bits: int = 1
    activity: float = 0.5
    energy_per_drive_j: float | None = None
    area_um2: float | None = None

    def __post_init__(self):
        _int("DacSpec", "bits", self.bits, 1, 16)
        _num("DacSpec", "activity", self.activity, allow_zero=True, upper=1.0)
        if self.energy_per_drive_j is not None:
            _num("DacSpec", "energy_per_drive_j", self.energy_per_drive_j, allow_zero=True)
        if self.area_um2 is not None:
            _num("DacSpec", "area_um2", self.area_um2, allow_zero=True)


@dataclass(frozen=True)
class TiaSpec:
    """Transimpedance amplifier per bitline — **user parameters, no published source**.

    Parameters
    ----------
    power_w : float
        Power of one TIA while a read is on (W); 0 = not costed.
    area_um2 : float
        Area of one TIA (µm²); 0 = not costed.
    label : str
        Where the numbers come from (shown in reports).
    """

    power_w: float = 0.0
    area_um2: float = 0.0
    label: str = "user parameter (no published per-column TIA figure); 0 = not costed"

    def __post_init__(self):
        _num("TiaSpec", "power_w", self.power_w, allow_zero=True)
        _num("TiaSpec", "area_um2", self.area_um2, allow_zero=True)


@dataclass(frozen=True)
class DigitalBlockUse:
    """A digital block of the kit's RTL used by a layer.

    Parameters
    ----------
    block : str
        Block name as in ``hdl/config.yaml`` (``decoder``, ``relu``, ``argmax``,
        ``write_verify_controller``, ``address_sequencer``, ``sar_adc_controller``).
    params : mapping
        The block's parameters (e.g. ``{"n": 10, "width": 9, "signed": True}``).
    instances : int
        Copies in the layer (e.g. one wordline decoder per tile).
    ops_per_inference : float
        Operations of one instance per inference (0: area only, e.g. the
        write-verify controller, which works when programming).
    gate_count_nand2 : float, optional
        Known size (e.g. from ``hdl/manifest.json``); else synthesised.
    adds_latency : bool, optional
        Whether the block sits on the inference path; default: ``relu`` and
        ``argmax`` do, others do not.
    name : str, optional
        Component name in reports (default *block*).
    """

    block: str
    params: Mapping[str, Any] = field(default_factory=dict)
    instances: int = 1
    ops_per_inference: float = 1.0
    gate_count_nand2: float | None = None
    adds_latency: bool | None = None
    name: str | None = None

    def __post_init__(self):
        if not isinstance(self.block, str) or not self.block:
            _fail("DigitalBlockUse", "block", self.block, "a block name of hdl/config.yaml")
        _int("DigitalBlockUse", "instances", self.instances, 0)
        _num("DigitalBlockUse", "ops_per_inference", self.ops_per_inference, allow_zero=True)
        if self.gate_count_nand2 is not None:
            _num("DigitalBlockUse", "gate_count_nand2", self.gate_count_nand2, allow_zero=True)
        object.__setattr__(self, "params", dict(self.params))

    @property
    def label(self) -> str:
        return self.name or self.block

    @property
    def on_inference_path(self) -> bool:
        return self.adds_latency if self.adds_latency is not None else self.block in ("relu", "argmax")


@dataclass(frozen=True)
class ArrayEnergyInput:
    """What is known about the array's read energy.

    Either *measured_j* (the solver's energy per inference in devices + wires,
    Σ V·I·t over the evaluated images, J), or an estimate from conductances:
    ``mean``: wordlines × bitlines × V_READ² × *input_mean_square* × *g_mean_s* × t_read;
    ``worst``: every input at V_READ, every device at *g_max_s*.

    Parameters
    ----------
    measured_j : float, optional
        Measured energy per inference (J).
    line_charging_j : float, optional
        Measured line-charging energy per inference (J); else C·V² per active line.
    g_mean_s, g_max_s : float, optional
        Mean / largest programmed conductance (S).
    input_mean_square : float
        Mean of (v/V_READ)² over inputs (1/3 for uniform inputs in [0, 1]).
    estimate : {"mean", "worst"}
        Which estimate to use when nothing is measured.
    """

    measured_j: float | None = None
    line_charging_j: float | None = None
    g_mean_s: float | None = None
    g_max_s: float | None = None
    input_mean_square: float = 1.0 / 3.0
    estimate: str = "mean"

    def __post_init__(self):
        o = "ArrayEnergyInput"
        for name in ("measured_j", "line_charging_j", "g_mean_s", "g_max_s"):
            v = getattr(self, name)
            if v is not None:
                _num(o, name, v, allow_zero=True)
        _num(o, "input_mean_square", self.input_mean_square, allow_zero=True, upper=1.0)
        _choice(o, "estimate", self.estimate, ARRAY_ESTIMATES)
        if self.measured_j is None:
            need = "g_mean_s" if self.estimate == "mean" else "g_max_s"
            if getattr(self, need) is None:
                _fail(o, need, None, f"a conductance in S when measured_j is not given and estimate = "
                                     f"{self.estimate!r}")


@dataclass(frozen=True)
class LayerDesign:
    """One layer of the network on its tiles.

    Parameters
    ----------
    name : str
    n_inputs, n_outputs : int
        Logical layer size (MACs per inference = n_inputs × n_outputs; the bias is not counted).
    wordlines, bitlines : int
        Physical lines the layer uses (inputs + bias rows; 2 × n_outputs for differential pairs).
    tiles : TileGeometry
        Must hold wordlines × bitlines.
    v_read_v : float
        Full-scale read voltage on a wordline (V).
    t_read_s : float
        Read pulse per input vector (s).
    adc : AdcSpec
    columns_per_adc : int
        Bitlines sharing one ADC through a multiplexer (conversions are sequential).
    cell : {"1R", "1T1R"}
    access_w_over_l : float
        1T1R access transistor W/L (the cell area is 3(W/L + 1)F², NVSim).
    dac : DacSpec
    input_bits : int, optional
        Bits of one input; inputs wider than the DAC are applied bit-serially in
        ⌈input_bits / dac.bits⌉ read cycles (default = dac.bits: one cycle).
    differential : {"digital", "analog", "none"}
    accumulator_bits : int, optional
        Width of the partial-sum accumulator (default: ADC bits + sign + ⌈log2(row tiles × cycles)⌉).
    accumulations_per_output : int, optional
        Additions per output per inference (default row_tiles × cycles − 1).
    c_wordline_per_cell_f, c_bitline_per_cell_f : float, optional
        Line capacitance per cell (F); default: the node's wire C × cell pitch.
    r_wire_per_cell_ohm : float, optional
        Line resistance per cell (Ω); default: the node's wire R × cell pitch.
    bitline_swing_v : float
        Voltage swing of a bitline during a read (V); 0 for a TIA's virtual ground.
    t_settle_s : float, optional
        Measured settling time (s); else the RC (Elmore) estimate.
    array : ArrayEnergyInput
    tia : TiaSpec
    digital_blocks : sequence of DigitalBlockUse
    """

    name: str
    n_inputs: int
    n_outputs: int
    wordlines: int
    bitlines: int
    tiles: TileGeometry
    v_read_v: float
    t_read_s: float
    adc: AdcSpec
    array: ArrayEnergyInput
    columns_per_adc: int = 1
    cell: str = "1R"
    access_w_over_l: float = 10.0
    dac: DacSpec = field(default_factory=DacSpec)
    input_bits: int | None = None
    differential: str = "digital"
    accumulator_bits: int | None = None
    accumulations_per_output: int | None = None
    c_wordline_per_cell_f: float | None = None
    c_bitline_per_cell_f: float | None = None
    r_wire_per_cell_ohm: float | None = None
    bitline_swing_v: float = 0.0
    t_settle_s: float | None = None
    tia: TiaSpec = field(default_factory=TiaSpec)
    digital_blocks: tuple = ()

    def __post_init__(self):
        o = f"LayerDesign {self.name!r}"
        for name in ("n_inputs", "n_outputs", "wordlines", "bitlines", "columns_per_adc"):
            _int(o, name, getattr(self, name))
        if not isinstance(self.tiles, TileGeometry):
            _fail(o, "tiles", self.tiles, "a TileGeometry")
        if self.wordlines > self.tiles.rows_capacity or self.bitlines > self.tiles.cols_capacity:
            _fail(o, "tiles", self.tiles, f"a grid holding {self.wordlines} wordlines x {self.bitlines} bitlines "
                                          f"(this one holds {self.tiles.rows_capacity} x {self.tiles.cols_capacity})")
        _num(o, "v_read_v", self.v_read_v)
        _num(o, "t_read_s", self.t_read_s)
        _choice(o, "cell", self.cell, CELL_TYPES)
        _num(o, "access_w_over_l", self.access_w_over_l)
        _choice(o, "differential", self.differential, DIFFERENTIAL_MODES)
        if self.differential != "none" and self.bitlines % 2:
            _fail(o, "bitlines", self.bitlines, f"an even number with differential = {self.differential!r}")
        if self.differential == "analog" and self.tiles.tile_cols % 2:
            _fail(o, "tiles.tile_cols", self.tiles.tile_cols, "an even number with differential = 'analog'")
        if not isinstance(self.adc, AdcSpec):
            _fail(o, "adc", self.adc, "an AdcSpec")
        if not isinstance(self.dac, DacSpec):
            _fail(o, "dac", self.dac, "a DacSpec")
        if not isinstance(self.array, ArrayEnergyInput):
            _fail(o, "array", self.array, "an ArrayEnergyInput")
        if not isinstance(self.tia, TiaSpec):
            _fail(o, "tia", self.tia, "a TiaSpec")
        channels = self.tiles.tile_cols // (2 if self.differential == "analog" else 1)
        if self.columns_per_adc > channels:
            _fail(o, "columns_per_adc", self.columns_per_adc, f"<= {channels} (the ADC inputs of one tile)")
        if self.input_bits is not None:
            _int(o, "input_bits", self.input_bits, 1, 32)
        for name in ("accumulator_bits", "accumulations_per_output"):
            if getattr(self, name) is not None:
                _int(o, name, getattr(self, name), 1 if name == "accumulator_bits" else 0, 64 if name ==
                     "accumulator_bits" else None)
        for name in ("c_wordline_per_cell_f", "c_bitline_per_cell_f", "r_wire_per_cell_ohm", "t_settle_s"):
            if getattr(self, name) is not None:
                _num(o, name, getattr(self, name), allow_zero=True)
        _num(o, "bitline_swing_v", self.bitline_swing_v, allow_zero=True)
        blocks = tuple(self.digital_blocks)
        for i, b in enumerate(blocks):
            if not isinstance(b, DigitalBlockUse):
                _fail(o, f"digital_blocks[{i}]", b, "a DigitalBlockUse")
        object.__setattr__(self, "digital_blocks", blocks)

    # Derived counts used by the model (documented here so the adapter can check them).
    @property
    def input_cycles(self) -> int:
        """Read cycles per inference: ⌈input_bits / dac.bits⌉ (bit-serial inputs)."""
        return -(-(self.input_bits or self.dac.bits) // self.dac.bits)

    @property
    def adc_channels_per_tile(self) -> int:
        """Signals to convert per tile: its bitlines, or bitline pairs with analog subtraction."""
        return self.tiles.tile_cols // (2 if self.differential == "analog" else 1)

    @property
    def adcs_per_tile(self) -> int:
        return -(-self.adc_channels_per_tile // self.columns_per_adc)

    @property
    def output_channels(self) -> int:
        """Values leaving the tiles per row tile: bitline pairs (differential) or bitlines."""
        return self.bitlines // (1 if self.differential == "none" else 2)


@dataclass(frozen=True)
class DesignDescription:
    """A whole design: technology, clock, scheduling and its layers.

    Parameters
    ----------
    layers : sequence of LayerDesign
        In network order.
    node_nm : int
        Technology node, a key of :data:`pycodesign.costs.technology.TECHNOLOGIES`.
    clock_hz : float
        Digital clock (Hz).
    tiles_parallel : bool
        All tiles of a layer read at once (True) or one after another.
    layers_pipelined : bool
        Throughput = 1 / slowest layer (True) or 1 / whole latency (False).
    activity_factor : float
        Fraction of a digital block's gates toggling per operation (0.5: random
        data, each node toggles with probability 2p(1 − p) at p = ½).
    name : str
    """

    layers: tuple
    node_nm: int = 32
    clock_hz: float = 1e9
    tiles_parallel: bool = True
    layers_pipelined: bool = False
    activity_factor: float = 0.5
    name: str = "design"

    def __post_init__(self):
        from .technology import get_technology

        o = "DesignDescription"
        layers = tuple(self.layers)
        if not layers:
            _fail(o, "layers", self.layers, "at least one LayerDesign")
        for i, layer in enumerate(layers):
            if not isinstance(layer, LayerDesign):
                _fail(o, f"layers[{i}]", layer, "a LayerDesign")
        object.__setattr__(self, "layers", layers)
        get_technology(self.node_nm)
        _num(o, "clock_hz", self.clock_hz)
        for name in ("tiles_parallel", "layers_pipelined"):
            if not isinstance(getattr(self, name), bool):
                _fail(o, name, getattr(self, name), "True or False")
        _num(o, "activity_factor", self.activity_factor, allow_zero=True, upper=1.0)
