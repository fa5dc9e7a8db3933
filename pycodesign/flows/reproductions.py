"""Flow ``kind: reproductions`` — the kit's numbers beside the published ones, with verdicts (issue 13).

The flow only orchestrates: the claims are computed by :mod:`pycodesign.
reproduce` (one module per item), the plots and ``reproductions.md`` by
:mod:`pycodesign.reports.reproductions`.

Steps

1. data, loaded before anything else runs (so a bad MNIST file or CSV table
   is refused with its file, line and column before any simulation): the
   images (scikit-learn's 8×8 digits, or the user's MNIST IDX files) and
   the table (scikit-learn's Wisconsin breast cancer, or the user's CSV);
2. each selected item (``items``), with the budget (``budget.preset``:
   ``default`` — a few minutes, the README's main job — or ``full``; any
   field may be overridden); ``metrics.json`` is checkpointed after every
   item; an item that fails is recorded with its error and the others go on
   (the run then ends ``completed with failures``, and the report says which
   item is missing);
3. the plots of items 3-8 and ``reproductions.md`` (also as ``report.md``).

Every random draw is seeded from ``seed`` (training; non-ideality seeds
``1000·seed + s``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from ..config import OutputsConfig, Section, checks, option, register_flow
from ..reproduce.budget import Budget, budget_preset
from .inference import DataSection

__all__ = ["ReproductionsFlow", "run_reproductions", "reproduce_command"]


@dataclass
class TabularSection(Section):
    """The table of item 3 (accuracy vs ADC bits)."""

    source: Literal["breast_cancer", "csv"] = option("breast_cancer", "scikit-learn's Wisconsin breast-cancer set, "
                                                                      "or the user's CSV table (e.g. PIMA diabetes)")
    csv_path: str | None = option(None, "CSV file, for source: csv (numeric features, one label column)")
    label_column: int | str | None = option(None, "label column of the CSV: header name or 0-based index")
    test_fraction: float = option(0.3, "fraction of each class held out for testing", gt=0, lt=1)

    def validate(self):
        if self.source == "csv":
            if self.csv_path is None:
                self.fail("csv_path", "required for source 'csv' (path to a CSV table)")
            if not checks.is_file(self.csv_path):
                self.fail("csv_path", f"file {self.csv_path!r} does not exist")
            if self.label_column is None:
                self.fail("label_column", "required for source 'csv' (the label column's name or index)")


@dataclass
class BudgetSection(Section):
    """How much each item computes: a preset, any field overridden (null: the preset's value).

    Presets (``pycodesign.reproduce.budget``): ``default`` fits a few minutes
    on 2 cores; ``full`` gives the numbers quoted in docs/reproductions.md.
    """

    preset: Literal["default", "full"] = option("default", "default (minutes, main job) or full (the real numbers)")
    seeds: int | None = option(None, "seeds per grid cell of items 5 and 6", ge=1, le=1000)
    spice_images: int | None = option(None, "item 1: ngspice test images per network (0: none; null: the "
                                            "preset's; the full preset runs all)", ge=0)
    solver_images: int | None = option(None, "item 1: fast-solver test images (null: the preset's = all)", ge=1)
    epochs: int | None = option(None, "training epochs of every network", ge=1, le=100000)
    adc_bits: list[int] | None = option(None, "items 3, 4: ADC resolutions", ge=2, le=32, min_len=2)
    tile_sizes: list[int] | None = option(None, "item 4: square tile sizes (even: W+/W- column pairs)", ge=2,
                                          le=65536, min_len=2)
    stuck_rates: list[float] | None = option(None, "item 5: stuck-at rates (both axes; include 0)", ge=0, le=0.5,
                                             min_len=2)
    levels: list[int] | None = option(None, "item 6: conductance states per device", ge=2, le=65536, min_len=2)
    sigmas: list[float] | None = option(None, "item 6: log-normal sigma of ln G (include 0)", ge=0, le=3,
                                        min_len=2)
    partitions: list[int] | None = option(None, "item 7: row partitions", ge=1, min_len=2)
    r_wire_ohm: list[float] | None = option(None, "item 7: wire segment resistances", unit="Ohm", ge=0, min_len=1)
    metrics_images: int | None = option(None, "item 7: images for the read margin over the inputs", ge=1)
    iv_points_per_period: int | None = option(None, "item 8: samples of the I-V sine", ge=50, le=100000)
    n_pulses: int | None = option(None, "item 8: SET pulses, then as many RESET pulses", ge=2, le=10000)

    def validate(self):
        if self.tile_sizes is not None and any(t % 2 for t in self.tile_sizes):
            bad = next(t for t in self.tile_sizes if t % 2)
            self.fail("tile_sizes", f"{bad} is odd; differential tiles hold W+/W- column pairs, so tile sizes "
                                    "must be even")
        for key in ("stuck_rates", "sigmas"):
            vals = getattr(self, key)
            if vals is not None and 0 not in vals:
                self.fail(key, f"{vals} has no 0; the fault-free / variability-free cell is the reference")
        for key in ("adc_bits", "tile_sizes", "levels", "partitions", "stuck_rates", "sigmas"):
            vals = getattr(self, key)
            if vals is not None and list(vals) != sorted(set(vals)):
                self.fail(key, f"{vals} must be strictly increasing")

    def resolved(self) -> Budget:
        """The preset with this section's non-null fields applied."""
        over = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "preset"}
        return budget_preset(self.preset).with_overrides(**over)

    @property
    def overridden(self) -> bool:
        return any(getattr(self, k) is not None for k in self.__dataclass_fields__ if k != "preset")


@register_flow("reproductions")
@dataclass
class ReproductionsFlow(Section):
    """Reproduce the source papers' claims (issue 13) and write reproductions.md with verdicts."""

    name: str = option("reproductions", "run name (prefix of the results folder)")
    seed: int = option(0, "seeds the training and every non-ideality draw", ge=0)
    items: list[int] = option([1, 2, 3, 4, 5, 6, 7, 8, 9], "items of issue 13 to run (1-9)", ge=1, le=9,
                              min_len=1)
    budget: BudgetSection = option(BudgetSection())
    images: DataSection = option(DataSection(), "the image set of items 1 and 4-7 (MNIST IDX files: item 1 "
                                                "then runs on MNIST)")
    tabular: TabularSection = option(TabularSection())
    outputs: OutputsConfig = option(OutputsConfig())

    def validate(self):
        if len(set(self.items)) != len(self.items):
            self.fail("items", f"{self.items} lists an item twice")
        b = self.budget.resolved()
        rows = self.images.image_size ** 2 + 1  # the first layer's wordlines, bias row included
        if max(b.partitions) > rows:
            self.fail("budget.partitions", f"{max(b.partitions)} partitions for the {rows} wordlines of a "
                                           f"{self.images.image_size}x{self.images.image_size} network; allowed: "
                                           f"1..{rows}")


# --------------------------------------------------------------------------- running


def reproduce_command(flow: ReproductionsFlow) -> str:
    """The ``pycodesign reproduce`` command line that reruns this flow (items appended per claim).

    Budget overrides have no command-line form: the claims then say the flow's ``config.yaml`` holds them.
    """
    parts = ["pycodesign reproduce"]
    if flow.budget.preset == "full":
        parts.append("--full")
    if flow.seed:
        parts.append(f"--seed {flow.seed}")
    im, tb = flow.images, flow.tabular
    if im.source == "mnist_idx":
        parts.append(f"--mnist-images {im.mnist_images} --mnist-labels {im.mnist_labels} "
                     f"--image-size {im.image_size}")
    if tb.source == "csv":
        parts.append(f"--csv {tb.csv_path} --label-column {tb.label_column}")
    return " ".join(parts)


def load_images(flow: ReproductionsFlow):
    """The image :class:`~pycodesign.data.Dataset` (seeded split)."""
    from ..data import load_digits_dataset, load_mnist_idx

    d = flow.images
    if d.source == "digits":
        return load_digits_dataset(image_size=8, test_fraction=d.test_fraction, seed=flow.seed)
    return load_mnist_idx(d.mnist_images, d.mnist_labels, image_size=d.image_size, test_fraction=d.test_fraction,
                          seed=flow.seed, max_samples=d.max_samples)


def load_table(flow: ReproductionsFlow):
    """The tabular :class:`~pycodesign.data.Dataset` (seeded stratified split, min-max scaled on training)."""
    from ..data import load_breast_cancer_dataset, load_csv_dataset

    t = flow.tabular
    if t.source == "breast_cancer":
        return load_breast_cancer_dataset(test_fraction=t.test_fraction, seed=flow.seed)
    return load_csv_dataset(t.csv_path, label_column=t.label_column, test_fraction=t.test_fraction, seed=flow.seed)


def run_reproductions(flow: ReproductionsFlow, run, progress=print) -> dict:
    """Run the selected items into ``run`` (a :class:`pycodesign.results.RunDir`); returns the metrics.

    Each item is an optional step of the run (``run.step``): a failed item is
    recorded with its error (traceback under ``logs/``), the others go on and
    the run ends ``completed with failures``; each finished item is also
    checkpointed (``checkpoints/item<k>.json``).  Loading the data is required.
    """
    from ..reports import reproductions as report
    from ..reproduce import ITEMS, Context

    t_all = time.perf_counter()
    budget = flow.budget.resolved()
    timing: dict = {}
    metrics: dict = {"complete": False, "seed": flow.seed, "budget": budget.to_dict(),
                     "selected_items": sorted(flow.items), "items": {}, "steps": []}
    plots: dict = {}

    def checkpoint():
        metrics["steps"] = [st.to_dict() for st in run.steps]
        run.write_json("metrics.json", {**metrics, "timing_s": timing})

    try:
        # 1. data first: bad files are refused before any simulation
        t0 = time.perf_counter()
        with run.step("data", required=True):
            images = load_images(flow)
            table = load_table(flow)
        timing["data_s"] = time.perf_counter() - t0
        metrics["data"] = {"images": images.describe(), "tabular": {k: v for k, v in table.describe().items()
                                                                     if k != "feature_names"}}
        progress(f"reproductions: items {', '.join(map(str, sorted(flow.items)))}, budget {budget.name}, "
                 f"seed {flow.seed}; images {images.source}; table {table.source}")
        checkpoint()
        ctx = Context(seed=flow.seed, budget=budget, images=images, tabular=table,
                      command=reproduce_command(flow),
                      command_note="[+ budget overrides: config.yaml]" if flow.budget.overridden else "",
                      progress=progress)

        # 2. the items
        for k in sorted(flow.items):
            progress(f"item {k}: {report.SECTION_TITLES[k]}")
            t0 = time.perf_counter()
            with run.step(f"item{k}") as st:
                result = ITEMS[k](ctx)
            timing[f"item{k}_s"] = time.perf_counter() - t0
            if st.ok:
                metrics["items"][str(k)] = result
                run.checkpoint(f"item{k}", result)
                for c in result["claims"]:
                    progress(f"  [{c['verdict']}] {c['claim']}: {c['kit_value']}")
            else:
                progress(f"item {k} FAILED: {st.error}")
            checkpoint()

        # 3. plots
        if flow.outputs.plots:
            for k, (fn, fname) in report.PLOTTERS.items():
                if str(k) in metrics["items"]:
                    with run.step(f"plot_item{k}") as st:
                        fn(metrics["items"][str(k)], run.file(fname))
                    if st.ok:
                        plots[k] = fname
        metrics["claims"] = [c for k in sorted(metrics["items"], key=int) for c in metrics["items"][k]["claims"]]
        metrics["plots"] = plots
        metrics["complete"] = all(st.ok for st in run.steps)
    finally:
        timing["total_s"] = time.perf_counter() - t_all
        checkpoint()
        text = report.reproductions_report({**metrics, "timing_s": timing}, plots=plots)
        run.file("reproductions.md").write_text(text)
        run.file("report.md").write_text(text)
    return metrics
