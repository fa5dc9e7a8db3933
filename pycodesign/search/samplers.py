"""optuna samplers by name, seeded, with the study's constraints.

=========  =====================================================================
``nsga2``  ``NSGAIISampler`` (default): elitist genetic search, population per
           generation ``population_size``, constraint-dominance on infeasible trials
``tpe``    ``TPESampler`` (multi-objective TPE, multivariate and grouped so that
           conditional dimensions are modelled jointly), constraint-aware
``random`` ``RandomSampler``: the baseline of the benchmark
``grid``   ``BruteForceSampler`` (strict): every design of a discrete space once,
           conditional dimensions included — the ground truth of the tests
=========  =====================================================================

Constraints reach optuna through its constraints mechanism: each trial sets
its constraint values with ``Trial.set_constraint`` (≤ 0 feasible; optuna 5
reads them from the trial, ``constraints_func`` is deprecated); NSGA-II ranks
infeasible trials behind feasible ones by their total violation, TPE splits
its good/bad groups by feasibility.  Random and grid sampling do not adapt;
every trial's feasibility is stored and reported either way.
"""
from __future__ import annotations

import warnings

import optuna

from .config import SAMPLERS

__all__ = ["make_sampler"]


def make_sampler(name: str, *, seed: int, population_size: int = 20,
                 tpe_startup_trials: int = 10) -> optuna.samplers.BaseSampler:
    """A seeded sampler called *name* (one of :data:`~pycodesign.search.config.SAMPLERS`)."""
    with warnings.catch_warnings():  # TPE's group/multivariate and brute force are "experimental" in optuna
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if name == "nsga2":
            return optuna.samplers.NSGAIISampler(population_size=population_size, seed=seed)
        if name == "tpe":
            return optuna.samplers.TPESampler(seed=seed, n_startup_trials=tpe_startup_trials, multivariate=True,
                                              group=True)
        if name == "random":
            return optuna.samplers.RandomSampler(seed=seed)
        if name == "grid":
            return optuna.samplers.BruteForceSampler(seed=seed, avoid_premature_stop=True)
    raise ValueError(f"sampler {name!r}; allowed: {', '.join(SAMPLERS)}")
