"""Model-specific tests of the Yakopcic memristor model (``yakopcic``).

Every ngspice test runs the compiled ``veriloga/yakopcic.va``; the numpy
reference (``YakopcicReference``) is written independently from the paper's
equations and is run on ngspice's own time grid and voltage.
"""
from __future__ import annotations

import numpy as np
import pytest

from pycodesign.devices.registry import ParameterError, get_model
from pycodesign.devices.simulate import operating_point, simulate_device

from device_waveforms import loop_area, pulse_train, sine

MODEL = get_model("yakopcic")
STIM = MODEL.stimulus


@pytest.fixture(scope="module")
def f0_trace():
    t, v = sine(STIM.frequencies_hz[0], STIM.amplitude_v)
    return simulate_device(MODEL, t, v)


# ---------------------------------------------------------------- parameters


def test_preset_is_the_oblea_set_and_default():
    p = MODEL.resolve(preset="oblea_ag_chalcogenide")
    expect = dict(a1=0.17, a2=0.17, b=0.05, vp=0.16, vn=0.15, ap=4000, an=4000, xp=0.3, xn=0.5,
                  alphap=1, alphan=5, eta=1, x0=0.11)
    assert p == pytest.approx(expect)
    assert MODEL.resolve() == p
    assert MODEL.thresholds(p) == (-0.15, 0.16)


@pytest.mark.parametrize("bad", [{"xp": 1.0}, {"a1": 0.0}, {"x0": 1.2}, {"eta": 0.5}, {"vp": -0.1},
                                 {"b": "big"}, {"no_such": 1}])
def test_invalid_parameter_is_a_clear_error(bad):
    key = next(iter(bad))
    with pytest.raises(ParameterError) as err:
        MODEL.resolve(bad)
    msg = str(err.value)
    assert msg.startswith("yakopcic: ") and (f"'{key}'" in msg or f"{key} must" in msg), msg


def test_unknown_preset_is_an_error():
    with pytest.raises(ParameterError, match="unknown preset"):
        MODEL.resolve(preset="tio2")


# ---------------------------------------------------------------- numpy reference (paper equations)


def test_reference_pieces_join_continuously():
    p = MODEL.resolve()
    ref = MODEL.reference
    eps = 1e-9
    # g vanishes at both thresholds, f = 1 where the window starts, I = 0 at V = 0
    assert abs(ref.g(p["vp"] + eps, p)) < 1e-4 and abs(ref.g(-p["vn"] - eps, p)) < 1e-4
    assert ref.f(1.0, p["xp"] + eps, p) == pytest.approx(1.0, abs=1e-6)
    assert ref.f(-1.0, 1 - p["xn"] - eps, p) == pytest.approx(1.0, abs=1e-6)
    # the windows vanish at the bounds and reverse beyond them (self-bounding)
    assert ref.f(1.0, 1.0, p) == pytest.approx(0.0, abs=1e-12) and ref.f(1.0, 1.05, p) < 0
    assert ref.f(-1.0, 0.0, p) == pytest.approx(0.0, abs=1e-12) and ref.f(-1.0, -0.05, p) < 0
    # dx/dt by hand at V = 0.25 V, x = 0.5 (positive motion beyond xp)
    g = 4000 * (np.exp(0.25) - np.exp(0.16))
    f = np.exp(-(0.5 - 0.3)) * ((0.3 - 0.5) / 0.7 + 1)
    assert ref.dxdt(0.25, 0.5, p) == pytest.approx(g * f, rel=1e-12)
    assert ref.current(-0.3, 0.5, p) == pytest.approx(0.17 * 0.5 * np.sinh(-0.015), rel=1e-12)
    # vectorised over v and x
    assert np.shape(ref.current(np.zeros((3, 4)), np.full(4, 0.5), p)) == (3, 4)


# ---------------------------------------------------------------- ngspice


def test_current_is_zero_at_zero_voltage(f0_trace):
    tr = f0_trace
    at_zero = np.abs(tr.v) < 1e-12
    assert at_zero.sum() >= 3  # t = 0, T/2, T are PWL points (sin(2 pi) is -2e-16, not 0)
    assert np.all(np.abs(tr.i[at_zero]) < 1e-12)


def test_loop_area_falls_with_frequency():
    areas = []
    for f in STIM.frequencies_hz:
        tr = simulate_device(MODEL, *sine(f, STIM.amplitude_v))
        areas.append(loop_area(tr.v, tr.i))
    assert areas[0] > 1.5 * areas[1] > 0 and areas[1] > 1.5 * areas[2] > 0, areas


def test_pinched_loop_changes_state_at_f0(f0_trace):
    x = f0_trace.x
    assert x.max() - x.min() > 0.2  # clear hysteresis, not pinned to a bound
    assert x.max() < 0.99 and x.min() > 0.0


def test_ngspice_matches_numpy_reference(f0_trace):
    tr = f0_trace
    p = MODEL.resolve()
    ref = MODEL.reference.simulate(tr.t, tr.v, p, p["x0"])
    rel = np.max(np.abs(tr.i - ref.i)) / np.max(np.abs(ref.i))
    assert rel < STIM.ref_rel_tol, rel
    assert np.max(np.abs(tr.x - ref.x)) < 1e-3


def test_state_stays_in_bounds_under_large_signal():
    f = STIM.frequencies_hz[0]
    t, v = sine(f, STIM.large_signal_v, periods=20, pts=400)
    for x0 in (0.02, 0.98):
        tr = simulate_device(MODEL, t, v, x0=x0)
        lo, hi = MODEL.state_bounds()
        assert np.all(tr.x >= lo - 1e-9) and np.all(tr.x <= hi + 1e-9)
        assert tr.x.max() > 0.9 and tr.x.min() < 0.1  # really driven to both ends
        assert np.all(np.isfinite(tr.i))


def test_sub_threshold_drive_leaves_state_unchanged():
    vneg, vpos = MODEL.thresholds(MODEL.resolve())
    amp = 0.95 * min(-vneg, vpos)
    tr = simulate_device(MODEL, *sine(STIM.frequencies_hz[0], amp, periods=5), x0=0.4)
    assert np.max(np.abs(tr.x - 0.4)) < 1e-12


def test_read_does_not_disturb():
    t = np.array([0.0, 1e-3])
    tr = simulate_device(MODEL, t, np.full(2, STIM.v_read), x0=0.3)
    assert np.max(np.abs(tr.x - 0.3)) < 1e-12
    p = MODEL.resolve()
    assert tr.i[-1] == pytest.approx(MODEL.reference.current(STIM.v_read, 0.3, p), rel=1e-9)


@pytest.mark.parametrize("x0", [0.2, 0.75])
def test_op_tran_and_uic_honour_initial_state(x0):
    p = MODEL.resolve({"x0": x0})
    i_op, x_op = operating_point(MODEL, STIM.v_read, x0=x0)
    assert x_op == pytest.approx(x0, abs=1e-12)
    assert i_op == pytest.approx(MODEL.reference.current(STIM.v_read, x0, p), rel=1e-9)
    t, v = sine(STIM.frequencies_hz[0], STIM.amplitude_v)
    for uic in (False, True):
        tr = simulate_device(MODEL, t, v, x0=x0, uic=uic)
        assert tr.x[0] == pytest.approx(x0, abs=1e-9)
        ref = MODEL.reference.simulate(tr.t, tr.v, p, x0)
        assert np.max(np.abs(tr.x - ref.x)) < 1e-3


def test_batch_and_shared_engines_agree(f0_trace):
    t, v = sine(STIM.frequencies_hz[0], STIM.amplitude_v)
    shared = simulate_device(MODEL, t, v, engine="shared")
    assert shared.t.shape == f0_trace.t.shape
    assert np.allclose(shared.i, f0_trace.i, rtol=1e-9, atol=1e-15)
    assert np.allclose(shared.x, f0_trace.x, rtol=1e-9, atol=1e-12)
    i_b, x_b = operating_point(MODEL, 0.1, x0=0.5)
    i_s, x_s = operating_point(MODEL, 0.1, x0=0.5, engine="shared")
    assert (i_s, x_s) == pytest.approx((i_b, x_b), rel=1e-12)


def test_pulse_trains_potentiate_and_depress_gradually():
    n = 40
    t, v, reads = pulse_train(STIM.set_pulse_v, STIM.pulse_width_s, n)
    up = np.interp(reads, *(lambda tr: (tr.t, tr.x))(simulate_device(MODEL, t, v, x0=0.11)))
    assert np.all(np.diff(up) > 0)
    assert up[0] - 0.11 < 0.05 and up[-1] - up[0] > 0.3  # many small steps, large total change
    t, v, reads = pulse_train(STIM.reset_pulse_v, STIM.pulse_width_s, n)
    tr = simulate_device(MODEL, t, v, x0=0.9)
    dn = np.interp(reads, tr.t, tr.x)
    assert np.all(np.diff(dn) < 0)
    assert 0.9 - dn[0] < 0.05 and dn[0] - dn[-1] > 0.3


def test_eta_minus_one_reverses_the_direction():
    t, v = sine(STIM.frequencies_hz[0], STIM.amplitude_v)
    t, v = t[: len(t) // 2 + 1], v[: len(v) // 2 + 1]  # positive half period only
    up = simulate_device(MODEL, t, v, x0=0.5)
    dn = simulate_device(MODEL, t, v, x0=0.5, params={"eta": -1.0})
    assert up.x[-1] > 0.55 and dn.x[-1] < 0.45
