"""HP linear ion-drift memristor (``hp``): ngspice (OSDI) against the paper's equations.

Every simulation runs the Verilog-A model in ngspice; the numpy reference
(``HPReference``) is an independent implementation of the same equations.
"""
import math

import numpy as np
import pytest

from pycodesign.devices import characterize as ch
from pycodesign.devices.registry import ParameterError, get_model
from pycodesign.devices.simulate import operating_point, simulate_device

M = get_model("hp")
H = M.stimulus
WINDOWS = {"joglekar": 1, "biolek": 2, "prodromakis": 3}


def sine(amplitude=None, f=None, periods=1.0, ppp=400):
    return ch.periodic_wave("sine", amplitude or H.amplitude_v, f or H.frequencies_hz[0],
                            periods=periods, points_per_period=ppp)


@pytest.mark.parametrize("window", WINDOWS.values(), ids=WINDOWS.keys())
def test_current_is_zero_at_zero_voltage_and_passive(window):
    t, v = sine(periods=2)
    tr = simulate_device(M, t, v, params={"window": window})
    at_zero = np.abs(tr.v) < 1e-15
    assert at_zero.sum() >= 4
    assert np.max(np.abs(tr.i[at_zero])) < 1e-12
    assert np.all(tr.i * tr.v >= -1e-15)
    # the loop is really open (hysteresis): the state moved
    assert tr.x.max() - tr.x.min() > 0.05


def test_lobe_area_falls_as_frequency_rises():
    areas = []
    for f in H.frequencies_hz:
        t, v = sine(f=f)
        tr = simulate_device(M, t, v)
        areas.append(sum(ch.lobe_areas(tr.v, tr.i)))
    assert areas[0] > 3 * areas[1] > 9 * areas[2] > 0, areas


@pytest.mark.parametrize("window", WINDOWS.values(), ids=WINDOWS.keys())
def test_state_stays_in_bounds_over_long_large_signal_run(window):
    t, v = sine(amplitude=H.large_signal_v, periods=20, ppp=200)
    tr = simulate_device(M, t, v, params={"window": window})
    assert np.all(np.isfinite(tr.x))
    assert tr.x.min() >= -1e-12 and tr.x.max() <= 1 + 1e-12, (tr.x.min(), tr.x.max())
    assert tr.x.max() - tr.x.min() > 0.1


@pytest.mark.parametrize("window", [1, 3], ids=["joglekar", "prodromakis"])
def test_phase_form_cannot_leave_the_unit_interval_even_under_extreme_drive(window):
    # 10 V with 20 ms steps: the x-form would overshoot; the phase form is bounded by construction
    t, v = sine(amplitude=10.0, periods=5, ppp=100)
    tr = simulate_device(M, t, v, params={"window": window}, max_step_s=20e-3)
    assert tr.x.min() >= 0.0 and tr.x.max() <= 1.0
    assert tr.x.max() > 0.99  # it was driven hard into the bound


@pytest.mark.parametrize("window", WINDOWS.values(), ids=WINDOWS.keys())
def test_ngspice_agrees_with_numpy_reference(window):
    t, v = sine()
    tr = simulate_device(M, t, v, params={"window": window})
    p = M.resolve({"window": window})
    ref = M.reference.simulate(tr.t, tr.v, p, p["x0"])
    rel = np.max(np.abs(tr.i - ref.i)) / np.max(np.abs(ref.i))
    assert rel <= H.ref_rel_tol, rel
    assert np.max(np.abs(tr.x - ref.x)) < 1e-4
    assert tr.x.max() - tr.x.min() > 0.1  # a large excursion, not a trivially small one


@pytest.mark.parametrize("window", WINDOWS.values(), ids=WINDOWS.keys())
def test_op_tran_and_uic_honour_the_initial_state(window):
    for x0 in (0.25, 0.75):
        params = {"window": window}
        i_op, x_op = operating_point(M, H.v_read, params=params, x0=x0)
        assert math.isclose(x_op, x0, rel_tol=1e-12)
        p = M.resolve({**params, "x0": x0})
        assert math.isclose(i_op, H.v_read / (p["r_on"] * x0 + p["r_off"] * (1 - x0)), rel_tol=1e-9)
        t = np.array([0.0, 1e-3, 2e-3])
        v = np.array([0.0, 1.0, 1.0])
        for uic in (False, True):
            tr = simulate_device(M, t, v, params=params, x0=x0, uic=uic)
            assert math.isclose(tr.x[0], x0, rel_tol=1e-12), (uic, tr.x[0])
            assert tr.x[-1] > x0  # and the state then moves


def test_batch_and_in_process_engines_agree():
    t, v = sine()
    a = simulate_device(M, t, v, engine="batch")
    b = simulate_device(M, t, v, engine="shared")
    assert a.t.shape == b.t.shape
    np.testing.assert_allclose(b.i, a.i, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(b.x, a.x, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("params, match", [
    ({"window": 0}, r"hp: parameter 'window' = 0 is out of range; allowed: an integer in \[1, 3\]"),
    ({"window": 4}, r"parameter 'window' = 4 is out of range"),
    ({"window": 1.5}, r"parameter 'window' = 1.5 is out of range"),
    ({"p_win": 0.5}, r"parameter 'p_win' = 0.5 is out of range"),
    ({"x0": 1.5}, r"parameter 'x0' = 1.5 is out of range"),
    ({"r_on": -1.0}, r"parameter 'r_on' = -1.0 is out of range"),
    ({"r_on": 2e4}, r"hp: r_on must be below r_off \(got r_on=20000, r_off=16000\)"),
    ({"mu_v": float("nan")}, r"parameter 'mu_v' = nan"),
    ({"window": "biolek"}, r"parameter 'window' = 'biolek' is not a number"),
])
def test_invalid_parameter_is_refused_with_a_clear_message(params, match):
    with pytest.raises(ParameterError, match=match):
        M.resolve(params)


def test_presets_resolve():
    for name, window in (("strukov2008_joglekar", 1), ("strukov2008_biolek", 2), ("strukov2008_prodromakis", 3)):
        p = M.resolve(preset=name)
        assert p["window"] == window
        assert (p["r_on"], p["r_off"], p["d"], p["mu_v"]) == (100.0, 16e3, 10e-9, 1e-14)
    with pytest.raises(ParameterError, match="unknown preset 'nope'; known: strukov2008_joglekar"):
        M.resolve(preset="nope")


def test_window_functions_have_their_published_shapes():
    ref = M.reference
    x = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    p = M.resolve({"window": 1, "p_win": 2})
    np.testing.assert_allclose(ref.window(x, 1.0, p), 1 - (2 * x - 1) ** 4)
    p = M.resolve({"window": 3, "p_win": 2, "j": 2.0})
    np.testing.assert_allclose(ref.window(x, 1.0, p), 2 * (1 - ((x - 0.5) ** 2 + 0.75) ** 2))
    assert ref.window(0.0, 1.0, p) == 0.0 and ref.window(1.0, 1.0, p) == 0.0
    p = M.resolve({"window": 2, "p_win": 2})
    # Biolek: stp(-I) = 0 for I > 0 (window vanishes at x = 1 only), 1 for I < 0 (at x = 0 only)
    np.testing.assert_allclose(ref.window(x, 1e-6, p), 1 - x ** 4, atol=1e-15)
    np.testing.assert_allclose(ref.window(x, -1e-6, p), 1 - (x - 1) ** 4, atol=1e-15)


def test_joglekar_state_at_a_bound_is_stuck_but_biolek_lets_it_go():
    # the "terminal state problem" of Joglekar's window that Biolek's window removes
    t, v = sine(periods=1)
    stuck = simulate_device(M, t, v, params={"window": 1}, x0=0.0)
    assert np.all(stuck.x == 0.0)
    free = simulate_device(M, t, v, params={"window": 2}, x0=0.0)
    assert free.x.max() > 0.3
    p = M.resolve({"window": 2, "x0": 0.0})
    ref = M.reference.simulate(free.t, free.v, p, 0.0)
    assert np.max(np.abs(free.x - ref.x)) < 1e-4


def test_biolek_window_is_direction_dependent_near_the_bound():
    # from x = 0.99 a negative (reset) pulse leaves the bound region much faster with
    # Biolek (f = 1 - (x - 1)^4 ~ 1) than with Joglekar (f = 1 - (2x - 1)^4 ~ 0.08)
    t = np.array([0.0, 1e-5, 1e-3, 1.01e-3])
    v = np.array([0.0, -0.5, -0.5, 0.0])
    moved = {}
    for name, window in (("joglekar", 1), ("biolek", 2)):
        tr = simulate_device(M, t, v, params={"window": window}, x0=0.99)
        moved[name] = 0.99 - tr.x[-1]
    assert moved["biolek"] > 5 * moved["joglekar"] > 0, moved


def test_pulse_trains_potentiate_and_depress_gradually():
    n = 30
    up = ch.pulse_train(np.full(n, H.set_pulse_v), width_s=H.pulse_width_s, v_read=H.v_read,
                        read_width_s=H.pulse_width_s)
    tr = simulate_device(M, up.t, up.v, step_s=H.pulse_width_s / 10)
    g = ch.conductance_at_reads(tr.t, tr.v, tr.i, up.read_windows)
    steps = np.diff(g)
    assert np.all(steps > 0)  # set_polarity = +1: positive pulses raise G
    assert g[-1] > 2 * g[0]
    assert steps.max() < 0.25 * (g[-1] - g[0])  # no single pulse does most of the work
    down = ch.pulse_train(np.full(n, H.reset_pulse_v), width_s=H.pulse_width_s, v_read=H.v_read,
                          read_width_s=H.pulse_width_s)
    tr = simulate_device(M, down.t, down.v, x0=float(tr.x[-1]), step_s=H.pulse_width_s / 10)
    g = ch.conductance_at_reads(tr.t, tr.v, tr.i, down.read_windows)
    steps = np.diff(g)
    assert np.all(steps < 0)
    assert g[0] > 2 * g[-1]
    assert -steps.min() < 0.25 * (g[0] - g[-1])


def test_read_voltage_barely_disturbs_the_state():
    # a read as long as a programming pulse moves x < 2 % as much as the pulse
    w = H.pulse_width_s
    t = np.array([0.0, 1e-4, w, w + 1e-4])
    x_read = simulate_device(M, t, np.array([0.0, H.v_read, H.v_read, 0.0]), x0=0.5).x[-1] - 0.5
    x_set = simulate_device(M, t, np.array([0.0, H.set_pulse_v, H.set_pulse_v, 0.0]), x0=0.5).x[-1] - 0.5
    assert 0 < x_read < 0.02 * x_set
