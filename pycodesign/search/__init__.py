"""Hardware-aware architecture search (flow ``kind: search``): optuna over the architecture's keys.

* :mod:`~pycodesign.search.space` — the design space (lists, ranges, conditions), fits to the tile, checks.
* :mod:`~pycodesign.search.metrics` — what a trial measures; :mod:`~pycodesign.search.config` — the sections.
* :mod:`~pycodesign.search.evaluator` — one design: accuracy over common Monte-Carlo draws, structure, costs
  (:mod:`~pycodesign.search.costing`: :mod:`pycodesign.costs` on the evaluation).
* :mod:`~pycodesign.search.storage` — journal file or database, the study's fingerprint and network.
* :mod:`~pycodesign.search.samplers` — NSGA-II, TPE, random, grid.
* :mod:`~pycodesign.search.workers` — the objective, worker loop, dead workers' trials, draining.
* :mod:`~pycodesign.search.pareto` — Pareto sets, hypervolume (moocore), knee.
* :mod:`~pycodesign.search.silicon` — the chosen design's ``hdl`` configuration.
* :mod:`~pycodesign.search.report` — plots, tables and the report.

The flow itself (orchestration, the chosen design's files) is :mod:`pycodesign.flows.search`;
``docs/search.md`` is the user's guide.
"""
from .config import (SAMPLERS, ChooseSection, ConstraintSpec, FidelitySection, MonteCarloSection, ObjectiveSpec,
                     RtlSection, SearchSettings)
from .costing import check_costable, cost_summary, design_costs
from .evaluator import DesignEvaluator, DesignResult, draw_seeds, has_random_nonideality, structure_metrics
from .metrics import METRICS, Metric, get_metric, metric_names
from .pareto import Normaliser, hypervolume, hypervolume_history, knee_index, pareto_mask, spread_subset
from .samplers import make_sampler
from .silicon import RtlInstance, hdl_config, rtl_instances
from .space import Dimension, Realised, SearchSpace, fit_to_tiles
from .storage import StorageError, StorageSpec, open_storage, open_study, parse_storage

__all__ = ["SAMPLERS", "ChooseSection", "ConstraintSpec", "FidelitySection", "MonteCarloSection", "ObjectiveSpec",
           "RtlSection", "SearchSettings", "check_costable", "cost_summary", "design_costs", "DesignEvaluator",
           "DesignResult", "draw_seeds", "has_random_nonideality", "structure_metrics", "METRICS", "Metric",
           "get_metric", "metric_names", "Normaliser", "hypervolume", "hypervolume_history", "knee_index",
           "pareto_mask", "spread_subset", "make_sampler", "RtlInstance", "hdl_config", "rtl_instances",
           "Dimension", "Realised", "SearchSpace", "fit_to_tiles", "StorageError", "StorageSpec", "open_storage",
           "open_study", "parse_storage"]
