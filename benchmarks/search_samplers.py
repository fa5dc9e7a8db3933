"""Samplers of the architecture search compared fairly, plus parallel efficiency and seconds per trial.

    .venv/bin/python benchmarks/search_samplers.py [--seeds 20] [--budget 200] [--flow flows/search_slp_digits.yaml]
                                                   [--processes 2] [--parallel-budget 60] [--out benchmarks/results]

1. **Every design of the flow's space** (4,032 for flows/search_slp_digits.yaml) is evaluated once, exactly as a
   trial evaluates it (:class:`pycodesign.search.DesignEvaluator`: the same Monte-Carlo draws, the cost model),
   in ``--processes`` processes; the table is cached in ``--out`` by the flow's fingerprint.  It gives the true
   Pareto front of the space and the normalisation bounds.
2. **NSGA-II, TPE and random search** run ``--seeds`` independent seeds each at an equal budget of ``--budget``
   completed trials (infeasible trials counted), one worker each, on in-memory studies whose objective looks the
   design up in the table (a trial's values are a function of its design: common random numbers) and sets the
   flow's constraints through ``Trial.set_constraint`` — the samplers see exactly what the flow's trials give them.
3. **Hypervolume** (``moocore.hypervolume``) of each run's feasible trials after every trial, with one fixed
   normalisation for all samplers and seeds (objectives in minimisation form, log10 for energy, area and latency,
   bounds = the whole space's range) and reference points 1.1 and 1.5 (sensitivity); the true front's HV gives the
   HV ratio; IGD+ (``moocore.igd_plus``) against the true front.  Median and interquartile range per sampler, the
   median HV-vs-trials curves, and one-sided Mann–Whitney U tests (scipy) of NSGA-II and TPE against random with
   Holm's correction.
4. **Parallel efficiency and seconds per trial**: the flow's real trial loop (``pycodesign search`` with a journal
   file, evaluation included) for ``--parallel-budget`` trials with 1 and with 2 worker processes; efficiency =
   T1 / (2 · T2).  The machine is shared (2 cores): wall times vary with other users' load.

Writes ``search_samplers.md``, ``search_samplers.json`` and ``search_samplers_hv.png`` to ``--out``.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_EV = None  # per-process evaluator (pool initialiser)


def _load_flow(path):
    from pycodesign.config import build, read_yaml
    from pycodesign.flows.search import SearchFlow

    d = read_yaml(path)
    return build(SearchFlow, {k: v for k, v in d.items() if k != "kind"}, file=str(path))


def _init(flow_path):
    global _EV
    from pycodesign.flows.inference import _load_data
    from pycodesign.nn import train_slp, train_mlp
    from pycodesign.search import DesignEvaluator

    flow = _load_flow(flow_path)
    ds = _load_data(flow)
    nw = flow.network
    if nw.type == "slp":
        net = train_slp(ds.x_train, ds.y_train, epochs=nw.epochs, lr=nw.lr, l2=nw.l2, seed=flow.seed,
                        batch_size=nw.batch_size)
    else:
        net = train_mlp(ds.x_train, ds.y_train, hidden=nw.hidden, epochs=nw.epochs, lr=nw.lr, l2=nw.l2,
                        seed=flow.seed, batch_size=nw.batch_size, relu_max=nw.relu_max)
    _EV = DesignEvaluator(net, ds.x_test, ds.y_test, flow.architecture(), flow.parsed_space(), seed=flow.seed,
                          draws=flow.monte_carlo.draws)


def _evaluate(params: dict) -> dict:
    r = _EV.evaluate(params)
    return {"params": params, "used": r.realised.used, "metrics": r.metrics}


def design_table(flow, flow_path, processes: int, cache: Path) -> list[dict]:
    """Every design of the space, evaluated once (cached by the flow's fingerprint)."""
    from pycodesign.search.storage import config_fingerprint

    fp = config_fingerprint({k: v for k, v in flow.trial_config().items() if k != "sampler"})  # designs only
    if cache.exists():
        data = json.loads(cache.read_text())
        if data.get("fingerprint") == fp:
            print(f"design table: {len(data['rows'])} designs from {cache}")
            return data["rows"]
    points = list(flow.parsed_space().enumerate())
    print(f"design table: evaluating all {len(points)} designs of the space in {processes} process(es) ...",
          flush=True)
    t0 = time.perf_counter()
    with mp.get_context("fork").Pool(processes, initializer=_init, initargs=(str(flow_path),)) as pool:
        rows = []
        for k, row in enumerate(pool.imap(_evaluate, points, chunksize=8)):
            rows.append(row)
            if (k + 1) % 500 == 0:
                print(f"  {k + 1}/{len(points)} ({time.perf_counter() - t0:.0f} s)", flush=True)
    seconds = time.perf_counter() - t0
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"fingerprint": fp, "seconds": seconds, "processes": processes, "rows": rows}))
    print(f"design table: {len(rows)} designs in {seconds:.0f} s")
    return rows


def sampler_run(flow, table: dict, sampler: str, seed: int, budget: int) -> dict:
    """One study at an equal budget; returns the objective values and feasibility of its trials, in order."""
    import optuna

    from pycodesign.search import make_sampler
    from pycodesign.search.workers import constraint_values

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = flow.parsed_space()
    ms = flow.objective_metrics
    study = optuna.create_study(directions=flow.directions, sampler=make_sampler(
        sampler, seed=seed, population_size=flow.search.population_size,
        tpe_startup_trials=flow.search.tpe_startup_trials))
    values, feasible = [], []

    def objective(trial):
        params = space.suggest(trial)
        m = table[json.dumps(params, sort_keys=True)]
        cons = constraint_values(flow.constraints, m)
        for k, v in cons.items():
            trial.set_constraint(k, v)
        values.append([m[k] for k in ms])
        feasible.append(all(v <= 0 for v in cons.values()))
        return [m[k] for k in ms]

    t0 = time.perf_counter()
    study.optimize(objective, n_trials=budget)
    return {"values": values, "feasible": feasible, "seconds": time.perf_counter() - t0}


def holm(pvalues: dict) -> dict:
    """Holm–Bonferroni adjusted p-values."""
    items = sorted(pvalues.items(), key=lambda kv: kv[1])
    m = len(items)
    out, running = {}, 0.0
    for i, (k, p) in enumerate(items):
        running = max(running, min(1.0, (m - i) * p))
        out[k] = running
    return out


def parallel_efficiency(flow_path: Path, budget: int) -> dict:
    """The flow's real trial loop with 1 and 2 worker processes (journal file), trials only."""
    import yaml

    from pycodesign.config import read_yaml

    d = read_yaml(flow_path)
    d["fidelity"] = {"draws": 0, "spice_images": 0}
    d["rtl"] = {"generate": False}
    d["outputs"] = {"plots": False}
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "flow.yaml"
        f.write_text(yaml.safe_dump(d, sort_keys=False))
        for workers in (1, 2):
            name = f"w{workers}"
            cmd = [sys.executable, "-m", "pycodesign.cli", "search", str(f), "--out", tmp, "--name", name,
                   "--workers", str(workers), "--budget", str(budget), "-q"]
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, cwd=ROOT)
            wall = time.perf_counter() - t0
            m = json.loads((Path(tmp) / name / "metrics.json").read_text())
            out[workers] = {"trials_s": m["timing_s"]["trials_s"], "completed": m["counts"]["complete"],
                            "s_per_trial": m["timing_s"]["trials_s"] / m["counts"]["complete"], "wall_s": wall,
                            "load_average_1min_after": os.getloadavg()[0],
                            "steady_s_per_trial": _steady_s_per_trial(Path(tmp) / name / "study.journal")}
            print(f"  {workers} worker(s): {out[workers]['trials_s']:.1f} s for {out[workers]['completed']} trials "
                  f"(steady state {out[workers]['steady_s_per_trial']:.3f} s/trial; load average "
                  f"{out[workers]['load_average_1min_after']:.1f})", flush=True)
    t1, t2 = out[1]["trials_s"] / out[1]["completed"], out[2]["trials_s"] / out[2]["completed"]
    out["speedup"] = t1 / t2
    out["efficiency"] = t1 / (2 * t2)
    out["steady_speedup"] = out[1]["steady_s_per_trial"] / out[2]["steady_s_per_trial"]
    out["steady_efficiency"] = out["steady_speedup"] / 2
    return out


_RAW = """
import sys, time
sys.path.insert(0, {root!r})
from benchmarks.search_samplers import _init, _evaluate
import benchmarks.search_samplers as b
_init({flow!r})
points = list(b._EV.space.enumerate())[:{n}]
t0 = time.perf_counter()
for p in points:
    b._EV.evaluate(p)
print(time.perf_counter() - t0)
"""


def raw_headroom(flow_path: Path, n: int = 40) -> dict:
    """The machine's own parallel headroom: the same evaluation loop (no optuna, no storage) in one process,
    then in two processes at once; speed-up = 2 x t(one) / t(two, slower of the pair)."""
    code = _RAW.format(root=str(ROOT), flow=str(flow_path), n=n)

    def start():
        return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT)

    one = float(start().communicate()[0].strip().splitlines()[-1])
    pair = [start(), start()]
    two = max(float(p.communicate()[0].strip().splitlines()[-1]) for p in pair)
    return {"designs": n, "one_process_s": one, "two_processes_s": two, "speedup": 2 * one / two,
            "efficiency": one / two}


def _steady_s_per_trial(journal: Path) -> float:
    """Wall time per completed trial while every worker runs: from the last worker's first trial to the end."""
    import optuna

    from pycodesign.search.storage import open_storage, parse_storage

    storage = open_storage(parse_storage(None, journal))
    study = optuna.load_study(study_name=optuna.get_all_study_names(storage)[0], storage=storage)
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    first_by_worker: dict = {}
    for t in done:
        pid = t.user_attrs["worker"]["pid"]
        first_by_worker[pid] = min(first_by_worker.get(pid, t.datetime_start), t.datetime_start)
    start = max(first_by_worker.values())
    later = [t for t in done if t.datetime_start >= start]
    end = max(t.datetime_complete for t in later)
    return (end - start).total_seconds() / max(1, len(later))


def main(argv=None) -> int:
    import moocore
    from scipy.stats import mannwhitneyu

    from pycodesign.reports.plots import new_figure, save_figure
    from pycodesign.search.metrics import METRICS
    from pycodesign.search.pareto import Normaliser, hypervolume, hypervolume_history, pareto_mask

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--flow", default=str(ROOT / "flows" / "search_slp_digits.yaml"))
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--budget", type=int, default=None, help="completed trials per run (default: the flow's)")
    ap.add_argument("--samplers", default="nsga2,tpe,random")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--parallel-budget", type=int, default=60)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    flow_path = Path(args.flow)
    flow = _load_flow(flow_path)
    budget = args.budget or flow.search.budget
    samplers = args.samplers.split(",")
    ms, dirs = flow.objective_metrics, flow.directions
    logs = [METRICS[m].log_scale for m in ms]

    rows = design_table(flow, flow_path, args.processes, out / "search_space_table.json")
    table = {json.dumps(r["params"], sort_keys=True): r["metrics"] for r in rows}
    allv = np.array([[r["metrics"][m] for m in ms] for r in rows])
    feas_all = np.array([all(c.satisfied(r["metrics"][c.metric]) for c in flow.constraints) for r in rows])
    norm = Normaliser.from_values(allv, dirs, logs)  # one normalisation: the whole space's range
    true_front = allv[feas_all][pareto_mask(allv[feas_all], dirs)]
    refs = (1.1, 1.5)
    hv_true = {r: hypervolume(true_front, norm, r) for r in refs}
    print(f"true front: {len(true_front)} points of {int(feas_all.sum())} feasible designs; HV(1.1) = "
          f"{hv_true[1.1]:.4f}", flush=True)

    results: dict = {s: [] for s in samplers}
    for s in samplers:
        t0 = time.perf_counter()
        for seed in range(args.seeds):
            run = sampler_run(flow, table, s, seed, budget)
            v = np.array(run["values"])
            ok = np.array(run["feasible"])
            hist = hypervolume_history(v, ok, norm, refs[0])
            front = v[ok][pareto_mask(v[ok], dirs)] if ok.any() else np.zeros((0, len(ms)))
            igd = float(moocore.igd_plus(norm(front), ref=norm(true_front))) if len(front) else float("nan")
            results[s].append({"seed": seed, "hv": {str(r): hypervolume(front, norm, r) for r in refs},
                               "hv_history": hist.tolist(), "igd_plus": igd, "seconds": run["seconds"],
                               "feasible": int(ok.sum())})
        print(f"{s}: {args.seeds} seeds x {budget} trials in {time.perf_counter() - t0:.0f} s; median HV "
              f"{np.median([r['hv']['1.1'] for r in results[s]]):.4f}", flush=True)

    def stats(s, key="1.1"):
        x = np.array([r["hv"][key] for r in results[s]])
        q1, med, q3 = np.percentile(x, [25, 50, 75])
        return {"median": float(med), "q1": float(q1), "q3": float(q3), "iqr": float(q3 - q1),
                "ratio_median": float(med / hv_true[float(key)])}

    summary = {s: {str(r): stats(s, str(r)) for r in refs} for s in samplers}
    for s in samplers:
        summary[s]["igd_plus_median"] = float(np.nanmedian([r["igd_plus"] for r in results[s]]))
        summary[s]["optuna_s_per_trial"] = float(np.median([r["seconds"] for r in results[s]]) / budget)
    tests = {}
    if "random" in samplers:
        for r in refs:
            p = {}
            for s in samplers:
                if s == "random":
                    continue
                a = [x["hv"][str(r)] for x in results[s]]
                b = [x["hv"][str(r)] for x in results["random"]]
                u = mannwhitneyu(a, b, alternative="greater")
                p[s] = (float(u.statistic), float(u.pvalue))
            adj = holm({k: v[1] for k, v in p.items()})
            tests[str(r)] = {k: {"U": v[0], "p": v[1], "p_holm": adj[k]} for k, v in p.items()}

    print("parallel efficiency: the flow's trial loop with 1 and 2 worker processes ...", flush=True)
    par = parallel_efficiency(flow_path, args.parallel_budget)
    print("the machine's headroom: the same evaluation loop in 1 and in 2 processes ...", flush=True)
    par["raw"] = raw_headroom(flow_path)

    # plot: median HV vs trials with IQR bands
    fig, ax = new_figure()
    for s in samplers:
        h = np.array([r["hv_history"] for r in results[s]])
        med = np.median(h, axis=0)
        q1, q3 = np.percentile(h, [25, 75], axis=0)
        x = np.arange(1, h.shape[1] + 1)
        ax[0, 0].plot(x, med, label=s)
        ax[0, 0].fill_between(x, q1, q3, alpha=0.2)
    ax[0, 0].axhline(hv_true[1.1], color="k", ls="--", label="true front")
    ax[0, 0].set(xlabel="completed trials", ylabel="hypervolume (ref 1.1, fixed normalisation)",
                 title=f"{flow.name}: median and IQR over {args.seeds} seeds")
    ax[0, 0].grid(alpha=0.3)
    ax[0, 0].legend()
    save_figure(fig, out / "search_samplers_hv.png")

    data = {"flow": str(flow_path), "space_size": len(rows), "true_front_points": int(len(true_front)),
            "feasible_designs": int(feas_all.sum()), "budget": budget, "seeds": args.seeds,
            "objectives": dict(zip(ms, dirs)), "constraints": [c.describe() for c in flow.constraints],
            "normalisation": norm.to_dict(), "hv_true": {str(k): v for k, v in hv_true.items()},
            "summary": summary, "mann_whitney_vs_random": tests, "parallel": par,
            "runs": {s: [{k: v for k, v in r.items() if k != "hv_history"} for r in results[s]] for s in samplers},
            "machine": f"{os.cpu_count()} cores, shared with other users"}
    (out / "search_samplers.json").write_text(json.dumps(data, indent=2))
    lines = [f"# Search samplers on `{flow_path.name}`\n",
             f"Space: {len(rows)} designs ({int(feas_all.sum())} feasible: {', '.join(data['constraints'])}); true "
             f"Pareto front: {len(true_front)} points. Budget {budget} completed trials per run (infeasible counted), "
             f"{args.seeds} seeds per sampler, one worker each. Hypervolume with one normalisation for every run (the "
             "whole space's range; log10 of energy, area, latency), reference points 1.1 and 1.5 "
             "(`moocore.hypervolume`); HV ratio = HV / HV(true front); IGD+ against the true front "
             "(`moocore.igd_plus`, normalised space).\n"]
    head = ["sampler", "HV(1.1) median", "IQR", "HV ratio", "HV(1.5) median", "IQR", "IGD+ median",
            "optuna s/trial"]
    body = [[s, f"{summary[s]['1.1']['median']:.4f}", f"{summary[s]['1.1']['iqr']:.4f}",
             f"{summary[s]['1.1']['ratio_median']:.3f}", f"{summary[s]['1.5']['median']:.4f}",
             f"{summary[s]['1.5']['iqr']:.4f}", f"{summary[s]['igd_plus_median']:.4f}",
             f"{summary[s]['optuna_s_per_trial']:.4f}"] for s in samplers]
    from pycodesign.reports.markdown import md_table

    lines.append(md_table(head, body))
    if tests:
        lines.append("\nOne-sided Mann–Whitney U (sampler's final HV > random's), Holm-corrected over the samplers:\n")
        lines.append(md_table(["reference", "sampler", "U", "p", "p (Holm)"],
                              [[r, s, f"{v['U']:.1f}", f"{v['p']:.3g}", f"{v['p_holm']:.3g}"]
                               for r, d in tests.items() for s, v in d.items()]))
    lines.append(f"\nParallel efficiency (the flow's real trial loop, journal file, {args.parallel_budget} trials, "
                 f"evaluation included): 1 worker {par[1]['s_per_trial']:.3f} s/trial, 2 workers "
                 f"{par[2]['s_per_trial']:.3f} s/trial (wall time of the trial loop per completed trial, the second "
                 f"process's start-up included); speed-up {par['speedup']:.2f}, efficiency {par['efficiency']:.2f}. "
                 f"Steady state (from the last worker's first trial): {par[1]['steady_s_per_trial']:.3f} vs "
                 f"{par[2]['steady_s_per_trial']:.3f} s/trial, speed-up {par['steady_speedup']:.2f}, efficiency "
                 f"{par['steady_efficiency']:.2f}. The machine has {os.cpu_count()} cores shared with other users "
                 f"(1-minute load average {par[1]['load_average_1min_after']:.1f} / "
                 f"{par[2]['load_average_1min_after']:.1f} after the two runs): wall times vary with their load. "
                 f"Control, the machine's own headroom at the time: the same {par['raw']['designs']} design "
                 f"evaluations (no optuna, no storage) took {par['raw']['one_process_s']:.1f} s in one process and "
                 f"{par['raw']['two_processes_s']:.1f} s in each of two processes at once (speed-up "
                 f"{par['raw']['speedup']:.2f}, efficiency {par['raw']['efficiency']:.2f}).\n")
    lines.append("HV vs trials: `search_samplers_hv.png`.\n")
    (out / "search_samplers.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
