"""Converters and analog periphery: ADC models (a choice, not a constant), DAC/row drivers, TIA, multiplexer.

ADC models
----------
``"survey"`` — the bound fitted to B. Murmann's ADC Performance Survey
    (1997–2022, https://github.com/bmurmann/ADC-survey), as modelled by the
    Accelergy ADC plug-in (T. Andrulis, MIT licence, ``adc_data/model.yaml``):
    Schreier figure of merit ``FoM_S = min(302.739 − 6.46079·ln f_s, 180.142)`` dB,
    ``SNDR = 6.0206·B + 1.7609`` dB (ideal quantiser), and
    ``E_conv = 1 / (2·10^((FoM_S − SNDR)/10))`` J — thermal-noise limited, so
    **4× energy per added bit** at a fixed sample rate, no node dependence.
    Area (regression over the survey, bottom-10 % quantile):
    ``ln A[µm²] = 4.85057 + 0.0666585·ln f_s + 0.797324·ln(node nm)
    − 0.134373·B + 0.423657·ln(E_conv pJ)``.  Defined for 1–20 bits and
    f_s ≤ e^23.4959 ≈ 1.6e10 S/s (the survey's range in the plug-in).
    It answers "the best published ADC at this resolution and speed".
``"sar"`` — a low-resolution SAR as built in compute-in-memory macros: power
    linear in bits, ``P = a·B + b`` (µW), conversion in ``B + 1`` clock cycles
    (one sample + one cycle per bit), hence ``E = P·(B + 1)/f_clk``.  The
    coefficients are the ones published in the NeuroSim papers (X. Peng,
    S. Huang, H. Jiang, A. Lu, S. Yu, "DNN+NeuroSim V2.0", IEEE TCAD
    40(11):2306–2319, 2021, and the V1 papers), high-performance devices:
    130 nm 6.481·B + 49.05, 65 nm 2.950·B + 22.05, 32 nm 1.016·B + 7.63;
    45 nm is interpolated and 22 nm extrapolated log-log in the node (labelled
    as derived).  ``calibration="isaac"`` keeps this bit dependence but anchors
    the energy to measured silicon: the 8-bit SAR of Kull et al. (ISSCC 2013,
    doi:10.1109/ISSCC.2013.6487818) as used by ISAAC (Shafiee et al., ISCA
    2016, doi:10.1109/ISCA.2016.12): 1.67 pJ per conversion at 32 nm
    (16 mW for eight ADCs at 1.2 GS/s).  Area: ISAAC's 1,200 µm² at 8 bits
    (0.0096 mm² / 8), scaled across 4–10 bits by Saberi et al. (IEEE TCAS-I
    58(8), 2011) — 361, 477, 627, 845, 1,200, 1,828, 3,002 µm² — and across
    nodes by (node/32)^0.797 (the survey regression's node exponent).
    Defined for 4–10 bits.
``"table"`` — a user table of measured converters (bits → energy per
    conversion, area, conversion time): :class:`ConverterTable`.  It refuses a
    negative or non-finite cost and bits it does not list, naming the entry.

How to choose: "survey" for a technology-independent lower bound at a stated
sample rate (it rewards low resolution strongly); "sar" (neurosim) for the
NeuroSim-comparable macro estimate; "sar" (isaac) for numbers anchored to a
fabricated 32 nm SAR; "table" for your own measured converter.

DAC / row driver, TIA, multiplexer
----------------------------------
* 1-bit row driver: ISAAC's 1,024 drivers per IMA take 4 mW and 170 µm² at
  32 nm → 0.39 pJ per drive (3.9 µW × the 100 ns crossbar read) and 0.166 µm².
  A K-bit DAC is modelled as 2^K − 1 such unit drivers (unit-element DAC);
  on average ``dac_activity`` of them switch (0.5 for uniformly distributed
  codes).  Other nodes: × the NAND2 energy and area ratios of the technology
  table (derived).
* TIA: **no well-sourced per-column figure exists**; its power (W, during the
  read) and area (µm²) are user parameters, zero unless set, and every report
  labels them as parameters.
* Analog column multiplexer: a transmission gate per input (2 transistors,
  ½ NAND2 equivalent by transistor count) — area ``columns_per_adc × ½``
  NAND2; energy per conversion one NAND2 toggle (one gate opens, one closes).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

from ..config import checks
from .technology import Technology, get_technology

__all__ = ["ADC_MODELS", "SAR_CALIBRATIONS", "AdcCost", "ConverterEntry", "ConverterTable",
           "survey_adc_energy_j", "survey_adc_area_um2", "survey_max_sample_rate_hz",
           "sar_power_coefficients", "sar_adc_energy_j", "sar_adc_area_um2", "sar_conversion_time_s",
           "adc_cost", "dac_unit_energy_j", "dac_unit_area_um2", "dac_energy_per_drive_j", "dac_area_um2",
           "mux_area_nand2", "ISAAC_ADC_8B_32NM", "ISAAC_DAC_1B_32NM"]

ADC_MODELS = ("survey", "sar", "table")
SAR_CALIBRATIONS = ("neurosim", "isaac")

# ----------------------------------------------------------------------------- (a) survey bound

_FOMS_INTERCEPT_DB = 302.7387019052544     # Accelergy ADC plug-in, adc_data/model.yaml
_FOMS_PER_LN_FS_DB = -6.460790934271676
_FOMS_MAX_DB = 180.14159078904734
_LN_FS_MAX = 23.495854559186192
_AREA_COEF = {"intercept": 4.850567073004403, "ln_fs": 0.06665851895885958, "ln_node": 0.797323960429599,
              "bits": -0.13437278622014803, "ln_e_pj": 0.4236571760437834}
_SURVEY_BITS = (1, 20)
SURVEY_SOURCE = ("Murmann ADC Performance Survey 1997-2022, fit of the Accelergy ADC plug-in "
                 "(Andrulis, MIT licence): E = 1/(2*10^((FoM_S - SNDR)/10)), "
                 "FoM_S = min(302.74 - 6.4608 ln fs, 180.14) dB")


def survey_max_sample_rate_hz() -> float:
    """Highest sample rate the survey fit covers (S/s)."""
    return math.exp(_LN_FS_MAX)


def _sndr_db(bits: float) -> float:
    return bits * 20.0 * math.log10(2.0) + 10.0 * math.log10(1.5)


def _check_survey(bits, sample_rate_hz) -> None:
    _check_bits(bits, "survey", *_SURVEY_BITS)
    if not (isinstance(sample_rate_hz, (int, float)) and math.isfinite(sample_rate_hz) and sample_rate_hz > 0):
        raise ValueError(f"ADC model 'survey': sample_rate_hz = {sample_rate_hz!r} must be a finite number > 0")
    if sample_rate_hz > survey_max_sample_rate_hz():
        raise ValueError(f"ADC model 'survey' is not defined for sample_rate_hz = {sample_rate_hz:.3g}; "
                         f"allowed: <= {survey_max_sample_rate_hz():.3g} S/s (the survey's range)")


def survey_adc_energy_j(bits: int, sample_rate_hz: float) -> float:
    """Energy per conversion of the survey-bound ADC (J); 4× per bit at fixed *sample_rate_hz*."""
    _check_survey(bits, sample_rate_hz)
    foms = min(_FOMS_INTERCEPT_DB + _FOMS_PER_LN_FS_DB * math.log(sample_rate_hz), _FOMS_MAX_DB)
    return 1.0 / (2.0 * 10.0 ** ((foms - _sndr_db(bits)) / 10.0))


def survey_adc_area_um2(bits: int, sample_rate_hz: float, node_nm: float) -> float:
    """Area of the survey-bound ADC (µm²), the plug-in's regression."""
    e_pj = survey_adc_energy_j(bits, sample_rate_hz) * 1e12
    c = _AREA_COEF
    return math.exp(c["intercept"] + c["ln_fs"] * math.log(sample_rate_hz) + c["ln_node"] * math.log(node_nm)
                    + c["bits"] * bits + c["ln_e_pj"] * math.log(e_pj))


# ----------------------------------------------------------------------------- (b) low-resolution SAR

#: NeuroSim's published SAR power P = a*B + b (µW), HP devices.
_SAR_PUBLISHED_UW = {130: (6.481, 49.05), 65: (2.950, 22.05), 32: (1.016, 7.63)}
#: ISAAC/Kull et al. calibration point: 8 bits at 32 nm.
ISAAC_ADC_8B_32NM = {"bits": 8, "node_nm": 32, "energy_j": 16e-3 / (8 * 1.2e9), "area_um2": 9600.0 / 8,
                     "source": "ISAAC (Shafiee et al., ISCA 2016): 8 ADCs 16 mW, 0.0096 mm^2 at 1.2 GS/s each; "
                               "ADC of Kull et al., ISSCC 2013"}
#: ISAAC ADC area across bits at 32 nm, scaled with Saberi et al. (2011).
_SAR_AREA_32NM_UM2 = {4: 361.04, 5: 476.91, 6: 626.91, 7: 845.18, 8: 1200.0, 9: 1827.911647, 10: 3002.008032}
_SAR_BITS = (4, 10)
_NODE_AREA_EXPONENT = _AREA_COEF["ln_node"]


def sar_power_coefficients(node_nm: int) -> tuple[float, float, str]:
    """``(a_uW_per_bit, b_uW, source)`` of the SAR power P = a·B + b at *node_nm*.

    130, 65 and 32 nm are NeuroSim's published values; other nodes of the
    technology table are log-log interpolated (between 65 and 32 nm) or
    extrapolated (with the 65→32 nm slope) and say so.
    """
    get_technology(node_nm)  # unknown node: the technology table's error
    if node_nm in _SAR_PUBLISHED_UW:
        a, b = _SAR_PUBLISHED_UW[node_nm]
        return a, b, f"NeuroSim (Peng et al., IEEE TCAD 2021): P = {a}*B + {b} uW at {node_nm} nm"
    if node_nm > 65:
        lo, hi = 65, 130
    else:
        lo, hi = 32, 65
    out = []
    for i in range(2):
        y_lo, y_hi = _SAR_PUBLISHED_UW[lo][i], _SAR_PUBLISHED_UW[hi][i]
        slope = math.log(y_hi / y_lo) / math.log(hi / lo)
        out.append(y_lo * (node_nm / lo) ** slope)
    kind = "interpolated" if lo < node_nm < hi else "extrapolated"
    return out[0], out[1], (f"derived: log-log {kind} from NeuroSim's {lo} and {hi} nm coefficients "
                            f"(P = {out[0]:.4g}*B + {out[1]:.4g} uW)")


def sar_conversion_time_s(bits: int, clock_hz: float) -> float:
    """(bits + 1) clock cycles: one to sample, one per bit."""
    _check_bits(bits, "sar", *_SAR_BITS)
    _check_positive("clock_hz", clock_hz)
    return (bits + 1) / clock_hz


def _sar_neurosim_energy_j(bits: int, node_nm: int, clock_hz: float) -> float:
    a, b, _ = sar_power_coefficients(node_nm)
    return (a * bits + b) * 1e-6 * sar_conversion_time_s(bits, clock_hz)


def sar_adc_energy_j(bits: int, node_nm: int, clock_hz: float = 1e9, *, calibration: str = "neurosim") -> float:
    """Energy per conversion of the low-resolution SAR (J).

    ``calibration="neurosim"``: ``(a·B + b)·(B + 1)/clock_hz``.  ``"isaac"``: the
    same dependence on bits and node, scaled so that 8 bits at 32 nm equal
    ISAAC's 1.67 pJ (independent of *clock_hz*: a measured energy per conversion).
    """
    if calibration not in SAR_CALIBRATIONS:
        raise ValueError(f"ADC model 'sar': calibration = {calibration!r} is not allowed; "
                         f"allowed: {', '.join(SAR_CALIBRATIONS)}")
    _check_bits(bits, "sar", *_SAR_BITS)
    if calibration == "neurosim":
        return _sar_neurosim_energy_j(bits, node_nm, clock_hz)
    ref = _sar_neurosim_energy_j(8, 32, 1e9)
    return ISAAC_ADC_8B_32NM["energy_j"] * _sar_neurosim_energy_j(bits, node_nm, 1e9) / ref


def sar_adc_area_um2(bits: int, node_nm: int) -> float:
    """SAR area (µm²): ISAAC's 8-bit 1,200 µm² scaled per bit (Saberi et al.) and by (node/32)^0.797."""
    _check_bits(bits, "sar", *_SAR_BITS)
    get_technology(node_nm)
    return _SAR_AREA_32NM_UM2[bits] * (node_nm / 32.0) ** _NODE_AREA_EXPONENT


# ----------------------------------------------------------------------------- (c) user table


@dataclass(frozen=True)
class ConverterEntry:
    """One measured converter: energy per conversion (J), area (µm²), conversion time (s)."""

    energy_j: float
    area_um2: float
    t_conv_s: float
    source: str = ""


@dataclass(frozen=True)
class ConverterTable:
    """A table of measured converters, bits → :class:`ConverterEntry`.

    Parameters
    ----------
    entries : mapping
        ``{bits: ConverterEntry}`` or ``{bits: {"energy_j": .., "area_um2": .., "t_conv_s": .., "source": ..}}``.
    name : str
        Shown in errors and reports.

    Raises
    ------
    ValueError
        Empty table, bits not a positive integer, a negative, zero-time or
        non-finite cost — naming the table, the entry and the value.
    """

    entries: Mapping[int, ConverterEntry]
    name: str = "user table"

    def __post_init__(self):
        if not isinstance(self.entries, Mapping) or not self.entries:
            raise ValueError(f"converter table {self.name!r}: entries must be a non-empty mapping bits -> "
                             "{energy_j, area_um2, t_conv_s}")
        clean: dict[int, ConverterEntry] = {}
        for bits, entry in self.entries.items():
            where = f"converter table {self.name!r}, entry {bits!r}"
            if isinstance(bits, bool) or not isinstance(bits, int) or bits < 1:
                raise ValueError(f"{where}: bits must be an integer >= 1")
            if isinstance(entry, Mapping):
                unknown = set(entry) - {"energy_j", "area_um2", "t_conv_s", "source"}
                if unknown:
                    raise ValueError(f"{where}: unknown key {sorted(unknown)[0]!r}; "
                                     "allowed: energy_j, area_um2, t_conv_s, source")
                try:
                    entry = ConverterEntry(**entry)
                except TypeError:
                    raise ValueError(f"{where}: needs energy_j, area_um2 and t_conv_s") from None
            if not isinstance(entry, ConverterEntry):
                raise ValueError(f"{where}: expected a ConverterEntry or a mapping, not {entry!r}")
            for key in ("energy_j", "area_um2", "t_conv_s"):
                v = getattr(entry, key)
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                    raise ValueError(f"{where}: {key} = {v!r} is not allowed; costs must be finite and >= 0")
            if entry.t_conv_s == 0:
                raise ValueError(f"{where}: t_conv_s = 0 is not allowed; must be > 0 s")
            clean[bits] = entry
        object.__setattr__(self, "entries", dict(sorted(clean.items())))

    def lookup(self, bits: int) -> ConverterEntry:
        """The entry for *bits*; a ``ValueError`` lists the bits the table covers."""
        if bits not in self.entries:
            raise ValueError(f"ADC model 'table' ({self.name!r}) is not defined for bits = {bits!r}; "
                             f"the table covers: {', '.join(str(b) for b in self.entries)}")
        return self.entries[bits]

    def to_dict(self) -> dict:
        return {"name": self.name, "entries": {b: {"energy_j": e.energy_j, "area_um2": e.area_um2,
                                                   "t_conv_s": e.t_conv_s, "source": e.source}
                                               for b, e in self.entries.items()}}


# ----------------------------------------------------------------------------- one entry point


@dataclass(frozen=True)
class AdcCost:
    """Cost of one ADC: energy per conversion (J), area (µm²), conversion time (s) and where they come from."""

    model: str
    bits: int
    energy_j: float
    area_um2: float
    t_conv_s: float
    source: str = field(default="", compare=False)


def adc_cost(model: str, bits: int, tech: Technology, *, clock_hz: float = 1e9,
             sample_rate_hz: float | None = None, calibration: str = "neurosim",
             table: ConverterTable | None = None) -> AdcCost:
    """Energy, area and conversion time of one *bits*-bit ADC under *model*.

    Parameters
    ----------
    model : {"survey", "sar", "table"}
    bits : int
    tech : Technology
    clock_hz : float
        Digital clock (Hz); the SAR converts in (bits + 1) cycles.
    sample_rate_hz : float, optional
        Survey model only: conversions per second of one ADC (S/s); default
        ``clock_hz / (bits + 1)``, the SAR's rate, so that the models compare.
    calibration : {"neurosim", "isaac"}
        SAR model only.
    table : ConverterTable
        Table model only.

    Raises
    ------
    ValueError
        Unknown model, or the model is not defined for *bits* (the message
        names the model and what it covers).
    """
    if model not in ADC_MODELS:
        raise ValueError(f"adc.model = {model!r} is not allowed; allowed: {', '.join(ADC_MODELS)}")
    _check_positive("clock_hz", clock_hz)
    if model == "survey":
        _check_bits(bits, "survey", *_SURVEY_BITS)
        fs = sample_rate_hz if sample_rate_hz is not None else clock_hz / (bits + 1)
        return AdcCost("survey", bits, survey_adc_energy_j(bits, fs), survey_adc_area_um2(bits, fs, tech.node_nm),
                       1.0 / fs, SURVEY_SOURCE + f"; fs = {fs:.4g} S/s")
    if model == "sar":
        e = sar_adc_energy_j(bits, tech.node_nm, clock_hz, calibration=calibration)
        _, _, src = sar_power_coefficients(tech.node_nm)
        if calibration == "isaac":
            src = ISAAC_ADC_8B_32NM["source"] + "; bits/node dependence: " + src
        return AdcCost("sar", bits, e, sar_adc_area_um2(bits, tech.node_nm),
                       sar_conversion_time_s(bits, clock_hz),
                       src + "; area: ISAAC 1200 um^2 (8 b, 32 nm), Saberi et al. 2011 per bit, (node/32)^0.797")
    if table is None:
        raise ValueError("adc.model = 'table' needs a converter table (adc.table)")
    entry = table.lookup(bits)
    return AdcCost("table", bits, float(entry.energy_j), float(entry.area_um2), float(entry.t_conv_s),
                   entry.source or f"user table {table.name!r}")


# ----------------------------------------------------------------------------- DAC / row drivers, mux

#: ISAAC's 1-bit row driver at 32 nm: 4 mW and 170 µm² for 8 x 128 drivers, 100 ns per crossbar read.
ISAAC_DAC_1B_32NM = {"energy_j": 4e-3 / 1024 * 100e-9, "area_um2": 170.0 / 1024,
                     "source": "ISAAC (Shafiee et al., ISCA 2016): 1-bit DACs, 8x128 per IMA, 4 mW, 0.00017 mm^2; "
                               "energy = 4 mW / 1024 x 100 ns read"}


def dac_unit_energy_j(tech: Technology) -> float:
    """Energy of one unit (1-bit) driver drive at *tech* (J): ISAAC's 32 nm value × NAND2 energy ratio."""
    return ISAAC_DAC_1B_32NM["energy_j"] * tech.nand2_energy_j / get_technology(32).nand2_energy_j


def dac_unit_area_um2(tech: Technology) -> float:
    """Area of one unit (1-bit) driver at *tech* (µm²): ISAAC's 32 nm value × NAND2 area ratio."""
    return ISAAC_DAC_1B_32NM["area_um2"] * tech.nand2_area_um2 / get_technology(32).nand2_area_um2


def dac_energy_per_drive_j(bits: int, tech: Technology, *, activity: float = 0.5) -> float:
    """Energy of one K-bit unit-element DAC drive (J): ``(2^K − 1) · activity`` units (a 1-bit driver: 1 unit)."""
    _check_bits(bits, "dac", 1, 16)
    units = 1.0 if bits == 1 else (2 ** bits - 1) * activity
    return units * dac_unit_energy_j(tech)


def dac_area_um2(bits: int, tech: Technology) -> float:
    """Area of one K-bit unit-element DAC (µm²): 2^K − 1 unit drivers."""
    _check_bits(bits, "dac", 1, 16)
    return (2 ** bits - 1) * dac_unit_area_um2(tech)


def mux_area_nand2(inputs: int) -> float:
    """Analog column multiplexer: one transmission gate (½ NAND2 by transistor count) per input."""
    return 0.5 * inputs if inputs > 1 else 0.0


# ----------------------------------------------------------------------------- checks


def _check_bits(bits, model: str, lo: int, hi: int) -> None:
    if isinstance(bits, bool) or not isinstance(bits, int):
        raise ValueError(f"{model}: bits = {bits!r} must be an integer")
    if not lo <= bits <= hi:
        raise ValueError(f"ADC model {model!r} is not defined for bits = {bits}; allowed: {lo}..{hi} bits"
                         if model in ADC_MODELS else
                         f"{model}: bits = {bits} is not allowed; allowed: {lo}..{hi}")


def _check_positive(name: str, value) -> None:
    checks.number(name, value, gt=0)

