"""The architecture of a memristive accelerator, defined once.

Every flow that maps a network onto crossbars embeds these sections, and
:func:`pycodesign.system.evaluate` takes an :class:`Architecture` as is (no
translation, no second set of classes)::

    from pycodesign.config import Architecture
    arch = Architecture(array={"device": "qmm", "r_row_ohm": 1.0},
                        tiling={"tile_rows": 64, "tile_cols": 32},
                        converters={"adc_bits": 6})

Constructing a section in Python runs the same checks, with the same
messages, as loading it from YAML; cross-section rules (CrossSim's
``XbarParameters.validate`` style) live in :meth:`Architecture.validate`.

Sections (review Fig. 2 block numbers in brackets)
--------------------------------------------------
``mapping``     weights → conductances (Eq. 2, 4, 5), finite states, bias row
``array``       the crossbar [5]: device model and preset, cell (1R/1T1R),
                V_READ, line parasitics, dual-side wordlines, partitions,
                how W⁺/W⁻ are combined, TIA [6], access transistor
``tiling``      tiles of at most ``tile_rows × tile_cols`` physical devices,
                each with its own TIAs and ADCs, ``columns_per_adc`` columns
                multiplexed into one ADC, row tiles accumulated digitally
``converters``  input DAC [4] and output ADC [9]
``nonideal``    seeded device non-idealities
``technology``  node, clock, read time and the cost model's converter choices
                (:mod:`pycodesign.costs`)

How a layer meets the converters (documented here because every engine
follows it; :mod:`pycodesign.system` implements it):

* ``differential: subtractor`` (Fig. 8a) and ``opposite_polarity`` (Fig. 8b)
  combine W⁺ and W⁻ in the analog domain; the reference-column mapping
  subtracts its reference column in the analog domain too.  One *signed* ADC
  per output: codes −(2^(B−1) − 1) … 2^(B−1) − 1.
* ``differential: digital`` gives every physical bitline (W⁺ and W⁻ columns
  separately) its own *unsigned* ADC (codes 0 … 2^B − 1); the W⁻ code is
  subtracted from the W⁺ code in digital logic.
* ADC transfer: LSB = full scale / top code; code = clip(⌊I / LSB + ½⌋) —
  comparator thresholds at (c + ½)·LSB.
* ADC full scale, one per layer (so row tiles accumulate codes of one LSB):
  ``converters.adc_full_scale_a`` for the output layer when given; otherwise
  the largest current any ADC input can carry for inputs in [0, V_READ] in
  the parasitic-free tiles with the *mapped* (target) conductances, the
  maximum over the layer's tiles — no tile clips for a nominal array —
  times ``converters.adc_range_fraction`` (1 by default; smaller trades
  clipping of the largest currents for a finer LSB).
  A hidden layer whose ADCs feed the ReLU directly (one row tile) spends its
  codes on the activation's range instead: full scale = the current that
  stands for the trained ReLU bound ``relu_max`` (beyond it the ReLU clips
  anyway); with several row tiles the partial sums keep the nominal headroom.
* Hidden layers (MLP): accumulated codes go through the bounded ReLU
  ``min(max(c, 0) >> shift, limit)`` (the RTL's ``ReLU`` block), and its
  output drives the next layer's K-bit DAC shifted left by ``lift`` bits
  (wiring); ``shift``/``lift`` are the powers of two that bring ``relu_max``
  (in codes) just inside 2^K − 1, ``limit`` is ``relu_max`` in shifted codes.
  The next layer is mapped with its weights times the activation scale (the
  activation one full-scale DAC code stands for).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Literal

from .core import Section, option

__all__ = [
    "MAX_LEVELS",
    "DIFFERENTIAL_KINDS",
    "CrossbarParasitics",
    "TiaConfig",
    "AccessTransistor",
    "MappingSection",
    "ArraySection",
    "TilingSection",
    "ConvertersSection",
    "NonIdealitySection",
    "TechnologySection",
    "TECHNOLOGY_NODES",
    "Architecture",
    "tile_layout",
]

#: Most conductance states a mapping may ask for (a finer grid is continuous for every purpose).
MAX_LEVELS = 65536

#: How W⁺ and W⁻ are combined (see the module doc).
DIFFERENTIAL_KINDS = ("subtractor", "opposite_polarity", "digital")

_EPS0 = 8.8541878128e-12


@dataclass
class CrossbarParasitics(Section):
    """Per-cell line parasitics (review Fig. 17d)."""

    r_row_ohm: float = option(0.0, "wordline segment resistance between adjacent columns and from the driver "
                                   "into the first (and, dual-side, last) column", unit="Ohm", ge=0)
    r_col_ohm: float = option(0.0, "bitline segment resistance between adjacent rows and from the last row "
                                   "into the sensing node", unit="Ohm", ge=0)
    c_line_to_line_f: float = option(0.0, "capacitance between adjacent wordlines and between adjacent "
                                          "bitlines, per cell", unit="F", ge=0)
    c_crossing_f: float = option(0.0, "wordline-bitline capacitance at each crossing", unit="F", ge=0)
    c_to_ground_f: float = option(0.0, "line capacitance to ground, per cell and line", unit="F", ge=0)

    @property
    def has_capacitance(self) -> bool:
        return any(v > 0 for v in (self.c_line_to_line_f, self.c_crossing_f, self.c_to_ground_f))

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class TiaConfig(Section):
    """Sensing: a transimpedance amplifier holding each bitline near 0 V (review Fig. 2, block 6).

    ``ideal`` holds the sensing node at exactly 0 V and reads the current
    into it; ``opamp`` is a single-pole op-amp (DC gain ``gain``, pole at
    ``gbw_hz / gain``) with feedback resistor ``r_f_ohm``, read as
    ``−V_out / r_f_ohm``.
    """

    kind: Literal["ideal", "opamp"] = option("ideal", "ideal virtual ground, or single-pole op-amp macro")
    r_f_ohm: float = option(10e3, "feedback (transimpedance) resistance", unit="Ohm", gt=0)
    gain: float = option(1e5, "op-amp open-loop DC gain", unit="V/V", gt=0)
    gbw_hz: float = option(100e6, "op-amp gain-bandwidth product", unit="Hz", gt=0)

    @property
    def dc_input_conductance_s(self) -> float:
        """The op-amp TIA seen from its input at DC: (1 + gain) / r_f (S)."""
        return (1.0 + self.gain) / self.r_f_ohm

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class AccessTransistor(Section):
    """Level-1 NMOS access transistor of a 1T1R cell.

    Defaults: the 45 nm predictive technology model (PTM 45 nm NMOS, ASU)
    reduced to level 1 — see :mod:`pycodesign.analog.mosfet` for the fit.
    """

    w_m: float = option(450e-9, "channel width", unit="m", gt=0)
    l_m: float = option(45e-9, "channel length", unit="m", gt=0)
    v_gate_v: float = option(1.0, "select (gate) voltage of the selected rows", unit="V")
    vto_v: float = option(0.3423, "threshold voltage", unit="V")
    kp_a_per_v2: float = option(0.02947 * 3.9 * _EPS0 / 0.9e-9, "process transconductance mu*C_ox",
                                unit="A/V^2", gt=0)
    lambda_per_v: float = option(0.0, "channel-length modulation", unit="1/V", ge=0)
    tox_m: float = option(0.9e-9, "oxide thickness (Meyer gate capacitances in ngspice)", unit="m", gt=0)
    cgso_f_per_m: float = option(1e-10, "gate-source overlap capacitance per width", unit="F/m", ge=0)
    cgdo_f_per_m: float = option(1e-10, "gate-drain overlap capacitance per width", unit="F/m", ge=0)
    is_a: float = option(1e-14, "bulk junction saturation current", unit="A", ge=0)

    @property
    def beta_a_per_v2(self) -> float:
        """KP·W/L (A/V²)."""
        return self.kp_a_per_v2 * self.w_m / self.l_m

    @property
    def r_on_ohm(self) -> float:
        """Small-V_DS on-resistance at the select voltage (Ω); inf when V_G ≤ VTO."""
        ov = self.v_gate_v - self.vto_v
        return math.inf if ov <= 0 else 1.0 / (self.beta_a_per_v2 * ov)

    def model_card(self, name: str = "nacc") -> str:
        """The ngspice ``.model`` line (level 1)."""
        return (f".model {name} nmos level=1 vto={self.vto_v:.12g} kp={self.kp_a_per_v2:.15g} "
                f"lambda={self.lambda_per_v:.12g} gamma=0 phi=0.7 tox={self.tox_m:.6g} "
                f"cgso={self.cgso_f_per_m:.6g} cgdo={self.cgdo_f_per_m:.6g} is={self.is_a:.6g}")

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class MappingSection(Section):
    """Weights → conductances (review Eq. 2, 4, 5)."""

    scheme: Literal["differential", "reference"] = option("differential",
                                                          "two devices per weight, or a reference column")
    g_hrs_s: float = option(1e-5, "G_HRS, lowest programmed conductance", unit="S", gt=0)
    g_lrs_s: float = option(1e-3, "G_LRS, highest programmed conductance", unit="S", gt=0)
    levels: int | None = option(32, "linearly spaced conductance states (null: continuous)", ge=2, le=MAX_LEVELS)
    measured_levels_s: list[float] | None = option(None, "measured conductance levels instead of `levels`",
                                                   unit="S", gt=0, min_len=2)
    bias: bool = option(True, "map the biases as an extra row driven at V_READ")

    def validate(self):
        if self.g_hrs_s >= self.g_lrs_s:
            self.fail("g_hrs_s", f"G_HRS = {self.g_hrs_s:g} S must be below G_LRS = {self.g_lrs_s:g} S")
        if self.measured_levels_s is not None:
            if self.levels is not None:
                self.fail("measured_levels_s", "give either `levels` or `measured_levels_s` (set levels: null)")
            if len(self.measured_levels_s) > MAX_LEVELS:
                self.fail("measured_levels_s", f"{len(self.measured_levels_s)} levels; allowed: at most "
                                               f"{MAX_LEVELS}")
            bad = [g for g in self.measured_levels_s if not self.g_hrs_s <= g <= self.g_lrs_s]
            if bad:
                self.fail("measured_levels_s", f"{bad[0]:g} S lies outside [G_HRS, G_LRS] = "
                                               f"[{self.g_hrs_s:g}, {self.g_lrs_s:g}] S")

    @property
    def levels_arg(self):
        """What :func:`pycodesign.mapping.map_weights` takes as ``levels``."""
        return self.measured_levels_s if self.measured_levels_s is not None else self.levels

    @property
    def weight_bits(self) -> int | None:
        """Bits of a weight magnitude (for ADC sizing): ceil(log2(states)); None if continuous."""
        n = len(self.measured_levels_s) if self.measured_levels_s is not None else self.levels
        return None if n is None else max(1, math.ceil(math.log2(n)))


@dataclass
class ArraySection(Section):
    """The crossbar (review Fig. 2, block 5), its parasitics (Fig. 17d) and sensing (block 6)."""

    device: str = option("linear", "registered device model in every cell (see `pycodesign models`)")
    preset: str | None = option(None, "named parameter set of the device model (null: the model's default)")
    device_params: dict[str, float] = option({}, "device model parameters (override the preset)")
    cell: Literal["1R", "1T1R"] = option("1R", "passive cell, or one access transistor per cell")
    v_read_v: float = option(0.2, "read voltage: an input of 1 drives its wordline at V_READ", unit="V", gt=0)
    r_row_ohm: float = option(1.0, "wordline segment resistance", unit="Ohm", ge=0)
    r_col_ohm: float = option(1.0, "bitline segment resistance", unit="Ohm", ge=0)
    c_line_to_line_f: float = option(0.0, "capacitance between adjacent lines, per cell", unit="F", ge=0)
    c_crossing_f: float = option(0.0, "wordline-bitline capacitance at each crossing", unit="F", ge=0)
    c_to_ground_f: float = option(0.0, "line capacitance to ground, per cell", unit="F", ge=0)
    dual_side: bool = option(False, "drive each wordline from both ends (review Fig. 18)")
    partitions: int = option(1, "row partitions per tile whose bitline currents are summed before the ADC "
                                "(Supplementary Figs. 9/10)", ge=1)
    col_partitions: int = option(1, "column partitions per tile with their own wordline taps", ge=1)
    differential: Literal["subtractor", "opposite_polarity", "digital"] = option(
        "subtractor", "how W+/W- are combined: analog subtractor (Fig. 8a), opposite-polarity inputs (Fig. 8b), "
                      "or one ADC per bitline with digital subtraction")
    tia: TiaConfig = option(TiaConfig())
    transistor: AccessTransistor = option(AccessTransistor(), "1T1R access transistor (ignored for 1R)")

    def validate(self):
        from ..devices.registry import ParameterError, get_model, list_models

        known = list_models()
        if self.device not in known:
            self.fail("device", f"{self.device!r} is not a registered model; allowed: {', '.join(known)}")
        model = get_model(self.device)
        if self.preset is not None and self.preset not in model.presets:
            self.fail("preset", f"{self.preset!r} is not a preset of {self.device!r}; allowed: "
                                f"{', '.join(model.presets) or '(none)'}")
        try:
            model.resolve(self.device_params, preset=self.preset)
        except ParameterError as exc:
            self.fail("device_params", str(exc))

    @property
    def parasitics(self) -> CrossbarParasitics:
        """The line parasitics of this array."""
        return CrossbarParasitics(r_row_ohm=self.r_row_ohm, r_col_ohm=self.r_col_ohm,
                                  c_line_to_line_f=self.c_line_to_line_f, c_crossing_f=self.c_crossing_f,
                                  c_to_ground_f=self.c_to_ground_f)

    def resolved_params(self) -> dict[str, float]:
        """Device parameters: model defaults, then the preset, then ``device_params``."""
        from ..devices.registry import get_model

        return get_model(self.device).resolve(self.device_params, preset=self.preset)


@dataclass
class TilingSection(Section):
    """Tiles: a layer split over a grid of crossbars, each with its own TIAs and ADCs.

    A layer's physical array (the differential pair or reference column
    counted) is cut into tiles of at most ``tile_rows × tile_cols`` devices;
    W⁺/W⁻ pairs (and opposite-polarity row pairs) stay in one tile, and every
    column tile of a reference-column mapping has its own reference column.
    ``columns_per_adc`` ADC inputs of a tile share one ADC through a
    multiplexer (converted one after another).  The partial sums of the row
    tiles are added in ADC codes by an accumulator of ``accumulator_bits``.
    """

    tile_rows: int | None = option(None, "most physical rows (wordlines) per tile (null: the whole layer)",
                                   ge=2, le=65536)
    tile_cols: int | None = option(None, "most physical columns (bitlines) per tile (null: the whole layer)",
                                   ge=2, le=65536)
    columns_per_adc: int = option(1, "ADC inputs of a tile sharing one ADC through a multiplexer", ge=1,
                                  le=65536)
    accumulator_bits: int | None = option(None, "width of the digital accumulator adding the row tiles' codes "
                                                "(null: exactly what the partial sums need)", ge=2, le=64)


@dataclass
class ConvertersSection(Section):
    """Input DAC (block 4) and output ADC (block 9)."""

    dac_bits: int | None = option(8, "input DAC resolution K (null: ideal, continuous voltages)", ge=1, le=32)
    adc_bits: int | None = option(8, "output ADC resolution B (null: ideal)", ge=2, le=32)
    adc_full_scale_a: float | None = option(
        None, "output layer's ADC full scale (null: the largest current an ADC input can carry, see "
              "pycodesign.config.architecture)", unit="A", gt=0)
    adc_range_fraction: float = option(
        1.0, "automatic full scales are this fraction of the largest possible current: below 1 the LSB is finer "
             "and the rare largest currents clip (a range study, as MemTorch's ADC overflow)", gt=0, le=1)


@dataclass
class NonIdealitySection(Section):
    """Seeded device non-idealities (all off by default).

    Draw order, from one generator per layer seeded by seed + layer: device-
    to-device variability (log-normal, σ of ln G), clipped to the range the
    device reaches at V_READ; stuck-at faults; read noise per image.
    """

    variability_sigma: float = option(0.0, "device-to-device log-normal sigma of ln(G)", ge=0, le=3)
    stuck_at_hrs_rate: float = option(0.0, "fraction of devices stuck at G_HRS", ge=0, le=1)
    stuck_at_lrs_rate: float = option(0.0, "fraction of devices stuck at G_LRS", ge=0, le=1)
    read_noise_sigma: float = option(0.0, "relative sigma of each device's read current, per read", ge=0, le=1)

    def validate(self):
        if self.stuck_at_hrs_rate + self.stuck_at_lrs_rate > 1:
            self.fail("stuck_at_lrs_rate", "stuck_at_hrs_rate + stuck_at_lrs_rate must not exceed 1")


#: Technology nodes of the cost model's table (:data:`pycodesign.costs.technology.TECHNOLOGIES`; a test keeps them equal).
TECHNOLOGY_NODES = (130, 65, 45, 32, 22)


@dataclass
class TechnologySection(Section):
    """Technology and timing for energy, area and latency (:mod:`pycodesign.costs`; sources in docs/costs.md)."""

    node_nm: Literal[130, 65, 45, 32, 22] = option(32, "technology node (the cost model's table)", unit="nm")
    clock_hz: float = option(1e9, "digital clock (SAR conversions take bits + 1 cycles)", unit="Hz", gt=0)
    t_read_s: float = option(10e-9, "read pulse per input vector (NeuroSim's default 10 ns)", unit="s", gt=0)
    adc_model: Literal["sar", "survey", "table"] = option(
        "sar", "ADC energy/area model: low-resolution SAR (NeuroSim/ISAAC), Murmann survey bound, or your table")
    adc_calibration: Literal["neurosim", "isaac"] = option("neurosim", "SAR model calibration")
    adc_table: dict[int, dict[str, float]] | None = option(
        None, "measured converters for adc_model: table: {bits: {energy_j, area_um2, t_conv_s}}")
    tia_power_w: float = option(0.0, "power of one TIA while reading (no published per-column figure; 0: not "
                                     "costed)", unit="W", ge=0)
    tia_area_um2: float = option(0.0, "area of one TIA (0: not costed)", unit="um^2", ge=0)
    tiles_parallel: bool = option(True, "all tiles of a layer read at once (else one after another)")
    layers_pipelined: bool = option(False, "throughput set by the slowest layer (else by the whole latency)")

    def validate(self):
        if self.adc_model == "table":
            if not self.adc_table:
                self.fail("adc_table", "required when adc_model is 'table' ({bits: {energy_j, area_um2, t_conv_s}})")
        if self.adc_table:
            for bits, entry in self.adc_table.items():
                if not 1 <= bits <= 32:
                    self.fail(f"adc_table.{bits}", "bits must be in 1..32")
                missing = {"energy_j", "area_um2", "t_conv_s"} - set(entry)
                extra = set(entry) - {"energy_j", "area_um2", "t_conv_s"}
                if missing or extra:
                    self.fail(f"adc_table.{bits}", f"needs exactly energy_j, area_um2, t_conv_s (missing: "
                                                   f"{sorted(missing) or 'none'}, unknown: {sorted(extra) or 'none'})")
                for k, v in entry.items():
                    if not v >= 0:
                        self.fail(f"adc_table.{bits}.{k}", f"{v!r} is negative; allowed: >= 0")


@functools.lru_cache(maxsize=256)
def _read_findings(device, v_read_v, g_min_s, g_max_s, params, preset, bipolar) -> tuple:
    """Cached :func:`~pycodesign.devices.checks.read_findings`: the same read is checked once (a search
    builds thousands of architectures that share their device and read settings)."""
    from ..devices.checks import read_findings

    return tuple(read_findings(device, v_read_v=v_read_v, g_min_s=g_min_s, g_max_s=g_max_s, params=dict(params),
                               preset=preset, bipolar=bipolar))


def tile_layout(scheme: str, differential: str, tile_rows: int | None, tile_cols: int | None):
    """Per-tile capacity in logical rows, outputs and ADC inputs for a mapping/differential scheme.

    Returns ``(rows_per_tile, outputs_per_tile, adc_inputs_per_output, row_factor, col_overhead)``;
    ``None`` where the dimension is not tiled.  ``row_factor`` is 2 for
    opposite-polarity (a W⁻ row per input), ``col_overhead`` the reference
    column.
    """
    if scheme == "reference":
        per_out, overhead, pair = 1, 1, 1
        row_factor = 1
    elif differential == "opposite_polarity":
        per_out, overhead, pair = 1, 0, 1
        row_factor = 2
    else:  # subtractor / digital: a W+/W- column pair per output
        per_out, overhead, pair = (2 if differential == "digital" else 1), 0, 2
        row_factor = 1
    rows = None if tile_rows is None else tile_rows // row_factor
    outs = None if tile_cols is None else (tile_cols - overhead) // pair
    return rows, outs, per_out, row_factor, (overhead, pair)


@dataclass
class Architecture(Section):
    """A memristive accelerator: mapping, array, tiling, converters, non-idealities."""

    mapping: MappingSection = option(MappingSection())
    array: ArraySection = option(ArraySection())
    tiling: TilingSection = option(TilingSection())
    converters: ConvertersSection = option(ConvertersSection())
    nonideal: NonIdealitySection = option(NonIdealitySection())
    technology: TechnologySection = option(TechnologySection())

    _FINDING_KEYS = {"v_read_v": "array.v_read_v", "g_hrs_s": "mapping.g_hrs_s", "g_lrs_s": "mapping.g_lrs_s",
                     "device_params": "array.device_params"}

    def read_findings(self) -> list:
        """The device-aware checks of reading this array (:func:`pycodesign.devices.checks.read_findings`)."""
        a, m = self.array, self.mapping
        return list(_read_findings(a.device, a.v_read_v, m.g_hrs_s, m.g_lrs_s, tuple(sorted(a.device_params.items())),
                                   a.preset, m.scheme == "differential" and a.differential == "opposite_polarity"))

    def warnings(self) -> list[str]:
        """Stated warnings (plausible but doubtful settings), as ``key: message`` lines."""
        return [f"{self._FINDING_KEYS.get(f.key, f.key)}: {f.message}" for f in self.read_findings()
                if f.level == "warning"]

    def validate(self):
        for f in self.read_findings():  # conductances the device cannot reach, a read that writes, ...
            if f.level == "error":
                self.fail(self._FINDING_KEYS.get(f.key, f"array.{f.key}"), f.message)
        t, a, m = self.tiling, self.array, self.mapping
        scheme = m.scheme
        diff = a.differential
        rows, outs, per_out, row_factor, (overhead, pair) = tile_layout(scheme, diff, t.tile_rows, t.tile_cols)
        what = "reference column" if scheme == "reference" else diff
        if t.tile_rows is not None:
            if rows < 1:
                self.fail("tiling.tile_rows", f"{t.tile_rows} rows cannot hold one input with {what} "
                                              f"(each input needs {row_factor} rows)")
            if row_factor == 2 and t.tile_rows % 2:
                self.fail("tiling.tile_rows", f"{t.tile_rows} is odd; opposite-polarity tiles hold W+/W- row "
                                              "pairs, so tile_rows must be even")
            if a.partitions > t.tile_rows:
                self.fail("array.partitions", f"{a.partitions} partitions per tile but tiles have at most "
                                              f"{t.tile_rows} rows; allowed: 1..{t.tile_rows}")
        if t.tile_cols is not None:
            if outs < 1:
                self.fail("tiling.tile_cols", f"{t.tile_cols} columns cannot hold one output with {what} "
                                              f"({pair} column(s) per output + {overhead} reference)")
            if pair == 2 and t.tile_cols % 2:
                self.fail("tiling.tile_cols", f"{t.tile_cols} is odd; {diff} tiles hold W+/W- column pairs, "
                                              "so tile_cols must be even")
            if a.col_partitions > t.tile_cols:
                self.fail("array.col_partitions", f"{a.col_partitions} column partitions per tile but tiles "
                                                  f"have at most {t.tile_cols} columns")
            n_in = outs * per_out
            if n_in % t.columns_per_adc:
                divisors = [d for d in range(1, n_in + 1) if n_in % d == 0]
                self.fail("tiling.columns_per_adc",
                          f"{t.columns_per_adc} does not divide the {n_in} ADC inputs of a {t.tile_cols}-column "
                          f"tile ({what}: {per_out} ADC input(s) per output); allowed: "
                          + ", ".join(map(str, divisors)))
        if t.accumulator_bits is not None and self.converters.adc_bits is not None:
            need = self.converters.adc_bits + (1 if diff == "digital" and scheme == "differential" else 0)
            if t.accumulator_bits < need:
                self.fail("tiling.accumulator_bits",
                          f"{t.accumulator_bits} bits cannot hold one tile's {need}-bit signed code; allowed: "
                          f">= {need} (more with several row tiles)")

    @property
    def signed_adc(self) -> bool:
        """True when the ADCs convert an analog-combined (signed) output; False for one ADC per bitline."""
        return not (self.mapping.scheme == "differential" and self.array.differential == "digital")
