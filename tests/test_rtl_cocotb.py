"""The cocotb regression of the RTL blocks, on Icarus Verilog and on Verilator.

Every (simulator, block, parameter set) builds its own DUT in
``testbenches/sim_build/<sim>/<module>/`` and runs all the cocotb tests of
the block's bench in that one build.  Select a simulator with
``-k icarus`` / ``-k verilator``.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "testbenches"))

import harness  # noqa: E402

#: At least three parameter sets per block: n = 1, non-powers of two,
#: signed/unsigned, pipelined/combinational, and most instances of
#: hdl/config.yaml (decoder_n64, address_sequencer_r64_c20, argmax_n10_w8_u_p0,
#: argmax_n10_w9_s_p2, relu_wi9_wo8_l10_s0_lim255, sar_adc_b8_s1).
PARAM_SETS: dict[str, list[dict]] = {
    "decoder": [
        {"n": 1},
        {"n": 5},
        {"n": 64},
    ],
    "address_sequencer": [
        {"rows": 1, "cols": 1},
        {"rows": 3, "cols": 5},
        {"rows": 4, "cols": 1},
        {"rows": 64, "cols": 20},
    ],
    "write_verify_controller": [
        {"rows": 1, "cols": 1, "partitions": 1, "max_pulses": 1, "read_cycles": 1, "write_cycles": 1},
        {"rows": 2, "cols": 3, "partitions": 3, "max_pulses": 4, "read_cycles": 2, "write_cycles": 3},
        {"rows": 3, "cols": 2, "partitions": 5, "max_pulses": 6, "read_cycles": 3, "write_cycles": 1},
        {"rows": 2, "cols": 2, "partitions": 2, "max_pulses": 0, "read_cycles": 1, "write_cycles": 2},
    ],
    "argmax": [
        {"n": 1, "width": 4, "signed": False, "pipeline_every": 0},
        {"n": 10, "width": 8, "signed": False, "pipeline_every": 0},
        {"n": 7, "width": 6, "signed": True, "pipeline_every": 1},
        {"n": 16, "width": 8, "signed": True, "pipeline_every": 2},
        {"n": 10, "width": 9, "signed": True, "pipeline_every": 2},
        {"n": 5, "width": 3, "signed": False, "pipeline_every": 2},
    ],
    "relu": [
        {"width_in": 9, "width_out": 8, "lanes": 10},
        {"width_in": 12, "width_out": 4, "lanes": 3, "shift": 2, "limit": 10},
        {"width_in": 4, "width_out": 6, "lanes": 2},
        {"width_in": 16, "width_out": 8, "lanes": 2, "shift": 8, "limit": 200},
    ],
    "sar_adc_controller": [
        {"bits": 1},
        {"bits": 8},
        {"bits": 5, "settle_cycles": 3},
    ],
    "window_comparator": [
        {"bits": 1},
        {"bits": 4},
        {"bits": 8},
    ],
    # Windows from a fixed formula (the cocotb bench reads them back from the parameters).
    "program_top": [
        {"rows": 1, "cols": 1, "partitions": 1, "bits": 4, "windows": [[[5, 7]]], "max_pulses": 3,
         "read_cycles": 1, "write_cycles": 1},
        {"rows": 2, "cols": 2, "partitions": 2, "bits": 6,
         "windows": [[[10 + 3 * c + r, 12 + 3 * c + r] for c in range(4)] for r in range(2)],
         "max_pulses": 5, "read_cycles": 2, "write_cycles": 2},
        {"rows": 3, "cols": 1, "partitions": 3, "bits": 8,
         "windows": [[[40 + 9 * c + 5 * r, 40 + 9 * c + 5 * r + (c % 2)] for c in range(3)] for r in range(3)],
         "max_pulses": 4, "read_cycles": 2, "write_cycles": 1},
    ],
}

MIN_TESTS = harness.MIN_TESTS


def _cases():
    for sim in harness.SIMULATORS:
        for block, sets in PARAM_SETS.items():
            for params in sets:
                pid = "-".join(f"{k}{int(v) if isinstance(v, bool) else v}" for k, v in params.items()
                               if k != "windows")
                yield pytest.param(sim, block, params, id=f"{sim}-{block}-{pid}")


@pytest.mark.parametrize("sim,block,params", list(_cases()))
def test_cocotb_regression(sim, block, params):
    tool = "iverilog" if sim == "icarus" else "verilator"
    if sim == "icarus":
        assert shutil.which("iverilog") and shutil.which("vvp"), \
            "Icarus Verilog is not installed: apt-get install iverilog (or run scripts/setup.sh)"
    else:
        from pycodesign import toolchain

        status = toolchain.check(tool)
        assert status.ok, f"{tool}: {status.detail} -> fix: {toolchain.FIXES[tool]}"
    res = harness.run_bench(sim, block, params)
    assert res.tests >= MIN_TESTS[block], res.summary()
    assert res.failed == 0 and res.skipped == 0, res.summary()
    assert res.ok, res.summary()


def test_every_block_has_three_parameter_sets():
    from pycodesign.rtl.generate import BLOCKS

    assert set(PARAM_SETS) == set(BLOCKS) == set(harness.BENCHES) == set(harness.MIN_TESTS)
    for block, sets in PARAM_SETS.items():
        assert len(sets) >= 3, block
