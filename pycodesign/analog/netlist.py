"""Write a crossbar :class:`~pycodesign.analog.circuit.Circuit` as an ngspice deck.

Every element of the circuit description becomes one SPICE line; nothing
about the topology is decided here.

Inputs are written in one of three ways:

``"sweep"`` (many input vectors, one ngspice job)
    Each input driver is a B-source ``V = pwl(v(sweep), 0, v_0, 1, v_1, ...)``
    of a dummy swept source; ``dc vsweep 0 N-1 1`` then solves the N
    operating points in one run (each starting from the previous solution),
    and the sweep hits the table's knots exactly, so the applied voltages are
    exactly the requested ones (checked after the run).
``"op"`` (one input vector)
    Plain DC voltage sources and ``op``.
``"step"`` (transient)
    Each driver steps from 0 V to its value at t = 0 with rise time
    ``t_rise_s`` (a ``PULSE`` source), for settling-latency runs; its DC value
    is the final value, so an ``op`` in the same job gives the settled
    operating point.

Devices are the compiled Verilog-A models (OSDI ``N`` elements, one
instance line each with the device's state as its instance parameter); the
1T1R access transistor is a level-1 ``M`` element (card in
:mod:`~pycodesign.analog.mosfet`); the op-amp TIA is a macro (VCVS with DC
gain, a one-pole RC, a unity buffer and the feedback resistor); the
differential subtractor (review Fig. 8a) of an op-amp TIA pair is an ideal
difference amplifier ``E`` with unity gain, whose output voltage over ``R_f``
is the differential output current.  With the ideal TIA the outputs are the
currents of the 0-V sensing sources, combined exactly in Python.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .circuit import CAP_KINDS, WIRE_KINDS, Circuit

__all__ = ["NetlistInfo", "write_netlist", "DEFAULT_SPICE_OPTIONS"]

#: KLU (ngspice 46 defaults to SPARSE 1.3 here, ~10x slower on arrays) with a
#: stricter pivot threshold (KLU at the default pivrel=1e-3 loses ~6 digits on
#: arrays with 0.1-ohm wires and 100-kohm devices, and Newton then stalls at
#: tight tolerances), and tight tolerances: results are compared with the
#: solver at full precision.
DEFAULT_SPICE_OPTIONS = ("klu", "pivrel=0.1", "reltol=1e-8", "vntol=1e-11", "abstol=1e-14")

_MODES = ("sweep", "op", "step")


@dataclass
class NetlistInfo:
    """What the deck contains and how to read its results."""

    text: str
    analyses: list[str]
    save: list[str]
    column_vectors: list[str]
    output_vectors: list[str] | None
    input_vectors: list[str]
    mode: str
    batch: int
    extra: dict = field(default_factory=dict)


def _fmt(x: float) -> str:
    return repr(float(x))  # shortest string that round-trips to the same double


def _wrap_pwl(pairs: list[str], per_line: int = 8) -> str:
    chunks = [", ".join(pairs[i:i + per_line]) for i in range(0, len(pairs), per_line)]
    return ",\n+ ".join(chunks)


def write_netlist(circuit: Circuit, v_in=None, *, mode: str = "sweep", t_rise_s: float = 1e-12,
                  options=DEFAULT_SPICE_OPTIONS, save_nodes: bool = False,
                  title: str | None = None) -> NetlistInfo:
    """The ngspice deck (without ``.control``/``.end``) for *circuit* and inputs *v_in*.

    Parameters
    ----------
    circuit : Circuit
    v_in : array (batch, rows)
        Input voltages (already validated, see :func:`~pycodesign.analog.solver.check_inputs`).
    mode : {"sweep", "op", "step"}
        See the module doc; ``"sweep"`` with one vector falls back to ``"op"``.
    t_rise_s : float
        Input rise time for ``"step"`` (s).
    options : sequence of str
        ``.options`` entries.
    save_nodes : bool
        Save every node voltage (for electrical metrics); otherwise only the
        outputs and the applied inputs are saved.
    """
    if mode not in _MODES:
        raise ValueError(f"write_netlist: mode = {mode!r} is not allowed; must be one of {_MODES}")
    c = circuit
    s = c.spec
    model = s.model
    v = np.asarray(v_in, dtype=float)
    batch = v.shape[0]
    if mode == "sweep" and batch == 1:
        mode = "op"
    if mode == "step" and batch != 1:
        raise ValueError("write_netlist: mode 'step' takes exactly one input vector")
    nm = c.node_names
    pr, pc = s.physical_shape
    L: list[str] = [title or f"pycodesign crossbar {s.rows}x{s.cols} ({s.cell}, {model.name}, "
                    f"{s.differential}, TIA {s.tia.kind})"]
    L.append(f"* physical array {pr}x{pc}; partitions {s.partitions} (rows) x {s.col_partitions} (columns); "
             f"dual-side wordlines: {bool(s.dual_side)}")
    L.append(f"* parasitics: {s.parasitics.to_dict()}")
    L.append("* topology: device (i,j) joins WL(i,j) to BL(i,j); wordline i driven from in<i> through one r_row "
             "into column 0 (and column C-1 when dual-side); bitline j: r_col between rows, one r_col from the "
             "last row into the sensing node s<j>")
    if options:
        L.append(".options " + " ".join(options))

    # ---- input drivers
    L.append("* input drivers")
    vin_nodes = []
    if mode == "sweep":
        L.append("Vsweep sweep 0 0")
        knots = [_fmt(k) for k in range(batch)]
    for k, node in enumerate(c.src_node):
        vals = c.src_sign[k] * v[:, c.src_input[k]]
        name = nm[node]
        vin_nodes.append(name)
        if mode == "sweep":
            pairs = [f"{knots[b]}, {_fmt(vals[b])}" for b in range(batch)]
            L.append(f"Bin{k} {name} 0 V = pwl(v(sweep),\n+ {_wrap_pwl(pairs)})")
        elif mode == "op":
            L.append(f"Vin{k} {name} 0 DC {_fmt(vals[0])}")
        else:
            # DC value = final value (for the "op" in the same job); the transient starts at
            # the PULSE's t=0 value, 0 V.
            L.append(f"Vin{k} {name} 0 DC {_fmt(vals[0])} PULSE(0 {_fmt(vals[0])} 0 {_fmt(t_rise_s)} "
                     f"{_fmt(t_rise_s)} 1 2)")
    if len(c.gate_node):
        L.append("* 1T1R select lines")
        for k, node in enumerate(c.gate_node):
            L.append(f"Vsel{k} {nm[node]} 0 DC {_fmt(s.transistor.v_gate_v)}")

    # ---- wires
    if len(c.res_g):
        L.append("* wire segments: " + ", ".join(f"{k}={WIRE_KINDS.index(k)}" for k in WIRE_KINDS))
        tags = ("w", "d", "b", "t")
        for k in range(len(c.res_g)):
            L.append(f"R{tags[c.res_kind[k]]}{k} {nm[c.res_a[k]]} {nm[c.res_b[k]]} {_fmt(1.0 / c.res_g[k])}")
    if len(c.cap_c):
        L.append("* parasitic capacitances: " + ", ".join(CAP_KINDS))
        tags = ("x", "ww", "bb", "wg", "bg")
        for k in range(len(c.cap_c)):
            L.append(f"C{tags[c.cap_kind[k]]}{k} {nm[c.cap_a[k]]} {nm[c.cap_b[k]]} {_fmt(c.cap_c[k])}")

    # ---- devices
    L.append(f"* devices: {model.name} ({model.module}); state parameter {model.state.initial_param!r}")
    p = dict(s.params)
    sp_name = model.state.initial_param
    for k in range(len(c.dev_a)):
        p[sp_name] = float(c.dev_state[k])
        L.append(model.instance_line(f"N{c.dev_row[k]}_{c.dev_col[k]}", nm[c.dev_a[k]], nm[c.dev_b[k]], "dev", p))
    L.append(model.model_card("dev", s.params))
    if len(c.fet_d):
        t = s.transistor
        L.append("* 1T1R access transistors (drain at the device, source on the bitline, bulk at ground)")
        for k in range(len(c.fet_d)):
            L.append(f"M{c.fet_row[k]}_{c.fet_col[k]} {nm[c.fet_d[k]]} {nm[c.fet_g[k]]} {nm[c.fet_s[k]]} 0 nacc "
                     f"w={_fmt(t.w_m)} l={_fmt(t.l_m)}")
        L.append(t.model_card("nacc"))

    # ---- sensing
    col_vectors: list[str] = []
    out_vectors: list[str] | None = None
    tia = s.tia
    if tia.kind == "ideal":
        L.append("* ideal TIAs: sensing nodes held at 0 V; the output is the source current")
        for j, node in enumerate(c.sense_node):
            L.append(f"Vs{j} {nm[node]} 0 DC 0")
            col_vectors.append(f"i(vs{j})")
    else:
        c_pole = tia.gain / (2 * math.pi * tia.gbw_hz)
        L.append(f"* op-amp TIAs: gain {tia.gain:g}, GBW {tia.gbw_hz:g} Hz (pole {tia.gbw_hz / tia.gain:g} Hz), "
                 f"R_f {tia.r_f_ohm:g} ohm; output estimate -V(o)/R_f")
        for j, node in enumerate(c.sense_node):
            L += [f"Ea{j} a{j} 0 0 {nm[node]} {_fmt(tia.gain)}",
                  f"Rp{j} a{j} p{j} 1",
                  f"Cp{j} p{j} 0 {_fmt(c_pole)}",
                  f"Eo{j} o{j} 0 p{j} 0 1",
                  f"Rf{j} o{j} {nm[node]} {_fmt(tia.r_f_ohm)}"]
            col_vectors.append(f"v(o{j})")
        P = c.out_matrix
        if s.differential in ("subtractor", "reference_column"):
            L.append("* differential subtractors: V(d) = V(o_neg) - V(o_pos) = R_f (I_pos - I_neg)")
            out_vectors = []
            for k in range(P.shape[0]):
                pos = int(np.flatnonzero(P[k] > 0)[0])
                neg = int(np.flatnonzero(P[k] < 0)[0])
                L.append(f"Ed{k} d{k} 0 o{neg} o{pos} 1")
                out_vectors.append(f"v(d{k})")

    in_vectors = [f"v({n})" for n in vin_nodes]
    if mode == "sweep":
        analyses = [f"dc vsweep 0 {batch - 1} 1"]
    elif mode == "op":
        analyses = ["op"]
    else:
        analyses = []  # the caller adds the tran command
    save = None if save_nodes else list(dict.fromkeys(col_vectors + (out_vectors or []) + in_vectors))
    return NetlistInfo(text="\n".join(L) + "\n", analyses=analyses, save=save, column_vectors=col_vectors,
                       output_vectors=out_vectors, input_vectors=in_vectors, mode=mode, batch=batch)
