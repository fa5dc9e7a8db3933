"""The ``linear`` device model (non-memristive reference resistor) used by the array code."""
from __future__ import annotations

import numpy as np
import pytest

from pycodesign.devices.registry import ParameterError, get_model, list_models
from pycodesign.devices.simulate import operating_point, simulate_device


def test_registered_and_marked_non_memristive():
    assert "linear" in list_models()
    m = get_model("linear")
    assert m.module == "pcd_linear_g" and m.va_file == "linear_conductance.va"
    assert m.linear is True and m.memristive is False
    assert m.param_map["g"].instance and m.state.initial_param == "g" and m.state.opvar == "gstate"
    with pytest.raises(ParameterError, match=r"'g' = -1e-05 is out of range"):
        m.resolve({"g": -1e-5})


def test_ngspice_matches_ohms_law_and_state_is_constant():
    m = get_model("linear")
    i, x = operating_point(m, 0.3, x0=2.5e-4)
    assert i == pytest.approx(0.3 * 2.5e-4, rel=1e-12) and x == pytest.approx(2.5e-4, rel=1e-12)
    t = np.linspace(0, 1e-3, 201)
    v = 0.8 * np.sin(2 * np.pi * 1e3 * t)
    tr = simulate_device(m, t, v, x0=1e-3)
    np.testing.assert_allclose(tr.i, 1e-3 * tr.v, rtol=0, atol=1e-15)
    np.testing.assert_allclose(tr.x, 1e-3, rtol=1e-12)
    ref = m.reference.simulate(t, v, m.resolve({"g": 1e-3}), 1e-3)
    np.testing.assert_allclose(ref.i, 1e-3 * v, rtol=1e-12)
    np.testing.assert_allclose(m.reference.didv(v, 1e-3, {}), 1e-3)
