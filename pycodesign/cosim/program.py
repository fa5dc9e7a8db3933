"""Write-verify programming with the RTL in the loop: one ngspice transient, no Python in the loop.

What is simulated (every element generated here from Python):

* **Digital** — :class:`pycodesign.rtl.program_top.ProgramTop` (write-verify
  controller, wordline/bitline decoders, target memory holding each cell's
  window in read-ADC codes, window comparators), compiled by Verilator into
  a ``d_cosim`` library (:mod:`pycodesign.cosim.build`).
* **Clock and stimulus** — analog sources bridged into the RTL: the clock
  (rising edges at ``(k + 1/2) T``), a reset for the first two cycles, a
  one-cycle ``start``.
* **Array** — the crossbar of the one circuit description
  (:func:`pycodesign.analog.circuit.build_circuit`): Verilog-A devices with
  their per-device parameters (variability), line resistances and
  capacitances, 1R or 1T1R.
* **Write drivers** — one per wordline (node ``in<i>``), one per bitline
  (``s<j>``) and, for 1T1R, one per gate line (``sel<i>``), each a behavioural
  source set by the bridged decoder outputs and pulse enables, with a 0-V
  ammeter for the energy.  Half-select bias (:class:`WriteBias`), for a
  pulse that puts ``V`` (signed) across the selected cell:

  ========  ==============  ==============  ================  ================
  scheme    selected WL     selected BL     unselected WLs    unselected BLs
  ========  ==============  ==============  ================  ================
  ``v/2``   max(V, 0)       max(-V, 0)      abs(V)/2          abs(V)/2
  ``v/3``   max(V, 0)       max(-V, 0)      abs(V)/3 (V>0),   2 abs(V)/3 (V>0),
                                            2 abs(V)/3 (V<0)  abs(V)/3 (V<0)
  ========  ==============  ==============  ================  ================

  so half-selected cells see at most ``V/2`` (``v/3``: ``V/3``).  SET uses
  ``set_v``, RESET ``reset_v`` (cell voltage ``V(WL) - V(BL)``, the device's
  ``(p, n)``), each lasting ``write_cycles`` clock periods.  Outside pulses
  every line is at 0 V.
* **Read path** — during a read phase the selected wordline is at ``V_READ``,
  every other line at 0 V; the current of the selected bitline of each
  partition (a multiplexer over the bitline ammeters) goes through an ideal
  TIA (``R_f``) into an ADC of ``bits`` and full scale ``full_scale_a``
  (:class:`ReadAdc`: code = clip(floor(I/LSB + 1/2), 0, 2^B - 1)), whose
  bits are bridged into the RTL.  The ADC converts in the last cycle of each
  read phase (the RTL's ``adc_sample`` strobe) and outputs 0 otherwise, so
  its code changes twice per read instead of following the bitline while it
  settles (each code change is an event that cuts the analog time step; a
  free-running quantiser made ngspice's step collapse on 16x16 arrays).
* **Energy** — the power the drivers deliver into the array, ``Σ V·I`` over
  every driver, integrated in the transient (total, write phases, read phases).

Waveforms: the RTL's signals in ``digital.vcd`` (the shim's Verilator trace:
every internal signal), the analog vectors in the raw file, sampled every
``sample_s`` (ngspice ``interp``) so that device states of large arrays fit.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np

from ..analog.circuit import CrossbarSpec, TiaConfig, build_circuit
from .. import toolchain
from ..errors import SimulationError
from ..rtl.models import ProgramTopModel
from ..spice import run_batch
from .build import CosimLibrary, stage_cosim_library
from .netlist import (BridgeTiming, array_lines, bridge_model_cards, check_clock_edges, clock_lines, cosim_instance, digital_nodes, fmt,
                      control_lines, tran_options)
from .vcd import read_vcd

__all__ = ["SCHEMES", "ReadAdc", "WriteBias", "ProgramTiming", "ProgramJob", "CosimProgramResult",
           "run_cosim_program", "read_back", "ReadBack", "program_deck", "conductance_of_states"]

SCHEMES = ("v/2", "v/3")
LIBRARY_FILE = "program_top.so"
#: ProgramTop outputs the analog side does not use: left off the d_cosim interface (read from the VCD),
#: which keeps a 64-row, 20-partition top within ngspice's port budget (netlist.MAX_DCOSIM_BITS).
HIDDEN_OUTPUTS = ("row", "col", "busy", "fail_count")
VCD_FILE = "digital.vcd"


def _num(owner: str, name: str, v, *, positive: bool = True, nonzero: bool = False) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not math.isfinite(v):
        raise ValueError(f"{owner}: {name} = {v!r} is not a finite number")
    if positive and v <= 0:
        raise ValueError(f"{owner}: {name} = {v!r} is not allowed; must be > 0")
    if nonzero and v == 0:
        raise ValueError(f"{owner}: {name} = {v!r} is not allowed; must be non-zero")
    return float(v)


@dataclass(frozen=True)
class ReadAdc:
    """The read path's TIA and ADC (unsigned).

    ``LSB = full_scale_a / (2**bits - 1)``; code = clip(floor(I / LSB + 1/2),
    0, 2**bits - 1): the comparator thresholds sit at ``(c + 1/2) LSB``.

    Parameters
    ----------
    bits : int
        Resolution, 1..16.
    full_scale_a : float
        Current of the top code (A).
    tia_r_f_ohm : float
        TIA transimpedance (Ω): the ADC's full scale in volts is ``R_f ·
        full_scale_a``.
    """

    bits: int
    full_scale_a: float
    tia_r_f_ohm: float = 10e3

    def __post_init__(self):
        if isinstance(self.bits, bool) or not isinstance(self.bits, (int, np.integer)) or not 1 <= self.bits <= 16:
            raise ValueError(f"ReadAdc: bits = {self.bits!r} is not allowed; must be an integer in [1, 16]")
        _num("ReadAdc", "full_scale_a", self.full_scale_a)
        _num("ReadAdc", "tia_r_f_ohm", self.tia_r_f_ohm)

    @property
    def top(self) -> int:
        return (1 << self.bits) - 1

    @property
    def lsb_a(self) -> float:
        return self.full_scale_a / self.top

    def codes(self, current_a) -> np.ndarray:
        """ADC codes (int64) of read currents (A)."""
        i = np.asarray(current_a, dtype=float)
        return np.clip(np.floor(i / self.lsb_a + 0.5), 0, self.top).astype(np.int64)

    def edge_distance_lsb(self, current_a, lo, hi) -> np.ndarray:
        """Distance (in LSB) of each read from the nearer comparator threshold of its window.

        The window ``[lo, hi]`` in codes has its thresholds at ``(lo - 1/2) LSB``
        and ``(hi + 1/2) LSB``.
        """
        x = np.asarray(current_a, dtype=float) / self.lsb_a
        return np.minimum(np.abs(x - (np.asarray(lo) - 0.5)), np.abs(x - (np.asarray(hi) + 0.5)))


@dataclass(frozen=True)
class WriteBias:
    """Pulse amplitudes, half-select scheme and read/gate voltages.

    Parameters
    ----------
    set_v, reset_v : float
        Cell voltage ``V(WL) - V(BL)`` of a SET (raise conductance) and a
        RESET pulse (V, signed; opposite signs).
    scheme : {"v/2", "v/3"}
        Half-select bias of the unselected lines (see the module doc).
    v_read_v : float
        Read voltage on the selected wordline (V, > 0).
    gate_read_v, gate_set_v, gate_reset_v : float
        1T1R only: gate voltage of the selected row during a read, a SET and
        a RESET (V); unselected rows' gates are at 0 V.
    """

    set_v: float
    reset_v: float
    v_read_v: float
    scheme: str = "v/2"
    gate_read_v: float = 1.0
    gate_set_v: float = 1.0
    gate_reset_v: float = 1.0

    def __post_init__(self):
        _num("WriteBias", "set_v", self.set_v, positive=False, nonzero=True)
        _num("WriteBias", "reset_v", self.reset_v, positive=False, nonzero=True)
        if (self.set_v > 0) == (self.reset_v > 0):
            raise ValueError(f"WriteBias: set_v = {self.set_v!r} V and reset_v = {self.reset_v!r} V must have "
                             "opposite signs")
        _num("WriteBias", "v_read_v", self.v_read_v)
        if self.scheme not in SCHEMES:
            raise ValueError(f"WriteBias: scheme = {self.scheme!r} is not allowed; must be one of "
                             + ", ".join(repr(s) for s in SCHEMES))
        for name in ("gate_read_v", "gate_set_v", "gate_reset_v"):
            _num("WriteBias", name, getattr(self, name), positive=False)

    def line_levels(self, v_cell: float) -> dict[str, float]:
        """Line voltages for a pulse putting *v_cell* across the selected cell."""
        a = abs(v_cell)
        wl_sel, bl_sel = max(v_cell, 0.0), max(-v_cell, 0.0)
        if self.scheme == "v/2":
            wl_un = bl_un = a / 2
        elif v_cell > 0:
            wl_un, bl_un = a / 3, 2 * a / 3
        else:
            wl_un, bl_un = 2 * a / 3, a / 3
        return {"wl_sel": wl_sel, "bl_sel": bl_sel, "wl_un": wl_un, "bl_un": bl_un}

    def half_select_v(self, v_cell: float) -> float:
        """Largest |voltage| across an unselected cell during such a pulse."""
        lv = self.line_levels(v_cell)
        return max(abs(lv["wl_sel"] - lv["bl_un"]), abs(lv["wl_un"] - lv["bl_sel"]),
                   abs(lv["wl_un"] - lv["bl_un"]))


@dataclass(frozen=True)
class ProgramTiming:
    """Clock and phase lengths.

    Parameters
    ----------
    clock_period_s : float
        RTL clock period (s).
    read_cycles, write_cycles, max_pulses : int
        As :class:`~pycodesign.rtl.WriteVerifyController`; the pulse width is
        ``write_cycles * clock_period_s``.
    bridges : BridgeTiming
    """

    clock_period_s: float
    read_cycles: int = 2
    write_cycles: int = 1
    max_pulses: int = 20
    bridges: BridgeTiming = field(default_factory=BridgeTiming)

    def __post_init__(self):
        _num("ProgramTiming", "clock_period_s", self.clock_period_s)
        for name, low in (("read_cycles", 1), ("write_cycles", 1), ("max_pulses", 0)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
                raise ValueError(f"ProgramTiming: {name} = {v!r} is not allowed; must be an integer >= {low}")
        self.bridges.check_clock(self.clock_period_s)

    @property
    def pulse_width_s(self) -> float:
        return self.write_cycles * self.clock_period_s


@dataclass(eq=False)
class ProgramJob:
    """Everything one programming run needs.

    Parameters
    ----------
    array : CrossbarSpec
        The physical array (``differential="none"``) with the *starting*
        states, device, common parameters, cell, parasitics, transistor.
    windows : int array (rows, cols, 2)
        Target window ``[lo, hi]`` of each cell in read-ADC codes.
    partitions : int
        Column blocks programmed in parallel; must divide the columns.
    adc : ReadAdc
    bias : WriteBias
    timing : ProgramTiming
    per_device : mapping name -> array (rows, cols)
        Per-device parameters (seeded variability), may be empty.
    target_g_s : array (rows, cols) or None
        Target conductances (S), for reports.
    """

    array: CrossbarSpec
    windows: np.ndarray
    partitions: int
    adc: ReadAdc
    bias: WriteBias
    timing: ProgramTiming
    per_device: Mapping[str, np.ndarray] = field(default_factory=dict)
    target_g_s: np.ndarray | None = None

    def __post_init__(self):
        if self.array.differential != "none":
            raise ValueError("ProgramJob: give the physical array (differential='none'); "
                             f"got differential={self.array.differential!r}")
        if self.array.tia.kind != "ideal":
            self.array = self.array.replace(tia=TiaConfig())
        rows, cols = self.array.physical_shape
        w = np.asarray(self.windows)
        if w.shape != (rows, cols, 2) or not np.issubdtype(w.dtype, np.integer):
            raise ValueError(f"ProgramJob: windows must be an integer array of shape {(rows, cols, 2)}, "
                             f"got {w.dtype} {w.shape}")
        if w.min() < 0 or w.max() > self.adc.top or np.any(w[..., 0] > w[..., 1]):
            raise ValueError(f"ProgramJob: every window must satisfy 0 <= lo <= hi <= {self.adc.top}")
        self.windows = w.astype(np.int64)
        P = self.partitions
        if isinstance(P, bool) or not isinstance(P, (int, np.integer)) or P < 1 or cols % P:
            raise ValueError(f"ProgramJob: partitions = {P!r} must be a positive integer dividing the "
                             f"{cols} columns")
        self.per_device = {k: np.asarray(v, dtype=float) for k, v in (self.per_device or {}).items()}

    @property
    def shape(self) -> tuple[int, int]:
        return self.array.physical_shape

    @property
    def cols_per_partition(self) -> int:
        return self.shape[1] // self.partitions

    def device_params(self, r: int, c: int) -> dict[str, float]:
        """Resolved parameters of device (r, c) (common ones plus its own)."""
        p = dict(self.array.params)
        for k, v in self.per_device.items():
            p[k] = float(v[r, c])
        return p

    def params_arrays(self) -> dict:
        """Parameters for the vectorised numpy reference: per-device arrays (flat, row-major)
        for the varied ones, scalars for the rest."""
        p = dict(self.array.params)
        for k, v in self.per_device.items():
            p[k] = v.ravel().copy()
        return p

    def rtl_windows(self) -> list:
        return self.windows.tolist()

    def digital_top(self):
        """The :class:`~pycodesign.rtl.program_top.ProgramTop` for this job."""
        from ..rtl.program_top import ProgramTop

        t = self.timing
        return ProgramTop(self.shape[0], self.cols_per_partition, self.partitions, self.adc.bits,
                          self.rtl_windows(), t.max_pulses, t.read_cycles, t.write_cycles)

    def model(self) -> ProgramTopModel:
        t = self.timing
        return ProgramTopModel(self.shape[0], self.cols_per_partition, self.partitions, self.adc.bits,
                               self.rtl_windows(), t.max_pulses, t.read_cycles, t.write_cycles)


def _child_cpu_s() -> float:
    """CPU seconds (user + system) of this process's finished child processes."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def conductance_of_states(job: ProgramJob, states) -> np.ndarray:
    """Read conductance ``I(V_READ, x) / V_READ`` of each device from its state, numpy reference,
    no parasitics.  *states* has the array's shape or ``(..., rows*cols)``."""
    model = job.array.model
    x = np.asarray(states, dtype=float)
    flat = x.reshape(x.shape[:-2] + (-1,)) if x.shape[-2:] == job.shape else x
    v = job.bias.v_read_v
    g = np.asarray(model.reference.current(v, flat, job.params_arrays()), dtype=float) / v
    return g.reshape(x.shape)


# --------------------------------------------------------------------------- the deck


@dataclass
class DeckInfo:
    text: str
    save: list[str]
    state_vectors: list[str]
    library: CosimLibrary
    t_stop_s: float
    sample_s: float


def _cycle_stimulus(T: float, br: BridgeTiming) -> list[str]:
    """Clock (rising edges at (k+1/2)T), reset over the first two cycles, start in the third."""
    tr, vh = br.dac_rise_s, br.logic_high_v
    return clock_lines(T, br) + [
        "* reset (edges 0 and 1) and start (edge 2), bridged into the RTL",
        f"Vrst rst_a 0 PWL(0 {fmt(vh)} {fmt(2 * T)} {fmt(vh)} {fmt(2 * T + tr)} 0)",
        f"Vstart start_a 0 PWL(0 0 {fmt(2 * T)} 0 {fmt(2 * T + tr)} {fmt(vh)} {fmt(3 * T)} {fmt(vh)} "
        f"{fmt(3 * T + tr)} 0)",
        "Astim [rst_a start_a] [d_rst d_start] pcd_adc",
    ]


def _nested_max(terms: list[str]) -> str:
    """``max(max(a, b), c)...``: ngspice's B-source max() takes two arguments."""
    e = terms[0]
    for t in terms[1:]:
        e = f"max({e}, {t})"
    return e


def program_deck(job: ProgramJob, lib: CosimLibrary, *, t_stop_s: float, sample_s: float,
                 vcd: bool = True, options: tuple[str, ...] = ()) -> DeckInfo:
    """The ngspice deck (without ``.control``) of one programming co-simulation."""
    s = job.array
    circuit = build_circuit(s)
    rows, cols = job.shape
    P, C = job.partitions, job.cols_per_partition
    B = job.adc.bits
    t = job.timing
    br = t.bridges
    vh = br.logic_high_v
    bias = job.bias
    one_t_one_r = s.cell == "1T1R"
    L: list[str] = [f"pycodesign write-verify co-simulation {rows}x{cols} ({s.cell}, {s.model.name}, "
                    f"{P} partition(s), {bias.scheme})"]
    opts = ["klu", "pivrel=0.1", "interp", *tran_options(*s.model.tran_options, *options)]
    L.append(".options " + " ".join(opts))
    L += bridge_model_cards(br)
    L += _cycle_stimulus(t.clock_period_s, br)

    # RTL
    L += cosim_instance(lib, library_file=f"./{LIBRARY_FILE}", vcd_file=VCD_FILE if vcd else None, timing=br)

    # Bridged controls: one analog node per decoder line and enable.
    wl = digital_nodes("wl", rows)[::-1]  # index by row
    bl = digital_nodes("bl", C)[::-1]
    st = digital_nodes("set_en", P)[::-1]
    rs = digital_nodes("reset_en", P)[::-1]
    dig = wl + bl + st + rs + ["d_read_en", "d_adc_sample", "d_done"]
    ana = [n.replace("d_", "a_", 1) for n in dig]
    L.append("* RTL outputs to analog control levels (0 / logic_high_v)")
    for k in range(0, len(dig), 32):
        L.append(f"Actl{k} [{' '.join(dig[k:k + 32])}] [{' '.join(ana[k:k + 32])}] pcd_dac")

    def a(name: str) -> str:
        return f"v(a_{name[2:]})/{fmt(vh)}"

    # Normalised controls: any SET / any RESET / read.
    L.append("* normalised phase controls: any SET, any RESET, read")
    # max(), not min(1, sum): with many partitions the sum saturates within a fraction of the DAC ramp,
    # which made every driver switch ~P times faster than dac_rise_s (stiff edges, and the read level
    # briefly added to the SET level).
    L.append(f"Bsany sany 0 V = {_nested_max([a(n) for n in st])}")
    L.append(f"Brany rany 0 V = {_nested_max([a(n) for n in rs])}")
    L.append(f"Brd rd 0 V = {a('d_read_en')}")

    lv_s = bias.line_levels(bias.set_v)
    lv_r = bias.line_levels(bias.reset_v)
    L.append(f"* write drivers, scheme {bias.scheme}: SET {bias.set_v} V -> {lv_s}; RESET {bias.reset_v} V -> {lv_r}; "
             f"read {bias.v_read_v} V")
    power_terms = []
    for i in range(rows):
        sel = a(wl[i])
        expr = (f"{sel}*(v(rd)*{fmt(bias.v_read_v)} + v(sany)*{fmt(lv_s['wl_sel'])} + v(rany)*{fmt(lv_r['wl_sel'])})"
                f" + (1-{sel})*(v(sany)*{fmt(lv_s['wl_un'])} + v(rany)*{fmt(lv_r['wl_un'])})")
        L.append(f"Bwl{i} dwl{i} 0 V = {expr}")
        L.append(f"Vwm{i} dwl{i} in{i} 0")
        power_terms.append(f"v(in{i})*i(vwm{i})")
        if one_t_one_r:
            g = (f"{sel}*(v(rd)*{fmt(bias.gate_read_v)} + v(sany)*{fmt(bias.gate_set_v)} "
                 f"+ v(rany)*{fmt(bias.gate_reset_v)})")
            L.append(f"Bg{i} dg{i} 0 V = {g}")
            L.append(f"Vgm{i} dg{i} sel{i} 0")
            power_terms.append(f"v(sel{i})*i(vgm{i})")
    for j in range(cols):
        p, c = divmod(j, C)
        ss = f"{a(bl[c])}*{a(st[p])}"
        sr = f"{a(bl[c])}*{a(rs[p])}"
        expr = (f"v(sany)*({ss}*{fmt(lv_s['bl_sel'])} + (1-{ss})*{fmt(lv_s['bl_un'])})"
                f" + v(rany)*({sr}*{fmt(lv_r['bl_sel'])} + (1-{sr})*{fmt(lv_r['bl_un'])})")
        L.append(f"Bbl{j} dbl{j} 0 V = {expr}")
        L.append(f"Vbm{j} dbl{j} s{j} 0")
        power_terms.append(f"v(s{j})*i(vbm{j})")

    # Read path per partition: bitline multiplexer -> TIA -> ADC -> bits -> RTL.
    adc = job.adc
    L.append(f"* read path per partition: selected-bitline current -> ideal TIA ({fmt(adc.tia_r_f_ohm)} ohm) -> "
             f"{B}-bit ADC, full scale {fmt(adc.full_scale_a)} A (LSB {adc.lsb_a:.6g} A), code = "
             "clip(floor(I/LSB + 1/2), 0, 2^B-1), converting while the RTL's adc_sample is high "
             "(the last read cycle), 0 otherwise")
    code_nodes = digital_nodes("code", P * B)[::-1]  # index by bit number
    for p in range(P):
        terms = " + ".join(f"{a(bl[c])}*i(vbm{p * C + c})" for c in range(C))
        L.append(f"Bip{p} ip{p} 0 V = -({terms})")
        L.append(f"Btia{p} tia{p} 0 V = {fmt(adc.tia_r_f_ohm)}*v(ip{p})")
        L.append(f"Bcode{p} code{p} 0 V = {a('d_adc_sample')} > 0.5 ? min({adc.top}, max(0, floor(v(tia{p})/"
                 f"{fmt(adc.tia_r_f_ohm * adc.lsb_a)} + 0.5))) : 0")
        bit_nodes = []
        for k in range(B):
            # +0.5: code is an integer; the offset keeps a solved -1e-17 (after adc_sample falls) from
            # flooring to -1, which set every bit for a few ps.
            L.append(f"Bb{p}_{k} b{p}_{k} 0 V = {fmt(vh)}*(floor((v(code{p})+0.5)/{2 ** k}) - "
                     f"2*floor((v(code{p})+0.5)/{2 ** (k + 1)}))")
            bit_nodes.append(f"b{p}_{k}")
        dnodes = [code_nodes[p * B + k] for k in range(B)]
        L.append(f"Aadc{p} [{' '.join(reversed(bit_nodes))}] [{' '.join(reversed(dnodes))}] pcd_adc")

    # Energy delivered into the array by the drivers.
    L.append("* power delivered by every driver into the array (W) and its integrals (pJ, as volts on 1 pF)")
    chunks = [power_terms[k:k + 24] for k in range(0, len(power_terms), 24)]
    L.append("Bpw pw 0 V = " + "\n+ + ".join(" + ".join(ch) for ch in chunks))
    for name, weight in (("etot", "1"), ("ewr", "min(1, v(sany)+v(rany))"), ("erd", "v(rd)")):
        L.append(f"Bp{name} p{name} 0 V = v(pw)*{weight}")
        L.append(f"G{name} 0 {name} p{name} 0 1")
        L.append(f"C{name} {name} 0 1e-12")
        L.append(f"R{name} {name} 0 1e18")  # DC path only

    L += array_lines(circuit, job.per_device)

    opvar = s.model.state.opvar
    state_vectors = [f"@n{r}_{c}[{opvar}]" for r in range(rows) for c in range(cols)]
    save = (state_vectors + ["v(clk_a)", "v(a_done)", "v(rd)", "v(sany)", "v(rany)", "v(pw)", "v(etot)", "v(ewr)",
                             "v(erd)"]
            + [f"v(in{i})" for i in range(rows)] + [f"v(s{j})" for j in range(cols)]
            + [f"v(ip{p})" for p in range(P)] + [f"v(code{p})" for p in range(P)])
    if one_t_one_r:
        save += [f"v(sel{i})" for i in range(rows)]
    # As .save cards of 40 vectors each: one `save` command line with every device state of a
    # 64x20 array was too long for ngspice (the states went missing from the raw file).
    L.append("* saved vectors")
    L += [".save " + " ".join(save[k:k + 40]) for k in range(0, len(save), 40)]
    return DeckInfo("\n".join(L) + "\n", save, state_vectors, lib, t_stop_s, sample_s)


# --------------------------------------------------------------------------- run and read back


@dataclass
class CosimProgramResult:
    """What one programming co-simulation produced.

    Attributes
    ----------
    pulses : dict (row, col) -> list of "set"/"reset"
        Pulses the RTL applied to each physical cell, in order (from the VCD).
    pulse_counts : int array (rows, cols)
    fail_count : int
        As the RTL reports it at the end.
    done : bool
        The RTL raised ``done`` before the end of the transient.
    t_done_s : float or None
        Time ``done`` rose; programming time is ``t_done_s - t_start_s``.
    t_start_s : float
        Time the RTL sampled ``start``.
    finish_time_s : float array (rows, cols)
        Time the controller left each cell's position.
    t_s : array
        Sample times of the raw file.
    states : array (samples, rows, cols)
        Device states at the sample times.
    energy_j : dict
        ``total``, ``write``, ``read``: energy delivered into the array (J).
    files : dict
        deck, log, raw, vcd, library.
    seconds : float
        Wall time of the ngspice run.
    build_seconds : float
        Verilator build time (0 when the library came from the cache).
    cpu_seconds : float
        CPU time of the ngspice process (user + system; the machine may be shared).
    """

    pulses: dict
    pulse_counts: np.ndarray
    fail_count: int
    done: bool
    t_done_s: float | None
    t_start_s: float
    finish_time_s: np.ndarray
    t_s: np.ndarray
    states: np.ndarray
    energy_j: dict
    files: dict
    seconds: float
    build_seconds: float
    cpu_seconds: float = math.nan

    @property
    def final_states(self) -> np.ndarray:
        return self.states[-1]

    @property
    def programming_time_s(self) -> float | None:
        return None if self.t_done_s is None else self.t_done_s - self.t_start_s

    def states_after_own_programming(self) -> np.ndarray:
        """Each device's state at the first sample at or after its position was left."""
        idx = np.searchsorted(self.t_s, self.finish_time_s, side="left")
        idx = np.clip(idx, 0, len(self.t_s) - 1)
        r, c = np.indices(self.finish_time_s.shape)
        return self.states[idx, r, c]


def predict_cycles(job: ProgramJob, pulses: Mapping[tuple[int, int], list[str]]) -> int:
    """Clock cycles from ``start`` to ``done`` for given per-cell pulse lists (replayed through
    :class:`~pycodesign.rtl.models.ProgramTopModel`)."""

    class Replay:
        def __init__(self, kinds, lo, hi):
            self.kinds, self.k, self.lo, self.hi = list(kinds), 0, lo, hi

        def read(self):
            # In window once every recorded pulse was applied; before that, the
            # side the next pulse came from.
            if self.k >= len(self.kinds):
                return self.lo
            return self.lo - 1 if self.kinds[self.k] == "set" else self.hi + 1

        def pulse(self, kind):
            self.k += 1

    C = job.cols_per_partition
    wins = job.windows

    def make(r, c, p):
        j = p * C + c
        lo, hi = int(wins[r, j, 0]), int(wins[r, j, 1])
        # Codes outside [0, top] are fine for the model's comparisons.
        return Replay(pulses.get((r, j), []), lo, hi)

    return len(job.model().run(make).cycles)


def run_cosim_program(job: ProgramJob, workdir: str | Path, *, t_stop_s: float, sample_s: float | None = None,
                      vcd: bool = True, timeout_s: float = 7200, progress=None,
                      require_done: bool = True, stop_hint: str = "raise the stop time",
                      stop_at_done: bool = True) -> CosimProgramResult:
    """Build the RTL, write the deck and run the one transient; read VCD and raw back.

    Parameters
    ----------
    job : ProgramJob
    workdir : path
        Folder for the library copy, deck, log, raw and VCD (created).
    t_stop_s : float
        Latest end of the transient (s); the RTL must raise ``done`` before it.
    sample_s : float, optional
        Sample period of the raw file (default one clock period).
    vcd : bool
        Write the RTL's VCD.
    stop_hint : str
        What the error tells the user to change when the RTL has not finished (a flow names its key).
    require_done : bool
        Raise if the RTL has not finished by ``t_stop_s`` (False: return what
        was programmed; ``done`` is False and unfinished cells have a NaN
        ``finish_time_s``).
    stop_at_done : bool
        End the transient at the first sample after the RTL raises ``done``
        (ngspice ``stop when``), not at ``t_stop_s``: the cycles after it are
        idle.  The raw file, states and energies then end at that sample.

    Raises
    ------
    SimulationError
        ngspice failed; or the RTL did not finish by ``t_stop_s`` (the
        message says when it stopped and the files stay in *workdir*).
    """
    work = Path(workdir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    top = job.digital_top()
    if progress:
        progress(f"building the RTL {top.module_name} with Verilator (cached by content)")
    lib = stage_cosim_library(top, work, library_file=LIBRARY_FILE, trace=vcd, hidden_outputs=HIDDEN_OUTPUTS)
    T = job.timing.clock_period_s
    sample = sample_s or T
    deck = program_deck(job, lib, t_stop_s=t_stop_s, sample_s=sample, vcd=vcd)
    # One point per sample; the solver's own steps are finer (interp only thins the output).
    tran = f"tran {fmt(sample)} {fmt(t_stop_s)}"
    if progress:
        progress(f"ngspice transient to {t_stop_s:.4g} s ({t_stop_s / T:.0f} clock cycles)")
    osdi = job.array.model.osdi()
    toolchain.require("ngspice")  # its check runs once per process: outside the timing
    t0, cpu0 = time.perf_counter(), _child_cpu_s()
    # `gt`, not `>`: the control language would read `>` as a redirection (and the kit's check refuses it).
    stop = [f"stop when v(a_done) gt {fmt(0.5 * job.timing.bridges.logic_high_v)}"] if stop_at_done else []
    res = run_batch(deck.text, [tran], osdi=[osdi], save=None, workdir=work, timeout_s=timeout_s,
                    options=control_lines() + stop)
    seconds, cpu_seconds = time.perf_counter() - t0, _child_cpu_s() - cpu0
    plot = res.plots[0]
    rows, cols = job.shape
    t_s = np.real(plot["time"])
    # Stopped: the last sample is the first after done; the time point that produced it may lie up to the
    # next clock corner (a breakpoint), whose edge the RTL may then have seen.
    t_end_s = float(t_s[-1]) + T / 2 if t_s[-1] < t_stop_s - 0.5 * sample else t_stop_s
    try:
        states = np.stack([np.real(plot[v]) for v in deck.state_vectors], axis=1).reshape(len(t_s), rows, cols)
    except KeyError as exc:
        raise SimulationError(f"ngspice result lacks the device state vector {exc}", log=res.log,
                              deck=work / "circuit.cir") from None
    energy = {k: float(np.real(plot[f"v({n})"])[-1]) * 1e-12 for k, n in
              (("total", "etot"), ("write", "ewr"), ("read", "erd"))}
    files = {"deck": str(work / "circuit.cir"), "log": str(work / "ngspice.log"), "raw": str(res.raw_files[0]),
             "library": str(work / LIBRARY_FILE), "verilog": str(work / f"{top.module_name}.v")}
    if not vcd:
        raise ValueError("run_cosim_program: vcd=False is not supported yet (pulses are read from the VCD)")
    files["vcd"] = str(work / VCD_FILE)
    dig = read_vcd(work / VCD_FILE)
    check_clock_edges(dig.find("clk").bit_rises(0), T, t_end_s, job.timing.bridges.adc_delay_s)
    pulses, finish, t_start, t_done, fail = _digital_results(dig, job)
    counts = np.zeros((rows, cols), dtype=np.int64)
    for (r, c), kinds in pulses.items():
        counts[r, c] = len(kinds)
    out = CosimProgramResult(pulses=pulses, pulse_counts=counts, fail_count=fail, done=t_done is not None,
                             t_done_s=t_done, t_start_s=t_start, finish_time_s=finish, t_s=t_s, states=states,
                             energy_j=energy, files=files, seconds=seconds, build_seconds=lib.seconds,
                             cpu_seconds=cpu_seconds)
    if t_done is None and require_done:
        raise SimulationError(f"the RTL did not finish programming by t_stop = {t_stop_s:.4g} s "
                              f"({t_stop_s / T:.0f} cycles); {stop_hint} (files kept in {work})",
                              deck=work / "circuit.cir")
    return out


def _digital_results(dig, job: ProgramJob):
    rows, cols = job.shape
    C, P = job.cols_per_partition, job.partitions
    row, col = dig.find("row"), dig.find("col")
    set_en, reset_en = dig.find("set_en"), dig.find("reset_en")
    done, busy, fail = dig.find("done"), dig.find("busy"), dig.find("fail_count")
    pulses: dict[tuple[int, int], list[tuple[float, str]]] = {}
    for kind, sig in (("set", set_en), ("reset", reset_en)):
        for p in range(P):
            for t in sig.bit_rises(p):
                # Position at the pulse (row/col hold through a write phase).
                r, c = row.value_at(t), col.value_at(t)
                pulses.setdefault((r, p * C + c), []).append((t, kind))
    ordered = {k: [kind for _, kind in sorted(v)] for k, v in pulses.items()}
    busy_rises = busy.bit_rises(0)
    t_start = busy_rises[0] if busy_rises else 0.0
    done_rises = [t for t in done.bit_rises(0) if t >= t_start]
    t_done = done_rises[0] if done_rises else None
    # Time each position was left: the next change of (row, col) after it was entered, or done.
    finish = np.full((rows, cols), np.nan)
    changes = sorted(set(row.times) | set(col.times))
    positions = [(t, row.value_at(t), col.value_at(t)) for t in changes if t >= t_start]
    if not positions or positions[0][0] > t_start:
        positions.insert(0, (t_start, row.value_at(t_start), col.value_at(t_start)))
    for k, (t, r, c) in enumerate(positions):
        t_leave = positions[k + 1][0] if k + 1 < len(positions) else (t_done if t_done is not None else math.nan)
        for p in range(P):
            if r < rows and c < C:
                finish[r, p * C + c] = t_leave
    return ordered, finish, t_start, t_done, int(fail.final)


@dataclass
class ReadBack:
    """Cells read back by a separate ngspice operating-point read of the final states.

    ``current_a[r, c]``: current into bitline ``c`` with ``V_READ`` on wordline
    ``r`` and every other line at 0 V (one DC-sweep point per wordline, the
    same bias as the RTL's read phases); ``g_s = current_a / V_READ``;
    ``codes`` through the read ADC.
    """

    current_a: np.ndarray
    g_s: np.ndarray
    codes: np.ndarray
    in_window: np.ndarray
    files: dict


def read_back(job: ProgramJob, states, workdir: str | Path) -> ReadBack:
    """Read every cell of the array with the given device states, in ngspice (see :class:`ReadBack`)."""
    from ..analog.netlist import write_netlist

    rows, cols = job.shape
    spec = job.array.replace(state=np.asarray(states, dtype=float).reshape(rows, cols))
    circuit = build_circuit(spec)
    v_in = np.eye(rows) * job.bias.v_read_v
    info = write_netlist(circuit, v_in, mode="sweep" if rows > 1 else "op",
                         options=("klu", "pivrel=0.1", "reltol=1e-8", "vntol=1e-11", "abstol=1e-14"))
    if spec.cell == "1T1R":
        # Gates at the read gate voltage (write_netlist uses the transistor's own v_gate_v).
        info.text = info.text.replace(f" DC {fmt(spec.transistor.v_gate_v)}", f" DC {fmt(job.bias.gate_read_v)}")
    # Devices with their own parameters: swap write_netlist's device lines for ours.
    from .netlist import device_lines

    lines = [l for l in info.text.splitlines() if not l.startswith("N") and not l.startswith(".model dev ")]
    text = "\n".join(lines + device_lines(circuit, job.per_device)) + "\n"
    work = Path(workdir).resolve()
    res = run_batch(text, info.analyses, osdi=[spec.model.osdi()], save=info.save, workdir=work)
    plot = res.plots[0]
    cur = np.stack([np.real(plot[v.lower()]) for v in info.column_vectors], axis=1).reshape(rows, cols)
    g = cur / job.bias.v_read_v
    codes = job.adc.codes(cur)
    w = job.windows
    inside = (codes >= w[..., 0]) & (codes <= w[..., 1])
    return ReadBack(cur, g, codes, inside, {"deck": str(work / "circuit.cir"), "raw": str(res.raw_files[0])})
