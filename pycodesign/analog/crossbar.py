"""One-call crossbar solves: the same arguments, computed by the fast solver or by ngspice.

>>> I = solve_crossbar(g, v_in, r_row=1.0, r_col=1.0)        # numpy/scipy
>>> I_spice = simulate_crossbar(g, v_in, r_row=1.0, r_col=1.0)  # ngspice, one job

Both build the same :class:`~pycodesign.analog.circuit.CrossbarSpec` (ideal
TIA, one partition, the stated topology) and return the output currents,
shape (batch, columns).  For full control (1T1R, partitions, op-amp TIA,
differential schemes, capacitances) build a ``CrossbarSpec`` and use
:func:`solve` / :func:`simulate`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np

from ..config import checks
from ..config.architecture import CrossbarParasitics
from .circuit import CrossbarSpec, is_linear_model, resolve_device
from .solver import CrossbarResult, CrossbarSolver

__all__ = ["solve_crossbar", "simulate_crossbar", "solve", "simulate", "crossbar_spec"]


def crossbar_spec(g, *, r_row: float, r_col: float, dual_side: bool = False, device="linear",
                  device_params: Mapping[str, float] | None = None, v_read: float | None = None,
                  **spec_options) -> CrossbarSpec:
    """The :class:`CrossbarSpec` behind :func:`solve_crossbar` / :func:`simulate_crossbar`.

    ``g`` (rows × columns, S) are read-out conductances; for a nonlinear
    device model they are converted to device states at ``v_read`` (default:
    the model's ``stimulus.v_read``) with
    :func:`pycodesign.devices.state_for_conductance`.  Extra keyword
    arguments go to :class:`CrossbarSpec` (``cell``, ``partitions``, ``tia``, ...).
    """
    r_row = checks.number("r_row", r_row, ge=0, unit="Ohm")
    r_col = checks.number("r_col", r_col, ge=0, unit="Ohm")
    ga = checks.finite_array("g", g, ndim=2, low=0.0, unit="S")
    model = resolve_device(device)
    if is_linear_model(model):
        state = ga
    else:
        from ..devices import state_for_conductance

        vr = float(v_read) if v_read is not None else float(model.stimulus.v_read)
        state = np.asarray(state_for_conductance(model, ga, v_read=vr, params=dict(device_params or {})))
    par = spec_options.pop("parasitics", None)
    if par is None:
        par = CrossbarParasitics(r_row_ohm=r_row, r_col_ohm=r_col)
    elif (par.r_row_ohm, par.r_col_ohm) != (r_row, r_col):
        raise ValueError("crossbar_spec: parasitics.r_row_ohm/r_col_ohm disagree with r_row/r_col")
    return CrossbarSpec(state, device=model, device_params=dict(device_params or {}), parasitics=par,
                        dual_side=dual_side, **spec_options)


def solve(spec: CrossbarSpec, v_in, **kw) -> CrossbarResult:
    """Fast solver: :class:`CrossbarResult` for every input vector (see :class:`CrossbarSolver`)."""
    return CrossbarSolver(spec).solve(v_in, **kw)


def simulate(spec: CrossbarSpec, v_in, **kw) -> CrossbarResult:
    """ngspice (one job): :class:`CrossbarResult` (see :func:`pycodesign.analog.spice_engine.simulate`)."""
    from .spice_engine import simulate as _sim

    return _sim(spec, v_in, **kw)


def solve_crossbar(g, v_in, *, r_row: float, r_col: float, dual_side: bool = False, device="linear",
                   device_params: Mapping[str, float] | None = None, v_read: float | None = None,
                   **spec_options) -> np.ndarray:
    """Output currents (batch, columns; A) of a 1R crossbar, by sparse nodal analysis.

    Parameters
    ----------
    g : array (rows, columns)
        Device conductances (S); rows are wordlines (inputs), columns bitlines (outputs).
    v_in : array (batch, rows)
        Wordline drive voltages (V); a 1-D vector is one input.
    r_row, r_col : float
        Wordline / bitline segment resistance (Ω) — see the topology in
        :mod:`pycodesign.analog.circuit`.
    dual_side : bool
        Drive each wordline from both ends.
    device : str
        Registry model (default ``"linear"``: exact linear solve).
    """
    spec = crossbar_spec(g, r_row=r_row, r_col=r_col, dual_side=dual_side, device=device,
                         device_params=device_params, v_read=v_read, **spec_options)
    return CrossbarSolver(spec).solve(v_in).outputs


def simulate_crossbar(g, v_in, *, r_row: float, r_col: float, dual_side: bool = False, device="linear",
                      device_params: Mapping[str, float] | None = None, v_read: float | None = None,
                      workdir: str | Path | None = None, **spec_options) -> np.ndarray:
    """Same arguments and result as :func:`solve_crossbar`, computed by ngspice in one job.

    ``workdir`` keeps the deck (``circuit.cir``), log and raw file.  Raises
    :class:`~pycodesign.errors.SimulationError` /
    :class:`~pycodesign.errors.ConvergenceError` if ngspice fails.
    """
    spec = crossbar_spec(g, r_row=r_row, r_col=r_col, dual_side=dual_side, device=device,
                         device_params=device_params, v_read=v_read, **spec_options)
    from .spice_engine import simulate as _sim

    return _sim(spec, v_in, workdir=workdir).outputs
