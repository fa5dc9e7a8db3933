"""The search flow end to end: the grid sampler recovers the exact Pareto front computed independently here,
the reported Pareto set is non-dominated and complete, the chosen design becomes a flow, RTL and a cost table."""
from __future__ import annotations

import itertools
import json

import numpy as np
import optuna
import pytest
import yaml

from pycodesign.config import build
from pycodesign.costs import costs_of_evaluation
from pycodesign.data import load_digits_dataset
from pycodesign.flows.inference import CrossbarInferenceFlow
from pycodesign.flows.search import SearchFlow, run_search
from pycodesign.nn import load_network_npz
from pycodesign.results import new_run_dir
from pycodesign.search import DesignEvaluator, SearchSpace, make_sampler
from pycodesign.search.storage import StorageError, open_storage, open_study, parse_storage
from pycodesign.search.workers import make_objective, run_worker
from pycodesign.system import evaluate

from png_checks import check_pngs

optuna.logging.set_verbosity(optuna.logging.WARNING)

TILE_ROWS, ADC_BITS, LEVELS = [33, 65], [4, 6, 8], [4, 16]
DRAWS = 2
MIN_ACCURACY = 0.9

GRID_FLOW = {
    "name": "grid", "seed": 0,
    "network": {"type": "slp", "epochs": 100},
    "converters": {"dac_bits": 4, "adc_bits": 8},
    "nonideal": {"variability_sigma": 0.1, "read_noise_sigma": 0.02},
    "space": {"tiling.tile_rows": TILE_ROWS, "converters.adc_bits": ADC_BITS, "mapping.levels": LEVELS},
    "objectives": [{"metric": "accuracy"}, {"metric": "energy_j"}, {"metric": "area_mm2"}],
    "constraints": [{"metric": "accuracy", "min": MIN_ACCURACY}],
    "search": {"sampler": "grid", "budget": 12},
    "monte_carlo": {"draws": DRAWS},
    "fidelity": {"draws": 4, "max_designs": 10, "spice_images": 20, "spice_designs": 1},
    "choose": {"rule": "knee"},
}


def dominates(a, b, directions):
    """a dominates b (plain Python, independent of the kit's moocore path)."""
    better_or_equal = all((x >= y) if d == "maximize" else (x <= y) for x, y, d in zip(a, b, directions))
    strictly = any((x > y) if d == "maximize" else (x < y) for x, y, d in zip(a, b, directions))
    return better_or_equal and strictly


@pytest.fixture(scope="module")
def grid_run(tmp_path_factory):
    flow = build(SearchFlow, GRID_FLOW)
    run = new_run_dir(flow, base=tmp_path_factory.mktemp("res"), name="grid")
    metrics = run_search(flow, run, progress=lambda m: None)
    run.finish()
    storage = open_storage(parse_storage(None, run.path / "study.journal"))
    study = optuna.load_study(study_name="grid", storage=storage)
    return flow, run, metrics, study


def test_grid_sampler_recovers_the_exact_pareto_front(grid_run):
    flow, run, metrics, study = grid_run
    assert metrics["complete"] and metrics["counts"]["complete"] == 12 and metrics["counts"]["failed"] == 0
    # independent ground truth: every design evaluated directly, the front by brute-force dominance
    ds = load_digits_dataset(image_size=8, test_fraction=0.3, seed=0)
    net = load_network_npz(run.path / "chosen" / "network.npz")
    base = flow.architecture()
    truth = {}
    for rows, bits, levels in itertools.product(TILE_ROWS, ADC_BITS, LEVELS):
        arch = base.replace(tiling=base.tiling.replace(tile_rows=rows),
                            converters=base.converters.replace(adc_bits=bits),
                            mapping=base.mapping.replace(levels=levels))
        evs = [evaluate(net, arch, ds.x_test, ds.y_test, seed=s) for s in range(DRAWS)]
        cost = costs_of_evaluation(evs[0])
        truth[(rows, bits, levels)] = (float(np.mean([e.accuracy for e in evs])), cost.energy_j, cost.area_mm2)
    dirs = ["maximize", "minimize", "minimize"]
    feasible = {k: v for k, v in truth.items() if v[0] >= MIN_ACCURACY}
    front = {k for k, v in feasible.items() if not any(dominates(w, v, dirs) for w in feasible.values())}
    assert 0 < len(feasible) < len(truth), "the constraint should make some designs infeasible"
    # the study's trials hold exactly these values, and its reported front is exactly this one
    trials = {(t.params["tiling.tile_rows"], t.params["converters.adc_bits"], t.params["mapping.levels"]): t
              for t in study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))}
    assert set(trials) == set(truth)
    for k, t in trials.items():
        assert t.values == pytest.approx(list(truth[k]), rel=1e-12)
        assert t.user_attrs["feasible"] == (truth[k][0] >= MIN_ACCURACY)
        assert t.constraints == {"accuracy_min": pytest.approx(MIN_ACCURACY - truth[k][0])}
    reported = {(p["used"]["tiling.tile_rows"], p["used"]["converters.adc_bits"], p["used"]["mapping.levels"])
                for p in metrics["pareto"]}
    assert reported == front
    # optuna's own constrained front agrees
    assert {k for k, t in trials.items() if t.number in {b.number for b in study.best_trials}} == front


def test_reported_pareto_set_is_non_dominated_and_complete(grid_run):
    flow, run, metrics, study = grid_run
    dirs = flow.directions
    pts = [t for t in study.get_trials(states=(optuna.trial.TrialState.COMPLETE,)) if t.user_attrs["feasible"]]
    on = {p["number"] for p in metrics["pareto"]}
    for t in pts:
        dominated = any(dominates(u.values, t.values, dirs) for u in pts)
        assert (t.number in on) == (not dominated), t.number
    rows = list((run.path / "trials.csv").read_text().splitlines())
    assert len(rows) == 1 + 12 and rows[0].startswith("number,state,feasible,pareto")


def test_chosen_design_becomes_a_flow_rtl_and_a_cost_table(grid_run):
    flow, run, metrics, study = grid_run
    ch = metrics["chosen"]
    assert ch["reason"].startswith("knee")
    assert ch["trial"] in {p["number"] for p in metrics["pareto"]}
    # the crossbar_inference flow loads and reproduces the design's accuracy at the flow's seed (draw 0)
    data = yaml.safe_load((run.path / "chosen" / "design.yaml").read_text())
    assert data["kind"] == "crossbar_inference"
    inf = build(CrossbarInferenceFlow, {k: v for k, v in data.items() if k != "kind"})
    ds = load_digits_dataset(image_size=8, test_fraction=0.3, seed=inf.seed)
    net = load_network_npz(inf.network.weights_file)
    acc = evaluate(net, inf.architecture(), ds.x_test, ds.y_test, seed=inf.seed).accuracy
    t = study.trials[ch["trial"]]
    assert acc == t.user_attrs["result"]["accuracy_draws"][0] == ch["accuracy_seed0"]
    assert inf.tiling.tile_rows == t.params["tiling.tile_rows"]
    # hdl sized to it: decoders for its tile, the argmax for 10 classes, the SAR bits; Verilog generated
    hdl = yaml.safe_load((run.path / "chosen" / "hdl.yaml").read_text())["instances"]
    blocks = {(i["block"], i.get("n"), i.get("bits")) for i in hdl}
    assert ("decoder", inf.tiling.tile_rows, None) in blocks
    assert ("sar_adc_controller", None, inf.converters.adc_bits) in blocks
    assert any(i["block"] == "argmax" and i["n"] == 10 and i["signed"] for i in hdl)
    manifest = json.loads((run.path / "chosen" / "hdl" / "manifest.json").read_text())
    assert len(manifest["modules"]) == len(hdl)
    for m in manifest["modules"]:
        text = (run.path / "chosen" / "hdl" / m["file"]).read_text()
        assert f"module {m['module']}" in text and text.rstrip().endswith("endmodule"), m["file"]
    costs = json.loads((run.path / "chosen" / "costs.json").read_text())
    assert costs["energy_per_inference_j"] == pytest.approx(t.user_attrs["result"]["metrics"]["energy_j"])
    assert (run.path / "chosen" / "costs.md").read_text().count("|") > 20


def test_multi_fidelity_reevaluation_and_reports(grid_run):
    flow, run, metrics, study = grid_run
    fid = metrics["fidelity"]
    per = {int(k): v for k, v in fid["per_trial"].items()}
    assert fid["designs"] and all(per[n]["draws"] == 4 for n in fid["designs"])
    chosen = per[metrics["chosen"]["trial"]]
    assert chosen["spice_images"] == 20 and 0 <= chosen["spice_accuracy"] <= 1
    assert chosen["code_agreement"] > 0.9  # ngspice and the solver agree on the integer codes
    for name in ("pareto_accuracy_vs_energy_j.png", "pareto_accuracy_vs_area_mm2.png", "hypervolume.png",
                 "parallel_coordinates.png", "report.md", "chosen/cost_breakdown.png"):
        assert (run.path / name).stat().st_size > 1000, name
    check_pngs(run.path, ["pareto_accuracy_vs_energy_j.png", "hypervolume.png", "parallel_coordinates.png",
                          "chosen/cost_breakdown.png"], recursive=True)
    report = (run.path / "report.md").read_text()
    for words in ("## Pareto designs", "## The chosen design", "optuna-dashboard", "Cost of the chosen design",
                  "infeasible"):
        assert words in report
    assert 0 < metrics["hypervolume"]["final"] <= 1.1 ** 3


def _tiny_study(tmp_path, sampler, name="s", **kw):
    flow = build(SearchFlow, {**GRID_FLOW, "search": {"sampler": sampler, "budget": 8, **kw}, "name": name})
    ds = load_digits_dataset(seed=0)
    from pycodesign.nn import train_slp

    net = train_slp(ds.x_train, ds.y_train, epochs=5, seed=0)
    ev = DesignEvaluator(net, ds.x_test, ds.y_test, flow.architecture(), flow.parsed_space(), seed=0, draws=1)
    st = open_storage(parse_storage(None, tmp_path / f"{name}.journal"))
    study = open_study(st, name, directions=flow.directions, sampler=make_sampler(sampler, seed=3,
                                                                                  population_size=4),
                       trial_config=flow.trial_config(), create=True)
    run_worker(study, make_objective(ev, flow.objective_metrics, flow.constraints), budget=8)
    return flow, study


@pytest.mark.parametrize("sampler", ["nsga2", "tpe", "random"])
def test_same_seed_same_sequence_of_trials(tmp_path, sampler):
    _, a = _tiny_study(tmp_path / "a", sampler)
    _, b = _tiny_study(tmp_path / "b", sampler)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert len(a.trials) == 8


def test_a_study_refuses_a_different_flow(tmp_path):
    flow, study = _tiny_study(tmp_path, "random", name="s")
    other = build(SearchFlow, {**GRID_FLOW, "search": {"sampler": "random", "budget": 8}, "name": "s",
                               "monte_carlo": {"draws": 5}})
    st = open_storage(parse_storage(None, tmp_path / "s.journal"))
    with pytest.raises(StorageError, match="different flow configuration .*monte_carlo.draws"):
        open_study(st, "s", directions=other.directions, sampler=None, trial_config=other.trial_config(),
                   create=True)
    with pytest.raises(StorageError, match="no study named 'nope'"):
        open_study(st, "nope", directions=other.directions, sampler=None, trial_config=other.trial_config(),
                   create=False)


def test_storage_urls():
    assert parse_storage(None, "/x/study.journal").kind == "journal"
    assert parse_storage("journal:/tmp/a.log", "/x").url == "/tmp/a.log"
    pg = parse_storage("postgresql://u:secret@127.0.0.1:5432/db", "/x")
    assert pg.kind == "rdb" and pg.url.startswith("postgresql") and "secret" not in pg.display
    assert parse_storage("sqlite:///x.db", "/x").kind == "rdb"
    with pytest.raises(StorageError, match="unknown scheme 'redis'"):
        parse_storage("redis://localhost", "/x")
    with pytest.raises(StorageError, match=r"cannot open storage postgresql\+psycopg://u:\*\*\*@127.0.0.1:1/db"):
        open_storage(parse_storage("postgresql://u:pw@127.0.0.1:1/db", "/x"))


def test_space_from_the_default_flow_is_checked_exhaustively():
    from pycodesign.config import read_yaml
    from pathlib import Path

    d = read_yaml(Path(__file__).resolve().parents[1] / "flows" / "search_slp_digits.yaml")
    flow = build(SearchFlow, {k: v for k, v in d.items() if k != "kind"})
    info = flow.space_info
    assert info["exhaustive"] and info["checked"] == SearchSpace.parse(flow.space).size()


def test_failed_trials_are_recorded_not_counted_and_a_broken_evaluator_stops_with_the_error():
    from pycodesign.search.workers import TooManyFailures

    space = SearchSpace.parse({"converters.adc_bits": {"low": 4, "high": 8}})

    class Flaky:
        """Fails on odd ADC bits, like an evaluation error would."""

        def __init__(self):
            self.space = space

        def realise(self, params):
            return params

        def evaluate(self, params):
            if params["converters.adc_bits"] % 2:
                raise RuntimeError(f"ngspice did not converge at {params['converters.adc_bits']} bits")
            from types import SimpleNamespace

            return SimpleNamespace(values=lambda ms: [float(params["converters.adc_bits"])],
                                   metrics={"accuracy": 0.5}, record=lambda: {"metrics": {"accuracy": 0.5}})

    study = optuna.create_study(directions=["maximize"], sampler=make_sampler("random", seed=0))
    run_worker(study, make_objective(Flaky(), ["accuracy"], []), budget=6)
    done = study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))
    failed = study.get_trials(states=(optuna.trial.TrialState.FAIL,))
    assert len(done) == 6 and failed  # failures are kept, the budget counts completed trials
    assert all(t.user_attrs["error"].startswith("RuntimeError: ngspice did not converge") for t in failed)

    class Broken(Flaky):
        def evaluate(self, params):
            raise ValueError("the evaluator is broken")

    study = optuna.create_study(directions=["maximize"], sampler=make_sampler("random", seed=0))
    with pytest.raises(TooManyFailures, match="25 trials failed in a row; the last, trial 24 .*the evaluator is "
                                              "broken"):
        run_worker(study, make_objective(Broken(), ["accuracy"], []), budget=6)
