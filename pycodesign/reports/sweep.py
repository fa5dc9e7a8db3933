"""Tables and error-bar plots of a ``kind: sweep`` run."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from . import style
from .markdown import md_table
from .plots import new_figure, save_figure

__all__ = ["plot_sweep", "sweep_report"]


def _centre(stat: dict, statistic: str) -> tuple[float, float, float]:
    """(centre, lower error, upper error) of one summary cell."""
    if not stat.get("n"):
        return np.nan, np.nan, np.nan
    if statistic == "median_iqr":
        return stat["median"], stat["median"] - stat["q1"], stat["q3"] - stat["median"]
    return stat["mean"], stat["std"], stat["std"]


def _fmt(stat: dict, statistic: str) -> str:
    if not stat.get("n"):
        return "-"
    if statistic == "median_iqr":
        return f"{stat['median']:.4g} [{stat['q1']:.4g}, {stat['q3']:.4g}]"
    return f"{stat['mean']:.4g} ± {stat['std']:.2g}"


def plot_sweep(flow, summary: list[dict], folder: Path) -> list[str]:
    """One plot per metric: the metric vs the first grid key, a line per value of the other keys."""
    keys = list(flow.grid)
    x_key, others = keys[0], keys[1:]
    xs = flow.grid[x_key]
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in xs)
    names = []
    err = "mean ± std" if flow.statistic == "mean_std" else "median, IQR"
    for metric in flow.metrics:
        fig, ax = new_figure()
        a = ax[0, 0]
        groups: dict[tuple, list] = {}
        for row in summary:
            groups.setdefault(tuple(row["values"][k] for k in others), []).append(row)
        for j, (gkey, rows) in enumerate(groups.items()):
            pos = [xs.index(r["values"][x_key]) for r in rows]
            xv = [xs[p] if numeric else p for p in pos]
            c, lo, hi = zip(*(_centre(r[metric], flow.statistic) for r in rows))
            label = ", ".join(f"{k}={v}" for k, v in zip(others, gkey)) or metric
            a.errorbar(xv, c, yerr=[lo, hi], fmt="o-", capsize=4, color=style.color_for("", j), label=label)
        if not numeric:
            a.set_xticks(range(len(xs)), [str(v) for v in xs])
        a.set(xlabel=x_key, ylabel=metric, title=f"{metric} vs {x_key} ({err} over {len(flow.seed_list)} seeds)")
        a.legend()
        style.caption(fig, f"{flow.name}: base {flow.base}; seeds {flow.seed_list}")
        name = "sweep_" + re.sub(r"[^A-Za-z0-9]+", "_", metric).strip("_") + ".png"
        save_figure(fig, folder / name)
        names.append(name)
    return names


def sweep_report(flow, metrics: dict, plots: list[str]) -> str:
    """The Markdown report: one row per grid point, the statistic of each metric over the seeds."""
    keys = list(flow.grid)
    stat = "mean ± sample std" if flow.statistic == "mean_std" else "median [first quartile, third quartile]"
    rows = [[*(r["values"][k] for k in keys), *(_fmt(r[m], flow.statistic) for m in flow.metrics)]
            for r in metrics["summary"]]
    cached = sum(1 for p in metrics["points"] if p["source"] == "cache")
    lines = [f"# Sweep: {flow.name}\n",
             f"Base flow `{flow.base}`; grid over {', '.join(f'`{k}`' for k in keys)}; seeds {flow.seed_list}. "
             f"Each cell is the {stat} over the seeds. {len(metrics['points'])} points "
             f"({cached} read from the cache), {metrics.get('seconds', 0):.1f} s.\n",
             md_table([*keys, *flow.metrics], rows)]
    if plots:
        lines.append("\nPlots: " + ", ".join(plots) + ".\n")
    return "\n".join(lines)
