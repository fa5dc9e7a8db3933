"""The fast programming engine: the write-verify golden model driving the devices' numpy references.

No SPICE, no RTL, no parasitics: :class:`pycodesign.rtl.models.WriteVerifyModel`
decides every read verdict and pulse; each cell is the device's numpy
reference (``get_model(name).reference``) with its own parameters, read at
``V_READ`` through the same ADC transfer and window comparison as the
co-simulation, and pulsed with the same trapezoid the co-simulation's
drivers apply (``set_v``/``reset_v`` for ``write_cycles`` clock periods,
edges of ``dac_rise_s``).  Half-selected cells and read voltages are not
modelled (no disturb).

Speed: every cell's verdict depends only on its own history (a position's
write phases continue while any of its partitions is unacknowledged, and an
acknowledged cell gets no further pulse), so the model runs all cells as the
partitions of one position; the pulses a write phase orders are integrated
together, vectorised (one stiff solve for all pending cells), before the
next read.  The clock cycles of the real geometry (rows x cols/partitions
positions, the top's polarity split) are then counted by replaying the
per-cell pulse lists through :class:`~pycodesign.rtl.models.ProgramTopModel`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp

from ..rtl.models import WriteVerifyModel, window_comparator_model
from .program import ProgramJob, predict_cycles

__all__ = ["FastProgramResult", "program_fast"]


@dataclass
class FastProgramResult:
    """What the fast engine produced (shapes as the job's array)."""

    pulses: dict
    pulse_counts: np.ndarray
    failed: list
    fail_count: int
    initial_states: np.ndarray
    final_states: np.ndarray
    final_current_a: np.ndarray
    final_codes: np.ndarray
    reads_a: dict
    cycles: int
    programming_time_s: float
    seconds: float


class _Array:
    """Every cell's state, integrated pulse batch by pulse batch."""

    def __init__(self, job: ProgramJob, x0: np.ndarray):
        self.job = job
        self.model = job.array.model
        self.ref = self.model.reference
        self.p = job.params_arrays()
        self.x = np.asarray(x0, dtype=float).ravel().copy()
        lo, hi = self.model.state.bounds(job.array.params)
        self.bounds = (lo, hi)
        self.atol = 1e-9 * abs(hi - lo)
        self.pending: dict[int, str] = {}
        self._current: np.ndarray | None = None

    def _params(self, idx: np.ndarray) -> dict:
        return {k: (v[idx] if isinstance(v, np.ndarray) else v) for k, v in self.p.items()}

    def current(self) -> np.ndarray:
        self.flush()
        if self._current is None:
            v = self.job.bias.v_read_v
            self._current = np.asarray(self.ref.current(v, self.x, self.p), dtype=float)
        return self._current

    def flush(self) -> None:
        if not self.pending:
            return
        idx = np.array(sorted(self.pending), dtype=np.int64)
        b = self.job.bias
        amp = np.array([b.set_v if self.pending[i] == "set" else b.reset_v for i in idx])
        self.x[idx] = self._pulse(self.x[idx], amp, self._params(idx))
        self.pending.clear()
        self._current = None

    def _pulse(self, x: np.ndarray, amp: np.ndarray, p: dict) -> np.ndarray:
        t = self.job.timing
        tr, w = t.bridges.dac_rise_s, t.pulse_width_s
        lo, hi = self.bounds
        n = x.size
        sparsity = sp.identity(n, format="csc")
        # Trapezoid: ramp up over [0, tr], flat to w, ramp down over [w, w + tr].
        segments = ((0.0, tr, lambda s: amp * (s / tr)), (tr, w, lambda s: amp),
                    (w, w + tr, lambda s: amp * (1.0 - (s - w) / tr)))
        for t0, t1, volt in segments:
            if t1 <= t0:
                continue

            def rhs(s, y, volt=volt):
                y = np.clip(y, lo, hi) if y.ndim == 1 else np.clip(y, lo, hi)
                if y.ndim == 2:  # Radau's finite-difference Jacobian evaluates columns at once
                    return np.stack([np.asarray(self.ref.dxdt(volt(s), y[:, k], p), dtype=float)
                                     for k in range(y.shape[1])], axis=1)
                return np.asarray(self.ref.dxdt(volt(s), y, p), dtype=float)

            sol = solve_ivp(rhs, (t0, t1), x, method="Radau", rtol=1e-7, atol=self.atol,
                            jac_sparsity=sparsity, max_step=(t1 - t0) / 20)
            if not sol.success:
                raise RuntimeError(f"fast engine: pulse integration failed ({sol.message})")
            x = np.clip(sol.y[:, -1], lo, hi)
        return x


class _Cell:
    def __init__(self, array: _Array, k: int, lo: int, hi: int, reads: list):
        self.array, self.k, self.lo, self.hi, self.reads = array, k, lo, hi, reads

    def sense(self):
        i = float(self.array.current()[self.k])
        self.reads.append(i)
        code = int(self.array.job.adc.codes(i))
        return window_comparator_model(code, self.lo, self.hi)

    def pulse(self, kind: str) -> None:
        self.array.pending[self.k] = kind
        self.array._current = None


def program_fast(job: ProgramJob, x0=None) -> FastProgramResult:
    """Program *job*'s array with the fast engine, from states *x0* (default ``job.array.state``)."""
    t_start = time.perf_counter()
    rows, cols = job.shape
    x0 = np.asarray(job.array.state if x0 is None else x0, dtype=float).reshape(rows, cols)
    array = _Array(job, x0)
    n = rows * cols
    w = job.windows.reshape(n, 2)
    reads: dict[int, list[float]] = {k: [] for k in range(n)}
    t = job.timing
    model = WriteVerifyModel(1, 1, n, t.max_pulses, t.read_cycles, t.write_cycles)
    run = model.run(lambda r, c, p: _Cell(array, p, int(w[p, 0]), int(w[p, 1]), reads[p]))
    array.flush()
    pulses = {divmod(p, cols): kinds for (_, _, p), kinds in run.pulses.items()}
    counts = np.zeros((rows, cols), dtype=np.int64)
    for (r, c), kinds in pulses.items():
        counts[r, c] = len(kinds)
    failed = [divmod(p, cols) for (_, _, p) in run.failed]
    current = array.current().reshape(rows, cols)
    cycles = predict_cycles(job, pulses)
    return FastProgramResult(
        pulses=pulses, pulse_counts=counts, failed=failed, fail_count=run.fail_count, initial_states=x0,
        final_states=array.x.reshape(rows, cols).copy(), final_current_a=current,
        final_codes=job.adc.codes(current), reads_a={divmod(k, cols): v for k, v in reads.items()},
        cycles=cycles, programming_time_s=cycles * t.clock_period_s, seconds=time.perf_counter() - t_start)
