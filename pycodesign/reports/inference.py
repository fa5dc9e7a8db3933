"""Plots and the Markdown report of a crossbar-inference run.

Everything here reads what the flow computed (``metrics`` as written to
``metrics.json``, and :class:`pycodesign.system.Evaluation` objects); nothing
is computed again.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from . import style
from .markdown import md_table
from .plots import new_figure, save_figure

__all__ = ["conditions", "plot_conductance_maps", "plot_study", "plot_output_currents", "plot_confusion_matrices",
           "inference_report"]


def conditions(flow) -> str:
    """One line stating what a run simulated (for plot captions)."""
    a, m, c, t = flow.array, flow.mapping, flow.converters, flow.tiling
    tiles = "" if t.tile_rows is None and t.tile_cols is None else \
        f", tiles <= {t.tile_rows or 'all'}x{t.tile_cols or 'all'}"
    return (f"{flow.name}: {flow.network.type.upper()}, device {a.device}{' (' + a.preset + ')' if a.preset else ''} "
            f"{a.cell}, {m.levels or 'continuous'} states in [{m.g_hrs_s:g}, {m.g_lrs_s:g}] S, wires "
            f"{a.r_row_ohm:g}/{a.r_col_ohm:g} Ohm, {a.partitions} partition(s){tiles}, DAC {c.dac_bits} b, "
            f"ADC {c.adc_bits} b, V_READ {a.v_read_v:g} V, seed {flow.seed}")


def _integer_ticks(ax, n_rows: int, n_cols: int, bias_row: bool) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ticks = [int(v) for v in MaxNLocator(integer=True, nbins=6).tick_values(0, n_rows - 1) if 0 <= v < n_rows]
    labels = [str(v) for v in ticks]
    if bias_row:
        ticks = [v for v in ticks if v < n_rows - 2] + [n_rows - 1]
        labels = [str(v) for v in ticks[:-1]] + ["bias"]
    ax.set_yticks(ticks, labels)


def plot_conductance_maps(layers, path: str | Path, *, what: str = "target", caption: str = "") -> Path:
    """Conductance maps of every mapped layer (G⁺ and G⁻ of a layer on one colour scale).

    ``what`` says whether these are the *target* (mapped) conductances or the
    *programmed* ones.
    """
    panels = []
    for k, m in enumerate(layers):
        if m.scheme == "differential":
            panels.append((k, [(f"layer {k + 1} G+ ({what})", np.asarray(m.g_pos)),
                               (f"layer {k + 1} G- ({what})", np.asarray(m.g_neg))], m.bias_row))
        else:
            panels.append((k, [(f"layer {k + 1} G ({what})", np.asarray(m.g))], m.bias_row))
    n = sum(len(p[1]) for p in panels)
    fig, ax = new_figure(n, 1, width_in=3.4, height_in=4.8)
    i = 0
    for k, mats, bias in panels:
        lo = min(float(g.min()) for _, g in mats) * 1e3
        hi = max(float(g.max()) for _, g in mats) * 1e3
        axes = []
        for title, g in mats:
            a = ax[0, i]
            im = a.imshow(g * 1e3, aspect="auto", cmap="viridis", vmin=lo, vmax=hi, interpolation="nearest")
            a.set(title=title, xlabel="bitline (output)", ylabel="wordline (input)")
            a.grid(False)
            _integer_ticks(a, g.shape[0], g.shape[1], bias)
            axes.append(a)
            i += 1
        fig.colorbar(im, ax=axes, label="conductance [mS]", shrink=0.9)
    if caption:
        style.caption(fig, caption)
    return save_figure(fig, path)


def plot_study(points: list[dict], key: str, path: str | Path, *, xlabel: str, title: str,
               software_accuracy: float | None = None, chance: float | None = None,
               spice_points: list[tuple[float, float]] = (), spice_images: int | None = None,
               design_value: float | None = None,
               log_x: bool = False, caption: str = "") -> Path:
    """Accuracy vs one swept quantity (``points``: dicts with ``key`` and ``accuracy``).

    Draws the software accuracy, the chance level, ngspice's point(s) at
    the configured value and the design point; ``log_x`` uses a symmetric log
    axis (linear around 0, so a zero value still shows).
    """
    fig, ax = new_figure()
    a = ax[0, 0]
    xs = [p[key] for p in points]
    a.plot(xs, [100 * p["accuracy"] for p in points], "o-", color=style.color_for("fast solver"),
           label="fast solver (all test images)")
    for j, (xv, acc) in enumerate(spice_points):
        a.plot([xv], [100 * acc], "s", ms=9, mfc="none", mew=2, color=style.color_for("ngspice"),
               label=(f"ngspice ({spice_images} images)" if spice_images else "ngspice") if j == 0 else None)
    if software_accuracy is not None:
        a.axhline(100 * software_accuracy, color=style.color_for("software"), ls="--", label="software (float)")
    if chance is not None:
        a.axhline(100 * chance, color="#888888", ls=":", label=f"chance ({100 * chance:.0f} %)")
    if design_value is not None:
        a.axvline(design_value, color=style.color_for("design point"), ls="-.", lw=1, label="design point")
    if log_x:
        positive = [v for v in xs if v > 0]
        a.set_xscale("symlog", linthresh=min(positive) if positive else 1.0)
    a.set(xlabel=xlabel, ylabel="test accuracy [%]", title=title, ylim=(0, 102))
    a.legend(loc="lower right" if key == "adc_bits" else "lower left")
    if caption:
        style.caption(fig, caption)
    return save_figure(fig, path)


def plot_output_currents(engines: list[tuple[str, np.ndarray]], path: str | Path, *,
                         full_scale_a: float | None = None, caption: str = "") -> Path:
    """Outlined histograms of the last layer's output currents per engine, with the ADC full scale."""
    fig, ax = new_figure()
    a = ax[0, 0]
    allv = np.concatenate([np.asarray(c).ravel() for _, c in engines]) * 1e6
    bins = np.linspace(float(allv.min()), float(allv.max()), 81) if allv.size else 80
    for j, (label, currents) in enumerate(engines):
        v = np.asarray(currents).ravel() * 1e6
        a.hist(v, bins=bins, histtype="step", lw=1.8, color=style.color_for(label, j),
               label=f"{label} ({np.asarray(currents).shape[0]} images)")
    if full_scale_a is not None:
        for sgn in (-1, 1):
            a.axvline(sgn * full_scale_a * 1e6, color=style.color_for("limit"), ls="--", lw=1.2,
                      label="ADC full scale" if sgn > 0 else None)
    a.set(xlabel="output current (W+ minus W-) [uA]", ylabel="count (outputs x images)",
          title="Output-current distribution (last layer)")
    a.legend()
    if caption:
        style.caption(fig, caption)
    return save_figure(fig, path)


def plot_confusion_matrices(panels: list[tuple[str, np.ndarray]], path: str | Path, *, caption: str = "") -> Path:
    """One confusion matrix per engine (rows: true label, columns: predicted), accuracy in the title.

    Panels over different numbers of images are shown row-normalised (the
    fraction of each true class), so their colours compare; counts are printed.
    """
    mats = [np.asarray(cm) for _, cm in panels]
    normalise = len({int(cm.sum()) for cm in mats}) > 1
    fig, ax = new_figure(len(panels), 1, width_in=4.0, height_in=4.2)
    im = None
    for a, (title, _), cm in zip(ax[0], panels, mats):
        acc = np.trace(cm) / cm.sum() if cm.sum() else float("nan")
        shown = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalise else cm
        im = a.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalise else None, interpolation="nearest")
        for i in range(cm.shape[0]):
            for j in range(cm.shape[1]):
                if cm[i, j]:
                    dark = shown[i, j] > 0.6 * (1 if normalise else shown.max())
                    a.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7,
                           color="white" if dark else "black")
        a.set(title=f"{title}\naccuracy {100 * acc:.1f} % ({int(cm.sum())} images)", xlabel="predicted",
              ylabel="true", xticks=range(cm.shape[1]), yticks=range(cm.shape[0]))
        a.grid(False)
        if not normalise:
            fig.colorbar(im, ax=a, shrink=0.8, label="images")
    if normalise:
        fig.colorbar(im, ax=list(ax[0]), shrink=0.8, label="fraction of the true class")
    if caption:
        style.caption(fig, caption)
    return save_figure(fig, path)


def inference_report(flow, metrics: dict, *, plots: list[str]) -> str:
    """The Markdown report of a crossbar-inference run, from its metrics."""
    a, m, c, t = flow.array, flow.mapping, flow.converters, flow.tiling
    net = metrics.get("network", {})
    sizes = " x ".join(map(str, net.get("layer_sizes", [])))
    rows = [["software (numpy)", metrics.get("data", {}).get("n_test", ""), metrics.get("software", {}).get("accuracy")]]
    if "spice" in metrics:
        rows.append(["ngspice", metrics["spice"]["n_images"], metrics["spice"]["accuracy"]])
    if "solver" in metrics:
        rows.append(["fast solver", metrics["solver"]["n_images"], metrics["solver"]["accuracy"]])
    tiles = "one tile per layer" if t.tile_rows is None and t.tile_cols is None else \
        f"tiles of at most {t.tile_rows or 'all'} x {t.tile_cols or 'all'} devices"
    lines = [f"# Crossbar inference: {flow.name}\n",
             f"{net.get('type', '').upper()} {sizes} on {metrics.get('data', {}).get('source', '')}"
             f" ({net.get('source', 'trained')}); device `{a.device}`"
             f"{' preset ' + a.preset if a.preset else ''} ({a.cell}), {m.scheme} mapping "
             f"({a.differential if m.scheme == 'differential' else 'reference column'}), "
             f"{m.levels or 'continuous'} states in [{m.g_hrs_s:g}, {m.g_lrs_s:g}] S; wires {a.r_row_ohm:g} / "
             f"{a.r_col_ohm:g} Ohm per segment; {a.partitions} partition(s); {tiles}, {t.columns_per_adc} "
             f"column(s) per ADC; DAC {c.dac_bits} b, ADC {c.adc_bits} b; V_READ {a.v_read_v:g} V; "
             f"seed {flow.seed}.\n"]
    if metrics.get("warnings"):
        lines += ["## Warnings\n"] + [f"- {w}" for w in metrics["warnings"]] + [""]
    lines += ["## Accuracy\n", md_table(["engine", "images", "accuracy"], rows)]
    if "spice_vs_solver" in metrics:
        s = metrics["spice_vs_solver"]
        lines.append(f"\nngspice vs fast solver (same images): max relative difference of layer-1 output currents "
                     f"{s['layer1_max_rel_current_difference']:.2e}; output codes agree on "
                     f"{100 * s['code_agreement']:.2f} % of conversions; predictions agree on "
                     f"{100 * s['prediction_agreement']:.1f} % of images.\n")
    engine = "spice" if "spice" in metrics else "solver"
    first = metrics.get(engine, {}).get("layers", [{}])[0] if metrics.get(engine) else {}
    if first.get("settling"):
        st = first["settling"]
        lines.append(f"\nSettling latency to {100 * st['tol']:g} % (step of every input to V_READ, "
                     f"{st['engine']}): {st['latency_s']:.3e} s.\n")
    if first.get("electrical"):
        e = first["electrical"]
        lines += [f"\n## Electrical (layer 1, {engine})\n",
                  md_table(["quantity", "value"], [[k, v] for k, v in e.items() if not isinstance(v, (list, dict))])]
    layer_rows = [[lay["index"] + 1, "x".join(map(str, lay["shape"])), lay["tiles"]["tiles"],
                   ", ".join(lay["tiles"]["tile_shapes"]), lay["tiles"]["adcs"], lay["lsb_a"],
                   lay["adc_full_scale_a"], lay["accumulator_bits"], lay["relu_shift"], lay["relu_limit"]]
                  for lay in metrics.get("solver", {}).get("layers", [])]
    if layer_rows:
        lines += ["\n## Layers (integer pipeline)\n",
                  md_table(["layer", "weights", "tiles", "tile shapes", "ADCs", "LSB [A]", "ADC full scale [A]",
                            "accumulator bits", "ReLU shift", "ReLU limit"], layer_rows)]
    failed = [s for s in metrics.get("steps", []) if s.get("status") == "failed"]
    if failed:
        lines += ["\n## Failed steps\n"] + [f"- {s['name']}: {(s.get('error') or '').splitlines()[0]}"
                                             + (f" (traceback: {s['log']})" if s.get("log") else "") for s in failed]
    studies = metrics.get("studies", {})
    if studies:
        lines += ["\n## Studies (fast solver, whole test set)\n"]
        if studies.get("adc_bits"):
            lines.append(md_table(["ADC bits", "accuracy"], [[s["adc_bits"], s["accuracy"]] for s in studies["adc_bits"]]))
        if studies.get("r_wire_ohm"):
            lines += ["\n", md_table(["wire segment [Ohm]", "accuracy"],
                                     [[s["r_wire_ohm"], s["accuracy"]] for s in studies["r_wire_ohm"]])]
    timing = metrics.get("timing_s", {})
    lines += ["\n## Timing\n", md_table(["step", "s"], [[k, v] for k, v in timing.items()]),
              f"\nPlots: {', '.join(plots) or '(none)'}. ngspice decks and raw files: spice/.\n"]
    return "\n".join(lines)
