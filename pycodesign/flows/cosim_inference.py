"""Flow ``kind: cosim_inference`` — classify images through the RTL in ngspice and check it
against :func:`pycodesign.system.evaluate` code for code.

Steps

1. data and the single-layer perceptron (trained here, or loaded);
2. :func:`pycodesign.system.evaluate` on the first ``cosim.images`` test
   images (engine ``cosim.engine``), with the architecture of this flow
   (``array.differential: digital``: one unsigned ADC per physical bitline,
   one tile);
3. one ngspice transient (:mod:`pycodesign.cosim.inference`): the tile's
   array, a TIA and a SAR ADC per bitline (the RTL's SAR controllers with a
   DAC and a comparator in SPICE), the RTL subtracting W⁻ from W⁺ codes and
   taking the argmax;
4. the comparison: every code and class; a differing code is listed with the
   evaluation's analog input's distance from the comparator threshold, and is
   allowed only within ``cosim.margin_lsb``;
5. ``metrics.json``, ``report.md``, a plot, ``cosim/digital.vcd``, ``cosim/analysis0.raw``.
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
    """SLP inference through the RTL in ngspice, compared with the evaluation (see the module doc)."""

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
        if self.network.type != "slp":
            self.fail("network.type", f"{self.network.type!r}: the co-simulated readout is a single layer (slp)")
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
        self.architecture()


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
              f"a {flow.converters.adc_bits}-bit SAR ADC per {flow.tiling.columns_per_adc} bitline(s) (LSB {tile.lsb_a:.4g} A), W+ - W- and argmax in "
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
    run.file("report.md").write_text("\n".join(report) + "\n")
    metrics["plots"] = [str(plot)]
    metrics["complete"] = True
    metrics["timing_s"] = {"total_s": time.perf_counter() - t_all}
    run.write_json("metrics.json", metrics)
    if not cmp["all_differences_allowed"]:
        raise RuntimeError(f"{len(cmp['differences'])} codes differ from evaluate beyond {flow.cosim.margin_lsb} LSB "
                           "of the comparator threshold (listed in report.md)")
    return metrics
