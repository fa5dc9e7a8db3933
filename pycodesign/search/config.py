"""The search's own configuration sections (the flow ``kind: search`` embeds them).

``objectives``  metrics with directions (:mod:`pycodesign.search.metrics`)
``constraints`` bounds on metrics, passed to optuna's constraints mechanism
``search``      sampler, budget, workers, storage, heartbeats and retries
``monte_carlo`` device draws per trial (common random numbers)
``fidelity``    re-evaluation of the Pareto designs after the budget
``choose``      which Pareto design becomes silicon (knee, or best under bounds)
``rtl``         whether the chosen design's Verilog is generated
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..config.core import Section, option
from .metrics import METRICS, metric_names

__all__ = ["SAMPLERS", "ObjectiveSpec", "ConstraintSpec", "SearchSettings", "MonteCarloSection",
           "FidelitySection", "ChooseSection", "RtlSection"]

#: Sampler names accepted by ``search.sampler``.
SAMPLERS = ("nsga2", "tpe", "random", "grid")


def _check_metric(section: Section, key: str, name: str) -> None:
    if name not in METRICS:
        section.fail(key, f"{name!r} is not a metric; allowed: {', '.join(metric_names())}")


@dataclass
class ObjectiveSpec(Section):
    """One objective: a metric and the direction it is optimised in."""

    metric: str = option("accuracy", "metric name (see pycodesign.search.metrics)")
    direction: Literal["minimize", "maximize"] | None = option(
        None, "null: the metric's natural direction (accuracy up, costs down)")

    def validate(self):
        _check_metric(self, "metric", self.metric)

    @property
    def resolved_direction(self) -> str:
        return self.direction or METRICS[self.metric].direction


@dataclass
class ConstraintSpec(Section):
    """A bound on a metric; a trial violating it is infeasible (counted, kept, never on the front)."""

    metric: str = option("accuracy", "metric name (see pycodesign.search.metrics)")
    min: float | None = option(None, "feasible when metric >= min")
    max: float | None = option(None, "feasible when metric <= max")

    def validate(self):
        _check_metric(self, "metric", self.metric)
        if self.min is None and self.max is None:
            self.fail("min", "give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            self.fail("min", f"{self.min:g} is above max {self.max:g}; allowed: min <= max")

    def satisfied(self, value: float) -> bool:
        """True when *value* meets every bound."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f"{self.metric} >= {self.min:g}")
        if self.max is not None:
            parts.append(f"{self.metric} <= {self.max:g}")
        return " and ".join(parts)


@dataclass
class SearchSettings(Section):
    """Sampler, budget, workers and the study's storage."""

    sampler: Literal["nsga2", "tpe", "random", "grid"] = option(
        "nsga2", "NSGA-II, multi-objective TPE, random, or exhaustive grid (every design of a discrete space)")
    budget: int = option(200, "completed trials (feasible or not) the study runs to; trials of dead workers "
                              "are retried on top", ge=1, le=10_000_000)
    population_size: int = option(20, "NSGA-II population per generation", ge=2, le=100000)
    tpe_startup_trials: int = option(10, "TPE: random trials before the model is used", ge=1)
    workers: int = option(1, "worker processes on this host (the run itself is one of them)", ge=1, le=256)
    storage: str | None = option(None, "null: an optuna journal file study.journal in the results folder; or "
                                       "postgresql://user@host:port/db, mysql://..., sqlite:///file.db, or a "
                                       "journal file path")
    study_name: str | None = option(None, "study name in the storage (null: the flow's name)")
    heartbeat_interval_s: int = option(10, "database storages: a running trial writes a heartbeat this often",
                                       unit="s", ge=1)
    grace_period_s: int | None = option(None, "database storages: a trial without a heartbeat for this long "
                                              "is failed and retried (null: 3 x heartbeat_interval_s)",
                                        unit="s", ge=1)
    max_retry: int = option(3, "times a trial of a dead worker is retried", ge=0, le=1000)

    @property
    def grace_s(self) -> int:
        return self.grace_period_s if self.grace_period_s is not None else 3 * self.heartbeat_interval_s


@dataclass
class MonteCarloSection(Section):
    """Device draws per trial: seeds ``seed, seed+1, ..., seed+draws-1`` for every design."""

    draws: int = option(3, "Monte-Carlo device draws averaged per trial (1 when no non-ideality is random)",
                        ge=1, le=10000)


@dataclass
class FidelitySection(Section):
    """Re-evaluation of the Pareto designs after the budget, reported beside the search-time values."""

    draws: int = option(20, "Monte-Carlo draws per Pareto design (0: skip)", ge=0, le=100000)
    max_designs: int = option(40, "re-evaluate at most this many Pareto designs (spread along the front, the "
                                  "extremes kept)", ge=1)
    spice_images: int = option(100, "test images simulated in ngspice for the SPICE-fidelity check (0: skip)",
                               ge=0)
    spice_designs: int = option(3, "Pareto designs simulated in ngspice: the chosen design, then the extremes",
                                ge=0)


@dataclass
class ChooseSection(Section):
    """Which Pareto design is carried to silicon (flow YAML, RTL, cost table)."""

    rule: Literal["knee", "best"] = option(
        "knee", "knee: the Pareto design closest to the ideal point of the normalised front; best: the best "
                "value of `metric` among the Pareto designs meeting `constraints`")
    metric: str | None = option(None, "rule best: the metric to optimise (its natural direction)")
    constraints: list[ConstraintSpec] = option([], "rule best: bounds the chosen design must meet (on the "
                                                   "re-evaluated values when there are any)")

    def validate(self):
        if self.rule == "best":
            if self.metric is None:
                self.fail("metric", "rule best needs a metric, e.g. metric: energy_j")
            _check_metric(self, "metric", self.metric)
        elif self.metric is not None or self.constraints:
            self.fail("rule", "metric and constraints apply to rule best only")


@dataclass
class RtlSection(Section):
    """The digital peripherals generated for the chosen design (``pycodesign hdl``)."""

    generate: bool = option(True, "write hdl.yaml sized to the chosen design and generate its Verilog (the "
                                  "blocks the cost model priced, plus the SAR controller and address sequencer)")
