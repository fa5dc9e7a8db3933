"""Bad input is refused with a clear message before anything runs; failed simulations raise."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from pycodesign.analog import (CrossbarParasitics, CrossbarSpec, SolverConvergenceError, TiaConfig,
                               simulate, simulate_crossbar, solve, solve_crossbar)
from pycodesign.config import Architecture, build
from pycodesign.devices.registry import DeviceModel, Param, Reference, StateVar, StimulusHints
from pycodesign.spice import ConvergenceError, SimulationError

G = np.full((4, 3), 1e-4)
V = np.full((2, 4), 0.1)


@pytest.mark.parametrize("fn", [solve_crossbar, simulate_crossbar])
def test_nan_or_infinite_conductance(fn):
    for bad in (np.nan, np.inf, -np.inf):
        g = G.copy()
        g[2, 1] = bad
        with pytest.raises(ValueError, match=r"g\[2, 1\] = .* is not finite"):
            fn(g, V, r_row=1.0, r_col=1.0)


@pytest.mark.parametrize("fn", [solve_crossbar, simulate_crossbar])
def test_wrong_input_length(fn):
    with pytest.raises(ValueError, match=r"v_in has 5 values per input vector but the crossbar has 4 rows"):
        fn(G, np.zeros((2, 5)), r_row=1.0, r_col=1.0)
    with pytest.raises(ValueError, match=r"v_in\[1, 0\] = nan is not finite"):
        fn(G, np.array([[0.1] * 4, [np.nan, 0, 0, 0]]), r_row=1.0, r_col=1.0)


@pytest.mark.parametrize("fn", [solve_crossbar, simulate_crossbar])
def test_negative_or_bad_wire_resistance(fn):
    with pytest.raises(ValueError, match=r"r_row = -1\.0 is not allowed; allowed: a finite number >= 0 Ohm"):
        fn(G, V, r_row=-1.0, r_col=1.0)
    with pytest.raises(ValueError, match=r"r_col = nan is not allowed"):
        fn(G, V, r_row=1.0, r_col=float("nan"))


def test_spec_validation_names_argument_value_and_allowed():
    with pytest.raises(ValueError, match=r"cell = '2T2R' is not allowed; allowed: '1R', '1T1R'"):
        CrossbarSpec(G, cell="2T2R")
    with pytest.raises(ValueError, match=r"partitions = 9 is more than the 4 physical rows"):
        CrossbarSpec(G, partitions=9)
    with pytest.raises(ValueError, match=r"needs state_neg"):
        CrossbarSpec(G, differential="subtractor")
    with pytest.raises(ValueError, match=r"state_neg has shape \(3, 3\); expected \(4, 3\)"):
        CrossbarSpec(G, differential="opposite_polarity", state_neg=np.ones((3, 3)) * 1e-4)
    with pytest.raises(ValueError, match=r"CrossbarSpec.state\[0, 0\] = -0.001 is out of range; entries must be >= 0"):
        CrossbarSpec(-G * 10)
    # configuration sections check themselves with the loader's messages
    with pytest.raises(ValueError, match=r"c_crossing_f: -1e-15 is out of range; allowed: >= 0 F"):
        CrossbarParasitics(c_crossing_f=-1e-15)
    with pytest.raises(ValueError, match=r"kind: 'real' is not allowed; allowed: 'ideal', 'opamp'"):
        TiaConfig(kind="real")
    with pytest.raises(ValueError, match=r"unknown device model 'nosuch'"):
        CrossbarSpec(G, device="nosuch")
    with pytest.raises(ValueError, match=r"vread: unknown key; allowed here: mapping, array, tiling"):
        build(Architecture, {"vread": 0.2})


# --------------------------------------------------------------------------- non-convergence

# I = +1 A for V > 50 mV, -1 A otherwise: in series with the wires, KCL has no solution
# for a 0.1 V drive (V > 50 mV needs V = 0.1 - 2 V, V <= 50 mV needs V = 0.1 + 2 V).
NOSOL_VA = textwrap.dedent("""\
    `include "disciplines.vams"
    module pcd_test_nosolution(p, n);
        inout p, n;
        electrical p, n;
        (*type="instance"*) parameter real x0 = 0.5 from [0:1];
        (*desc="state", units="1"*) real x;
        analog begin
            x = x0;
            I(p, n) <+ (V(p, n) > 0.05) ? 1.0 : -1.0;
        end
    endmodule
    """)


class NoSolutionReference(Reference):
    def current(self, v, x, p):
        return np.where(np.asarray(v) > 0.05, 1.0, -1.0) * np.ones_like(np.asarray(x, dtype=float))

    def didv(self, v, x, p):
        return np.zeros(np.broadcast(np.asarray(v), np.asarray(x)).shape)

    def dxdt(self, v, x, p):
        return np.zeros(np.broadcast(np.asarray(v), np.asarray(x)).shape)


@pytest.fixture(scope="module")
def nosolution_model(tmp_path_factory):
    va = tmp_path_factory.mktemp("va") / "test_nosolution.va"
    va.write_text(NOSOL_VA)
    return DeviceModel(
        name="test_nosolution", title="test-only device without a DC solution", va_file=str(va),
        module="pcd_test_nosolution", params=(Param("x0", 0.5, "1", "state", low=0, high=1, instance=True),),
        state=StateVar("x", "x", "x0", "1", "state", bounds=lambda p: (0.0, 1.0)),
        reference=NoSolutionReference(), stimulus=StimulusHints(1.0, (1, 10, 100), 1, -1, 1e-3, 0.1))


@pytest.mark.parametrize("batch", [1, 3])
def test_nonconvergent_netlist_raises_and_returns_nothing(nosolution_model, tmp_path, batch):
    spec = CrossbarSpec(np.full((1, 1), 0.5), device=nosolution_model,
                        parasitics=CrossbarParasitics(r_row_ohm=1.0, r_col_ohm=1.0))
    v = np.full((batch, 1), 0.1)
    result = None
    with pytest.raises(ConvergenceError) as exc:
        result = simulate(spec, v, workdir=tmp_path)
    assert result is None
    assert "did not converge" in str(exc.value)
    assert exc.value.deck is not None and exc.value.deck.exists()  # kept for inspection
    with pytest.raises(SolverConvergenceError, match="Newton did not converge"):
        result = solve(spec, v)
    assert result is None
    assert issubclass(SolverConvergenceError, ConvergenceError) and issubclass(ConvergenceError, SimulationError)
