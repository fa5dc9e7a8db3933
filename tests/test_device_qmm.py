"""Model-specific tests of the quasi-static memdiode model (``qmm``).

Every ngspice test runs the compiled ``veriloga/qmm.va`` (Lambert W by Newton
iteration in Verilog-A); the numpy reference (``QmmReference``, Lambert W from
scipy) is run on ngspice's own time grid and voltage.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.special import lambertw

from pycodesign.devices.models.qmm import lambertw_exp
from pycodesign.devices.registry import ParameterError, get_model
from pycodesign.devices.simulate import device_netlist, operating_point, simulate_device
from pycodesign.spice import run_batch

from device_waveforms import loop_area, pulse_train, sine

MODEL = get_model("qmm")
STIM = MODEL.stimulus
P = MODEL.resolve()
REF = MODEL.reference


@pytest.fixture(scope="module")
def f0_trace():
    return simulate_device(MODEL, *sine(STIM.frequencies_hz[0], STIM.amplitude_v))


# ---------------------------------------------------------------- parameters


def test_presets_resolve():
    assert MODEL.resolve(preset="kit_symmetric") == P
    lst = MODEL.resolve(preset="aguirre_listing")
    assert (lst["eta_set"], lst["v_set"], lst["eta_res"], lst["v_res"], lst["gamma"]) == (15, 0.8, 4, -1.3, 0.9)
    assert (lst["i_min"], lst["i_max"], lst["r_s"]) == (2e-6, 2e-4, 1.0)
    assert MODEL.thresholds is None  # rates are exponential in V: no hard threshold


@pytest.mark.parametrize("bad, word", [
    ({"i_min": 1e-3}, "i_min"),
    ({"r_s": 0.0}, "r_s"),
    ({"v_res": 0.5}, "v_res"),
    ({"lam0": -0.1}, "lam0"),
    ({"gamma": 9.0}, "gamma"),
    ({"alpha": None}, "alpha"),
    ({"rs": 10.0}, "rs"),
])
def test_invalid_parameter_is_a_clear_error(bad, word):
    with pytest.raises(ParameterError) as err:
        MODEL.resolve(bad)
    assert "qmm" in str(err.value) and word in str(err.value)


# ---------------------------------------------------------------- numpy reference


def test_lambertw_exp_matches_scipy_and_survives_overflow():
    lz = np.r_[np.linspace(-60.0, 600.0, 20001), 29.999, 30.0, 30.001]  # dense, and across the seed switch
    assert lambertw_exp(lz) == pytest.approx(lambertw(np.exp(lz)).real, rel=1e-13)
    w = lambertw_exp(np.array([1e3, 1e5]))  # exp() would overflow
    assert np.all(np.isfinite(w)) and w + np.log(w) == pytest.approx([1e3, 1e5], rel=1e-14)


def test_current_solves_the_diode_equation_with_series_resistance():
    v = np.linspace(-3, 3, 61)
    for lam in (0.0, 0.37, 1.0):
        i = REF.current(v, lam, P)
        i0 = REF.i0(lam, P)
        vd = np.abs(v) - np.abs(i) * P["r_s"]
        assert i == pytest.approx(np.sign(v) * i0 * np.expm1(P["alpha"] * vd), rel=1e-10, abs=1e-18)
        assert REF.current(-v, lam, P) == pytest.approx(-i, rel=1e-14)  # odd in V
        assert np.all(np.diff(i) > 0)
    assert REF.current(0.0, 0.5, P) == 0.0
    # monotone in lam at the read voltage (needed to map conductances to states)
    lam = np.linspace(0, 1, 101)
    assert np.all(np.diff(REF.current(STIM.v_read, lam, P)) > 0)


def test_lam_for_current_inverts_current_vectorised():
    lam = np.array([0.0, 0.05, 0.5, 0.93, 1.0])
    i = REF.current(STIM.v_read, lam, P)
    assert REF.lam_for_current(STIM.v_read, i, P) == pytest.approx(lam, abs=1e-12)
    with pytest.raises(ValueError, match="must lie in"):
        REF.lam_for_current(STIM.v_read, 10 * i[-1], P)


def test_memory_equation_is_the_published_balance():
    v, lam = 1.1, 0.3
    tau_s = np.exp(-15 * (v - 0.8))
    tau_r = np.exp(15 * (v + 0.8))  # gamma = 0: lam^0 = 1
    assert REF.dxdt(v, lam, P) == pytest.approx((1 - lam) / tau_s - lam / tau_r, rel=1e-12)
    lst = MODEL.resolve(preset="aguirre_listing")
    v = -1.7
    tau_r = np.exp(4 * lam ** 0.9 * (v + 1.3))
    tau_s = np.exp(-15 * (v - 0.8))
    assert REF.dxdt(v, lam, lst) == pytest.approx((1 - lam) / tau_s - lam / tau_r, rel=1e-12)
    # the balance bounds lam: no motion past 1 under SET, nor past 0 under RESET
    assert REF.dxdt(3.0, 1.0, P) <= 0 and REF.dxdt(-3.0, 0.0, P) >= 0
    assert REF.dxdt(3.0, 1.01, P) < 0 and REF.dxdt(-3.0, -0.01, P) > 0


def test_zero_bias_retention_of_the_default_set():
    # both characteristic times at 0 V are exp(12) s (about 2 days): non-volatile on circuit time scales
    assert REF.dxdt(0.0, 0.0, P) == pytest.approx(np.exp(-12), rel=1e-12)
    assert REF.dxdt(0.0, 1.0, P) == pytest.approx(-np.exp(-12), rel=1e-12)
    assert abs(REF.dxdt(STIM.v_read, 0.5, P)) < 1e-4  # per second, at the read voltage


# ---------------------------------------------------------------- ngspice


def test_ngspice_current_matches_reference_over_a_dc_sweep():
    """DC sweep at fixed lam (idt is 0 in DC): the Verilog-A Lambert W against scipy's."""
    for lam in (0.0, 0.4, 1.0):
        p = MODEL.resolve({"lam0": lam})
        deck = device_netlist(MODEL, p, "DC 0") + ".options reltol=1e-7\n"
        res = run_batch(deck, ["dc vsrc -3 3 0.01"], osdi=[MODEL.osdi()], save=["v(p)", "i(vsrc)", "@n1[lam]"])
        assert np.all(res["@n1[lam]"] == lam)
        v, i = res["v(p)"], -res["i(vsrc)"]
        ref = REF.current(v, lam, p)
        assert np.max(np.abs(i - ref)) < 1e-6 * np.max(np.abs(ref))
        assert np.all(np.abs(i[np.abs(v) < 1e-12]) < 1e-15)


def test_current_is_zero_at_zero_voltage(f0_trace):
    at_zero = np.abs(f0_trace.v) < 1e-12  # t = 0, T/2, T (sin(2 pi) is -2e-16, not 0)
    assert at_zero.sum() >= 3
    assert np.all(np.abs(f0_trace.i[at_zero]) < 1e-12)


def test_loop_area_falls_with_frequency():
    areas = []
    for f in STIM.frequencies_hz:
        tr = simulate_device(MODEL, *sine(f, STIM.amplitude_v))
        areas.append(loop_area(tr.v, tr.i))
    assert areas[0] > 2 * areas[1] > 0 and areas[1] > 2 * areas[2] > 0, areas


def test_f0_loop_sets_and_resets(f0_trace):
    lam = f0_trace.x
    assert lam.max() > 0.5 and lam.max() < 0.99  # clear SET, not pinned at the bound
    assert lam[-1] < 0.2 * lam.max()  # and RESET in the negative half


def test_ngspice_matches_numpy_reference(f0_trace):
    ref = REF.simulate(f0_trace.t, f0_trace.v, P, P["lam0"])
    rel = np.max(np.abs(f0_trace.i - ref.i)) / np.max(np.abs(ref.i))
    assert rel < STIM.ref_rel_tol, rel
    assert np.max(np.abs(f0_trace.x - ref.x)) < 1e-3


def test_listing_preset_with_gamma_matches_reference():
    """gamma = 0.9 (lam^gamma in tau_R) and a 1-ohm series resistance, 1 Hz quasi-static loop."""
    tr = simulate_device(MODEL, *sine(1.0, 1.5), preset="aguirre_listing")
    p = MODEL.resolve(preset="aguirre_listing")
    ref = REF.simulate(tr.t, tr.v, p, 0.0)
    assert tr.x.max() > 0.9
    assert np.max(np.abs(tr.i - ref.i)) / np.max(np.abs(ref.i)) < 1e-3
    assert np.max(np.abs(tr.x - ref.x)) < 1e-3


@pytest.mark.parametrize("amp, tol", [(STIM.large_signal_v, 1e-6), (3.0, 1e-3)])
def test_state_stays_in_bounds_under_large_signal(amp, tol):
    """The balance equation keeps lam in [0, 1]; what is left is the integrator's
    overshoot when tau_S falls to ~1e-15 s at 3 V (trapezoidal ringing, measured
    < 1e-9 at 1.8 V, 6e-6 at 2 V, 4e-4 at 3 V)."""
    t, v = sine(STIM.frequencies_hz[0], amp, periods=20, pts=200)
    for lam0 in (0.0, 1.0):
        tr = simulate_device(MODEL, t, v, x0=lam0)
        assert np.all(tr.x >= -tol) and np.all(tr.x <= 1 + tol)
        assert tr.x.max() > 0.999 and tr.x.min() < 0.001
        assert np.all(np.isfinite(tr.i))


def test_read_does_not_disturb():
    tr = simulate_device(MODEL, np.array([0.0, 1e-3]), np.full(2, STIM.v_read), x0=0.5)
    assert np.max(np.abs(tr.x - 0.5)) < 1e-6
    assert tr.i[-1] == pytest.approx(REF.current(STIM.v_read, 0.5, P), rel=1e-6)


@pytest.mark.parametrize("lam0", [0.25, 0.8])
def test_op_tran_and_uic_honour_initial_state(lam0):
    i_op, lam_op = operating_point(MODEL, STIM.v_read, x0=lam0)
    assert lam_op == pytest.approx(lam0, abs=1e-12)
    assert i_op == pytest.approx(REF.current(STIM.v_read, lam0, P), rel=1e-9)
    t, v = sine(STIM.frequencies_hz[0], STIM.amplitude_v)
    for uic in (False, True):
        tr = simulate_device(MODEL, t, v, x0=lam0, uic=uic)
        assert tr.x[0] == pytest.approx(lam0, abs=1e-9)
        ref = REF.simulate(tr.t, tr.v, P, lam0)
        assert np.max(np.abs(tr.x - ref.x)) < 1e-3


def test_batch_and_shared_engines_agree(f0_trace):
    shared = simulate_device(MODEL, *sine(STIM.frequencies_hz[0], STIM.amplitude_v), engine="shared")
    assert shared.t.shape == f0_trace.t.shape
    assert np.allclose(shared.i, f0_trace.i, rtol=1e-9, atol=1e-15)
    assert np.allclose(shared.x, f0_trace.x, rtol=1e-9, atol=1e-12)
    b = operating_point(MODEL, -0.3, x0=0.6)
    s = operating_point(MODEL, -0.3, x0=0.6, engine="shared")
    assert s == pytest.approx(b, rel=1e-12)


def test_pulse_trains_potentiate_and_depress_gradually():
    n = 30
    t, v, reads = pulse_train(STIM.set_pulse_v, STIM.pulse_width_s, n)
    tr = simulate_device(MODEL, t, v, x0=0.0)
    up = np.interp(reads, tr.t, tr.x)
    assert np.all(np.diff(up) > 0)
    assert up[0] < 0.06 and up[-1] > 0.5
    t, v, reads = pulse_train(STIM.reset_pulse_v, STIM.pulse_width_s, n)
    tr = simulate_device(MODEL, t, v, x0=1.0)
    dn = np.interp(reads, tr.t, tr.x)
    assert np.all(np.diff(dn) < 0)
    assert dn[0] > 0.94 and dn[-1] < 0.5

