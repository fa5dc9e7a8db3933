"""Map trained weights to memristor conductances (Aguirre et al. 2024, Eq. 2, 4-9).

A layer's weight matrix ``W`` is ``n_in x n_out``: row ``i`` is wordline ``i``
(driven at ``x_i * V_READ``), column ``j`` is the bitline of output neuron
``j``.  Conductances are in siemens; ``g_min`` is G_HRS, ``g_max`` is G_LRS.

Schemes
-------
``"differential"`` (two devices per weight, review Eq. 4-5)
    ``W = W+ - W-`` with ``W+ = max(W, 0)``, ``W- = max(-W, 0)`` (Eq. 4).
    Each part is mapped linearly, ``G = G_HRS + (G_LRS - G_HRS) |W| / w_max``
    (Eq. 5), where ``w_max`` is the largest weight magnitude unless given.
    Bitline pair ``j`` yields ``I_j = V_READ sum_i x_i (G+_ij - G-_ij)``.
    ``2 n_in n_out`` devices.
``"reference"`` (one device per weight plus a reference column, review Eq. 2)
    ``G_ij = G_ref + W_ij (G_LRS - G_HRS) / (2 w_max)`` with the reference
    column at mid-range ``G_ref = (G_HRS + G_LRS) / 2``; the output is
    ``I_j - I_ref = V_READ sum_i x_i (G_ij - G_ref)``.  ``n_in (n_out + 1)``
    devices.  With discrete levels the reference device sits on the state
    nearest to mid-range (for an even number of linearly spaced states the
    mid-point is not a state, which makes the representable range
    asymmetric: weights beyond it saturate and are counted in
    ``n_clipped``); pass ``g_ref`` to use e.g. a fixed resistor instead.

Quantisation (``levels``)
    See :mod:`pycodesign.mapping.quantize`.
    :attr:`MappedWeights.w_quantized` holds the weights the programmed
    conductances actually represent: ``(G+ - G-) * weight_per_siemens`` or
    ``(G - G_ref) * weight_per_siemens``, so that
    ``I_j / V_READ * weight_per_siemens = sum_i x_i w_quantized[i, j]``.

Bias row (``bias``)
    An extra wordline appended after the ``n_in`` inputs, driven at the full
    read voltage (input 1), holding the biases; the bias shares ``w_max``
    with the weights.

The review's worked example (Eq. 6-9)
    ``W = [[1.1, 4.7, -3.9, 4.9], [1.8, -3, -1.2, 0.2], [4.6, -4.9, 0.3, 1.3],
    [-0.9, 2.7, -2.2, -4.8]]``, magnitudes in [0, 5] (``w_max = 5``), six
    states ``{G_HRS, 0.2, 0.4, 0.6, 0.8, 1.0 x G_LRS}`` (G_HRS standing for
    the 0 level) gives ``W+ = [[1, 5, 0, 5], [2, 0, 0, 0], [5, 0, 0, 1],
    [0, 3, 0, 0]]`` and ``W- = [[0, 0, 4, 0], [0, 3, 1, 0], [0, 5, 0, 0],
    [1, 0, 2, 5]]`` (Eq. 8), reproduced by the tests.  The G- matrix printed
    in the review's Eq. 9 disagrees with its own Eq. 8 in three entries --
    row 1 columns 2 and 4 (positive weights 4.7 and 4.9, so G- must be
    G_HRS) and row 4 column 1 (weight -0.9, so G- must be 0.2 G_LRS).  This
    module follows Eq. 8: G- is the mapping of W-.  With ``levels=6`` the
    states are ``G_HRS + k (G_LRS - G_HRS) / 5`` and the quantised weights
    are exactly Eq. 8's integers; with the literal measured list
    ``[G_HRS, 0.2 G_LRS, ..., G_LRS]`` the conductances are exactly Eq. 9's
    and the level indices (``level_pos``, ``level_neg``) are Eq. 8's
    integers, while the weight a state stands for is ``(G - G_HRS) /
    (G_LRS - G_HRS) * w_max`` -- the review's integers only as G_HRS -> 0.

Device states
    :meth:`MappedWeights.device_states` turns every conductance into a device
    state with :func:`pycodesign.devices.state_for_conductance`.
"""
from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..devices.inversion import state_for_conductance
from .quantize import _check_range, _conductance, _resolve_levels, quantize_to_levels

__all__ = ["SCHEMES", "MappedWeights", "map_weights"]

#: Allowed values of ``map_weights(..., scheme=...)``.
SCHEMES = ("differential", "reference")


def _finite_matrix(name: str, value, ndim: int) -> np.ndarray:
    try:
        a = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a numeric array, got {type(value).__name__}") from None
    if a.ndim != ndim:
        want = "(n_in, n_out)" if ndim == 2 else "(n_out,)"
        raise ValueError(f"{name} must have shape {want}, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} is empty (shape {a.shape}); nothing to map")
    bad = ~np.isfinite(a)
    if bad.any():
        idx = tuple(int(k) for k in np.argwhere(bad)[0])
        where = ", ".join(str(k) for k in idx)
        raise ValueError(
            f"{name}[{where}] = {float(a[idx])!r} is not finite ({int(bad.sum())} non-finite value(s)); "
            "weights must be finite numbers"
        )
    return a


# ----------------------------------------------------------------------------
# result


def _frozen(a):
    if a is None:
        return None
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class MappedWeights:
    """Conductances programmed for one weight matrix, and what they represent.

    All conductances in siemens.  Arrays are read-only.  Row ``n_rows - 1`` is
    the bias row when ``bias_row`` is true.

    Attributes
    ----------
    scheme : str
        ``"differential"`` or ``"reference"``.
    w_quantized : numpy.ndarray, (n_rows, n_cols)
        Weights the conductances represent (after quantisation and clipping).
    w_max : float
        Weight magnitude mapped to the full conductance swing.
    g_min, g_max : float
        G_HRS and G_LRS.
    levels : numpy.ndarray or None
        Available conductance states (sorted), ``None`` when continuous.
    weight_per_siemens : float
        Weight units per siemens of differential conductance:
        ``w_max / (g_max - g_min)`` (differential) or ``2 w_max / (g_max -
        g_min)`` (reference).  ``I_j / v_read * weight_per_siemens`` is the
        dot product in weight units.
    n_devices : int
        Memristors used: ``2 n_rows n_cols`` or ``n_rows (n_cols + 1)``.
    bias_row : bool
        Whether the last row holds the biases (driven at input 1).
    g_pos, g_neg : numpy.ndarray or None
        Differential pair conductances, ``(n_rows, n_cols)``.
    w_pos_quantized, w_neg_quantized : numpy.ndarray or None
        Quantised ``W+`` and ``W-`` (review Eq. 8), differential only:
        ``(G+ - G0) * weight_per_siemens`` with ``G0`` the zero-weight state.
    level_pos, level_neg : numpy.ndarray or None
        Index into ``levels`` of each ``G+`` / ``G-`` (``None`` if continuous).
    g, level : numpy.ndarray or None
        Reference scheme: conductance and level index of each weight device.
    g_ref : numpy.ndarray or None
        Reference scheme: reference-column conductance per row, ``(n_rows,)``.
    n_clipped : int
        Weights whose Eq. 5 target fell outside ``[g_min, g_max]`` (|w| >
        ``w_max``) and were saturated.
    """

    scheme: str
    w_quantized: np.ndarray
    w_max: float
    g_min: float
    g_max: float
    levels: np.ndarray | None
    weight_per_siemens: float
    n_devices: int
    bias_row: bool = False
    g_pos: np.ndarray | None = None
    g_neg: np.ndarray | None = None
    w_pos_quantized: np.ndarray | None = None
    w_neg_quantized: np.ndarray | None = None
    level_pos: np.ndarray | None = None
    level_neg: np.ndarray | None = None
    g: np.ndarray | None = None
    level: np.ndarray | None = None
    g_ref: np.ndarray | None = None
    n_clipped: int = 0

    @property
    def n_rows(self) -> int:
        """Wordlines (inputs, plus one if there is a bias row)."""
        return int(self.w_quantized.shape[0])

    @property
    def n_cols(self) -> int:
        """Output neurons (a differential pair or one column each)."""
        return int(self.w_quantized.shape[1])

    @property
    def n_inputs(self) -> int:
        """Inputs driven by data (rows without the bias row)."""
        return self.n_rows - int(self.bias_row)

    @property
    def weights(self) -> np.ndarray:
        """Quantised weight rows without the bias row, ``(n_inputs, n_cols)``."""
        return self.w_quantized[: self.n_inputs]

    @property
    def bias(self) -> np.ndarray | None:
        """Quantised biases (the bias row), or ``None``."""
        return self.w_quantized[-1] if self.bias_row else None

    def conductances(self) -> dict[str, np.ndarray]:
        """The device arrays by name: ``g_pos``/``g_neg`` or ``g``/``g_ref``."""
        if self.scheme == "differential":
            return {"g_pos": self.g_pos, "g_neg": self.g_neg}
        return {"g": self.g, "g_ref": self.g_ref}

    def _drive(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        single = x.ndim == 1
        x2 = x[None] if single else x
        if x2.ndim != 2 or x2.shape[1] != self.n_inputs:
            raise ValueError(f"inputs must have shape (N, {self.n_inputs}) or ({self.n_inputs},), got {x.shape}")
        if self.bias_row:
            x2 = np.concatenate([x2, np.ones((x2.shape[0], 1))], axis=1)
        return x2

    def output_currents(self, x, *, v_read: float) -> np.ndarray:
        """Ideal bitline output currents (A) for inputs ``x`` read at ``v_read`` (V).

        Wordline ``i`` is driven at ``x_i * v_read`` (the bias row at
        ``v_read``); no wire resistance, ideal virtual-ground sensing.
        Differential: ``I+_j - I-_j``; reference: ``I_j - I_ref``.
        Shape ``(N, n_cols)`` (or ``(n_cols,)`` for a single input vector).
        """
        v_read = float(v_read)
        if not math.isfinite(v_read) or v_read == 0.0:
            raise ValueError(f"v_read = {v_read!r} V must be finite and non-zero")
        single = np.ndim(x) == 1
        v = self._drive(x) * v_read
        if self.scheme == "differential":
            i = v @ self.g_pos - v @ self.g_neg
        else:
            i = v @ self.g - (v @ self.g_ref)[:, None]
        return i[0] if single else i

    def to_weight_units(self, currents, *, v_read: float) -> np.ndarray:
        """Convert output currents (A) back to weight units: ``I / v_read * weight_per_siemens``."""
        return np.asarray(currents, dtype=np.float64) / float(v_read) * self.weight_per_siemens

    def device_states(self, model, *, v_read: float, params=None, **solve_kw) -> dict[str, np.ndarray]:
        """Internal state of every device for its conductance at ``v_read``.

        Solves each distinct conductance once with
        :func:`state_for_conductance`; returns arrays shaped like
        :meth:`conductances`.
        """
        arrays = self.conductances()
        flat = np.concatenate([a.ravel() for a in arrays.values()])
        uniq, inverse = np.unique(flat, return_inverse=True)
        states = np.asarray(state_for_conductance(model, uniq, v_read=v_read, params=params, **solve_kw))[inverse]
        out, k = {}, 0
        for name, a in arrays.items():
            out[name] = states[k:k + a.size].reshape(a.shape)
            k += a.size
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (arrays as nested lists, ``None`` kept)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            v = getattr(self, name)
            out[name] = v.tolist() if isinstance(v, np.ndarray) else v
        return out


# ----------------------------------------------------------------------------
# mapping


def _check_weight_scale(k: float, w_max: float, span: float, scheme: str) -> None:
    """Refuse a ``weight_per_siemens`` that float64 cannot carry (inf, nan, 0 or subnormal)."""
    if math.isfinite(k) and k >= sys.float_info.min:
        return
    formula = "w_max / (g_max - g_min)" if scheme == "differential" else "2 w_max / (g_max - g_min)"
    raise ValueError(
        f"weight_per_siemens = {formula} with w_max = {w_max!r} and g_max - g_min = {span!r} S is {k!r}, "
        "not a finite normal float64: the quantised weights would overflow to inf/nan or lose their precision "
        "(weights near 1e308 or 1e-308, or conductances near the smallest float); allowed: a weight scale "
        "w_max and a conductance range whose ratio is a normal float64 -- rescale the weights (e.g. divide W "
        "and bias by max|W|) or give g_min and g_max in siemens of a physical size (e.g. 1e-6 .. 1e-3 S)"
    )


def _represented(name: str, w_quantized: np.ndarray) -> np.ndarray:
    """The quantised weights, refused if any is not finite (an overflow the scale check missed)."""
    bad = ~np.isfinite(w_quantized)
    if bad.any():
        idx = tuple(int(k) for k in np.argwhere(bad)[0])
        raise ValueError(
            f"map_weights: the quantised weight {name}[{', '.join(map(str, idx))}] = "
            f"{float(w_quantized[idx])!r} is not finite ({int(bad.sum())} non-finite); "
            "rescale the weights or the conductance range"
        )
    return w_quantized


def map_weights(
    W,
    *,
    g_min: float,
    g_max: float,
    levels=None,
    scheme: str = "differential",
    w_max: float | None = None,
    bias=None,
    g_ref: float | None = None,
) -> MappedWeights:
    """Map a weight matrix to conductances (review Eq. 2, 4, 5 and quantisation).

    Parameters
    ----------
    W : array_like, shape (n_in, n_out)
        Weights, one column per output neuron.  Must be finite.
    g_min, g_max : float
        G_HRS and G_LRS in siemens, ``0 < g_min < g_max``.
    levels : None, int or sequence of float
        ``None``: continuous; int ``x >= 2``: ``x`` linearly spaced states in
        ``[g_min, g_max]``; sequence: measured conductance levels (S) within
        ``[g_min, g_max]`` (sorted and de-duplicated here).
    scheme : {"differential", "reference"}
        Two devices per weight, or one device per weight plus a shared
        reference column.
    w_max : float, optional
        Weight magnitude mapped to the full swing; default the largest
        ``|W|`` (and ``|bias|``), or 1 if all are zero.  Larger weights
        saturate (counted in ``n_clipped``).
    bias : array_like, shape (n_out,), optional
        Biases, mapped as an extra (last) row driven at input 1.
    g_ref : float, optional
        Reference scheme only: reference conductance (S), default mid-range
        ``(g_min + g_max) / 2`` moved to the nearest level when ``levels``
        is given.  A given value is used as is (e.g. a fixed resistor).

    Returns
    -------
    MappedWeights

    Raises
    ------
    ValueError
        Non-finite weights (with their index), ``g_min >= g_max``,
        non-positive conductances, fewer than 2 or more than
        :data:`~pycodesign.mapping.quantize.MAX_LEVELS` levels, levels outside
        the range, a bad ``w_max``, an unknown ``scheme``; a weight scale that
        float64 cannot represent -- ``weight_per_siemens`` not a finite normal
        number, e.g. weights near 1e308 or conductances near the smallest
        float -- so the quantised weights would be inf or nan.
    """
    if not isinstance(scheme, str) or scheme not in SCHEMES:
        raise ValueError(f"scheme = {scheme!r} is not allowed; allowed: {', '.join(repr(s) for s in SCHEMES)}")
    g_min = _conductance("g_min", g_min)
    g_max = _conductance("g_max", g_max)
    _check_range(g_min, g_max)
    w = _finite_matrix("W", W, 2)
    if bias is not None:
        b = _finite_matrix("bias", bias, 1)
        if b.shape[0] != w.shape[1]:
            raise ValueError(f"bias has {b.shape[0]} entries but W has {w.shape[1]} columns (outputs)")
        w = np.vstack([w, b[None]])
    lv = _resolve_levels(levels, g_min, g_max)
    if w_max is None:
        w_max_f = float(np.max(np.abs(w)))
        if w_max_f == 0.0:
            w_max_f = 1.0  # all-zero weights: any scale represents them exactly
    else:
        if isinstance(w_max, bool) or not isinstance(w_max, numbers.Real):
            raise TypeError(f"w_max must be a positive number, got {w_max!r}")
        w_max_f = float(w_max)
        if not math.isfinite(w_max_f) or w_max_f <= 0.0:
            raise ValueError(f"w_max = {w_max!r} is not allowed: it must be finite and > 0")
    span = g_max - g_min
    n_rows, n_cols = w.shape
    k = (w_max_f if scheme == "differential" else 2.0 * w_max_f) / span
    _check_weight_scale(k, w_max_f, span, scheme)

    def quantise(target: np.ndarray):
        g_t = np.clip(target, g_min, g_max)
        if lv is None:
            return g_t, None
        return quantize_to_levels(g_t, lv)

    if scheme == "differential":
        if g_ref is not None:
            raise ValueError(f"g_ref = {g_ref!r} applies only to scheme='reference', not 'differential'")
        with np.errstate(over="ignore"):  # |w| / w_max overflowing saturates at g_max (counted below)
            t_pos = g_min + span * (np.maximum(w, 0.0) / w_max_f)  # Eq. 4-5
            t_neg = g_min + span * (np.maximum(-w, 0.0) / w_max_f)
        n_clipped = int(np.count_nonzero(np.abs(w) > w_max_f))
        g_pos, level_pos = quantise(t_pos)
        g_neg, level_neg = quantise(t_neg)
        g_zero = float(quantise(np.array([g_min]))[0][0])  # state of a zero weight
        return MappedWeights(
            scheme=scheme,
            w_quantized=_frozen(_represented("W", (g_pos - g_neg) * k)),
            w_max=w_max_f, g_min=g_min, g_max=g_max, levels=_frozen(lv),
            weight_per_siemens=k, n_devices=2 * n_rows * n_cols, bias_row=bias is not None,
            g_pos=_frozen(g_pos), g_neg=_frozen(g_neg),
            w_pos_quantized=_frozen((g_pos - g_zero) * k), w_neg_quantized=_frozen((g_neg - g_zero) * k),
            level_pos=_frozen(level_pos), level_neg=_frozen(level_neg),
            n_clipped=n_clipped,
        )

    # Reference column (Eq. 2).
    if g_ref is None:
        g_ref_f = 0.5 * (g_min + g_max)
        if lv is not None:
            g_ref_f = float(quantize_to_levels(np.array([g_ref_f]), lv)[0][0])
    else:
        g_ref_f = _conductance("g_ref", g_ref)
        if not (g_min <= g_ref_f <= g_max):
            raise ValueError(f"g_ref = {g_ref!r} S lies outside [g_min, g_max] = [{g_min!r}, {g_max!r}] S")
    with np.errstate(over="ignore"):  # w / w_max overflowing saturates (counted below)
        target = g_ref_f + (w / w_max_f) * (0.5 * span)
    n_clipped = int(np.count_nonzero((target < g_min * (1 - 1e-12)) | (target > g_max * (1 + 1e-12))))
    g, level = quantise(target)
    return MappedWeights(
        scheme=scheme,
        w_quantized=_frozen(_represented("W", (g - g_ref_f) * k)),
        w_max=w_max_f, g_min=g_min, g_max=g_max, levels=_frozen(lv),
        weight_per_siemens=k, n_devices=n_rows * (n_cols + 1), bias_row=bias is not None,
        g=_frozen(g), level=_frozen(level), g_ref=_frozen(np.full(n_rows, g_ref_f)),
        n_clipped=n_clipped,
    )
