"""Run a crossbar in ngspice (batch mode, binary raw files at full precision).

One call of :func:`simulate` is **one ngspice job** however many input
vectors there are: the vectors become the knots of a DC sweep (see
:mod:`~pycodesign.analog.netlist`).  The deck, log and raw file stay in
``workdir`` when one is given.  Failures raise
:class:`~pycodesign.errors.SimulationError` /
:class:`~pycodesign.errors.ConvergenceError`; no partial result is
returned.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import SimulationError
from ..spice import run_batch
from .circuit import Circuit, CrossbarSpec, build_circuit
from .netlist import DEFAULT_SPICE_OPTIONS, write_netlist
from .solver import CrossbarResult, check_inputs

__all__ = ["simulate", "run_transient_step"]


def _circuit(spec) -> Circuit:
    return spec if isinstance(spec, Circuit) else build_circuit(spec)


def _vec(plot: dict, name: str, n: int, deck) -> np.ndarray:
    key = name.lower()
    if key not in plot:
        raise SimulationError(f"ngspice result has no vector {name!r} (have {len(plot)} vectors)", deck=deck)
    a = np.real(plot[key])
    if a.shape[0] != n:
        raise SimulationError(f"ngspice returned {a.shape[0]} points for {name!r}; expected {n} "
                              "(incomplete sweep: not reported as a result)", deck=deck)
    return a


def simulate(spec: CrossbarSpec | Circuit, v_in, *, workdir: str | Path | None = None,
             options: Sequence[str] = DEFAULT_SPICE_OPTIONS, return_nodes: bool = False,
             timeout_s: float = 3600.0) -> CrossbarResult:
    """Output currents of every input vector, computed by ngspice in one job.

    Parameters
    ----------
    spec : CrossbarSpec or Circuit
    v_in : array (batch, rows)
        Input voltages (V).
    workdir : path or None
        Keep ``circuit.cir``, ``ngspice.log`` and ``analysis0.raw`` here.
    options : sequence of str
        ngspice ``.options`` (default: tight tolerances).
    return_nodes : bool
        Save and return every node voltage (for electrical metrics).
    """
    t0 = time.perf_counter()
    c = _circuit(spec)
    v = check_inputs(c, v_in)
    info = write_netlist(c, v, mode="sweep", options=options, save_nodes=return_nodes)
    osdi = [c.spec.model.osdi()]
    res = run_batch(info.text, info.analyses, osdi=osdi, save=info.save, workdir=workdir, timeout_s=timeout_s)
    deck = Path(workdir) / "circuit.cir" if workdir else None
    plot = res.plots[0]
    n = v.shape[0]
    # The applied inputs must be exactly the requested ones (sweep knots hit exactly).
    want = c.src_sign[None, :] * v[:, c.src_input]
    got = np.stack([_vec(plot, name, n, deck) for name in info.input_vectors], axis=1)
    scale = max(1.0, float(np.max(np.abs(want))))
    if np.max(np.abs(got - want)) > 1e-12 * scale:
        k = int(np.argmax(np.max(np.abs(got - want), axis=1)))
        raise SimulationError(f"ngspice applied different input voltages than requested (vector {k}: max "
                              f"difference {np.max(np.abs(got[k] - want[k])):.3g} V)", deck=deck)
    cols = np.stack([_vec(plot, name, n, deck) for name in info.column_vectors], axis=1)
    tia = c.spec.tia
    if tia.kind == "opamp":
        cols = -cols / tia.r_f_ohm
    if info.output_vectors:
        outputs = np.stack([_vec(plot, name, n, deck) for name in info.output_vectors], axis=1) / tia.r_f_ohm
    else:
        outputs = cols @ c.out_matrix.T
    nodes = None
    if return_nodes:
        nodes = np.zeros((n, c.n_nodes))
        for k, name in enumerate(c.node_names):
            if name == "0":
                continue
            nodes[:, k] = _vec(plot, f"v({name})", n, deck) if f"v({name})" in plot else _vec(plot, name, n, deck)
    files = {}
    if workdir:
        files = {"netlist": str(Path(workdir) / "circuit.cir"), "log": str(Path(workdir) / "ngspice.log"),
                 "raw": str(res.raw_files[0]) if res.raw_files else None}
    return CrossbarResult(outputs=outputs, column_currents=cols, node_voltages=nodes, engine="spice",
                          seconds=time.perf_counter() - t0, files=files)


def run_transient_step(spec: CrossbarSpec | Circuit, v_step, *, t_stop_s: float, t_rise_s: float = 1e-12,
                       max_step_s: float | None = None, workdir: str | Path | None = None,
                       options: Sequence[str] = ("klu", "pivrel=0.1", "reltol=1e-4"), timeout_s: float = 3600.0):
    """Step response in ngspice: inputs rise from 0 V to ``v_step`` at t = 0.

    Returns
    -------
    dict with ``t`` (s), ``column_currents`` (time, physical columns; A),
    ``outputs`` (time, outputs; A), ``final_columns`` and ``final_outputs``
    (the DC operating point at ``v_step``, from an ``op`` in the same job),
    ``files``.
    """
    c = _circuit(spec)
    v = check_inputs(c, v_step, "v_step")
    if v.shape[0] != 1:
        raise ValueError(f"run_transient_step: v_step must be one input vector, got {v.shape[0]}")
    info = write_netlist(c, v, mode="step", t_rise_s=t_rise_s, options=options)
    mstep = max_step_s or t_stop_s / 2000
    tran = f"tran {mstep:.6g} {t_stop_s:.6g} 0 {mstep:.6g}"
    osdi = [c.spec.model.osdi()]
    # One job: "op" sees the sources' DC (final) values, "tran" starts from their PULSE value 0 V.
    res = run_batch(info.text, ["op", tran], osdi=osdi, save=info.save, workdir=workdir, timeout_s=timeout_s)
    deck = Path(workdir) / "circuit.cir" if workdir else None
    tia = c.spec.tia

    def read(plot, n):
        cols = np.stack([_vec(plot, name, n, deck) for name in info.column_vectors], axis=1)
        if tia.kind == "opamp":
            cols = -cols / tia.r_f_ohm
        if info.output_vectors:
            outs = np.stack([_vec(plot, name, n, deck) for name in info.output_vectors], axis=1) / tia.r_f_ohm
        else:
            outs = cols @ c.out_matrix.T
        return cols, outs

    final_cols, final_outs = read(res.plots[0], 1)
    plot = res.plots[1]
    t = np.real(plot["time"])
    cols, outputs = read(plot, t.shape[0])
    files = {}
    if workdir:
        files = {"netlist": str(Path(workdir) / "circuit.cir"), "raw": str(res.raw_files[1]),
                 "log": str(Path(workdir) / "ngspice.log")}
    return {"t": t, "column_currents": cols, "outputs": outputs, "final_columns": final_cols[0],
            "final_outputs": final_outs[0], "files": files}
