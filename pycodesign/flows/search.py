"""Flow ``kind: search`` — hardware-aware architecture search, from a design space to generated RTL.

The engine is optuna; the kit supplies the space, the objectives, the
evaluator, the storage set-up, fault handling and the reports (everything in
:mod:`pycodesign.search`; this module only orchestrates).

Steps of the main run (``pycodesign run FLOW.yaml`` or ``pycodesign search FLOW.yaml``):

1. the flow file is checked — the space's keys, values and ranges, and every
   combination of it (up to 4,096, else a seeded sample) built into an
   architecture and priced by the cost model — before anything runs;
2. the study is created in (or reopened from) its storage: a journal file
   in the results folder, or ``--storage postgresql://…``; the network is
   trained once per study (or loaded from ``network.weights_file``) and kept
   in the study, so every worker evaluates the same weights;
3. trials until ``search.budget`` completed trials, by this process and
   ``search.workers − 1`` sibling processes (``pycodesign search … --join``,
   the same command other machines run); dead workers' trials are retried;
4. the Pareto designs (feasible, non-dominated) are re-evaluated with more
   Monte-Carlo draws and, for a few of them, in ngspice on a stated number of
   test images — reported beside their search-time values;
5. the chosen design (the knee, or ``choose: {rule: best, …}``) becomes a
   ``crossbar_inference`` flow YAML with its weights file, an ``hdl``
   configuration sized to it, its generated Verilog and its cost table;
6. plots, ``report.md``, ``metrics.json`` and ``trials.csv``.

Re-running ``pycodesign search FLOW.yaml`` continues the study: it uses the
fixed folder ``<outputs.dir>/<name>`` and reopens it (``pycodesign run``
always starts a fresh study in a new folder).
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ..config import (Architecture, ArraySection, ConfigError, ConvertersSection, MappingSection, NonIdealitySection,
                      OutputsConfig, Section, TechnologySection, TilingSection, option, register_flow, to_dict)
from ..search.config import (ChooseSection, ConstraintSpec, FidelitySection, MonteCarloSection, ObjectiveSpec,
                             RtlSection, SearchSettings)
from ..search.costing import check_costable
from ..search.space import SearchSpace, plain_dict
from .inference import DataSection, NetworkSection, _load_data

__all__ = ["SearchFlow", "run_search", "join_search", "main_search", "STORAGE_ENV"]

#: Environment variable carrying the storage URL to worker processes (keeps passwords out of `ps`).
STORAGE_ENV = "PYCODESIGN_SEARCH_STORAGE"

_SPACE_LIMIT = 4096
# Loading a flow file checks a seeded sample of the space (every dimension's extremes and a few hundred
# points, under a second); the whole space (up to _SPACE_LIMIT designs) is checked before the first trial and
# by `pycodesign check` (:meth:`SearchFlow.warnings`).
_LOAD_LIMIT = 256
_LOAD_SAMPLES = 128


@register_flow("search")
@dataclass
class SearchFlow(Section):
    """Hardware-aware architecture search: optuna over the architecture's keys, ending in RTL for the chosen design."""

    name: str = option("search", "run name (results folder prefix; default study name)")
    seed: int = option(0, "seeds the split, training, the sampler and the Monte-Carlo draws (seed, seed+1, ...)",
                       ge=0)
    data: DataSection = option(DataSection())
    network: NetworkSection = option(NetworkSection())
    mapping: MappingSection = option(MappingSection(), "base architecture: keys the space does not set")
    array: ArraySection = option(ArraySection(), "base architecture")
    tiling: TilingSection = option(TilingSection(), "base architecture")
    converters: ConvertersSection = option(ConvertersSection(), "base architecture")
    nonideal: NonIdealitySection = option(NonIdealitySection(), "the non-idealities every design is evaluated under")
    technology: TechnologySection = option(TechnologySection(), "base architecture: node, clock, read time, ADC "
                                                                "model of the cost model")
    space: dict[str, Any] = option({}, "the design space: dotted architecture keys (tiling.tile_rows, "
                                       "converters.adc_bits, technology.node_nm ...) to a list of values or a range "
                                       "{low, high, step, log, when} (pycodesign.search.space)")
    objectives: list[ObjectiveSpec] = option(
        [ObjectiveSpec(metric="accuracy"), ObjectiveSpec(metric="energy_j"), ObjectiveSpec(metric="area_mm2"),
         ObjectiveSpec(metric="latency_s")], "metrics optimised, each with a direction", min_len=1)
    constraints: list[ConstraintSpec] = option([], "bounds on metrics (optuna constraints; infeasible trials are "
                                                   "kept and counted)")
    search: SearchSettings = option(SearchSettings())
    monte_carlo: MonteCarloSection = option(MonteCarloSection())
    fidelity: FidelitySection = option(FidelitySection())
    choose: ChooseSection = option(ChooseSection())
    rtl: RtlSection = option(RtlSection())
    outputs: OutputsConfig = option(OutputsConfig())

    # ------------------------------------------------------------------ derived

    def architecture(self) -> Architecture:
        """The base architecture (the flow's own section objects)."""
        return Architecture(mapping=self.mapping, array=self.array, tiling=self.tiling,
                            converters=self.converters, nonideal=self.nonideal, technology=self.technology)

    def layer_shapes(self) -> list[tuple[int, int]]:
        """The network's layers (inputs, outputs) as the flow defines them (10 classes)."""
        n_in = self.data.image_size ** 2
        if self.network.type == "slp":
            return [(n_in, 10)]
        return [(n_in, self.network.hidden), (self.network.hidden, 10)]

    def parsed_space(self) -> SearchSpace:
        return SearchSpace.parse(self.space, prefix="space")

    @property
    def objective_metrics(self) -> list[str]:
        return [o.metric for o in self.objectives]

    @property
    def directions(self) -> list[str]:
        return [o.resolved_direction for o in self.objectives]

    def trial_config(self) -> dict:
        """What decides a trial's outcome (the study's fingerprint): budget, workers, storage,
        re-evaluation, choice and outputs may change between runs of one study."""
        s = self.search
        return {"seed": self.seed, "data": plain_dict(self.data), "network": plain_dict(self.network),
                "architecture": plain_dict(self.architecture()), "space": self.space,
                "objectives": plain_dict(self.objectives), "constraints": plain_dict(self.constraints),
                "monte_carlo": plain_dict(self.monte_carlo),
                "sampler": {"name": s.sampler, "population_size": s.population_size,
                            "tpe_startup_trials": s.tpe_startup_trials}}

    def validate(self):
        arch = self.architecture()
        space = self.parsed_space()
        metrics = [o.metric for o in self.objectives]
        dup = [m for m in metrics if metrics.count(m) > 1]
        if dup:
            self.fail("objectives", f"metric {dup[0]!r} appears twice; list each objective once")
        if self.search.sampler == "grid":
            if not space.discrete:
                bad = next(d for d in space.dimensions if not d.discrete)
                self.fail("search.sampler", f"grid needs a discrete space, but space.{bad.key} is a continuous "
                                            "range; give it a step or a list, or use nsga2/tpe/random")
            size = space.size()
            if size is not None and self.search.budget < size:
                self.fail("search.budget", f"{self.search.budget} is below the {size} designs of the space; the "
                                           f"grid sampler runs every design: allowed: >= {size} (or another "
                                           "sampler)")
        space.check(arch, self.layer_shapes(), prefix="space", limit=_LOAD_LIMIT, samples=_LOAD_SAMPLES,
                    seed=self.seed, extra_check=lambda a, extra: check_costable(a))
        self.__dict__.pop("_space_info", None)

    @property
    def space_info(self) -> dict:
        """The pre-run check of the whole space (computed once): designs checked, exhaustive or sampled,
        the fits (clips) made.  Raises ``ConfigError`` naming the first invalid combination."""
        info = self.__dict__.get("_space_info")
        if info is None:
            info = self.parsed_space().check(self.architecture(), self.layer_shapes(), prefix="space",
                                             limit=_SPACE_LIMIT, seed=self.seed,
                                             extra_check=lambda a, extra: check_costable(a))
            self.__dict__["_space_info"] = info
        return info

    def warnings(self) -> list[str]:
        """The whole space checked (as before the first trial); its clips to the tiles stated as warnings."""
        info = self.space_info
        return [f"space.{f['key']}: {f['requested']} -> {f['used']} ({f['reason']}; {f['count']} of "
                f"{info['checked']} checked designs)" for f in info["fits"]]


def flow_plain(flow) -> dict:
    """The flow as YAML data that loads back to an equal flow (keeps ``array.tia.kind``)."""
    return to_dict(flow)


# --------------------------------------------------------------------------- shared set-up


@dataclass
class _Setup:
    flow: SearchFlow
    spec: Any
    storage: Any
    study: Any
    evaluator: Any
    network: Any
    dataset: Any
    budget: int
    network_source: str


def _network_for(flow: SearchFlow, ds, progress):
    from .inference import _network

    return _network(flow, ds, progress)


def _open(flow: SearchFlow, *, storage: str | None, study_name: str | None, budget: int | None, create: bool,
          default_journal: Path, progress) -> _Setup:
    from ..search.evaluator import DesignEvaluator
    from ..search.samplers import make_sampler
    from ..search.storage import load_network, open_storage, open_study, parse_storage, store_network

    s = flow.search
    spec = parse_storage(storage if storage is not None else s.storage, default_journal)
    name = study_name or s.study_name or flow.name
    sampler = make_sampler(s.sampler, seed=flow.seed, population_size=s.population_size,
                           tpe_startup_trials=s.tpe_startup_trials)
    st = open_storage(spec, heartbeat_interval_s=s.heartbeat_interval_s, grace_period_s=s.grace_s,
                      max_retry=s.max_retry)
    study = open_study(st, name, directions=flow.directions, sampler=sampler, trial_config=flow.trial_config(),
                       create=create, metric_names=flow.objective_metrics)
    ds = _load_data(flow)
    net = load_network(study)
    source = "study"
    if net is None:
        if not create:
            from ..search.storage import StorageError

            raise StorageError(f"study {name!r} holds no network yet; the main run stores it before its first trial")
        net, source = _network_for(flow, ds, progress)
        store_network(study, net)
    else:
        progress(f"network: the study's ({'x'.join(map(str, net.layer_sizes))}, trained once per study)")
    ev = DesignEvaluator(net, ds.x_test, ds.y_test, flow.architecture(), flow.parsed_space(), seed=flow.seed,
                         draws=flow.monte_carlo.draws)
    return _Setup(flow, spec, st, study, ev, net, ds, int(budget or s.budget), source)


def _objective(setup: _Setup, progress):
    from ..search.workers import make_objective

    return make_objective(setup.evaluator, setup.flow.objective_metrics, setup.flow.constraints, progress=progress)


def join_search(flow: SearchFlow, *, storage: str | None, study_name: str | None = None, budget: int | None = None,
                progress=print) -> int:
    """A worker joining a study (``pycodesign search FLOW.yaml --join``): trials until the budget, nothing else.

    Returns the number of trials this worker ran.
    """
    import optuna

    from ..search.workers import requeue_dead_trials, run_worker

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    setup = _open(flow, storage=storage, study_name=study_name, budget=budget, create=False,
                  default_journal=Path("study.journal"), progress=progress)
    progress(f"joined study {setup.study.study_name!r} in {setup.spec.display}")
    if not setup.spec.heartbeats:
        requeue_dead_trials(setup.study, max_retry=flow.search.max_retry, stale_after_s=flow.search.grace_s,
                            progress=progress)
    return run_worker(setup.study, _objective(setup, progress), budget=setup.budget, progress=progress)


# --------------------------------------------------------------------------- the main run


def _trial_counts(rows: list[dict]) -> dict:
    states: dict[str, int] = {}
    for r in rows:
        states[r["state"]] = states.get(r["state"], 0) + 1
    complete = [r for r in rows if r["state"] == "COMPLETE"]
    return {"trials": len(rows), "complete": len(complete), "failed": states.get("FAIL", 0),
            "running": states.get("RUNNING", 0), "waiting": states.get("WAITING", 0),
            "feasible": sum(1 for r in complete if r["feasible"]),
            "infeasible": sum(1 for r in complete if not r["feasible"]),
            "retries": sum(1 for r in rows if r["retry_of"] is not None),
            "clipped": sum(1 for r in complete if r["fits"])}


def _design_key(row: dict) -> str:
    return json.dumps(row["used"], sort_keys=True, default=str)


def _spice_check(flow, setup, result, n_images, workdir):
    from ..system import evaluate

    x, y = setup.dataset.x_test, setup.dataset.y_test
    t0 = time.perf_counter()
    sp = evaluate(setup.network, result.architecture, x, y, engine="spice", seed=flow.seed, n_images=n_images,
                  workdir=workdir)
    t_spice = time.perf_counter() - t0
    so = evaluate(setup.network, result.architecture, x, y, engine="solver", seed=flow.seed, n_images=n_images)
    return {"spice_accuracy": sp.accuracy, "solver_accuracy_same_images": so.accuracy, "spice_images": n_images,
            "code_agreement": float(np.mean(sp.output_codes == so.output_codes)),
            "prediction_agreement": float(np.mean(sp.predictions == so.predictions)), "spice_s": t_spice}


def _choose(flow: SearchFlow, candidates: list[dict], fidelity: dict):
    """(chosen row, explanation) among the candidate Pareto rows, on re-evaluated accuracy where available."""
    from ..search.metrics import METRICS
    from ..search.pareto import knee_index

    def value(r, m):
        f = fidelity.get(r["number"], {})
        if m == "accuracy" and "accuracy" in f:
            return f["accuracy"]
        if m == "accuracy_worst" and "accuracy_worst" in f:
            return f["accuracy_worst"]
        return r["metrics"][m]

    c = flow.choose
    if c.rule == "knee":
        ms = flow.objective_metrics
        vals = [[value(r, m) for m in ms] for r in candidates]
        i = knee_index(vals, flow.directions, [METRICS[m].log_scale for m in ms])
        return candidates[i], ("knee: the Pareto design closest to the ideal point after normalising each objective "
                               "over the front (" + ", ".join(ms) + ")")
    ok = [r for r in candidates if all(k.satisfied(value(r, k.metric)) for k in c.constraints)]
    if not ok:
        best = {k.metric: max(value(r, k.metric) for r in candidates) for k in c.constraints}
        raise ValueError(f"no Pareto design meets {' and '.join(k.describe() for k in c.constraints)} "
                         f"(best among them: {best}); relax choose.constraints")
    sign = 1 if METRICS[c.metric].direction == "minimize" else -1
    r = min(ok, key=lambda r: (sign * value(r, c.metric), r["number"]))
    cons = " and ".join(k.describe() for k in c.constraints) or "no further bounds"
    return r, f"best {c.metric} ({METRICS[c.metric].direction}) among the Pareto designs with {cons}"


def _write_chosen(flow: SearchFlow, setup, row: dict, reason: str, run, progress) -> dict:
    """The chosen design as a crossbar_inference flow, its weights, hdl config, Verilog and cost table."""
    from ..costs import markdown_report, plot_cost_breakdown
    from ..nn import save_network_npz
    from ..config import build
    from ..search.silicon import hdl_config, rtl_instances
    from .inference import CrossbarInferenceFlow

    out = run.path / "chosen"
    out.mkdir(parents=True, exist_ok=True)
    result = setup.evaluator.evaluate(row["params"], draws=1, cost_name=f"{flow.name} trial {row['number']}")
    arch = result.architecture
    weights = save_network_npz(setup.network, out / "network.npz")
    inference = {
        "kind": "crossbar_inference", "name": f"{flow.name}_chosen", "seed": flow.seed,
        "data": plain_dict(flow.data),
        "network": {**plain_dict(flow.network), "weights_file": str(Path(weights).resolve())},
        **{k: v for k, v in plain_dict(arch).items()},
        "simulation": {"spice_images": flow.fidelity.spice_images or 100, "spice_chunk": None, "metrics_images": 32,
                       "settling": True},
        "outputs": {"dir": flow.outputs.dir, "overwrite": False, "run_name": None, "plots": True},
    }
    build(CrossbarInferenceFlow, {k: v for k, v in inference.items() if k != "kind"},
          file=str(out / "design.yaml"))  # it must load as written
    header = (f"# The design chosen by search flow {flow.name!r} (trial {row['number']}; {reason}).\n"
              f"# Its solver accuracy at seed {flow.seed} (draw 0 of the search) was "
              f"{result.accuracy_draws[0]:.6f}; run it with\n#   pycodesign run {out / 'design.yaml'}\n")
    (out / "design.yaml").write_text(header + yaml.safe_dump(inference, sort_keys=False, default_flow_style=None,
                                                              width=110))
    files = {"flow": "chosen/design.yaml", "weights": "chosen/network.npz"}
    info: dict = {"trial": row["number"], "reason": reason, "used": row["used"], "fits": row["fits"],
                  "accuracy_seed0": result.accuracy_draws[0], "files": files}
    if flow.rtl.generate:
        from ..rtl.generate import generate

        instances = rtl_instances(result.evaluation)
        cfg = hdl_config(instances)
        lines = [f"# RTL sized to the chosen design (trial {row['number']}); generate with",
                 f"#   pycodesign hdl {out / 'hdl.yaml'} --out {out / 'hdl'}", "# Blocks and their use:"]
        lines += [f"#   {i.block} {i.params}: x{i.instances}, {i.role}" for i in instances]
        (out / "hdl.yaml").write_text("\n".join(lines) + "\n" + yaml.safe_dump(cfg, sort_keys=False,
                                                                               default_flow_style=None))
        manifest = generate(out / "hdl.yaml", out / "hdl")
        mods = json.loads(Path(manifest).read_text())["modules"]
        files["hdl_config"] = "chosen/hdl.yaml"
        files["verilog"] = [f"chosen/hdl/{m['file']}" for m in mods]
        info["rtl"] = [{"module": m["module"], "block": m["block"], "parameters": m["parameters"],
                        "gate_count_nand2": m.get("gate_count_nand2")} for m in mods]
        progress(f"chosen design: {len(mods)} Verilog modules in {out / 'hdl'}")
    if result.costs is not None:
        rep = result.costs["report"]
        (out / "costs.md").write_text(f"# Costs of the chosen design (trial {row['number']})\n\n"
                                      + markdown_report(rep) + "\n")
        run.write_json("chosen/costs.json", rep.to_dict())
        plot_cost_breakdown(rep, out / "cost_breakdown.png")
        files.update({"costs": "chosen/costs.md", "costs_json": "chosen/costs.json",
                      "cost_plot": "chosen/cost_breakdown.png"})
        info["costs"] = {k: v for k, v in result.costs.items() if k != "report"}
        info["cost_markdown"] = markdown_report(rep)
    return info


def run_search(flow: SearchFlow, run, progress=print, *, storage: str | None = None, workers: int | None = None,
               study_name: str | None = None, budget: int | None = None) -> dict:
    """The main run (see the module doc); returns the metrics written to ``metrics.json``."""
    import optuna

    from ..search import report as rep
    from ..search.metrics import METRICS
    from ..search.pareto import Normaliser, hypervolume_history, pareto_mask, spread_subset
    from ..search.workers import drain, requeue_dead_trials, run_worker, start_workers

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    t_all = time.perf_counter()
    timing: dict = {}
    metrics: dict = {"complete": False}
    plots: list[str] = []

    def checkpoint():
        metrics["steps"] = [st.to_dict() for st in run.steps]
        run.write_json("metrics.json", {**metrics, "timing_s": timing})

    def step(name: str, fn):
        """An optional step (RunDir.step): a failure is recorded with its traceback and the run goes on."""
        out = None
        with run.step(name) as st:
            out = fn()
        if not st.ok:
            progress(f"step {name} FAILED: {st.error}")
            checkpoint()
            return None
        return out
    n_workers = int(workers or flow.search.workers)
    info = flow.space_info
    metrics["space"] = {"dimensions": flow.parsed_space().describe(), "checked": info["checked"],
                        "exhaustive": info["exhaustive"], "size": info["size"], "fits": info["fits"]}
    for f in info["fits"]:
        progress(f"space: {f['key']} {f['requested']} -> {f['used']} ({f['reason']}; {f['count']} of "
                 f"{info['checked']} checked designs)")
    procs: list = []
    try:
        t0 = time.perf_counter()
        setup = _open(flow, storage=storage, study_name=study_name, budget=budget, create=True,
                      default_journal=run.path / "study.journal", progress=progress)
        study = setup.study
        timing["setup_s"] = time.perf_counter() - t0
        metrics["study"] = {"name": study.study_name, "storage": setup.spec.display, "kind": setup.spec.kind,
                            "sampler": flow.search.sampler, "seed": flow.seed, "budget": setup.budget,
                            "workers": n_workers, "network_source": setup.network_source,
                            "monte_carlo_draws": flow.monte_carlo.draws,
                            "dashboard": "optuna-dashboard " + (setup.spec.url if setup.spec.kind == "journal"
                                                                else setup.spec.display)}
        progress(f"study {study.study_name!r} in {setup.spec.display}: {flow.search.sampler}, budget "
                 f"{setup.budget} completed trials, {n_workers} worker(s)")
        checkpoint()
        objective = _objective(setup, progress)
        if not setup.spec.heartbeats:
            requeue_dead_trials(study, max_retry=flow.search.max_retry, stale_after_s=flow.search.grace_s,
                                progress=progress)
        # ---------------------------------------------------------------- trials
        t0 = time.perf_counter()
        if n_workers > 1:
            wf = run.file("search_flow.yaml")
            wf.write_text(yaml.safe_dump(flow_plain(flow), sort_keys=False))
            cmd = [sys.executable, "-m", "pycodesign.cli", "search", str(wf), "--join", "--study", study.study_name,
                   "--budget", str(setup.budget)]
            procs = start_workers(n_workers - 1, cmd, run.path / "workers",
                                  env={STORAGE_ENV: setup.spec.url if setup.spec.kind == "rdb"
                                       else "journal:" + setup.spec.url})
            progress(f"started {len(procs)} worker process(es): logs in {run.path / 'workers'}")
        done_before = len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))
        from ..progress import task

        with task(progress, "trials", total=max(0, setup.budget - done_before), unit="trial") as advance:
            ran = run_worker(study, objective, budget=setup.budget, progress=progress, advance=advance)
        codes = [p.wait() for p in procs]
        procs = []
        metrics["workers"] = {"this_process_trials": ran, "exit_codes": codes}
        bad = [(k + 1, c) for k, c in enumerate(codes) if c != 0]
        if bad:
            progress("worker(s) " + ", ".join(f"{k} (exit {c})" for k, c in bad) + " ended abnormally; see "
                     f"{run.path / 'workers'}")
        d = drain(study, objective, heartbeats=setup.spec.heartbeats, max_retry=flow.search.max_retry,
                  stale_after_s=flow.search.grace_s, poll_s=min(1.0, flow.search.heartbeat_interval_s / 2),
                  progress=progress)
        metrics["workers"]["drain"] = d
        timing["trials_s"] = time.perf_counter() - t0
        # ---------------------------------------------------------------- the front
        rows = rep.trial_rows(study)
        counts = _trial_counts(rows)
        metrics["counts"] = counts
        if counts["complete"] > done_before:  # wall time of this session's trials, all workers together
            timing["s_per_completed_trial"] = timing["trials_s"] / (counts["complete"] - done_before)
        ms, dirs = flow.objective_metrics, flow.directions
        logs = [METRICS[m].log_scale for m in ms]
        complete = sorted((r for r in rows if r["state"] == "COMPLETE"),
                          key=lambda r: (r["datetime_complete"] or "", r["number"]))
        feas = [r for r in complete if r["feasible"]]
        if feas:
            mask = pareto_mask([[r["metrics"][m] for m in ms] for r in feas], dirs)
            for r, on in zip(feas, mask):
                r["pareto"] = bool(on)
        front = [r for r in feas if r.get("pareto")]
        progress(f"{counts['complete']} completed trials ({counts['feasible']} feasible, {counts['infeasible']} "
                 f"infeasible), {counts['failed']} failed, {counts['retries']} retried; {len(front)} Pareto designs")
        hv = None
        if complete:
            norm = Normaliser.from_values([[r["metrics"][m] for m in ms] for r in complete], dirs, logs)
            hv = hypervolume_history([[r["metrics"][m] for m in ms] for r in complete],
                                     [r["feasible"] for r in complete], norm)
            metrics["hypervolume"] = {"final": float(hv[-1]), "reference_point": 1.1, "normalisation":
                                      norm.to_dict(), "note": "objectives in minimisation form, log10 for costs and "
                                      "counts, normalised by the study's own completed trials; moocore.hypervolume"}
        checkpoint()
        # ---------------------------------------------------------------- fidelity
        fid: dict[int, dict] = {}
        unique: dict[str, dict] = {}
        for r in front:
            unique.setdefault(_design_key(r), r)
        designs = list(unique.values())
        if len(designs) > flow.fidelity.max_designs:
            keep = spread_subset([[r["metrics"][m] for m in ms] for r in designs], dirs, logs,
                                 flow.fidelity.max_designs)
            designs = [designs[i] for i in keep]
        metrics["fidelity"] = {"draws": flow.fidelity.draws, "designs": [r["number"] for r in designs],
                               "pareto_unique_designs": len(unique), "spice_images": flow.fidelity.spice_images,
                               "per_trial": fid}
        if flow.fidelity.draws > 0 and designs:
            def refine():
                t = time.perf_counter()
                for r in designs:
                    res = setup.evaluator.evaluate(r["params"], draws=flow.fidelity.draws, need_costs=False)
                    fid[r["number"]] = {"accuracy": res.metrics["accuracy"], "accuracy_std": res.metrics["accuracy_std"],
                                        "accuracy_worst": res.metrics["accuracy_worst"], "draws": len(res.seeds)}
                timing["reevaluate_s"] = time.perf_counter() - t
                progress(f"re-evaluated {len(designs)} Pareto design(s) with {flow.fidelity.draws} Monte-Carlo draws")
                checkpoint()

            step("reevaluate", refine)
        candidates = designs or front
        chosen_row = None
        if candidates:
            def choose():
                row, reason = _choose(flow, candidates, fid)
                return row, reason

            picked = step("choose", choose)
            if picked is not None:
                chosen_row, reason = picked
                metrics["chosen"] = {"trial": chosen_row["number"], "reason": reason}
                progress(f"chosen design: trial {chosen_row['number']} ({reason})")
        # SPICE fidelity: the chosen design first, then the extremes of the front
        if flow.fidelity.spice_images > 0 and flow.fidelity.spice_designs > 0 and candidates:
            order = ([chosen_row] if chosen_row is not None else [])
            for j in range(len(ms)):
                best = min(candidates, key=lambda r: (1 if dirs[j] == "minimize" else -1) * r["metrics"][ms[j]])
                order.append(best)
            picked_rows = []
            for r in order:
                if r["number"] not in [p["number"] for p in picked_rows]:
                    picked_rows.append(r)
            picked_rows = picked_rows[:flow.fidelity.spice_designs]
            n_img = min(flow.fidelity.spice_images, len(setup.dataset.y_test))

            def spice():
                t = time.perf_counter()
                for r in picked_rows:
                    res = setup.evaluator.evaluate(r["params"], draws=1, need_costs=False)
                    out = _spice_check(flow, setup, res, n_img, run.path / "spice" / f"trial{r['number']}")
                    fid.setdefault(r["number"], {}).update(out)
                    progress(f"ngspice, trial {r['number']}: accuracy {out['spice_accuracy']:.4f} on {n_img} images "
                             f"(solver on the same images {out['solver_accuracy_same_images']:.4f}; codes agree "
                             f"{100 * out['code_agreement']:.2f} %)")
                timing["spice_s"] = time.perf_counter() - t
                checkpoint()

            step("spice", spice)
        # ---------------------------------------------------------------- silicon
        if chosen_row is not None:
            chosen = step("chosen_design", lambda: _write_chosen(flow, setup, chosen_row,
                                                                 metrics["chosen"]["reason"], run, progress))
            if chosen is not None:
                metrics["chosen"].update(chosen)
                metrics["chosen"]["metrics"] = chosen_row["metrics"]
                metrics["chosen"]["fidelity"] = fid.get(chosen_row["number"], {})
        metrics["pareto"] = [{k: r[k] for k in ("number", "params", "used", "fits", "metrics", "accuracy_draws",
                                                "costs")} for r in front]
        # ---------------------------------------------------------------- outputs
        keys = flow.parsed_space().keys
        all_metrics = [m for m in ("accuracy", "accuracy_worst", "energy_j", "area_mm2", "latency_s", "tops_per_w",
                                   "tiles", "devices", "adcs", "adc_conversions", "sar_comparisons")]
        rep.write_trials_csv(rows, keys, all_metrics, run.file("trials.csv"))
        if flow.outputs.plots and complete:
            def plot_step():
                for x in ("energy_j", "area_mm2", "latency_s"):
                    if any(x in r["metrics"] for r in complete):
                        plots.append(rep.plot_pareto(rows, x, run.file(f"pareto_accuracy_vs_{x}.png")).name)
                if hv is not None:
                    plots.append(rep.plot_hypervolume(hv, run.file("hypervolume.png"),
                                                      note="normalised by this study's trials; ref 1.1").name)
                plots.append(rep.plot_parallel_coordinates(rows, keys, ms, run.file("parallel_coordinates.png")).name)

            step("plots", plot_step)
        metrics["complete"] = True
    except BaseException:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        raise
    finally:
        timing["total_s"] = time.perf_counter() - t_all
        checkpoint()
        try:
            text = rep.search_report(flow, {**metrics, "timing_s": timing}, rows if "rows" in locals() else [], plots)
        except Exception as exc:  # noqa: BLE001 - a report of what exists, never a second failure
            text = f"# Search: {flow.name}\n\nThe report could not be written: {type(exc).__name__}: {exc}\n"
        run.file("report.md").write_text(text)
    return metrics


# --------------------------------------------------------------------------- command line


def _search_run_dir(flow, *, base, name: str, tools: tuple):
    """The results folder of ``pycodesign search``: ``<base>/<name>``, reopened when it holds this search.

    Returns ``(run, resumed)``.  A folder holding a search that is still
    running, or another kind of run, is refused (``ConfigError``); a folder
    that is not a kit results folder is never written into (a new name is
    made, as for every run).
    """
    from ..results import new_run_dir, plan_run_dir, read_run, reopen_run_dir

    parent, chosen = plan_run_dir(flow, base=base, name=name)
    path = parent / chosen
    if path.is_dir() and (path / "metadata.json").is_file():
        info = read_run(path)
        if info.metadata:
            if info.kind != "search":
                raise ConfigError(None, "--name", f"{path} holds a {info.kind!r} run, not a search; choose another "
                                                  "name")
            if info.effective_status == "running":
                raise ConfigError(None, "--name", f"{path}: a search is running there (pid "
                                                  f"{info.metadata.get('pid')} on {info.metadata.get('host')}); add "
                                                  f"workers with: pycodesign search FLOW.yaml --join --storage "
                                                  f"{path / 'study.journal'}")
            # Reopen it: the study (study.journal) and every earlier output stay; the reports are rewritten.
            return reopen_run_dir(path, flow, tools=tools), True
    return new_run_dir(flow, base=base, name=name, overwrite=False, tools=tools), False



def main_search(args) -> int:
    """``pycodesign search FLOW.yaml [--storage URL] [--workers N] [--join] [--study NAME] [--budget N]``."""
    from .. import toolchain
    from ..search.storage import StorageError
    from ..config import build, read_yaml
    from ..search.workers import TooManyFailures

    try:
        data = read_yaml(args.flow)
        if not isinstance(data, dict) or data.get("kind") != "search":
            kind = data.get("kind") if isinstance(data, dict) else None
            raise ConfigError(str(args.flow), "kind", f"{kind!r} is not a search flow; allowed: search")
        flow = build(SearchFlow, {k: v for k, v in data.items() if k != "kind"}, file=str(args.flow))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    storage = args.storage or os.environ.get(STORAGE_ENV)
    progress = (lambda msg: None) if args.quiet else (lambda msg: print(msg, flush=True))
    if args.join:
        if storage is None:
            print("error: --join needs the study's storage: --storage URL (a database URL, or the main run's "
                  "journal file)", file=sys.stderr)
            return 2
        if args.workers not in (None, 1):
            print("error: --join runs one worker; start several processes to join with several", file=sys.stderr)
            return 2
        try:
            n = join_search(flow, storage=storage, study_name=args.study, budget=args.budget, progress=progress)
        except (StorageError, TooManyFailures) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        progress(f"worker done: {n} trial(s) run by this process")
        return 0
    tools = ("ngspice", "openvaf") if flow.fidelity.spice_images > 0 and flow.fidelity.spice_designs > 0 else ()
    try:
        toolchain.require(*tools)
    except toolchain.ToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    try:
        run, resumed = _search_run_dir(flow, base=args.out, name=args.name or flow.outputs.run_name or flow.name,
                                       tools=tools)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    progress(f"search: results in {run.path} ({'continuing the study there' if resumed else 'a new study'}; "
             "re-run the same command to continue it)")
    t0 = time.perf_counter()
    try:
        run_search(flow, run, progress=progress, storage=storage, workers=args.workers, study_name=args.study,
                   budget=args.budget)
    except KeyboardInterrupt:
        run.interrupt("interrupted by the user")
        print(f"interrupted; the study keeps every completed trial: re-run the same command to continue "
              f"({run.path})", file=sys.stderr)
        return 130
    except (StorageError, TooManyFailures) as exc:
        run.fail(f"{type(exc).__name__}: {exc}")
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - record any failure, then report it
        run.fail(f"{type(exc).__name__}: {exc}")
        print(f"error: {type(exc).__name__}: {exc}\nwhat was computed is kept in {run.path}", file=sys.stderr)
        return 1
    status = run.finish()
    if status != "complete":
        for st in run.steps:
            if st.status == "failed":
                print(f"step {st.name} failed: {st.error}" + (f" (traceback: {run.path / st.log})" if st.log else ""),
                      file=sys.stderr)
        print(f"{status}: {run.path}", file=sys.stderr)
        return 4 if status == "completed with failures" else 1
    progress(f"done in {time.perf_counter() - t0:.1f} s: {run.path}")
    return 0
