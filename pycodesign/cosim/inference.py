"""Inference through the RTL: SAR ADCs (RTL + analog comparator, DAC and multiplexer), subtraction,
the hidden layer's ReLU, argmax.

One ngspice transient classifies ``n`` images, one image per read window,
of a network mapped with the ``digital`` differential scheme (one unsigned
ADC input per physical bitline, W⁺ − W⁻ in digital logic):

* wordline drivers: piecewise-linear sources stepping to each image's
  voltages (the evaluation's ``inputs_v``: K-bit DAC codes / (2^K − 1) ·
  V_READ, bias row at V_READ) at the start of its window, edges of
  ``dac_rise_s``;
* the array of the evaluation's tile (same circuit description, states --
  seeded variability included -- and parasitics), an ideal TIA per bitline
  (0-V source, output ``R_f · I``);
* per group of ``columns_per_adc`` = m contiguous bitlines (ADC ``g`` serves
  bitlines ``g·m … g·m + m − 1``, the last one possibly fewer, as the
  evaluation and the cost model count ADCs) a SAR ADC: a behavioural
  multiplexer passes the TIA output of bitline ``g·m + sel`` (``sel`` from
  the RTL, shared by every group); the RTL's
  :class:`~pycodesign.rtl.SarAdcController` drives a behavioural DAC through
  dac_bridges, ``V_DAC = R_f · LSB · (trial − 1/2)``; an adc_bridge with its
  threshold at 0 V compares ``V_MUX − V_DAC`` (1: keep the bit).  The SAR
  therefore finds the largest code ``c`` with ``I >= (c − 1/2) LSB``: code =
  clip(floor(I/LSB + 1/2), 0, 2^B − 1), the evaluation's transfer exactly;
  the multiplexer only orders the conversions in time;
* SLP (:func:`run_cosim_inference`): the RTL
  (:class:`~pycodesign.rtl.inference_top.InferenceTop`) stores the codes,
  subtracts the W⁻ code from the W⁺ code and takes the argmax (ties to the
  lowest index);
* MLP (:func:`run_cosim_mlp_inference`): both layers' arrays in the one
  deck (layer 2 inside a subcircuit); the RTL
  (:class:`~pycodesign.rtl.inference_top.MlpInferenceTop`) converts layer 1,
  subtracts, applies the bounded ReLU RTL with the evaluation's shift and
  limit, and loads the layer-2 DAC codes (``relu << lift``) one row at a
  time over one bus into per-row sample-and-holds: one shared behavioural
  DAC ``V = code/(2^K − 1) · V_READ``, a switch per row closed while the
  strobe is high and the row address matches, a 1 pF hold capacitor and an
  ideal buffer driving the wordline (bias row: a source at V_READ).
  ``hidden · K`` parallel DAC bits would not fit the d_cosim port budget
  (:data:`~pycodesign.cosim.netlist.MAX_DCOSIM_BITS`).  Then layer 2 is
  converted, subtracted and the argmax taken.

The codes (and the ReLU outputs) and classes are read from the RTL's VCD and
compared with :func:`pycodesign.system.evaluate`, code for code.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..analog.circuit import build_circuit
from ..rtl._common import index_width
from ..spice import run_batch
from .build import build_cosim_library
from .netlist import (BridgeTiming, array_lines, bridge_model_cards, check_clock_edges, clock_lines, cosim_instance,
                      digital_nodes, fmt, tran_options)
from .vcd import read_vcd

__all__ = ["CosimInferenceResult", "run_cosim_inference", "compare_with_evaluation"]

LIBRARY_FILE = "inference_top.so"
VCD_FILE = "digital.vcd"


@dataclass
class CosimInferenceResult:
    codes: np.ndarray        # (n, bitlines) ADC codes from the RTL
    diffs: np.ndarray        # (n, outputs)
    classes: np.ndarray      # (n,)
    seconds: float
    build_seconds: float
    cycles_per_image: int
    files: dict


def _sar_bank_lines(*, prefix: str, port: str, columns: int, columns_per_adc: int, bits: int, lsb_a: float,
                    tia_r_f_ohm: float, logic_high_v: float, sense: str = "s") -> list[str]:
    """TIAs, multiplexers, SAR DACs and comparators of one bank (layer), nodes prefixed *prefix*.

    Bitline ``j`` is sensed at node ``<sense><j>`` by an ideal TIA (0-V
    source, output ``R_f · I`` at ``<prefix>tia<j>``).  ADC ``g`` compares
    ``<prefix>mux<g>`` -- the TIA output of bitline ``g*m + sel`` -- with its
    SAR DAC ``R_f · LSB · (trial − 1/2)``; the RTL ports are ``comp<port>``,
    ``dac<port>``, ``sel<port>``.  The multiplexer is behavioural: the sum
    over its inputs ``s`` of ``V_TIA · max(0, 1 − |sel − s|)``, exactly the
    selected TIA output once ``sel``'s bridges have settled (the RTL changes
    ``sel`` a sample cycle before the first comparison).
    """
    m = columns_per_adc
    groups = -(-columns // m)
    vh = logic_high_v
    dac_nodes = digital_nodes(f"dac{port}", groups * bits)[::-1]  # by bit number
    comp_nodes = digital_nodes(f"comp{port}", groups)[::-1]
    L = [f"* bank {port or 1}: ideal TIAs (R_f = {fmt(tia_r_f_ohm)} ohm), {groups} SAR ADC(s) of {bits} bits, "
         f"{m} bitline(s) per ADC"]
    for j in range(columns):
        L.append(f"V{prefix}s{j} {sense}{j} 0 0")
        L.append(f"B{prefix}tia{j} {prefix}tia{j} 0 V = {fmt(tia_r_f_ohm)}*i(v{prefix}s{j})")
    if m > 1:
        sw = index_width(m)
        sel_nodes = digital_nodes(f"sel{port}", sw)[::-1]
        an = [f"{prefix}a_sel{k}" for k in range(sw)]
        L.append(f"A{prefix}sel [{' '.join(sel_nodes)}] [{' '.join(an)}] pcd_dac")
        L.append(f"B{prefix}selv {prefix}selv 0 V = ({' + '.join(f'{2 ** k}*v({an[k]})' for k in range(sw))})"
                 f"/{fmt(vh)}")
    for g in range(groups):
        members = list(range(g * m, min((g + 1) * m, columns)))
        if m > 1:
            terms = " + ".join(f"v({prefix}tia{j})*max(0, 1 - abs(v({prefix}selv) - {s}))"
                               for s, j in enumerate(members))
            L.append(f"B{prefix}mux{g} {prefix}mux{g} 0 V = {terms}")
            src = f"{prefix}mux{g}"
        else:
            src = f"{prefix}tia{g}"
        dn = [dac_nodes[g * bits + k] for k in range(bits)]
        an = [f"{prefix}a_dac{g}_{k}" for k in range(bits)]
        L.append(f"A{prefix}dac{g} [{' '.join(dn)}] [{' '.join(an)}] pcd_dac")
        trial = " + ".join(f"{2 ** k}*v({an[k]})" for k in range(bits))
        L.append(f"B{prefix}dac{g} {prefix}dac{g} 0 V = {fmt(tia_r_f_ohm * lsb_a)}*(({trial})/{fmt(vh)} - 0.5)")
        L.append(f"B{prefix}cmp{g} {prefix}cmp{g} 0 V = v({src}) - v({prefix}dac{g})")
        L.append(f"A{prefix}cmp{g} [{prefix}cmp{g}] [{comp_nodes[g]}] pcd_cmp")
    return L


def _deck_head(title: str, T: float, br: BridgeTiming, n: int, window: int, settle_cycles: int) -> list[str]:
    """Options, bridge cards, the clock, the reset and one start pulse per image window."""
    vh, tr = br.logic_high_v, br.dac_rise_s
    L = [title,
         ".options klu pivrel=0.1 reltol=1e-6 abstol=1e-13 interp " + " ".join(tran_options()),
         *bridge_model_cards(br),
         ".model pcd_cmp adc_bridge in_low=0 in_high=0 rise_delay=" + fmt(br.adc_delay_s)
         + " fall_delay=" + fmt(br.adc_delay_s),
         *clock_lines(T, br),
         "* reset for two cycles, one start per image window",
         f"Vrst rst_a 0 PWL(0 {fmt(vh)} {fmt(2 * T)} {fmt(vh)} {fmt(2 * T + tr)} 0)"]
    pts = ["0 0"]
    for k in range(n):
        t0 = _t_start(k, window, T) + settle_cycles * T
        pts += [f"{fmt(t0)} 0", f"{fmt(t0 + tr)} {fmt(vh)}", f"{fmt(t0 + T)} {fmt(vh)}", f"{fmt(t0 + T + tr)} 0"]
    L.append("Vstart start_a 0 PWL(" + " ".join(pts) + ")")
    L.append("Astim [rst_a start_a] [d_rst d_start] pcd_adc")
    return L


def _t_start(k: int, window: int, T: float) -> float:
    """Start of image *k*'s read window; the first two cycles are the reset."""
    return (2 + k * window) * T


def _wordline_lines(v: np.ndarray, window: int, T: float, tr: float, node: str = "in") -> list[str]:
    """Piecewise-linear wordline drivers: image k's voltages from the start of its window."""
    n, rows = v.shape
    L = ["* wordline drivers: one image per window"]
    for i in range(rows):
        pts = [f"0 {fmt(v[0, i])}"]
        for k in range(1, n):
            t0 = _t_start(k, window, T)
            pts += [f"{fmt(t0)} {fmt(v[k - 1, i])}", f"{fmt(t0 + tr)} {fmt(v[k, i])}"]
        L.append(f"V{node}{i} {node}{i} 0 PWL(" + " ".join(pts) + ")")
    return L


def _check_digital_tile(tile, who: str):
    spec = tile.spec
    if spec.differential != "subtractor":
        raise ValueError(f"{who}: the tile must come from a 'digital' differential layer "
                         f"(its spec interleaves W+ and W- columns); got differential={spec.differential!r}")
    return spec


def _valid_rises(dig, n: int, work: Path) -> list:
    rises = dig.find("valid").bit_rises(0)
    if len(rises) < n:
        from ..errors import SimulationError

        raise SimulationError(f"the RTL finished {len(rises)} of {n} images (files kept in {work})")
    return rises[:n]


def _signed(value: int, width: int) -> int:
    return value - (1 << width) if value >> (width - 1) else value


def run_cosim_inference(tile, inputs_v: np.ndarray, *, bits: int, lsb_a: float, workdir, columns_per_adc: int = 1,
                        clock_period_s: float = 5e-9, settle_cycles: int = 2, bridges: BridgeTiming | None = None,
                        tia_r_f_ohm: float = 10e3, timeout_s: float = 3600) -> CosimInferenceResult:
    """Classify the images whose wordline voltages are *inputs_v* (n, rows) on *tile* (an
    evaluation's :class:`~pycodesign.system.evaluate.TileResult` of a ``digital`` layer), with
    *columns_per_adc* bitlines per SAR ADC (contiguous groups, converted one after another)."""
    from ..rtl.emit import verilog
    from ..rtl.inference_top import InferenceTop

    spec = _check_digital_tile(tile, "run_cosim_inference")
    br = bridges or BridgeTiming()
    T = clock_period_s
    br.check_clock(T)
    v = np.asarray(inputs_v, dtype=float)
    n, rows = v.shape
    circuit = build_circuit(spec)
    cols = circuit.n_columns
    outs = cols // 2
    top = InferenceTop(outs, bits, columns_per_adc=columns_per_adc)
    text = verilog(top)
    # busy (and sel without a multiplexer) only matter to the VCD: fewer d_cosim port bits
    hidden = ("busy",) + (("sel",) if columns_per_adc == 1 else ())
    lib = build_cosim_library(text, top.module_name, trace=True, hidden_outputs=hidden)
    work = Path(workdir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    (work / f"{top.module_name}.v").write_text(text)
    shutil.copyfile(lib.path, work / LIBRARY_FILE)
    # Window per image: settle, the start cycle, the RTL's conversion(s), plus one spare cycle.
    window = settle_cycles + 1 + top.latency_cycles + 1
    L = _deck_head(f"pycodesign inference co-simulation: {rows}x{cols} tile, {top.groups} {bits}-bit SAR ADC(s), "
                   f"{columns_per_adc} bitline(s) per ADC, {n} images", T, br, n, window, settle_cycles)
    L += cosim_instance(lib, library_file=f"./{LIBRARY_FILE}", vcd_file=VCD_FILE, timing=br)
    L += _wordline_lines(v, window, T, br.dac_rise_s)
    L += _sar_bank_lines(prefix="", port="", columns=cols, columns_per_adc=columns_per_adc, bits=bits, lsb_a=lsb_a,
                         tia_r_f_ohm=tia_r_f_ohm, logic_high_v=br.logic_high_v)
    L += array_lines(circuit)
    t_stop = _t_start(n, window, T) + T
    save = [f"v(in{i})" for i in range(min(rows, 4))] + [f"v(tia{j})" for j in range(cols)] + \
           [f"v(dac{g})" for g in range(top.groups)] + ["v(clk_a)", "v(start_a)"]
    t0 = time.perf_counter()
    run_batch("\n".join(L) + "\n", [f"tran {fmt(T / 4)} {fmt(t_stop)}"], osdi=[spec.model.osdi()], save=save,
              workdir=work, timeout_s=timeout_s)
    seconds = time.perf_counter() - t0
    dig = read_vcd(work / VCD_FILE)
    check_clock_edges(dig.find("clk").bit_rises(0), T, t_stop, br.adc_delay_s)
    rises = _valid_rises(dig, n, work)
    index_sig = dig.find("index")
    results = [dig.find(f"bank.code{j}") for j in range(cols)]
    diff_sigs = [dig.find(f"diff{o}") for o in range(outs)]
    codes = np.array([[results[j].value_at(t) for j in range(cols)] for t in rises], dtype=np.int64)
    diffs = np.array([[_signed(diff_sigs[o].value_at(t), bits + 1) for o in range(outs)] for t in rises],
                     dtype=np.int64)
    classes = np.array([index_sig.value_at(t) for t in rises], dtype=np.int64)
    files = {"deck": str(work / "circuit.cir"), "raw": str(work / "analysis0.raw"), "vcd": str(work / VCD_FILE),
             "log": str(work / "ngspice.log")}
    return CosimInferenceResult(codes, diffs, classes, seconds, lib.seconds, window, files)


def compare_with_evaluation(res: CosimInferenceResult, tile, predictions, *, margin_lsb: float) -> dict:
    """Code-for-code comparison with the evaluation; every differing code with its analog distance
    from the comparator threshold (in LSB, from the evaluation's analog input)."""
    n = res.codes.shape[0]
    ev_codes = np.asarray(tile.codes)[:n]
    analog = np.asarray(tile.adc_inputs_a)[:n] / tile.lsb_a
    diff = []
    for k, j in zip(*np.nonzero(res.codes != ev_codes)):
        c_lo = min(res.codes[k, j], ev_codes[k, j])
        dist = float(abs(analog[k, j] - (c_lo + 0.5)))
        diff.append({"image": int(k), "column": int(j), "cosim_code": int(res.codes[k, j]),
                     "evaluate_code": int(ev_codes[k, j]), "distance_from_threshold_lsb": dist,
                     "allowed": dist <= margin_lsb})
    pred = np.asarray(predictions)[:n]
    return {"images": n, "codes": int(ev_codes.size), "codes_equal": int(np.sum(res.codes == ev_codes)),
            "classes_equal": int(np.sum(res.classes == pred)), "differences": diff,
            "all_differences_allowed": all(d["allowed"] for d in diff), "margin_lsb": margin_lsb}
