"""One design, measured: accuracy over common Monte-Carlo draws, exact structure counts, costs.

:class:`DesignEvaluator` holds what every trial of a study shares — the
trained network, the test set, the base architecture and the space — and
turns a sampled point into a :class:`DesignResult`:

1. :meth:`SearchSpace.realise` builds the architecture (fits recorded);
2. :func:`pycodesign.system.evaluate` (fast solver, whole test set) once
   per Monte-Carlo draw with seeds ``seed, seed+1, …, seed+draws-1`` — the
   same device draws for every design (draws come from
   ``default_rng(seed + layer)`` and do not depend on the tiling), so designs
   are compared on common random numbers; with no random non-ideality one
   evaluation stands for all draws;
3. the structure of the tile plan (tiles, devices, ADCs, conversions);
4. energy, area and latency from the cost model
   (:func:`pycodesign.costs.costs_of_evaluation` on the first draw's
   evaluation, the architecture's ``technology`` section).

Nothing here touches a study or a file: the same evaluator serves the
trials, the multi-fidelity re-evaluation and the benchmark.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..config.architecture import Architecture
from ..system import Evaluation, evaluate, plan_tiles
from .metrics import METRICS
from .space import Realised, SearchSpace

__all__ = ["DesignResult", "DesignEvaluator", "structure_metrics", "has_random_nonideality", "draw_seeds"]


def has_random_nonideality(architecture: Architecture) -> bool:
    """True when a device draw changes the result (variability, stuck-at faults or read noise)."""
    ni = architecture.nonideal
    return any(v > 0 for v in (ni.variability_sigma, ni.stuck_at_hrs_rate, ni.stuck_at_lrs_rate,
                               ni.read_noise_sigma))


def draw_seeds(seed: int, draws: int) -> list[int]:
    """The Monte-Carlo seeds every design is evaluated with: ``seed … seed + draws − 1``."""
    return [int(seed) + k for k in range(int(draws))]


def structure_metrics(architecture: Architecture, layer_shapes: Sequence[tuple[int, int]]) -> dict:
    """Exact counts of a design's tile plan.

    Parameters
    ----------
    architecture : Architecture
    layer_shapes : list of (n_inputs, n_outputs)
        Logical layer sizes (without the bias row).

    Returns
    -------
    dict
        ``tiles``, ``devices`` (every tile counted at its full size: a
        hardware tile has ``tile_rows × tile_cols`` cells even when the last
        one is partly used), ``adcs``, ``adc_conversions`` per inference (every
        ADC input of every tile converted once), ``sar_comparisons``
        (conversions × ADC bits; NaN with an ideal ADC), and per-layer
        ``layers`` (tile grid and tile size).
    """
    bias = 1 if architecture.mapping.bias else 0
    t = architecture.tiling
    out = {"tiles": 0, "devices": 0, "adcs": 0, "adc_conversions": 0, "layers": []}
    for n_in, n_out in layer_shapes:
        plan = plan_tiles(n_in + bias, n_out, architecture)
        full_r, full_c = plan.physical_shape(0, 0)
        cap_r = t.tile_rows if t.tile_rows is not None else full_r
        cap_c = t.tile_cols if t.tile_cols is not None else full_c
        inputs = sum(plan.adc_inputs(c) for c in range(plan.n_col_tiles)) * plan.n_row_tiles
        adcs = sum(plan.adcs(c) for c in range(plan.n_col_tiles)) * plan.n_row_tiles
        out["tiles"] += plan.n_tiles
        out["devices"] += plan.n_tiles * cap_r * cap_c
        out["adcs"] += adcs
        out["adc_conversions"] += inputs
        out["layers"].append({"row_tiles": plan.n_row_tiles, "col_tiles": plan.n_col_tiles,
                              "tile_rows": cap_r, "tile_cols": cap_c, "adcs": adcs, "adc_conversions": inputs})
    bits = architecture.converters.adc_bits
    out["sar_comparisons"] = float(out["adc_conversions"] * bits) if bits is not None else float("nan")
    return out


@dataclass
class DesignResult:
    """What one design measured.

    Attributes
    ----------
    realised : Realised
        Sampled values, the architecture and the fits.
    metrics : dict
        Every metric computed (names of :data:`pycodesign.search.metrics.METRICS`).
    accuracy_draws : list of float
        Accuracy of each Monte-Carlo draw (one entry when no non-ideality is random).
    seeds : list of int
    structure : dict
        :func:`structure_metrics`.
    costs : dict or None
        The cost model's breakdown (``to_dict`` of its report), when computed.
    evaluation : Evaluation
        The first draw's evaluation (codes, tile plans) — not serialised.
    seconds : float
    """

    realised: Realised
    metrics: dict
    accuracy_draws: list
    seeds: list
    structure: dict
    costs: dict | None = None
    evaluation: Evaluation | None = field(default=None, repr=False)
    seconds: float = 0.0

    @property
    def architecture(self) -> Architecture:
        return self.realised.architecture

    def values(self, metrics: Sequence[str]) -> list[float]:
        """The named metrics, in order."""
        return [float(self.metrics[m]) for m in metrics]

    def record(self) -> dict:
        """JSON-friendly record (what a trial stores as user attributes)."""
        return {"metrics": {k: float(v) for k, v in self.metrics.items()},
                "accuracy_draws": [float(a) for a in self.accuracy_draws], "seeds": list(self.seeds),
                "fits": self.realised.fits, "used": self.realised.used,
                "structure": {k: v for k, v in self.structure.items() if k != "layers"},
                "layers": self.structure["layers"], "seconds": self.seconds,
                "costs": None if self.costs is None else {k: v for k, v in self.costs.items() if k != "report"}}


class DesignEvaluator:
    """Measure designs of one study (see the module doc).

    Parameters
    ----------
    network : pycodesign.nn.DenseNetwork
    x_test, y_test : arrays
        The whole test set.
    base : Architecture
        Every key the space does not set keeps its value here.
    space : SearchSpace
    seed : int
        First Monte-Carlo seed.
    draws : int
        Monte-Carlo draws per design.
    with_costs : bool
        Price every design (:func:`pycodesign.search.costing.design_costs`).
    """

    def __init__(self, network, x_test, y_test, base: Architecture, space: SearchSpace, *, seed: int = 0,
                 draws: int = 1, with_costs: bool = True):
        self.network = network
        self.x, self.y = np.asarray(x_test), np.asarray(y_test)
        self.base, self.space = base, space
        self.seed, self.draws = int(seed), int(draws)
        self.with_costs = bool(with_costs)
        self.layer_shapes = [(int(W.shape[0]), int(W.shape[1])) for W, _ in network.weights]

    def realise(self, params: dict) -> Realised:
        """The architecture of a sampled point (fits recorded)."""
        return self.space.realise(self.base, params, self.layer_shapes)

    def evaluate(self, params_or_realised, *, draws: int | None = None, need_costs: bool = True,
                 cost_name: str = "design") -> DesignResult:
        """Measure one design with ``draws`` Monte-Carlo draws (default: the evaluator's)."""
        t0 = time.perf_counter()
        r = params_or_realised if isinstance(params_or_realised, Realised) else self.realise(params_or_realised)
        arch = r.architecture
        n = int(draws if draws is not None else self.draws)
        seeds = draw_seeds(self.seed, n if has_random_nonideality(arch) else 1)
        accs, first = [], None
        for s in seeds:
            ev = evaluate(self.network, arch, self.x, self.y, engine="solver", seed=s)
            accs.append(ev.accuracy)
            if first is None:
                first = ev
        structure = structure_metrics(arch, self.layer_shapes)
        metrics = {"accuracy": float(np.mean(accs)), "accuracy_worst": float(np.min(accs)),
                   "accuracy_std": float(np.std(accs)), "ideal_accuracy": first.ideal_accuracy}
        metrics.update({k: structure[k] for k in ("tiles", "devices", "adcs", "adc_conversions",
                                                   "sar_comparisons")})
        result = DesignResult(realised=r, metrics=metrics, accuracy_draws=accs, seeds=seeds, structure=structure,
                              evaluation=first)
        if need_costs and self.with_costs:
            from .costing import design_costs

            c = design_costs(first, name=cost_name)
            result.costs = c
            for k in ("energy_j", "area_mm2", "latency_s", "tops_per_w"):
                metrics[k] = float(c[k])
        result.seconds = time.perf_counter() - t0
        return result

    @staticmethod
    def needs_costs(metric_names: Sequence[str]) -> bool:
        """True when one of the metrics comes from the cost model."""
        return any(METRICS[m].source == "costs" for m in metric_names)
