"""Fast solver vs ngspice on the same circuit description, and the stated topology.

The golden references here are independent of pycodesign.analog: Ohm's law
(zero parasitics), closed forms and hand-written nodal equations of the
topology stated in the issue, and ngspice itself.
"""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from pycodesign.analog import (AccessTransistor, CrossbarParasitics, CrossbarSolver, CrossbarSpec, TiaConfig,
                               simulate, simulate_crossbar, solve, solve_crossbar)
from pycodesign.devices.registry import DeviceModel, Param, Reference, StateVar, StimulusHints, get_model


def rel_err(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b) / np.abs(b)))


# --------------------------------------------------------------------------- linear: solver vs ngspice

CASES = [(rows, cols, r, dual) for rows, cols in [(64, 20), (128, 64)] for r in (0.1, 1.0, 10.0)
         for dual in (False, True)]


@pytest.mark.parametrize("rows,cols,r,dual", CASES, ids=[f"{a}x{b}-r{r}-{'dual' if d else 'single'}"
                                                         for a, b, r, d in CASES])
def test_solver_matches_ngspice_linear(rows, cols, r, dual):
    rng = np.random.default_rng(rows * 1000 + cols + int(r * 10) + dual)
    g = 1.0 / rng.uniform(1e3, 100e3, size=(rows, cols))  # 1 kOhm .. 100 kOhm
    v = rng.uniform(0.0, 0.3, size=(4, rows))
    i_solver = solve_crossbar(g, v, r_row=r, r_col=r, dual_side=dual)
    i_spice = simulate_crossbar(g, v, r_row=r, r_col=r, dual_side=dual)
    assert i_solver.shape == (4, cols) and i_spice.shape == (4, cols)
    assert rel_err(i_solver, i_spice) <= 1e-6
    # the parasitics matter at this size: the comparison is not trivially Ohm's law
    if r >= 1.0:
        assert rel_err(v @ g, i_spice) > 1e-4


def test_zero_parasitics_is_ohms_law():
    rng = np.random.default_rng(1)
    g = 1.0 / rng.uniform(1e3, 1e5, size=(17, 9))
    v = rng.uniform(0, 0.2, size=(50, 17))
    np.testing.assert_allclose(solve_crossbar(g, v, r_row=0.0, r_col=0.0), v @ g, rtol=1e-12, atol=0)
    np.testing.assert_allclose(simulate_crossbar(g, v[:3], r_row=0.0, r_col=0.0), v[:3] @ g, rtol=1e-9, atol=0)


def test_one_cell_closed_form():
    g, a, b, v = 1e-3, 7.0, 13.0, 0.25
    i_single = solve_crossbar([[g]], [[v]], r_row=a, r_col=b)[0, 0]
    i_dual = solve_crossbar([[g]], [[v]], r_row=a, r_col=b, dual_side=True)[0, 0]
    assert i_single == pytest.approx(v / (a + 1 / g + b), rel=1e-13)
    assert i_dual == pytest.approx(v / (a / 2 + 1 / g + b), rel=1e-13)  # two driver segments in parallel


@pytest.mark.parametrize("dual", [False, True])
def test_two_by_two_topology_by_hand(dual):
    """Hand-written KCL of the stated topology, 2 rows x 2 columns.

    Unknowns: WL00 WL01 WL10 WL11 BL00 BL01 BL10 BL11.  Wordline i: source
    V_i -a- WL_i0 -a- WL_i1 (dual: also V_i -a- WL_i1).  Bitline j: BL_0j -b-
    BL_1j -b- sensing node (0 V).  Device ij: WL_ij -g_ij- BL_ij.  Output j =
    BL_1j / b.
    """
    a, b = 3.0, 5.0
    ga, gb = 1 / a, 1 / b
    g00, g01, g10, g11 = 1e-3, 2e-3, 0.5e-3, 4e-3
    V0, V1 = 0.2, 0.1
    d = 1.0 if dual else 0.0
    # rows: KCL (sum of currents leaving the node = 0), columns: WL00 WL01 WL10 WL11 BL00 BL01 BL10 BL11
    A = np.array([
        [2 * ga + g00, -ga, 0, 0, -g00, 0, 0, 0],                 # WL00: to V0, to WL01, device 00
        [-ga, ga + d * ga + g01, 0, 0, 0, -g01, 0, 0],            # WL01: to WL00, (dual: to V0), device 01
        [0, 0, 2 * ga + g10, -ga, 0, 0, -g10, 0],                 # WL10
        [0, 0, -ga, ga + d * ga + g11, 0, 0, 0, -g11],            # WL11
        [-g00, 0, 0, 0, g00 + gb, 0, -gb, 0],                     # BL00: device 00, to BL10
        [0, -g01, 0, 0, 0, g01 + gb, 0, -gb],                     # BL01
        [0, 0, -g10, 0, -gb, 0, g10 + 2 * gb, 0],                 # BL10: device 10, to BL00, to sensing node 0
        [0, 0, 0, -g11, 0, -gb, 0, g11 + 2 * gb],                 # BL11
    ])
    rhs = np.array([ga * V0, d * ga * V0, ga * V1, d * ga * V1, 0, 0, 0, 0])
    x = np.linalg.solve(A, rhs)
    expected = np.array([x[6] * gb, x[7] * gb])
    g = np.array([[g00, g01], [g10, g11]])
    got = solve_crossbar(g, [[V0, V1]], r_row=a, r_col=b, dual_side=dual)[0]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    got_spice = simulate_crossbar(g, [[V0, V1]], r_row=a, r_col=b, dual_side=dual)[0]
    np.testing.assert_allclose(got_spice, expected, rtol=1e-9)


def test_many_vectors_one_factorisation_and_small_batches_agree():
    rng = np.random.default_rng(5)
    g = 1.0 / rng.uniform(1e3, 1e5, size=(40, 12))
    v = rng.uniform(0, 0.2, size=(300, 40))
    spec = CrossbarSpec(g, parasitics=CrossbarParasitics(r_row_ohm=2.0, r_col_ohm=2.0))
    solver = CrossbarSolver(spec)
    big = solver.solve(v).outputs  # transfer-matrix path
    small = np.vstack([solver.solve(v[k:k + 1]).outputs for k in range(0, 300, 37)])  # direct path
    np.testing.assert_allclose(big[::37], small, rtol=1e-11)


# --------------------------------------------------------------------------- partitions, 1T1R, TIA, differential


def test_partitioned_sum_equals_unpartitioned_with_zero_wire_resistance():
    rng = np.random.default_rng(2)
    g = 1.0 / rng.uniform(1e3, 1e5, size=(30, 8))
    v = rng.uniform(0, 0.2, size=(6, 30))
    whole = solve(CrossbarSpec(g), v).outputs
    for p in (2, 3, 7):
        part = solve(CrossbarSpec(g, partitions=p, col_partitions=2), v).outputs
        np.testing.assert_allclose(part, whole, rtol=1e-13)
        np.testing.assert_allclose(part, v @ g, rtol=1e-13)


def test_partitions_reduce_ir_drop_and_match_ngspice():
    rng = np.random.default_rng(3)
    g = 1.0 / rng.uniform(1e3, 1e4, size=(48, 8))
    v = np.full((2, 48), 0.2)
    par = CrossbarParasitics(r_row_ohm=5.0, r_col_ohm=5.0)
    ideal = v @ g
    errs = []
    for p in (1, 2, 4):
        spec = CrossbarSpec(g, parasitics=par, partitions=p)
        s = solve(spec, v).outputs
        assert rel_err(s, simulate(spec, v).outputs) <= 1e-6
        errs.append(np.max(np.abs(s - ideal) / ideal))
    assert errs[0] > errs[1] > errs[2]  # shorter bitlines: less IR drop


def test_1t1r_netlist_simulates_and_matches_solver():
    rng = np.random.default_rng(4)
    g = 1.0 / rng.uniform(1e3, 1e5, size=(12, 5))
    v = rng.uniform(0, 0.2, size=(3, 12))
    spec = CrossbarSpec(g, cell="1T1R", parasitics=CrossbarParasitics(r_row_ohm=1.0, r_col_ohm=1.0))
    i_spice = simulate(spec, v).outputs
    i_solver = solve(spec, v).outputs
    assert rel_err(i_solver, i_spice) <= 1e-6
    # the access transistor's on-resistance (~134 Ohm) lowers the current vs the 1R cell
    i_1r = solve(spec.replace(cell="1R"), v).outputs
    assert np.all(i_spice < i_1r)
    r_on = AccessTransistor().r_on_ohm
    assert 100 < r_on < 200
    # gate below threshold: the rows are deselected, almost no current
    off = spec.replace(transistor=AccessTransistor(v_gate_v=0.0))
    assert np.max(np.abs(simulate(off, v).outputs)) < 1e-9 * np.max(i_1r)


def test_opamp_tia_approaches_ideal_with_gain():
    rng = np.random.default_rng(6)
    g = 1.0 / rng.uniform(1e3, 1e5, size=(16, 4))
    v = rng.uniform(0, 0.2, size=(3, 16))
    par = CrossbarParasitics(r_row_ohm=1.0, r_col_ohm=1.0)
    ideal = simulate(CrossbarSpec(g, parasitics=par), v).outputs
    errs = []
    for gain in (1e2, 1e4, 1e9):
        spec = CrossbarSpec(g, parasitics=par, tia=TiaConfig(kind="opamp", gain=gain, r_f_ohm=10e3))
        s = simulate(spec, v).outputs
        assert rel_err(solve(spec, v).outputs, s) <= 1e-6
        errs.append(rel_err(s, ideal))
    assert errs[0] > errs[1] > errs[2]
    assert errs[2] < 1e-7


def test_differential_schemes_give_the_same_difference():
    rng = np.random.default_rng(7)
    gp = 1.0 / rng.uniform(1e3, 1e5, size=(20, 6))
    gn = 1.0 / rng.uniform(1e3, 1e5, size=(20, 6))
    v = rng.uniform(0, 0.2, size=(5, 20))
    want = v @ gp - v @ gn
    for tia in (TiaConfig(), TiaConfig(kind="opamp", gain=1e12)):
        for scheme in ("subtractor", "opposite_polarity"):
            spec = CrossbarSpec(gp, state_neg=gn, differential=scheme, tia=tia)
            np.testing.assert_allclose(solve(spec, v).outputs, want, rtol=1e-9, atol=1e-15)
            np.testing.assert_allclose(simulate(spec, v).outputs, want, rtol=1e-9, atol=1e-15)
    # reference column: output = I_j - I_ref
    gref = np.full(20, 5e-5)
    spec = CrossbarSpec(gp, state_neg=gref, differential="reference_column")
    np.testing.assert_allclose(simulate(spec, v).outputs, v @ gp - (v @ gref)[:, None], rtol=1e-9)
    # with parasitics both engines still agree for every scheme
    par = CrossbarParasitics(r_row_ohm=2.0, r_col_ohm=2.0)
    for scheme in ("subtractor", "opposite_polarity"):
        spec = CrossbarSpec(gp, state_neg=gn, differential=scheme, parasitics=par, dual_side=True)
        a, b = solve(spec, v).outputs, simulate(spec, v).outputs
        assert np.max(np.abs(a - b)) <= 1e-6 * np.max(np.abs(b))


# --------------------------------------------------------------------------- nonlinear devices (Newton)

SINH_VA = textwrap.dedent("""\
    // test-only nonlinear device: I = x * i0 * sinh(V / v0)
    `include "disciplines.vams"
    module pcd_test_sinh(p, n);
        inout p, n;
        electrical p, n;
        parameter real i0 = 1e-5;
        parameter real v0 = 0.05;
        (*type="instance"*) parameter real x0 = 0.5 from [0:1];
        (*desc="state", units="1"*) real x;
        analog begin
            x = x0;
            I(p, n) <+ x * i0 * sinh(V(p, n) / v0);
        end
    endmodule
    """)


class SinhReference(Reference):
    def current(self, v, x, p):
        return np.asarray(x) * p["i0"] * np.sinh(np.asarray(v) / p["v0"])

    def didv(self, v, x, p):
        return np.asarray(x) * p["i0"] / p["v0"] * np.cosh(np.asarray(v) / p["v0"])

    def dxdt(self, v, x, p):
        return np.zeros(np.broadcast(np.asarray(v), np.asarray(x)).shape)


@pytest.fixture(scope="module")
def sinh_model(tmp_path_factory):
    va = tmp_path_factory.mktemp("va") / "test_sinh.va"
    va.write_text(SINH_VA)
    return DeviceModel(
        name="test_sinh", title="test-only sinh device", va_file=str(va), module="pcd_test_sinh",
        params=(Param("i0", 1e-5, "A", "scale", low=0, low_open=True),
                Param("v0", 0.05, "V", "voltage scale", low=0, low_open=True),
                Param("x0", 0.5, "1", "state", low=0, high=1, instance=True)),
        state=StateVar("x", "x", "x0", "1", "state", bounds=lambda p: (0.0, 1.0)),
        reference=SinhReference(),
        stimulus=StimulusHints(1.0, (1, 10, 100), 1, -1, 1e-3, 0.1))


@pytest.mark.parametrize("rows,cols,r,dual", [(64, 20, 1.0, False), (64, 20, 10.0, True), (32, 8, 0.1, True)])
def test_newton_nonlinear_device_matches_ngspice(sinh_model, rows, cols, r, dual):
    rng = np.random.default_rng(11)
    x = rng.uniform(0.05, 1.0, size=(rows, cols))
    v = rng.uniform(0.0, 0.25, size=(5, rows))  # up to sinh(5): strongly nonlinear
    spec = CrossbarSpec(x, device=sinh_model, parasitics=CrossbarParasitics(r_row_ohm=r, r_col_ohm=r),
                        dual_side=dual)
    res = solve(spec, v)
    assert res.iterations.max() >= 2
    assert rel_err(res.outputs, simulate(spec, v).outputs) <= 1e-6
    # and it is far from the linearised answer: Newton did real work
    lin = v @ (x * 1e-5 / 0.05)
    assert rel_err(lin, res.outputs) > 0.05


def test_chord_and_full_newton_agree(sinh_model):
    rng = np.random.default_rng(13)
    x = rng.uniform(0.05, 1.0, size=(24, 6))
    v = rng.uniform(0.0, 0.3, size=(20, 24))
    spec = CrossbarSpec(x, device=sinh_model, parasitics=CrossbarParasitics(r_row_ohm=5.0, r_col_ohm=5.0))
    chord = CrossbarSolver(spec).solve(v)
    newton = CrossbarSolver(spec, chord_iter=0).solve(v)  # every vector through block-diagonal Newton
    assert newton.iterations.max() <= 8 < chord.iterations.max()  # quadratic vs linear convergence
    np.testing.assert_allclose(chord.outputs, newton.outputs, rtol=1e-11)


def test_newton_nonlinear_1t1r_opamp_differential(sinh_model):
    rng = np.random.default_rng(12)
    x = rng.uniform(0.05, 1.0, size=(10, 4))
    xn = rng.uniform(0.05, 1.0, size=(10, 4))
    v = rng.uniform(0.0, 0.2, size=(3, 10))
    spec = CrossbarSpec(x, device=sinh_model, cell="1T1R", state_neg=xn, differential="opposite_polarity",
                        tia=TiaConfig(kind="opamp", gain=1e5), partitions=2,
                        parasitics=CrossbarParasitics(r_row_ohm=2.0, r_col_ohm=2.0))
    a, b = solve(spec, v).outputs, simulate(spec, v).outputs
    assert np.max(np.abs(a - b)) <= 1e-6 * np.max(np.abs(b))


QMM_CASES = [(64, 20, 1.0, False), (64, 20, 10.0, True), (128, 64, 0.1, False), (128, 64, 1.0, True)]


@pytest.mark.parametrize("rows,cols,r,dual", QMM_CASES)
def test_qmm_solver_matches_ngspice(rows, cols, r, dual):
    qmm = get_model("qmm")
    p = qmm.resolve()
    lo, hi = qmm.state.bounds(p)
    rng = np.random.default_rng(rows + cols)
    x = rng.uniform(lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo), size=(rows, cols))
    vr = qmm.stimulus.v_read
    v = rng.uniform(0.0, vr, size=(3, rows))
    spec = CrossbarSpec(x, device="qmm", parasitics=CrossbarParasitics(r_row_ohm=r, r_col_ohm=r), dual_side=dual)
    assert rel_err(solve(spec, v).outputs, simulate(spec, v).outputs) <= 1e-3
