"""Array-level inference, electrical metrics and settling latency."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pycodesign.analog import (AdcConfig, AnalogConfig, CrossbarParasitics, CrossbarSpec, DacConfig,
                               NonIdealities, TiaConfig, electrical_metrics, run_inference, settling_time)
from pycodesign.data import load_digits_dataset
from pycodesign.mapping import map_weights
from pycodesign.nn.models import train_slp


@pytest.fixture(scope="module")
def digits():
    return load_digits_dataset()


@pytest.fixture(scope="module")
def mapped(digits):
    net = train_slp(digits.x_train, digits.y_train, epochs=15, seed=0)
    W, b = net.weights[0]
    return map_weights(W, g_min=1e-5, g_max=1e-4, bias=b, levels=16)


def test_ideal_array_reproduces_the_mapping(digits, mapped):
    r = run_inference(mapped, digits.x_test, digits.y_test, metrics=False)
    want = mapped.output_currents(digits.x_test, v_read=0.2)
    np.testing.assert_allclose(r.outputs_a, want, rtol=1e-10, atol=1e-18)
    assert r.accuracy == r.ideal_accuracy > 0.85
    assert r.confusion.sum() == digits.y_test.size and np.trace(r.confusion) == round(r.accuracy * r.labels.size)


def test_solver_and_spice_inference_agree(digits, mapped, tmp_path):
    cfg = AnalogConfig(v_read_v=0.2, parasitics=CrossbarParasitics(r_row_ohm=2.0, r_col_ohm=2.0), dual_side=True,
                       dac=DacConfig(bits=5), adc=AdcConfig(bits=10))
    messages = []
    a = run_inference(mapped, digits.x_test, digits.y_test, config=cfg, n_images=40, metrics_images=8)
    b = run_inference(mapped, digits.x_test, digits.y_test, config=cfg, n_images=40, metrics_images=8,
                      engine="spice", workdir=tmp_path, progress=messages.append)
    assert np.max(np.abs(a.outputs_a - b.outputs_a)) <= 1e-6 * np.max(np.abs(b.outputs_a))
    np.testing.assert_array_equal(a.predictions, b.predictions)
    assert a.accuracy == b.accuracy > 0.8
    assert a.adc_full_scale_a == b.adc_full_scale_a > 0
    # the ngspice deck and raw file are kept in the results folder; one job for all images
    assert (tmp_path / "spice_inference" / "circuit.cir").exists()
    assert (tmp_path / "spice_inference" / "analysis0.raw").exists()
    assert "dc vsweep 0 39 1" in (tmp_path / "spice_inference" / "circuit.cir").read_text()
    assert any("40/40 images simulated" in m for m in messages)
    ea, eb = a.electrical, b.electrical
    for k in ("power_devices_w", "power_wires_w", "read_margin_worst", "read_margin_mean"):
        assert getattr(ea, k) == pytest.approx(getattr(eb, k), rel=1e-6)
    assert 0 < ea.read_margin_worst < ea.read_margin_mean < 1


def test_nonidealities_are_seeded(digits, mapped):
    cfg = AnalogConfig(nonideal=NonIdealities(variability_sigma=0.3, stuck_at_hrs_rate=0.02,
                                              stuck_at_lrs_rate=0.02, read_noise_sigma=0.05),
                       parasitics=CrossbarParasitics(r_row_ohm=1.0, r_col_ohm=1.0))
    kw = dict(config=cfg, n_images=100, metrics=False)
    a = run_inference(mapped, digits.x_test, digits.y_test, seed=1, **kw)
    b = run_inference(mapped, digits.x_test, digits.y_test, seed=1, **kw)
    c = run_inference(mapped, digits.x_test, digits.y_test, seed=2, **kw)
    np.testing.assert_array_equal(a.outputs_a, b.outputs_a)
    assert a.stuck_at == b.stuck_at and a.stuck_at["hrs"] > 0 and a.stuck_at["lrs"] > 0
    assert not np.array_equal(a.outputs_a, c.outputs_a)
    clean = run_inference(mapped, digits.x_test, digits.y_test, config=AnalogConfig(parasitics=cfg.parasitics),
                          n_images=100, metrics=False)
    assert a.accuracy < clean.accuracy


def test_reference_scheme_opposite_polarity_1t1r_opamp(digits):
    rng = np.random.default_rng(0)
    W = rng.normal(size=(64, 10))
    ref = map_weights(W, g_min=1e-5, g_max=1e-4, scheme="reference")
    r = run_inference(ref, digits.x_test, digits.y_test, n_images=30, metrics=False)
    np.testing.assert_allclose(r.outputs_a, ref.output_currents(digits.x_test[:30], v_read=0.2), rtol=1e-10)
    diff = map_weights(W, g_min=1e-5, g_max=1e-4)
    cfg = AnalogConfig(cell="1T1R", differential="opposite_polarity", tia=TiaConfig(kind="opamp", gain=1e6),
                       parasitics=CrossbarParasitics(r_row_ohm=0.5, r_col_ohm=0.5))
    a = run_inference(diff, digits.x_test, digits.y_test, config=cfg, n_images=10, metrics=False)
    b = run_inference(diff, digits.x_test, digits.y_test, config=cfg, n_images=10, metrics=False, engine="spice")
    assert np.max(np.abs(a.outputs_a - b.outputs_a)) <= 1e-6 * np.max(np.abs(b.outputs_a))


def test_config_round_trip_and_bad_input(digits, mapped):
    cfg = AnalogConfig(v_read_v=0.1, cell="1T1R", tia=TiaConfig(kind="opamp", gbw_hz=1e7),
                       adc=AdcConfig(bits=8, full_scale_a=1e-4), nonideal=NonIdealities(levels=8))
    assert AnalogConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match=r"x_images has 63 features per image but the mapped layer has 64 inputs"):
        run_inference(mapped, digits.x_test[:, :63], digits.y_test)
    with pytest.raises(ValueError, match=r"pixels in \[0, 1\]"):
        run_inference(mapped, digits.x_test * 16, digits.y_test)
    with pytest.raises(ValueError, match=r"labels must be integers of shape"):
        run_inference(mapped, digits.x_test, digits.y_test[:-1])
    with pytest.raises(ValueError, match=r"engine = 'hspice' is not allowed"):
        run_inference(mapped, digits.x_test, digits.y_test, engine="hspice")
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['vread'\]"):
        run_inference(mapped, digits.x_test, digits.y_test, vread=0.2)


# --------------------------------------------------------------------------- metrics


@pytest.mark.parametrize("cell,tia", [("1R", "ideal"), ("1T1R", "ideal"), ("1R", "opamp")])
def test_power_balance_and_engines_agree(cell, tia):
    rng = np.random.default_rng(3)
    g = 1 / rng.uniform(1e3, 1e5, size=(24, 6))
    v = rng.uniform(0, 0.2, size=(5, 24))
    spec = CrossbarSpec(g, cell=cell, tia=TiaConfig(kind=tia, gain=1e3),
                        parasitics=CrossbarParasitics(r_row_ohm=3.0, r_col_ohm=2.0))
    m = electrical_metrics(spec, v, read_margin_v=0.2)
    s = electrical_metrics(spec, v, read_margin_v=0.2, engine="spice")
    total = m.power_devices_w + m.power_wires_w + m.power_transistors_w + m.power_sensing_w
    assert m.power_sources_w == pytest.approx(total, rel=1e-10)
    assert m.power_wires_w == pytest.approx(m.power_wires_wordline_w + m.power_wires_bitline_w, rel=1e-12)
    assert (m.power_transistors_w > 0) == (cell == "1T1R")
    assert (m.power_sensing_w > 0) == (tia == "opamp")
    for k in ("power_devices_w", "power_wires_w", "power_transistors_w", "read_margin_worst",
              "read_margin_mean", "output_current_max_a"):
        assert getattr(m, k) == pytest.approx(getattr(s, k), rel=1e-6, abs=1e-18)


def test_read_margin():
    g = np.full((32, 16), 1e-3)
    v = np.full((1, 32), 0.2)
    ideal = electrical_metrics(CrossbarSpec(g), v)
    assert ideal.read_margin_worst == pytest.approx(1.0) and ideal.read_margin_mean == pytest.approx(1.0)
    worst = []
    for r in (0.5, 2.0, 8.0):
        m = electrical_metrics(CrossbarSpec(g, parasitics=CrossbarParasitics(r_row_ohm=r, r_col_ohm=r)), v)
        assert 0 < m.read_margin_worst < m.read_margin_mean < 1
        worst.append(m.read_margin_worst)
    assert worst[0] > worst[1] > worst[2]
    # device far from both drivers and sensing nodes sees the least voltage: dual-side helps
    single = electrical_metrics(CrossbarSpec(g, parasitics=CrossbarParasitics(r_row_ohm=8.0, r_col_ohm=0.0)), v)
    dual = electrical_metrics(CrossbarSpec(g, parasitics=CrossbarParasitics(r_row_ohm=8.0, r_col_ohm=0.0),
                                           dual_side=True), v)
    assert dual.read_margin_worst > single.read_margin_worst


def test_settling_latency_solver_vs_ngspice_and_opamp_bandwidth(tmp_path):
    rng = np.random.default_rng(8)
    g = 1 / rng.uniform(1e3, 1e5, size=(24, 6))
    v = np.full((1, 24), 0.2)
    par = CrossbarParasitics(r_row_ohm=5.0, r_col_ohm=5.0, c_line_to_line_f=2e-15, c_crossing_f=1e-15,
                             c_to_ground_f=3e-15)
    spec = CrossbarSpec(g, parasitics=par)
    a = settling_time(spec, v, workdir=tmp_path)
    b = settling_time(spec, v, engine="solver")
    assert a.latency_s == pytest.approx(b.latency_s, rel=0.1)
    assert 1e-13 < a.latency_s < 1e-9
    assert Path(a.files["raw"]).exists()
    slow = settling_time(spec.replace(tia=TiaConfig(kind="opamp", gbw_hz=1e7)), v)
    fast = settling_time(spec.replace(tia=TiaConfig(kind="opamp", gbw_hz=1e8)), v)
    assert slow.latency_s > 5 * fast.latency_s > 5 * a.latency_s


def test_qmm_inference_engines_agree(digits, mapped):
    # conductances are read-out conductances at V_READ: zero parasitics reproduce the mapping at full scale
    cfg = AnalogConfig(v_read_v=0.1, device="qmm")
    ones = np.ones((1, mapped.n_inputs))
    r = run_inference(mapped, ones, np.array([0]), config=cfg, metrics=False)
    np.testing.assert_allclose(r.outputs_a, mapped.output_currents(ones, v_read=0.1), rtol=1e-9)
    cfg = AnalogConfig(v_read_v=0.1, device="qmm", parasitics=CrossbarParasitics(r_row_ohm=1.0, r_col_ohm=1.0))
    a = run_inference(mapped, digits.x_test, digits.y_test, config=cfg, n_images=30, metrics_images=4)
    b = run_inference(mapped, digits.x_test, digits.y_test, config=cfg, n_images=30, metrics_images=4,
                      engine="spice")
    assert np.max(np.abs(a.outputs_a - b.outputs_a)) <= 1e-3 * np.max(np.abs(b.outputs_a))
    np.testing.assert_array_equal(a.predictions, b.predictions)
