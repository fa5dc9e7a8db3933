"""Mapping target conductances to device states with the real registered models."""
import numpy as np
import pytest

from pycodesign.devices import get_model
from pycodesign.devices.simulate import operating_point
from pycodesign.mapping import state_for_conductance


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
