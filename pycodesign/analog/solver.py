"""Fast sparse nodal-analysis solver of the crossbar described by :mod:`~pycodesign.analog.circuit`.

The same :class:`~pycodesign.analog.circuit.Circuit` that the netlist writer
turns into an ngspice deck is stamped here into a conductance matrix over the
*free* nodes (wordline, bitline, 1T1R internal nodes and, with an op-amp TIA,
the sensing nodes); the input drivers, select lines and ideal-TIA sensing
nodes are fixed voltages (Dirichlet nodes) that move to the right-hand side.

* **Linear arrays** (``linear`` devices, 1R): exact.  The matrix is factorised
  once (``scipy.sparse.linalg.splu``) and the output currents are a linear map
  of the inputs, ``I = v_in · Tᵀ``; ``T`` (columns × inputs) is computed with
  min(inputs, columns) triangular solves (primal or adjoint), so any number of
  input vectors costs one dense matrix product.  Batches smaller than that
  are solved directly as a multi-column right-hand side.
* **Nonlinear arrays** (e.g. QMM devices, or 1T1R access transistors):
  iterations on the nodal equations with each device's current from its
  registry ``Reference.current`` (``didv`` for Jacobians) and the level-1
  MOSFET equations of :mod:`~pycodesign.analog.mosfet`, starting from the
  linearised circuit's solution (factorised once for all vectors).  First
  *chord* (modified-Newton) iterations: one Jacobian at the batch-median
  operating point, factorised once, reused for every vector — one model
  evaluation per iteration, which is what costs most for implicit models
  such as the QMM's Lambert-W current.  Vectors whose steps stop shrinking
  fast continue with full Newton, solved together as one block-diagonal
  sparse system per iteration.  Converged vectors drop out; the stopping
  test is on the node-voltage step (default 1e-13 V), so the result is
  converged to solver precision, not to a loose tolerance.

Capacitances do not enter DC solutions; :func:`transient_linear` integrates
them (backward Euler) for linear arrays.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..errors import ConvergenceError
from .circuit import Circuit, CrossbarSpec, build_circuit, check_finite_array, is_linear_model
from .mosfet import mos1_currents

__all__ = [
    "SolverConvergenceError",
    "CrossbarResult",
    "CrossbarSolver",
    "check_inputs",
    "transient_linear",
]


class SolverConvergenceError(ConvergenceError):
    """Newton iterations of the fast solver did not converge (names the input vectors)."""


@dataclass
class CrossbarResult:
    """Result of one batch through a crossbar (either engine).

    Attributes
    ----------
    outputs : array (batch, outputs)
        Output currents (A): column currents combined by the differential scheme.
    column_currents : array (batch, physical columns)
        Current sensed at each physical column (A): the current into the
        sensing node (ideal TIA) or the op-amp TIA's estimate −V_out/R_f.
    node_voltages : array (batch, nodes) or None
        Every node's voltage (V), in :attr:`Circuit.node_names` order, when asked for.
    engine : str
        ``"solver"`` or ``"spice"``.
    seconds : float
        Wall time of the solve (s).
    iterations : array (batch,) or None
        Newton iterations per vector (nonlinear solver only).
    files : dict
        Netlist, raw file and log paths (SPICE runs with a work folder).
    """

    outputs: np.ndarray
    column_currents: np.ndarray
    node_voltages: np.ndarray | None = None
    engine: str = "solver"
    seconds: float = 0.0
    iterations: np.ndarray | None = None
    files: dict = field(default_factory=dict)


def check_inputs(circuit: Circuit, v_in, name: str = "v_in") -> np.ndarray:
    """``v_in`` as (batch, rows) float64; ``ValueError`` naming a wrong length or a bad value."""
    arr = check_finite_array(name, v_in, unit="V")
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (batch, rows) = (batch, {circuit.n_inputs}); got {arr.shape}")
    if arr.shape[1] != circuit.n_inputs:
        raise ValueError(f"{name} has {arr.shape[1]} values per input vector but the crossbar has "
                         f"{circuit.n_inputs} rows (wordlines); expected shape (batch, {circuit.n_inputs})")
    return arr


def _lu_solve(lu, rhs: np.ndarray, trans: str = "N") -> np.ndarray:
    """``lu.solve`` for a 2-D right-hand side, in column blocks.

    SuperLU's multi-RHS solve in scipy slows down superlinearly with the
    number of columns (1000 columns of a 2560-node crossbar: 5 s at once,
    0.12 s in blocks of 16), so the columns go through in small blocks.
    """
    if rhs.ndim == 1:
        return lu.solve(rhs, trans=trans)
    n, k = rhs.shape
    blk = int(min(16, max(4, 2 ** int(np.log2(max(65536 // max(n, 1), 1))))))
    if k <= blk:
        return lu.solve(np.asfortranarray(rhs), trans=trans)
    out = np.empty((n, k))
    for j in range(0, k, blk):
        out[:, j:j + blk] = lu.solve(np.asfortranarray(rhs[:, j:j + blk]), trans=trans)
    return out


def _coo_laplacian(n: int, a, b, g) -> sp.csr_matrix:
    rows = np.concatenate([a, b, a, b])
    cols = np.concatenate([a, b, b, a])
    vals = np.concatenate([g, g, -g, -g])
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, n))


class CrossbarSolver:
    """Nodal-analysis solver of one crossbar; build once, solve many batches.

    Parameters
    ----------
    spec : CrossbarSpec or Circuit
    max_iter : int
        Newton iteration limit per input vector.
    chord_iter : int
        Chord (shared-Jacobian) iterations before a vector falls back to Newton.
    v_tol : float
        Newton converges when no node voltage moves by more than
        ``v_tol · max(1 V, max |fixed voltage|)``.
    chunk_unknowns : int
        Upper bound on the size of one block-diagonal Newton system.
    chunk_nodes : int
        Upper bound on batch × nodes held in memory at once (nonlinear solves).
    """

    def __init__(self, spec: CrossbarSpec | Circuit, *, max_iter: int = 100, v_tol: float = 1e-13,
                 chord_iter: int = 40, chunk_unknowns: int = 300_000, chunk_nodes: int = 20_000_000):
        self.circuit = spec if isinstance(spec, Circuit) else build_circuit(spec)
        c = self.circuit
        s = c.spec
        self.spec = s
        self.model = s.model
        self.params = s.params
        self.max_iter = int(max_iter)
        self.chord_iter = int(chord_iter)
        self.v_tol = float(v_tol)
        self.chunk_unknowns = int(chunk_unknowns)
        self.chunk_nodes = int(chunk_nodes)
        self._D_dev = None
        self._D_fet = None
        n = c.n_nodes
        self.fixed = c.fixed_nodes()
        is_fixed = np.zeros(n, dtype=bool)
        is_fixed[self.fixed] = True
        self.free = np.flatnonzero(~is_fixed)
        self.pos = np.full(n, -1, dtype=np.int64)  # index among free nodes
        self.pos[self.free] = np.arange(len(self.free))
        self.fpos = np.full(n, -1, dtype=np.int64)  # index among fixed nodes
        self.fpos[self.fixed] = np.arange(len(self.fixed))
        self.device_linear = is_linear_model(self.model)
        self.nonlinear = (not self.device_linear) or len(c.fet_d) > 0

        # Linear stamps: wires, linear devices, op-amp TIA input conductance.
        la, lb, lg = [c.res_a], [c.res_b], [c.res_g]
        if self.device_linear:
            la.append(c.dev_a)
            lb.append(c.dev_b)
            lg.append(c.dev_state)
        G = _coo_laplacian(n, np.concatenate(la), np.concatenate(lb), np.concatenate(lg))
        if not c.sense_fixed:  # op-amp TIA at DC: conductance (1 + A0)/R_f from the sensing node to ground
            m = len(c.sense_node)
            G = G + sp.csr_matrix((np.full(m, s.tia.dc_input_conductance_s), (c.sense_node, c.sense_node)),
                                  shape=(n, n))
        self.G = G.tocsr()
        self.G_XX = self.G[self.free][:, self.free].tocsc()
        self._GXX_coo = self.G_XX.tocoo()
        self.G_XF = self.G[self.free][:, self.fixed].tocsr()

        # Output functional: column current = L_X x + L_F u_F (+ nonlinear terms for ideal TIA).
        if c.sense_fixed:
            Gs = self.G[c.sense_node]
            self.L_X = -Gs[:, self.free].tocsr()
            self.L_F = -Gs[:, self.fixed].tocsr()
        else:
            k = s.tia.gain / s.tia.r_f_ohm
            m = len(c.sense_node)
            self.L_X = sp.csr_matrix((np.full(m, k), (np.arange(m), self.pos[c.sense_node])),
                                     shape=(m, len(self.free)))
            self.L_F = sp.csr_matrix((m, len(self.fixed)))
        # Inputs -> fixed node voltages: u_F = S v + u0.
        m_in = c.n_inputs
        self.S = sp.csr_matrix((c.src_sign, (self.fpos[c.src_node], c.src_input)), shape=(len(self.fixed), m_in))
        self.u0 = np.zeros(len(self.fixed))
        if len(c.gate_node):
            self.u0[self.fpos[c.gate_node]] = s.transistor.v_gate_v
        self._lu = None
        self._T = None
        self._lu0 = None

    # ------------------------------------------------------------------ helpers

    @property
    def n_free(self) -> int:
        return len(self.free)

    def _factor(self, A: sp.csc_matrix):
        if A.shape[0] == 0:
            return None
        try:
            # Minimum degree on A + A^T: the nodal matrix is structurally symmetric, and this
            # ordering gives ~25 % less fill than COLAMD on crossbars (and ~2x faster solves).
            return spla.splu(A.tocsc(), permc_spec="MMD_AT_PLUS_A")
        except RuntimeError as exc:  # "Factor is exactly singular"
            raise SolverConvergenceError(
                f"the crossbar's nodal matrix is singular ({exc}): some node has no DC path "
                "(e.g. a zero-conductance device behind a cut-off access transistor)") from None

    def _fixed_voltages(self, v: np.ndarray) -> np.ndarray:
        """(batch, n_fixed) fixed-node voltages."""
        return (self.S @ v.T).T + self.u0

    def transfer_matrix(self) -> np.ndarray:
        """Linear arrays: ``T`` (physical columns × inputs) with column currents = ``v_in @ T.T``."""
        if self.nonlinear:
            raise ValueError("transfer_matrix: the array is nonlinear (device or access transistor); "
                             "use solve()")
        if self._T is None:
            GS = (self.G_XF @ self.S)  # (nX, n_in)
            base = (self.L_F @ self.S).toarray()
            if self.n_free == 0:
                self._T = base
            else:
                if self._lu is None:
                    self._lu = self._factor(self.G_XX)
                n_in, n_col = GS.shape[1], self.L_X.shape[0]
                if n_col <= n_in:  # adjoint: one solve per column
                    W = _lu_solve(self._lu, self.L_X.T.toarray(), trans="T")  # (nX, n_col)
                    self._T = base - (GS.T @ W).T
                else:
                    Y = _lu_solve(self._lu, GS.toarray())  # (nX, n_in)
                    self._T = base - self.L_X @ Y
        return self._T

    # ------------------------------------------------------------------ linear

    def _solve_linear(self, v: np.ndarray, want_nodes: bool):
        c = self.circuit
        uF = self._fixed_voltages(v)
        if not want_nodes and v.shape[0] >= min(c.n_inputs, len(c.sense_node)):
            cols = v @ self.transfer_matrix().T
            return cols, None
        if self.n_free:
            if self._lu is None:
                self._lu = self._factor(self.G_XX)
            x = _lu_solve(self._lu, -(self.G_XF @ uF.T))
            x = x.T if x.ndim == 2 else x[None, :]
        else:
            x = np.zeros((v.shape[0], 0))
        cols = (self.L_X @ x.T).T + (self.L_F @ uF.T).T
        nodes = None
        if want_nodes:
            nodes = np.zeros((v.shape[0], c.n_nodes))
            nodes[:, self.free] = x
            nodes[:, self.fixed] = uF
        return cols, nodes

    # ------------------------------------------------------------------ nonlinear

    def _incidence(self, plus: np.ndarray, minus: np.ndarray | None = None) -> sp.csr_matrix:
        """(elements × nodes) matrix with +1 at ``plus`` (and −1 at ``minus``)."""
        m = len(plus)
        rows = np.arange(m)
        if minus is None:
            return sp.csr_matrix((np.ones(m), (rows, plus)), shape=(m, self.circuit.n_nodes))
        return sp.csr_matrix((np.r_[np.ones(m), -np.ones(m)], (np.r_[rows, rows], np.r_[plus, minus])),
                             shape=(m, self.circuit.n_nodes))

    def _nonlinear_terms(self, u: np.ndarray, *, jacobian: bool = True):
        """Nonlinear currents leaving each node (batch, n) and Jacobian triplets.

        Returns ``N`` and a list of ``(node_i, node_j, values (batch, m))``:
        ``∂N[node_i]/∂u[node_j]`` (empty when ``jacobian`` is False).
        """
        c = self.circuit
        B, n = u.shape
        N = np.zeros((B, n))
        jac = []
        if not self.device_linear:
            if self._D_dev is None:
                self._D_dev = self._incidence(c.dev_a, c.dev_b)
            a, b = c.dev_a, c.dev_b
            v = u[:, a] - u[:, b]
            x = np.broadcast_to(c.dev_state, v.shape)
            ref = self.model.reference
            i = np.asarray(ref.current(v.ravel(), x.ravel(), self.params), dtype=float).reshape(v.shape)
            ok = np.all(np.isfinite(i))
            if jacobian:
                g = np.asarray(ref.didv(v.ravel(), x.ravel(), self.params), dtype=float).reshape(v.shape)
                ok = ok and np.all(np.isfinite(g))
                jac += [(a, a, g), (a, b, -g), (b, a, -g), (b, b, g)]
            if not ok:
                raise SolverConvergenceError(f"device model {self.model.name!r} returned a non-finite current "
                                             "or conductance during Newton iterations")
            N += (self._D_dev.T @ i.T).T
        if len(c.fet_d):
            if self._D_fet is None:
                self._D_fet = (self._incidence(c.fet_d), self._incidence(c.fet_s))
            t = self.spec.transistor
            d, gg, s_ = c.fet_d, c.fet_g, c.fet_s
            id_, ib, J = mos1_currents(u[:, d], u[:, gg], u[:, s_], 0.0, t)
            N += (self._D_fet[0].T @ id_.T).T - (self._D_fet[1].T @ (id_ + ib).T).T
            if jacobian:
                for (ti, tj), val in J.items():
                    if tj == "b":
                        continue  # bulk is ground (fixed)
                    ni = d if ti == "d" else s_
                    nj = {"d": d, "g": gg, "s": s_}[tj]
                    jac.append((ni, nj, val))
        return N, jac

    def _residual(self, u: np.ndarray, uF: np.ndarray, N: np.ndarray) -> np.ndarray:
        """KCL residual at the free nodes (batch, nX): currents leaving each node."""
        return (self.G_XX @ u[:, self.free].T).T + (self.G_XF @ uF.T).T + N[:, self.free]

    def _assemble(self, jac, nvec: int) -> sp.csc_matrix:
        """Block-diagonal Jacobian of ``nvec`` vectors: G_XX + nonlinear stamps (free rows/cols)."""
        nX = self.n_free
        GXX = self._GXX_coo
        off = (np.arange(nvec) * nX)[:, None]
        rows = [(GXX.row[None, :] + off).ravel()]
        cols = [(GXX.col[None, :] + off).ravel()]
        vals = [np.broadcast_to(GXX.data, (nvec, GXX.nnz)).ravel()]
        for ni, nj, val in jac:
            pi, pj = self.pos[ni], self.pos[nj]
            keep = (pi >= 0) & (pj >= 0)
            if not keep.any():
                continue
            rows.append((pi[keep][None, :] + off).ravel())
            cols.append((pj[keep][None, :] + off).ravel())
            vals.append(val[:, keep].ravel())
        return sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(nvec * nX, nvec * nX))

    def _initial_guess(self, v: np.ndarray) -> np.ndarray:
        """Free-node voltages of the circuit with nonlinear elements replaced by chord conductances."""
        c = self.circuit
        if self._lu0 is None:
            la, lb, lg = [], [], []
            if not self.device_linear:
                v0 = max(float(self._v_scale), 1e-3) * 0.5
                ref = self.model.reference
                i0 = np.asarray(ref.current(np.full(c.dev_state.shape, v0), c.dev_state, self.params), dtype=float)
                g0 = np.maximum(np.abs(i0 / v0), 1e-15)
                la.append(c.dev_a)
                lb.append(c.dev_b)
                lg.append(g0)
            if len(c.fet_d):
                t = self.spec.transistor
                gon = max(t.beta_a_per_v2 * (t.v_gate_v - t.vto_v), 1e-12)
                la.append(c.fet_d)
                lb.append(c.fet_s)
                lg.append(np.full(len(c.fet_d), gon))
            Gn = _coo_laplacian(c.n_nodes, np.concatenate(la), np.concatenate(lb), np.concatenate(lg))
            G0 = (self.G + Gn).tocsr()
            self._G0_XF = G0[self.free][:, self.fixed].tocsr()
            self._lu0 = self._factor(G0[self.free][:, self.free].tocsc())
        uF = self._fixed_voltages(v)
        x = _lu_solve(self._lu0, -(self._G0_XF @ uF.T))
        return x.T if x.ndim == 2 else x[None, :]

    def _solve_nonlinear_chunk(self, v: np.ndarray, first_index: int):
        """Node voltages of a chunk of input vectors: chord iterations, then Newton for stragglers.

        Chord (modified Newton): one Jacobian, evaluated at the batch-median
        operating point, factorised once and reused for every vector and
        iteration — one device-model evaluation per iteration.  Vectors whose
        steps stop shrinking by at least 2x per iteration (strong
        nonlinearity) continue with full Newton, one block-diagonal
        factorisation per iteration over those vectors.  Both stop when no
        free node moves by more than the tolerance.
        """
        c = self.circuit
        B = v.shape[0]
        nX = self.n_free
        uF = self._fixed_voltages(v)
        u = np.zeros((B, c.n_nodes))
        u[:, self.fixed] = uF
        iters = np.zeros(B, dtype=np.int64)
        if nX == 0:
            N, _ = self._nonlinear_terms(u, jacobian=False)
            return u, N, iters
        u[:, self.free] = self._initial_guess(v)
        tol = self.v_tol * max(1.0, float(np.max(np.abs(uF))) if uF.size else 1.0)
        dv_max = max(0.1, 0.5 * float(self._v_scale))

        # ---- chord phase
        u_med = np.median(u, axis=0)[None, :]
        _, jac = self._nonlinear_terms(u_med)
        lu_c = self._factor(self._assemble(jac, 1))
        active = np.arange(B)
        prev = np.full(B, np.inf)
        newton = np.zeros(B, dtype=bool)
        for it in range(1, self.chord_iter + 1):
            ua = u[active]
            N, _ = self._nonlinear_terms(ua, jacobian=False)
            F = self._residual(ua, uF[active], N)
            dx = -_lu_solve(lu_c, F.T)
            dx = (dx.T if dx.ndim == 2 else dx[None, :])
            step = np.max(np.abs(dx), axis=1)
            bad = ~np.isfinite(step)
            slow = ~bad & (step > 0.5 * prev[active]) & (step > tol)
            move = ~bad & ~slow
            alpha = np.minimum(1.0, dv_max / np.maximum(step, 1e-300))
            sel = active[move]
            u[sel[:, None], self.free[None, :]] = ua[move][:, self.free] + alpha[move, None] * dx[move]
            iters[active] = it
            prev[active] = step
            newton[active[bad | slow]] = True
            done = move & (step <= tol)
            active = active[~done & move]
            if active.size == 0:
                break
        newton[active] = True  # chord iteration budget exhausted

        # ---- Newton phase for the vectors the chord did not settle
        todo = np.flatnonzero(newton)
        if todo.size:
            fresh = todo[~np.isfinite(prev[todo])]
            if fresh.size:
                u[fresh[:, None], self.free[None, :]] = self._initial_guess(v[fresh])
            chunk = max(1, self.chunk_unknowns // max(nX, 1))
            for s0 in range(0, todo.size, chunk):
                idx = todo[s0:s0 + chunk]
                self._newton(u, uF, idx, iters, tol, dv_max, first_index)
        N, _ = self._nonlinear_terms(u, jacobian=False)
        return u, N, iters

    def _newton(self, u, uF, idx, iters, tol, dv_max, first_index):
        """Full Newton (block-diagonal Jacobian) on the vectors ``idx`` of the chunk, in place."""
        nX = self.n_free
        active = idx.copy()
        for it in range(1, self.max_iter + 1):
            ua = u[active]
            Ba = len(active)
            N, jac = self._nonlinear_terms(ua)
            F = self._residual(ua, uF[active], N)
            lu = self._factor(self._assemble(jac, Ba))
            dx = -lu.solve(F.ravel()).reshape(Ba, nX)
            step = np.max(np.abs(dx), axis=1)
            if not np.all(np.isfinite(step)):
                bad = active[~np.isfinite(step)] + first_index
                raise SolverConvergenceError(f"Newton step is not finite for input vector(s) {bad[:10].tolist()}")
            alpha = np.minimum(1.0, dv_max / np.maximum(step, 1e-300))
            u[active[:, None], self.free[None, :]] = ua[:, self.free] + alpha[:, None] * dx
            iters[active] += 1
            active = active[step > tol]
            if active.size == 0:
                return
        bad = (active + first_index).tolist()
        raise SolverConvergenceError(
            f"fast solver: Newton did not converge in {self.max_iter} iterations for "
            f"{len(bad)} input vector(s), e.g. {bad[:10]}; device {self.model.name!r}")

    # ------------------------------------------------------------------ public

    def solve(self, v_in, *, return_nodes: bool = False,
              progress: Callable[[int, int], None] | None = None) -> CrossbarResult:
        """Output currents for every input vector (rows of ``v_in``, volts).

        Parameters
        ----------
        v_in : array (batch, rows)
        return_nodes : bool
            Also return every node voltage (memory: batch × nodes doubles).
        progress : callable(done, total) or None
            Called after each chunk of nonlinear solves.
        """
        t0 = time.perf_counter()
        c = self.circuit
        v = check_inputs(c, v_in)
        self._v_scale = float(np.max(np.abs(v))) if v.size else 0.0
        if len(c.gate_node):
            self._v_scale = max(self._v_scale, abs(self.spec.transistor.v_gate_v))
        iters = None
        if not self.nonlinear:
            cols, nodes = self._solve_linear(v, return_nodes)
        else:
            chunk = max(1, self.chunk_nodes // c.n_nodes)
            cols = np.zeros((v.shape[0], c.n_columns))
            nodes = np.zeros((v.shape[0], c.n_nodes)) if return_nodes else None
            iters = np.zeros(v.shape[0], dtype=np.int64)
            for start in range(0, v.shape[0], chunk):
                sl = slice(start, min(start + chunk, v.shape[0]))
                u, N, it = self._solve_nonlinear_chunk(v[sl], start)
                iters[sl] = it
                if c.sense_fixed:
                    cols[sl] = -(self.G[c.sense_node] @ u.T).T - N[:, c.sense_node]
                else:
                    cols[sl] = (self.L_X @ u[:, self.free].T).T
                if return_nodes:
                    nodes[sl] = u
                if progress:
                    progress(sl.stop, v.shape[0])
        outputs = cols @ c.out_matrix.T
        return CrossbarResult(outputs=outputs, column_currents=cols, node_voltages=nodes, engine="solver",
                              seconds=time.perf_counter() - t0, iterations=iters)


def transient_linear(spec: CrossbarSpec | Circuit, v_step, *, t_stop_s: float, n_steps: int = 2000):
    """Backward-Euler step response of a *linear* array with its parasitic capacitances.

    The inputs step from 0 V to ``v_step`` (rows,) at t = 0; ideal TIA only
    (op-amp dynamics are simulated by ngspice, see
    :func:`pycodesign.analog.metrics.settling_time`).

    Returns
    -------
    t : array (n_steps + 1,)
    column_currents : array (n_steps + 1, physical columns)
    """
    circuit = spec if isinstance(spec, Circuit) else build_circuit(spec)
    solver = CrossbarSolver(circuit)
    if solver.nonlinear:
        raise ValueError("transient_linear: only linear 1R arrays; use ngspice for nonlinear transients")
    if not circuit.sense_fixed:
        raise ValueError("transient_linear: only the ideal TIA; use ngspice for the op-amp TIA")
    v = check_inputs(circuit, v_step, "v_step")
    if v.shape[0] != 1:
        raise ValueError("transient_linear: v_step must be one input vector")
    n = circuit.n_nodes
    Cm = _coo_laplacian(n, circuit.cap_a, circuit.cap_b, circuit.cap_c)
    free, fixed = solver.free, solver.fixed
    h = t_stop_s / n_steps
    C_XX = Cm[free][:, free]
    C_XF = Cm[free][:, fixed]
    A = (solver.G_XX + C_XX / h).tocsc()
    lu = solver._factor(A)
    uF = solver._fixed_voltages(v)[0]
    x = np.zeros(len(free))  # all nodes start at 0 V; inputs jump at t = 0+
    uF_prev = np.zeros_like(uF)
    t = np.linspace(0.0, t_stop_s, n_steps + 1)
    out = np.zeros((n_steps + 1, circuit.n_columns))
    Cs = Cm[circuit.sense_node]
    Cs_X, Cs_F = Cs[:, free].tocsr(), Cs[:, fixed].tocsr()
    Gs_X = solver.G[circuit.sense_node][:, free].tocsr()
    Gs_F = solver.G[circuit.sense_node][:, fixed].tocsr()
    C_XX = C_XX.tocsr()
    C_XF = C_XF.tocsr()
    for k in range(1, n_steps + 1):
        rhs = -(solver.G_XF @ uF) + (C_XX @ x) / h - (C_XF @ (uF - uF_prev)) / h
        x_new = lu.solve(rhs)
        # current into the sense node: resistive part plus capacitive (displacement) part
        res = -(Gs_X @ x_new + Gs_F @ uF)
        cap = -(Cs_X @ (x_new - x) + Cs_F @ (uF - uF_prev)) / h
        out[k] = res + cap
        x, uF_prev = x_new, uF
    return t, out
