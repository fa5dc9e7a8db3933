"""Evaluate a network on an architecture: the trunk every flow, study, search and co-simulation calls.

* :mod:`~pycodesign.system.tiles` — the tile grid of a layer.
* :mod:`~pycodesign.system.evaluate` — :func:`evaluate`: mapping, device
  non-idealities, tiles through the solver or ngspice, ADC codes, digital
  accumulation, integer ReLU and argmax; side-effect free.
"""
from .evaluate import ENGINES, Evaluation, LayerResult, TileResult, evaluate, layer_settling, map_network
from .tiles import TilePlan, accumulator_bits_needed, plan_tiles

__all__ = ["evaluate", "layer_settling", "Evaluation", "LayerResult", "TileResult", "ENGINES", "map_network", "TilePlan",
           "plan_tiles", "accumulator_bits_needed"]
