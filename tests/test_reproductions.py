"""Reproductions (issue 13): the flow and report on a tiny budget, the worked example, the refusals."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from pycodesign.config import ConfigError
from pycodesign.flows import flow_from_dict
from pycodesign.flows.reproductions import run_reproductions
from pycodesign.reports.reproductions import reproductions_report
from pycodesign.reproduce import VERDICTS, Claim, budget_preset
from pycodesign.reproduce import adc_resolution, levels_variability, mapping_example, tiles_adc
from pycodesign.results import new_run_dir

from png_checks import check_pngs

# The review's Eq. 8 as printed (Aguirre et al. 2024), transcribed here independently of the kit's module.
EQ8_W_POS = [[1, 5, 0, 5], [2, 0, 0, 0], [5, 0, 0, 1], [0, 3, 0, 0]]
EQ8_W_NEG = [[0, 0, 4, 0], [0, 3, 1, 0], [0, 5, 0, 0], [1, 0, 2, 5]]
# Eq. 9's printed G- in units of G_LRS/5 (0 = G_HRS)
EQ9_G_NEG = [[0, 5, 4, 5], [0, 3, 1, 0], [0, 5, 0, 0], [5, 0, 2, 5]]

TINY_BUDGET = {"preset": "default", "seeds": 2, "spice_images": 2, "solver_images": 30, "epochs": 3,
               "adc_bits": [4, 8], "tile_sizes": [16, 256], "stuck_rates": [0.0, 0.05], "levels": [2, 32],
               "sigmas": [0.0, 0.2], "partitions": [1, 2], "r_wire_ohm": [3.0], "metrics_images": 4,
               "iv_points_per_period": 100, "n_pulses": 3}


def _flow(tmp_path, **over):
    data = {"kind": "reproductions", "name": "tiny", "budget": dict(TINY_BUDGET),
            "outputs": {"dir": str(tmp_path / "results"), "plots": True}}
    data.update(over)
    return flow_from_dict(data)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("repro")
    flow = _flow(tmp)
    run = new_run_dir(flow)
    metrics = run_reproductions(flow, run, progress=lambda msg: None)
    return run, metrics


def test_tiny_budget_report_has_every_section_claim_and_plot(tiny_run):
    run, metrics = tiny_run
    assert metrics["complete"], [s for s in metrics["steps"] if s["status"] != "ok"]
    text = (run.path / "reproductions.md").read_text()
    assert (run.path / "report.md").read_text() == text
    for k in range(1, 10):
        assert re.search(rf"^## {k}\. ", text, re.M), f"section {k} missing"
        claims = metrics["items"][str(k)]["claims"]
        assert claims, f"item {k} has no claim"
        for c in claims:
            assert c["verdict"] in VERDICTS and c["reason"] and c["paper_value"] and c["kit_value"]
            assert c["command"] == f"pycodesign reproduce --items {k} [+ budget overrides: config.yaml]"
            # every claim is a row of the summary table
            assert f"| {k} | {c['claim']} |" in text
    # the summary table's columns
    assert "| # | claim | source | paper | kit | verdict | command |" in text
    for k, name in metrics["plots"].items():
        assert (run.path / name).stat().st_size > 1000
        assert f"![item {k}]({name})" in text
    assert sorted(map(int, metrics["plots"])) == [3, 4, 5, 6, 7, 8]
    check_pngs(run.path, list(metrics["plots"].values()))
    saved = json.loads((run.path / "metrics.json").read_text())
    assert saved["budget"]["seeds"] == 2 and saved["selected_items"] == list(range(1, 10))


def test_tiny_budget_grids_have_the_requested_shape(tiny_run):
    _, m = tiny_run
    it5 = m["items"]["5"]
    for res in it5["networks"].values():
        assert np.asarray(res["accuracy"]).shape == (2, 2, 2)  # HRS x LRS x seeds
    it6 = m["items"]["6"]
    for res in it6["networks"].values():
        assert np.asarray(res["mean"]).shape == (2, 2)
        assert res["runs"]["32,0"] and len(res["runs"]["32,0.2"]) == 2  # sigma 0 runs once, else per seed
    it7 = m["items"]["7"]
    assert len(it7["grid"]) == 2 * 2 * 1
    assert all(0 < g["read_margin_worst"] <= 1 for g in it7["grid"])
    it1 = m["items"]["1"]
    assert [r["n_spice"] for r in it1["runs"]] == [2, 2] and [r["n_solver"] for r in it1["runs"]] == [30, 30]
    it8 = m["items"]["8"]
    for res in it8["pairings"].values():
        assert len(res["pulses_g_s"]) == 2 * 3 + 1


def test_worked_example_section_equals_the_papers_eq8_exactly():
    item = mapping_example.run()
    assert item["kit"]["w_pos_q"] == EQ8_W_POS
    assert item["kit"]["w_neg_q"] == EQ8_W_NEG
    text = reproductions_report({"items": {"2": item}, "selected_items": [2]})
    section = text.split("## 2. ")[1]
    for i in range(4):
        pos = " ".join(map(str, EQ8_W_POS[i]))
        neg = " ".join(map(str, EQ8_W_NEG[i]))
        # kit column and Eq. 8 column, row by row
        assert f"| {i + 1} | {pos} | {pos} | {neg} | {neg} |" in section
    # the three printed G- entries that contradict Eq. 8 are marked, and only those
    marked = re.findall(r"✗ ([0-9]?G_[A-Z]+(?:/5)?) \(Eq\. 8: ([0-9]?G_[A-Z]+(?:/5)?)\)", section)
    assert marked == [("G_LRS", "G_HRS"), ("G_LRS", "G_HRS"), ("G_LRS", "G_LRS/5")]
    assert item["eq9_contradicts_eq8"] == [[1, 2], [1, 4], [4, 1]]
    assert np.argwhere(np.array(EQ9_G_NEG) != np.array(EQ8_W_NEG)).tolist() == [[0, 1], [0, 3], [3, 0]]
    # Eq. 5 as printed maps w = 0 to mid-window, the kit to G_HRS
    e5 = item["eq5"]
    assert e5["g_at_zero_s"] == pytest.approx((1e-5 + 1e-3) / 2)
    assert np.asarray(item["kit"]["g_pos_s"])[np.asarray(mapping_example.W_EQ6) < 0].tolist() == [1e-5] * 7


def test_reachable_levels_enumeration_matches_hand_counts():
    # 3 rows, 2-bit inputs and weights: sums 0..27 except 23, 25, 26 (products 0,1,2,3,4,6,9)
    assert adc_resolution.reachable_levels(3, 2, 2) == 25
    # binary inputs and weights: every count 0..N
    assert adc_resolution.reachable_levels(256, 1, 1) == 257
    rows = {(r["n_rows"], r["input_bits"], r["weight_bits"]): r for r in adc_resolution.formula_rows()}
    assert (rows[(256, 1, 1)]["review_bits"], rows[(256, 1, 1)]["exact_bits"]) == (8, 9)
    assert (rows[(256, 1, 5)]["review_bits"], rows[(256, 1, 5)]["exact_bits"]) == (13, 13)


def test_knee_and_level_helpers():
    bits = [2, 4, 6, 8, 10]
    assert tiles_adc.knee_bits(bits, [0.1, 0.8, 0.955, 0.958, 0.96]) == 6
    assert tiles_adc.knee_bits(bits, [0.1, 0.8, 0.90, 0.94, 0.96]) == 10
    assert levels_variability.min_levels([2, 4, 8, 32], [0.4, 0.95, 0.955, 0.96]) == 4
    assert levels_variability.min_levels([2, 4, 8, 32], [0.96, 0.5, 0.955, 0.96]) == 8


def test_claim_refuses_an_unknown_verdict_or_a_missing_reason():
    with pytest.raises(ValueError, match="verdict 'ok' is not one of reproduced, trend reproduced, differs"):
        Claim(1, "c", "s", "p", "k", "ok", "why", "cmd")
    with pytest.raises(ValueError, match="needs its reason"):
        Claim(1, "c", "s", "p", "k", "differs", " ", "cmd")


def test_budget_presets_and_overrides():
    d, f = budget_preset("default"), budget_preset("full")
    assert d.seeds >= 5 and f.seeds >= d.seeds and f.spice_images is None
    assert d.stuck_rates == (0.0, 0.01, 0.05, 0.10) and d.levels == (2, 3, 4, 8, 32)
    assert d.tile_sizes[-3:] == (64, 128, 256) and d.adc_bits == tuple(range(2, 11))
    b = d.with_overrides(seeds=7, sigmas=[0.0, 0.5])
    assert (b.seeds, b.sigmas, b.name) == (7, (0.0, 0.5), "default (custom)")
    with pytest.raises(ValueError, match="unknown budget preset 'huge'; allowed: default, full"):
        budget_preset("huge")


@pytest.mark.parametrize("over, key, message", [
    ({"budget": {"tile_sizes": [16, 33]}}, "budget.tile_sizes", "33 is odd"),
    ({"budget": {"stuck_rates": [0.01, 0.05]}}, "budget.stuck_rates", "has no 0"),
    ({"budget": {"levels": [8, 4]}}, "budget.levels", "strictly increasing"),
    ({"budget": {"partitions": [1, 128]}}, "budget.partitions", "128 partitions for the 65 wordlines"),
    ({"budget": {"preset": "huge"}}, "budget.preset", "'huge' is not allowed; allowed: 'default', 'full'"),
    ({"items": [1, 1]}, "items", "lists an item twice"),
    ({"items": [0]}, "items[0]", "out of range"),
    ({"tabular": {"source": "csv"}}, "tabular.csv_path", "required for source 'csv'"),
    ({"images": {"source": "mnist_idx", "mnist_images": "/no/such.idx", "mnist_labels": "/no/such.idx"}},
     "images.mnist_images", "does not exist"),
])
def test_bad_flow_keys_are_refused_with_the_key(over, key, message):
    data = {"kind": "reproductions", **over}
    with pytest.raises(ConfigError) as err:
        flow_from_dict(data, file="f.yaml")
    assert err.value.key == key and message in err.value.message


def _csv(tmp_path, text):
    p = tmp_path / "table.csv"
    p.write_text(text)
    return str(p)


@pytest.mark.parametrize("text, label, match", [
    ("a,b,label\n1,2,0\n3,x,1\n4,5,0\n6,7,1\n", "label", r"table\.csv: line 3, column 'b': 'x' is not a number"),
    ("a,b,label\n1,2,0\n3,4,1\n", "Outcome", r"table\.csv: label column 'Outcome' not found"),
])
def test_flow_csv_table_is_refused_before_any_item_runs(tmp_path, text, label, match):
    flow = _flow(tmp_path, tabular={"source": "csv", "csv_path": _csv(tmp_path, text), "label_column": label})
    run = new_run_dir(flow)
    with pytest.raises(ValueError, match=match):
        run_reproductions(flow, run, progress=lambda msg: None)
    saved = json.loads((run.path / "metrics.json").read_text())
    assert saved["items"] == {} and not saved["complete"]


def test_flow_runs_on_the_users_csv_table(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 4))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int)
    lines = ["f1,f2,f3,f4,Outcome"] + [",".join(f"{v:.4f}" for v in row) + f",{c}" for row, c in zip(x, y)]
    flow = _flow(tmp_path, items=[3], tabular={"source": "csv", "csv_path": _csv(tmp_path, "\n".join(lines) + "\n"),
                                               "label_column": "Outcome"})
    metrics = run_reproductions(flow, new_run_dir(flow), progress=lambda msg: None)
    tab = metrics["items"]["3"]["tabular"]
    assert tab["layer_sizes"] == [4, 16, 2] and tab["data"]["n_features"] == 4
    assert "the user's table" in metrics["items"]["3"]["claims"][-1]["claim"]
    assert "--csv" in metrics["items"]["3"]["claims"][-1]["command"]


def test_cli_reproduce_writes_the_report(tmp_path, capsys):
    from pycodesign.cli import main

    assert main(["reproduce", "--items", "2", "9", "--out", str(tmp_path), "--name", "r", "-q"]) == 0
    text = (tmp_path / "r" / "reproductions.md").read_text()
    assert "## 2. " in text and "## 9. " in text and "## 1. " not in text
    assert "`pycodesign reproduce --items 2`" in text
    assert main(["reproduce", "--items", "12"]) == 2
    assert "items[0]: 12 is out of range" in capsys.readouterr().err


def _write_idx(path, arr: np.ndarray):
    arr = np.ascontiguousarray(arr, dtype=">u1")
    header = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in arr.shape)
    path.write_bytes(header + arr.tobytes())


def test_flow_runs_item1_on_the_users_idx_files(tmp_path):
    from sklearn.datasets import load_digits

    d = load_digits()
    _write_idx(tmp_path / "img.idx", np.rint(d.images * 255 / 16))
    _write_idx(tmp_path / "lab.idx", d.target)
    flow = _flow(tmp_path, items=[1], images={"source": "mnist_idx", "mnist_images": str(tmp_path / "img.idx"),
                                              "mnist_labels": str(tmp_path / "lab.idx"), "image_size": 8})
    metrics = run_reproductions(flow, new_run_dir(flow), progress=lambda msg: None)
    it = metrics["items"]["1"]
    assert it["data_note"] is None and it["data"]["source"].startswith("IDX img.idx")
    assert all("MNIST (user's IDX files)" in c["claim"] for c in it["claims"])
    assert f"--mnist-images {tmp_path / 'img.idx'}" in it["claims"][0]["command"]


def test_a_failing_item_is_recorded_and_the_others_are_reported(tmp_path, monkeypatch):
    from pycodesign.reproduce import ITEMS

    def boom(ctx):
        raise RuntimeError("item 2 broke on purpose")

    monkeypatch.setitem(ITEMS, 2, boom)
    flow = _flow(tmp_path, items=[2, 9])
    run = new_run_dir(flow)
    metrics = run_reproductions(flow, run, progress=lambda msg: None)
    assert not metrics["complete"] and list(metrics["items"]) == ["9"]
    text = (run.path / "reproductions.md").read_text()
    assert "## 2. " in text and "**Not computed**: RuntimeError: item 2 broke on purpose" in text
    assert "## 9. " in text and "| 9 | Stanford-PKU" in text
    assert run.finish() == "completed with failures"
    assert (run.path / "checkpoints" / "item9.json").is_file()
