"""Readable forms of a :class:`~pycodesign.costs.model.CostReport`: Markdown tables and a stacked-bar plot."""
from __future__ import annotations

from pathlib import Path

from .model import CostReport

__all__ = ["markdown_table", "markdown_report", "plot_cost_breakdown"]


def _eng(x: float, unit: str) -> str:
    if x == 0:
        return f"0 {unit}"
    for scale, prefix in ((1e-15, "f"), (1e-12, "p"), (1e-9, "n"), (1e-6, "µ"), (1e-3, "m"), (1.0, "")):
        if abs(x) < scale * 1000:
            return f"{x / scale:.3g} {prefix}{unit}"
    return f"{x:.3g} {unit}"


def markdown_table(report: CostReport) -> str:
    """Breakdown by component over the whole design: energy per inference, area and shares."""
    rows = ["| component | energy / inference | share | area (µm²) | share |", "|---|---:|---:|---:|---:|"]
    e_tot, a_tot = report.energy_j, report.area_um2
    for name, (e, a) in report.component_totals().items():
        rows.append(f"| {name} | {_eng(e, 'J')} | {100 * e / e_tot if e_tot else 0:.1f} % | {a:.4g} | "
                    f"{100 * a / a_tot if a_tot else 0:.1f} % |")
    rows.append(f"| **total** | **{_eng(e_tot, 'J')}** | 100 % | **{a_tot:.4g}** | 100 % |")
    return "\n".join(rows) + "\n"


def _layer_table(report: CostReport) -> str:
    rows = ["| layer | MACs | energy / inference | area (µm²) | read | ADC | accumulate | digital | latency |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for layer in report.layers:
        lt = layer.latency_s
        rows.append(f"| {layer.name} | {layer.macs} | {_eng(layer.energy_j, 'J')} | {layer.area_um2:.4g} | "
                    f"{_eng(lt['read_s'], 's')} | {_eng(lt['adc_s'], 's')} | {_eng(lt['accumulate_s'], 's')} | "
                    f"{_eng(lt['digital_s'], 's')} | {_eng(lt['total_s'], 's')} |")
    return "\n".join(rows) + "\n"


def markdown_report(report: CostReport, *, title: str = "Cost") -> str:
    """A "Cost" section: totals, the component table, the layer table, notes and assumptions."""
    t = report.technology
    out = [f"## {title}\n",
           f"Design `{report.name}` at {t.node_nm} nm (V_DD {t.vdd_v} V), clock {report.clock_hz / 1e6:.4g} MHz.\n",
           f"- energy per inference: **{_eng(report.energy_j, 'J')}**",
           f"- area: **{report.area_mm2:.4g} mm²**",
           f"- latency: {_eng(report.latency_s, 's')}, throughput {report.inferences_per_s:.4g} inferences/s, "
           f"power at that rate {_eng(report.power_w, 'W')}",
           f"- {report.ops_per_inference} operations per inference (2 per MAC): "
           f"{report.tops_per_w:.4g} TOPS/W, {report.tops_per_mm2:.4g} TOPS/mm²\n",
           markdown_table(report), _layer_table(report)]
    notes = [f"- {layer.name}: {n}" for layer in report.layers for n in layer.notes]
    sources = [f"- {layer.name} / {c.component}: {c.note}" for layer in report.layers for c in layer.components
               if c.note]
    out += ["Notes:\n", *notes, "", "Assumptions:\n", *[f"- {a}" for a in report.assumptions], "",
            "Sources per component:\n", *sources, ""]
    return "\n".join(out)


def plot_cost_breakdown(report: CostReport, path: str | Path, *, title: str | None = None) -> Path:
    """Stacked bars of energy per inference and area by component, one bar per layer; writes a PNG."""
    from pycodesign.reports.plots import new_figure, plt, save_figure

    comps = list(report.component_totals())
    cmap = plt.get_cmap("tab20")
    colors = {c: cmap(i % 20) for i, c in enumerate(comps)}
    fig, axes = new_figure(2, 1, width_in=5.5)
    names = [layer.name for layer in report.layers]
    for ax, key, unit, scale in ((axes[0][0], "energy_j", "energy / inference (pJ)", 1e12),
                                 (axes[0][1], "area_um2", "area (mm²)", 1e-6)):
        bottom = [0.0] * len(names)
        for c in comps:
            vals = []
            for layer in report.layers:
                v = sum(getattr(x, key) for x in layer.components if x.component == c)
                vals.append(v * scale)
            if any(vals):
                ax.bar(names, vals, bottom=bottom, label=c, color=colors[c])
                bottom = [b + v for b, v in zip(bottom, vals)]
        ax.set_ylabel(unit)
        ax.set_xlabel("layer")
    handles: dict = {}
    for ax in (axes[0][0], axes[0][1]):   # one legend for both panels (a component may be energy-only)
        for h, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, h)
    ordered = [c for c in comps if c in handles]
    axes[0][1].legend([handles[c] for c in ordered], ordered, fontsize=8, loc="upper left",
                      bbox_to_anchor=(1.0, 1.0))
    fig.suptitle(title or f"Cost by component: {report.name} at {report.technology.node_nm} nm")
    return save_figure(fig, path)
