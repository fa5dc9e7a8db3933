"""The one circuit description of a crossbar, shared by the netlist writer and the fast solver.

:class:`CrossbarSpec` says *what* the array is (devices and their states, cell
type, parasitics, partitioning, wordline connection, sensing, differential
scheme); :func:`build_circuit` turns it into a :class:`Circuit` — numbered
nodes and typed element arrays — that :mod:`pycodesign.analog.netlist` writes
as an ngspice deck and :mod:`pycodesign.analog.solver` stamps into a sparse
nodal matrix.  There is no second topology code.

Topology (tests rely on it)
---------------------------
Device (i, j) joins wordline node WL(i, j) to bitline node BL(i, j).
Wordline i is driven by its source (node ``in<i>``) through one segment
``r_row`` into column 0, and ``r_row`` joins adjacent columns; with dual-side
connection the same source also drives column C−1 through one segment.
Bitline j has ``r_col`` between adjacent rows and one ``r_col`` from the last
row into the sensing node ``s<j>``, held at 0 V by a TIA.  The output is the
current into each sensing node.

* A zero segment resistance merges the nodes it would join (ngspice does not
  accept 0 Ω): with ``r_row = 0`` every WL(i, j) *is* the source node, with
  ``r_col = 0`` every BL(i, j) *is* the sensing node.
* **1T1R**: the cell is WL(i, j) → device → internal node ``m<i>_<j>`` →
  access NMOS (drain at the device, source at BL(i, j), bulk at ground, gate
  on the row's select node ``sel<i>`` held at ``transistor.v_gate_v``).
* **Partitions** (review Supplementary Figs. 9/10): the physical rows are split
  into ``partitions`` contiguous blocks (``numpy.array_split``), each a
  separate sub-array whose bitlines run only through its own rows and end,
  through one ``r_col``, in the shared sensing node of that column: the TIA
  sums the sub-arrays' bitline currents.  ``col_partitions`` likewise splits
  the columns: each column block has its own wordline taps (one ``r_row`` from
  the source into its first column, and into its last with dual-side
  connection).  With one partition of each kind this is the topology above.
* **Parasitic capacitances** (review Fig. 17d), per cell: ``c_crossing_f``
  between WL(i, j) and BL(i, j); ``c_line_to_line_f`` between adjacent lines
  of the same sub-array, WL(i, j)–WL(i+1, j) and BL(i, j)–BL(i, j+1);
  ``c_to_ground_f`` from every WL(i, j) and every BL(i, j) to ground.  They
  matter only in transients (settling latency).
* **Differential schemes** (review Fig. 8) map the logical weight array (rows
  = inputs, columns = outputs) onto physical rows/columns:

  ``"none"``               one device per weight, one TIA per output;
  ``"subtractor"``         (Fig. 8a) columns interleaved W⁺, W⁻ (physical
                           columns 2k, 2k+1), one TIA each, output k =
                           I(2k) − I(2k+1) (a difference amplifier);
  ``"opposite_polarity"``  (Fig. 8b) rows stacked: physical rows 0..R−1 hold
                           W⁺ driven by +v, rows R..2R−1 hold W⁻ driven by
                           −v, one TIA per output sums both;
  ``"reference_column"``   one extra physical column C holding the per-row
                           reference states; output k = I(k) − I(C).

* **TIA** per physical column: ``"ideal"`` holds the sensing node at exactly
  0 V (a 0-V source whose current is the output); ``"opamp"`` is a
  single-pole op-amp macro (DC gain ``gain``, gain–bandwidth ``gbw_hz``) with
  feedback resistor ``r_f_ohm``; its output estimate of the current is
  ``−V_out / r_f_ohm``.  At DC the op-amp TIA is exactly a conductance
  ``(1 + gain) / r_f_ohm`` from the sensing node to ground, which is how the
  solver stamps it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Mapping

import numpy as np

from ..config import checks
from ..config.architecture import AccessTransistor, CrossbarParasitics, TiaConfig
from ..devices.registry import DeviceModel, get_model

__all__ = [
    "CELLS",
    "DIFFERENTIAL_SCHEMES",
    "TIA_KINDS",
    "CrossbarParasitics",
    "TiaConfig",
    "CrossbarSpec",
    "Circuit",
    "build_circuit",
    "resolve_device",
    "WIRE_KINDS",
    "CAP_KINDS",
]

CELLS = ("1R", "1T1R")
DIFFERENTIAL_SCHEMES = ("none", "subtractor", "opposite_polarity", "reference_column")
TIA_KINDS = ("ideal", "opamp")

#: Wire (resistor) kinds: codes used in :attr:`Circuit.res_kind`.
WIRE_KINDS = ("wordline", "wordline_driver", "bitline", "bitline_sense")
#: Capacitor kinds: codes used in :attr:`Circuit.cap_kind`.
CAP_KINDS = ("crossing", "wordline_wordline", "bitline_bitline", "wordline_ground", "bitline_ground")


# TODO(merge): the solver still imports this name; switch it to checks.finite_array.
check_finite_array = checks.finite_array


def resolve_device(device: str | DeviceModel) -> DeviceModel:
    """A registry name or a :class:`DeviceModel` → the model (``ValueError`` lists known names)."""
    if isinstance(device, DeviceModel):
        return device
    if not isinstance(device, str):
        raise TypeError(f"device must be a registry model name or a DeviceModel, got {device!r}")
    return get_model(device)


def is_linear_model(model: DeviceModel) -> bool:
    """True for devices whose current is ``state · v`` (the ``linear`` model)."""
    return bool(model.linear)


@dataclass(frozen=True, eq=False)
class CrossbarSpec:
    """A crossbar array: what the netlist writer and the fast solver both consume.

    Parameters
    ----------
    state : array (rows, cols)
        State of each device of the (positive) weight array, in the model's
        state unit; for the ``linear`` model this is the conductance (S).
        Rows are inputs (wordlines), columns are outputs (bitlines).
    device : str or DeviceModel
        Registry model name (``"linear"``, ``"qmm"``, ...) or a model object.
    device_params : mapping
        Model parameters (and instance parameters common to every device);
        checked by :meth:`DeviceModel.resolve`.
    cell : {"1R", "1T1R"}
        Passive cell (sneak paths included) or cell with a series access NMOS.
    parasitics : CrossbarParasitics
    dual_side : bool
        Drive each wordline from both ends (review Fig. 18).
    partitions : int
        Number of row blocks whose bitline currents are summed at the TIAs.
    col_partitions : int
        Number of column blocks, each with its own wordline taps.
    tia : TiaConfig
    differential : {"none", "subtractor", "opposite_polarity", "reference_column"}
    state_neg : array or None
        W⁻ states, shape (rows, cols), for ``"subtractor"`` and
        ``"opposite_polarity"``; the reference column's states, shape
        (rows,), for ``"reference_column"``; None for ``"none"``.
    transistor : AccessTransistor
        The 1T1R access device (ignored for 1R).
    """

    state: Any
    device: str | DeviceModel = "linear"
    device_params: Mapping[str, float] = field(default_factory=dict)
    cell: str = "1R"
    parasitics: CrossbarParasitics = field(default_factory=CrossbarParasitics)
    dual_side: bool = False
    partitions: int = 1
    col_partitions: int = 1
    tia: TiaConfig = field(default_factory=TiaConfig)
    differential: str = "none"
    state_neg: Any = None
    transistor: AccessTransistor = field(default_factory=AccessTransistor)

    def __post_init__(self):
        model = resolve_device(self.device)
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "_params", model.resolve(dict(self.device_params or {})))
        checks.choice("CrossbarSpec.cell", self.cell, CELLS)
        checks.choice("CrossbarSpec.differential", self.differential, DIFFERENTIAL_SCHEMES)
        if not isinstance(self.dual_side, (bool, np.bool_)):
            raise ValueError(f"CrossbarSpec: dual_side = {self.dual_side!r} must be True or False")
        if not isinstance(self.parasitics, CrossbarParasitics):
            raise TypeError(f"CrossbarSpec: parasitics must be a CrossbarParasitics, got {self.parasitics!r}")
        if not isinstance(self.tia, TiaConfig):
            raise TypeError(f"CrossbarSpec: tia must be a TiaConfig, got {self.tia!r}")
        if not isinstance(self.transistor, AccessTransistor):
            raise TypeError(f"CrossbarSpec: transistor must be an AccessTransistor, got {self.transistor!r}")
        lo, hi = self._state_range()
        unit = model.state.unit
        st = checks.finite_array("CrossbarSpec.state", self.state, ndim=2, low=lo, high=hi, unit=unit)
        object.__setattr__(self, "state", st)
        if self.differential in ("subtractor", "opposite_polarity"):
            if self.state_neg is None:
                raise ValueError(f"CrossbarSpec: differential = {self.differential!r} needs state_neg "
                                 f"(the W- array, shape {st.shape})")
            neg = checks.finite_array("CrossbarSpec.state_neg", self.state_neg, shape=st.shape, low=lo, high=hi,
                                     unit=unit)
        elif self.differential == "reference_column":
            if self.state_neg is None:
                raise ValueError("CrossbarSpec: differential = 'reference_column' needs state_neg "
                                 f"(the reference column's states, shape ({st.shape[0]},))")
            neg = checks.finite_array("CrossbarSpec.state_neg", self.state_neg, shape=(st.shape[0],), low=lo,
                                     high=hi, unit=unit)
        else:
            if self.state_neg is not None:
                raise ValueError("CrossbarSpec: state_neg given but differential = 'none'; choose one of "
                                 + ", ".join(repr(d) for d in DIFFERENTIAL_SCHEMES[1:]))
            neg = None
        object.__setattr__(self, "state_neg", neg)
        pr, pc = self.physical_shape
        checks.integer("CrossbarSpec.partitions", self.partitions, ge=1)
        checks.integer("CrossbarSpec.col_partitions", self.col_partitions, ge=1)
        if self.partitions > pr:
            raise ValueError(f"CrossbarSpec: partitions = {self.partitions} is more than the {pr} physical rows")
        if self.col_partitions > pc:
            raise ValueError(f"CrossbarSpec: col_partitions = {self.col_partitions} is more than the "
                             f"{pc} physical columns")

    def _state_range(self) -> tuple[float, float]:
        model = self._model
        p = model.param_map[model.state.initial_param]
        lo, hi = model.state.bounds(self._params)
        if p.low is not None:
            lo = max(lo, p.low)
        if p.high is not None:
            hi = min(hi, p.high)
        return lo, hi

    # ------------------------------------------------------------------ derived

    @property
    def model(self) -> DeviceModel:
        return self._model

    @property
    def params(self) -> dict[str, float]:
        """Resolved model parameters (defaults, preset, overrides)."""
        return dict(self._params)

    @property
    def rows(self) -> int:
        """Logical rows (inputs)."""
        return self.state.shape[0]

    @property
    def cols(self) -> int:
        """Logical columns (outputs)."""
        return self.state.shape[1]

    @property
    def physical_shape(self) -> tuple[int, int]:
        r, c = self.state.shape
        return {"none": (r, c), "subtractor": (r, 2 * c), "opposite_polarity": (2 * r, c),
                "reference_column": (r, c + 1)}[self.differential]

    @property
    def linear(self) -> bool:
        """True when every element is linear (linear devices, 1R)."""
        return is_linear_model(self._model) and self.cell == "1R"

    def physical_state(self) -> np.ndarray:
        """Device states laid out on the physical array (see the module doc)."""
        s, n = self.state, self.state_neg
        if self.differential == "none":
            return s.copy()
        if self.differential == "subtractor":
            out = np.empty((s.shape[0], 2 * s.shape[1]))
            out[:, 0::2] = s
            out[:, 1::2] = n
            return out
        if self.differential == "opposite_polarity":
            return np.vstack([s, n])
        return np.hstack([s, n[:, None]])

    def input_map(self) -> tuple[np.ndarray, np.ndarray]:
        """(input index, sign) of each physical row."""
        r = self.rows
        if self.differential == "opposite_polarity":
            return np.concatenate([np.arange(r), np.arange(r)]), np.concatenate([np.ones(r), -np.ones(r)])
        return np.arange(r), np.ones(r)

    def output_matrix(self) -> np.ndarray:
        """(outputs × physical columns) matrix of ±1 combining column currents into outputs."""
        c = self.cols
        pc = self.physical_shape[1]
        m = np.zeros((c, pc))
        k = np.arange(c)
        if self.differential == "subtractor":
            m[k, 2 * k] = 1.0
            m[k, 2 * k + 1] = -1.0
        elif self.differential == "reference_column":
            m[k, k] = 1.0
            m[k, c] = -1.0
        else:
            m[k, k] = 1.0
        return m

    def replace(self, **changes) -> "CrossbarSpec":
        """A copy with some fields changed (validated again)."""
        kw = {f.name: getattr(self, f.name) for f in fields(self)}
        kw.update(changes)
        return CrossbarSpec(**kw)

    def describe(self) -> dict:
        """JSON-friendly summary (no arrays)."""
        return {
            "rows": self.rows, "cols": self.cols, "physical_shape": list(self.physical_shape),
            "device": self._model.name, "device_params": self.params, "cell": self.cell,
            "parasitics": self.parasitics.to_dict(), "dual_side": bool(self.dual_side),
            "partitions": self.partitions, "col_partitions": self.col_partitions,
            "tia": self.tia.to_dict(), "differential": self.differential,
            "transistor": self.transistor.to_dict() if self.cell == "1T1R" else None,
        }


@dataclass(eq=False)
class Circuit:
    """Numbered nodes and typed element arrays of one crossbar (from :func:`build_circuit`).

    Node 0 is ground.  Every index array refers to :attr:`node_names`.

    Attributes
    ----------
    node_names : list of str
        SPICE node names (``"0"``, ``"in3"``, ``"wl3_5"``, ``"bl3_5"``, ``"m3_5"``, ``"s5"``, ``"sel3"``).
    src_node, src_input, src_sign : int / int / float arrays
        Input drivers: node ``src_node[k]`` is held at ``src_sign[k] · v_in[:, src_input[k]]``.
    gate_node : int array
        Select nodes held at ``transistor.v_gate_v`` (1T1R only).
    sense_node : int array
        Sensing node of each physical column.
    res_a, res_b, res_g, res_kind : arrays
        Wire segments: conductance ``res_g`` (S) between nodes; kind codes index :data:`WIRE_KINDS`.
    cap_a, cap_b, cap_c, cap_kind : arrays
        Parasitic capacitors (F); kind codes index :data:`CAP_KINDS`.
    dev_a, dev_b, dev_row, dev_col, dev_state : arrays
        Devices (current from ``dev_a`` to ``dev_b``) at physical (row, col) with their states.
    fet_d, fet_g, fet_s, fet_row, fet_col : arrays
        1T1R access transistors (bulk at ground).
    out_matrix : array (outputs, physical columns)
        Combination of column currents into outputs (±1).
    """

    spec: CrossbarSpec
    node_names: list
    src_node: np.ndarray
    src_input: np.ndarray
    src_sign: np.ndarray
    gate_node: np.ndarray
    sense_node: np.ndarray
    res_a: np.ndarray
    res_b: np.ndarray
    res_g: np.ndarray
    res_kind: np.ndarray
    cap_a: np.ndarray
    cap_b: np.ndarray
    cap_c: np.ndarray
    cap_kind: np.ndarray
    dev_a: np.ndarray
    dev_b: np.ndarray
    dev_row: np.ndarray
    dev_col: np.ndarray
    dev_state: np.ndarray
    fet_d: np.ndarray
    fet_g: np.ndarray
    fet_s: np.ndarray
    fet_row: np.ndarray
    fet_col: np.ndarray
    out_matrix: np.ndarray
    row_blocks: list
    col_blocks: list

    @property
    def n_nodes(self) -> int:
        return len(self.node_names)

    @property
    def n_inputs(self) -> int:
        return self.spec.rows

    @property
    def n_outputs(self) -> int:
        return self.out_matrix.shape[0]

    @property
    def n_columns(self) -> int:
        return len(self.sense_node)

    @property
    def sense_fixed(self) -> bool:
        """True if the sensing nodes are held at 0 V (ideal TIA)."""
        return self.spec.tia.kind == "ideal"

    def fixed_nodes(self) -> np.ndarray:
        """Nodes whose voltage is imposed: ground, input drivers, select lines, ideal-TIA sense nodes."""
        parts = [np.array([0]), self.src_node, self.gate_node]
        if self.sense_fixed:
            parts.append(self.sense_node)
        return np.unique(np.concatenate(parts).astype(np.int64))

    def fixed_voltages(self, v_in: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(fixed node indices, their voltages (batch × n_fixed)) for inputs ``v_in`` (batch × rows)."""
        fixed = self.fixed_nodes()
        pos = np.full(self.n_nodes, -1, dtype=np.int64)
        pos[fixed] = np.arange(len(fixed))
        u = np.zeros((v_in.shape[0], len(fixed)))
        u[:, pos[self.src_node]] = v_in[:, self.src_input] * self.src_sign
        if len(self.gate_node):
            u[:, pos[self.gate_node]] = self.spec.transistor.v_gate_v
        return fixed, u

    def summary(self) -> dict:
        return {
            "nodes": self.n_nodes, "wires": int(len(self.res_g)), "capacitors": int(len(self.cap_c)),
            "devices": int(len(self.dev_a)), "transistors": int(len(self.fet_d)),
            "inputs": self.n_inputs, "physical_columns": self.n_columns, "outputs": self.n_outputs,
        }


def build_circuit(spec: CrossbarSpec) -> Circuit:
    """Nodes and elements of *spec* (see the module doc for the topology)."""
    pr, pc = spec.physical_shape
    par = spec.parasitics
    names: list[str] = ["0"]

    def add(labels) -> np.ndarray:
        start = len(names)
        names.extend(labels)
        return np.arange(start, len(names), dtype=np.int64)

    rr, cc = np.meshgrid(np.arange(pr), np.arange(pc), indexing="ij")
    IN = add([f"in{r}" for r in range(pr)])
    if par.r_row_ohm > 0:
        WL = add([f"wl{r}_{c}" for r in range(pr) for c in range(pc)]).reshape(pr, pc)
    else:
        WL = np.repeat(IN[:, None], pc, axis=1)
    SENSE = add([f"s{c}" for c in range(pc)])
    if par.r_col_ohm > 0:
        BL = add([f"bl{r}_{c}" for r in range(pr) for c in range(pc)]).reshape(pr, pc)
    else:
        BL = np.repeat(SENSE[None, :], pr, axis=0)
    if spec.cell == "1T1R":
        MID = add([f"m{r}_{c}" for r in range(pr) for c in range(pc)]).reshape(pr, pc)
        SEL = add([f"sel{r}" for r in range(pr)])
    else:
        MID = None
        SEL = np.zeros(0, dtype=np.int64)

    row_blocks = [b for b in np.array_split(np.arange(pr), spec.partitions)]
    col_blocks = [b for b in np.array_split(np.arange(pc), spec.col_partitions)]
    row_block_of = np.empty(pr, dtype=np.int64)
    for k, b in enumerate(row_blocks):
        row_block_of[b] = k
    col_block_of = np.empty(pc, dtype=np.int64)
    for k, b in enumerate(col_blocks):
        col_block_of[b] = k

    ra, rb, rg, rk = [], [], [], []

    def wires(a, b, r_ohm, kind):
        a = np.asarray(a, dtype=np.int64).ravel()
        b = np.asarray(b, dtype=np.int64).ravel()
        ra.append(a)
        rb.append(b)
        rg.append(np.full(a.size, 1.0 / r_ohm))
        rk.append(np.full(a.size, WIRE_KINDS.index(kind), dtype=np.int8))

    if par.r_row_ohm > 0:
        same = col_block_of[:-1] == col_block_of[1:]  # column c and c+1 in the same sub-array
        wires(WL[:, :-1][:, same], WL[:, 1:][:, same], par.r_row_ohm, "wordline")
        first = np.array([b[0] for b in col_blocks])
        wires(np.repeat(IN[:, None], len(first), axis=1), WL[:, first], par.r_row_ohm, "wordline_driver")
        if spec.dual_side:
            last = np.array([b[-1] for b in col_blocks])
            wires(np.repeat(IN[:, None], len(last), axis=1), WL[:, last], par.r_row_ohm, "wordline_driver")
    if par.r_col_ohm > 0:
        same = row_block_of[:-1] == row_block_of[1:]
        wires(BL[:-1, :][same, :], BL[1:, :][same, :], par.r_col_ohm, "bitline")
        last = np.array([b[-1] for b in row_blocks])
        wires(BL[last, :], np.repeat(SENSE[None, :], len(last), axis=0), par.r_col_ohm, "bitline_sense")

    ca, cb, cv, ck = [], [], [], []

    def caps(a, b, c_f, kind):
        if c_f <= 0:
            return
        a = np.asarray(a, dtype=np.int64).ravel()
        b = np.asarray(b, dtype=np.int64).ravel()
        keep = a != b  # merged nodes (zero wire resistance) carry no capacitance
        ca.append(a[keep])
        cb.append(b[keep])
        cv.append(np.full(int(keep.sum()), c_f))
        ck.append(np.full(int(keep.sum()), CAP_KINDS.index(kind), dtype=np.int8))

    caps(WL, BL, par.c_crossing_f, "crossing")
    same_r = row_block_of[:-1] == row_block_of[1:]
    caps(WL[:-1, :][same_r, :], WL[1:, :][same_r, :], par.c_line_to_line_f, "wordline_wordline")
    same_c = col_block_of[:-1] == col_block_of[1:]
    caps(BL[:, :-1][:, same_c], BL[:, 1:][:, same_c], par.c_line_to_line_f, "bitline_bitline")
    caps(WL, np.zeros_like(WL), par.c_to_ground_f, "wordline_ground")
    caps(BL, np.zeros_like(BL), par.c_to_ground_f, "bitline_ground")

    state = spec.physical_state()
    if spec.cell == "1T1R":
        dev_b = MID.ravel()
        fet = dict(fet_d=MID.ravel(), fet_g=np.repeat(SEL, pc), fet_s=BL.ravel(), fet_row=rr.ravel(),
                   fet_col=cc.ravel())
    else:
        dev_b = BL.ravel()
        z = np.zeros(0, dtype=np.int64)
        fet = dict(fet_d=z, fet_g=z, fet_s=z, fet_row=z, fet_col=z)
    row_input, row_sign = spec.input_map()

    def cat(parts, dtype):
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    return Circuit(
        spec=spec, node_names=names,
        src_node=IN, src_input=row_input.astype(np.int64), src_sign=row_sign.astype(float),
        gate_node=SEL, sense_node=SENSE,
        res_a=cat(ra, np.int64), res_b=cat(rb, np.int64), res_g=cat(rg, float), res_kind=cat(rk, np.int8),
        cap_a=cat(ca, np.int64), cap_b=cat(cb, np.int64), cap_c=cat(cv, float), cap_kind=cat(ck, np.int8),
        dev_a=WL.ravel().copy(), dev_b=dev_b.copy(), dev_row=rr.ravel(), dev_col=cc.ravel(),
        dev_state=state.ravel().copy(), out_matrix=spec.output_matrix(),
        row_blocks=row_blocks, col_blocks=col_blocks, **fet,
    )
