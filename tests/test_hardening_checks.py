"""Issue 8, section 3: device-aware read checks (:func:`pycodesign.devices.checks.read_findings`).

Golden values come from the device equations written out here (VTEAM's
R(x) end points, the QMM's diode equation solved with brentq), not from the
code under test; the reachable range is also cross-checked against
``devices.state_for_conductance``, which refuses the same targets.
"""
from __future__ import annotations

import math
import time

import numpy as np
import pytest
import yaml
from scipy.optimize import brentq

from pycodesign.config import ConfigError
from pycodesign.devices import get_model, list_models
from pycodesign.devices.checks import Finding, read_findings
from pycodesign.flows import flow_from_dict


def _errors(findings, key=None):
    return [f for f in findings if f.level == "error" and (key is None or f.key == key)]


def _warnings(findings, key=None):
    return [f for f in findings if f.level == "warning" and (key is None or f.key == key)]


def test_unreachable_g_lrs_on_vteam_is_an_error_naming_key_and_both_ranges():
    # VTEAM default: R between r_on = 1 kOhm and r_off = 10 kOhm -> G in [1e-4, 1e-3] S at any V_READ
    f = read_findings(get_model("vteam"), v_read_v=0.2, g_min_s=1e-4, g_max_s=1e-2)
    (e,) = _errors(f)
    assert e.key == "g_lrs_s"
    assert "G_LRS = 0.01 S is above what `vteam` reaches at V_READ = 0.2 V" in e.message
    assert "[0.0001, 0.001] S" in e.message and "requested [G_HRS, G_LRS] = [0.0001, 0.01] S" in e.message
    assert str(e).startswith("g_lrs_s: ")


def test_vteam_pt_hf_ti_reaches_r_on_and_no_further():
    # Pt/Hf/Ti: R_on = 100 Ohm, R_off = 2.5 kOhm -> G in [4e-4, 1e-2] S
    assert not _errors(read_findings("vteam", preset="pt_hf_ti", v_read_v=0.2, g_min_s=4e-4, g_max_s=1e-2))
    f = read_findings("vteam", preset="pt_hf_ti", v_read_v=0.2, g_min_s=1e-5, g_max_s=2e-2)
    keys = sorted(e.key for e in _errors(f))
    assert keys == ["g_hrs_s", "g_lrs_s"], f
    assert "[0.0004, 0.01] S" in _errors(f, "g_lrs_s")[0].message


def _qmm_current(v, lam, p):
    """The QMM I-V solved from its implicit form I = I0 (exp(a (V - I Rs)) - 1), without Lambert W."""
    i0 = p["i_min"] * (1 - lam) + p["i_max"] * lam
    return brentq(lambda i: i - i0 * math.expm1(p["alpha"] * (v - i * p["r_s"])), 0.0, v / p["r_s"], xtol=1e-18)


def test_qmm_reachable_range_matches_the_diode_equation():
    m = get_model("qmm")
    p = m.resolve()
    g_hi = _qmm_current(0.2, 1.0, p) / 0.2
    g_lo = _qmm_current(0.2, 0.0, p) / 0.2
    assert not _errors(read_findings(m, v_read_v=0.2, g_min_s=g_lo * 1.0001, g_max_s=g_hi * 0.9999))
    f = read_findings(m, v_read_v=0.2, g_min_s=g_lo * 0.99, g_max_s=g_hi * 1.01)
    assert sorted(e.key for e in _errors(f)) == ["g_hrs_s", "g_lrs_s"], f
    assert f"{g_hi:.4g}" in _errors(f, "g_lrs_s")[0].message


@pytest.mark.parametrize("name", list_models())
def test_reachable_range_agrees_with_state_for_conductance(name):
    from pycodesign.devices import state_for_conductance

    m = get_model(name)
    v = m.stimulus.v_read
    p = m.resolve()
    lo, hi = m.state.bounds(p)
    gs = m.reference.current(np.full(2, v), np.array([lo, hi]), p) / v
    g_lo, g_hi = float(np.min(gs)), float(np.max(gs))
    inside = g_hi * 0.999
    assert not _errors(read_findings(m, v_read_v=v, g_max_s=inside), "g_lrs_s")
    state_for_conductance(m, inside, v_read=v)
    outside = g_hi * 1.001
    assert _errors(read_findings(m, v_read_v=v, g_max_s=outside), "g_lrs_s")
    with pytest.raises(ValueError):
        state_for_conductance(m, outside, v_read=v)
    if g_lo > 0:
        assert _errors(read_findings(m, v_read_v=v, g_min_s=g_lo * 0.999), "g_hrs_s")
        with pytest.raises(ValueError):
            state_for_conductance(m, g_lo * 0.999, v_read=v)


def test_a_read_that_writes_is_an_error_and_a_near_threshold_read_a_warning():
    vt = dict(model="vteam", preset="pt_hf_ti", g_min_s=5e-4, g_max_s=5e-3)
    (e,) = _errors(read_findings(v_read_v=0.5, **vt))
    assert e.key == "v_read_v" and "a read that writes" in e.message and "threshold 0.5 V" in e.message
    assert "towards HRS" in e.message and "allowed: -0.53 V < V_READ < 0.5 V" in e.message
    f = read_findings(v_read_v=0.45, **vt)
    assert not _errors(f) and "90 % of the switching threshold" in _warnings(f, "v_read_v")[0].message
    assert read_findings(v_read_v=0.2, **vt) == []
    # Yakopcic thresholds are asymmetric (-0.15 V, +0.16 V): only the opposite polarity writes at 0.155 V
    assert not _errors(read_findings("yakopcic", v_read_v=0.155))
    (e,) = _errors(read_findings("yakopcic", v_read_v=0.155, bipolar=True))
    assert "(opposite polarity)" in e.message and "threshold -0.15 V" in e.message
    assert _errors(read_findings("yakopcic", v_read_v=0.2), "v_read_v")


def test_threshold_free_models_that_move_fast_at_v_read_are_refused_or_warned():
    # HP at 0.3 V: the drift moves the state by 1 % in well under a second; hp has no thresholds
    f = read_findings("hp", v_read_v=0.3)
    (w,) = _warnings(f, "v_read_v")
    assert "read disturb" in w.message
    assert not _warnings(read_findings("linear", v_read_v=0.2)) and not _errors(read_findings("linear", v_read_v=0.2))


def test_read_disturb_estimate_matches_a_reference_simulation():
    """The stated 1 % time, simulated with the numpy reference from the fastest-moving state, moves ~1 %."""
    m = get_model("hp")
    p = m.resolve()
    lo, hi = m.state.bounds(p)
    xs = np.linspace(lo, hi, 257)
    f = read_findings(m, v_read_v=0.05)
    (w,) = _warnings(f, "v_read_v")
    t1 = float(w.message.split(" in ")[1].split(" s ")[0])
    x_fast = xs[np.argmax(np.abs(m.reference.dxdt(np.full_like(xs, 0.05), xs, p)))]
    t = np.linspace(0, t1, 200)
    tr = m.reference.simulate(t, np.full_like(t, 0.05), p, x_fast)
    moved = abs(tr.x[-1] - tr.x[0]) / (hi - lo)
    assert 0.005 < moved < 0.015, moved


@pytest.mark.parametrize("kw, key, text, level", [
    (dict(v_read_v=300.0), "v_read_v", "|V_READ| = 300 V is above 10 V", "error"),
    (dict(v_read_v=-300.0), "v_read_v", "|V_READ| = 300 V is above 10 V", "error"),
    (dict(v_read_v=0.0), "v_read_v", "cannot read a conductance", "error"),
    (dict(v_read_v=float("nan")), "v_read_v", "cannot read a conductance", "error"),
    (dict(v_read_v=3.0), "v_read_v", "unusually high for a read", "warning"),
    (dict(v_read_v=0.2, g_max_s=100.0), "g_lrs_s", "G_LRS = 100 S is above 1 S", "error"),
    (dict(v_read_v=0.2, g_min_s=1e-13), "g_hrs_s", "G_HRS = 1e-13 S is below 1e-12 S", "error"),
    (dict(v_read_v=0.2, g_min_s=-1e-5), "g_hrs_s", "must be a finite conductance > 0 S", "error"),
    (dict(v_read_v=0.2, g_min_s=1e-3, g_max_s=1e-4), "g_hrs_s", "must be below G_LRS", "error"),
    (dict(v_read_v=0.2, params={"g": 5.0}), "device_params", "out of range", "error"),
])
def test_implausible_magnitudes(kw, key, text, level):
    f = read_findings("linear", **kw)
    hits = [x for x in f if x.key == key and x.level == level and text in x.message]
    assert hits, f


def test_findings_are_cheap_and_plain():
    t0 = time.perf_counter()
    for name in list_models():
        for f in read_findings(name, v_read_v=0.2, g_min_s=1e-5, g_max_s=1e-3, bipolar=True):
            assert isinstance(f, Finding) and f.level in ("error", "warning")
            assert f.key in ("v_read_v", "g_hrs_s", "g_lrs_s", "device_params")
    assert time.perf_counter() - t0 < 2.0


# --------------------------------------------------------------------------- in the characterisation flow


def _char(**over):
    d = {"kind": "characterize", "device": {"model": "vteam", "preset": "pt_hf_ti"}}
    for k, v in over.items():
        sec, key = k.split("__")
        d.setdefault(sec, {})[key] = v
    return d


@pytest.mark.parametrize("over, key, text", [
    ({"pulses__v_read": 20.0}, "pulses.v_read", "|20| V is above 10 V"),
    ({"read_disturb__v_read": 0.0}, "read_disturb.v_read", "0 V cannot read"),
    ({"read_disturb__v_read": -300.0}, "read_disturb.v_read", "above 10 V"),
    ({"pulses__set_pulse_v": -1000.0}, "pulses.set_pulse_v", "above 100 V"),
    ({"sweeps__amplitude_v": 500.0}, "sweeps.amplitude_v", "above 100 V"),
])
def test_characterize_refuses_voltages_that_cannot_be_meant(over, key, text):
    with pytest.raises(ConfigError) as info:
        flow_from_dict(_char(**over), file="c.yaml")
    assert str(info.value).startswith(f"c.yaml: {key}: ") and text in str(info.value), str(info.value)


def test_characterize_states_a_read_that_writes_as_a_warning(tmp_path, capsys):
    from pycodesign.cli import main

    flow = flow_from_dict(_char(pulses__v_read=0.6), file="c.yaml")
    (w,) = flow.warnings()
    assert w.startswith("pulses.v_read, read_disturb.v_read: V_READ = 0.6 V is at or beyond the switching threshold")
    assert "(measured by the read-disturb step)" in w
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(_char(pulses__v_read=0.6)))
    assert main(["check", str(path)]) == 0
    captured = capsys.readouterr()
    assert "warning: pulses.v_read, read_disturb.v_read: V_READ = 0.6 V" in captured.err
    assert "(1 warning(s))" in captured.out
