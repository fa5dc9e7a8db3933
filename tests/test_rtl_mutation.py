"""Mutation check: the cocotb benches must fail on deliberately wrong designs.

Each mutant (testbenches/mutants.py) is a shipping block with one realistic
bug -- ties to the highest index, a write-verify loop that skips the verify
read, a ReLU without its upper limit, a decoder ignoring its enable.  The
block's unchanged bench runs on it (Icarus only, for speed) and must report
failures, including in the tests aimed at that bug; the same bench on the
correct block, built alongside, passes.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "testbenches"))

import harness  # noqa: E402
from mutants import MUTANTS  # noqa: E402



@pytest.fixture(autouse=True)
def _icarus_installed():
    assert shutil.which("iverilog") and shutil.which("vvp"), \
        "Icarus Verilog is not installed: apt-get install iverilog (or run scripts/setup.sh)"


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_bench_detects_mutant(name):
    block, params, mutant_cls, must_fail = MUTANTS[name]
    mutant = mutant_cls(**params)
    res = harness.run_bench("icarus", block, params, component=mutant, variant="mutant")
    assert res.tests > 0, "the bench did not run: " + res.summary()
    assert res.failed > 0, f"the bench passed the wrong design {name}: " + res.summary()
    assert res.cocotb_counts is not None and res.cocotb_counts[1] == res.failed
    missing = [t for t in must_fail if t not in res.failed_names]
    assert not missing, f"{name}: tests {missing} should have failed; failed: {res.failed_names}"
    assert res.exit_code not in (None, 0), "the runner should report the failure too"


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_same_bench_passes_the_correct_design(name):
    block, params, _, _ = MUTANTS[name]
    res = harness.run_bench("icarus", block, params, variant="control")
    assert res.ok, res.summary()
