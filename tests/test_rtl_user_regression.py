# amaranth: UnusedElaboratable=no
"""``pycodesign hdl CONFIG --out DIR --test``: the cocotb regression of a user's own
instances on Icarus and Verilator, with progress, a summary, logs and waveforms,
failures and uncovered instances reported, and the exit codes."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from pycodesign.cli import main
from pycodesign.rtl import verilog
from pycodesign.rtl.generate import (BenchOutcome, generate, regression_exit_code, regression_summary,
                                     run_regression)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "testbenches"))

import harness  # noqa: E402
from mutants import DecoderIgnoresEnable  # noqa: E402

TWO = """# a user's configuration: a small decoder and a pipelined argmax
instances:
  - block: decoder
    n: 5
  - block: argmax
    n: 5
    width: 3
    pipeline_every: 2
"""


def _vcd_scopes_and_vars(path: Path) -> tuple[set[str], set[str]]:
    text = path.read_text(errors="replace")
    assert "$enddefinitions" in text, f"{path} is not a VCD file"
    scopes = set(re.findall(r"\$scope module (\S+) \$end", text))
    names = set(re.findall(r"\$var \w+ \d+ \S+ (\w+)", text))
    return scopes, names


def test_hdl_test_runs_the_users_instances_on_both_simulators(tmp_path, capsys):
    (tmp_path / "two.yaml").write_text(TWO)
    out = tmp_path / "rtl"
    code = main(["hdl", str(tmp_path / "two.yaml"), "--out", str(out), "--test", "--waves", "vcd"])
    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    # Progress (not a terminal here: plain lines) and one line per bench.
    assert "cocotb regression: 4 runs" in captured.err and "cocotb regression: done (4/4)" in captured.err
    for module in ("decoder_n5", "argmax_n5_w3_u_p2"):
        for sim in ("icarus", "verilator"):
            assert re.search(rf"PASSED\s+{sim}\s+{module}", captured.err), (sim, module)
            assert re.search(rf"^\d\s+{module}\s+{sim}\s+passed\s+(\d+)/\1\s", captured.out, re.M), (sim, module)
    assert "4 passed, 0 failed, 0 errors, 0 not covered" in captured.out
    # Files where the summary says, waveforms that a viewer opens (the ports are in them).
    summary = json.loads((out / "sim_build" / "regression.json").read_text())
    assert [(o["module"], o["simulator"], o["status"]) for o in summary["outcomes"]] == [
        ("decoder_n5", "icarus", "passed"), ("decoder_n5", "verilator", "passed"),
        ("argmax_n5_w3_u_p2", "icarus", "passed"), ("argmax_n5_w3_u_p2", "verilator", "passed")]
    for o in summary["outcomes"]:
        assert o["tests"] >= harness.MIN_TESTS[o["block"]]
        build = Path(o["build_dir"])
        assert build == out.resolve() / "sim_build" / o["simulator"] / o["module"]
        assert {Path(p).name for p in o["logs"]} == {"build.log", "sim.log", "results.xml"}
        assert o["waves"] == str(build / f"{o['module']}.vcd")
        scopes, names = _vcd_scopes_and_vars(Path(o["waves"]))
        assert o["module"] in scopes
        assert {"valid_in", "index", "max_value", "valid_out"} <= names if o["block"] == "argmax" \
            else {"addr", "en", "onehot"} <= names
        assert f"sim_build/{o['simulator']}/{o['module']}/ (build.log, sim.log, results.xml, " \
               f"{o['module']}.vcd)" in captured.out
    # The benches simulated the files the user got, not a copy generated elsewhere.
    for module in ("decoder_n5", "argmax_n5_w3_u_p2"):
        source = f'"{(out / f"{module}.v").resolve()}"'
        assert source in (out / "sim_build" / "icarus" / module / "sim.vvp").read_text()  # vvp's file list
        assert source in (out / "sim_build" / "verilator" / module / "Vtop__verFiles.dat").read_text()


def test_hdl_test_reports_a_failing_instance_and_exits_1(tmp_path):
    """A wrong design in DIR (a decoder that ignores its enable, under the right name)
    fails its bench; the summary says which tests failed and where the log is."""
    cfg = tmp_path / "one.yaml"
    cfg.write_text("- {block: decoder, n: 5}\n")
    out = tmp_path / "rtl"
    generate(cfg, out)
    (out / "decoder_n5.v").write_text(verilog(DecoderIgnoresEnable(5), "decoder_n5"))
    outcomes = run_regression(cfg, out, sims=("icarus",))
    (o,) = outcomes
    assert o.status == "failed" and "test_every_address" in o.failed_tests, o
    assert regression_exit_code(outcomes) == 1
    text = regression_summary(outcomes)
    assert re.search(r"decoder_n5\s+icarus\s+failed", text)
    assert "failed tests: " in text and "test_every_address" in text
    assert "sim_build/icarus/decoder_n5/sim.log" in text
    assert "0 passed, 1 failed" in text


def test_hdl_test_reports_a_broken_build_as_an_error(tmp_path):
    cfg = tmp_path / "one.yaml"
    cfg.write_text("- {block: decoder, n: 5}\n")
    out = tmp_path / "rtl"
    generate(cfg, out)
    (out / "decoder_n5.v").write_text("module decoder_n5(input wire en);\n  this is not verilog\nendmodule\n")
    outcomes = run_regression(cfg, out, sims=("icarus",))
    (o,) = outcomes
    assert o.status == "error" and "icarus build of decoder_n5 failed" in o.detail, o
    assert regression_exit_code(outcomes) == 1
    text = regression_summary(outcomes)
    assert "error: icarus decoder_n5: icarus build of decoder_n5 failed" in text
    assert "sim_build/icarus/decoder_n5/build.log" in text and "0 passed, 0 failed, 1 errors" in text
    assert "syntax error" in (out / "sim_build" / "icarus" / "decoder_n5" / "build.log").read_text()


def test_hdl_test_reports_instances_the_benches_cannot_cover(tmp_path, capsys):
    cfg = tmp_path / "mixed.yaml"
    cfg.write_text("- {block: decoder, n: 3}\n- {block: address_sequencer, rows: 30, cols: 40}\n")
    code = main(["hdl", str(cfg), "--out", str(tmp_path / "rtl"), "--test", "--sim", "icarus",
                 "--max-cycles", "1000"])
    captured = capsys.readouterr()
    assert code == 4, captured.out + captured.err
    line = next(ln for ln in captured.out.splitlines() if re.match(r"1\s+address_sequencer_r30_c40 ", ln))
    cycles = harness.estimated_cycles("address_sequencer", {"rows": 30, "cols": 40})
    assert "not covered" in line and f"{cycles:,} clock cycles" in line and "limit of 1,000" in line
    assert "--max-cycles" in line
    assert re.search(r"decoder_n3\s+icarus\s+passed", captured.out)
    assert "NOT COVERED" in captured.err  # said before the benches run
    assert "1 passed, 0 failed, 0 errors, 1 not covered" in captured.out


def test_coverage_reasons(monkeypatch):
    assert harness.coverage("decoder", {"n": 64}) is None
    assert harness.coverage("write_verify_controller", dict(rows=64, cols=5, partitions=4, max_pulses=20,
                                                             read_cycles=2, write_cycles=4)) is None
    big = harness.coverage("write_verify_controller", dict(rows=256, cols=256, partitions=4, max_pulses=20,
                                                            read_cycles=2, write_cycles=4))
    assert big and "clock cycles" in big
    assert harness.coverage("window_comparator", {"bits": 8}) is None
    # a block registered for generation but without a bench is reported, never silently skipped
    monkeypatch.delitem(harness.BENCHES, "window_comparator")
    nobench = harness.coverage("window_comparator", {"bits": 8})
    assert "no cocotb bench for block 'window_comparator'" in nobench and "BENCHES" in nobench


def test_exit_codes_and_summary_of_mixed_outcomes():
    def oc(status, **kw):
        return BenchOutcome(0, "decoder", "decoder_n3", "icarus", status, **kw)

    assert regression_exit_code([oc("passed", tests=3, failed_tests=[])]) == 0
    assert regression_exit_code([oc("passed"), oc("not covered", detail="x")]) == 4
    assert regression_exit_code([oc("passed"), oc("error", detail="build broke")]) == 1
    assert "0 passed, 0 failed, 1 errors" in regression_summary([oc("error", detail="build broke")])


@pytest.mark.parametrize("argv,env,fragment", [
    (["--waves", "vcd"], None, "apply to --test only"),
    (["--test", "--max-cycles", "0"], None, "must be a positive integer"),
    (["--test"], "sometimes", "WAVES='sometimes' is not understood"),
])
def test_bad_test_options_exit_2(tmp_path, capsys, monkeypatch, argv, env, fragment):
    cfg = tmp_path / "one.yaml"
    cfg.write_text("- {block: decoder, n: 2}\n")
    if env is not None:
        monkeypatch.setenv("WAVES", env)
    assert main(["hdl", str(cfg), "--out", str(tmp_path / "o"), *argv]) == 2
    assert fragment in capsys.readouterr().err


def test_missing_simulator_exits_3_with_the_fix(tmp_path, capsys, monkeypatch):
    from pycodesign import toolchain

    cfg = tmp_path / "one.yaml"
    cfg.write_text("- {block: decoder, n: 2}\n")
    monkeypatch.setitem(toolchain._cache, "verilator",
                        toolchain.ToolStatus("verilator", False, detail="verilator not found"))
    assert main(["hdl", str(cfg), "--out", str(tmp_path / "o"), "--test"]) == 3
    err = capsys.readouterr().err
    assert "verilator: verilator not found -> fix:" in err
    assert not (tmp_path / "o" / "sim_build").exists(), "nothing may be simulated without every simulator"
