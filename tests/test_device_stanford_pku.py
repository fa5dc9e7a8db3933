"""Model-specific tests of the Stanford-PKU RRAM model (``stanford_pku``).

Every ngspice test runs the compiled ``veriloga/stanford_pku.va``; the numpy
reference (``StanfordPkuReference``) is run on ngspice's own time grid and
voltage.  The state is the gap in metres.
"""
from __future__ import annotations

import numpy as np
import pytest

from pycodesign.devices.models.stanford_pku import K_B, Q_E
from pycodesign.devices.registry import ParameterError, get_model
from pycodesign.devices.simulate import device_netlist, operating_point, simulate_device
from pycodesign.spice import run_batch

from device_waveforms import loop_area, pulse_train, sine

MODEL = get_model("stanford_pku")
STIM = MODEL.stimulus
P = MODEL.resolve()
G_MIN, G_MAX = MODEL.state_bounds()
SPAN = G_MAX - G_MIN


def reference(tr, x0, p=P):
    """The numpy reference on ngspice's grid; max_step keeps the stiff solver from
    stepping over the onset of an abrupt SET."""
    return MODEL.reference.simulate(tr.t, tr.v, p, x0, rtol=1e-10, max_step=(tr.t[-1] - tr.t[0]) / 2000)


@pytest.fixture(scope="module")
def f0_trace():
    return simulate_device(MODEL, *sine(STIM.frequencies_hz[0], STIM.amplitude_v))


# ---------------------------------------------------------------- parameters


def test_preset_is_the_stanford_v1_set():
    p = MODEL.resolve(preset="stanford_v1_hfox")
    v1 = dict(i0=1e-3, g0=0.25e-9, v0=0.25, vel0=10, ea=0.6, a0=0.25e-9, tox=12e-9, gamma0=16, beta=0.8,
              g1=1e-9, f_min=1.4e9, t0=298, rth=2.1e3, gap_min=0.2e-9, gap_max=1.7e-9)
    for k, val in v1.items():
        assert p[k] == pytest.approx(val, rel=1e-12), k
    assert p == MODEL.resolve()
    assert (G_MIN, G_MAX) == pytest.approx((0.2e-9, 1.7e-9))
    assert p["gap_ini"] == G_MIN  # v1.0.0 starts in the LRS
    vneg, vpos = MODEL.thresholds(p)
    # F_min * tox / gamma(gap_min) = 1.4e9 * 12e-9 / (16 - 0.8 * 0.2**3)
    assert vpos == pytest.approx(16.8 / (16 - 0.8 * 0.008), rel=1e-12) and vneg == -vpos


@pytest.mark.parametrize("bad, word", [
    ({"gap_min": 2e-9}, "gap_min"),
    ({"gap_ini": 0.1e-9}, "gap_ini"),
    ({"gap_ini": 2.0e-9}, "gap_ini"),
    ({"beta": 4.0}, "gamma0"),
    ({"i0": -1e-3}, "i0"),
    ({"dgap": 5e-9}, "dgap"),
    ({"gap_smooth": 0.5e-9}, "gap_smooth"),
    ({"tox": "12n"}, "tox"),
])
def test_invalid_parameter_is_a_clear_error(bad, word):
    with pytest.raises(ParameterError) as err:
        MODEL.resolve(bad)
    assert "stanford_pku" in str(err.value) and word in str(err.value)


# ---------------------------------------------------------------- numpy reference


def test_reference_is_v1_rate_away_from_bounds_and_threshold():
    v, g = 1.6, 1.0e-9
    i = 1e-3 * np.exp(-g / 0.25e-9) * np.sinh(v / 0.25)
    temp = 298 + v * i * 2.1e3
    gamma = 16 - 0.8 * (g / 1e-9) ** 3
    assert gamma * v / 12e-9 > 1.3 * 1.4e9  # well above the field threshold
    v1_rate = -10 * np.exp(-Q_E * 0.6 / (K_B * temp)) * np.sinh(gamma * 0.25e-9 / 12e-9 * Q_E * v / (K_B * temp))
    assert MODEL.reference.current(v, g, P) == pytest.approx(i, rel=1e-12)
    assert MODEL.reference.temperature(v, g, P) == pytest.approx(temp, rel=1e-12)
    assert MODEL.reference.dxdt(v, g, P) == pytest.approx(v1_rate, rel=1e-9)
    assert MODEL.reference.dxdt(-v, g, P) > 0  # RESET grows the gap


def test_reference_windows_stop_motion_at_the_bounds():
    ref = MODEL.reference
    fast = abs(ref.dxdt(1.6, 1.0e-9, P))
    # SET cannot shrink the gap below gap_min, RESET cannot grow it beyond gap_max
    assert ref.dxdt(1.6, G_MIN, P) >= 0 and abs(ref.dxdt(1.6, G_MIN, P)) < 1e-6 * fast
    assert ref.dxdt(-1.6, G_MAX, P) <= 0 and abs(ref.dxdt(-1.6, G_MAX, P)) < 1e-6 * fast
    # beyond a bound the window pushes the gap back
    assert ref.dxdt(1.6, G_MIN - 0.02e-9, P) > 0 and ref.dxdt(-1.6, G_MAX + 0.02e-9, P) < 0
    # below the field threshold the motion is negligible (v1.0.0: exactly zero)
    vth = P["f_min"] * P["tox"] / ref.gamma(1.0e-9, P)  # threshold at a 1 nm gap
    assert ref.threshold_step(0.9 * vth, 1.0e-9, P) < 1e-4 < 0.99 < ref.threshold_step(1.1 * vth, 1.0e-9, P)
    assert abs(ref.dxdt(0.9 * vth, 1.0e-9, P)) < 1e-5 * abs(ref.dxdt(1.1 * vth, 1.0e-9, P))
    assert ref.threshold_step(0.0, G_MIN, P) < 1e-20


# ---------------------------------------------------------------- ngspice


def test_current_is_zero_at_zero_voltage(f0_trace):
    at_zero = np.abs(f0_trace.v) < 1e-12  # t = 0, T/2, T (sin(2 pi) is -2e-16, not 0)
    assert at_zero.sum() >= 3
    assert np.all(np.abs(f0_trace.i[at_zero]) < 1e-12)


def test_loop_area_falls_with_frequency():
    areas = []
    for f in STIM.frequencies_hz:
        tr = simulate_device(MODEL, *sine(f, STIM.amplitude_v))
        areas.append(loop_area(tr.v, tr.i))
    assert areas[0] > 1.3 * areas[1] > 0 and areas[1] > 1.3 * areas[2] > 0, areas


def test_f0_loop_resets_gradually_from_lrs(f0_trace):
    g = f0_trace.x
    assert g[0] == G_MIN and np.all(np.diff(g[f0_trace.v > 0]) <= 1e-15)  # no SET past gap_min
    assert g.max() - G_MIN > 0.1 * SPAN  # RESET in the negative half: clear hysteresis
    assert g.max() < G_MAX - 0.5 * SPAN  # partial (gradual) RESET, not pinned at a bound


def test_ngspice_matches_numpy_reference(f0_trace):
    ref = reference(f0_trace, P["gap_ini"])
    rel = np.max(np.abs(f0_trace.i - ref.i)) / np.max(np.abs(ref.i))
    assert rel < STIM.ref_rel_tol, rel
    assert np.max(np.abs(f0_trace.x - ref.x)) < 1e-3 * SPAN


def test_ngspice_matches_reference_through_an_abrupt_set():
    """Full SET by thermal runaway from the HRS: $bound_step keeps ngspice on the trajectory."""
    tr = simulate_device(MODEL, *sine(3e5, 1.5), x0=G_MAX)
    assert tr.x.min() < G_MIN + 0.01 * SPAN  # really switched
    ref = reference(tr, G_MAX)
    assert np.max(np.abs(tr.i - ref.i)) / np.max(np.abs(ref.i)) < 0.05
    assert np.max(np.abs(tr.x - ref.x)) < 0.01 * SPAN


def test_state_stays_in_bounds_under_large_signal():
    t, v = sine(STIM.frequencies_hz[0], STIM.large_signal_v, periods=20, pts=200)
    tol = 1e-6 * SPAN  # the quadratic windows and the step bound leave no visible overshoot
    for g0 in (G_MIN, G_MAX):
        tr = simulate_device(MODEL, t, v, x0=g0)
        assert np.all(tr.x >= G_MIN - tol) and np.all(tr.x <= G_MAX + tol)
        assert tr.x.min() < G_MIN + 0.01 * SPAN and tr.x.max() > G_MAX - 0.01 * SPAN
        assert np.all(np.isfinite(tr.i))


@pytest.mark.parametrize("g0", [G_MIN, 1.0e-9, G_MAX])
def test_sub_threshold_drive_leaves_state_unchanged(g0):
    vth = MODEL.thresholds(P)[1]
    tr = simulate_device(MODEL, *sine(STIM.frequencies_hz[0], 0.9 * vth, periods=5), x0=g0)
    assert np.max(np.abs(tr.x - g0)) < 1e-4 * SPAN


def test_read_does_not_disturb():
    tr = simulate_device(MODEL, np.array([0.0, 1e-3]), np.full(2, STIM.v_read), x0=1.0e-9)
    assert np.max(np.abs(tr.x - 1.0e-9)) < 1e-9 * SPAN
    assert tr.i[-1] == pytest.approx(MODEL.reference.current(STIM.v_read, 1.0e-9, P), rel=1e-9)


@pytest.mark.parametrize("g0", [0.5e-9, 1.2e-9])
def test_op_tran_and_uic_honour_initial_state(g0):
    i_op, g_op = operating_point(MODEL, STIM.v_read, x0=g0)
    assert g_op == pytest.approx(g0, rel=1e-12)
    assert i_op == pytest.approx(MODEL.reference.current(STIM.v_read, g0, P), rel=1e-9)
    t, v = sine(STIM.frequencies_hz[0], STIM.amplitude_v)
    for uic in (False, True):
        tr = simulate_device(MODEL, t, v, x0=g0, uic=uic)
        assert tr.x[0] == pytest.approx(g0, rel=1e-9)
        ref = reference(tr, g0)
        assert np.max(np.abs(tr.x - ref.x)) < 1e-3 * SPAN


def test_batch_and_shared_engines_agree(f0_trace):
    shared = simulate_device(MODEL, *sine(STIM.frequencies_hz[0], STIM.amplitude_v), engine="shared")
    assert shared.t.shape == f0_trace.t.shape
    assert np.allclose(shared.i, f0_trace.i, rtol=1e-9, atol=1e-15)
    assert np.allclose(shared.x, f0_trace.x, rtol=1e-9, atol=1e-21)
    b = operating_point(MODEL, 0.2, x0=0.8e-9)
    s = operating_point(MODEL, 0.2, x0=0.8e-9, engine="shared")
    assert s == pytest.approx(b, rel=1e-12)


def test_dgap_instance_parameter_shifts_the_conductance():
    i_nom, _ = operating_point(MODEL, STIM.v_read, x0=1.0e-9)
    i_var, g = operating_point(MODEL, STIM.v_read, x0=1.0e-9, params={"dgap": 0.05e-9})
    assert g == pytest.approx(1.0e-9, rel=1e-12)  # the state itself is not moved
    assert i_var / i_nom == pytest.approx(np.exp(-0.05e-9 / P["g0"]), rel=1e-9)
    assert MODEL.param_map["dgap"].instance and MODEL.param_map["gap_ini"].instance
    line = MODEL.instance_line("N7", "a", "b", "dev", MODEL.resolve({"dgap": 1e-11}))
    assert "dgap=1e-11" in line and "gap_ini=" in line


def test_temperature_opvar_is_joule_heating():
    p = MODEL.resolve({"gap_ini": 0.4e-9})
    res = run_batch(device_netlist(MODEL, p, "DC 0.8"), ["op"], osdi=[MODEL.osdi()],
                    save=["@n1[temp]", "@n1[gap]", "i(vsrc)"])
    i = -res["i(vsrc)"][0]
    assert res["@n1[temp]"][0] == pytest.approx(298 + 0.8 * i * 2.1e3, rel=1e-9)
    assert res["@n1[temp]"][0] > 300


def test_pulse_trains_abrupt_set_gradual_reset():
    n = 30
    t, v, reads = pulse_train(STIM.set_pulse_v, STIM.pulse_width_s, n, edge_fraction=1 / 10)
    tr = simulate_device(MODEL, t, v, x0=G_MAX)
    up = np.interp(reads, tr.t, tr.x)
    assert np.all(np.diff(up) < 0)  # every SET pulse shrinks the gap ...
    assert G_MAX - up[0] < 0.01 * SPAN and up[-1] > G_MIN + 0.5 * SPAN  # ... a little, before any runaway
    t, v, reads = pulse_train(STIM.reset_pulse_v, STIM.pulse_width_s, n, edge_fraction=1 / 10)
    tr = simulate_device(MODEL, t, v, x0=G_MIN)
    dn = np.interp(reads, tr.t, tr.x)
    assert np.all(np.diff(dn) > 0)
    assert dn[0] - G_MIN < 0.1 * SPAN and dn[-1] - dn[0] > 0.3 * SPAN  # gradual, large total RESET
