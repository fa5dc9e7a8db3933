"""What a trial measures: the metrics a search may optimise or constrain.

Every metric has a unit, a natural direction and a source:

* ``accuracy`` — :func:`pycodesign.system.evaluate` with the fast solver on
  the whole test set, under the configured non-idealities, averaged over the
  Monte-Carlo device draws (the same draws for every design: common random
  numbers);
* ``structure`` — exact counts read off the tile plan
  (:func:`pycodesign.system.plan_tiles`): tiles, devices, ADCs, conversions;
* ``costs`` — the cost model :mod:`pycodesign.costs` (energy per inference,
  area, latency), see :mod:`pycodesign.search.costs`.

``log_scale`` metrics span decades across a design space; hypervolume and the
knee are computed on their log10 (see :mod:`pycodesign.search.pareto`).
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Metric", "METRICS", "metric_names", "get_metric"]


@dataclass(frozen=True)
class Metric:
    """One measurable quantity of a design.

    Attributes
    ----------
    name : str
        The key used in flow files (``objectives[i].metric``) and reports.
    unit : str
    direction : {"minimize", "maximize"}
        The natural direction (an objective may state it explicitly).
    source : {"accuracy", "structure", "costs"}
    log_scale : bool
        Compared on log10 for hypervolume and the knee.
    doc : str
    """

    name: str
    unit: str
    direction: str
    source: str
    log_scale: bool
    doc: str


_ALL = [
    Metric("accuracy", "1", "maximize", "accuracy", False,
           "test accuracy with the fast solver, mean over the Monte-Carlo device draws"),
    Metric("accuracy_worst", "1", "maximize", "accuracy", False,
           "test accuracy of the worst Monte-Carlo device draw"),
    Metric("tiles", "1", "minimize", "structure", True, "crossbar tiles over all layers"),
    Metric("devices", "1", "minimize", "structure", True,
           "memristive cells over all tiles (every tile counted at its full tile_rows x tile_cols size)"),
    Metric("adcs", "1", "minimize", "structure", True, "ADCs over all tiles"),
    Metric("adc_conversions", "1", "minimize", "structure", True, "ADC conversions per inference"),
    Metric("sar_comparisons", "1", "minimize", "structure", True,
           "comparator decisions per inference of SAR ADCs (conversions x ADC bits)"),
    Metric("energy_j", "J", "minimize", "costs", True, "energy per inference (pycodesign.costs)"),
    Metric("area_mm2", "mm^2", "minimize", "costs", True, "silicon area of arrays, converters and logic "
                                                         "(pycodesign.costs)"),
    Metric("latency_s", "s", "minimize", "costs", True, "latency of one inference (pycodesign.costs)"),
    Metric("tops_per_w", "TOPS/W", "maximize", "costs", True, "operations (2 per MAC) per joule / 1e12 "
                                                              "(pycodesign.costs)"),
]

#: Every metric by name.
METRICS: dict[str, Metric] = {m.name: m for m in _ALL}


def metric_names() -> list[str]:
    """Names of every metric, in documentation order."""
    return [m.name for m in _ALL]


def get_metric(name: str) -> Metric:
    """The :class:`Metric` called *name*; ``KeyError`` listing the known ones otherwise."""
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(f"unknown metric {name!r}; allowed: {', '.join(metric_names())}") from None
