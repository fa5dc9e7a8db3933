"""Inference through the RTL: SAR ADCs (RTL + analog comparator and DAC), subtraction, argmax.

One ngspice transient classifies ``n`` images of a single-layer perceptron
mapped with the ``digital`` differential scheme (one unsigned ADC per
physical bitline, W⁺ − W⁻ in digital logic), one image per read window:

* wordline drivers: piecewise-linear sources stepping to each image's
  voltages (the evaluation's ``inputs_v``: K-bit DAC codes / (2^K − 1) ·
  V_READ, bias row at V_READ) at the start of its window, edges of
  ``dac_rise_s``;
* the array of the evaluation's tile (same circuit description, states and
  parasitics), an ideal TIA per bitline (0-V source, output ``R_f · I``);
* per bitline a SAR ADC: the RTL's :class:`~pycodesign.rtl.SarAdcController`
  drives a behavioural DAC through dac_bridges, ``V_DAC = R_f · LSB · (trial
  − 1/2)``; an adc_bridge with its threshold at 0 V compares ``V_TIA −
  V_DAC`` (1: keep the bit).  The SAR therefore finds the largest code ``c``
  with ``I >= (c − 1/2) LSB``: code = clip(floor(I/LSB + 1/2), 0, 2^B − 1),
  the evaluation's transfer exactly;
* the RTL (:class:`~pycodesign.rtl.inference_top.InferenceTop`) subtracts
  the W⁻ code from the W⁺ code and takes the argmax (ties to the lowest index).

The codes and classes are read from the RTL's VCD and compared with
:func:`pycodesign.system.evaluate`, code for code.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..analog.circuit import build_circuit
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


def run_cosim_inference(tile, inputs_v: np.ndarray, *, bits: int, lsb_a: float, workdir, clock_period_s: float = 5e-9,
                        settle_cycles: int = 2, bridges: BridgeTiming | None = None, tia_r_f_ohm: float = 10e3,
                        timeout_s: float = 3600) -> CosimInferenceResult:
    """Classify the images whose wordline voltages are *inputs_v* (n, rows) on *tile* (an
    evaluation's :class:`~pycodesign.system.evaluate.TileResult` of a ``digital`` layer)."""
    from ..rtl.emit import verilog
    from ..rtl.inference_top import InferenceTop

    spec = tile.spec
    if spec.differential != "subtractor":
        raise ValueError("run_cosim_inference: the tile must come from a 'digital' differential layer "
                         f"(its spec interleaves W+ and W- columns); got differential={spec.differential!r}")
    br = bridges or BridgeTiming()
    T = clock_period_s
    br.check_clock(T)
    v = np.asarray(inputs_v, dtype=float)
    n, rows = v.shape
    circuit = build_circuit(spec)
    cols = circuit.n_columns
    outs = cols // 2
    top = InferenceTop(outs, bits)
    text = verilog(top)
    lib = build_cosim_library(text, top.module_name, trace=True)
    work = Path(workdir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    (work / f"{top.module_name}.v").write_text(text)
    shutil.copyfile(lib.path, work / LIBRARY_FILE)
    # Window per image: settle, then start -> sample (1) -> bits trials -> done, plus one spare cycle.
    window = settle_cycles + bits + 3
    t_start = lambda k: (2 + k * window) * T  # noqa: E731 - first two cycles: reset
    vh, tr = br.logic_high_v, br.dac_rise_s
    L = [f"pycodesign inference co-simulation: {rows}x{cols} tile, {bits}-bit SAR ADC per bitline, {n} images",
         ".options klu pivrel=0.1 reltol=1e-6 abstol=1e-13 interp " + " ".join(tran_options()),
         *bridge_model_cards(br),
         ".model pcd_cmp adc_bridge in_low=0 in_high=0 rise_delay=" + fmt(br.adc_delay_s)
         + " fall_delay=" + fmt(br.adc_delay_s),
         *clock_lines(T, br),
         "* reset for two cycles, one start per image window",
         f"Vrst rst_a 0 PWL(0 {fmt(vh)} {fmt(2 * T)} {fmt(vh)} {fmt(2 * T + tr)} 0)"]
    pts = ["0 0"]
    for k in range(n):
        t0 = t_start(k) + settle_cycles * T
        pts += [f"{fmt(t0)} 0", f"{fmt(t0 + tr)} {fmt(vh)}", f"{fmt(t0 + T)} {fmt(vh)}", f"{fmt(t0 + T + tr)} 0"]
    L.append("Vstart start_a 0 PWL(" + " ".join(pts) + ")")
    L.append("Astim [rst_a start_a] [d_rst d_start] pcd_adc")
    L += cosim_instance(lib, library_file=f"./{LIBRARY_FILE}", vcd_file=VCD_FILE, timing=br)
    L.append("* wordline drivers: one image per window")
    for i in range(rows):
        pts = [f"0 {fmt(v[0, i])}"]
        for k in range(1, n):
            t0 = t_start(k)
            pts += [f"{fmt(t0)} {fmt(v[k - 1, i])}", f"{fmt(t0 + tr)} {fmt(v[k, i])}"]
        L.append(f"Vin{i} in{i} 0 PWL(" + " ".join(pts) + ")")
    L.append(f"* ideal TIAs (output R_f * I, R_f = {fmt(tia_r_f_ohm)} ohm) and SAR DAC + comparator per bitline")
    dac_nodes = digital_nodes("dac", cols * bits)[::-1]  # by bit number
    comp_nodes = digital_nodes("comp", cols)[::-1]
    for j in range(cols):
        L.append(f"Vs{j} s{j} 0 0")
        L.append(f"Btia{j} tia{j} 0 V = {fmt(tia_r_f_ohm)}*i(vs{j})")
        dn = [dac_nodes[j * bits + k] for k in range(bits)]
        an = [f"a_dac{j}_{k}" for k in range(bits)]
        L.append(f"Adac{j} [{' '.join(dn)}] [{' '.join(an)}] pcd_dac")
        trial = " + ".join(f"{2 ** k}*v({an[k]})" for k in range(bits))
        L.append(f"Bdac{j} dac{j} 0 V = {fmt(tia_r_f_ohm * lsb_a)}*(({trial})/{fmt(vh)} - 0.5)")
        L.append(f"Bcmp{j} cmp{j} 0 V = v(tia{j}) - v(dac{j})")
        L.append(f"Acmp{j} [cmp{j}] [{comp_nodes[j]}] pcd_cmp")
    body = array_lines(circuit)
    L += body
    t_stop = t_start(n) + T
    save = [f"v(in{i})" for i in range(min(rows, 4))] + [f"v(tia{j})" for j in range(cols)] + \
           [f"v(dac{j})" for j in range(cols)] + ["v(clk_a)", "v(start_a)"]
    t0 = time.perf_counter()
    run_batch("\n".join(L) + "\n", [f"tran {fmt(T / 4)} {fmt(t_stop)}"], osdi=[spec.model.osdi()], save=save,
              workdir=work, timeout_s=timeout_s)
    seconds = time.perf_counter() - t0
    dig = read_vcd(work / VCD_FILE)
    check_clock_edges(dig.find("clk").bit_rises(0), T, t_stop, br.adc_delay_s)
    valid, index_sig = dig.find("valid"), dig.find("index")
    results = [dig.find(f"sar{j}.result") for j in range(cols)]
    diff_sigs = [dig.find(f"diff{o}") for o in range(outs)]
    rises = valid.bit_rises(0)
    if len(rises) < n:
        from ..errors import SimulationError

        raise SimulationError(f"the RTL finished {len(rises)} of {n} conversions (files kept in {work})")
    codes = np.zeros((n, cols), dtype=np.int64)
    diffs = np.zeros((n, outs), dtype=np.int64)
    classes = np.zeros(n, dtype=np.int64)
    w = bits + 1
    for k, t in enumerate(rises[:n]):
        for j in range(cols):
            codes[k, j] = results[j].value_at(t)
        for o in range(outs):
            d = diff_sigs[o].value_at(t)
            diffs[k, o] = d - (1 << w) if d >> (w - 1) else d
        classes[k] = index_sig.value_at(t)
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
