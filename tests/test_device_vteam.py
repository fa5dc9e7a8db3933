"""VTEAM voltage-threshold memristor (``vteam``) in ngspice, incl. the stiff Pt/Hf/Ti preset."""
import math

import numpy as np
import pytest

from pycodesign.devices import characterize as ch
from pycodesign.devices.registry import ParameterError, get_model
from pycodesign.devices.simulate import operating_point, simulate_device

M = get_model("vteam")
H = M.stimulus

#: Pt/Hf/Ti sine characterisation (the model's hints are for the default set).  At
#: 0.5 Hz a 1 V sine resets the device fully (the lobe area saturates); from 2 Hz
#: up the reset is partial and the lobe area falls with frequency.
PT_AMPLITUDE_V = 1.0
PT_FULL_SWING_HZ = 0.5
PT_FREQUENCIES_HZ = (2.0, 8.0, 32.0)
#: Stated ngspice-vs-numpy tolerance for pt_hf_ti (measured 3.1e-3 at 0.5 Hz).
PT_REF_REL_TOL = 1e-2


def sine(amplitude=None, f=None, periods=1.0, ppp=400):
    return ch.periodic_wave("sine", amplitude or H.amplitude_v, f or H.frequencies_hz[0],
                            periods=periods, points_per_period=ppp)


def span(p):
    return p["x_off"] - p["x_on"]


@pytest.mark.parametrize("preset, amp, f", [(None, None, None), ("pt_hf_ti", PT_AMPLITUDE_V, PT_FULL_SWING_HZ)])
def test_current_is_zero_at_zero_voltage_and_passive(preset, amp, f):
    t, v = sine(amp, f, periods=2)
    tr = simulate_device(M, t, v, preset=preset)
    at_zero = np.abs(tr.v) < 1e-15
    assert at_zero.sum() >= 4
    assert np.max(np.abs(tr.i[at_zero])) < 1e-12
    assert np.all(tr.i * tr.v >= -1e-15)
    p = M.resolve(preset=preset)
    assert tr.x.max() - tr.x.min() > 0.3 * span(p)


@pytest.mark.parametrize("preset, amp, freqs", [(None, None, None),
                                                ("pt_hf_ti", PT_AMPLITUDE_V, PT_FREQUENCIES_HZ)])
def test_lobe_area_falls_as_frequency_rises(preset, amp, freqs):
    areas = []
    for f in freqs or H.frequencies_hz:
        t, v = sine(amp, f)
        tr = simulate_device(M, t, v, preset=preset)
        areas.append(sum(ch.lobe_areas(tr.v, tr.i)))
    assert areas[0] > areas[1] > areas[2] > 0, areas
    assert areas[0] > 1.1 * areas[2]


@pytest.mark.parametrize("preset, params, amp, f, periods", [
    (None, {}, H.large_signal_v, None, 20),
    (None, {"iv_relation": 1}, H.large_signal_v, None, 20),
    ("pt_hf_ti", {}, 2.0, PT_FULL_SWING_HZ, 4),
    ("pt_hf_ti", {}, 3.0, 100.0, 20),
])
def test_state_stays_in_bounds_over_long_large_signal_run(preset, params, amp, f, periods):
    t, v = sine(amp, f, periods=periods, ppp=200)
    tr = simulate_device(M, t, v, params=params, preset=preset)
    p = M.resolve(params, preset=preset)
    assert np.all(np.isfinite(tr.x))
    assert p["x_on"] <= tr.x.min() and tr.x.max() <= p["x_off"], (tr.x.min(), tr.x.max())
    # the windows hold x within 4 w_c of a_on / a_off (the constraint that keeps it in range)
    assert tr.x.min() >= p["a_on"] - 4 * p["w_c"] and tr.x.max() <= p["a_off"] + 4 * p["w_c"]
    assert tr.x.max() - tr.x.min() > 0.05 * span(p)


@pytest.mark.parametrize("preset", [None, "pt_hf_ti"])
def test_state_holds_below_threshold_and_moves_above(preset):
    p = M.resolve(preset=preset)
    v_neg, v_pos = M.thresholds(p)
    assert (v_neg, v_pos) == (p["v_on"], p["v_off"])
    f = H.frequencies_hz[0] if preset is None else PT_FULL_SWING_HZ
    t, v = sine(0.98 * min(-v_neg, v_pos), f, periods=3)
    tr = simulate_device(M, t, v, preset=preset)
    assert np.all(tr.x == tr.x[0])  # exactly: the rate is 0 between the thresholds
    # a long DC bias 1 mV inside each threshold does nothing either
    for v_dc in (v_pos - 1e-3, v_neg + 1e-3):
        tr = simulate_device(M, np.array([0.0, 1e-9, 1.0]), np.array([0.0, v_dc, v_dc]), preset=preset)
        assert np.all(tr.x == tr.x[0])
    t, v = sine(1.2 * max(-v_neg, v_pos), f)
    tr = simulate_device(M, t, v, preset=preset)
    assert np.ptp(tr.x) > 1e-3 * span(p)


def test_ngspice_agrees_with_numpy_reference():
    t, v = sine()
    tr = simulate_device(M, t, v)
    p = M.resolve()
    ref = M.reference.simulate(tr.t, tr.v, p, p["x0"])
    rel = np.max(np.abs(tr.i - ref.i)) / np.max(np.abs(ref.i))
    assert rel <= H.ref_rel_tol, rel
    assert np.max(np.abs(tr.x - ref.x)) < 1e-3 * span(p)
    assert np.ptp(tr.x) > 0.5 * span(p)


def test_stiff_pt_hf_ti_preset_agrees_with_numpy_reference():
    assert "method=gear" in M.tran_options
    t, v = sine(PT_AMPLITUDE_V, PT_FULL_SWING_HZ)
    tr = simulate_device(M, t, v, preset="pt_hf_ti")
    p = M.resolve(preset="pt_hf_ti")
    ref = M.reference.simulate(tr.t, tr.v, p, p["x0"])
    rel = np.max(np.abs(tr.i - ref.i)) / np.max(np.abs(ref.i))
    assert rel <= PT_REF_REL_TOL, rel
    assert np.max(np.abs(tr.x - ref.x)) < 5e-3 * span(p)
    assert np.ptp(tr.x) > 0.8 * span(p)  # a full reset and a full set in one period


def test_pt_hf_ti_switching_times_span_nine_decades():
    p = M.resolve(preset="pt_hf_ti")
    # ON (set): -1 V for 20 ns takes the device from OFF to ON
    t = np.array([0.0, 1e-10, 20e-9, 20.1e-9])
    tr = simulate_device(M, t, np.array([0.0, -1.0, -1.0, 0.0]), preset="pt_hf_ti", x0=9e-9)
    assert tr.x[-1] < 0.1 * span(p)
    ref = M.reference.simulate(tr.t, tr.v, p, 9e-9)
    assert abs(tr.x[-1] - ref.x[-1]) < 5e-3 * span(p)
    # OFF (reset): +1 V for 10 ms moves x by k_off (1/v_off - 1) 10 ms = 0.40 nm
    t = np.array([0.0, 1e-6, 10e-3 + 1e-6, 10e-3 + 2e-6])
    tr = simulate_device(M, t, np.array([0.0, 1.0, 1.0, 0.0]), preset="pt_hf_ti", x0=5e-9)
    expected = p["k_off"] * (1.0 / p["v_off"] - 1.0) * (10e-3 + 1e-6)
    assert tr.x[-1] - 5e-9 == pytest.approx(expected, rel=2e-3)


@pytest.mark.parametrize("preset", [None, "pt_hf_ti"])
def test_op_tran_and_uic_honour_the_initial_state(preset):
    p0 = M.resolve(preset=preset)
    for frac in (0.25, 0.75):
        x0 = p0["x_on"] + frac * span(p0)
        i_op, x_op = operating_point(M, H.v_read, preset=preset, x0=x0)
        assert math.isclose(x_op, x0, rel_tol=1e-12)
        r = p0["r_on"] + (p0["r_off"] - p0["r_on"]) * frac
        assert math.isclose(i_op, H.v_read / r, rel_tol=1e-9)
        t = np.array([0.0, 1e-9, 2e-9])
        v = np.array([0.0, H.v_read, H.v_read])
        for uic in (False, True):
            tr = simulate_device(M, t, v, preset=preset, x0=x0, uic=uic)
            assert math.isclose(tr.x[0], x0, rel_tol=1e-12), (uic, tr.x[0])
            assert math.isclose(tr.x[-1], x0, rel_tol=1e-12)  # a read does not move it


def test_exponential_i_v_relation():
    p = M.resolve({"iv_relation": 1})
    for frac in (0.0, 0.3, 1.0):
        x0 = p["x_on"] + frac * span(p)
        i, _ = operating_point(M, 0.2, params={"iv_relation": 1}, x0=x0)
        r = p["r_on"] * (p["r_off"] / p["r_on"]) ** frac
        assert math.isclose(i, 0.2 / r, rel_tol=1e-9)


def test_batch_and_in_process_engines_agree():
    t, v = sine()
    a = simulate_device(M, t, v, engine="batch")
    b = simulate_device(M, t, v, engine="shared")
    assert a.t.shape == b.t.shape
    np.testing.assert_allclose(b.i, a.i, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(b.x, a.x, rtol=1e-9, atol=1e-21)


@pytest.mark.parametrize("params, match", [
    ({"v_on": 0.1}, r"vteam: parameter 'v_on' = 0.1 is out of range; allowed: a real number in \(-inf, 0\) V"),
    ({"v_off": 0.0}, r"parameter 'v_off' = 0.0 is out of range"),
    ({"k_on": 1.0}, r"parameter 'k_on' = 1.0 is out of range"),
    ({"alpha_off": 0.0}, r"parameter 'alpha_off' = 0.0 is out of range; allowed: a real number in \(0, inf\)"),
    ({"iv_relation": 2}, r"parameter 'iv_relation' = 2 is out of range"),
    ({"du_step": 0.0}, r"parameter 'du_step' = 0.0 is out of range"),
    ({"r_on": 2e4}, r"vteam: r_on must be below r_off"),
    ({"a_on": 0.05e-9}, r"the Kvatinsky window must sit inside the state range: "
                        r"x_on \+ 4\*w_c <= a_on < a_off <= x_off - 4\*w_c"),
    ({"x0": 4e-9}, r"x0 must lie in \[x_on, x_off\] \(got x_on=0, x_off=3e-09, x0=4e-09\)"),
    ({"r_on": float("nan")}, r"vteam: parameter 'r_on' = nan"),
])
def test_invalid_parameter_is_refused_with_a_clear_message(params, match):
    with pytest.raises(ParameterError, match=match):
        M.resolve(params)


def test_pt_hf_ti_preset_values():
    p = M.resolve(preset="pt_hf_ti")
    assert p["v_off"] == 0.5 and p["v_on"] == -0.53
    assert p["r_off"] == 2.5e3 and p["r_on"] == 100.0
    assert p["k_off"] == 4.03e-8 and p["k_on"] == -80.0
    assert p["x_off"] - p["x_on"] == pytest.approx(10e-9)
    # exponents as in MemTorch's Pt/Hf/Ti case study (documented in team.py)
    assert p["alpha_off"] == 1.0 and p["alpha_on"] == 3.0
    assert M.resolve({"x0": 5e-9}, preset="pt_hf_ti")["x0"] == 5e-9
    with pytest.raises(ParameterError, match="unknown preset 'pt'; known: pt_hf_ti"):
        M.resolve(preset="pt")


def test_pulse_trains_depress_and_potentiate_gradually():
    assert M.set_polarity == -1  # Kvatinsky's convention: positive V resets (lowers G)
    n = 30
    down = ch.pulse_train(np.full(n, H.reset_pulse_v), width_s=H.pulse_width_s, v_read=H.v_read,
                          read_width_s=H.pulse_width_s)
    tr = simulate_device(M, down.t, down.v, step_s=H.pulse_width_s / 10)
    g = ch.conductance_at_reads(tr.t, tr.v, tr.i, down.read_windows)
    steps = np.diff(g)
    assert np.all(steps <= 0) and g[0] > 4 * g[-1]
    assert -steps.min() < 0.25 * (g[0] - g[-1])
    assert np.sum(-steps > 0.01 * (g[0] - g[-1])) >= 15
    up = ch.pulse_train(np.full(n, H.set_pulse_v), width_s=H.pulse_width_s, v_read=H.v_read,
                        read_width_s=H.pulse_width_s)
    tr = simulate_device(M, up.t, up.v, x0=float(tr.x[-1]), step_s=H.pulse_width_s / 10)
    g = ch.conductance_at_reads(tr.t, tr.v, tr.i, up.read_windows)
    steps = np.diff(g)
    assert np.all(steps >= 0) and g[-1] > 4 * g[0]
    assert steps.max() < 0.25 * (g[-1] - g[0])
    assert np.sum(steps > 0.01 * (g[-1] - g[0])) >= 15
