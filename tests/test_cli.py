"""Command line: doctor, run (results folders, refusals before running), describe, models."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pycodesign import toolchain
from pycodesign.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_doctor_is_all_green_here(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    for tool in ("ngspice", "libngspice", "openvaf", "verilator", "iverilog", "cxx"):
        assert any(line.startswith(tool) and line.rstrip().endswith("ok") for line in out.splitlines()), out
    assert "all green" in out


def test_doctor_reports_a_missing_tool_with_a_fix(monkeypatch, capsys):
    monkeypatch.setenv("PYCODESIGN_NGSPICE", "/nonexistent/ngspice")
    monkeypatch.setattr(toolchain, "ngspice_path", lambda: None)
    toolchain._cache.clear()
    try:
        assert main(["doctor"]) == 1
        out = capsys.readouterr().out
        assert "ngspice     " in out and "FAIL: ngspice not on PATH" in out
        assert "fix ngspice: run `bash scripts/setup.sh`" in out
        with pytest.raises(toolchain.ToolError, match="ngspice: ngspice not on PATH -> fix"):
            toolchain.require("ngspice")
    finally:
        toolchain._cache.clear()


def test_run_refuses_a_bad_flow_before_running(tmp_path, capsys):
    flow = tmp_path / "bad.yaml"
    flow.write_text(yaml.safe_dump({"kind": "characterize", "device": {"model": "hp"},
                                    "pulses": {"width_s": -1.0}}))
    assert main(["run", str(flow), "--out", str(tmp_path / "res")]) == 2
    err = capsys.readouterr().err
    assert f"{flow}: pulses.width_s: -1.0 is out of range; allowed: > 0 s" in err
    assert not (tmp_path / "res").exists()


def test_run_writes_a_new_results_folder_each_time(tmp_path):
    flow = tmp_path / "quick.yaml"
    flow.write_text(yaml.safe_dump({
        "kind": "characterize", "name": "quick", "seed": 7, "device": {"model": "hp"},
        "sweeps": {"shapes": ["sine"], "points_per_period": 100},
        "pulses": {"n_pulses": 5}, "read_disturb": {"n_reads": 5},
        "outputs": {"run_name": "fixed", "plots": True}}))
    out = tmp_path / "res"
    assert main(["run", str(flow), "--out", str(out), "-q"]) == 0
    assert main(["run", str(flow), "--out", str(out), "-q"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["fixed", "fixed-2"]
    run = out / "fixed"
    meta = json.loads((run / "metadata.json").read_text())
    assert meta["status"] == "complete" and meta["seed"] == 7
    assert meta["tool_versions"]["ngspice"].startswith("ngspice-")
    again = yaml.safe_load((run / "config.yaml").read_text())
    assert again["kind"] == "characterize" and again["device"]["model"] == "hp"
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["complete"] and len(metrics["loops"]) == 3
    for png in ("iv_sine.png", "pulses.png", "read_disturb.png"):
        assert (run / png).stat().st_size > 5000
    assert "Pinched hysteresis" in (run / "report.md").read_text()
    # --overwrite reuses the folder
    assert main(["run", str(flow), "--out", str(out), "-q", "--overwrite"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["fixed", "fixed-2"]


def test_run_with_a_relative_results_folder(tmp_path, monkeypatch):
    # the default outputs.dir is the relative "results": ngspice runs in another folder
    monkeypatch.chdir(tmp_path)
    flow = tmp_path / "rel.yaml"
    flow.write_text(yaml.safe_dump({"kind": "characterize", "device": {"model": "hp"},
                                    "sweeps": {"shapes": ["sine"], "points_per_period": 100},
                                    "pulses": {"n_pulses": 3}, "read_disturb": {"n_reads": 3},
                                    "outputs": {"run_name": "rel"}}))
    assert main(["run", "rel.yaml", "-q"]) == 0
    assert json.loads((tmp_path / "results" / "rel" / "metadata.json").read_text())["status"] == "complete"
    assert list((tmp_path / "results" / "rel" / "waveforms").rglob("*.raw"))


def test_failed_run_says_so_and_keeps_what_it_computed(tmp_path, monkeypatch, capsys):
    from pycodesign.flows import characterize as flow_mod

    real = flow_mod.ch.pulse_train

    def broken(*a, **k):
        raise RuntimeError("simulated failure in the pulse step")

    monkeypatch.setattr(flow_mod.ch, "pulse_train", broken)
    flow = tmp_path / "f.yaml"
    flow.write_text(yaml.safe_dump({"kind": "characterize", "device": {"model": "hp"},
                                    "sweeps": {"shapes": ["sine"], "points_per_period": 100},
                                    "outputs": {"run_name": "r"}}))
    assert main(["run", str(flow), "--out", str(tmp_path), "-q"]) == 1
    assert "simulated failure" in capsys.readouterr().err
    meta = json.loads((tmp_path / "r" / "metadata.json").read_text())
    assert meta["status"] == "failed" and "simulated failure" in meta["error"]
    partial = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert partial["complete"] is False and len(partial["loops"]) == 3
    del real


def test_console_script_and_describe():
    exe = Path(sys.executable).parent / "pycodesign"
    out = subprocess.run([str(exe), "describe", "characterize"], capture_output=True, text=True, check=True).stdout
    assert "frequencies_hz [Hz]" in out and "allowed: > 0" in out
    out = subprocess.run([str(exe), "models"], capture_output=True, text=True, check=True).stdout
    assert "vteam" in out and "qmm" in out
