"""Nonlinear ion-drift memristor (``nonlinear_ion_drift``, Lehtonen & Laiho 2010) in ngspice."""
import math

import numpy as np
import pytest

from pycodesign.devices import characterize as ch
from pycodesign.devices.registry import ParameterError, get_model
from pycodesign.devices.simulate import operating_point, simulate_device

M = get_model("nonlinear_ion_drift")
H = M.stimulus
WINDOWS = {"joglekar": 1, "biolek": 2, "prodromakis": 3}


def sine(amplitude=None, f=None, periods=1.0, ppp=400):
    return ch.periodic_wave("sine", amplitude or H.amplitude_v, f or H.frequencies_hz[0],
                            periods=periods, points_per_period=ppp)


def paper_current(v, w, p):
    """Lehtonen & Laiho's I-V, written out here independently of the model code."""
    return w ** p["n_exp"] * p["beta"] * math.sinh(p["alpha"] * v) + p["chi"] * (math.exp(p["gamma"] * v) - 1)


@pytest.mark.parametrize("window", WINDOWS.values(), ids=WINDOWS.keys())
def test_current_is_zero_at_zero_voltage_and_passive(window):
    t, v = sine(periods=2)
    tr = simulate_device(M, t, v, params={"window": window})
    at_zero = np.abs(tr.v) < 1e-15
    assert at_zero.sum() >= 4
    assert np.max(np.abs(tr.i[at_zero])) < 1e-12
    assert np.all(tr.i * tr.v >= -1e-15)
    assert tr.x.max() - tr.x.min() > 0.05  # the state (w) really moved


def test_exponential_branch_vanishes_at_zero_voltage_for_every_state():
    # chi (exp(gamma V) - 1) is zero at V = 0, so I(0) = 0 whatever w is
    for w0 in (0.0, 0.3, 1.0):
        i, w = operating_point(M, 0.0, x0=w0, params={"chi": 1e-6})
        assert i == 0.0 and math.isclose(w, w0, rel_tol=1e-12, abs_tol=1e-15)


def test_lobe_area_falls_as_frequency_rises():
    areas = []
    for f in H.frequencies_hz:
        t, v = sine(f=f)
        tr = simulate_device(M, t, v)
        areas.append(sum(ch.lobe_areas(tr.v, tr.i)))
    assert areas[0] > 10 * areas[1] > 100 * areas[2] > 0, areas


@pytest.mark.parametrize("window", WINDOWS.values(), ids=WINDOWS.keys())
def test_state_stays_in_bounds_over_long_large_signal_run(window):
    t, v = sine(amplitude=H.large_signal_v, periods=20, ppp=200)
    tr = simulate_device(M, t, v, params={"window": window})
    assert np.all(np.isfinite(tr.x))
    assert tr.x.min() >= -1e-12 and tr.x.max() <= 1 + 1e-12, (tr.x.min(), tr.x.max())
    assert tr.x.max() - tr.x.min() > 0.1


@pytest.mark.parametrize("window", WINDOWS.values(), ids=WINDOWS.keys())
def test_ngspice_agrees_with_numpy_reference(window):
    t, v = sine()
    tr = simulate_device(M, t, v, params={"window": window})
    p = M.resolve({"window": window})
    ref = M.reference.simulate(tr.t, tr.v, p, p["w0"])
    rel = np.max(np.abs(tr.i - ref.i)) / np.max(np.abs(ref.i))
    assert rel <= H.ref_rel_tol, rel
    assert np.max(np.abs(tr.x - ref.x)) < 1e-4
    assert tr.x.max() - tr.x.min() > 0.1


def test_op_current_is_the_published_i_v():
    p = M.resolve()
    for v_dc in (-1.0, -0.2, 0.3, 1.2):
        for w0 in (0.25, 0.75):
            i, w = operating_point(M, v_dc, x0=w0)
            assert math.isclose(w, w0, rel_tol=1e-12)
            assert math.isclose(i, paper_current(v_dc, w0, p), rel_tol=1e-9)


@pytest.mark.parametrize("window", WINDOWS.values(), ids=WINDOWS.keys())
def test_op_tran_and_uic_honour_the_initial_state(window):
    for w0 in (0.25, 0.75):
        i_op, w_op = operating_point(M, H.v_read, params={"window": window}, x0=w0)
        assert math.isclose(w_op, w0, rel_tol=1e-12)
        t = np.array([0.0, 1e-6, 5e-5])
        v = np.array([0.0, 1.0, 1.0])
        for uic in (False, True):
            tr = simulate_device(M, t, v, params={"window": window}, x0=w0, uic=uic)
            assert math.isclose(tr.x[0], w0, rel_tol=1e-12), (uic, tr.x[0])
            assert tr.x[-1] > w0 + 1e-3


def test_batch_and_in_process_engines_agree():
    t, v = sine()
    a = simulate_device(M, t, v, engine="batch")
    b = simulate_device(M, t, v, engine="shared")
    assert a.t.shape == b.t.shape
    np.testing.assert_allclose(b.i, a.i, rtol=1e-9, atol=1e-18)
    np.testing.assert_allclose(b.x, a.x, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("params, match", [
    ({"m": 12}, r"nonlinear_ion_drift: m must be odd \(got m=12\)"),
    ({"m": 13.5}, r"parameter 'm' = 13.5 is out of range; allowed: an integer in \[1, 31\]"),
    ({"window": 0}, r"parameter 'window' = 0 is out of range"),
    ({"n_exp": 0.5}, r"parameter 'n_exp' = 0.5 is out of range"),
    ({"w0": -0.1}, r"parameter 'w0' = -0.1 is out of range"),
    ({"alpha": float("nan")}, r"nonlinear_ion_drift: parameter 'alpha' = nan"),
    ({"n": 4}, r"unknown parameter 'n'; known: alpha, beta"),
])
def test_invalid_parameter_is_refused_with_a_clear_message(params, match):
    with pytest.raises(ParameterError, match=match):
        M.resolve(params)


def test_preset_is_the_lehtonen_laiho_subcircuit_in_si_units():
    p = M.resolve(preset="lehtonen_laiho_2010")
    assert p["alpha"] == 2 and p["gamma"] == 4 and p["n_exp"] == 4 and p["m"] == 13
    assert p["beta"] == pytest.approx(9 * 10e-9) and p["chi"] == pytest.approx(0.01 * 10e-9)
    assert p["a"] == pytest.approx(1 / 80e-6)
    assert p["window"] == 1 and p["p_win"] == 1
    assert p == M.resolve()  # the defaults are this preset


def test_state_rate_is_odd_in_voltage_and_steep():
    ref = M.reference
    p = M.resolve()
    w = np.array([0.2, 0.5, 0.8])
    np.testing.assert_allclose(ref.dxdt(-0.7, w, p), -ref.dxdt(0.7, w, p))
    # V^13: halving the voltage slows the state by 2^13
    np.testing.assert_allclose(ref.dxdt(0.4, w, p) / ref.dxdt(0.8, w, p), 2.0 ** -13)


def test_joglekar_bound_is_a_fixed_point_biolek_is_not():
    t, v = sine()
    for window, moves in ((1, False), (3, False), (2, True)):
        tr = simulate_device(M, t, v, params={"window": window}, x0=0.0)
        assert bool(tr.x.max() > 0.1) == moves, window


def test_pulse_trains_potentiate_and_depress_gradually():
    n = 30
    up = ch.pulse_train(np.full(n, H.set_pulse_v), width_s=H.pulse_width_s, v_read=H.v_read,
                        read_width_s=H.pulse_width_s)
    tr = simulate_device(M, up.t, up.v, step_s=H.pulse_width_s / 10)
    g = ch.conductance_at_reads(tr.t, tr.v, tr.i, up.read_windows)
    steps = np.diff(g)
    assert np.all(steps > -1e-3 * g[-1])  # set_polarity = +1: positive pulses raise G
    assert g[-1] > 50 * g[0]
    assert steps.max() < 0.25 * (g[-1] - g[0])
    assert np.sum(steps > 0.01 * (g[-1] - g[0])) >= 10  # tens of pulses, not one jump
    down = ch.pulse_train(np.full(n, H.reset_pulse_v), width_s=H.pulse_width_s, v_read=H.v_read,
                          read_width_s=H.pulse_width_s)
    tr = simulate_device(M, down.t, down.v, x0=float(tr.x[-1]), step_s=H.pulse_width_s / 10)
    g = ch.conductance_at_reads(tr.t, tr.v, tr.i, down.read_windows)
    steps = np.diff(g)
    assert np.all(steps < 1e-3 * g[0])
    assert g[0] > 50 * g[-1]
    assert -steps.min() < 0.25 * (g[0] - g[-1])


def test_read_voltage_does_not_disturb_the_state():
    w = H.pulse_width_s
    t = np.array([0.0, 1e-7, 100 * w, 100 * w + 1e-7])
    tr = simulate_device(M, t, np.array([0.0, H.v_read, H.v_read, 0.0]), x0=0.5)
    assert abs(tr.x[-1] - 0.5) < 1e-5  # 100 reads' worth
