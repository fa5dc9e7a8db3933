"""The notebook API (run_flow / load_run) and --set overrides: the same runs as the CLI."""
from __future__ import annotations

import json
from pathlib import Path

import matplotlib.figure
import pytest

import pycodesign
from pycodesign.cli import main
from pycodesign.config import ConfigError

ROOT = Path(__file__).resolve().parents[1]
FLOW = str(ROOT / "flows" / "sweep_base_slp.yaml")  # solver only: seconds


def test_run_flow_returns_figures_and_writes_the_folder_the_cli_writes(tmp_path):
    r = pycodesign.run_flow(FLOW, out=tmp_path, name="api", converters={"adc_bits": 6}, seed=2,
                            studies={"adc_bits": [4, 6]}, progress=lambda msg: None)
    assert r.status == "complete" and r.path == tmp_path / "api"
    assert r.config.converters.adc_bits == 6 and r.config.seed == 2
    assert r.metrics["solver"]["accuracy"] > 0.8
    assert isinstance(r.figures["accuracy_vs_adc_bits.png"], matplotlib.figure.Figure)
    assert {p.name for p in r.plots} == set(r.figures)
    # the CLI with the same overrides writes the same files and the same numbers
    assert main(["run", FLOW, "--out", str(tmp_path), "--name", "cli", "-q", "--set", "converters.adc_bits=6",
                 "--set", "seed=2", "--set", "studies.adc_bits=[4, 6]"]) == 0
    cli = tmp_path / "cli"
    assert sorted(p.name for p in cli.iterdir() if p.is_file()) == sorted(p.name for p in r.path.iterdir()
                                                                         if p.is_file())
    m = json.loads((cli / "metrics.json").read_text())
    assert m["solver"]["accuracy"] == r.metrics["solver"]["accuracy"]
    assert (cli / "report.html").is_file() and (r.path / "report.html").is_file()
    back = pycodesign.load_run(cli)
    assert back.status == "complete" and back.config.converters.adc_bits == 6 and back.metrics == m
    assert back.figures == {} and back.report.startswith("# Crossbar inference")


def test_set_errors_name_the_key_before_anything_runs(tmp_path, capsys):
    assert main(["run", FLOW, "--out", str(tmp_path), "--set", "converters.adc_bits=1"]) == 2
    assert "converters.adc_bits: 1 is out of range; allowed: >= 2" in capsys.readouterr().err
    assert main(["run", FLOW, "--out", str(tmp_path), "--set", "tiling.tile_rowz=4"]) == 2
    assert "tiling.tile_rowz: unknown key; allowed here: tile_rows" in capsys.readouterr().err
    assert main(["run", FLOW, "--out", str(tmp_path), "--set", "nonsense"]) == 2
    assert "'nonsense' is not KEY=VALUE" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # nothing started
    with pytest.raises(ConfigError, match=r"array.v_read_v: -0.2 is out of range"):
        pycodesign.run_flow(FLOW, out=tmp_path, array={"v_read_v": -0.2})


def test_runs_lists_headline_metrics_and_compares_two_runs(tmp_path, capsys):
    for name, bits in (("a", "6"), ("b", "8")):
        assert main(["run", FLOW, "--out", str(tmp_path), "--name", name, "-q", "--set", f"converters.adc_bits={bits}",
                     "--set", "studies.adc_bits=[]"]) == 0
    capsys.readouterr()
    assert main(["runs", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "solver" in out.splitlines()[0] and "energy/inf" in out.splitlines()[0]
    a = json.loads((tmp_path / "a" / "metrics.json").read_text())["solver"]["accuracy"]
    assert f"{a:.4f}" in out
    assert main(["runs", "--compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "settings that differ" in out and "converters.adc_bits" in out
    row = next(line for line in out.splitlines() if line.startswith("solver.accuracy "))
    assert f"{a:.6g}" in row


def test_runs_result_column_of_the_other_kinds():
    """Kinds whose figures are not accuracies and costs get a one-line result from their own metrics."""
    from pycodesign.cli import _kind_headline

    program = {"cosim": {"in_window_readback": 63, "cells": 64, "fail_count_rtl": 0},
               "accuracy": {"programmed_with_cosim_block": 0.9239}}
    assert _kind_headline("program", program) == "63/64 in window, fail_count 0, accuracy programmed 0.9239"
    cosim = {"comparison": {"codes_equal": 400, "codes": 400, "classes_equal": 20}, "images": 20,
             "images_per_s": 1.94}
    assert _kind_headline("cosim_inference", cosim) == "codes 400/400, classes 20/20 equal to evaluate, 1.94 images/s"
    repro = {"claims": [{"verdict": "reproduced"}, {"verdict": "differs"}, {"verdict": "reproduced"}]}
    assert _kind_headline("reproductions", repro) == "2 reproduced, 1 differs"
    assert _kind_headline("program", {"cosim": {}}).startswith("?/? in window")  # missing figures say so
    assert _kind_headline("characterize", {"complete": True}) == "-"


def test_costs_command_and_describe_listings(capsys):
    assert main(["costs", FLOW, "--set", "technology.node_nm=22"]) == 0
    out = capsys.readouterr().out
    assert "mean input" in out and "worst case" in out and "at 22 nm" in out and "| adc |" in out
    assert main(["costs", FLOW, "--set", "converters.adc_bits=null"]) == 2
    assert "converters.adc_bits: the cost model needs a finite ADC resolution" in capsys.readouterr().err
    assert main(["describe"]) == 0
    out = capsys.readouterr().out
    assert "crossbar_inference:" in out and "sweep:" in out
    assert main(["describe", "hdl"]) == 0
    assert "block: argmax" in capsys.readouterr().out
