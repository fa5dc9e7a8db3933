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
  time (one per clock cycle) over one bus into per-row sample-and-holds:
  one shared behavioural DAC ``V = code/(2^K − 1) · V_READ``, a switch per
  row (1 Ω / 1 TΩ) closed while ``wl_load`` is high, the row address matches
  and the triangle clock is in its low half (mid-cycle, away from the edges
  at which the address and the code change: no glitch reaches another row),
  a 1 pF hold capacitor and an ideal buffer driving the wordline (bias row:
  a source at V_READ).
  ``hidden · K`` parallel DAC bits would not fit the d_cosim port budget
  (:data:`~pycodesign.cosim.netlist.MAX_DCOSIM_BITS`).  Then layer 2 is
  converted, subtracted and the argmax taken.

The codes (and the ReLU outputs) and classes are read from the RTL's VCD and
compared with :func:`pycodesign.system.evaluate`, code for code.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..analog.circuit import build_circuit
from ..rtl._common import index_width
from ..spice import run_batch
from .build import stage_cosim_library
from .netlist import (MAX_DCOSIM_BITS, BridgeTiming, array_lines, bridge_model_cards, check_clock_edges, clock_lines,
                      control_lines, cosim_instance, digital_nodes, fmt, gate_lines, tran_options)
from .vcd import read_vcd

__all__ = ["CosimInferenceResult", "run_cosim_inference", "compare_with_evaluation", "CosimMlpResult",
           "run_cosim_mlp_inference", "compare_mlp_with_evaluation", "mlp_port_bits", "smallest_mlp_columns_per_adc"]

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
    # busy (and sel without a multiplexer) only matter to the VCD: fewer d_cosim port bits
    hidden = ("busy",) + (("sel",) if columns_per_adc == 1 else ())
    work = Path(workdir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    lib = stage_cosim_library(top, work, library_file=LIBRARY_FILE, hidden_outputs=hidden)
    # Window per image: settle, the start cycle, the RTL's conversion(s), plus one spare cycle.
    window = settle_cycles + 1 + top.latency_cycles + 1
    L = _deck_head(f"pycodesign inference co-simulation: {rows}x{cols} tile, {top.groups} {bits}-bit SAR ADC(s), "
                   f"{columns_per_adc} bitline(s) per ADC, {n} images", T, br, n, window, settle_cycles)
    L += cosim_instance(lib, library_file=f"./{LIBRARY_FILE}", vcd_file=VCD_FILE, timing=br)
    L += _wordline_lines(v, window, T, br.dac_rise_s)
    L += _sar_bank_lines(prefix="", port="", columns=cols, columns_per_adc=columns_per_adc, bits=bits, lsb_a=lsb_a,
                         tia_r_f_ohm=tia_r_f_ohm, logic_high_v=br.logic_high_v)
    L += array_lines(circuit) + gate_lines(circuit)
    t_stop = _t_start(n, window, T) + T
    save = [f"v(in{i})" for i in range(min(rows, 4))] + [f"v(tia{j})" for j in range(cols)] + \
           [f"v(dac{g})" for g in range(top.groups)] + ["v(clk_a)", "v(start_a)"]
    t0 = time.perf_counter()
    run_batch("\n".join(L) + "\n", [f"tran {fmt(T / 4)} {fmt(t_stop)}"], osdi=[spec.model.osdi()], save=save,
              workdir=work, timeout_s=timeout_s, options=control_lines())
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


# --------------------------------------------------------------------------- the MLP


def mlp_port_bits(*, hidden: int, outputs: int, bits: int, dac_bits: int, columns_per_adc: int) -> int:
    """d_cosim port bits of :class:`~pycodesign.rtl.inference_top.MlpInferenceTop` as the MLP deck bridges it.

    clk, rst, start; per ADC of each layer its comparator and its ``bits``
    DAC bits; the two column selects (when multiplexed); the layer-2 load
    bus (code, row address, strobe).  ``index``, ``valid`` and ``busy`` are
    read from the VCD only.
    """
    from ..rtl.inference_top import bank_groups

    groups = bank_groups(2 * hidden, columns_per_adc) + bank_groups(2 * outputs, columns_per_adc)
    sel = 2 * index_width(columns_per_adc) if columns_per_adc > 1 else 0
    return 3 + groups * (bits + 1) + sel + dac_bits + index_width(hidden) + 1


def smallest_mlp_columns_per_adc(*, hidden: int, outputs: int, bits: int, dac_bits: int) -> int | None:
    """Smallest ``columns_per_adc`` whose MLP deck fits :data:`MAX_DCOSIM_BITS` (None: none does)."""
    for m in range(1, 2 * min(hidden, outputs) + 1):
        if mlp_port_bits(hidden=hidden, outputs=outputs, bits=bits, dac_bits=dac_bits,
                         columns_per_adc=m) <= MAX_DCOSIM_BITS:
            return m
    return None


@dataclass
class CosimMlpResult:
    codes1: np.ndarray       # (n, 2 * hidden) layer-1 ADC codes from the RTL
    relu_codes: np.ndarray   # (n, hidden) the ReLU's outputs (before the lift)
    codes2: np.ndarray       # (n, 2 * outputs) layer-2 ADC codes
    diffs2: np.ndarray       # (n, outputs)
    classes: np.ndarray      # (n,)
    held_v: np.ndarray       # (n, hidden) layer-2 wordline voltages held when bank 2 starts
    seconds: float
    build_seconds: float
    cycles_per_image: int
    port_bits: int
    files: dict


def _subckt_lines(name: str, circuit) -> list[str]:
    """The array of *circuit* as subcircuit *name* with ports ``in<row>…`` then ``s<col>…`` (its own
    node and device names, so two arrays share one deck)."""
    if len(circuit.gate_node):
        raise ValueError("the MLP co-simulation drives 1R arrays (array.cell: 1R); 1T1R gates have no driver here")
    rows, cols = circuit.spec.physical_shape
    ports = [f"in{i}" for i in range(rows)] + [f"s{j}" for j in range(cols)]
    return ([_wrap_nodes(f".subckt {name}", ports)] + array_lines(circuit) + [f".ends {name}"])


def _wrap_nodes(head: str, nodes: list, per_line: int = 16) -> str:
    chunks = [" ".join(nodes[i:i + per_line]) for i in range(0, len(nodes), per_line)]
    return head + " " + "\n+ ".join(chunks)


def run_cosim_mlp_inference(layer1, layer2, *, bits: int, dac_bits: int, workdir, columns_per_adc: int = 1,
                            clock_period_s: float = 5e-9, settle_cycles: int = 2,
                            bridges: BridgeTiming | None = None, tia_r_f_ohm: float = 10e3,
                            hold_capacitance_f: float = 1e-12, timeout_s: float = 3600) -> CosimMlpResult:
    """Classify the images of an evaluation's two ``digital`` layers (:class:`LayerResult`, one tile
    each) through the RTL: layer 1's inputs are ``layer1.inputs_v``; layer 2's come from the RTL's
    ReLU through the sample-and-holds (see the module doc)."""
    from ..rtl.inference_top import MlpInferenceTop

    for k, lay in enumerate((layer1, layer2)):
        if len(lay.tiles) != 1:
            raise ValueError(f"run_cosim_mlp_inference: layer {k + 1} has {len(lay.tiles)} tiles; the co-simulation "
                             "runs one tile per layer")
    t1, t2 = layer1.tiles[0], layer2.tiles[0]
    spec1 = _check_digital_tile(t1, "run_cosim_mlp_inference")
    spec2 = _check_digital_tile(t2, "run_cosim_mlp_inference")
    if layer1.relu_codes is None or layer1.relu_shift is None:
        raise ValueError("run_cosim_mlp_inference: layer 1 has no integer ReLU (an evaluation with ADC and DAC bits)")
    br = bridges or BridgeTiming()
    T = clock_period_s
    br.check_clock(T)
    v1 = np.asarray(layer1.inputs_v, dtype=float)
    n, rows1 = v1.shape
    c1, c2 = build_circuit(spec1), build_circuit(spec2)
    hidden, outs = c1.n_columns // 2, c2.n_columns // 2
    rows2 = spec2.physical_shape[0]
    bias2 = rows2 - hidden
    if bias2 not in (0, 1):
        raise ValueError(f"run_cosim_mlp_inference: layer 2 has {rows2} wordlines for {hidden} hidden units")
    v_read = layer2.v_read_v
    port_bits = mlp_port_bits(hidden=hidden, outputs=outs, bits=bits, dac_bits=dac_bits,
                              columns_per_adc=columns_per_adc)
    if port_bits > MAX_DCOSIM_BITS:
        smallest = smallest_mlp_columns_per_adc(hidden=hidden, outputs=outs, bits=bits, dac_bits=dac_bits)
        raise ValueError(f"run_cosim_mlp_inference: {port_bits} d_cosim port bits with columns_per_adc = "
                         f"{columns_per_adc}; at most {MAX_DCOSIM_BITS} (smallest columns_per_adc that fits: "
                         f"{smallest})")
    top = MlpInferenceTop(hidden=hidden, outputs=outs, bits=bits, dac_bits=dac_bits, relu_shift=layer1.relu_shift,
                          relu_limit=layer1.relu_limit, dac_lift=layer1.relu_lift, columns_per_adc=columns_per_adc,
                          settle_cycles=settle_cycles)
    hidden_ports = ("index", "valid", "busy") + (("sel1", "sel2") if columns_per_adc == 1 else ())
    work = Path(workdir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    lib = stage_cosim_library(top, work, library_file=LIBRARY_FILE, hidden_outputs=hidden_ports)
    window = settle_cycles + 1 + top.latency_cycles + 1
    vh = br.logic_high_v
    L = _deck_head(f"pycodesign MLP inference co-simulation: {rows1}x{c1.n_columns} and {rows2}x{c2.n_columns} "
                   f"tiles, {bits}-bit SAR ADCs, {columns_per_adc} bitline(s) per ADC, {n} images",
                   T, br, n, window, settle_cycles)
    L += cosim_instance(lib, library_file=f"./{LIBRARY_FILE}", vcd_file=VCD_FILE, timing=br)
    L += _wordline_lines(v1, window, T, br.dac_rise_s)
    L += _sar_bank_lines(prefix="", port="1", columns=c1.n_columns, columns_per_adc=columns_per_adc, bits=bits,
                         lsb_a=t1.lsb_a, tia_r_f_ohm=tia_r_f_ohm, logic_high_v=vh)
    # layer-2 wordlines: the load bus into a sample-and-hold per row
    top_code = 2 ** dac_bits - 1
    cw, rw = dac_bits, index_width(hidden)
    code_d, row_d = digital_nodes("wl_code", cw)[::-1], digital_nodes("wl_row", rw)[::-1]
    code_a, row_a = [f"a_wlc{k}" for k in range(cw)], [f"a_wlr{k}" for k in range(rw)]
    L += [f"* layer-2 wordlines: one DAC V = code/{top_code} * V_READ on a bus, a sample-and-hold per row "
          f"(switch closed while wl_load is high, wl_row matches and the clock is low; {fmt(hold_capacitance_f)} F; "
          "ideal buffer)",
          f"Awlc [{' '.join(code_d)}] [{' '.join(code_a)}] pcd_dac",
          f"Awlr [{' '.join(row_d)}] [{' '.join(row_a)}] pcd_dac",
          "Awll [d_wl_load] [a_wl_load] pcd_dac",
          f"Bwlbus wlbus 0 V = {fmt(v_read / (top_code * vh))}*("
          + " + ".join(f"{2 ** k}*v({a})" for k, a in enumerate(code_a)) + ")",
          f"Bwlrow wlrow 0 V = ({' + '.join(f'{2 ** k}*v({a})' for k, a in enumerate(row_a))})/{fmt(vh)}",
          # hysteresis: the switch closes above 0.7 and opens below 0.3 of a full strobe
          ".model pcd_sh sw vt=0.5 vh=0.2 ron=1 roff=1e12"]
    # the switch of row i closes only around the clock's bottom (mid-cycle, clk_a below a quarter of the
    # logic level): the RTL changes wl_row and wl_code just after the edges at the clock's top corners
    L.append(f"Bshgate shgate 0 V = max(0, min(1, 2 - 4*v(clk_a)/{fmt(vh)}))")
    for i in range(hidden):
        L += [f"Bshc{i} shc{i} 0 V = v(shgate)*v(a_wl_load)/{fmt(vh)}*max(0, 1 - abs(v(wlrow) - {i}))",
              f"Ssh{i} wlbus h{i} shc{i} 0 pcd_sh",
              f"Ch{i} h{i} 0 {fmt(hold_capacitance_f)}",
              f"Eh{i} l2in{i} 0 h{i} 0 1"]
    if bias2:
        L.append(f"Vl2bias l2in{hidden} 0 {fmt(v_read)}")
    L += _sar_bank_lines(prefix="l2", port="2", columns=c2.n_columns, columns_per_adc=columns_per_adc, bits=bits,
                         lsb_a=t2.lsb_a, tia_r_f_ohm=tia_r_f_ohm, logic_high_v=vh, sense="l2s")
    L += array_lines(c1)
    L += _subckt_lines("layer2", c2)
    L.append(_wrap_nodes("Xlayer2", [f"l2in{i}" for i in range(rows2)] + [f"l2s{j}" for j in range(c2.n_columns)])
             + " layer2")
    t_stop = _t_start(n, window, T) + T
    save = ([f"v(tia{j})" for j in range(c1.n_columns)] + [f"v(l2tia{j})" for j in range(c2.n_columns)]
            + [f"v(h{i})" for i in range(hidden)] + ["v(wlbus)", "v(clk_a)", "v(start_a)"])
    t0 = time.perf_counter()
    raw = run_batch("\n".join(L) + "\n", [f"tran {fmt(T / 4)} {fmt(t_stop)}"],
                    osdi=sorted({spec1.model.osdi(), spec2.model.osdi()}, key=str), save=save, workdir=work,
                    timeout_s=timeout_s, options=control_lines())
    seconds = time.perf_counter() - t0
    dig = read_vcd(work / VCD_FILE)
    check_clock_edges(dig.find("clk").bit_rises(0), T, t_stop, br.adc_delay_s)
    rises = _valid_rises(dig, n, work)
    bank2_starts = [t - (top.bank_latency_cycles + 1) * T for t in rises]

    def at(name, times, width=None):
        sig = dig.find(name)
        return [sig.value_at(t) if width is None else _signed(sig.value_at(t), width) for t in times]

    codes1 = np.array([at(f"bank1.code{j}", rises) for j in range(c1.n_columns)], dtype=np.int64).T
    relu = np.array([at(f"act{i}", rises) for i in range(hidden)], dtype=np.int64).T
    codes2 = np.array([at(f"bank2.code{j}", rises) for j in range(c2.n_columns)], dtype=np.int64).T
    diffs2 = np.array([at(f"diff2_{k}", rises, bits + 1) for k in range(outs)], dtype=np.int64).T
    classes = np.array(at("index", rises), dtype=np.int64)
    held = _held_voltages(raw, hidden, bank2_starts)
    files = {"deck": str(work / "circuit.cir"), "raw": str(work / "analysis0.raw"), "vcd": str(work / VCD_FILE),
             "log": str(work / "ngspice.log")}
    return CosimMlpResult(codes1, relu, codes2, diffs2, classes, held, seconds, lib.seconds, window, port_bits, files)


def _held_voltages(raw, hidden: int, times_s) -> np.ndarray:
    """The sample-and-hold voltages ``v(h<i>)`` at *times_s* (linear interpolation of the transient)."""
    t = raw["time"]
    return np.array([np.interp(times_s, t, raw[f"v(h{i})"]) for i in range(hidden)]).T


def _code_differences(codes: np.ndarray, tile, margin_lsb: float, layer: int) -> dict:
    """Code-for-code comparison of one tile's codes; every difference with its analog distance from the
    comparator threshold (LSB, from the evaluation's analog input)."""
    n = codes.shape[0]
    ev_codes = np.asarray(tile.codes)[:n]
    analog = np.asarray(tile.adc_inputs_a)[:n] / tile.lsb_a
    diff = []
    for k, j in zip(*np.nonzero(codes != ev_codes)):
        c_lo = min(codes[k, j], ev_codes[k, j])
        dist = float(abs(analog[k, j] - (c_lo + 0.5)))
        diff.append({"layer": layer, "image": int(k), "column": int(j), "cosim_code": int(codes[k, j]),
                     "evaluate_code": int(ev_codes[k, j]), "distance_from_threshold_lsb": dist,
                     "allowed": dist <= margin_lsb})
    return {"codes": int(ev_codes.size), "codes_equal": int(np.sum(codes == ev_codes)), "differences": diff}


def compare_mlp_with_evaluation(res: CosimMlpResult, layer1, layer2, predictions, *, margin_lsb: float) -> dict:
    """Layer-1 codes, ReLU codes, layer-2 codes and classes against the evaluation.

    A differing ADC code is allowed only within *margin_lsb* of its
    comparator threshold; a ReLU code or a layer-2 code may then differ as
    its consequence (listed, ``allowed`` when the layer-1 codes of that
    image differ only by allowed amounts).
    """
    n = res.codes1.shape[0]
    l1 = _code_differences(res.codes1, layer1.tiles[0], margin_lsb, 1)
    l2 = _code_differences(res.codes2, layer2.tiles[0], margin_lsb, 2)
    ev_relu = np.asarray(layer1.relu_codes)[:n]
    relu_diff = [{"image": int(k), "hidden": int(i), "cosim_code": int(res.relu_codes[k, i]),
                  "evaluate_code": int(ev_relu[k, i])} for k, i in zip(*np.nonzero(res.relu_codes != ev_relu))]
    # an image whose layer-1 codes differ (within the margin) feeds layer 2 other inputs than evaluate's
    upstream = {d["image"] for d in l1["differences"]}
    for d in l2["differences"]:
        d["allowed"] = d["allowed"] or d["image"] in upstream
    for d in relu_diff:
        d["allowed"] = d["image"] in upstream
    pred = np.asarray(predictions)[:n]
    differences = l1["differences"] + l2["differences"]
    return {"images": n, "margin_lsb": margin_lsb,
            "layer1": {"codes": l1["codes"], "codes_equal": l1["codes_equal"]},
            "relu": {"codes": int(ev_relu.size), "codes_equal": int(np.sum(res.relu_codes == ev_relu))},
            "layer2": {"codes": l2["codes"], "codes_equal": l2["codes_equal"]},
            "codes": l1["codes"] + l2["codes"], "codes_equal": l1["codes_equal"] + l2["codes_equal"],
            "classes_equal": int(np.sum(res.classes == pred)), "differences": differences,
            "relu_differences": relu_diff,
            "all_differences_allowed": all(d["allowed"] for d in differences + relu_diff)}
