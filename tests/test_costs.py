"""Cost model: every component formula against a hand calculation written here, monotonicity,
and clear errors (unknown node, negative table cost, converter not defined for the bits)."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from pycodesign.costs import (AdcSpec, ArrayEnergyInput, ConverterTable, DacSpec, DesignDescription,
                              DigitalBlockUse, LayerDesign, TiaSpec, TileGeometry, adc_cost, array_read_energy_j,
                              cell_area_um2, estimate_costs, get_technology, line_capacitance_per_cell_f,
                              markdown_report, markdown_table, plot_cost_breakdown, rc_settling_time_s,
                              sar_adc_area_um2, sar_adc_energy_j, survey_adc_area_um2, survey_adc_energy_j)
from pycodesign.costs import converters as cv
from pycodesign.costs.technology import TECHNOLOGIES, known_nodes

T32 = get_technology(32)


# ----------------------------------------------------------------------------- technology


def test_table_has_the_required_nodes_with_sources():
    assert {130, 65, 45, 32, 22} <= set(known_nodes())
    for node, t in TECHNOLOGIES.items():
        for key in ("vdd_v", "r_wire_ohm_per_um", "c_wire_f_per_um", "nand2_area_um2", "nand2_c_in_f",
                    "nand2_energy_j"):
            assert t.sources.get(key), (node, key)
        assert t.f_nm == node


def test_technology_entries_by_hand():
    t130, t45, t22 = (get_technology(n) for n in (130, 45, 22))
    # SKY130 nand2_1: 3.7536 um^2, pin A 2.315 fF, 1.8 V; E = 1/2 * 5.5 * C_in * V^2.
    assert t130.nand2_area_um2 == 3.7536 and t130.vdd_v == 1.8
    assert t130.nand2_energy_j == pytest.approx(0.5 * 5.5 * 2.315e-15 * 1.8 ** 2)      # 20.6 fJ
    # NanGate NAND2_X1: 0.57 x 1.4 um, 1.599 fF, 1.1 V.
    assert t45.nand2_area_um2 == pytest.approx(0.57 * 1.4)
    assert t45.nand2_energy_j == pytest.approx(0.5 * 5.5 * 1.599e-15 * 1.1 ** 2)       # 5.32 fJ
    # 22 nm: area x (22/45)^2, C_in x 22/45, PTM 0.8 V.
    assert t22.nand2_area_um2 == pytest.approx(0.798 * (22 / 45) ** 2)
    assert t22.nand2_energy_j == pytest.approx(0.5 * 5.5 * 1.599e-15 * 22 / 45 * 0.8 ** 2)
    # Wires: published 130/65/32, 45 between 65 and 32 on the log-log line, 22 beyond 32.
    slope = math.log(5.70 / 1.43) / math.log(65 / 32)
    assert t45.r_wire_ohm_per_um == pytest.approx(1.43 * (65 / 45) ** slope)
    assert 1.43 < t45.r_wire_ohm_per_um < 5.70 < t22.r_wire_ohm_per_um
    assert all(t.c_wire_f_per_um == 0.2e-15 for t in TECHNOLOGIES.values())


@pytest.mark.parametrize("bad", [28, 7, "32", None, 32.5, True])
def test_unknown_node_is_a_clear_error(bad):
    with pytest.raises(ValueError) as exc:
        get_technology(bad)
    msg = str(exc.value)
    assert repr(bad) in msg and "130, 65, 45, 32, 22" in msg


def test_unknown_node_in_a_design_is_refused_before_anything_runs():
    with pytest.raises(ValueError, match="node_nm = 28.*known nodes"):
        DesignDescription(layers=[_layer()], node_nm=28)


# ----------------------------------------------------------------------------- ADC models


def test_survey_model_at_6_and_8_bits_by_hand():
    fs = 1e9
    foms = 302.7387019052544 - 6.460790934271676 * math.log(fs)        # 168.85 dB (< the 180.14 cap)
    for bits, costs_md in ((6, 40e-15), (8, 0.64e-12)):
        sndr = 6.0206 * bits + 1.7609
        hand = 1.0 / (2.0 * 10 ** ((foms - sndr) / 10.0))
        assert survey_adc_energy_j(bits, fs) == pytest.approx(hand, rel=1e-4)
        assert survey_adc_energy_j(bits, fs) == pytest.approx(costs_md, rel=0.02)   # research notes' values
    # Thermal regime: 4x per bit at a fixed sample rate.
    assert survey_adc_energy_j(8, fs) / survey_adc_energy_j(7, fs) == pytest.approx(4.0, rel=0.01)
    # At 100 MS/s the FoM is capped at 180.14 dB: 8 bits -> 48 fJ (research notes).
    assert survey_adc_energy_j(8, 1e8) == pytest.approx(1 / (2 * 10 ** ((180.14159 - 49.9257) / 10)), rel=1e-4)


def test_survey_area_by_hand():
    e_pj = survey_adc_energy_j(8, 1e9) * 1e12
    hand = math.exp(4.850567073004403 + 0.06665851895885958 * math.log(1e9) + 0.797323960429599 * math.log(32)
                    - 0.13437278622014803 * 8 + 0.4236571760437834 * math.log(e_pj))
    assert survey_adc_area_um2(8, 1e9, 32) == pytest.approx(hand, rel=1e-12)


def test_sar_model_by_hand():
    # NeuroSim 32 nm: P = 1.016 B + 7.63 uW, (B + 1) cycles at 1 GHz -> 76 fJ (5 b), 142 fJ (8 b).
    assert sar_adc_energy_j(5, 32, 1e9) == pytest.approx((1.016 * 5 + 7.63) * 1e-6 * 6e-9)
    assert sar_adc_energy_j(5, 32, 1e9) == pytest.approx(76e-15, rel=0.01)
    assert sar_adc_energy_j(8, 32, 1e9) == pytest.approx(142e-15, rel=0.01)
    assert sar_adc_energy_j(8, 130, 1e9) == pytest.approx((6.481 * 8 + 49.05) * 1e-6 * 9e-9)
    # ISAAC calibration: 16 mW / (8 ADCs x 1.2 GS/s) at 8 b, 32 nm; same bit dependence as NeuroSim.
    assert sar_adc_energy_j(8, 32, calibration="isaac") == pytest.approx(16e-3 / 9.6e9)
    assert sar_adc_energy_j(6, 32, calibration="isaac") / sar_adc_energy_j(8, 32, calibration="isaac") == \
        pytest.approx(((1.016 * 6 + 7.63) * 7) / ((1.016 * 8 + 7.63) * 9))
    # Area: ISAAC 1200 um^2 at 8 b / 32 nm; Saberi-scaled 6 b 626.91; node exponent 0.797.
    assert sar_adc_area_um2(8, 32) == 1200.0
    assert sar_adc_area_um2(6, 65) == pytest.approx(626.91 * (65 / 32) ** 0.797323960429599)
    c = adc_cost("sar", 8, T32, clock_hz=2e9)
    assert c.t_conv_s == pytest.approx(9 / 2e9)


def test_sar_coefficients_at_derived_nodes_say_so():
    a45, b45, src45 = cv.sar_power_coefficients(45)
    assert 1.016 < a45 < 2.950 and 7.63 < b45 < 22.05 and "interpolated" in src45
    a22, b22, src22 = cv.sar_power_coefficients(22)
    assert a22 < 1.016 and "extrapolated" in src22
    assert "NeuroSim" in cv.sar_power_coefficients(65)[2]


@pytest.mark.parametrize("model,kw,lo,hi", [
    ("survey", {}, 1, 20),
    ("sar", {"calibration": "neurosim"}, 4, 10),
    ("sar", {"calibration": "isaac"}, 4, 10),
])
def test_more_adc_bits_cost_more_energy_and_area(model, kw, lo, hi):
    costs = [adc_cost(model, b, T32, **kw) for b in range(lo, hi + 1)]
    for a, b in zip(costs, costs[1:]):
        assert b.energy_j > a.energy_j and b.area_um2 > a.area_um2, (a, b)


@pytest.mark.parametrize("model,bits,frag", [
    ("sar", 3, "ADC model 'sar' is not defined for bits = 3; allowed: 4..10"),
    ("sar", 12, "ADC model 'sar' is not defined for bits = 12"),
    ("survey", 21, "ADC model 'survey' is not defined for bits = 21; allowed: 1..20"),
])
def test_converter_model_not_defined_for_the_bits(model, bits, frag):
    with pytest.raises(ValueError, match=frag.replace("(", r"\(").replace(".", r"\.")):
        adc_cost(model, bits, T32)


def test_survey_refuses_a_rate_beyond_the_survey():
    with pytest.raises(ValueError, match="sample_rate_hz.*allowed: <="):
        survey_adc_energy_j(8, 1e11)


def test_user_table_lookup_and_errors():
    table = ConverterTable({6: {"energy_j": 0.5e-12, "area_um2": 300.0, "t_conv_s": 5e-9, "source": "chip A"},
                            8: {"energy_j": 1.2e-12, "area_um2": 800.0, "t_conv_s": 8e-9}}, name="lab ADCs")
    c = adc_cost("table", 8, T32, table=table)
    assert (c.energy_j, c.area_um2, c.t_conv_s) == (1.2e-12, 800.0, 8e-9)
    assert adc_cost("table", 6, T32, table=table).source == "chip A"
    with pytest.raises(ValueError, match=r"'lab ADCs'.*bits = 7; the table covers: 6, 8"):
        adc_cost("table", 7, T32, table=table)


@pytest.mark.parametrize("entry,frag", [
    ({"energy_j": -1e-12, "area_um2": 10.0, "t_conv_s": 1e-9}, "entry 5: energy_j = -1e-12 is not allowed"),
    ({"energy_j": 1e-12, "area_um2": -3.0, "t_conv_s": 1e-9}, "entry 5: area_um2 = -3.0 is not allowed"),
    ({"energy_j": 1e-12, "area_um2": 3.0, "t_conv_s": 0.0}, "entry 5: t_conv_s = 0"),
    ({"energy_j": float("nan"), "area_um2": 3.0, "t_conv_s": 1e-9}, "entry 5: energy_j = nan"),
    ({"energy_j": 1e-12, "area_um2": 3.0}, "entry 5: needs energy_j, area_um2 and t_conv_s"),
    ({"energy_j": 1e-12, "area_um2": 3.0, "t_conv_s": 1e-9, "power": 1}, "entry 5: unknown key 'power'"),
])
def test_user_table_refuses_bad_entries_naming_them(entry, frag):
    with pytest.raises(ValueError) as exc:
        ConverterTable({5: entry}, name="meas")
    assert "'meas'" in str(exc.value) and frag in str(exc.value), str(exc.value)


def test_unknown_adc_model():
    with pytest.raises(ValueError, match="adc.model = 'flash' is not allowed; allowed: survey, sar, table"):
        adc_cost("flash", 8, T32)
    with pytest.raises(ValueError, match="AdcSpec: model = 'flash'"):
        AdcSpec(8, "flash")


# ----------------------------------------------------------------------------- DAC, mux, cells, array


def test_dac_by_hand():
    # ISAAC: 4 mW for 1024 drivers, 100 ns per read -> 0.39 pJ; 170 um^2 / 1024.
    assert cv.dac_energy_per_drive_j(1, T32) == pytest.approx(4e-3 / 1024 * 100e-9)
    assert cv.dac_area_um2(1, T32) == pytest.approx(170 / 1024)
    # 4-bit unit-element DAC: 15 units, half switching on average.
    assert cv.dac_energy_per_drive_j(4, T32, activity=0.5) == pytest.approx(7.5 * 4e-3 / 1024 * 100e-9)
    assert cv.dac_area_um2(4, T32) == pytest.approx(15 * 170 / 1024)
    # Another node: scaled by the NAND2 energy ratio.
    t65 = get_technology(65)
    assert cv.dac_unit_energy_j(t65) == pytest.approx(3.90625e-13 * t65.nand2_energy_j / T32.nand2_energy_j)


def test_cell_area_by_hand():
    f = 0.032
    assert cell_area_um2("1R", T32) == pytest.approx(4 * f * f)
    assert cell_area_um2("1T1R", T32, 10.0) == pytest.approx(3 * (10 + 1) * f * f)    # NVSim: 33 F^2
    assert cell_area_um2("1T1R", T32, 0.1) >= 4 * f * f
    with pytest.raises(ValueError, match="cell = '2R'"):
        cell_area_um2("2R", T32)


def test_array_read_energy_of_a_2x2_array_by_hand():
    g = np.array([[1e-4, 2e-5], [5e-5, 1e-5]])           # S
    v = np.array([0.2, 0.1])                               # V
    t = 10e-9
    e = array_read_energy_j(g, v, t, c_wordline_f=2e-15, c_bitline_f=3e-15, bitline_swing_v=0.05)
    devices = (0.2 ** 2 * (1e-4 + 2e-5) + 0.1 ** 2 * (5e-5 + 1e-5)) * t       # sum V_i^2 G_ij t = 5.4e-14 J
    lines = 2e-15 * (0.2 ** 2 + 0.1 ** 2) + 2 * 3e-15 * 0.05 ** 2             # C V^2 per active line
    assert e.devices_j == pytest.approx(devices) and devices == pytest.approx(5.4e-14)
    assert e.lines_j == pytest.approx(lines)
    assert e.total_j == pytest.approx(devices + lines)
    # Two input vectors: the mean.
    e2 = array_read_energy_j(g, np.array([[0.2, 0.1], [0.0, 0.0]]), t)
    assert e2.devices_j == pytest.approx(devices / 2)
    with pytest.raises(ValueError, match="g_s is"):
        array_read_energy_j(g, np.ones(3), t)


def test_line_capacitance_and_rc_settling_by_hand():
    assert line_capacitance_per_cell_f(1e-17, 2e-17, 3e-17) == pytest.approx(3e-17 + 2e-17 + 2e-17)
    # N = 4 segments of 10 ohm, 1 fF: tau = 10 * 1e-15 * 4 * 5 / 2 = 1e-13 s; 8 bits -> x 9 ln 2.
    assert rc_settling_time_s(4, 10.0, 1e-15, 8) == pytest.approx(1e-13 * 9 * math.log(2))


# ----------------------------------------------------------------------------- the whole model


def _layer(**kw) -> LayerDesign:
    base = dict(name="L", n_inputs=128, n_outputs=64, wordlines=128, bitlines=128,
                tiles=TileGeometry(128, 128), v_read_v=0.5, t_read_s=10e-9, adc=AdcSpec(8, "sar"),
                columns_per_adc=8, array=ArrayEnergyInput(g_mean_s=5e-6))
    base.update(kw)
    return LayerDesign(**base)


def test_single_tile_layer_by_hand():
    layer = _layer()
    r = estimate_costs(DesignDescription(layers=[layer], node_nm=32, clock_hz=1e9))
    lc = r.layers[0]
    # Array: mean estimate 128 x 128 x 0.25 V^2 x 1/3 x 5 uS x 10 ns.
    assert lc.component("array").energy_j == pytest.approx(128 * 128 * 0.25 / 3 * 5e-6 * 10e-9)
    # Lines: 128 wordline segments of 128 cells x (0.2 fF/um x 2F) at V_READ^2/3; bitlines at 0 V swing.
    c_cell = 0.2e-15 * 2 * 0.032
    assert lc.component("lines").energy_j == pytest.approx(128 * c_cell * 128 * 0.25 / 3)
    # Cells: 128 x 128 x 4F^2.
    assert lc.component("cells").area_um2 == pytest.approx(128 * 128 * 4 * 0.032 ** 2)
    # ADCs: 128 / 8 = 16; conversions: 128 bitlines, one row tile, one cycle.
    adc = lc.component("adc")
    assert adc.instances == 16
    assert adc.energy_j == pytest.approx(128 * (1.016 * 8 + 7.63) * 1e-6 * 9e-9)
    assert adc.area_um2 == pytest.approx(16 * 1200.0)
    # DAC: 128 drives of a 1-bit driver.
    assert lc.component("dac").energy_j == pytest.approx(128 * 4e-3 / 1024 * 100e-9)
    # Mux: 16 muxes of 8 TGs = 4 NAND2-eq each; one NAND2 toggle per conversion.
    assert lc.component("mux").area_um2 == pytest.approx(16 * 4 * T32.nand2_area_um2)
    assert lc.component("mux").energy_j == pytest.approx(128 * T32.nand2_energy_j)
    # Latency: max(10 ns, settling) + 9 cycles x 8 columns + 1 clock for the subtraction.
    assert lc.latency_s["adc_s"] == pytest.approx(72e-9)
    assert lc.latency_s["total_s"] == pytest.approx(10e-9 + 72e-9 + 1e-9)
    # 2 ops per MAC.
    assert r.ops_per_inference == 2 * 128 * 64
    assert r.tops_per_w == pytest.approx(2 * 128 * 64 / r.energy_j / 1e12)
    assert r.tops_per_mm2 == pytest.approx(2 * 128 * 64 / r.latency_s / (r.area_um2 * 1e-6) / 1e12)
    assert r.energy_j == pytest.approx(sum(c.energy_j for c in lc.components))


def test_worst_case_and_measured_array_energy():
    worst = estimate_costs(DesignDescription(layers=[_layer(array=ArrayEnergyInput(g_max_s=1e-5,
                                                                                   estimate="worst"))]))
    assert worst.layers[0].component("array").energy_j == pytest.approx(128 * 128 * 0.25 * 1e-5 * 10e-9)
    meas = estimate_costs(DesignDescription(layers=[_layer(array=ArrayEnergyInput(measured_j=3e-12,
                                                                                  line_charging_j=1e-15))]))
    assert meas.layers[0].component("array").energy_j == 3e-12
    assert meas.layers[0].component("lines").energy_j == 1e-15
    with pytest.raises(ValueError, match="g_max_s = None"):
        ArrayEnergyInput(estimate="worst", g_mean_s=1e-5)


def test_tiled_layer_accumulator_tia_and_sequence_by_hand():
    # 256 x 128 on 128 x 128 tiles: 2 row tiles -> one accumulation per output; TIAs as parameters.
    layer = _layer(n_inputs=256, wordlines=256, tiles=TileGeometry.covering(256, 128, 128, 128),
                   tia=TiaSpec(power_w=20e-6, area_um2=50.0))
    par = estimate_costs(DesignDescription(layers=[layer]))
    lc = par.layers[0]
    acc = lc.component("accumulator")
    assert acc.instances == 64
    from pycodesign.rtl.synth import accumulator_gate_count
    g = accumulator_gate_count(8 + 1 + 1).gate_count_nand2               # ADC bits + sign + log2(2 tiles)
    assert acc.energy_j == pytest.approx(64 * 1 * 0.5 * g * T32.nand2_energy_j)
    assert lc.component("tia").energy_j == pytest.approx(20e-6 * 10e-9 * 128 * 2)
    assert lc.component("tia").area_um2 == pytest.approx(50.0 * 128 * 2)
    assert lc.component("adc").instances == 32
    seq = estimate_costs(DesignDescription(layers=[layer], tiles_parallel=False))
    assert seq.layers[0].latency_s["adc_s"] == pytest.approx(2 * par.layers[0].latency_s["adc_s"])
    assert seq.energy_j == pytest.approx(par.energy_j)


def test_bit_serial_inputs_multiply_reads():
    one = estimate_costs(DesignDescription(layers=[_layer()])).layers[0]
    eight = estimate_costs(DesignDescription(layers=[_layer(input_bits=8)])).layers[0]
    assert eight.component("adc").energy_j == pytest.approx(8 * one.component("adc").energy_j)
    assert eight.latency_s["adc_s"] == pytest.approx(8 * one.latency_s["adc_s"])
    assert eight.component("accumulator").instances == 64             # shift-and-add of the 8 slices


def test_analog_differential_halves_the_conversions():
    dig = estimate_costs(DesignDescription(layers=[_layer()])).layers[0]
    ana = estimate_costs(DesignDescription(layers=[_layer(differential="analog")])).layers[0]
    assert ana.component("adc").energy_j == pytest.approx(dig.component("adc").energy_j / 2)
    assert ana.component("adc").instances == 8
    with pytest.raises(KeyError):
        ana.component("subtractor")


def test_more_adc_bits_make_the_design_dearer():
    e, a = [], []
    for bits in (4, 6, 8, 10):
        r = estimate_costs(DesignDescription(layers=[_layer(adc=AdcSpec(bits, "sar"))]))
        e.append(r.energy_j)
        a.append(r.area_um2)
    assert e == sorted(e) and a == sorted(a) and len(set(e)) == 4


def test_bigger_tiles_need_fewer_adcs_per_weight():
    per_weight = []
    for tile in (64, 128, 256):
        layer = _layer(n_inputs=256, n_outputs=128, wordlines=256, bitlines=256,
                       tiles=TileGeometry.covering(256, 256, tile, tile))
        lc = estimate_costs(DesignDescription(layers=[layer])).layers[0]
        per_weight.append(lc.component("adc").instances / (256 * 128))
    assert per_weight[0] > per_weight[1] > per_weight[2]
    assert per_weight == pytest.approx([128 / 32768, 64 / 32768, 32 / 32768])


def test_digital_blocks_latency_and_energy():
    relu = DigitalBlockUse("relu", {"width_in": 9, "width_out": 8, "lanes": 10})
    am = DigitalBlockUse("argmax", {"n": 10, "width": 9, "signed": True, "pipeline_every": 2})
    wv = DigitalBlockUse("write_verify_controller", {"rows": 64, "cols": 5, "partitions": 4, "max_pulses": 20,
                                                     "read_cycles": 2, "write_cycles": 4}, ops_per_inference=0)
    r = estimate_costs(DesignDescription(layers=[_layer(digital_blocks=[relu, am, wv])], clock_hz=5e8))
    lc = r.layers[0]
    from pycodesign.costs import digital_gate_count
    g_am = digital_gate_count("argmax", am.params)
    assert lc.component("argmax").area_um2 == pytest.approx(g_am * T32.nand2_area_um2)
    assert lc.component("argmax").energy_j == pytest.approx(0.5 * g_am * T32.nand2_energy_j)
    assert lc.component("write_verify_controller").energy_j == 0.0
    assert lc.component("write_verify_controller").area_um2 > 0
    # argmax n=10 every 2 levels: 4 levels -> 2 cycles; ReLU one cycle; write-verify not on the path.
    assert lc.latency_s["digital_s"] == pytest.approx(3 / 5e8)
    # A known gate count (e.g. from hdl/manifest.json) is used as given.
    known = DigitalBlockUse("argmax", am.params, gate_count_nand2=1000.0, name="argmax (manifest)")
    lc2 = estimate_costs(DesignDescription(layers=[_layer(digital_blocks=[known])])).layers[0]
    assert lc2.component("argmax (manifest)").area_um2 == pytest.approx(1000.0 * T32.nand2_area_um2)


def test_outputs_dict_markdown_and_plot(tmp_path):
    r = estimate_costs(DesignDescription(layers=[_layer(), _layer(name="L2", n_inputs=64, n_outputs=10,
                                                                  wordlines=64, bitlines=20,
                                                                  tiles=TileGeometry(128, 128))],
                                         name="two-layer"))
    d = r.to_dict()
    json.dumps(d)
    assert d["energy_per_inference_j"] == pytest.approx(r.energy_j)
    assert set(d["components"]) >= {"array", "adc", "cells", "dac"}
    assert [layer["name"] for layer in d["layers"]] == ["L", "L2"]
    assert "2 operations per MAC" in d["ops_definition"]
    md = markdown_report(r)
    assert "| adc |" in markdown_table(r) and "TOPS/W" in md and "**total**" in md
    png = plot_cost_breakdown(r, tmp_path / "cost.png")
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    e_share, a_share = r.share("adc")
    assert 0 < e_share < 1 and 0 < a_share < 1


@pytest.mark.parametrize("kw,frag", [
    (dict(columns_per_adc=200), "columns_per_adc = 200 is not allowed; allowed: <= 128"),
    (dict(tiles=TileGeometry(64, 64)), "a grid holding 128 wordlines x 128 bitlines"),
    (dict(bitlines=127), "bitlines = 127 is not allowed; allowed: an even number"),
    (dict(cell="2T2R"), "cell = '2T2R' is not allowed; allowed: '1R', '1T1R'"),
    (dict(t_read_s=-1.0), "t_read_s = -1.0 is not allowed"),
    (dict(differential="both"), "differential = 'both'"),
])
def test_bad_layer_values_name_the_field(kw, frag):
    with pytest.raises(ValueError) as exc:
        _layer(**kw)
    assert "LayerDesign 'L'" in str(exc.value) and frag in str(exc.value), str(exc.value)


def test_dac_spec_override_and_errors():
    r = estimate_costs(DesignDescription(layers=[_layer(dac=DacSpec(1, energy_per_drive_j=1e-13, area_um2=2.0))]))
    assert r.layers[0].component("dac").energy_j == pytest.approx(128 * 1e-13)
    assert r.layers[0].component("dac").area_um2 == pytest.approx(128 * 2.0)
    with pytest.raises(ValueError, match="DacSpec: activity = 2"):
        DacSpec(1, activity=2)


def test_digital_block_cost_by_hand():
    from pycodesign.costs import digital_block_cost

    area, energy = digital_block_cost(100.0, 45, activity=0.25)
    assert area == pytest.approx(100 * 0.798)
    assert energy == pytest.approx(0.25 * 100 * 0.5 * 5.5 * 1.599e-15 * 1.1 ** 2)
    with pytest.raises(ValueError, match="node_nm = 28"):
        digital_block_cost(1.0, 28)
    with pytest.raises(ValueError, match="gate_count_nand2 = -1"):
        digital_block_cost(-1, 32)
