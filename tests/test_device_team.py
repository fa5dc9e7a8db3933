"""TEAM current-threshold memristor (``team``) in ngspice."""
import math

import numpy as np
import pytest

from pycodesign.devices import characterize as ch
from pycodesign.devices.registry import ParameterError, get_model
from pycodesign.devices.simulate import operating_point, simulate_device

M = get_model("team")
H = M.stimulus
P = M.resolve()
SPAN = P["x_off"] - P["x_on"]


def sine(amplitude=None, f=None, periods=1.0, ppp=400):
    return ch.periodic_wave("sine", amplitude or H.amplitude_v, f or H.frequencies_hz[0],
                            periods=periods, points_per_period=ppp)


def r_linear(x, p=P):
    return p["r_on"] + (p["r_off"] - p["r_on"]) * (x - p["x_on"]) / (p["x_off"] - p["x_on"])


def test_current_is_zero_at_zero_voltage_and_passive():
    t, v = sine(periods=2)
    tr = simulate_device(M, t, v)
    at_zero = np.abs(tr.v) < 1e-15
    assert at_zero.sum() >= 4
    assert np.max(np.abs(tr.i[at_zero])) < 1e-12
    assert np.all(tr.i * tr.v >= -1e-15)
    assert np.ptp(tr.x) > 0.2 * SPAN


def test_lobe_area_falls_as_frequency_rises():
    areas = []
    for f in H.frequencies_hz:
        t, v = sine(f=f)
        tr = simulate_device(M, t, v)
        areas.append(sum(ch.lobe_areas(tr.v, tr.i)))
    assert areas[0] > areas[1] > areas[2] > 0, areas
    assert areas[0] > 1.3 * areas[2]


@pytest.mark.parametrize("params", [{}, {"iv_relation": 1}], ids=["linear", "exponential"])
def test_state_stays_in_bounds_over_long_large_signal_run(params):
    t, v = sine(amplitude=H.large_signal_v, periods=20, ppp=200)
    tr = simulate_device(M, t, v, params=params)
    p = M.resolve(params)
    assert np.all(np.isfinite(tr.x))
    assert p["x_on"] <= tr.x.min() and tr.x.max() <= p["x_off"], (tr.x.min(), tr.x.max())
    assert tr.x.min() >= p["a_on"] - 4 * p["w_c"] and tr.x.max() <= p["a_off"] + 4 * p["w_c"]
    assert np.ptp(tr.x) > 0.3 * SPAN


def test_state_holds_below_the_current_thresholds():
    v_neg, v_pos = M.thresholds(P)
    assert (v_neg, v_pos) == (P["i_on"] * P["r_on"], P["i_off"] * P["r_on"])
    t, v = sine(0.98 * min(-v_neg, v_pos), periods=3)
    tr = simulate_device(M, t, v)
    assert np.all(tr.x == tr.x[0])  # the rate is exactly 0 between the thresholds
    t, v = sine(1.2 * max(-v_neg, v_pos))
    tr = simulate_device(M, t, v)
    assert np.ptp(tr.x) > 1e-3 * SPAN


def test_threshold_is_on_the_current_not_the_voltage():
    # the same +0.2 V resets a low-resistance device (I > i_off) but not a
    # high-resistance one (I = 0.2 V / R(x) < i_off)
    v_dc = 0.2
    x_hi = P["x_off"] - 0.2e-9
    assert v_dc / r_linear(x_hi) < P["i_off"] < v_dc / r_linear(P["x0"])
    t = np.array([0.0, 1e-10, 50e-9])
    v = np.array([0.0, v_dc, v_dc])
    moved = simulate_device(M, t, v, x0=P["x0"])
    assert moved.x[-1] > P["x0"] + 0.01 * SPAN
    held = simulate_device(M, t, v, x0=x_hi)
    assert np.all(held.x == held.x[0]) and math.isclose(held.x[0], x_hi, rel_tol=1e-12)


def test_ngspice_agrees_with_numpy_reference():
    t, v = sine()
    tr = simulate_device(M, t, v)
    ref = M.reference.simulate(tr.t, tr.v, P, P["x0"])
    rel = np.max(np.abs(tr.i - ref.i)) / np.max(np.abs(ref.i))
    assert rel <= H.ref_rel_tol, rel
    assert np.max(np.abs(tr.x - ref.x)) < 2e-3 * SPAN
    assert np.ptp(tr.x) > 0.3 * SPAN


def test_op_tran_and_uic_honour_the_initial_state():
    for frac in (0.25, 0.75):
        x0 = P["x_on"] + frac * SPAN
        i_op, x_op = operating_point(M, H.v_read, x0=x0)
        assert math.isclose(x_op, x0, rel_tol=1e-12)
        assert math.isclose(i_op, H.v_read / r_linear(x0), rel_tol=1e-9)
        t = np.array([0.0, 1e-9, 2e-9])
        v = np.array([0.0, H.v_read, H.v_read])
        for uic in (False, True):
            tr = simulate_device(M, t, v, x0=x0, uic=uic)
            assert math.isclose(tr.x[0], x0, rel_tol=1e-12), (uic, tr.x[0])
            assert math.isclose(tr.x[-1], x0, rel_tol=1e-12)  # the read is below i_off


def test_exponential_i_v_relation():
    p = M.resolve({"iv_relation": 1})
    for frac in (0.0, 0.5, 1.0):
        x0 = p["x_on"] + frac * SPAN
        i, _ = operating_point(M, 0.005, params={"iv_relation": 1}, x0=x0)
        assert math.isclose(i, 0.005 / (p["r_on"] * (p["r_off"] / p["r_on"]) ** frac), rel_tol=1e-9)


def test_batch_and_in_process_engines_agree():
    t, v = sine()
    a = simulate_device(M, t, v, engine="batch")
    b = simulate_device(M, t, v, engine="shared")
    assert a.t.shape == b.t.shape
    np.testing.assert_allclose(b.i, a.i, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(b.x, a.x, rtol=1e-9, atol=1e-21)


@pytest.mark.parametrize("params, match", [
    ({"i_on": 1e-6}, r"team: parameter 'i_on' = 1e-06 is out of range; allowed: a real number in \(-inf, 0\) A"),
    ({"i_off": -1e-6}, r"parameter 'i_off' = -1e-06 is out of range"),
    ({"k_off": -1.0}, r"parameter 'k_off' = -1.0 is out of range"),
    ({"w_c": 0.0}, r"parameter 'w_c' = 0.0 is out of range"),
    ({"x_off": -1e-9}, r"team: x_on must be below x_off"),
    ({"a_off": 2.9e-9}, r"the Kvatinsky window must sit inside the state range"),
    ({"x0": -1e-10}, r"x0 must lie in \[x_on, x_off\]"),
    ({"v_on": -0.5}, r"team: unknown parameter 'v_on'; known: r_on, r_off, i_on, i_off"),
    ({"r_on": float("nan")}, r"team: parameter 'r_on' = nan"),
])
def test_invalid_parameter_is_refused_with_a_clear_message(params, match):
    with pytest.raises(ParameterError, match=match):
        M.resolve(params)


def test_defaults_and_kvatinsky_window():
    assert (P["i_off"], P["i_on"]) == (115e-6, -8.9e-6)
    assert (P["k_off"], P["k_on"], P["alpha_off"], P["alpha_on"]) == (8e-5, -8e-5, 3.0, 3.0)
    assert P["w_c"] == 107e-12 and SPAN == pytest.approx(3e-9)
    assert "method=gear" in M.tran_options
    from pycodesign.devices.models.team import kvatinsky_windows
    f_on, f_off = kvatinsky_windows(np.array([P["a_on"], P["a_off"]]), P)
    np.testing.assert_allclose([f_on[0], f_off[1]], [math.exp(-1), math.exp(-1)])
    f_on, f_off = kvatinsky_windows(np.array([P["x_on"], P["x_off"]]), P)
    assert f_on[0] < 1e-60 and f_off[1] < 1e-60  # the windows close well inside the range
    f_on, f_off = kvatinsky_windows(np.array([P["x_off"], P["x_on"]]), P)
    assert f_on[0] > 0.999 and f_off[1] > 0.999  # and are open on the far side


def test_pulse_trains_depress_and_potentiate_gradually():
    assert M.set_polarity == -1
    n = 30
    down = ch.pulse_train(np.full(n, H.reset_pulse_v), width_s=H.pulse_width_s, v_read=H.v_read,
                          read_width_s=H.pulse_width_s)
    tr = simulate_device(M, down.t, down.v, step_s=H.pulse_width_s / 10)
    g = ch.conductance_at_reads(tr.t, tr.v, tr.i, down.read_windows)
    steps = np.diff(g)
    assert np.all(steps < 0) and g[0] > 1.4 * g[-1]
    assert -steps.min() < 0.25 * (g[0] - g[-1])
    assert np.sum(-steps > 0.01 * (g[0] - g[-1])) >= 20
    up = ch.pulse_train(np.full(n, H.set_pulse_v), width_s=H.pulse_width_s, v_read=H.v_read,
                        read_width_s=H.pulse_width_s)
    tr = simulate_device(M, up.t, up.v, x0=float(tr.x[-1]), step_s=H.pulse_width_s / 10)
    g = ch.conductance_at_reads(tr.t, tr.v, tr.i, up.read_windows)
    steps = np.diff(g)
    assert np.all(steps > 0) and g[-1] > 2 * g[0]
    assert steps.max() < 0.25 * (g[-1] - g[0])
    assert np.sum(steps > 0.01 * (g[-1] - g[0])) >= 15
