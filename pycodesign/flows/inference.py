"""Flow ``kind: crossbar_inference`` — train (or load) a network, evaluate it on crossbars.

The review's "Example of memristive ANN analysis" (Aguirre et al. 2024), and
beyond it: any image size, SLP or MLP, tiles with their own converters,
partitioned arrays, explicit peripherals and non-idealities.

Steps (the flow only orchestrates; the evaluation is
:func:`pycodesign.system.evaluate`, plots and the report are
:mod:`pycodesign.reports.inference`)

1. data (embedded 8×8 digits or user MNIST IDX files) and a seeded split;
2. the network: trained in numpy (SLP ``n²×10`` or MLP ``n²×h×10`` with a
   bounded ReLU) or loaded from ``network.weights_file``;
3. ngspice on ``simulation.spice_images`` test images (decks and raw files
   kept under ``spice/``), then the fast solver on the whole test set —
   both through the same integer pipeline (ADC codes, accumulation, ReLU,
   argmax);
4. the settling latency of layer 1's first tile (a transient);
5. energy, area and latency of the evaluated design (:mod:`pycodesign.costs`);
6. studies with the solver: accuracy vs ADC bits and vs wire resistance;
7. ``metrics.json`` (checkpointed after every step), ``report.md`` (with a
   "Cost" section) and plots.

Optional steps (ngspice, settling, studies, plots) that fail are recorded
with their error and the run ends ``completed with failures``; the report
is written with what completed.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..config import (Architecture, ArraySection, ConvertersSection, MappingSection, NonIdealitySection,
                      OutputsConfig, Section, TechnologySection, TilingSection, checks, option, register_flow)

__all__ = ["CrossbarInferenceFlow", "run_crossbar_inference"]


@dataclass
class DataSection(Section):
    """Images and labels."""

    source: Literal["digits", "mnist_idx"] = option("digits", "embedded scikit-learn 8x8 digits, or MNIST IDX files")
    image_size: int = option(8, "images are n x n (MNIST is down-scaled bicubically)", ge=2, le=28)
    test_fraction: float = option(0.3, "fraction of the data held out for testing", gt=0, lt=1)
    mnist_images: str | None = option(None, "IDX image file (gzip or plain), for source: mnist_idx")
    mnist_labels: str | None = option(None, "IDX label file, for source: mnist_idx")
    max_samples: int | None = option(None, "use at most this many MNIST samples", ge=10)

    def validate(self):
        if self.source == "digits" and self.image_size != 8:
            self.fail("image_size", f"{self.image_size} is not available for source 'digits' (8x8 only); "
                                    "use source: mnist_idx for other sizes")
        if self.source == "mnist_idx":
            for key in ("mnist_images", "mnist_labels"):
                path = getattr(self, key)
                if path is None:
                    self.fail(key, "required for source 'mnist_idx' (path to an IDX file)")
                if not checks.is_file(path):
                    self.fail(key, f"file {path!r} does not exist")


@dataclass
class NetworkSection(Section):
    """The network: trained in numpy (seeded by the flow's seed), or loaded from a weights file."""

    type: Literal["slp", "mlp"] = option("slp", "single-layer perceptron or one-hidden-layer MLP")
    hidden: int = option(32, "MLP hidden units", ge=1, le=4096)
    relu_max: float = option(4.0, "MLP: upper bound of the hidden ReLU (the next crossbar's full-scale input)",
                             gt=0)
    epochs: int = option(100, "training epochs", ge=1, le=100000)
    lr: float = option(0.01, "Adam learning rate", gt=0)
    l2: float = option(1e-4, "L2 weight decay", ge=0)
    batch_size: int = option(32, "minibatch size", ge=1)
    weights_file: str | None = option(None, "load the trained network from this .npz (W1, b1, W2, b2 ..., W "
                                            "inputs x outputs; relu_max for an MLP) instead of training")

    def validate(self):
        if self.weights_file is not None and not checks.is_file(self.weights_file):
            self.fail("weights_file", f"file {self.weights_file!r} does not exist")


@dataclass
class SimulationSection(Section):
    """How much runs in ngspice and how much in the fast solver."""

    spice_images: int | None = option(None, "test images simulated in ngspice (null: all, 0: none)", ge=0)
    spice_chunk: int | None = option(None, "images per ngspice job (progress granularity; null: about ten jobs of "
                                           "at least 50 images)", ge=1)
    metrics_images: int = option(32, "images used for the electrical metrics", ge=1)
    settling: bool = option(True, "measure the settling latency to 1 % (transient)")
    settling_timeout_s: float = option(300.0, "give up the settling transient after this long (the run then ends "
                                              "'completed with failures', keeping everything else)", unit="s", gt=0)


@dataclass
class StudiesSection(Section):
    """Solver sweeps over the whole test set (one plot each)."""

    adc_bits: list[int] = option([2, 3, 4, 5, 6, 8, 10], "ADC resolutions for accuracy vs ADC bits", ge=2, le=32)
    r_wire_ohm: list[float] = option([0.0, 1.0, 3.0, 10.0, 30.0],
                                     "segment resistances (rows and columns) for accuracy vs wire resistance",
                                     unit="Ohm", ge=0)


@register_flow("crossbar_inference")
@dataclass
class CrossbarInferenceFlow(Section):
    """Train a network, map it to crossbars, evaluate inference in ngspice and the fast solver."""

    name: str = option("crossbar_inference", "run name (prefix of the results folder)")
    seed: int = option(0, "seeds the split, training and every non-ideality draw", ge=0)
    data: DataSection = option(DataSection())
    network: NetworkSection = option(NetworkSection())
    mapping: MappingSection = option(MappingSection())
    array: ArraySection = option(ArraySection())
    tiling: TilingSection = option(TilingSection())
    converters: ConvertersSection = option(ConvertersSection())
    nonideal: NonIdealitySection = option(NonIdealitySection())
    technology: TechnologySection = option(TechnologySection())
    simulation: SimulationSection = option(SimulationSection())
    studies: StudiesSection = option(StudiesSection())
    outputs: OutputsConfig = option(OutputsConfig())

    def architecture(self) -> Architecture:
        """The architecture this flow evaluates (its own section objects, not copies)."""
        return Architecture(mapping=self.mapping, array=self.array, tiling=self.tiling,
                            converters=self.converters, nonideal=self.nonideal, technology=self.technology)

    def validate(self):
        n_in = self.data.image_size ** 2 + (1 if self.mapping.bias else 0)
        rows = min(n_in, self.tiling.tile_rows or n_in)
        if self.array.partitions > rows:
            self.fail("array.partitions", f"{self.array.partitions} partitions for {rows} wordlines; "
                                          f"allowed: 1..{rows}")
        self.architecture()  # cross-section rules and device-aware read checks, with their keys

    def warnings(self) -> list[str]:
        """Plausible but doubtful settings (stated on the terminal and in the report)."""
        return self.architecture().warnings()


# --------------------------------------------------------------------------- running


def _load_data(flow):
    from ..data import load_digits_dataset, load_mnist_idx

    d = flow.data
    if d.source == "digits":
        return load_digits_dataset(image_size=8, test_fraction=d.test_fraction, seed=flow.seed)
    return load_mnist_idx(d.mnist_images, d.mnist_labels, image_size=d.image_size, test_fraction=d.test_fraction,
                          seed=flow.seed, max_samples=d.max_samples)


def _network(flow, ds, progress):
    from ..nn import train_mlp, train_slp

    nw = flow.network
    if nw.weights_file is not None:
        from ..nn import load_network_npz

        progress(f"network: loading {nw.weights_file}")
        net = load_network_npz(nw.weights_file, expect_type=nw.type, n_inputs=ds.x_train.shape[1],
                               n_outputs=ds.n_classes, hidden=nw.hidden if nw.type == "mlp" else None)
        return net, "file"
    progress(f"training {nw.type.upper()} on {ds.x_train.shape[0]} images ({ds.source})")
    if nw.type == "slp":
        net = train_slp(ds.x_train, ds.y_train, epochs=nw.epochs, lr=nw.lr, l2=nw.l2, seed=flow.seed,
                        batch_size=nw.batch_size, progress=progress)
    else:
        net = train_mlp(ds.x_train, ds.y_train, hidden=nw.hidden, epochs=nw.epochs, lr=nw.lr, l2=nw.l2,
                        seed=flow.seed, batch_size=nw.batch_size, relu_max=nw.relu_max, progress=progress)
    return net, "trained"


class _Steps:
    """Runs the flow's steps through :meth:`RunDir.step`: a failed optional step is recorded (error and
    traceback kept), the flow goes on, and the run ends ``completed with failures``."""

    def __init__(self, run, metrics, checkpoint, progress):
        self.run, self.metrics, self.checkpoint, self.progress = run, metrics, checkpoint, progress

    def __call__(self, name: str, fn, *, required: bool = False):
        out = None
        with self.run.step(name, required=required) as rec:
            out = fn()
        self.metrics["steps"] = [s.to_dict() for s in self.run.steps]
        if not rec.ok:
            self.progress(f"step {name} FAILED: {rec.error}")
            self.checkpoint()
        return out


def run_crossbar_inference(flow: CrossbarInferenceFlow, run, progress=print) -> dict:
    from ..mapping import adc_bits_needed
    from ..nn import classification_report
    from ..progress import task as progress_task
    from ..reports import inference as report
    from ..system import evaluate, layer_settling

    t_all = time.perf_counter()
    timing: dict = {}
    metrics: dict = {"complete": False}
    plots: list[str] = []

    def checkpoint():
        run.write_json("metrics.json", {**metrics, "timing_s": timing})

    step = _Steps(run, metrics, checkpoint, progress)
    arch = flow.architecture()
    metrics["warnings"] = flow.warnings()
    cost = None
    try:
        # 1-2. data and network ---------------------------------------------------------
        t0 = time.perf_counter()
        ds = _load_data(flow)
        net, source = _network(flow, ds, progress)
        sw = classification_report(ds.y_test, net.predict(ds.x_test), probs=net.predict_proba(ds.x_test),
                                   n_classes=ds.n_classes)
        timing["network_s"] = time.perf_counter() - t0
        metrics["data"] = ds.describe()
        metrics["network"] = {"type": flow.network.type, "layer_sizes": net.layer_sizes, "source": source}
        metrics["software"] = sw
        progress(f"software test accuracy {sw['accuracy']:.4f}")
        checkpoint()

        # 3. ngspice on N images, then the solver on all ----------------------------------
        x, y = ds.x_test, ds.y_test
        n_all = x.shape[0]
        n_spice = n_all if flow.simulation.spice_images is None else min(flow.simulation.spice_images, n_all)
        sim = flow.simulation
        spice_ev = None
        if n_spice > 0:
            def spice_step():
                t = time.perf_counter()
                progress(f"ngspice: {n_spice} test images through {len(net.weights)} layer(s)")
                chunk = sim.spice_chunk or max(50, -(-n_spice // 10))
                ev = evaluate(net, arch, x, y, engine="spice", seed=flow.seed, n_images=n_spice,
                              metrics_images=sim.metrics_images, workdir=run.path / "spice",
                              spice_chunk=chunk, progress=progress)
                timing["spice_s"] = time.perf_counter() - t
                rep = classification_report(ev.labels, ev.predictions, n_classes=ds.n_classes)
                metrics["spice"] = {"n_images": n_spice, "report": rep, "accuracy": rep["accuracy"],
                                    **{k: v for k, v in ev.summary().items() if k not in ("accuracy", "confusion")}}
                progress(f"ngspice accuracy {rep['accuracy']:.4f} on {n_spice} images")
                run.checkpoint("spice", metrics["spice"])  # kept the moment it exists
                checkpoint()
                return ev

            spice_ev = step("spice", spice_step)

        def solver_step():
            t = time.perf_counter()
            progress(f"fast solver: {n_all} test images")
            ev = evaluate(net, arch, x, y, engine="solver", seed=flow.seed, metrics_images=sim.metrics_images,
                          progress=progress)
            timing["solver_s"] = time.perf_counter() - t
            rep = classification_report(ev.labels, ev.predictions, n_classes=ds.n_classes)
            metrics["solver"] = {"n_images": n_all, "report": rep, "accuracy": rep["accuracy"],
                                 **{k: v for k, v in ev.summary().items() if k not in ("accuracy", "confusion")}}
            progress(f"fast-solver accuracy {rep['accuracy']:.4f} on {n_all} images")
            run.checkpoint("solver", metrics["solver"])
            return ev

        solver_ev = step("solver", solver_step, required=True)
        layers = [lay.mapped for lay in solver_ev.layers]
        k_bits = flow.converters.dac_bits or 8
        m_bits = flow.mapping.weight_bits or 8
        metrics["mapping"] = {
            "scheme": flow.mapping.scheme, "levels": flow.mapping.levels,
            "layers": [{"shape": list(np.asarray(m.w_quantized).shape), "n_devices": int(m.n_devices),
                        "w_max": float(m.w_max), "weight_per_siemens": float(m.weight_per_siemens),
                        "n_clipped": int(m.n_clipped)} for m in layers],
            "adc_bits_needed_exact": adc_bits_needed(layers[0].n_rows, k_bits, m_bits),
        }
        if spice_ev is not None:
            a = solver_ev.layers[0].outputs_a[:n_spice]
            b = spice_ev.layers[0].outputs_a
            sc, pc = solver_ev.output_codes[:n_spice], spice_ev.output_codes
            metrics["spice_vs_solver"] = {
                "layer1_max_rel_current_difference": float(np.max(np.abs(a - b)) / np.max(np.abs(b))),
                "code_agreement": float(np.mean(sc == pc)),
                "prediction_agreement": float(np.mean(solver_ev.predictions[:n_spice] == spice_ev.predictions)),
                "spice_s_per_image": timing["spice_s"] / n_spice,
                "images_same": n_spice,
                "spice_accuracy_same_images": float(np.mean(spice_ev.predictions == y[:n_spice])),
                "solver_accuracy_same_images": float(np.mean(solver_ev.predictions[:n_spice] == y[:n_spice])),
                "images_rest": n_all - n_spice,
                "solver_accuracy_rest": (float(np.mean(solver_ev.predictions[n_spice:] == y[n_spice:]))
                                         if n_all > n_spice else None),
            }
        metrics["accuracy_drop_points"] = {
            "spice_vs_software": (sw["accuracy"] - metrics["spice"]["accuracy"]) * 100 if "spice" in metrics else None,
            "solver_vs_software": (sw["accuracy"] - metrics["solver"]["accuracy"]) * 100}
        checkpoint()

        # 4. settling latency of layer 1 (a transient: ngspice, or the solver's for linear arrays)
        if sim.settling:
            source_ev, key = (spice_ev, "spice") if spice_ev is not None else (solver_ev, "solver")

            def settling_step():
                t = time.perf_counter()
                progress(f"settling latency of layer 1 ({key} run)")
                st = layer_settling(source_ev.layers[0], engine=key, timeout_s=sim.settling_timeout_s,
                                    workdir=(run.path / "spice" / "settling") if key == "spice" else None)
                metrics[key]["layers"][0]["settling"] = st.to_dict()
                timing["settling_s"] = time.perf_counter() - t
                checkpoint()

            step("settling", settling_step)

        # 5. energy, area and latency of the evaluated design (pycodesign.costs) --------------

        def cost_step():
            from ..costs import costs_of_evaluation

            t = time.perf_counter()
            if spice_ev is not None:  # the transient measured on the ngspice run sets the cost model's read time
                for mine, theirs in zip(solver_ev.layers, spice_ev.layers):
                    mine.settling = mine.settling or theirs.settling
            r = costs_of_evaluation(solver_ev, name=flow.name)
            metrics["costs"] = r.to_dict()
            timing["costs_s"] = time.perf_counter() - t
            progress(f"costs: {r.energy_j * 1e9:.4g} nJ/inference, {r.area_mm2:.4g} mm^2, "
                     f"{r.latency_s * 1e9:.4g} ns at {flow.technology.node_nm} nm")
            checkpoint()
            return r

        cost = step("costs", cost_step)

        # 6. studies ------------------------------------------------------------------------
        studies: dict = {"adc_bits": [], "r_wire_ohm": []}
        metrics["studies"] = studies

        def study(key, values, change):
            t = time.perf_counter()
            with progress_task(progress, f"study: accuracy vs {key}", len(values), unit="point") as advance:
                for value in values:
                    ev = evaluate(net, change(value), x, y, engine="solver", seed=flow.seed)
                    studies[key].append({key: value, "accuracy": ev.accuracy})
                    advance()
            timing[f"study_{key}_s"] = time.perf_counter() - t
            progress(f"study: accuracy vs {key} " + ", ".join(f"{s[key]:g}: {s['accuracy']:.3f}"
                                                              for s in studies[key]))
            checkpoint()

        step("study_adc_bits", lambda: study("adc_bits", flow.studies.adc_bits, lambda b: arch.replace(
            converters=arch.converters.replace(adc_bits=b))))
        step("study_r_wire_ohm", lambda: study("r_wire_ohm", flow.studies.r_wire_ohm, lambda r: arch.replace(
            array=arch.array.replace(r_row_ohm=r, r_col_ohm=r))))

        # 7. plots --------------------------------------------------------------------------
        if flow.outputs.plots:
            def plot_step():
                cap = report.conditions(flow)
                plots.append(report.plot_conductance_maps(layers, run.file("conductance_maps.png"), what="target",
                                                          caption=cap).name)
                spice_pts = [(flow.converters.adc_bits, metrics["spice"]["accuracy"])] \
                    if "spice" in metrics and flow.converters.adc_bits else []
                plots.append(report.plot_study(
                    studies["adc_bits"], "adc_bits", run.file("accuracy_vs_adc_bits.png"), xlabel="ADC bits",
                    title="Accuracy vs ADC resolution", software_accuracy=sw["accuracy"], chance=1 / ds.n_classes,
                    spice_points=spice_pts, spice_images=n_spice, design_value=flow.converters.adc_bits, caption=cap).name)
                r_design = flow.array.r_row_ohm if flow.array.r_row_ohm == flow.array.r_col_ohm else None
                spice_pts = [(r_design, metrics["spice"]["accuracy"])] \
                    if "spice" in metrics and r_design is not None else []
                plots.append(report.plot_study(
                    studies["r_wire_ohm"], "r_wire_ohm", run.file("accuracy_vs_wire_resistance.png"),
                    xlabel="wire segment resistance, rows and columns [Ohm]", title="Accuracy vs wire resistance",
                    software_accuracy=sw["accuracy"], chance=1 / ds.n_classes, spice_points=spice_pts,
                    spice_images=n_spice, design_value=r_design, log_x=True, caption=cap).name)
                engines = [("fast solver", solver_ev.layers[-1].outputs_a)]
                if spice_ev is not None:
                    engines.append(("ngspice", spice_ev.layers[-1].outputs_a))
                plots.append(report.plot_output_currents(engines, run.file("output_currents.png"),
                                                         full_scale_a=solver_ev.layers[-1].adc_full_scale_a,
                                                         caption=cap).name)
                panels = [("software", np.asarray(sw["confusion_matrix"]))]
                if spice_ev is not None:
                    panels.append(("ngspice", np.asarray(metrics["spice"]["report"]["confusion_matrix"])))
                panels.append(("fast solver", np.asarray(metrics["solver"]["report"]["confusion_matrix"])))
                plots.append(report.plot_confusion_matrices(panels, run.file("confusion_matrix.png"),
                                                            caption=cap).name)
                if cost is not None:
                    from ..costs import plot_cost_breakdown

                    plots.append(plot_cost_breakdown(cost, run.file("cost_breakdown.png"),
                                                     title=f"{flow.name}: energy and area by component").name)

            step("plots", plot_step)
        metrics["complete"] = True
    finally:
        timing["total_s"] = time.perf_counter() - t_all
        checkpoint()
        text = report.inference_report(flow, metrics, plots=plots)
        if cost is not None:
            from ..costs import markdown_report

            text += "\n" + markdown_report(cost)
        run.file("report.md").write_text(text)
    return metrics
