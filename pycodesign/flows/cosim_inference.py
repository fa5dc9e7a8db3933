"""Flow ``kind: cosim_inference`` — classify images through the RTL in ngspice and check it
against :func:`pycodesign.system.evaluate` code for code.

Steps

1. data and the network (``network.type``: a single-layer perceptron or a
   one-hidden-layer MLP; trained here, or loaded);
2. :func:`pycodesign.system.evaluate` on the first ``cosim.images`` test
   images (engine ``cosim.engine``), with the architecture of this flow
   (``array.differential: digital``: one unsigned ADC input per physical
   bitline, one tile per layer, ``tiling.columns_per_adc`` bitlines per ADC);
3. one ngspice transient (:mod:`pycodesign.cosim.inference`): the tiles'
   arrays, a TIA per bitline and a SAR ADC per group of bitlines (the RTL's
   SAR controllers with a multiplexer, a DAC and a comparator in SPICE), the
   RTL subtracting W⁻ from W⁺ codes, for an MLP the ReLU RTL and the
   row-serial load of the layer-2 DAC codes into per-row sample-and-holds,
   and the argmax;
4. the comparison: every ADC code (both layers), ReLU code and class; a
   differing ADC code is listed with the evaluation's analog input's
   distance from the comparator threshold, and is allowed only within
   ``cosim.margin_lsb``;
5. ``metrics.json``, ``report.md``, a plot, ``cosim/digital.vcd``, ``cosim/analysis0.raw``.

Refused before running: other differential schemes, tiling, op-amp TIAs,
read noise (drawn per image, it cannot be replayed), and an MLP whose RTL
would exceed the d_cosim port budget
(:data:`~pycodesign.cosim.netlist.MAX_DCOSIM_BITS`; the message names
``tiling.columns_per_adc`` and its smallest value that fits).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..config import (Architecture, ArraySection, ConvertersSection, MappingSection, NonIdealitySection,
                      OutputsConfig, Section, TilingSection, option, register_flow)
from .inference import DataSection, NetworkSection

__all__ = ["CosimInferenceFlow", "run_cosim_inference_flow"]

#: Classes of both data sources (digits, MNIST): the MLP's outputs, for the port budget check.
N_CLASSES = 10


@dataclass
class CosimInferenceSection(Section):
    """The co-simulation's own settings."""

    images: int = option(10, "test images classified through the RTL (one ngspice transient)", ge=1, le=10000)
    engine: Literal["solver", "spice"] = option("solver", "engine of the evaluation compared against")
    clock_period_s: float = option(5e-9, "RTL clock period", unit="s", gt=0)
    settle_cycles: int = option(2, "cycles between an image's inputs and its conversion", ge=1, le=1000)
    margin_lsb: float = option(0.05, "a code may differ from the evaluation's only where the analog input lies "
                                     "this close to the comparator threshold", unit="LSB", ge=0)
    timeout_s: float = option(3600.0, "give up the ngspice run after this long", unit="s", gt=0)


@register_flow("cosim_inference")
@dataclass
class CosimInferenceFlow(Section):
    """SLP or MLP inference through the RTL in ngspice, compared with the evaluation (see the module doc)."""

    name: str = option("cosim_inference", "run name (prefix of the results folder)")
    seed: int = option(0, "seeds the split, training and every non-ideality draw", ge=0)
    data: DataSection = option(DataSection())
    network: NetworkSection = option(NetworkSection())
    mapping: MappingSection = option(MappingSection())
    array: ArraySection = option(ArraySection(differential="digital"))
    tiling: TilingSection = option(TilingSection())
    converters: ConvertersSection = option(ConvertersSection())
    nonideal: NonIdealitySection = option(NonIdealitySection())
    cosim: CosimInferenceSection = option(CosimInferenceSection())
    outputs: OutputsConfig = option(OutputsConfig())

    def architecture(self) -> Architecture:
        return Architecture(mapping=self.mapping, array=self.array, tiling=self.tiling,
                            converters=self.converters, nonideal=self.nonideal)

    def validate(self):
        if self.array.differential != "digital":
            self.fail("array.differential", f"{self.array.differential!r}: the co-simulation implements "
                                            "'digital' (one unsigned ADC per bitline, subtraction in the RTL)")
        if self.mapping.scheme != "differential":
            self.fail("mapping.scheme", f"{self.mapping.scheme!r}: W+ and W- columns ('differential') are needed")
        if self.converters.adc_bits is None or self.converters.adc_bits > 16:
            self.fail("converters.adc_bits", f"{self.converters.adc_bits!r}: the SAR ADC needs 2..16 bits")
        if self.tiling.tile_rows is not None or self.tiling.tile_cols is not None:
            self.fail("tiling", "the co-simulation runs one tile: leave tile_rows and tile_cols null")
        if self.array.tia.kind != "ideal":
            self.fail("array.tia.kind", "the co-simulation's TIAs are ideal")
        if self.nonideal.read_noise_sigma > 0:
            self.fail("nonideal.read_noise_sigma", f"{self.nonideal.read_noise_sigma!r}: read noise is drawn per "
                                                   "image by the evaluation and cannot be replayed in ngspice; use 0 "
                                                   "(variability and stuck-at faults are seeded draws and are fine)")
        if self.network.type == "mlp":
            self._validate_mlp()
        self.architecture()

    def _validate_mlp(self):
        from ..cosim.inference import mlp_port_bits, smallest_mlp_columns_per_adc
        from ..cosim.netlist import MAX_DCOSIM_BITS

        if self.converters.dac_bits is None or self.converters.dac_bits > 16:
            self.fail("converters.dac_bits", f"{self.converters.dac_bits!r}: the MLP's layer-2 DAC codes come from "
                                             "the ReLU RTL; 1..16 bits")
        if self.array.cell != "1R":
            self.fail("array.cell", f"{self.array.cell!r}: the MLP co-simulation drives 1R arrays")
        # both data sources have ten classes
        shape = dict(hidden=self.network.hidden, outputs=N_CLASSES, bits=self.converters.adc_bits,
                     dac_bits=self.converters.dac_bits)
        m = self.tiling.columns_per_adc
        if m > 2 * min(self.network.hidden, N_CLASSES):
            self.fail("tiling.columns_per_adc", f"{m} is more than the {2 * min(self.network.hidden, N_CLASSES)} "
                                                "bitlines of the smaller layer")
        used = mlp_port_bits(**shape, columns_per_adc=m)
        if used > MAX_DCOSIM_BITS:
            smallest = smallest_mlp_columns_per_adc(**shape)
            allowed = (f"the smallest allowed value is {smallest}" if smallest is not None
                       else "no value fits: fewer hidden units or ADC/DAC bits")
            self.fail("tiling.columns_per_adc",
                      f"{m}: the MLP's RTL would need {used} d_cosim port bits (SAR DAC and comparator bits of "
                      f"{-(-2 * self.network.hidden // m)} + {-(-2 * N_CLASSES // m)} ADCs, the layer-2 load bus, "
                      f"clock, reset, start); ngspice 46 crashes above {MAX_DCOSIM_BITS}; {allowed}")


def run_cosim_inference_flow(flow: CosimInferenceFlow, run, progress=print) -> dict:
    from ..cosim.inference import compare_with_evaluation, run_cosim_inference
    from ..cosim.netlist import BridgeTiming
    from ..reports.markdown import md_table
    from ..reports.plots import new_figure, save_figure
    from ..system import evaluate
    from .inference import _load_data, _network

    t_all = time.perf_counter()
    metrics: dict = {"complete": False}
    ds = _load_data(flow)
    net, source = _network(flow, ds, progress)
    n = min(flow.cosim.images, ds.x_test.shape[0])
    x, y = ds.x_test[:n], ds.y_test[:n]
    arch = flow.architecture()
    ev = evaluate(net, arch, x, y, engine=flow.cosim.engine, seed=flow.seed)
    if flow.network.type == "mlp":
        return _run_mlp(flow, run, ev, source, y, metrics, t_all, progress)
    layer = ev.layers[0]
    tile = layer.tiles[0]
    progress(f"evaluate ({flow.cosim.engine}): {n} images, accuracy {ev.accuracy:.4f}; now through the RTL in ngspice")
    res = run_cosim_inference(tile, layer.inputs_v, bits=flow.converters.adc_bits, lsb_a=tile.lsb_a,
                              workdir=run.file("cosim"), columns_per_adc=flow.tiling.columns_per_adc,
                              clock_period_s=flow.cosim.clock_period_s,
                              settle_cycles=flow.cosim.settle_cycles, bridges=BridgeTiming(),
                              tia_r_f_ohm=flow.array.tia.r_f_ohm, timeout_s=flow.cosim.timeout_s)
    cmp = compare_with_evaluation(res, tile, ev.predictions, margin_lsb=flow.cosim.margin_lsb)
    acc = float(np.mean(res.classes == y))
    metrics.update({
        "images": n, "network_source": source, "adc_bits": flow.converters.adc_bits, "lsb_a": tile.lsb_a,
        "accuracy_cosim": acc, "accuracy_evaluate": float(ev.accuracy), "comparison": cmp,
        "ngspice_s": res.seconds, "verilator_build_s": res.build_seconds, "images_per_s": n / res.seconds,
        "cycles_per_image": res.cycles_per_image, "columns_per_adc": flow.tiling.columns_per_adc, "files": res.files,
    })
    progress(f"RTL in ngspice: {cmp['codes_equal']}/{cmp['codes']} codes and {cmp['classes_equal']}/{n} classes "
             f"equal to evaluate; {n / res.seconds:.3g} images/s")
    fig, ax = new_figure()
    ax[0, 0].plot(np.asarray(tile.codes)[:n].ravel(), res.codes.ravel(), ".", ms=3)
    ax[0, 0].set_xlabel("ADC code, evaluate")
    ax[0, 0].set_ylabel("ADC code, RTL SAR in ngspice")
    ax[0, 0].set_title("every bitline of every image")
    plot = save_figure(fig, run.file("codes_cosim_vs_evaluate.png"))
    rows = [[d["image"], d["column"], d["cosim_code"], d["evaluate_code"], d["distance_from_threshold_lsb"],
             d["allowed"]] for d in cmp["differences"]]
    report = [f"# Inference through the RTL: {flow.name}", "",
              f"{n} test images, {flow.array.device} devices, {tile.physical_shape[0]}x{tile.physical_shape[1]} array, "
              f"a {flow.converters.adc_bits}-bit SAR ADC per {flow.tiling.columns_per_adc} bitline(s) "
              f"(LSB {tile.lsb_a:.4g} A), W+ - W- and argmax in "
              f"the RTL; compared with `evaluate` (engine {flow.cosim.engine}).", "",
              md_table(["quantity", "value"], [
                  ["codes equal", f"{cmp['codes_equal']} / {cmp['codes']}"],
                  ["classes equal", f"{cmp['classes_equal']} / {n}"],
                  ["accuracy (RTL, evaluate)", f"{acc:.4f}, {ev.accuracy:.4f}"],
                  ["ngspice", f"{res.seconds:.3g} s ({n / res.seconds:.3g} images/s, {res.cycles_per_image} cycles per image)"],
              ]), "",
              "## Codes that differ", "",
              (md_table(["image", "column", "RTL code", "evaluate code", "distance from threshold (LSB)", "allowed"],
                        rows) if rows else "None: every code is equal."), "",
              "## Waveforms", "",
              "* `cosim/digital.vcd`: the RTL (SAR controllers `bank.sar<g>`, codes `bank.code<j>`, differences "
              "`diff<k>`, `index`): `gtkwave cosim/digital.vcd`.",
              "* `cosim/analysis0.raw`: TIA outputs `v(tia<j>)`, SAR DAC outputs `v(dac<g>)`, inputs: ngspice "
              "`load cosim/analysis0.raw`.", "", f"![codes]({plot.name})"]
    return _finish(run, flow, report, plot, metrics, cmp, t_all)


def _run_mlp(flow: CosimInferenceFlow, run, ev, source: str, y, metrics: dict, t_all: float, progress) -> dict:
    """Steps 3-5 for an MLP: both layers in one transient, ReLU codes compared too."""
    from ..cosim.inference import compare_mlp_with_evaluation, run_cosim_mlp_inference
    from ..cosim.netlist import BridgeTiming
    from ..reports.markdown import md_table
    from ..reports.plots import new_figure, save_figure

    l1, l2 = ev.layers
    n = len(y)
    progress(f"evaluate ({flow.cosim.engine}): {n} images, accuracy {ev.accuracy:.4f}; now both layers through the "
             "RTL in ngspice")
    res = run_cosim_mlp_inference(l1, l2, bits=flow.converters.adc_bits, dac_bits=flow.converters.dac_bits,
                                  workdir=run.file("cosim"), columns_per_adc=flow.tiling.columns_per_adc,
                                  clock_period_s=flow.cosim.clock_period_s, settle_cycles=flow.cosim.settle_cycles,
                                  bridges=BridgeTiming(), tia_r_f_ohm=flow.array.tia.r_f_ohm,
                                  timeout_s=flow.cosim.timeout_s)
    cmp = compare_mlp_with_evaluation(res, l1, l2, ev.predictions, margin_lsb=flow.cosim.margin_lsb)
    acc = float(np.mean(res.classes == y))
    # the sample-and-holds against the evaluation's layer-2 wordline voltages (bias row excluded)
    held_err_v = float(np.max(np.abs(res.held_v - l2.inputs_v[:n, :res.held_v.shape[1]])))
    t1, t2 = l1.tiles[0], l2.tiles[0]
    metrics.update({
        "images": n, "network_source": source, "network_type": "mlp", "adc_bits": flow.converters.adc_bits,
        "dac_bits": flow.converters.dac_bits, "columns_per_adc": flow.tiling.columns_per_adc,
        "lsb_a": [t1.lsb_a, t2.lsb_a], "relu": {"shift": l1.relu_shift, "limit": l1.relu_limit, "lift": l1.relu_lift},
        "accuracy_cosim": acc, "accuracy_evaluate": float(ev.accuracy), "comparison": cmp,
        "held_voltage_max_error_v": held_err_v, "dcosim_port_bits": res.port_bits,
        "ngspice_s": res.seconds, "verilator_build_s": res.build_seconds, "images_per_s": n / res.seconds,
        "cycles_per_image": res.cycles_per_image, "files": res.files,
    })
    progress(f"RTL in ngspice: layer 1 {cmp['layer1']['codes_equal']}/{cmp['layer1']['codes']}, ReLU "
             f"{cmp['relu']['codes_equal']}/{cmp['relu']['codes']}, layer 2 {cmp['layer2']['codes_equal']}/"
             f"{cmp['layer2']['codes']} codes and {cmp['classes_equal']}/{n} classes equal to evaluate; "
             f"{n / res.seconds:.3g} images/s")
    fig, ax = new_figure(2, 1)
    for a, t, codes, title in ((ax[0, 0], t1, res.codes1, "layer 1"), (ax[0, 1], t2, res.codes2, "layer 2")):
        a.plot(np.asarray(t.codes)[:n].ravel(), codes.ravel(), ".", ms=3)
        a.set_xlabel("ADC code, evaluate")
        a.set_ylabel("ADC code, RTL SAR in ngspice")
        a.set_title(f"{title}: every bitline of every image")
    plot = save_figure(fig, run.file("codes_cosim_vs_evaluate.png"))
    rows = [[d["layer"], d["image"], d["column"], d["cosim_code"], d["evaluate_code"],
             d["distance_from_threshold_lsb"], d["allowed"]] for d in cmp["differences"]]
    relu_rows = [[d["image"], d["hidden"], d["cosim_code"], d["evaluate_code"], d["allowed"]]
                 for d in cmp["relu_differences"]]
    report = [f"# MLP inference through the RTL: {flow.name}", "",
              f"{n} test images, {flow.array.device} devices, {t1.physical_shape[0]}x{t1.physical_shape[1]} and "
              f"{t2.physical_shape[0]}x{t2.physical_shape[1]} arrays in one ngspice transient; "
              f"{flow.converters.adc_bits}-bit SAR ADCs, {flow.tiling.columns_per_adc} bitline(s) per ADC (LSB "
              f"{t1.lsb_a:.4g} A, {t2.lsb_a:.4g} A); W+ - W-, the ReLU (shift {l1.relu_shift}, limit "
              f"{l1.relu_limit}, lift {l1.relu_lift}) and argmax in the RTL; layer-2 wordlines from a "
              f"{flow.converters.dac_bits}-bit DAC bus through per-row sample-and-holds; {res.port_bits} d_cosim port "
              f"bits; compared with `evaluate` (engine {flow.cosim.engine}).", "",
              md_table(["quantity", "value"], [
                  ["layer-1 codes equal", f"{cmp['layer1']['codes_equal']} / {cmp['layer1']['codes']}"],
                  ["ReLU codes equal", f"{cmp['relu']['codes_equal']} / {cmp['relu']['codes']}"],
                  ["layer-2 codes equal", f"{cmp['layer2']['codes_equal']} / {cmp['layer2']['codes']}"],
                  ["classes equal", f"{cmp['classes_equal']} / {n}"],
                  ["accuracy (RTL, evaluate)", f"{acc:.4f}, {ev.accuracy:.4f}"],
                  ["held wordline voltage, largest error", f"{held_err_v:.3g} V"],
                  ["ngspice", f"{res.seconds:.3g} s ({n / res.seconds:.3g} images/s, {res.cycles_per_image} cycles "
                              "per image)"],
              ]), "",
              "## ADC codes that differ", "",
              (md_table(["layer", "image", "column", "RTL code", "evaluate code", "distance from threshold (LSB)",
                         "allowed"], rows) if rows else "None: every code is equal."), "",
              "## ReLU codes that differ", "",
              (md_table(["image", "hidden unit", "RTL code", "evaluate code", "allowed (layer-1 code differs)"],
                        relu_rows) if relu_rows else "None: every code is equal."), "",
              "## Waveforms", "",
              "* `cosim/digital.vcd`: the RTL (`bank1.code<j>`, `diff1_<k>`, ReLU outputs `act<i>`, the load bus "
              "`wl_row`/`wl_code`/`wl_load`, `bank2.code<j>`, `diff2_<k>`, `index`): `gtkwave cosim/digital.vcd`.",
              "* `cosim/analysis0.raw`: TIA outputs `v(tia<j>)`, `v(l2tia<j>)`, held layer-2 wordline voltages "
              "`v(h<i>)`, the DAC bus `v(wlbus)`: ngspice `load cosim/analysis0.raw`.", "", f"![codes]({plot.name})"]
    return _finish(run, flow, report, plot, metrics, cmp, t_all)


def _finish(run, flow, report: list, plot, metrics: dict, cmp: dict, t_all: float) -> dict:
    """Write report.md and metrics.json; then fail the run if a code differs beyond the margin (the files
    stay, listing the differences)."""
    run.file("report.md").write_text("\n".join(report) + "\n")
    metrics["plots"] = [str(plot)]
    metrics["complete"] = True
    metrics["timing_s"] = {"total_s": time.perf_counter() - t_all}
    run.write_json("metrics.json", metrics)
    if not cmp["all_differences_allowed"]:
        raise RuntimeError(f"{len(cmp['differences'])} codes differ from evaluate beyond {flow.cosim.margin_lsb} LSB "
                           "of the comparator threshold (listed in report.md)")
    return metrics
