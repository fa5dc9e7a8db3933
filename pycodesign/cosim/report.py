"""Plots and ``report.md`` of the programming flow (``kind: program``)."""
from __future__ import annotations


from ..reports.markdown import md_table
from ..reports.plots import new_figure, save_figure

__all__ = ["write_program_report"]


def _span(idx) -> str:
    return f"{idx[0]}..{idx[-1]}" if len(idx) > 1 else str(idx[0])


def write_program_report(run, flow, metrics, job, cos, rb, fast_blk, err_levels, g_target) -> list[str]:
    plots = []
    # Target vs final conductance maps, and the error histogram in levels.
    fig, ax = new_figure(3, 1)
    for a, data, title in ((ax[0, 0], g_target * 1e3, "target G (mS)"), (ax[0, 1], rb.g_s * 1e3, "final G (mS), read back"),
                           (ax[0, 2], err_levels, "error (levels)")):
        im = a.imshow(data, aspect="auto", cmap="viridis" if "error" not in title else "coolwarm")
        a.set_title(title)
        a.set_xlabel("bitline")
        a.set_ylabel("wordline")
        fig.colorbar(im, ax=a)
    plots.append(str(save_figure(fig, run.file("conductance_maps.png"))))
    fig, ax = new_figure()
    ax[0, 0].hist(err_levels.ravel(), bins=30, color="C0")
    ax[0, 0].set_xlabel("final G - target G (levels)")
    ax[0, 0].set_ylabel("cells")
    ax[0, 0].set_title("programming error, co-simulated block")
    plots.append(str(save_figure(fig, run.file("error_histogram.png"))))
    # Pulses per cell, both engines.
    fig, ax = new_figure(2, 1)
    vmax = max(int(cos.pulse_counts.max()), int(fast_blk.pulse_counts.max()), 1)
    for a, data, title in ((ax[0, 0], cos.pulse_counts, "pulses per cell (RTL in ngspice)"),
                           (ax[0, 1], fast_blk.pulse_counts, "pulses per cell (fast engine, no parasitics)")):
        im = a.imshow(data, aspect="auto", vmin=0, vmax=vmax, cmap="magma")
        a.set_title(title)
        a.set_xlabel("bitline")
        a.set_ylabel("wordline")
        fig.colorbar(im, ax=a)
    plots.append(str(save_figure(fig, run.file("pulses_per_cell.png"))))
    # Device states over time (conductance of every cell of the block).
    from .program import conductance_of_states

    g_t = conductance_of_states(job, cos.states) * 1e3
    fig, ax = new_figure(width_in=7)
    ax[0, 0].plot(cos.t_s * 1e6, g_t.reshape(len(cos.t_s), -1), lw=0.7)
    ax[0, 0].set_xlabel("time (us)")
    ax[0, 0].set_ylabel("G (mS)")
    ax[0, 0].set_title("every cell's conductance during programming (ngspice)")
    plots.append(str(save_figure(fig, run.file("conductance_vs_time.png"))))

    c = metrics["cosim"]
    f = metrics["fast"]
    acc = metrics["accuracy"]
    cmp = c["engine_comparison_parasitic_free_fast_vs_cosim_with_parasitics"]
    lines = [f"# Write-verify programming: {flow.name}", "",
             f"Device `{flow.array.device}` (preset `{flow.array.preset}`), cell {flow.array.cell}; "
             f"{flow.network.type.upper()} layer {metrics['mapping']['layer']} "
             f"({metrics['mapping']['layer_physical_shape'][0]}x{metrics['mapping']['layer_physical_shape'][1]} "
             f"devices), tile {metrics['mapping']['tile']} of the evaluation's tiling "
             f"({metrics['mapping']['physical_shape'][0]}x{metrics['mapping']['physical_shape'][1]} devices: "
             f"logical rows {_span(metrics['mapping']['tile_rows'])}, outputs "
             f"{_span(metrics['mapping']['tile_outputs'])}); windows of +-{flow.program.tolerance_codes} "
             f"codes of a {job.adc.bits}-bit read ADC (LSB {job.adc.lsb_a:.4g} A at V_READ = {job.bias.v_read_v} V); "
             f"SET {job.bias.set_v} V, RESET {job.bias.reset_v} V, {job.bias.scheme} half-select, pulse "
             f"{job.timing.pulse_width_s:.3g} s.", "",
             "## Co-simulated block (RTL in ngspice, line parasitics)", "",
             md_table(["quantity", "value"], [
                 ["block", f"rows {c['block']['rows']}, cols {c['block']['cols']}, {c['block']['partitions']} partitions"],
                 ["cells", c["cells"]],
                 ["fail_count (RTL)", c["fail_count_rtl"]],
                 ["in window (ngspice read-back)", c["in_window_readback"]],
                 ["out of window at the read-back but not counted (disturbed, or read differently once later "
                  "rows were programmed: sneak currents through them)", len(c["out_of_window_not_counted"])],
                 ["programming time", f"{c['programming_time_s']:.4g} s ({c['cycles']} cycles)"],
                 ["energy into the array", f"{c['energy_j']['total']:.4g} J (write {c['energy_j']['write']:.3g}, "
                                           f"read {c['energy_j']['read']:.3g})"],
                 ["disturb of earlier cells |dG/G|", f"max {c['disturb']['max_rel_dG']:.3g}, "
                                                     f"mean {c['disturb']['mean_rel_dG']:.3g}"],
                 ["error (levels)", f"mean |e| {c['error_levels']['mean_abs']:.3g}, max {c['error_levels']['max_abs']:.3g}"],
                 ["pulses per cell", f"mean {c['pulses_mean']:.3g}, max {c['pulses_max']}"],
                 ["ngspice wall time", f"{c['ngspice_s']:.3g} s ({c['cells_per_s']:.3g} cells/s; CPU "
                                       f"{c['ngspice_cpu_s']:.3g} s)"],
             ]),
             "## Engines", "",
             f"Fast engine (the whole layer, {f['cells']} cells): fail_count {f['fail_count']}, {f['cycles']} cycles, "
             f"{f['seconds']:.3g} s ({f['cells_per_s']:.3g} cells/s).", "",
             f"Pulse sequences, co-simulation (with parasitics) vs fast engine (none) on the block: {cmp['same']} "
             f"identical, {cmp['explained']} diverging at a read within {cmp['margin_lsb']} LSB of a window "
             f"threshold, {cmp['unexplained']} otherwise.", "",
             "## Accuracy", "",
             f"Test accuracy on {acc['images']} images through `pycodesign.system.evaluate`:", "",
             md_table(["network", "test accuracy"], [["software (float)", acc["software"]],
                                                     ["ideal read of the mapping", acc["ideal_mapping"]],
                                                     ["mapped conductances, this architecture", acc["mapped"]],
                                                     ["programmed (fast engine)", acc["fast_programmed"]],
                                                     ["programmed (co-simulated block read back)",
                                                      acc["programmed_with_cosim_block"]]]),
             acc["note"], "",
             "## Waveforms", "",
             "* `cosim/digital.vcd`: every RTL signal (Verilator trace, times in ps): `gtkwave cosim/digital.vcd`.",
             "* `cosim/analysis0.raw`: device states `@n<r>_<c>[x]`, line voltages `v(in<i>)`, `v(s<j>)`, read "
             "currents `v(ip<p>)` (A as V), ADC codes `v(code<p>)`, energies `v(etot)` (pJ) sampled every clock "
             "period: `ngspice` then `load cosim/analysis0.raw`, `plot v(in0) v(s0)`.",
             "* `cosim/circuit.cir`: the deck; `cosim/readback/`: the operating-point read of the final states.", ""]
    lines += [f"![{p.split('/')[-1]}]({p.split('/')[-1]})" for p in plots]
    run.file("report.md").write_text("\n".join(lines) + "\n")
    return plots
