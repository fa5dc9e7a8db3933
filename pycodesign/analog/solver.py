"""Fast nodal-analysis solver of the crossbar described by :mod:`~pycodesign.analog.circuit`.

The same :class:`~pycodesign.analog.circuit.Circuit` that the netlist writer
turns into an ngspice deck is stamped here into a conductance matrix over the
*free* nodes (wordline, bitline, 1T1R internal nodes and, with an op-amp TIA,
the sensing nodes); the input drivers, select lines and ideal-TIA sensing
nodes are fixed voltages (Dirichlet nodes) that move to the right-hand side.
With the fixed voltages eliminated the matrix of a linear array is symmetric
positive definite.

* **Linear arrays** (``linear`` devices, 1R): exact.  The output currents are
  a linear map of the inputs, ``I = v_in · Tᵀ``, so any number of input
  vectors costs one dense product once ``T`` (columns × inputs) is known.
  ``T`` only involves the *boundary* free nodes B next to a driver or a
  sensing node: it is ``−L_B Σ⁻¹ (G_XF S)_B`` with ``Σ`` the Schur
  complement of the nodal matrix onto B (a Kron reduction).  Two ways to get
  it, recorded in :attr:`CrossbarSolver.linear_path`:

  ``"kron"`` (large arrays with many rows and columns)
      Geometric nested dissection of the cell grid (bisections alternating
      between a wordline column and a bitline row, each a vertex separator).
      Subdomains of about 16 × 16 cells go through one SuperLU factorisation
      (natural nested-dissection order, no pivoting) with copies of their
      separator nodes as extra rows, whose factor rows ``L21`` give each
      subdomain's update ``−L21 D L21ᵀ`` as one dense product; the separators
      above them are dense fronts eliminated with LAPACK/BLAS-3 (Cholesky,
      triangular solve, rank-k update) up to the dense ``Σ`` on B.  About 15x faster than the solves
      below on a 256 × 256 array; the symbolic part (tree, structures, index
      maps) is kept for the last few topologies, so re-solving an
      architecture with new weights skips it.
  ``"sparse_lu"`` (small or narrow arrays, and the fallback)
      One SuperLU factorisation and min(inputs, columns) solves.

* **Nonlinear arrays** (e.g. QMM devices, or 1T1R access transistors):
  iterations on the nodal equations with each device's current from its
  registry ``Reference`` (``for_devices`` when the model offers a batch
  evaluator, e.g. the QMM's warm-started Lambert W) and the level-1 MOSFET
  equations of :mod:`~pycodesign.analog.mosfet`, starting from the
  linearised circuit's solution (factorised once for all vectors).  First
  *chord* (modified-Newton) iterations: one Jacobian at the batch-median
  operating point, factorised once, reused for every vector — one model
  evaluation per iteration, which is what costs most for implicit models
  such as the QMM's Lambert-W current.  The residual is updated from the
  change of the nonlinear currents (no full matrix product per iteration).
  Vectors whose steps stop shrinking fast continue with full Newton, solved
  together as one block-diagonal sparse system per iteration.  Converged
  vectors drop out; the stopping test is on the node-voltage step (default
  1e-13 V), so the result is converged to solver precision, not to a loose
  tolerance.  The chord systems (symmetric for 1R cells) are solved as block
  tridiagonal over cell rows (or columns) with dense BLAS-3 blocks when the
  blocks are small, else by SuperLU; :attr:`CrossbarSolver.chord_path` says
  which.

Dense kernels run with one BLAS thread (``threadpoolctl``): on these small
blocks two threads only contend (a 256 × 256 Cholesky: 0.45 ms on one thread,
5.9 ms on two under load).  Capacitances do not enter DC solutions;
:func:`transient_linear` integrates them (backward Euler) for linear arrays.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from threadpoolctl import ThreadpoolController

from ..errors import ConvergenceError
from ..config import checks
from .circuit import Circuit, CrossbarSpec, build_circuit
from .mosfet import mos1_currents
from .structured import BlockTridiagonal, NotSuited, kron_reduce

__all__ = [
    "SolverConvergenceError",
    "CrossbarResult",
    "CrossbarSolver",
    "check_inputs",
    "transient_linear",
    "LINEAR_METHODS",
    "NONLINEAR_METHODS",
]

#: ``linear_method`` choices of :class:`CrossbarSolver`.
LINEAR_METHODS = ("auto", "kron", "sparse_lu")
#: ``nonlinear_method`` choices of :class:`CrossbarSolver` (the chord-system solver).
NONLINEAR_METHODS = ("auto", "block_tridiagonal", "sparse_lu")

# "auto" picks the transfer-matrix path by estimated single-core time (fitted on 2-core
# x86 machines, 2,600-131,000 free nodes): SuperLU costs ~0.15 µs per free node and
# solve (min(inputs, columns) solves); nested dissection ~2.5 µs per free node plus
# the dense boundary system at ~20 GFlop/s, plus a few ms of set-up.
_SPARSE_LU_S_PER_NODE_SOLVE = 1.5e-7
_KRON_S_PER_NODE = 2.5e-6
_KRON_S_FIXED = 3e-3
_DENSE_FLOP_PER_S = 2e10
# The Schur complement on the boundary is dense; more boundary nodes than this
# (e.g. one row partition per row) would make it the dominant cost.
_KRON_MAX_BOUNDARY = 4096
# Block-tridiagonal chord solver: largest block (nodes) and border (nodes on no cell).
_BT_MAX_BLOCK = 96
_BT_MAX_BORDER = 512
# The chord Jacobian sits at the median operating point of at most this many vectors (evenly spaced).
_MEDIAN_SAMPLE = 129


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
    arr = checks.finite_array(name, v_in, unit="V")
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


_BLAS = None


def _one_blas_thread():
    """Context limiting numpy's and scipy's BLAS to one thread (they contend on small blocks)."""
    global _BLAS
    if _BLAS is None:  # scanning the loaded libraries costs ~1 ms; do it once
        _BLAS = ThreadpoolController()
    return _BLAS.limit(limits=1, user_api="blas")


def _free_node_cells(circuit: Circuit, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cell (physical row, column) of every free node; −1 for nodes on no single cell.

    Wordline, bitline and 1T1R internal nodes belong to the cell of their
    device; a node merged over several cells (zero wire resistance) or on no
    cell (an op-amp sensing node) gets −1.
    """
    c = circuit
    nodes = np.concatenate([c.dev_a, c.dev_b, c.fet_d, c.fet_s])
    rows = np.concatenate([c.dev_row, c.dev_row, c.fet_row, c.fet_row])
    cols = np.concatenate([c.dev_col, c.dev_col, c.fet_col, c.fet_col])
    p = pos[nodes]
    keep = p >= 0
    p, rows, cols = p[keep], rows[keep], cols[keep]
    n = int(pos.max()) + 1 if pos.size else 0
    r = np.full(n, -1, dtype=np.int64)
    k = np.full(n, -1, dtype=np.int64)
    r[p] = rows
    k[p] = cols
    clash = (r[p] != rows) | (k[p] != cols)  # the last write differs from some other cell
    r[p[clash]] = -1
    k[p[clash]] = -1
    return r, k


class _LUSystem:
    """SuperLU factorisation with the same ``solve(F)`` interface (columns in blocks)."""

    def __init__(self, lu):
        self.lu = lu

    def solve(self, F: np.ndarray) -> np.ndarray:
        return _lu_solve(self.lu, F)


class _ReferenceDevices:
    """Batch evaluator for models without their own: the registry ``Reference`` on flat arrays.

    The protocol (also :class:`~pycodesign.devices.models.qmm.QmmDevices`):
    ``current(v, w)`` for voltages (devices, batch) returns the currents and a
    warm start for the next call (None here); ``conductance(v, w)`` gives
    dI/dV at the voltages of the last ``current`` call.
    """

    def __init__(self, ref, x, p):
        self.ref, self.x, self.p = ref, np.asarray(x, dtype=float).reshape(-1, 1), p

    def _flat(self, fn, v):
        v = np.asarray(v, dtype=float)
        x = np.broadcast_to(self.x, v.shape)
        return np.asarray(fn(v.ravel(), x.ravel(), self.p), dtype=float).reshape(v.shape)

    def current(self, v, w=None):
        return self._flat(self.ref.current, v), None

    def conductance(self, v, w=None):
        return self._flat(self.ref.didv, v)


# ---------------------------------------------------------------------------- the solver


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
    linear_method : {"auto", "kron", "sparse_lu"}
        How :meth:`transfer_matrix` is computed for a linear array (see the
        module doc).  ``"auto"``: ``"kron"`` when it applies (at most 4096
        boundary nodes) and is estimated faster — arrays with many columns
        and rows, e.g. from about 64 × 64 on; narrow or small arrays go
        through ``"sparse_lu"``.
        ``"kron"`` forces the nested-dissection path (``ValueError`` if it
        does not apply).
    nonlinear_method : {"auto", "block_tridiagonal", "sparse_lu"}
        How the chord and initial-guess systems of a nonlinear array are
        solved.  ``"auto"``: block tridiagonal when the Jacobian is symmetric
        (1R cells) and a cell row or column holds at most 96 free nodes,
        else SuperLU.

    Attributes
    ----------
    linear_path : str or None
        Path that computed the transfer matrix: ``"kron"``, ``"sparse_lu"``
        or ``"none"`` (no free node); None before :meth:`transfer_matrix`.
    linear_path_note : str
        Why ``"auto"`` did not take the ``"kron"`` path ("" when it did).
    chord_path : str or None
        ``"block_tridiagonal"`` or ``"sparse_lu"`` once a nonlinear batch ran.
    """

    def __init__(self, spec: CrossbarSpec | Circuit, *, max_iter: int = 100, v_tol: float = 1e-13,
                 chord_iter: int = 40, chunk_unknowns: int = 300_000, chunk_nodes: int = 20_000_000,
                 linear_method: str = "auto", nonlinear_method: str = "auto"):
        if linear_method not in LINEAR_METHODS:
            raise ValueError(f"CrossbarSolver: linear_method = {linear_method!r} is not allowed; must be one of "
                             + ", ".join(repr(m) for m in LINEAR_METHODS))
        if nonlinear_method not in NONLINEAR_METHODS:
            raise ValueError(f"CrossbarSolver: nonlinear_method = {nonlinear_method!r} is not allowed; must be "
                             "one of " + ", ".join(repr(m) for m in NONLINEAR_METHODS))
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
        self.linear_method = linear_method
        self.nonlinear_method = nonlinear_method
        self.linear_path: str | None = None
        self.linear_path_note = ""
        self.chord_path: str | None = None
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
        self.device_linear = self.model.linear
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
        self._cells = None
        self._nl = None  # nonlinear set-up (ordering, permuted matrices, incidences, evaluator)
        self._sys0 = None  # factorised linearised circuit (initial guess)
        self._ev = None  # the devices' batch evaluator

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

    def _node_cells(self) -> tuple[np.ndarray, np.ndarray]:
        if self._cells is None:
            self._cells = _free_node_cells(self.circuit, self.pos)
        return self._cells

    # ------------------------------------------------------------------ linear

    def _kron_unsuited(self, GS: sp.csr_matrix) -> str:
        """Why the nested-dissection path does not apply or (``"auto"``) would be slower ("" when
        it is taken); sets the boundary."""
        n_in, n_col = GS.shape[1], self.L_X.shape[0]
        t_lu = _SPARSE_LU_S_PER_NODE_SOLVE * self.n_free * min(n_in, n_col)
        t_kron = _KRON_S_FIXED + _KRON_S_PER_NODE * self.n_free
        auto = self.linear_method == "auto"
        if auto and t_kron >= t_lu:
            return (f"{self.n_free} free nodes and {min(n_in, n_col)} solves: SuperLU is estimated faster "
                    f"({t_lu * 1e3:.1f} ms vs >= {t_kron * 1e3:.1f} ms)")
        row, col = self._node_cells()
        keep = (row < 0) | (col < 0)
        keep[np.unique(GS.tocoo().row)] = True  # next to a driver
        keep[np.unique(self.L_X.tocoo().col)] = True  # next to (or being) a sensing node
        nb = int(keep.sum())
        if nb > _KRON_MAX_BOUNDARY:
            return (f"{nb} boundary nodes (next to a driver or a sensing node, or on no cell) exceed "
                    f"{_KRON_MAX_BOUNDARY}; the dense boundary system would dominate")
        t_kron += (nb ** 3 / 3 + 2.0 * nb * nb * n_in) / _DENSE_FLOP_PER_S
        if auto and t_kron >= t_lu:
            return (f"{nb} boundary nodes for {min(n_in, n_col)} solves: SuperLU is estimated faster "
                    f"({t_lu * 1e3:.1f} ms vs {t_kron * 1e3:.1f} ms)")
        self._kron_keep = keep
        return ""

    def _kron_preferred(self) -> bool:
        """Whether :meth:`transfer_matrix` would take the nested-dissection path (then even one
        vector is cheapest through ``T``: no SuperLU factorisation of the whole array)."""
        if self.linear_method == "sparse_lu" or self.n_free == 0:
            return False
        if not hasattr(self, "_kron_why"):
            self._kron_why = self._kron_unsuited((self.G_XF @ self.S).tocsr())
        return not self._kron_why

    def _transfer_kron(self, GS: sp.csr_matrix, base: np.ndarray) -> np.ndarray:
        row, col = self._node_cells()
        with _one_blas_thread():
            kept, schur = kron_reduce(self.G_XX, row, col, self._kron_keep)
            try:
                cf = sla.cho_factor(schur, lower=True, check_finite=False)
            except np.linalg.LinAlgError:
                raise NotSuited("the boundary Schur complement is not positive definite") from None
            X = sla.cho_solve(cf, GS[kept].toarray(), check_finite=False)
            return base - np.asarray(self.L_X[:, kept] @ X)

    def _transfer_sparse_lu(self, GS: sp.csr_matrix, base: np.ndarray) -> np.ndarray:
        if self._lu is None:
            self._lu = self._factor(self.G_XX)
        n_in, n_col = GS.shape[1], self.L_X.shape[0]
        if n_col <= n_in:  # adjoint: one solve per column (G_XX is symmetric: no transposed solve)
            W = _lu_solve(self._lu, self.L_X.T.toarray())  # (nX, n_col)
            return base - (GS.T @ W).T
        Y = _lu_solve(self._lu, GS.toarray())  # (nX, n_in)
        return base - self.L_X @ Y

    def transfer_matrix(self) -> np.ndarray:
        """Linear arrays: ``T`` (physical columns × inputs) with column currents = ``v_in @ T.T``.

        Sets :attr:`linear_path` (and :attr:`linear_path_note`).
        """
        if self.nonlinear:
            raise ValueError("transfer_matrix: the array is nonlinear (device or access transistor); "
                             "use solve()")
        if self._T is None:
            GS = (self.G_XF @ self.S).tocsr()  # (nX, n_in)
            base = (self.L_F @ self.S).toarray()
            if self.n_free == 0:
                self._T, self.linear_path = base, "none"
                return self._T
            T, why = None, ""
            if self.linear_method != "sparse_lu":
                why = self._kron_why if hasattr(self, "_kron_why") else self._kron_unsuited(GS)
                if not why:
                    try:
                        T = self._transfer_kron(GS, base)
                    except NotSuited as exc:
                        why = f"nested dissection failed: {exc}"
                if why and self.linear_method == "kron":
                    raise ValueError(f"CrossbarSolver: linear_method = 'kron' does not apply to this array: "
                                     f"{why}; use 'auto' or 'sparse_lu'")
            self.linear_path_note = why
            if T is None:
                T = self._transfer_sparse_lu(GS, base)
                self.linear_path = "sparse_lu"
            else:
                self.linear_path = "kron"
            self._T = T
        return self._T

    def _solve_linear(self, v: np.ndarray, want_nodes: bool):
        c = self.circuit
        uF = self._fixed_voltages(v)
        if not want_nodes and (self._T is not None or v.shape[0] >= min(c.n_inputs, len(c.sense_node))
                               or self._kron_preferred()):
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

    def _devices(self):
        """The devices' batch evaluator: the model's own (``Reference.for_devices``, e.g. the QMM's
        warm-started Lambert W with its exact conductance) or the registry ``Reference``."""
        if self._ev is None:
            c = self.circuit
            make = getattr(self.model.reference, "for_devices", None)
            self._ev = (make(c.dev_state, self.params) if make is not None
                        else _ReferenceDevices(self.model.reference, c.dev_state, self.params))
        return self._ev

    def _nonlinear_terms(self, u: np.ndarray, *, jacobian: bool = True):
        """Nonlinear currents leaving each node (batch, n) and Jacobian triplets.

        Returns ``N`` and a list of ``(node_i, node_j, values (batch, m))``:
        ``∂N[node_i]/∂u[node_j]`` (empty when ``jacobian`` is False).  Used
        for the chord Jacobian and by full Newton; the chord iterations use
        :meth:`_nl_currents`.
        """
        c = self.circuit
        B, n = u.shape
        N = np.zeros((B, n))
        jac = []
        if not self.device_linear:
            if self._D_dev is None:
                self._D_dev = self._incidence(c.dev_a, c.dev_b)
            a, b = c.dev_a, c.dev_b
            v = (u[:, a] - u[:, b]).T  # (devices, batch), the evaluators' layout
            ev = self._devices()
            i, w = ev.current(v)
            ok = np.all(np.isfinite(i))
            i = i.T
            if jacobian:
                g = ev.conductance(v, w).T
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

    def _block_order(self):
        """Free nodes ordered by cell row (or column) for the block-tridiagonal solver.

        Returns ``(order, block bounds, border size)``, or a string saying why
        the Jacobian is not block tridiagonal with small blocks.
        """
        c = self.circuit
        row, col = self._node_cells()
        border = row < 0
        nb = int(border.sum())
        if nb > _BT_MAX_BORDER:
            return f"{nb} free nodes on no single cell (> {_BT_MAX_BORDER})"
        g = self._GXX_coo
        pi = [g.row, self.pos[c.dev_a], self.pos[c.fet_d]]
        pj = [g.col, self.pos[c.dev_b], self.pos[c.fet_s]]
        i, j = np.concatenate(pi), np.concatenate(pj)
        m = (i >= 0) & (j >= 0)
        i, j = i[m], j[m]
        m = ~border[i] & ~border[j]
        i, j = i[m], j[m]
        inner = np.flatnonzero(~border)
        best = None
        for blk in (row, col):
            if np.any(np.abs(blk[i] - blk[j]) > 1):
                continue  # couples cells two rows (columns) apart
            sizes = np.bincount(blk[inner]) if inner.size else np.zeros(0, dtype=np.int64)
            if sizes.size and sizes.max() > _BT_MAX_BLOCK:
                continue
            cost = float(np.sum(sizes.astype(float) ** 2))
            if best is None or cost < best[0]:
                best = (cost, blk)
        if best is None:
            return f"a cell row and a cell column both hold more than {_BT_MAX_BLOCK} free nodes"
        blk = best[1]
        o = inner[np.argsort(blk[inner], kind="stable")]
        bounds = (np.r_[0, np.flatnonzero(np.diff(blk[o])) + 1, len(o)] if len(o) else np.zeros(1, dtype=np.int64))
        return np.r_[o, np.flatnonzero(border)], bounds.astype(np.int64), nb

    def _nl_setup(self) -> dict:
        """Ordering of the free nodes, matrices in that order, incidences and device evaluator."""
        if self._nl is not None:
            return self._nl
        c = self.circuit
        nX, n = self.n_free, c.n_nodes
        q, bounds, ne, why = None, None, 0, ""
        if self.nonlinear_method != "sparse_lu":
            if len(c.fet_d):
                why = "the chord Jacobian of 1T1R cells is not symmetric"
            else:
                r = self._block_order()
                if isinstance(r, str):
                    why = r
                else:
                    q, bounds, ne = r
            if why and self.nonlinear_method == "block_tridiagonal":
                raise ValueError(f"CrossbarSolver: nonlinear_method = 'block_tridiagonal' does not apply: {why}; "
                                 "use 'auto' or 'sparse_lu'")
        path = "sparse_lu" if q is None else "block_tridiagonal"
        if q is None:
            q = np.arange(nX)
        ext = np.empty(n, dtype=np.int64)  # row of each node in [free nodes in order q; fixed nodes]
        ext[self.free[q]] = np.arange(nX)
        ext[self.fixed] = nX + np.arange(len(self.fixed))
        rows_q = self.free[q]
        nl = dict(q=q, bounds=bounds, ne=ne, path=path, note=why, ext=ext,
                  Gq=self.G_XX[q][:, q].tocsr(), GFq=self.G_XF[q].tocsr(), LXq=self.L_X[:, q].tocsr())
        if not self.device_linear:
            m = len(c.dev_a)
            D = sp.csr_matrix((np.r_[np.ones(m), -np.ones(m)],
                               (np.r_[c.dev_a, c.dev_b], np.r_[np.arange(m), np.arange(m)])), shape=(n, m))
            nl.update(Dq=D[rows_q], Ds=D[c.sense_node] if c.sense_fixed else None, ia=ext[c.dev_a],
                      ib=ext[c.dev_b])
            nl["ev"] = self._devices()
        if len(c.fet_d):
            m = len(c.fet_d)
            Fd = sp.csr_matrix((np.ones(m), (c.fet_d, np.arange(m))), shape=(n, m))
            Fs = sp.csr_matrix((np.ones(m), (c.fet_s, np.arange(m))), shape=(n, m))
            nl.update(FDq=Fd[rows_q], FSq=Fs[rows_q], FDs=Fd[c.sense_node], FSs=Fs[c.sense_node],
                      fd=ext[c.fet_d], fg=ext[c.fet_g], fs=ext[c.fet_s])
        self.chord_path = path
        self._nl = nl
        return nl

    def _system(self, A_q: sp.spmatrix):
        """Factorised system in the chord ordering: block tridiagonal or SuperLU (see ``chord_path``)."""
        nl = self._nl
        if nl["path"] == "block_tridiagonal":
            try:
                return BlockTridiagonal(A_q, nl["bounds"], nl["ne"])
            except NotSuited as exc:  # e.g. a device with negative differential conductance
                if self.nonlinear_method == "block_tridiagonal":
                    raise SolverConvergenceError(f"block-tridiagonal chord solver: {exc}") from None
                nl["path"] = self.chord_path = "sparse_lu"
                nl["note"] = f"block-tridiagonal factorisation failed ({exc})"
        return _LUSystem(self._factor(sp.csc_matrix(A_q)))

    def _initial_guess_q(self, uF: np.ndarray) -> np.ndarray:
        """Free-node voltages (nX, batch), chord order, of the circuit with nonlinear elements replaced
        by chord conductances."""
        c = self.circuit
        nl = self._nl_setup()
        if self._sys0 is None:
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
            rows_q = self.free[nl["q"]]
            self._G0F_q = G0[rows_q][:, self.fixed].tocsr()
            self._sys0 = self._system(G0[rows_q][:, rows_q].tocsr())
        return -self._sys0.solve(np.asarray(self._G0F_q @ uF.T))

    def _initial_guess(self, v: np.ndarray) -> np.ndarray:
        """Free-node voltages (batch, nX), free-node order, of the linearised circuit."""
        x = self._initial_guess_q(self._fixed_voltages(v))
        out = np.empty((v.shape[0], self.n_free))
        out[:, self._nl["q"]] = x.T
        return out

    def _check_currents(self, i: np.ndarray) -> None:
        if not np.isfinite(i.sum()):  # one pass: a NaN or inf anywhere makes the sum non-finite
            raise SolverConvergenceError(f"device model {self.model.name!r} returned a non-finite current "
                                         "during the chord iterations")

    def _nl_currents(self, Xe: np.ndarray, state, *, sense: bool = False):
        """Nonlinear currents leaving the free nodes, (nX, batch) in chord order.

        ``Xe`` stacks the free-node voltages (chord order) over the fixed ones,
        one column per vector; ``state`` is the device evaluator's warm start
        (None: cold).  Returns the currents, the new warm start and, with
        ``sense``, the nonlinear currents leaving fixed sensing nodes (or None).
        """
        nl = self._nl
        c = self.circuit
        N = Ns = None
        if not self.device_linear:
            y = Xe[nl["ia"]] - Xe[nl["ib"]]
            i, state = nl["ev"].current(y, state)
            self._check_currents(i)
            N = nl["Dq"] @ i
            if sense and nl["Ds"] is not None:
                Ns = nl["Ds"] @ i
        if len(c.fet_d):
            id_, ib, _ = mos1_currents(Xe[nl["fd"]], Xe[nl["fg"]], Xe[nl["fs"]], 0.0, self.spec.transistor)
            f = nl["FDq"] @ id_ - nl["FSq"] @ (id_ + ib)
            N = f if N is None else N + f
            if sense and c.sense_fixed:
                fs_ = nl["FDs"] @ id_ - nl["FSs"] @ (id_ + ib)
                Ns = fs_ if Ns is None else Ns + fs_
        if N is None:
            N = np.zeros((self.n_free, Xe.shape[1]))
        return N, state, Ns

    def _solve_nonlinear_chunk(self, v: np.ndarray, first_index: int, want_nodes: bool = False):
        """Column currents, node voltages (if asked) and iterations of a chunk of input vectors.

        Chord (modified Newton): one Jacobian, evaluated at the batch-median
        operating point, factorised once and reused for every vector and
        iteration — one device-model evaluation per iteration.  The residual
        follows from the previous one without a matrix product over the
        network: with ``J = G + Jn`` (``Jn`` the nonlinear stamps) and the step
        ``α dx`` (``J dx = −F``), ``F' = (1 − α) F + ΔN − Jn α dx``; with
        devices only, ``ΔN − Jn α dx = D (Δi − g ⊙ Δy)`` in device space.  Vectors
        whose steps stop shrinking by at least 2x per iteration (strong
        nonlinearity) continue with full Newton, one block-diagonal
        factorisation per iteration over those vectors.  Both stop when no
        free node moves by more than the tolerance.
        """
        c = self.circuit
        B = v.shape[0]
        nX, nF = self.n_free, len(self.fixed)
        uF = self._fixed_voltages(v)
        iters = np.zeros(B, dtype=np.int64)
        if nX == 0:
            u = np.zeros((B, c.n_nodes))
            u[:, self.fixed] = uF
            N, _ = self._nonlinear_terms(u, jacobian=False)
            cols = -(self.G[c.sense_node] @ u.T).T - N[:, c.sense_node]
            return cols, (u if want_nodes else None), iters
        nl = self._nl_setup()
        q = nl["q"]
        tol = self.v_tol * max(1.0, float(np.max(np.abs(uF))) if uF.size else 1.0)
        dv_max = max(0.1, 0.5 * float(self._v_scale))
        with _one_blas_thread():
            Xall = self._initial_guess_q(uF)  # (nX, B), chord order; final voltages end up here

            # ---- chord phase
            u_med = np.zeros((1, c.n_nodes))
            sample = np.linspace(0, B - 1, min(B, _MEDIAN_SAMPLE)).astype(np.int64)  # enough for a median
            u_med[0, self.free[q]] = np.median(Xall[:, sample], axis=1)
            u_med[0, self.fixed] = np.median(uF[sample], axis=0)
            _, jac = self._nonlinear_terms(u_med)
            Jq = self._assemble(jac, 1)[q][:, q].tocsr()
            system = self._system(Jq)
            # Residual update without a product over the network (see the docstring).  With
            # devices only, Jn α dx = D g (D α dx) = D (g ⊙ Δy): everything in device space.
            dev_only = not self.device_linear and not len(c.fet_d)
            if dev_only:
                g_med = jac[0][2].reshape(-1, 1)  # stamps (a, a, g): the chord conductances
            else:
                Jn = (Jq - nl["Gq"]).tocsr()  # the nonlinear stamps of the chord Jacobian
            Xe = np.empty((nX + nF, B))
            Xe[:nX] = Xall
            Xe[nX:] = uF.T
            X = Xe[:nX]
            if dev_only:
                y = Xe[nl["ia"]] - Xe[nl["ib"]]
                i, st = nl["ev"].current(y, None)
                self._check_currents(i)
                N = nl["Dq"] @ i
            else:
                N, st, _ = self._nl_currents(Xe, None)
            st_all = None if st is None else np.empty_like(st)
            R = -(nl["Gq"] @ X + nl["GFq"] @ uF.T + N)  # minus the KCL residual
            cols_of = np.arange(B)  # chunk index of each column still iterating
            live = np.ones(B, dtype=bool)
            prev = np.full(B, np.inf)
            newton = np.zeros(B, dtype=bool)
            for it in range(1, self.chord_iter + 1):
                dx = system.solve(R)
                step = np.maximum(dx.max(axis=0), -dx.min(axis=0))
                bad = ~np.isfinite(step)
                slow = ~bad & (step > 0.5 * prev[cols_of]) & (step > tol)
                move = live & ~bad & ~slow
                alpha = np.where(move, np.minimum(1.0, dv_max / np.maximum(step, 1e-300)), 0.0)
                iters[cols_of[live]] = it
                prev[cols_of[live]] = step[live]
                newton[cols_of[live & ~move]] = True
                if not move.all():
                    dx[:, ~move] = 0.0
                full = bool(np.all(alpha == 1.0))
                if not full:
                    dx *= alpha
                X += dx
                live = move & (step > tol)
                if not live.any():
                    break
                if live.sum() < 0.75 * live.size:  # drop finished columns
                    out = ~live
                    Xall[:, cols_of[out]] = X[:, out]
                    if st is not None:
                        st_all[:, cols_of[out]] = st[:, out]
                    k = np.flatnonzero(live)
                    Xe, R, dx, alpha = Xe[:, k], R[:, k], dx[:, k], alpha[k]
                    X = Xe[:nX]
                    st = None if st is None else st[:, k]
                    if dev_only:
                        y, i = y[:, k], i[:, k]
                    else:
                        N = N[:, k]
                    cols_of, live = cols_of[k], live[k]
                    full = bool(np.all(alpha == 1.0))
                if dev_only:
                    y_new = Xe[nl["ia"]] - Xe[nl["ib"]]
                    i_new, st = nl["ev"].current(y_new, st)
                    self._check_currents(i_new)
                    r = y_new - y  # = D α dx
                    r *= g_med
                    r -= i_new
                    r += i
                    dR = nl["Dq"] @ r
                    y, i = y_new, i_new
                else:
                    N_new, st, _ = self._nl_currents(Xe, st)
                    dR = Jn @ dx
                    dR -= N_new
                    dR += N
                    N = N_new
                if full:
                    R = dR
                else:  # R' = (1 − α) R + ...
                    R *= 1.0 - alpha
                    R += dR
            else:
                newton[cols_of[live]] = True  # chord iteration budget exhausted
            Xall[:, cols_of] = X
            if st is not None:
                st_all[:, cols_of] = st

            # ---- Newton phase for the vectors the chord did not settle
            todo = np.flatnonzero(newton)
            if todo.size:
                fresh = todo[~np.isfinite(prev[todo])]
                if fresh.size:
                    Xall[:, fresh] = self._initial_guess_q(uF[fresh])
                u = np.zeros((todo.size, c.n_nodes))
                u[:, self.free[q]] = Xall[:, todo].T
                u[:, self.fixed] = uF[todo]
                it_t = iters[todo]
                chunk = max(1, self.chunk_unknowns // max(nX, 1))
                for s0 in range(0, todo.size, chunk):
                    self._newton(u, uF[todo], np.arange(s0, min(s0 + chunk, todo.size)), it_t, tol, dv_max,
                                 todo + first_index)
                Xall[:, todo] = u[:, self.free[q]].T
                iters[todo] = it_t

            # ---- output currents at the converged voltages
            Xe = np.empty((nX + nF, B))
            Xe[:nX] = Xall
            Xe[nX:] = uF.T
            _, _, Ns = self._nl_currents(Xe, st_all, sense=True)
            cols = np.asarray(nl["LXq"] @ Xall).T
            if c.sense_fixed:
                cols = cols + (self.L_F @ uF.T).T
                if Ns is not None:
                    cols = cols - Ns.T
        nodes = None
        if want_nodes:
            nodes = np.zeros((B, c.n_nodes))
            nodes[:, self.free[q]] = Xall.T
            nodes[:, self.fixed] = uF
        return cols, nodes, iters

    def _newton(self, u, uF, idx, iters, tol, dv_max, labels):
        """Full Newton (block-diagonal Jacobian) on the rows ``idx`` of ``u``, in place.

        ``labels`` gives each row's input-vector index for error messages.
        """
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
                bad = labels[active[~np.isfinite(step)]]
                raise SolverConvergenceError(f"Newton step is not finite for input vector(s) {bad[:10].tolist()}")
            alpha = np.minimum(1.0, dv_max / np.maximum(step, 1e-300))
            u[active[:, None], self.free[None, :]] = ua[:, self.free] + alpha[:, None] * dx
            iters[active] += 1
            active = active[step > tol]
            if active.size == 0:
                return
        bad = labels[active].tolist()
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
                cols[sl], u, iters[sl] = self._solve_nonlinear_chunk(v[sl], start, return_nodes)
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
