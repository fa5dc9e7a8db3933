"""Plots and Markdown of a search: Pareto fronts, hypervolume, parallel coordinates, design tables.

Everything here reads the trial table the flow built from the study
(:func:`trial_rows`) and the figures the flow computed; nothing is evaluated
again.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Sequence

import numpy as np

from ..reports.markdown import md_table
from ..reports.plots import new_figure, plt, save_figure
from .metrics import METRICS

__all__ = ["trial_rows", "write_trials_csv", "plot_pareto", "plot_hypervolume", "plot_parallel_coordinates",
           "pareto_table", "breakdown_text", "fmt_si", "search_report"]


def trial_rows(study) -> list[dict]:
    """One plain row per trial of a study: number, state, params, used values, metrics, feasibility, worker."""
    rows = []
    for t in study.get_trials(deepcopy=False):
        res = t.user_attrs.get("result") or {}
        retry_of = t.system_attrs.get("failed_trial")
        rows.append({
            "number": t.number, "state": t.state.name, "params": dict(t.params), "used": res.get("used", dict(t.params)),
            "fits": res.get("fits", []), "metrics": res.get("metrics", {}), "values": list(t.values or []),
            "feasible": bool(t.user_attrs.get("feasible", True)), "constraints": dict(t.constraints),
            "accuracy_draws": res.get("accuracy_draws", []), "costs": res.get("costs"),
            "layers": res.get("layers", []), "error": t.user_attrs.get("error"), "retry_of": retry_of,
            "worker": t.user_attrs.get("worker"), "seconds": res.get("seconds"),
            "datetime_complete": t.datetime_complete.isoformat() if t.datetime_complete else None,
        })
    return rows


def fmt_si(v: float, unit: str = "") -> str:
    """A number with an SI prefix (``3.2 nJ``)."""
    if v is None or not isinstance(v, (int, float)) or not math.isfinite(v):
        return str(v)
    if v == 0:
        return f"0 {unit}".strip()
    prefixes = [(1e-15, "f"), (1e-12, "p"), (1e-9, "n"), (1e-6, "u"), (1e-3, "m"), (1.0, ""), (1e3, "k"), (1e6, "M")]
    for scale, p in reversed(prefixes):
        if abs(v) >= scale:
            return f"{v / scale:.3g} {p}{unit}".strip()
    return f"{v:.3g} {unit}".strip()


def write_trials_csv(rows: list[dict], keys: Sequence[str], metrics: Sequence[str], path: str | Path) -> Path:
    """Every trial as a CSV row: number, state, feasible, pareto, used values, metrics, retry_of, error."""
    p = Path(path)
    with p.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["number", "state", "feasible", "pareto", *keys, *metrics, "retry_of", "error"])
        for r in rows:
            w.writerow([r["number"], r["state"], r["feasible"], r.get("pareto", False),
                        *[r["used"].get(k, "") for k in keys], *[r["metrics"].get(m, "") for m in metrics],
                        "" if r["retry_of"] is None else r["retry_of"], r["error"] or ""])
    return p


def _tile_label(row: dict) -> str:
    lay = row.get("layers") or []
    if not lay:
        return "?"
    return f"{lay[0]['tile_rows']}x{lay[0]['tile_cols']}"


def plot_pareto(rows: list[dict], x_metric: str, path: str | Path, *, y_metric: str = "accuracy",
                title: str = "") -> Path:
    """y (accuracy) vs one cost metric: every feasible trial, the infeasible ones, the Pareto designs
    coloured by ADC bits (left) and by tile size (right)."""
    fig, axes = new_figure(2, 1, width_in=5.6, height_in=4.4)
    ok = [r for r in rows if r["state"] == "COMPLETE" and x_metric in r["metrics"] and y_metric in r["metrics"]]
    feas = [r for r in ok if r["feasible"]]
    infeas = [r for r in ok if not r["feasible"]]
    front = [r for r in ok if r.get("pareto")]
    mx, my = METRICS.get(x_metric), METRICS.get(y_metric)
    for ax, colour_by in zip(axes[0], ("adc", "tile")):
        ax.scatter([r["metrics"][x_metric] for r in feas], [r["metrics"][y_metric] for r in feas], s=10,
                   color="0.75", label=f"feasible trials ({len(feas)})", zorder=1)
        if infeas:
            ax.scatter([r["metrics"][x_metric] for r in infeas], [r["metrics"][y_metric] for r in infeas], s=12,
                       marker="x", color="tab:red", alpha=0.5, label=f"infeasible ({len(infeas)})", zorder=1)
        if front:
            if colour_by == "adc":
                vals = [r["used"].get("converters.adc_bits") for r in front]
                vals = [v if v is not None else np.nan for v in vals]
                if all(isinstance(v, (int, float)) and not (isinstance(v, float) and np.isnan(v)) for v in vals):
                    sc = ax.scatter([r["metrics"][x_metric] for r in front], [r["metrics"][y_metric] for r in front],
                                    c=vals, cmap="viridis", s=46, edgecolors="k", zorder=3, label="Pareto designs")
                    fig.colorbar(sc, ax=ax, label="ADC bits")
                else:
                    ax.scatter([r["metrics"][x_metric] for r in front], [r["metrics"][y_metric] for r in front],
                               s=46, edgecolors="k", zorder=3, label="Pareto designs")
            else:
                labels = sorted({_tile_label(r) for r in front}, key=lambda s: [int(x) if x.isdigit() else 0
                                                                               for x in s.split("x")])
                cmap = plt.get_cmap("tab10")
                for i, lab in enumerate(labels):
                    sel = [r for r in front if _tile_label(r) == lab]
                    ax.scatter([r["metrics"][x_metric] for r in sel], [r["metrics"][y_metric] for r in sel], s=46,
                               color=cmap(i % 10), edgecolors="k", zorder=3, label=f"tile {lab}")
        if mx is not None and mx.log_scale:
            ax.set_xscale("log")
        ax.set(xlabel=f"{x_metric} [{mx.unit if mx else ''}]", ylabel=f"{y_metric} [{my.unit if my else ''}]",
               title=(title or f"{y_metric} vs {x_metric}") + (" - by ADC bits" if colour_by == "adc" else
                                                               " - by tile size"))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    return save_figure(fig, path)


def plot_hypervolume(history: np.ndarray, path: str | Path, *, note: str = "") -> Path:
    """Hypervolume of the feasible Pareto set vs completed trials."""
    fig, ax = new_figure()
    ax[0, 0].plot(np.arange(1, len(history) + 1), history, "-", color="tab:blue")
    ax[0, 0].set(xlabel="completed trials", ylabel="hypervolume (normalised)", title="Hypervolume vs trials")
    ax[0, 0].grid(alpha=0.3)
    if note:
        ax[0, 0].text(0.02, 0.02, note, transform=ax[0, 0].transAxes, fontsize=7, va="bottom")
    return save_figure(fig, path)


def plot_parallel_coordinates(rows: list[dict], keys: Sequence[str], metrics: Sequence[str],
                              path: str | Path) -> Path:
    """One polyline per completed trial across the space's keys (values used) and the objectives;
    the Pareto designs in colour (by the first objective), the others grey."""
    ok = [r for r in rows if r["state"] == "COMPLETE"]
    cols = list(keys) + list(metrics)
    fig, ax = new_figure(1, 1, width_in=max(6.0, 1.2 * len(cols)), height_in=4.6)
    a = ax[0, 0]
    mat = np.full((len(ok), len(cols)), np.nan)
    ticks: list[list] = []
    for j, c in enumerate(cols):
        vals = [r["used"].get(c) if j < len(keys) else r["metrics"].get(c) for r in ok]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals if v is not None)
        if numeric and not (j < len(keys) and len({v for v in vals}) <= 1):
            x = np.array([np.nan if v is None else float(v) for v in vals])
            m = METRICS.get(c)
            if (m is not None and m.log_scale) and np.all(x[np.isfinite(x)] > 0):
                x = np.log10(x)
            lo, hi = np.nanmin(x) if np.isfinite(x).any() else 0, np.nanmax(x) if np.isfinite(x).any() else 1
            mat[:, j] = (x - lo) / (hi - lo) if hi > lo else 0.5
            ticks.append([f"{lo:.3g}", f"{hi:.3g}"] if not (m is not None and m.log_scale) else
                         [f"{10 ** lo:.3g}", f"{10 ** hi:.3g}"])
        else:
            cats = sorted({str(v) for v in vals})
            idx = {c_: i for i, c_ in enumerate(cats)}
            mat[:, j] = [idx[str(v)] / max(1, len(cats) - 1) if len(cats) > 1 else 0.5 for v in vals]
            ticks.append([cats[0], cats[-1]])
    xs = np.arange(len(cols))
    front = np.array([bool(r.get("pareto")) for r in ok])
    for i in np.where(~front)[0]:
        a.plot(xs, mat[i], color="0.8", lw=0.6, zorder=1)
    if front.any():
        key = mat[front, len(keys)] if len(metrics) else np.zeros(front.sum())
        cmap = plt.get_cmap("plasma")
        for i, kv in zip(np.where(front)[0], key):
            a.plot(xs, mat[i], color=cmap(0.1 + 0.8 * (kv if np.isfinite(kv) else 0.5)), lw=1.4, zorder=2)
    a.set_xticks(xs)
    a.set_xticklabels([c.replace(".", ".\n", 1) for c in cols], fontsize=7)
    for j, (lo, hi) in enumerate(ticks):
        a.text(j, -0.06, lo, ha="center", va="top", fontsize=6, color="0.3")
        a.text(j, 1.04, hi, ha="center", va="bottom", fontsize=6, color="0.3")
    a.set_ylim(-0.15, 1.12)
    a.set_yticks([])
    a.set_title("Parallel coordinates: every completed trial (grey), Pareto designs (colour)", fontsize=9)
    return save_figure(fig, path)


def breakdown_text(costs: dict | None, what: str = "energy_j", top: int = 3) -> str:
    """The largest components of a design's energy (or area) as shares, e.g. ``dac 62 %, adc 21 %``."""
    if not costs or not costs.get("components"):
        return ""
    comps = costs["components"]
    total = sum(v[what if what in next(iter(comps.values())) else "energy_j"] for v in comps.values())
    if total <= 0:
        return ""
    items = sorted(((k, v[what]) for k, v in comps.items()), key=lambda kv: -kv[1])[:top]
    return ", ".join(f"{k.split(' (')[0]} {100 * v / total:.0f} %" for k, v in items if v > 0)


def pareto_table(rows: list[dict], keys: Sequence[str], fidelity: dict, *, chosen: int | None = None) -> str:
    """Markdown table of the Pareto designs: values used, search-time and re-evaluated accuracy, ngspice,
    energy / area / latency with their largest components."""
    head = ["trial", *[k.split(".")[-1] for k in keys], "accuracy (search)", "accuracy (re-eval.)", "ngspice",
            "energy", "energy breakdown", "area", "area breakdown", "latency"]
    body = []
    first_of: dict[str, int] = {}
    for r in sorted((r for r in rows if r.get("pareto")), key=lambda r: r["number"]):
        first_of.setdefault(repr(sorted(r["used"].items())), r["number"])
    for r in sorted((r for r in rows if r.get("pareto")), key=lambda r: (-r["metrics"].get("accuracy", 0),
                                                                         r["number"])):
        f = fidelity.get(r["number"], {})
        same = first_of[repr(sorted(r["used"].items()))]
        re = f"{f['accuracy']:.4f} ± {f['accuracy_std']:.4f} ({f['draws']})" if "accuracy" in f else \
            (f"same design as trial {same}" if same != r["number"] else "")
        sp = f"{f['spice_accuracy']:.3f} / {f['solver_accuracy_same_images']:.3f} ({f['spice_images']} img)" \
            if "spice_accuracy" in f else ""
        m = r["metrics"]
        mark = " (chosen)" if r["number"] == chosen else ""
        body.append([f"{r['number']}{mark}", *[r["used"].get(k, "") for k in keys], f"{m.get('accuracy', 0):.4f}",
                     re, sp, fmt_si(m.get("energy_j"), "J") if "energy_j" in m else "",
                     breakdown_text(r.get("costs"), "energy_j"),
                     f"{m['area_mm2']:.4g} mm²" if "area_mm2" in m else "",
                     breakdown_text(r.get("costs"), "area_um2"),
                     fmt_si(m.get("latency_s"), "s") if "latency_s" in m else ""])
    return md_table(head, body)


def search_report(flow, metrics: dict, rows: list[dict], plots: Sequence[str]) -> str:
    """The Markdown report of a search run, from its metrics and trial rows."""
    st = metrics.get("study", {})
    c = metrics.get("counts", {})
    sp = metrics.get("space", {})
    timing = metrics.get("timing_s", {})
    lines = [f"# Architecture search: {flow.name}\n"]
    lines.append(f"{flow.network.type.upper()} on {flow.data.source}; {st.get('sampler', flow.search.sampler)} sampler "
                 f"(seed {flow.seed}), budget {st.get('budget', flow.search.budget)} completed trials, "
                 f"{st.get('workers', flow.search.workers)} worker(s); study `{st.get('name', '?')}` in "
                 f"{st.get('storage', '?')}; {flow.monte_carlo.draws} Monte-Carlo device draw(s) per trial "
                 f"(seeds {flow.seed}..{flow.seed + flow.monte_carlo.draws - 1}, the same for every design) under "
                 f"variability σ = {flow.nonideal.variability_sigma:g}, read noise σ = "
                 f"{flow.nonideal.read_noise_sigma:g}, stuck-at {flow.nonideal.stuck_at_hrs_rate:g}/"
                 f"{flow.nonideal.stuck_at_lrs_rate:g}; cost model at {flow.technology.node_nm} nm (base), ADC model "
                 f"{flow.technology.adc_model} ({flow.technology.adc_calibration}).\n")
    if not metrics.get("complete"):
        lines.append("**The run did not complete**: what follows is what was computed (metadata.json has the "
                     "error); the study keeps every completed trial — re-run the same command to continue.\n")
    if c:
        lines += ["## Trials\n", md_table(["trials", "completed", "feasible", "infeasible", "failed", "retried",
                                           "ADC/mux/partition fits", "s per completed trial"],
                                          [[c["trials"], c["complete"], c["feasible"], c["infeasible"], c["failed"],
                                            c["retries"], c["clipped"], timing.get("s_per_completed_trial", "")]])]
        lines.append("Infeasible trials are kept and counted (they violate a constraint); failed trials are "
                     "recorded with their error; trials of dead workers are failed and retried.\n")
        if st.get("dashboard"):
            lines.append(f"Watch or query the study: `{st['dashboard']}` (serves http://127.0.0.1:8080).\n")
    lines += ["## Space\n"] + [f"- `{d}`" for d in sp.get("dimensions", [])]
    if sp:
        how = "every design" if sp.get("exhaustive") else "a seeded sample and every combination of the extremes"
        lines.append(f"\nChecked before any trial: {sp.get('checked')} combinations ({how}; space size "
                     f"{sp.get('size') or 'continuous or > 10^7'}).")
    if sp.get("fits"):
        lines += ["\nFits to the tile (the space clips, stated):\n",
                  md_table(["key", "requested", "used", "reason", "designs"],
                           [[f["key"], f["requested"], f["used"], f["reason"], f["count"]] for f in sp["fits"]])]
    lines += ["\n## Objectives and constraints\n"]
    lines += [f"- {o.metric} ({o.resolved_direction}, {METRICS[o.metric].unit})" for o in flow.objectives]
    lines += [f"- constraint: {k.describe()}" for k in flow.constraints] or ["- no constraints"]
    fid = metrics.get("fidelity", {})
    per = {int(k): v for k, v in (fid.get("per_trial") or {}).items()}
    chosen = metrics.get("chosen", {})
    keys = flow.parsed_space().keys
    front = [r for r in rows if r.get("pareto")]
    if front:
        lines += [f"\n## Pareto designs ({len(front)})\n",
                  f"Re-evaluated: {len(fid.get('designs', []))} distinct design(s) with {fid.get('draws')} "
                  f"Monte-Carlo draws (mean ± std); ngspice: accuracy on the first {fid.get('spice_images')} test "
                  "images / the fast solver on the same images. Breakdowns: the largest components' shares.\n",
                  pareto_table(rows, keys, per, chosen=chosen.get("trial"))]
    hv = metrics.get("hypervolume")
    if hv:
        lines.append(f"\nHypervolume of the feasible front: {hv['final']:.4f} ({hv['note']}; reference point "
                     f"{hv['reference_point']}).\n")
    if chosen:
        lines += ["\n## The chosen design\n", f"Trial {chosen.get('trial')}: {chosen.get('reason')}.\n"]
        if chosen.get("used"):
            lines.append(md_table(["key", "value"], [[k, v] for k, v in chosen["used"].items()]))
        f = chosen.get("fidelity", {})
        m = chosen.get("metrics", {})
        rows_acc = [["search", f"{m.get('accuracy', float('nan')):.4f}", flow.monte_carlo.draws]]
        if "accuracy" in f:
            rows_acc.append(["re-evaluated", f"{f['accuracy']:.4f} ± {f['accuracy_std']:.4f}", f["draws"]])
        if "spice_accuracy" in f:
            rows_acc.append([f"ngspice ({f['spice_images']} images)", f"{f['spice_accuracy']:.4f} (solver "
                             f"{f['solver_accuracy_same_images']:.4f})", 1])
        lines += ["\n", md_table(["fidelity", "accuracy", "draws"], rows_acc)]
        files = chosen.get("files", {})
        if files:
            text = "\nFiles: " + ", ".join(f"`{v}`" for k, v in files.items() if isinstance(v, str))
            if files.get("verilog"):
                text += f"; Verilog: {', '.join('`' + v + '`' for v in files['verilog'])}"
            lines.append(text + ".\n")
        if chosen.get("cost_markdown"):
            lines += ["\n### Cost of the chosen design\n", chosen["cost_markdown"]]
    failed = [s for s in metrics.get("steps", []) if s.get("status") == "failed"]
    if failed:
        lines += ["\n## Failed steps\n"] + [f"- {s['name']}: {s.get('error', '')}" for s in failed]
    w = metrics.get("workers", {})
    if w.get("drain", {}).get("requeued"):
        lines.append(f"\nTrials of dead workers failed and re-queued: {w['drain']['requeued']}.\n")
    lines += ["\n## Timing\n", md_table(["step", "s"], [[k, v] for k, v in timing.items()]),
              f"\nPlots: {', '.join(plots) or '(none)'}. All trials: trials.csv. Figures: metrics.json.\n"]
    return "\n".join(lines)
