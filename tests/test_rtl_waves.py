"""Waveforms of the cocotb regression: ``WAVES=vcd|1|fst|0`` (and ``--waves``) on either simulator."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "testbenches"))

import harness  # noqa: E402


@pytest.mark.parametrize("value,expected", [
    ("", None), ("0", None), ("off", None), ("none", None),
    ("1", "vcd"), ("yes", "vcd"), ("vcd", "vcd"), ("VCD", "vcd"), ("fst", "fst"), (" Fst ", "fst"),
])
def test_waves_values(value, expected):
    assert harness.waves_setting(value) == expected


def test_unknown_waves_value_names_the_variable_and_the_choices(monkeypatch):
    monkeypatch.setenv("WAVES", "lxt2")
    with pytest.raises(ValueError, match=r"WAVES='lxt2' is not understood; allowed: 0 .* vcd .* fst"):
        harness.waves_setting()


def test_icarus_waves_from_the_environment_and_rebuilds_when_the_setting_changes(monkeypatch):
    params = {"n": 3}
    build = harness.build_dir_for("icarus", "decoder_n3", "waves")
    monkeypatch.setenv("WAVES", "fst")
    res = harness.run_bench("icarus", "decoder", params, variant="waves")
    assert res.ok, res.summary()
    assert res.waves_file == build / "decoder_n3.fst" and res.waves_file.stat().st_size > 0
    assert res.waves_file.read_bytes()[:1] != b"$", "an FST file, not VCD text"
    assert os.environ["WAVES"] == "fst", "the variable is restored after cocotb saw its own copy"
    monkeypatch.setenv("WAVES", "vcd")
    res = harness.run_bench("icarus", "decoder", params, variant="waves")
    assert res.ok and res.waves_file == build / "decoder_n3.vcd"
    text = res.waves_file.read_text()
    assert "$scope module decoder_n3 $end" in text and "onehot" in text
    assert not (build / "decoder_n3.fst").exists(), "the previous run's waveform is not left to be mistaken"
    monkeypatch.setenv("WAVES", "0")
    res = harness.run_bench("icarus", "decoder", params, variant="waves")
    assert res.ok and res.waves_file is None and not (build / "decoder_n3.vcd").exists()
    assert (build / "waves.stamp").read_text() == "None"


def test_verilator_fst_needs_its_c_headers_or_says_so():
    missing = harness.verilator_fst_missing()
    if missing:
        with pytest.raises(RuntimeError, match="WAVES=fst with Verilator needs the C headers .*lz4|zlib"):
            harness.run_bench("verilator", "decoder", {"n": 2}, variant="waves", waves="fst")
    else:
        res = harness.run_bench("verilator", "decoder", {"n": 2}, variant="waves", waves="fst")
        assert res.ok and res.waves_file is not None and res.waves_file.suffix == ".fst"
