"""End to end in software: the trained digits SLP read out through mapped conductances."""
from __future__ import annotations

import numpy as np
import pytest

from pycodesign.data import load_digits_dataset
from pycodesign.mapping import map_weights
from pycodesign.nn import train_slp

V_READ = 0.2  # V


@pytest.fixture(scope="module")
def trained():
    ds = load_digits_dataset(seed=0)
    return ds, train_slp(ds.x_train, ds.y_train, seed=0)


def _accuracy(mapped, ds):
    currents = mapped.output_currents(ds.x_test, v_read=V_READ)  # bias row driven at V_READ
    return float(np.mean(np.argmax(currents, axis=1) == ds.y_test))


@pytest.mark.parametrize("scheme", ["differential", "reference"])
def test_continuous_mapping_keeps_the_software_decisions(trained, scheme):
    ds, slp = trained
    w, b = slp.weights[0]
    m = map_weights(w, g_min=1e-6, g_max=100e-6, bias=b, scheme=scheme)
    currents = m.output_currents(ds.x_test, v_read=V_READ)
    np.testing.assert_allclose(m.to_weight_units(currents, v_read=V_READ), slp.predict_logits(ds.x_test), atol=1e-9)
    np.testing.assert_array_equal(np.argmax(currents, axis=1), slp.predict(ds.x_test))


def test_quantised_mapping_accuracy_improves_with_levels(trained):
    ds, slp = trained
    w, b = slp.weights[0]
    software = float(np.mean(slp.predict(ds.x_test) == ds.y_test))
    acc = {x: _accuracy(map_weights(w, g_min=1e-6, g_max=100e-6, levels=x, bias=b), ds) for x in (2, 6, 64)}
    assert acc[2] < acc[6] <= acc[64] + 0.005
    assert acc[64] >= software - 0.01
    assert acc[6] >= 0.90
