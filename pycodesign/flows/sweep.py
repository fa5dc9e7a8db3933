"""Flow ``kind: sweep`` — a base flow over a grid of keys and seeds, with error bars.

::

    kind: sweep
    name: adc_vs_tiles
    base: flows/slp_digits.yaml      # a flow file (relative to the working directory), any kind
    grid:                            # any keys of the base flow, each a list of values
      converters.adc_bits: [4, 6, 8]
      tiling.tile_rows: [16, null]
    seeds: 3                         # seeds 0, 1, 2 (or a list, e.g. [0, 7, 11])
    metrics: [solver.accuracy, costs.energy_per_inference_j]
    statistic: mean_std              # or median_iqr

Every point (grid value × seed) is the base flow with those keys and its
``seed`` set, checked like a flow file before anything runs (a key the base
does not have, or a value it refuses, is an error naming the point).  Each
point runs the base flow's own runner in ``points/<hash>/`` and its metrics
are cached by the hash of the point's resolved configuration
(``cache_dir``): a point computed by an earlier sweep — or an earlier,
interrupted run of this one — is read back, not run again.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..config import ConfigError, OutputsConfig, Section, option, register_flow, to_dict, to_yaml
from ..config.core import _short

__all__ = ["SweepFlow", "run_sweep", "expand_points", "set_key", "get_key"]


@register_flow("sweep")
@dataclass
class SweepFlow(Section):
    """A base flow over a grid of keys and seeds; a table and plots of each metric with error bars."""

    name: str = option("sweep", "run name (prefix of the results folder)")
    base: str = option("", "the base flow file (relative to the working directory, like outputs.dir)")
    grid: dict[str, list[Any]] = option({}, "key path -> list of values (a key path names a key of the base flow, "
                                            "e.g. converters.adc_bits)")
    seeds: int | list[int] = option(3, "number of seeds (0..n-1) or the list of seeds")
    metrics: list[str] = option(["solver.accuracy"], "metrics.json paths to tabulate and plot", min_len=1)
    statistic: Literal["mean_std", "median_iqr"] = option("mean_std", "error bars: mean ± sample std, or median "
                                                                      "with the interquartile range")
    cache_dir: str | None = option(None, "where point results are cached (default: <outputs.dir>/.sweep_cache)")
    outputs: OutputsConfig = option(OutputsConfig())

    def validate(self):
        if not self.base:
            self.fail("base", "required: the flow file to sweep")
        if not self.grid:
            self.fail("grid", "give at least one key with a list of values")
        for key, values in self.grid.items():
            if not values:
                self.fail(f"grid.{key}", "the list of values is empty")
        if isinstance(self.seeds, int):
            if not 1 <= self.seeds <= 1000:
                self.fail("seeds", f"{self.seeds} seeds; allowed: 1..1000")
        elif not self.seeds or any(s < 0 for s in self.seeds):
            self.fail("seeds", "a non-empty list of seeds >= 0")
        if not Path(self.base).is_file():
            self.fail("base", f"file {self.base!r} does not exist")
        expand_points(self)  # every point checked now, before anything runs
    @property
    def seed_list(self) -> list[int]:
        return list(range(self.seeds)) if isinstance(self.seeds, int) else list(self.seeds)


def get_key(data: dict, path: str):
    """The value at a dotted key path of nested mappings (KeyError naming the path)."""
    cur = data
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            raise KeyError(path)
        cur = cur[part]
    return cur


def set_key(data: dict, path: str, value) -> None:
    """Set a dotted key path of nested mappings; every parent must exist."""
    parts = path.split(".")
    cur = data
    for part in parts[:-1]:
        if not isinstance(cur.get(part), dict):
            raise KeyError(path)
        cur = cur[part]
    cur[parts[-1]] = value


def _base_data(flow: SweepFlow) -> tuple[dict, str]:
    from .dispatch import load_flow

    try:
        base_flow = load_flow(flow.base)
    except ConfigError as exc:
        raise ConfigError(None, "base", f"the base flow is not valid: {exc}") from None
    return to_dict(base_flow), flow.base


def expand_points(flow: SweepFlow) -> list[dict]:
    """Every (grid values, seed) point as a checked flow configuration, before anything runs."""
    from .dispatch import flow_from_dict

    data, base_file = _base_data(flow)
    if data.get("kind") == "sweep":
        raise ConfigError(None, "base", "a sweep cannot sweep another sweep")
    keys = list(flow.grid)
    for key in keys:
        try:
            get_key(data, key)
        except KeyError:
            raise ConfigError(None, f"grid.{key}", f"the base flow ({base_file}, kind {data.get('kind')}) has no key "
                                                   f"{key!r}") from None
    points = []
    for values in itertools.product(*(flow.grid[k] for k in keys)):
        for seed in flow.seed_list:
            d = json.loads(json.dumps(data))
            for key, value in zip(keys, values):
                set_key(d, key, value)
            d["seed"] = seed
            d.setdefault("outputs", {})["plots"] = False
            label = ", ".join(f"{k}={_short(v, 30)}" for k, v in zip(keys, values))
            try:
                cfg = flow_from_dict(d, file=base_file)
            except ConfigError as exc:
                raise ConfigError(None, f"grid", f"point {label}, seed {seed}: {exc}") from None
            text = to_yaml(cfg)
            points.append({"values": dict(zip(keys, values)), "seed": seed, "config": cfg,
                           "hash": hashlib.sha256(text.encode()).hexdigest()[:16]})
    return points


def _stat(values: list[float], statistic: str) -> dict:
    a = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if a.size == 0:
        return {"n": 0}
    if statistic == "median_iqr":
        q1, med, q3 = np.percentile(a, [25, 50, 75])
        return {"n": int(a.size), "median": float(med), "q1": float(q1), "q3": float(q3)}
    return {"n": int(a.size), "mean": float(a.mean()), "std": float(a.std(ddof=1)) if a.size > 1 else 0.0}


def run_sweep(flow: SweepFlow, run, progress=print) -> dict:
    from ..progress import task as progress_task
    from ..reports import sweep as report

    points = expand_points(flow)
    cache = Path(flow.cache_dir) if flow.cache_dir else Path(flow.outputs.dir) / ".sweep_cache"
    cache.mkdir(parents=True, exist_ok=True)
    metrics: dict = {"points": [], "grid": flow.grid, "seeds": flow.seed_list, "statistic": flow.statistic,
                     "complete": False}
    t0 = time.perf_counter()
    with progress_task(progress, "sweep", len(points), unit="point") as advance:
        for i, p in enumerate(points):
            _point(flow, run, p, cache, metrics, progress, i, len(points))
            advance()
    _finish(flow, run, metrics, t0, report)
    return metrics


def _point(flow, run, p, cache, metrics, progress, i, n_points) -> None:
    """Run (or read from the cache) one point and record its metrics."""
    cached = cache / f"{p['hash']}.json"
    label = ", ".join(f"{k}={v}" for k, v in p["values"].items()) + f", seed {p['seed']}"
    if cached.is_file():
        m = json.loads(cached.read_text())
        source = "cache"
    else:
        from ..results import RunDir

        cfg = p["config"]
        from .dispatch import runner_for

        runner, _tools = runner_for(type(cfg).KIND)
        sub = run.path / "points" / p["hash"]
        sub.mkdir(parents=True, exist_ok=True)
        to_yaml(cfg, sub / "config.yaml")
        sub_run = RunDir(path=sub, flow=cfg, tools=(), heartbeat_s=None)
        try:
            m = runner(cfg, sub_run, progress=lambda msg: None)
        except Exception as exc:
            sub_run.fail(exc)
            raise
        status = sub_run.finish()
        if status != "complete" or not m.get("complete", True):
            raise RuntimeError(f"sweep point {label} ended {status!r}; see {sub}/metadata.json")
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(json.dumps(m, default=float))
        tmp.replace(cached)
        source = "run"
    row = {"values": p["values"], "seed": p["seed"], "hash": p["hash"], "source": source}
    for path in flow.metrics:
        try:
            row[path] = float(get_key(m, path))
        except (KeyError, TypeError, ValueError):
            raise ConfigError(None, "metrics", f"{path!r} is not a number in the point's metrics.json "
                                               f"(point {label})") from None
    metrics["points"].append(row)
    progress(f"sweep: {i + 1}/{n_points} points ({label}: " +
             ", ".join(f"{k} {row[k]:.4g}" for k in flow.metrics) + f"; {source})")
    run.write_json("metrics.json", metrics)


def _finish(flow, run, metrics, t0, report) -> None:
    """The summary per grid point over the seeds, the plots and the report."""
    summary = []
    for values in itertools.product(*(flow.grid[k] for k in flow.grid)):
        key = dict(zip(flow.grid, values))
        rows = [r for r in metrics["points"] if r["values"] == key]
        summary.append({"values": key, **{m: _stat([r[m] for r in rows], flow.statistic) for m in flow.metrics}})
    metrics["summary"] = summary
    metrics["seconds"] = time.perf_counter() - t0
    metrics["complete"] = True
    run.write_json("metrics.json", metrics)
    plots = report.plot_sweep(flow, summary, run.path) if flow.outputs.plots else []
    run.file("report.md").write_text(report.sweep_report(flow, metrics, plots))
