"""Plots and the Markdown report of the reproductions (issue 13).

Everything here reads what :mod:`pycodesign.reproduce` computed (the item
dicts as written to ``metrics.json``); nothing is computed again.  All the
reproductions' plotting lives in this module (one ``plot_item<k>`` per item
with a figure), on the shared helpers of :mod:`.plots`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..reproduce.items import ITEM_TITLES
from .markdown import fmt
from .plots import new_figure, save_figure

__all__ = ["SECTION_TITLES", "PLOTTERS", "plot_item3", "plot_item4", "plot_item5", "plot_item6", "plot_item7",
           "plot_item8", "summary_table", "reproductions_report"]

#: Section headings, by item (every selected item gets its heading, also when it failed).
SECTION_TITLES = ITEM_TITLES


def _cell(x) -> str:
    """A Markdown table cell: numbers formatted, pipes escaped, one line."""
    return fmt(x).replace("|", "\\|").replace("\n", " ")


def _table(headers, rows) -> str:
    out = ["| " + " | ".join(_cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def _pct(x) -> str:
    return "-" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{100 * float(x):.1f}"


# --------------------------------------------------------------------------- plots


def plot_item3(item: dict, path: str | Path) -> Path:
    """Accuracy of the tabular MLP vs ADC bits."""
    tab = item["tabular"]
    fig, ax = new_figure()
    a = ax[0, 0]
    a.plot([s["adc_bits"] for s in tab["sweep"]], [100 * s["accuracy"] for s in tab["sweep"]], "o-",
           label="crossbar (fast solver)")
    a.axhline(100 * tab["software_accuracy"], color="k", ls="--", label="software")
    a.axhline(90, color="tab:red", ls=":", label="90 % (review: needs >= 8 bits)")
    a.set(xlabel="ADC bits", ylabel="test accuracy [%]",
          title=f"MLP {'x'.join(map(str, tab['layer_sizes']))} on {tab['data']['source'].split(' (')[0]}")
    a.grid(alpha=0.3)
    a.legend()
    return save_figure(fig, path)


def plot_item4(item: dict, path: str | Path) -> Path:
    """Accuracy vs ADC bits, one line per tile size, one panel per network."""
    nets = item["networks"]
    fig, ax = new_figure(len(nets), 1)
    bits = item["adc_bits"]
    for a, (label, res) in zip(ax[0], nets.items()):
        for row in res["tiles"]:
            a.plot(bits, [100 * v for v in row["accuracy"]], "o-", ms=3,
                   label=f"{row['tile']}x{row['tile']} ({'+'.join(map(str, row['tiles_per_layer']))} tiles)")
        a.axhline(100 * res["software_accuracy"], color="k", ls="--", label="software")
        a.axvline(6, color="grey", ls=":", label="study's knee (6 bits)")
        a.set(xlabel="ADC bits", ylabel="test accuracy [%]", title=f"{label}, {res['r_wire_ohm']:g} Ohm wires",
              ylim=(0, 100))
        a.grid(alpha=0.3)
        a.legend(fontsize=7)
    return save_figure(fig, path)


def plot_item5(item: dict, path: str | Path) -> Path:
    """Heatmap of mean accuracy (± σ annotated) over stuck-at-HRS × stuck-at-LRS rates, per network."""
    nets = item["networks"]
    rates = item["rates"]
    fig, ax = new_figure(len(nets), 1, width_in=5.2, height_in=4.6)
    for a, (label, res) in zip(ax[0], nets.items()):
        m, sd = np.asarray(res["mean"]), np.asarray(res["std"])
        im = a.imshow(100 * m, cmap="viridis", vmin=0, vmax=100, origin="lower")
        for i in range(len(rates)):
            for j in range(len(rates)):
                if np.isfinite(m[i, j]):
                    a.text(j, i, f"{100 * m[i, j]:.1f}\n±{100 * sd[i, j]:.1f}", ha="center", va="center",
                           fontsize=7, color="w" if m[i, j] < 0.6 else "k")
        ticks = [f"{100 * r:g}" for r in rates]
        a.set(xticks=range(len(rates)), xticklabels=ticks, yticks=range(len(rates)), yticklabels=ticks,
              xlabel="stuck-at-LRS rate [%]", ylabel="stuck-at-HRS rate [%]",
              title=f"{label}: accuracy [%], {len(item['seeds'])} seeds")
        fig.colorbar(im, ax=a, label="mean accuracy [%]")
    return save_figure(fig, path)


def plot_item6(item: dict, path: str | Path) -> Path:
    """Accuracy vs σ, one line (mean ± σ over seeds) per level count, one panel per network."""
    nets = item["networks"]
    fig, ax = new_figure(len(nets), 1)
    for a, (label, res) in zip(ax[0], nets.items()):
        m, sd = np.asarray(res["mean"]), np.asarray(res["std"])
        for i, lv in enumerate(item["levels"]):
            a.errorbar(item["sigmas"], 100 * m[i], yerr=100 * sd[i], fmt="o-", ms=3, capsize=2, label=f"{lv} levels")
        a.set(xlabel="device-to-device sigma of ln G", ylabel="test accuracy [%]", title=label, ylim=(0, 100))
        a.grid(alpha=0.3)
        a.legend(fontsize=7)
    return save_figure(fig, path)


def plot_item7(item: dict, path: str | Path) -> Path:
    """Worst read margin and accuracy vs partitions; lines per wire resistance, solid single / dashed dual side."""
    grid = item["grid"]
    fig, ax = new_figure(2, 1)
    colors = {}
    for r in item["r_wire_ohm"]:
        for dual in (False, True):
            pts = sorted((g for g in grid if g["r_wire_ohm"] == r and g["dual_side"] == dual),
                         key=lambda g: g["partitions"])
            p = [g["partitions"] for g in pts]
            label = f"{r:g} Ohm, {'dual' if dual else 'single'} side"
            line, = ax[0, 0].plot(p, [g["read_margin_worst"] for g in pts], "o--" if dual else "o-", ms=3,
                                  color=colors.get(r), label=label)
            colors[r] = line.get_color()
            ax[0, 1].plot(p, [100 * g["accuracy"] for g in pts], "o--" if dual else "o-", ms=3, color=colors[r],
                          label=label)
    ax[0, 0].set(xlabel="partitions", ylabel="worst read margin V_device/V_applied",
                 title=f"{item['network']}: read margin (all wordlines at V_READ)", xscale="log", ylim=(0, 1))
    ax[0, 1].set(xlabel="partitions", ylabel="test accuracy [%]", title=f"{item['network']}: accuracy",
                 xscale="log")
    for a in ax[0]:
        a.minorticks_off()
        a.set_xticks(item["partitions"])
        a.set_xticklabels([str(p) for p in item["partitions"]])
        a.grid(alpha=0.3)
        a.legend(fontsize=7)
    return save_figure(fig, path)


def plot_item8(item: dict, path: str | Path) -> Path:
    """I-V loops (ngspice, numpy reference dotted) and conductance vs pulse number for both pairings."""
    fig, ax = new_figure(2, 1)
    n = item["n_pulses"]
    for label, res in item["pairings"].items():
        s = res["sine"]
        line, = ax[0, 0].plot(s["v"], 1e3 * np.asarray(s["i"]), label=f"{label} ngspice")
        ax[0, 0].plot(s["v"], 1e3 * np.asarray(s["i_ref"]), ":", color=line.get_color(), label=f"{label} numpy")
        g = 1e3 * np.asarray(res["pulses_g_s"])
        ax[0, 1].plot(np.arange(g.size), g, "o-", ms=3, color=line.get_color(), label=label)
    sine, pu = item["sine"], item["pulses"]
    ax[0, 0].set(xlabel="V [V]", ylabel="I [mA]",
                 title=f"pt_hf_ti: {sine['amplitude_v']:g} V, {sine['frequency_hz']:g} Hz sine")
    ax[0, 1].axvline(n, color="grey", ls=":")
    ax[0, 1].set(xlabel="pulse number", ylabel="G at 0.1 V [mS]", yscale="log",
                 title=f"{n} x {pu['set_v']:g} V/{pu['set_width_s']:g} s, then {n} x {pu['reset_v']:g} V/"
                       f"{pu['reset_width_s']:g} s")
    for a in ax[0]:
        a.grid(alpha=0.3)
        a.legend(fontsize=7)
    return save_figure(fig, path)


#: item -> (plot function, file name)
PLOTTERS = {3: (plot_item3, "item3_accuracy_vs_adc_bits.png"), 4: (plot_item4, "item4_tiles_adc.png"),
            5: (plot_item5, "item5_stuck_at_heatmap.png"), 6: (plot_item6, "item6_levels_sigma.png"),
            7: (plot_item7, "item7_read_margin.png"), 8: (plot_item8, "item8_vteam_pairings.png")}


# --------------------------------------------------------------------------- sections


def _section1(it: dict) -> list[str]:
    a = it["architecture"]
    out = [f"QMM cells (`{a['device']}`, preset `{a['preset']}`), G in [{a['g_hrs_s']:g}, {a['g_lrs_s']:g}] S with "
           f"{a['levels']} states, {'dual' if a['dual_side'] else 'single'}-side wordlines, {a['r_wire_ohm']:g} Ohm "
           f"segments, V_READ {a['v_read_v']:g} V, DAC {a['dac_bits']} b, ADC {a['adc_bits']} b. Data: "
           f"{it['data']['source']} ({it['data']['n_test']} test images).\n"]
    if it.get("data_note"):
        out.append(f"**Data.** {it['data_note']}\n")
    rows = [[r["label"], _pct(r["software_accuracy"]), f"{_pct(r['solver_accuracy'])} ({r['n_solver']})",
             f"{_pct(r.get('spice_accuracy'))} ({r['n_spice']})", _pct(r.get("solver_accuracy_on_spice_images")),
             _pct(r.get("prediction_agreement")), f"{r['solver_s']:.1f} / {r.get('spice_s', 0):.1f}"]
            for r in it["runs"]]
    out.append(_table(["network", "software [%]", "solver [%] (images)", "ngspice [%] (images)",
                       "solver on the ngspice images [%]", "same predictions [%]", "time solver / ngspice [s]"],
                      rows))
    return out


def _matrix(rows) -> str:
    return "[" + "; ".join(" ".join(str(v) for v in r) for r in rows) + "]"


def _section2(it: dict) -> list[str]:
    from_levels = {0: "G_HRS", 1: "G_LRS/5", 5: "G_LRS"}

    def lab(k):
        return from_levels.get(int(k), f"{int(k)}G_LRS/5")

    kit, eq8, eq9 = it["kit"], it["eq8"], it["eq9_levels"]
    bad = {tuple(c) for c in it["eq9_contradicts_eq8"]}
    out = [f"Eq. 6 (printed 4x4 entries): `{_matrix(it['w_eq6'])}`; w_max = {it['w_max']:g}; six states "
           "{G_HRS, 0.2, 0.4, 0.6, 0.8, 1.0 x G_LRS}.\n",
           "**Eq. 8** (quantised weights; kit: level indices of `map_weights(levels=6, w_max=5)`):\n"]
    rows = []
    for i in range(4):
        rows.append([i + 1, " ".join(map(str, kit["w_pos_q"][i])), " ".join(map(str, eq8["w_pos"][i])),
                     " ".join(map(str, kit["w_neg_q"][i])), " ".join(map(str, eq8["w_neg"][i]))])
    out.append(_table(["row", "kit W⁺q", "Eq. 8 W⁺q", "kit W⁻q", "Eq. 8 W⁻q"], rows))
    out.append("\n**Eq. 9** (conductances; kit: the literal state list; entries marked ✗ are the printed G⁻ values "
               "that contradict Eq. 8):\n")
    rows = []
    for i in range(4):
        printed = []
        for j in range(4):
            v = lab(eq9["g_neg"][i][j])
            printed.append(f"✗ {v} (Eq. 8: {lab(eq8['w_neg'][i][j])})" if (i + 1, j + 1) in bad else v)
        rows.append([i + 1, ", ".join(lab(k) for k in kit["g_pos_levels"][i]),
                     ", ".join(lab(k) for k in eq9["g_pos"][i]),
                     ", ".join(lab(k) for k in kit["g_neg_levels"][i]), ", ".join(printed)])
    out.append(_table(["row", "kit G⁺", "Eq. 9 G⁺", "kit G⁻", "Eq. 9 G⁻ (printed)"], rows))
    e5 = it["eq5"]
    out.append(f"\n**Eq. 5 vs Eq. 9.** Eq. 5 as printed, G = a·W + b with a = (G_max − G_min)/(max W − min W) and "
               f"b = G_max − a·max W, maps w = 0 to {e5['g_at_zero_s'] * 1e3:.4g} mS — mid-window "
               f"((G_HRS + G_LRS)/2 = {e5['mid_window_s'] * 1e3:.4g} mS, since max W = {e5['max_w']:g} = −min W) — "
               f"whereas Eq. 9 (and the kit) map |w| = 0 to G_HRS = {e5['g_hrs_s'] * 1e3:.4g} mS: a = (G_LRS − "
               "G_HRS)/max|W|, b = G_HRS, applied to W⁺ and W⁻ separately.\n")
    return out


def _section3(it: dict) -> list[str]:
    rows = [[r["n_rows"], r["input_bits"], r["weight_bits"], r["review_bits"],
             r["paper_bits"] if r["paper_bits"] is not None else "(formula)", r["exact_levels"],
             r["reachable_levels"], r["exact_bits"]] for r in it["formula"]]
    tab = it["tabular"]
    out = [_table(["N rows", "K input bits", "M weight bits", "review formula [bits]", "printed [bits]",
                   "levels N(2^K-1)(2^M-1)+1", "reachable levels (enumerated)", "exact [bits]"], rows),
           f"\nTable: {tab['data']['source']} ({tab['data']['n_test']} test samples); MLP "
           f"{'x'.join(map(str, tab['layer_sizes']))}, software {_pct(tab['software_accuracy'])} %.\n",
           _table(["ADC bits", "accuracy [%]"], [[s["adc_bits"], _pct(s["accuracy"])] for s in tab["sweep"]])]
    return out


def _section4(it: dict) -> list[str]:
    out = []
    for label, res in it["networks"].items():
        rows = [[f"{r['tile']}x{r['tile']}", "+".join(map(str, r["tiles_per_layer"]))]
                + [_pct(a) for a in r["accuracy"]] + [r["knee_bits"]] for r in res["tiles"]]
        rows += [[f"{r['tile']}x{r['tile']}, ideal wires", "+".join(map(str, r["tiles_per_layer"]))]
                 + [_pct(a) for a in r["accuracy"]] + [r["knee_bits"]] for r in res["ideal_wires"]]
        out += [f"\n{label} (software {_pct(res['software_accuracy'])} %), accuracy [%] by ADC bits:\n",
                _table(["tile", "tiles per layer"] + [f"{b} b" for b in it["adc_bits"]]
                       + [f"flat from (±{it['flat_points']:g} pt)"], rows)]
    return out


def _section5(it: dict) -> list[str]:
    rates = it["rates"]
    out = [f"Seeds per cell: {len(it['seeds'])} ({', '.join(map(str, it['seeds']))}). Study's Table 6 (CIFAR-10): "
           + ", ".join(f"HRS {k.split(',')[0]} / LRS {k.split(',')[1]}: {100 * v:.2f} %"
                       for k, v in it["table6"].items()) + ".\n"]
    for label, res in it["networks"].items():
        m, sd = np.asarray(res["mean"]), np.asarray(res["std"])
        lo, hi = np.asarray(res["min"]), np.asarray(res["max"])
        rows = [[f"{100 * rh:g} %"] + [f"{_pct(m[i, j])} ± {100 * sd[i, j]:.1f} ({_pct(lo[i, j])}-{_pct(hi[i, j])})"
                                       for j in range(len(rates))] for i, rh in enumerate(rates)]
        out += [f"\n{label}: accuracy [%] mean ± σ (min-max over seeds); rows stuck-at-HRS, columns stuck-at-LRS:\n",
                _table(["HRS \\ LRS"] + [f"{100 * r:g} %" for r in rates], rows)]
    return out


def _section6(it: dict) -> list[str]:
    out = [f"Seeds per cell with σ > 0: {len(it['seeds'])}.\n"]
    for label, res in it["networks"].items():
        m, sd = np.asarray(res["mean"]), np.asarray(res["std"])
        rows = [[lv] + [f"{_pct(m[i, j])} ± {100 * sd[i, j]:.1f}" for j in range(len(it["sigmas"]))]
                for i, lv in enumerate(it["levels"])]
        out += [f"\n{label}: accuracy [%] (mean ± σ over seeds); weights rounded to 0 with 2 levels: "
                + ", ".join(f"{100 * z:.0f} %" for z in res["zeroed_at_2_levels"]) + " (per layer):\n",
                _table(["levels \\ σ"] + [f"{s:g}" for s in it["sigmas"]], rows)]
    return out


def _section7(it: dict) -> list[str]:
    rows = [[g["r_wire_ohm"], "dual" if g["dual_side"] else "single", g["partitions"],
             f"{g['read_margin_worst']:.3f}", f"{g['read_margin_mean']:.3f}", _pct(g["accuracy"]),
             f"{1e3 * g['power_wires_w']:.3g}"] for g in it["grid"]]
    return [f"{it['network']}, read margin with every wordline at V_READ:\n",
            _table(["wire segment [Ohm]", "side", "partitions", "worst read margin", "mean read margin",
                    "accuracy [%]", "wire power [mW]"], rows)]


def _section8(it: dict) -> list[str]:
    rows = []
    for label, r in it["pairings"].items():
        s, g = r["sine"], r["pulses_g_s"]
        rows.append([label, r["source"], f"{s['pinch_current_a']:.1e}",
                     f"{s['lobe_areas_w'][0]:.3g} / {s['lobe_areas_w'][1]:.3g}",
                     f"{s['r_min_ohm']:.0f}-{s['r_max_ohm']:.0f}", f"{s['ref_rel_error']:.1e}",
                     f"{1e3 * g[0]:.3g} → {1e3 * g[1]:.3g} → {1e3 * g[it['n_pulses']]:.3g} → {1e3 * g[-1]:.3g}"])
    lo = it["low_alpha"]
    rows.append([f"α_off = α_on = {lo['alpha']:g}", "widened range (fit below 1)", f"{lo['pinch_current_a']:.1e}",
                 f"{lo['lobe_areas_w'][0]:.3g} / {lo['lobe_areas_w'][1]:.3g}",
                 f"{lo['r_min_ohm']:.0f}-{lo['r_max_ohm']:.0f}", f"{lo['ref_rel_error']:.1e}", "-"])
    return ["Provenance: MemTorch's case study (`memtorch/examples/legacy/CaseStudy.ipynb`) uses α_off = 1, "
            "α_on = 3 and runs VTEAM without a window (x clipped to [0, D]); Baokar & He's Table 2 prints "
            "Alpha_on = 1, Alpha_off = 3; the VTEAM paper's own table could not be consulted offline. The kit's "
            "`pt_hf_ti` ships MemTorch's pairing and adds Kvatinsky windows (the kit's addition).\n",
            _table(["pairing", "source", "|I(V=0)| [A]", "lobe areas + / − [W]", "R range on the sine [Ohm]",
                    "ngspice vs numpy", "G [mS]: start → 1 SET → all SET → all RESET"], rows)]


def _section9(it: dict) -> list[str]:
    s = it["stanford_pku"]
    return [f"Registry title: {s['title']}.\n", f"Citation: {s['citation']}.\n",
            f"Check: the kit's numpy reference against the v1.0.0 equations at V = "
            f"{', '.join(f'{v:g}' for v in s['voltages_v'])} V and gaps {', '.join(f'{1e9 * g:g}' for g in s['gaps_m'])}"
            f" nm: max relative difference {s['current_rel_error']:.1e} (I), {s['rate_rel_error']:.1e} (dg/dt).\n",
            f"VTEAM: exponents allowed {it['vteam']['alpha_range']}; citation: {it['vteam']['citation']}.\n"]


_SECTIONS = {1: _section1, 2: _section2, 3: _section3, 4: _section4, 5: _section5, 6: _section6, 7: _section7,
             8: _section8, 9: _section9}


def summary_table(claims: list[dict]) -> str:
    """The table of every claim: claim, source, paper, kit, verdict (with reason), command."""
    rows = [[c["item"], c["claim"], c["source"], c["paper_value"], c["kit_value"],
             f"**{c['verdict']}** — {c['reason']}", f"`{c['command']}`"] for c in claims]
    return _table(["#", "claim", "source", "paper", "kit", "verdict", "command"], rows)


def reproductions_report(metrics: dict, *, plots: dict | None = None) -> str:
    """The Markdown report (``reproductions.md``) from the flow's metrics.

    Parameters
    ----------
    metrics : dict
        ``{"budget", "seed", "items": {"1": item dict, ...}, "steps": [...], "timing_s", ...}``
        as the flow writes it.
    plots : dict of int -> str, optional
        PNG file names by item.
    """
    plots = {int(k): v for k, v in (plots or {}).items()}
    items = {int(k): v for k, v in metrics.get("items", {}).items()}
    selected = metrics.get("selected_items") or sorted(items)
    claims = [c for k in sorted(items) for c in items[k].get("claims", [])]
    b = metrics.get("budget", {})
    counts = {v: sum(c["verdict"] == v for c in claims) for v in ("reproduced", "trend reproduced", "differs")}
    lines = ["# Reproductions\n",
             "The kit's numbers beside the published ones: Aguirre et al., *Nat. Commun.* 15, 1974 (2024) (the "
             "review); Souto Garnelo et al., MemTorch MNIST/CIFAR study; Baokar & He. Verdicts: **reproduced** "
             "(equal, or accuracies within 2 points of a printed \"~x %\"), **trend reproduced** (the qualitative "
             "claim holds, numbers differ for the stated reason), **differs** (with the reason).\n",
             f"Budget `{b.get('name', '?')}`; seed {metrics.get('seed')}; items {', '.join(map(str, selected))}. "
             f"Verdicts: {counts['reproduced']} reproduced, {counts['trend reproduced']} trend reproduced, "
             f"{counts['differs']} differ.\n"]
    if metrics.get("data"):
        d = metrics["data"]
        lines.append(f"Data: images — {d['images']['source']} ({d['images']['n_train']} train / "
                     f"{d['images']['n_test']} test); table — {d['tabular']['source']} ({d['tabular']['n_train']} / "
                     f"{d['tabular']['n_test']}).\n")
    lines += ["## Summary\n", summary_table(claims) if claims else "(no claim computed)\n"]
    failed = {s["name"]: s for s in metrics.get("steps", []) if s.get("status") == "failed"}
    for k in selected:
        lines.append(f"\n## {k}. {SECTION_TITLES[k]}\n")
        it = items.get(k)
        if it is None:
            err = failed.get(f"item{k}", {}).get("error", "not run")
            lines.append(f"**Not computed**: {err}\n")
            continue
        lines += _SECTIONS[k](it)
        if k in plots:
            lines.append(f"\n![item {k}]({plots[k]})\n")
        if it.get("claims"):
            lines += ["\nClaims:\n", summary_table(it["claims"])]
    if failed:
        lines += ["\n## Failed steps\n"] + [f"- {n}: {s.get('error', '')}" for n, s in failed.items()] + [""]
    timing = metrics.get("timing_s", {})
    if timing:
        lines += ["\n## Timing\n", _table(["step", "s"], [[k, f"{v:.1f}"] for k, v in timing.items()])]
    return "\n".join(lines)
