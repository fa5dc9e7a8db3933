"""Pareto sets, hypervolume and the knee, on objective values with mixed directions.

Conventions (one place, used by the flow, its tests and the benchmark):

* every objective is turned into a minimisation: ``z = s · t(v)`` with
  ``s = −1`` for maximised objectives and ``t = log10`` for metrics whose
  :attr:`~pycodesign.search.metrics.Metric.log_scale` is set (energy, area,
  latency and the counts span decades), ``t = identity`` otherwise;
* a :class:`Normaliser` maps ``z`` to ``(z − lo) / (hi − lo)`` with bounds
  fixed once (from the design-space enumeration, the union of runs, or the
  study's own trials — the caller says which) and the hypervolume reference
  point is ``ref`` (1.1 by default) in that normalised space;
* the hypervolume is ``moocore.hypervolume`` (a maintained implementation,
  Zitzler et al.'s Pareto-compliant indicator); dominance tests are
  ``moocore.is_nondominated`` with weakly non-dominated duplicates kept, so a
  Pareto *set* is complete: every trial no other trial dominates is in it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import moocore
import numpy as np

__all__ = ["to_minimisation", "pareto_mask", "Normaliser", "hypervolume", "hypervolume_history", "knee_index",
           "spread_subset"]


def _as_matrix(values) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if v.ndim == 1:
        v = v[:, None]
    return v


def to_minimisation(values, directions: Sequence[str], log_scale: Sequence[bool] | None = None) -> np.ndarray:
    """``z = s · t(v)`` per column (see the module doc)."""
    v = _as_matrix(values).copy()
    if v.shape[1] != len(directions):
        raise ValueError(f"{v.shape[1]} objective columns but {len(directions)} directions")
    for j, d in enumerate(directions):
        if d not in ("minimize", "maximize"):
            raise ValueError(f"direction {d!r}; allowed: minimize, maximize")
        if log_scale is not None and log_scale[j]:
            col = v[:, j]
            if np.any(col <= 0):
                raise ValueError(f"objective {j} is compared on log10 but has values <= 0")
            v[:, j] = np.log10(col)
        if d == "maximize":
            v[:, j] = -v[:, j]
    return v


def pareto_mask(values, directions: Sequence[str]) -> np.ndarray:
    """True for every row no other row dominates (duplicates of a non-dominated row kept)."""
    v = _as_matrix(values)
    if v.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    return np.asarray(moocore.is_nondominated(to_minimisation(v, directions), keep_weakly=True), dtype=bool)


@dataclass(frozen=True)
class Normaliser:
    """Maps objective values to the normalised minimisation space of hypervolume and knee.

    Attributes
    ----------
    directions : tuple of str
    log_scale : tuple of bool
    lo, hi : tuple of float
        Bounds of ``z`` (minimisation form, after log10) per objective.
    """

    directions: tuple
    log_scale: tuple
    lo: tuple
    hi: tuple

    @classmethod
    def from_values(cls, values, directions: Sequence[str], log_scale: Sequence[bool]) -> "Normaliser":
        """Bounds from the rows of *values* (the fixed set the caller chose)."""
        z = to_minimisation(values, directions, log_scale)
        if z.shape[0] == 0:
            raise ValueError("no values to take normalisation bounds from")
        return cls(tuple(directions), tuple(bool(x) for x in log_scale), tuple(map(float, z.min(axis=0))),
                   tuple(map(float, z.max(axis=0))))

    def __call__(self, values) -> np.ndarray:
        z = to_minimisation(values, self.directions, self.log_scale)
        lo, hi = np.asarray(self.lo), np.asarray(self.hi)
        span = np.where(hi > lo, hi - lo, 1.0)
        return (z - lo) / span

    def to_dict(self) -> dict:
        return {"directions": list(self.directions), "log_scale": list(self.log_scale), "lo": list(self.lo),
                "hi": list(self.hi)}


def hypervolume(values, normaliser: Normaliser, ref: float = 1.1) -> float:
    """Hypervolume of the rows of *values* (their non-dominated part) up to ``ref`` in normalised space."""
    v = _as_matrix(values)
    if v.shape[0] == 0:
        return 0.0
    z = normaliser(v)
    return float(moocore.hypervolume(z, ref=np.full(z.shape[1], float(ref))))


def hypervolume_history(values, feasible, normaliser: Normaliser, ref: float = 1.1) -> np.ndarray:
    """Hypervolume of the feasible rows among the first k rows, for k = 1 … n (rows in trial order)."""
    v = _as_matrix(values)
    ok = np.asarray(feasible, dtype=bool)
    out = np.zeros(v.shape[0])
    front = np.zeros((0, v.shape[1]))
    hv = 0.0
    for k in range(v.shape[0]):
        if ok[k]:
            front = np.vstack([front, v[k]])
            mask = pareto_mask(front, normaliser.directions)
            front = front[mask]
            hv = hypervolume(front, normaliser, ref)
        out[k] = hv
    return out


def knee_index(values, directions: Sequence[str], log_scale: Sequence[bool]) -> int:
    """Index of the row closest (Euclidean) to the ideal point after normalising the rows to [0, 1].

    Ties go to the first row.  With one row, 0.
    """
    v = _as_matrix(values)
    if v.shape[0] == 0:
        raise ValueError("no designs to choose a knee from")
    norm = Normaliser.from_values(v, directions, log_scale)
    d = np.linalg.norm(norm(v), axis=1)
    return int(np.argmin(d))


def spread_subset(values, directions: Sequence[str], log_scale: Sequence[bool], k: int) -> list[int]:
    """At most *k* row indices spread along a front: each objective's best row, then evenly spaced rows.

    Rows are spaced along their normalised first objective.  Returns sorted indices.
    """
    v = _as_matrix(values)
    n = v.shape[0]
    if n <= k:
        return list(range(n))
    z = Normaliser.from_values(v, directions, log_scale)(v)
    chosen: list[int] = []
    for j in range(v.shape[1]):
        i = int(np.argmin(z[:, j]))
        if i not in chosen:
            chosen.append(i)
    order = np.argsort(z[:, 0], kind="stable")
    for pos in np.linspace(0, n - 1, num=k):
        if len(chosen) >= k:
            break
        i = int(order[int(round(pos))])
        if i not in chosen:
            chosen.append(i)
    for i in order:
        if len(chosen) >= k:
            break
        if int(i) not in chosen:
            chosen.append(int(i))
    return sorted(chosen[:k])
