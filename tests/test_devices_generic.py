"""Properties every registered memristor model must have, checked in ngspice.

Run over every model in the registry (models flagged ``memristive=False``
are excluded from the hysteresis properties).  Stimuli come from each
model's :class:`StimulusHints`; tolerances are stated here or in the hints.
"""
import math

import numpy as np
import pytest

from pycodesign.devices import characterize as ch
from pycodesign.devices.compile import VerilogACompileError, compile_va
from pycodesign.devices.registry import ParameterError, get_model, list_models
from pycodesign.devices.simulate import operating_point, simulate_device

MEMRISTORS = [m for m in list_models() if get_model(m).memristive]


def test_registry_has_the_six_issue_models():
    expected = {"hp", "nonlinear_ion_drift", "team", "vteam", "yakopcic", "stanford_pku", "qmm"}
    assert expected <= set(list_models())


def _sine(m, amplitude=None, f=None, periods=1.0, ppp=400):
    h = m.stimulus
    return ch.periodic_wave("sine", amplitude or h.amplitude_v, f or h.frequencies_hz[0],
                            periods=periods, points_per_period=ppp)


@pytest.mark.parametrize("name", MEMRISTORS)
def test_current_is_zero_when_voltage_crosses_zero(name):
    m = get_model(name)
    t, v = _sine(m, periods=2)
    tr = simulate_device(m, t, v)
    at_zero = np.abs(tr.v) < 1e-12
    # PWL breakpoints at t = 0, T/2, T, 3T/2, 2T are simulated exactly.
    assert at_zero.sum() >= 4
    assert np.max(np.abs(tr.i[at_zero])) < 1e-12
    # passive: current never flows against the voltage
    assert np.all(tr.i * tr.v >= -1e-15)


@pytest.mark.parametrize("name", MEMRISTORS)
def test_lobe_area_falls_as_frequency_rises(name):
    m = get_model(name)
    areas = []
    for f in m.stimulus.frequencies_hz:
        t, v = _sine(m, f=f)
        tr = simulate_device(m, t, v)
        areas.append(sum(ch.lobe_areas(tr.v, tr.i)))
    assert areas[0] > 0
    assert areas[0] > areas[1] > areas[2], areas


@pytest.mark.parametrize("name", MEMRISTORS)
def test_state_stays_in_bounds_over_long_large_signal_run(name):
    m = get_model(name)
    h = m.stimulus
    amp = h.large_signal_v or 1.5 * h.amplitude_v
    t, v = _sine(m, amplitude=amp, periods=20, ppp=200)
    tr = simulate_device(m, t, v)
    lo, hi = m.state_bounds()
    tol = 1e-6 * (hi - lo)
    assert np.all(np.isfinite(tr.x))
    assert tr.x.min() >= lo - tol and tr.x.max() <= hi + tol, (tr.x.min(), tr.x.max(), lo, hi)
    # and the run really moved the state
    assert tr.x.max() - tr.x.min() > 1e-3 * (hi - lo)


@pytest.mark.parametrize("name", [n for n in MEMRISTORS if get_model(n).thresholds is not None])
def test_threshold_model_holds_state_below_threshold(name):
    m = get_model(name)
    p = m.resolve()
    v_neg, v_pos = m.thresholds(p)
    assert v_neg < 0 < v_pos
    amp = 0.8 * min(-v_neg, v_pos)
    t, v = _sine(m, amplitude=amp, periods=5)
    tr = simulate_device(m, t, v)
    lo, hi = m.state_bounds()
    assert np.max(np.abs(tr.x - tr.x[0])) <= 1e-9 * (hi - lo)
    # control: above threshold the state does move
    t, v = _sine(m, amplitude=1.2 * max(-v_neg, v_pos), periods=1)
    tr = simulate_device(m, t, v)
    assert np.max(np.abs(tr.x - tr.x[0])) > 1e-6 * (hi - lo)


@pytest.mark.parametrize("name", MEMRISTORS)
def test_ngspice_agrees_with_numpy_reference(name):
    m = get_model(name)
    t, v = _sine(m)
    tr = simulate_device(m, t, v)
    p = m.resolve()
    ref = m.reference.simulate(tr.t, tr.v, p, p[m.state.initial_param])
    rel = np.max(np.abs(tr.i - ref.i)) / np.max(np.abs(ref.i))
    assert rel <= m.stimulus.ref_rel_tol, f"{name}: max rel. current difference {rel:.3g}"


@pytest.mark.parametrize("name", MEMRISTORS)
def test_op_tran_and_uic_honour_the_initial_state(name):
    m = get_model(name)
    lo, hi = m.state_bounds()
    h = m.stimulus
    for frac in (0.25, 0.75):
        x0 = lo + frac * (hi - lo)
        i_op, x_op = operating_point(m, h.v_read, x0=x0)
        assert math.isclose(x_op, x0, rel_tol=1e-9, abs_tol=1e-12 * (hi - lo))
        i_ref = float(m.reference.current(h.v_read, x0, m.resolve({m.state.initial_param: x0})))
        assert math.isclose(i_op, i_ref, rel_tol=1e-6)
        t = np.array([0.0, 1e-9, 2e-9])
        v = np.array([0.0, h.v_read, h.v_read])
        for uic in (False, True):
            tr = simulate_device(m, t, v, x0=x0, uic=uic)
            assert math.isclose(tr.x[0], x0, rel_tol=1e-9, abs_tol=1e-12 * (hi - lo)), (uic, tr.x[0], x0)


@pytest.mark.parametrize("name", MEMRISTORS)
def test_batch_and_in_process_engines_agree(name):
    m = get_model(name)
    t, v = _sine(m)
    a = simulate_device(m, t, v, engine="batch")
    b = simulate_device(m, t, v, engine="shared")
    assert a.t.shape == b.t.shape
    np.testing.assert_allclose(b.i, a.i, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("name", list_models())
def test_invalid_parameter_is_refused_with_a_clear_message(name):
    m = get_model(name)
    first = m.params[0].name
    with pytest.raises(ParameterError, match=rf"{name}: parameter '{first}' = nan"):
        m.resolve({first: float("nan")})
    with pytest.raises(ParameterError, match="unknown parameter 'no_such_param'; known: "):
        m.resolve({"no_such_param": 1.0})


def test_verilog_a_syntax_error_names_file_and_line(tmp_path):
    src = tmp_path / "broken.va"
    src.write_text('`include "disciplines.vams"\nmodule broken(p, n);\n  inout p, n; electrical p, n;\n'
                   "  analog I(p, n) <+ V(p, n) / 1e3\nendmodule\n")
    with pytest.raises(VerilogACompileError) as info:
        compile_va(src)
    assert info.value.line == 5
    assert f"{src}:5" in str(info.value)
    assert "expected ';'" in str(info.value)


def test_compile_cache_recompiles_only_on_change(tmp_path, monkeypatch):
    from pycodesign.devices.compile import last_compile_info

    monkeypatch.setenv("PYCODESIGN_CACHE", str(tmp_path / "cache"))
    src = tmp_path / "lin.va"
    body = '`include "disciplines.vams"\nmodule pcd_t_lin(p, n);\n  inout p, n; electrical p, n;\n' \
           "  parameter real r = {r} from (0:inf);\n  analog I(p, n) <+ V(p, n) / r;\nendmodule\n"
    src.write_text(body.format(r="1e3"))
    a = compile_va(src)
    assert not last_compile_info(src).cached
    assert compile_va(src) == a and last_compile_info(src).cached
    src.write_text(body.format(r="2e3"))
    b = compile_va(src)
    assert b != a and not last_compile_info(src).cached


def test_run_batch_refuses_a_deck_with_its_own_control_block():
    from pycodesign.spice import run_batch

    with pytest.raises(ValueError, match="without .control/.end"):
        run_batch("t\nR1 1 0 1k\n.control\nop\n.endc\n", ["op"])
    with pytest.raises(ValueError, match="without .control/.end"):
        run_batch("t\nR1 1 0 1k\n.end\n", ["op"])
