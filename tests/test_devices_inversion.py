"""Device state for a target conductance, reachable range, the linear flag (``pycodesign.devices.inversion``).

Fake models (an object with ``current`` and ``state_bounds``) check the
solver against closed forms; the registered models check it against their own
numpy reference and, for the QMM, against ngspice.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.special import lambertw

from pycodesign.analog.circuit import is_linear_model
from pycodesign.devices import ParameterError, get_model, list_models, reachable_conductance_range, state_for_conductance
from pycodesign.devices.simulate import operating_point


# ----------------------------------------------------------------------------
# fake models (closed forms, no device layer needed)


class LinearModel:
    """Ohmic device, conductance linear in the state x in [0, 1]."""

    state_bounds = (0.0, 1.0)

    def current(self, v, x, params):
        p = params or {"g_off": 1e-6, "g_on": 1e-4}
        return v * (p["g_off"] + (p["g_on"] - p["g_off"]) * np.asarray(x))


class ExpSinhModel:
    """Non-ohmic: I = g0 exp(-a x) sinh(k V) / k, conductance decreasing in x."""

    state_bounds = (0.0, 5.0)
    g0, a, k = 1e-4, 1.2, 3.0

    def current(self, v, x, params):
        return self.g0 * np.exp(-self.a * np.asarray(x)) * np.sinh(self.k * v) / self.k


class LambertWModel:
    """QMM-like: a diode of saturation current I0(lam) = I_min^(1-lam) I_max^lam in
    series with R, solved explicitly with the Lambert W function."""

    state_bounds = (0.0, 1.0)
    i_min, i_max, r, vt = 1e-9, 1e-5, 2e3, 0.05

    def current(self, v, lam, params):
        i0 = self.i_min ** (1 - np.asarray(lam)) * self.i_max ** np.asarray(lam)
        arg = i0 * self.r / self.vt * np.exp((v + i0 * self.r) / self.vt)
        return self.vt / self.r * lambertw(arg).real - i0


def test_state_for_linear_model_is_analytic():
    g = np.array([[1e-6, 2e-5], [5.05e-5, 1e-4]])
    x = state_for_conductance(LinearModel(), g, v_read=0.1)
    np.testing.assert_allclose(x, (g - 1e-6) / 99e-6, atol=1e-12)
    assert x.shape == (2, 2)
    p = {"g_off": 2e-6, "g_on": 4e-6}
    assert state_for_conductance(LinearModel(), 3e-6, v_read=0.1, params=p) == pytest.approx(0.5, abs=1e-12)


def test_state_for_nonohmic_decreasing_model():
    m = ExpSinhModel()
    v = 0.2
    g_read = lambda x: m.g0 * np.exp(-m.a * x) * np.sinh(m.k * v) / (m.k * v)  # noqa: E731
    want = np.array([0.0, 0.3, 2.0, 4.999])
    x = state_for_conductance(m, g_read(want), v_read=v)
    np.testing.assert_allclose(x, want, atol=1e-10)


def test_state_for_lambert_w_model():
    m = LambertWModel()
    v = 0.3
    # Check the Lambert-W closed form satisfies the implicit I-V: I = I0 (exp((V - I R)/Vt) - 1).
    lam = np.linspace(0, 1, 7)
    i = m.current(v, lam, None)
    i0 = m.i_min ** (1 - lam) * m.i_max ** lam
    np.testing.assert_allclose(i, i0 * np.expm1((v - i * m.r) / m.vt), rtol=1e-9)
    targets = np.array([m.current(v, 0.1, None), m.current(v, 0.55, None), m.current(v, 0.97, None)]) / v
    got = state_for_conductance(m, targets, v_read=v)
    np.testing.assert_allclose(got, [0.1, 0.55, 0.97], atol=1e-9)


def test_state_errors_name_target_and_range():
    with pytest.raises(ValueError, match=r"target conductance 0.0002 S is outside the range reachable at v_read = 0.1 V, \[1e-06, 0.0001\] S"):
        state_for_conductance(LinearModel(), [5e-5, 2e-4], v_read=0.1)

    class Bowl:
        state_bounds = (0.0, 1.0)

        def current(self, v, x, params):
            return v * (1e-6 + (np.asarray(x) - 0.5) ** 2 * 1e-4)

    with pytest.raises(ValueError, match="not strictly monotonic"):
        state_for_conductance(Bowl(), 1e-5, v_read=0.1)
    with pytest.raises(ValueError, match="v_read = 0.0 V must be finite and non-zero"):
        state_for_conductance(LinearModel(), 1e-5, v_read=0.0)
    with pytest.raises(TypeError, match="state_bounds"):
        state_for_conductance(object(), 1e-5, v_read=0.1)


class RegistryShapedModel:
    """Mimics pycodesign.devices.DeviceModel: numpy ``reference``, ``resolve``,
    ``state_bounds(params)``; HP-like R(x) = R_on x + R_off (1 - x)."""

    name = "fake_hp"

    class _Reference:
        def current(self, v, x, p):
            return np.asarray(v) / (p["r_on"] * np.asarray(x) + p["r_off"] * (1 - np.asarray(x)))

    reference = _Reference()

    def resolve(self, params=None):
        out = {"r_on": 100.0, "r_off": 16e3}
        out.update(params or {})
        return out

    def state_bounds(self, params=None):
        return (0.0, 1.0)


def test_state_for_registry_shaped_model_resolves_params():
    m = RegistryShapedModel()
    g = np.array([1 / 16e3, 1e-4, 5e-3, 1e-2])
    np.testing.assert_allclose(state_for_conductance(m, g, v_read=0.02), (1 / g - 16e3) / (100 - 16e3), atol=1e-14)
    x = state_for_conductance(m, 1e-3, v_read=0.02, params={"r_off": 2e3})
    assert x == pytest.approx((1e3 - 2e3) / (100 - 2e3), rel=1e-12)
    with pytest.raises(ValueError, match=r"1e-05 S is outside .* \[6.25e-05, 0.01\] S, of fake_hp"):
        state_for_conductance(m, [1e-3, 1e-5], v_read=0.02)


def test_state_solve_reaches_float_resolution():
    class ConductanceIsState:  # like the registry's "linear": x is g in siemens, up to 1 S
        def state_bounds(self, params):
            return (0.0, 1.0)

        def current(self, v, x, params):
            return np.asarray(x) * v

    g = np.array([3e-12, 1e-6, 0.37])
    np.testing.assert_allclose(state_for_conductance(ConductanceIsState(), g, v_read=0.1), g, rtol=1e-12, atol=0)


# ----------------------------------------------------------------------------
# registered models


@pytest.mark.parametrize("name, v_read", [("qmm", 0.1), ("hp", 0.1), ("yakopcic", 0.1), ("linear", 0.2)])
def test_state_for_conductance_round_trips_through_the_model(name, v_read):
    m = get_model(name)
    p = m.resolve()
    lo, hi = m.state.bounds(p)
    xs = np.linspace(lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo), 5)
    g = np.asarray(m.reference.current(v_read, xs, p)) / v_read
    x = state_for_conductance(m, g, v_read=v_read)
    np.testing.assert_allclose(np.asarray(m.reference.current(v_read, x, p)) / v_read, g, rtol=1e-9)


def test_qmm_state_reads_back_its_target_conductance_in_ngspice():
    m = get_model("qmm")
    p = m.resolve()
    v_read = 0.1
    g_lo = float(m.reference.current(v_read, 0.05, p)) / v_read
    g_hi = float(m.reference.current(v_read, 0.95, p)) / v_read
    targets = np.geomspace(g_lo, g_hi, 4)
    lam = state_for_conductance(m, targets, v_read=v_read)
    assert np.all(np.diff(lam) > 0)
    for g, l in zip(targets, lam):
        i, x = operating_point(m, v_read, x0=float(l))
        assert x == pytest.approx(l, rel=1e-9)
        assert i / v_read == pytest.approx(g, rel=1e-6)


def test_unreachable_conductance_is_refused_with_the_reachable_range():
    m = get_model("qmm")
    with pytest.raises(ValueError, match="reachable|range"):
        state_for_conductance(m, [1e3], v_read=0.1)


def test_state_for_conductance_takes_a_preset():
    m = get_model("vteam")
    # Pt/Hf/Ti (README): R_on = 100 ohm, R_off = 2.5 kohm; reachable 0.4 .. 10 mS at any read voltage.
    x = state_for_conductance(m, [4e-4, 5e-3, 1e-2], v_read=0.1, preset="pt_hf_ti")
    p = m.resolve(preset="pt_hf_ti")
    np.testing.assert_allclose(m.reference.current(0.1, x, p) / 0.1, [4e-4, 5e-3, 1e-2], rtol=1e-9)
    with pytest.raises(ValueError, match=r"0.005 S is outside the range reachable at v_read = 0.1 V, \[.*\] S, of vteam "):
        state_for_conductance(m, 5e-3, v_read=0.1)  # the default parameters reach only 1 mS
    with pytest.raises(ValueError, match=r"unknown preset 'nope'; known: pt_hf_ti"):
        state_for_conductance(m, 5e-4, v_read=0.1, preset="nope")
    with pytest.raises(TypeError, match="preset = 'pt_hf_ti' applies to registered device models only"):
        state_for_conductance(LinearModel(), 5e-5, v_read=0.1, preset="pt_hf_ti")


def test_linear_flagged_model_needs_no_solve_and_is_exact():
    g = np.array([[0.0, 3e-12], [1.234567890123e-4, 1.0]])
    x = state_for_conductance(get_model("linear"), g, v_read=0.2)
    np.testing.assert_array_equal(x, g)  # bit for bit: the state is the conductance
    with pytest.raises(ValueError, match=r"target conductance 2.0 S is outside the range reachable at v_read = 0.2 V, \[0.0, 1.0\] S, of linear"):
        state_for_conductance("linear", [0.5, 2.0], v_read=0.2)


# ----------------------------------------------------------------------------
# reachable conductance range


def test_reachable_range_of_closed_form_models():
    assert reachable_conductance_range(LinearModel(), v_read_v=0.1) == pytest.approx((1e-6, 1e-4), rel=1e-12)
    lo, hi = reachable_conductance_range(LinearModel(), v_read_v=-0.3, params={"g_off": 2e-6, "g_on": 4e-6})
    assert (lo, hi) == pytest.approx((2e-6, 4e-6), rel=1e-12)
    m = ExpSinhModel()  # decreasing in x: g(5) .. g(0), and non-ohmic: depends on the read voltage
    v = 0.2
    g_read = lambda x: m.g0 * np.exp(-m.a * x) * np.sinh(m.k * v) / (m.k * v)  # noqa: E731
    assert reachable_conductance_range(m, v_read_v=v) == pytest.approx((g_read(5.0), g_read(0.0)), rel=1e-12)


def test_reachable_range_of_registered_models_from_their_published_resistances():
    # Linear: the state bounds, exactly.
    assert reachable_conductance_range("linear", v_read_v=0.2) == (0.0, 1.0)
    # HP (Strukov 2008): R_on = 100 ohm, R_off = 16 kohm, ohmic at a fixed state.
    for preset in get_model("hp").presets:
        lo, hi = reachable_conductance_range("hp", v_read_v=0.05, preset=preset)
        assert (lo, hi) == pytest.approx((1 / 16e3, 1 / 100), rel=1e-12)
    assert reachable_conductance_range("hp", v_read_v=0.05, params={"r_off": 2e3}) == pytest.approx((5e-4, 1e-2), rel=1e-12)
    # VTEAM Pt/Hf/Ti: R_off = 2.5 kohm, R_on = 100 ohm.
    lo, hi = reachable_conductance_range(get_model("vteam"), v_read_v=0.1, preset="pt_hf_ti")
    assert (lo, hi) == pytest.approx((1 / 2.5e3, 1 / 100), rel=1e-9)


@pytest.mark.parametrize("name", ["qmm", "yakopcic", "stanford_pku", "team", "nonlinear_ion_drift"])
def test_reachable_range_bounds_what_state_for_conductance_accepts(name):
    m = get_model(name)
    v = m.stimulus.v_read
    lo, hi = reachable_conductance_range(m, v_read_v=v)
    p = m.resolve()
    x_lo, x_hi = m.state.bounds(p)
    ends = np.asarray(m.reference.current(v, np.array([x_lo, x_hi]), p)) / v
    assert (lo, hi) == pytest.approx((ends.min(), ends.max()), rel=1e-12)
    state_for_conductance(m, [lo, hi], v_read=v)  # the ends are reachable
    with pytest.raises(ValueError, match=r"outside the range reachable"):
        state_for_conductance(m, hi * (1 + 1e-6), v_read=v)


def test_reachable_range_refuses_bad_arguments():
    with pytest.raises(ValueError, match=r"v_read_v = 0.0 V must be finite and non-zero"):
        reachable_conductance_range("hp", v_read_v=0.0)
    with pytest.raises(ValueError, match=r"v_read_v = nan V"):
        reachable_conductance_range("hp", v_read_v=float("nan"))
    with pytest.raises(TypeError, match=r"v_read_v must be a read voltage in volts"):
        reachable_conductance_range("hp", v_read_v="0.1")
    with pytest.raises(ParameterError, match=r"hp: unknown preset 'x'; known: strukov2008_joglekar"):
        reachable_conductance_range("hp", v_read_v=0.1, preset="x")
    with pytest.raises(ParameterError, match=r"hp: parameter 'r_on' = -1.0 is out of range"):
        reachable_conductance_range("hp", v_read_v=0.1, params={"r_on": -1.0})
    with pytest.raises(ValueError, match="unknown device model 'nope'"):
        reachable_conductance_range("nope", v_read_v=0.1)


# ----------------------------------------------------------------------------
# the one linear flag


def test_only_the_linear_reference_resistor_is_flagged_linear():
    flagged = {name for name in list_models() if get_model(name).linear}
    assert flagged == {"linear"}
    for name in list_models():
        m = get_model(name)
        assert is_linear_model(m) is m.linear
    assert get_model("linear").memristive is False and get_model("hp").memristive is True


def test_the_linear_flag_is_checked_against_the_reference():
    hp = get_model("hp")
    with pytest.raises(ValueError, match=r"device model 'hp': linear=True promises I = state \* V exactly"):
        dataclasses.replace(hp, linear=True)  # I = V / R(x): linear in V, but x is not a conductance
    lin = get_model("linear")
    assert dataclasses.replace(lin, name="linear_copy").linear is True
