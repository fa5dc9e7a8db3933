"""Flow ``kind: crossbar_inference`` — train, map, simulate a network on memristor crossbars.

The review's "Example of memristive ANN analysis" (Aguirre et al. 2024), and
beyond it: any image size, SLP or MLP, partitioned arrays, explicit
peripherals and non-idealities.

Steps
-----
1. data (embedded 8×8 digits or user MNIST IDX files) and a seeded split;
2. training in numpy (SLP ``n²×10`` or MLP ``n²×h×10`` with a bounded ReLU);
3. mapping of every layer to conductances (differential or reference column,
   linear states or measured levels, bias row);
4. ngspice on ``simulation.spice_images`` test images (netlists and raw files
   kept under ``spice/``), then the fast solver on the whole test set;
5. studies with the solver: accuracy vs ADC bits and vs wire resistance;
6. ``metrics.json``, ``report.md`` and plots: conductance maps, accuracy vs ADC
   bits, accuracy vs wire resistance, output-current distributions, confusion
   matrices.

MLP layers are chained as in the review's Fig. 2: layer-1 bitline currents →
ADC → digital bounded ReLU (the bound makes the activation a valid input
voltage for the next crossbar) → DAC → layer-2 wordlines.  The hidden layer's
bound ``relu_max`` is part of training, so software and hardware compute the
same function; layer 2 is mapped with ``relu_max·W₂`` so that inputs
``h/relu_max`` in [0, 1] give the same logits.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np

from ..config import ConfigError, OutputsConfig, Section, option, register_flow
from ..devices.registry import ParameterError, get_model, list_models

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
                if not Path(path).is_file():
                    self.fail(key, f"file {path!r} does not exist")


@dataclass
class NetworkSection(Section):
    """The network and its training (numpy, seeded by the flow's seed)."""

    type: Literal["slp", "mlp"] = option("slp", "single-layer perceptron or one-hidden-layer MLP")
    hidden: int = option(32, "MLP hidden units", ge=1, le=4096)
    relu_max: float = option(4.0, "MLP: upper bound of the hidden ReLU (the next crossbar's full-scale input)",
                             gt=0)
    epochs: int = option(100, "training epochs", ge=1, le=100000)
    lr: float = option(0.01, "Adam learning rate", gt=0)
    l2: float = option(1e-4, "L2 weight decay", ge=0)
    batch_size: int = option(32, "minibatch size", ge=1)


@dataclass
class MappingSection(Section):
    """Weights → conductances (review Eq. 2, 4, 5)."""

    scheme: Literal["differential", "reference"] = option("differential",
                                                          "two devices per weight, or a reference column")
    g_hrs_s: float = option(1e-5, "G_HRS, lowest programmed conductance", unit="S", gt=0)
    g_lrs_s: float = option(1e-3, "G_LRS, highest programmed conductance", unit="S", gt=0)
    levels: int | None = option(32, "linearly spaced conductance states (null: continuous)", ge=2)
    measured_levels_s: list[float] | None = option(None, "measured conductance levels instead of `levels`",
                                                   unit="S", gt=0, min_len=2)
    bias: bool = option(True, "map the biases as an extra row driven at V_READ")

    def validate(self):
        if self.g_hrs_s >= self.g_lrs_s:
            self.fail("g_hrs_s", f"G_HRS = {self.g_hrs_s:g} S must be below G_LRS = {self.g_lrs_s:g} S")
        if self.measured_levels_s is not None:
            if self.levels is not None:
                self.fail("measured_levels_s", "give either `levels` or `measured_levels_s` (set levels: null)")
            bad = [g for g in self.measured_levels_s if not self.g_hrs_s <= g <= self.g_lrs_s]
            if bad:
                self.fail("measured_levels_s", f"{bad[0]:g} S lies outside [G_HRS, G_LRS] = "
                                               f"[{self.g_hrs_s:g}, {self.g_lrs_s:g}] S")


@dataclass
class TiaSection(Section):
    """Sensing: transimpedance amplifier at each bitline (review Fig. 2, block 6)."""

    kind: Literal["ideal", "opamp"] = option("ideal", "ideal virtual ground, or single-pole op-amp macro")
    r_f_ohm: float = option(10e3, "feedback resistance", unit="Ohm", gt=0)
    gain: float = option(1e5, "op-amp open-loop DC gain", unit="V/V", gt=0)
    gbw_hz: float = option(100e6, "op-amp gain-bandwidth product", unit="Hz", gt=0)


@dataclass
class ArraySection(Section):
    """The crossbar (review Fig. 2, block 5) and its parasitics (Fig. 17d)."""

    device: str = option("linear", "registered device model in every cell (see `pycodesign models`)")
    device_params: dict[str, float] = option({}, "device model parameters")
    cell: Literal["1R", "1T1R"] = option("1R", "passive cell, or one access transistor per cell")
    v_read_v: float = option(0.2, "read voltage: a pixel of 1 drives its wordline at V_READ", unit="V", gt=0)
    r_row_ohm: float = option(1.0, "wordline segment resistance", unit="Ohm", ge=0)
    r_col_ohm: float = option(1.0, "bitline segment resistance", unit="Ohm", ge=0)
    c_line_to_line_f: float = option(0.0, "capacitance between adjacent lines, per cell", unit="F", ge=0)
    c_crossing_f: float = option(0.0, "wordline-bitline capacitance at each crossing", unit="F", ge=0)
    c_to_ground_f: float = option(0.0, "line capacitance to ground, per cell", unit="F", ge=0)
    dual_side: bool = option(False, "drive each wordline from both ends (review Fig. 18)")
    partitions: int = option(1, "row partitions whose bitline currents are summed", ge=1)
    col_partitions: int = option(1, "column partitions with their own wordline taps", ge=1)
    differential: Literal["subtractor", "opposite_polarity"] = option(
        "subtractor", "how W+/W- are combined: subtractor (Fig. 8a) or opposite-polarity inputs (Fig. 8b)")
    tia: TiaSection = option(TiaSection())
    transistor: dict[str, float] = option({}, "1T1R access-transistor overrides (w_m, l_m, v_gate_v, vto_v, ...)")

    def validate(self):
        if self.device not in list_models():
            self.fail("device", f"{self.device!r} is not a registered model; allowed: {', '.join(list_models())}")
        try:
            get_model(self.device).resolve(self.device_params)
        except ParameterError as exc:
            self.fail("device_params", str(exc))
        from ..analog.mosfet import AccessTransistor

        try:
            AccessTransistor(**self.transistor)
        except (TypeError, ValueError) as exc:
            self.fail("transistor", str(exc))


@dataclass
class ConvertersSection(Section):
    """Input DAC (block 4) and output ADC (block 9)."""

    dac_bits: int | None = option(8, "input DAC resolution K (null: ideal)", ge=1, le=32)
    adc_bits: int | None = option(8, "output ADC resolution B (null: ideal)", ge=2, le=32)
    adc_full_scale_a: float | None = option(None, "ADC full scale (null: the largest possible output current)",
                                            unit="A", gt=0)


@dataclass
class NonIdealitySection(Section):
    """Seeded device non-idealities."""

    variability_sigma: float = option(0.0, "device-to-device log-normal sigma of ln(G)", ge=0, le=3)
    stuck_at_hrs_rate: float = option(0.0, "fraction of devices stuck at G_HRS", ge=0, le=1)
    stuck_at_lrs_rate: float = option(0.0, "fraction of devices stuck at G_LRS", ge=0, le=1)
    read_noise_sigma: float = option(0.0, "relative sigma of each device's read current", ge=0, le=1)

    def validate(self):
        if self.stuck_at_hrs_rate + self.stuck_at_lrs_rate > 1:
            self.fail("stuck_at_lrs_rate", "stuck_at_hrs_rate + stuck_at_lrs_rate must not exceed 1")


@dataclass
class SimulationSection(Section):
    """How much runs in ngspice and how much in the fast solver."""

    spice_images: int | None = option(None, "test images simulated in ngspice (null: all, 0: none)", ge=0)
    spice_chunk: int | None = option(None, "images per ngspice job (progress granularity; null: one job)", ge=1)
    metrics_images: int = option(32, "images used for the electrical metrics", ge=1)
    settling: bool = option(True, "measure the settling latency to 1 % (transient)")


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
    """Train a network, map it to crossbars, simulate inference in ngspice and the fast solver."""

    name: str = option("crossbar_inference", "run name (prefix of the results folder)")
    seed: int = option(0, "seeds the split, training and every non-ideality draw", ge=0)
    data: DataSection = option(DataSection())
    network: NetworkSection = option(NetworkSection())
    mapping: MappingSection = option(MappingSection())
    array: ArraySection = option(ArraySection())
    converters: ConvertersSection = option(ConvertersSection())
    nonideal: NonIdealitySection = option(NonIdealitySection())
    simulation: SimulationSection = option(SimulationSection())
    studies: StudiesSection = option(StudiesSection())
    outputs: OutputsConfig = option(OutputsConfig())

    def analog_config(self, **over):
        """The :class:`pycodesign.analog.inference.AnalogConfig` this flow describes."""
        from ..analog.circuit import CrossbarParasitics, TiaConfig
        from ..analog.inference import AdcConfig, AnalogConfig, DacConfig, NonIdealities
        from ..analog.mosfet import AccessTransistor

        a, c, n = self.array, self.converters, self.nonideal
        r_row = over.pop("r_row_ohm", a.r_row_ohm)
        r_col = over.pop("r_col_ohm", a.r_col_ohm)
        adc_bits = over.pop("adc_bits", c.adc_bits)
        cfg = AnalogConfig(
            v_read_v=a.v_read_v, device=a.device, device_params=dict(a.device_params), cell=a.cell,
            parasitics=CrossbarParasitics(r_row_ohm=r_row, r_col_ohm=r_col, c_line_to_line_f=a.c_line_to_line_f,
                                          c_crossing_f=a.c_crossing_f, c_to_ground_f=a.c_to_ground_f),
            dual_side=a.dual_side, partitions=a.partitions, col_partitions=a.col_partitions,
            tia=TiaConfig(kind=a.tia.kind, r_f_ohm=a.tia.r_f_ohm, gain=a.tia.gain, gbw_hz=a.tia.gbw_hz),
            differential=a.differential, transistor=AccessTransistor(**a.transistor),
            dac=DacConfig(bits=c.dac_bits), adc=AdcConfig(bits=adc_bits, full_scale_a=c.adc_full_scale_a),
            nonideal=NonIdealities(variability_sigma=n.variability_sigma, stuck_at_hrs_rate=n.stuck_at_hrs_rate,
                                   stuck_at_lrs_rate=n.stuck_at_lrs_rate, read_noise_sigma=n.read_noise_sigma))
        return cfg

    def validate(self):
        n_in = self.data.image_size ** 2 + (1 if self.mapping.bias else 0)
        if self.array.partitions > n_in:
            self.fail("array.partitions", f"{self.array.partitions} partitions for {n_in} wordlines; "
                                          f"allowed: 1..{n_in}")
        try:
            self.analog_config()
        except (TypeError, ValueError) as exc:
            self.fail("array", str(exc))


# --------------------------------------------------------------------------- running


def _load_data(flow):
    from ..data import load_digits_dataset, load_mnist_idx

    d = flow.data
    if d.source == "digits":
        return load_digits_dataset(image_size=8, test_fraction=d.test_fraction, seed=flow.seed)
    return load_mnist_idx(d.mnist_images, d.mnist_labels, image_size=d.image_size, test_fraction=d.test_fraction,
                          seed=flow.seed, max_samples=d.max_samples)


def _map_layers(flow, net):
    """One MappedWeights per layer (layer 2 of an MLP scaled by relu_max)."""
    from ..mapping import map_weights

    m = flow.mapping
    levels = m.measured_levels_s if m.measured_levels_s is not None else m.levels
    layers = []
    for k, (W, b) in enumerate(net.weights):
        scale = flow.network.relu_max if k > 0 else 1.0
        layers.append(map_weights(np.asarray(W) * scale, g_min=m.g_hrs_s, g_max=m.g_lrs_s, levels=levels,
                                  scheme=m.scheme, bias=np.asarray(b) if m.bias else None))
    return layers


def _forward(flow, layers, x, y, *, engine, seed, cfg, workdir=None, progress=None, n_images=None,
             metrics=False, settling=False):
    """Images through every crossbar layer; returns the last layer's InferenceResult and the per-layer ones."""
    from ..analog.inference import run_inference

    results = []
    inp = x if n_images is None else x[:n_images]
    lab = y if n_images is None else y[:n_images]
    for k, mapped in enumerate(layers):
        last = k == len(layers) - 1
        say = None
        if progress is not None:
            # a hidden layer has no labels: its "accuracy" line would be meaningless
            say = (lambda msg, k=k, last=last: None if (not last and "accuracy" in msg)
                   else progress(f"[layer {k + 1}] {msg}" if len(layers) > 1 else msg))
        res = run_inference(mapped, inp, lab if last else np.zeros(len(inp), dtype=int), config=cfg,
                            engine=engine, seed=seed + k, progress=say,
                            workdir=(Path(workdir) / f"layer{k + 1}") if workdir else None,
                            metrics=metrics, metrics_images=flow.simulation.metrics_images, settling=settling,
                            spice_chunk=flow.simulation.spice_chunk if engine == "spice" else None)
        results.append(res)
        if not last:
            cur = res.outputs_adc_a if res.outputs_adc_a is not None else res.outputs_a
            h = np.asarray(mapped.to_weight_units(cur, v_read=cfg.v_read_v))
            # digital bounded ReLU, then normalised to the next crossbar's input range
            inp = np.clip(h, 0.0, flow.network.relu_max) / flow.network.relu_max
    return results[-1], results


def run_crossbar_inference(flow: CrossbarInferenceFlow, run, progress=print) -> dict:
    from ..mapping import adc_bits_needed
    from ..nn import classification_report, train_mlp, train_slp
    from ..reports import md_table
    from ..reports.plots import new_figure, save_figure

    t_all = time.perf_counter()
    timing: dict = {}
    metrics: dict = {"complete": False}

    def checkpoint():
        run.write_json("metrics.json", {**metrics, "timing_s": timing})

    # 1-2. data and training ---------------------------------------------------
    t0 = time.perf_counter()
    ds = _load_data(flow)
    nw = flow.network
    progress(f"training {nw.type.upper()} on {ds.x_train.shape[0]} images ({ds.source})")
    if nw.type == "slp":
        net = train_slp(ds.x_train, ds.y_train, epochs=nw.epochs, lr=nw.lr, l2=nw.l2, seed=flow.seed,
                        batch_size=nw.batch_size)
    else:
        net = train_mlp(ds.x_train, ds.y_train, hidden=nw.hidden, epochs=nw.epochs, lr=nw.lr, l2=nw.l2,
                        seed=flow.seed, batch_size=nw.batch_size, relu_max=nw.relu_max)
    sw = classification_report(ds.y_test, net.predict(ds.x_test), probs=net.predict_proba(ds.x_test))
    timing["train_s"] = time.perf_counter() - t0
    metrics["data"] = ds.describe()
    metrics["network"] = {"type": nw.type, "layer_sizes": net.layer_sizes}
    metrics["software"] = sw
    progress(f"software test accuracy {sw['accuracy']:.4f}")
    checkpoint()

    # 3. mapping -----------------------------------------------------------------
    layers = _map_layers(flow, net)
    cfg = flow.analog_config()
    k_bits = flow.converters.dac_bits or 8
    m_bits = int(np.ceil(np.log2(flow.mapping.levels))) if flow.mapping.levels else 8
    metrics["mapping"] = {
        "scheme": flow.mapping.scheme, "levels": flow.mapping.levels,
        "layers": [{"shape": list(np.asarray(m.w_quantized).shape), "n_devices": int(m.n_devices),
                    "w_max": float(m.w_max), "weight_per_siemens": float(m.weight_per_siemens),
                    "n_clipped": int(m.n_clipped)} for m in layers],
        "adc_bits_needed_exact": adc_bits_needed(layers[0].n_rows, k_bits, m_bits),
    }
    if plots := flow.outputs.plots:
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
        save_figure(fig, run.file("conductance_maps.png"))

    # 4. ngspice on N images, then the solver on all ---------------------------------
    x, y = ds.x_test, ds.y_test
    n_spice = x.shape[0] if flow.simulation.spice_images is None else min(flow.simulation.spice_images, x.shape[0])
    spice_res = None
    if n_spice > 0:
        t0 = time.perf_counter()
        progress(f"ngspice: {n_spice} test images through {len(layers)} crossbar layer(s)")
        spice_res, spice_layers = _forward(flow, layers, x, y, engine="spice", seed=flow.seed, cfg=cfg,
                                           workdir=run.path / "spice", progress=progress, n_images=n_spice,
                                           metrics=True, settling=flow.simulation.settling)
        timing["spice_s"] = time.perf_counter() - t0
        rep = classification_report(spice_res.labels, spice_res.predictions)
        metrics["spice"] = {"n_images": n_spice, "report": rep, "accuracy": rep["accuracy"],
                            "layers": [r.summary() for r in spice_layers]}
        progress(f"ngspice accuracy {rep['accuracy']:.4f} on {n_spice} images")
        checkpoint()
    t0 = time.perf_counter()
    progress(f"fast solver: {x.shape[0]} test images")
    solver_res, solver_layers = _forward(flow, layers, x, y, engine="solver", seed=flow.seed, cfg=cfg,
                                         metrics=True, settling=flow.simulation.settling and n_spice == 0)
    timing["solver_s"] = time.perf_counter() - t0
    rep = classification_report(solver_res.labels, solver_res.predictions)
    metrics["solver"] = {"n_images": int(x.shape[0]), "report": rep, "accuracy": rep["accuracy"],
                         "layers": [r.summary() for r in solver_layers]}
    progress(f"fast-solver accuracy {rep['accuracy']:.4f} on {x.shape[0]} images")
    if spice_res is not None:
        a = solver_layers[0].outputs_a[:n_spice]
        b = spice_layers[0].outputs_a
        metrics["spice_vs_solver"] = {
            "layer1_max_rel_current_difference": float(np.max(np.abs(a - b)) / np.max(np.abs(b))),
            "prediction_agreement": float(np.mean(solver_res.predictions[:n_spice] == spice_res.predictions)),
            "spice_s_per_image": timing["spice_s"] / n_spice,
        }
    metrics["accuracy_drop_points"] = {
        "spice_vs_software": (sw["accuracy"] - metrics["spice"]["accuracy"]) * 100 if spice_res else None,
        "solver_vs_software": (sw["accuracy"] - rep["accuracy"]) * 100}
    checkpoint()

    # 5. studies ------------------------------------------------------------------------
    t0 = time.perf_counter()
    studies = {"adc_bits": [], "r_wire_ohm": []}
    for bits in flow.studies.adc_bits:
        r, _ = _forward(flow, layers, x, y, engine="solver", seed=flow.seed, cfg=flow.analog_config(adc_bits=bits))
        studies["adc_bits"].append({"adc_bits": bits, "accuracy": r.accuracy})
    progress("study: accuracy vs ADC bits " + ", ".join(f"{s['adc_bits']}b {s['accuracy']:.3f}"
                                                          for s in studies["adc_bits"]))
    for r_w in flow.studies.r_wire_ohm:
        r, _ = _forward(flow, layers, x, y, engine="solver", seed=flow.seed,
                        cfg=flow.analog_config(r_row_ohm=r_w, r_col_ohm=r_w))
        studies["r_wire_ohm"].append({"r_wire_ohm": r_w, "accuracy": r.accuracy})
    progress("study: accuracy vs wire resistance " + ", ".join(f"{s['r_wire_ohm']:g} Ohm {s['accuracy']:.3f}"
                                                                 for s in studies["r_wire_ohm"]))
    timing["studies_s"] = time.perf_counter() - t0
    metrics["studies"] = studies

    # 6. plots and report ----------------------------------------------------------------------
    if plots:
        fig, ax = new_figure()
        xs = [s["adc_bits"] for s in studies["adc_bits"]]
        ax[0, 0].plot(xs, [100 * s["accuracy"] for s in studies["adc_bits"]], "o-", label="fast solver")
        ax[0, 0].axhline(100 * sw["accuracy"], color="k", ls="--", label="software")
        ax[0, 0].set(xlabel="ADC bits", ylabel="test accuracy [%]", title="Accuracy vs ADC resolution")
        ax[0, 0].grid(alpha=0.3)
        ax[0, 0].legend()
        save_figure(fig, run.file("accuracy_vs_adc_bits.png"))
        fig, ax = new_figure()
        xs = [s["r_wire_ohm"] for s in studies["r_wire_ohm"]]
        ax[0, 0].plot(xs, [100 * s["accuracy"] for s in studies["r_wire_ohm"]], "o-", label="fast solver")
        ax[0, 0].axhline(100 * sw["accuracy"], color="k", ls="--", label="software")
        ax[0, 0].set(xlabel="wire segment resistance [Ohm]", ylabel="test accuracy [%]",
                     title="Accuracy vs wire resistance")
        ax[0, 0].grid(alpha=0.3)
        ax[0, 0].legend()
        save_figure(fig, run.file("accuracy_vs_wire_resistance.png"))
        fig, ax = new_figure()
        ax[0, 0].hist(solver_layers[-1].outputs_a.ravel() * 1e6, bins=80, alpha=0.6, label="fast solver")
        if spice_res is not None:
            ax[0, 0].hist(spice_layers[-1].outputs_a.ravel() * 1e6, bins=80, alpha=0.6, label="ngspice")
        ax[0, 0].set(xlabel="output current [uA]", ylabel="count", title="Output-current distribution")
        ax[0, 0].legend()
        save_figure(fig, run.file("output_currents.png"))
        panels = [("software", np.asarray(sw["confusion_matrix"]))]
        if spice_res is not None:
            panels.append((f"ngspice ({n_spice} images)", np.asarray(metrics["spice"]["report"]["confusion_matrix"])))
        panels.append(("fast solver", np.asarray(rep["confusion_matrix"])))
        fig, ax = new_figure(len(panels), 1, width_in=4.2, height_in=4.0)
        for a, (title, cm) in zip(ax[0], panels):
            a.imshow(cm, cmap="Blues")
            for i in range(cm.shape[0]):
                for j in range(cm.shape[1]):
                    if cm[i, j]:
                        a.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7)
            a.set(title=title, xlabel="predicted", ylabel="true", xticks=range(cm.shape[1]),
                  yticks=range(cm.shape[0]))
        save_figure(fig, run.file("confusion_matrix.png"))

    timing["total_s"] = time.perf_counter() - t_all
    metrics["complete"] = True
    checkpoint()

    elec = (spice_layers[0] if spice_res is not None else solver_layers[0]).electrical
    rows = [["software (numpy)", ds.x_test.shape[0], sw["accuracy"]]]
    if spice_res is not None:
        rows.append(["ngspice", n_spice, metrics["spice"]["accuracy"]])
    rows.append(["fast solver", x.shape[0], rep["accuracy"]])
    lines = [f"# Crossbar inference: {flow.name}\n",
             f"{nw.type.upper()} {' x '.join(map(str, net.layer_sizes))} on {ds.source}; device `{flow.array.device}` "
             f"({flow.array.cell}), {flow.mapping.scheme} mapping, {flow.mapping.levels or 'continuous'} states in "
             f"[{flow.mapping.g_hrs_s:g}, {flow.mapping.g_lrs_s:g}] S; wires {flow.array.r_row_ohm:g} / "
             f"{flow.array.r_col_ohm:g} Ohm per segment; DAC {flow.converters.dac_bits} b, ADC "
             f"{flow.converters.adc_bits} b; V_READ {flow.array.v_read_v:g} V; seed {flow.seed}.\n",
             "## Accuracy\n", md_table(["engine", "images", "accuracy"], rows)]
    if "spice_vs_solver" in metrics:
        s = metrics["spice_vs_solver"]
        lines.append(f"\nngspice vs fast solver (same images): max relative difference of layer-1 output currents "
                     f"{s['layer1_max_rel_current_difference']:.2e}; predictions agree on "
                     f"{100 * s['prediction_agreement']:.1f} % of images.\n")
    first = spice_layers[0] if spice_res is not None else solver_layers[0]
    if first.settling is not None:
        lines.append(f"\nSettling latency to {100 * first.settling.tol:g} % (step of every input to V_READ, "
                     f"{first.settling.engine}): {first.settling.latency_s:.3e} s.\n")
    if elec is not None:
        e = elec.to_dict()
        lines += ["\n## Electrical (layer 1)\n", md_table(["quantity", "value"], [[k, v] for k, v in e.items()
                                                                                  if not isinstance(v, (list, dict))])]
    lines += ["\n## Studies (fast solver, whole test set)\n",
              md_table(["ADC bits", "accuracy"], [[s["adc_bits"], s["accuracy"]] for s in studies["adc_bits"]]),
              "\n", md_table(["wire segment [Ohm]", "accuracy"],
                             [[s["r_wire_ohm"], s["accuracy"]] for s in studies["r_wire_ohm"]]),
              "\n## Timing\n", md_table(["step", "s"], [[k, v] for k, v in timing.items()]),
              "\nPlots: conductance_maps.png, accuracy_vs_adc_bits.png, accuracy_vs_wire_resistance.png, "
              "output_currents.png, confusion_matrix.png. ngspice decks and raw files: spice/.\n"]
    run.file("report.md").write_text("\n".join(lines))
    return metrics
