"""Plots and the Markdown report of a crossbar-inference run.

Everything here reads what the flow computed (``metrics`` as written to
``metrics.json``, and :class:`pycodesign.system.Evaluation` objects); nothing
is computed again.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .markdown import md_table
from .plots import new_figure, save_figure

__all__ = ["plot_conductance_maps", "plot_study", "plot_output_currents", "plot_confusion_matrices",
           "inference_report"]


def plot_conductance_maps(layers, path: str | Path) -> Path:
    """Target conductance maps of every mapped layer (G⁺/G⁻ or G)."""
    mats = []
    for k, m in enumerate(layers):
        if m.scheme == "differential":
            mats += [(f"layer {k + 1} G+", np.asarray(m.g_pos)), (f"layer {k + 1} G-", np.asarray(m.g_neg))]
        else:
            mats += [(f"layer {k + 1} G", np.asarray(m.g))]
    fig, ax = new_figure(len(mats), 1, width_in=3.6, height_in=5.0)
    for a, (title, g) in zip(ax[0], mats):
        im = a.imshow(g * 1e3, aspect="auto", cmap="viridis")
        a.set(title=title, xlabel="bitline (output)", ylabel="wordline (input)")
        fig.colorbar(im, ax=a, label="mS")
    return save_figure(fig, path)


def plot_study(points: list[dict], key: str, path: str | Path, *, xlabel: str, title: str,
               software_accuracy: float | None = None) -> Path:
    """Accuracy vs one swept quantity (``points``: dicts with ``key`` and ``accuracy``)."""
    fig, ax = new_figure()
    xs = [p[key] for p in points]
    ax[0, 0].plot(xs, [100 * p["accuracy"] for p in points], "o-", label="fast solver")
    if software_accuracy is not None:
        ax[0, 0].axhline(100 * software_accuracy, color="k", ls="--", label="software")
    ax[0, 0].set(xlabel=xlabel, ylabel="test accuracy [%]", title=title)
    ax[0, 0].grid(alpha=0.3)
    ax[0, 0].legend()
    return save_figure(fig, path)


def plot_output_currents(engines: list[tuple[str, np.ndarray]], path: str | Path) -> Path:
    """Histogram of the last layer's output currents per engine."""
    fig, ax = new_figure()
    for label, currents in engines:
        ax[0, 0].hist(np.asarray(currents).ravel() * 1e6, bins=80, alpha=0.6, label=label)
    ax[0, 0].set(xlabel="output current [uA]", ylabel="count", title="Output-current distribution")
    ax[0, 0].legend()
    return save_figure(fig, path)


def plot_confusion_matrices(panels: list[tuple[str, np.ndarray]], path: str | Path) -> Path:
    """One confusion matrix per engine (rows: true label, columns: predicted)."""
    fig, ax = new_figure(len(panels), 1, width_in=4.2, height_in=4.0)
    for a, (title, cm) in zip(ax[0], panels):
        cm = np.asarray(cm)
        a.imshow(cm, cmap="Blues")
        for i in range(cm.shape[0]):
            for j in range(cm.shape[1]):
                if cm[i, j]:
                    a.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7)
        a.set(title=title, xlabel="predicted", ylabel="true", xticks=range(cm.shape[1]), yticks=range(cm.shape[0]))
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
        lines += ["\n## Failed steps\n"] + [f"- {s['name']}: {s.get('error', '')}" for s in failed]
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
