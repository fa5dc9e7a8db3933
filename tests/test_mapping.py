"""Weight -> conductance mapping (review Eq. 2, 4-9), quantisation, ADC resolution."""
from __future__ import annotations

import dataclasses
import itertools
import json

import numpy as np
import pytest

from pycodesign.mapping import (
    SCHEMES,
    MappedWeights,
    adc_bits_needed,
    adc_bits_review,
    adc_levels_needed,
    MAX_LEVELS,
    TIE_RTOL,
    linear_levels,
    map_weights,
    quantize_to_levels,
    snap_to_linear_levels,
)

# The review's worked example (Eq. 6): magnitudes in [0, 5].
W_EXAMPLE = np.array([
    [1.1, 4.7, -3.9, 4.9],
    [1.8, -3.0, -1.2, 0.2],
    [4.6, -4.9, 0.3, 1.3],
    [-0.9, 2.7, -2.2, -4.8],
])
# Worked out by hand: round |w| / 5 to the nearest multiple of 0.2, times 5.
# e.g. 1.1/5 = 0.22 -> 0.2 -> 1;  2.7/5 = 0.54 -> 0.6 -> 3;  0.3/5 = 0.06 -> 0 -> 0.
W_POS_EQ8 = np.array([
    [1, 5, 0, 5],
    [2, 0, 0, 0],
    [5, 0, 0, 1],
    [0, 3, 0, 0],
], dtype=float)
W_NEG_EQ8 = np.array([
    [0, 0, 4, 0],
    [0, 3, 1, 0],
    [0, 5, 0, 0],
    [1, 0, 2, 5],
], dtype=float)

G_LRS = 100e-6  # S
G_HRS = 1e-6  # S
H = G_HRS / G_LRS  # G_HRS in units of G_LRS
# Eq. 9, in units of G_LRS.
G_POS_EQ9 = np.array([
    [0.2, 1.0, H, 1.0],
    [0.4, H, H, H],
    [1.0, H, H, 0.2],
    [H, 0.6, H, H],
])
# G- as Eq. 8 requires (the printed Eq. 9 differs at [0, 1], [0, 3] and [3, 0]).
G_NEG_EQ8 = np.array([
    [H, H, 0.8, H],
    [H, 0.6, 0.2, H],
    [H, 1.0, H, H],
    [0.2, H, 0.4, 1.0],
])


# ----------------------------------------------------------------------------
# the worked example


def test_worked_example_eq8_quantised_weights():
    m = map_weights(W_EXAMPLE, g_min=G_HRS, g_max=G_LRS, levels=6, w_max=5.0)
    assert isinstance(m, MappedWeights) and m.scheme == "differential"
    np.testing.assert_allclose(m.w_pos_quantized, W_POS_EQ8, rtol=0, atol=1e-12)
    np.testing.assert_allclose(m.w_neg_quantized, W_NEG_EQ8, rtol=0, atol=1e-12)
    np.testing.assert_allclose(m.w_quantized, W_POS_EQ8 - W_NEG_EQ8, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(m.level_pos, W_POS_EQ8.astype(int))
    np.testing.assert_array_equal(m.level_neg, W_NEG_EQ8.astype(int))
    # Six linearly spaced states from G_HRS to G_LRS.
    np.testing.assert_allclose(m.levels, G_HRS + (G_LRS - G_HRS) * np.array([0, 0.2, 0.4, 0.6, 0.8, 1.0]))
    assert m.w_max == 5.0 and m.n_devices == 32 and m.n_clipped == 0


def test_worked_example_eq9_conductances_with_measured_levels():
    states = [G_HRS, 0.2 * G_LRS, 0.4 * G_LRS, 0.6 * G_LRS, 0.8 * G_LRS, G_LRS]
    m = map_weights(W_EXAMPLE, g_min=G_HRS, g_max=G_LRS, levels=states, w_max=5.0)
    np.testing.assert_allclose(m.g_pos, G_POS_EQ9 * G_LRS, rtol=1e-12)
    np.testing.assert_allclose(m.g_neg, G_NEG_EQ8 * G_LRS, rtol=1e-12)
    # The three entries where the review's printed Eq. 9 contradicts its Eq. 8.
    assert m.g_neg[0, 1] == G_HRS and m.g_neg[0, 3] == G_HRS
    assert m.g_neg[3, 0] == pytest.approx(0.2 * G_LRS)
    np.testing.assert_array_equal(m.level_pos, W_POS_EQ8.astype(int))
    np.testing.assert_array_equal(m.level_neg, W_NEG_EQ8.astype(int))
    # With G_HRS > 0 the state "0.2 G_LRS" stands for (0.2 G_LRS - G_HRS) / (G_LRS - G_HRS) * 5.
    np.testing.assert_allclose(m.w_quantized, (G_POS_EQ9 - G_NEG_EQ8) * G_LRS * 5.0 / (G_LRS - G_HRS), rtol=1e-12)


# ----------------------------------------------------------------------------
# schemes, currents, bias


def test_continuous_differential_is_exact_eq4_eq5():
    w = np.array([[0.5, -1.0], [2.0, 0.0], [-0.25, 1.5]])
    m = map_weights(w, g_min=2e-6, g_max=50e-6)
    assert m.w_max == 2.0 and m.levels is None and m.level_pos is None
    span = 48e-6
    np.testing.assert_allclose(m.g_pos, [[2e-6 + span * 0.25, 2e-6], [50e-6, 2e-6], [2e-6, 2e-6 + span * 0.75]])
    np.testing.assert_allclose(m.g_neg, [[2e-6, 2e-6 + span * 0.5], [2e-6, 2e-6], [2e-6 + span / 8, 2e-6]])
    np.testing.assert_allclose(m.w_quantized, w, atol=1e-12)
    assert m.weight_per_siemens == pytest.approx(2.0 / span)
    assert m.n_devices == 12


def test_output_currents_follow_kirchhoff():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(5, 3))
    x = rng.random((4, 5))
    v_read = 0.2
    for scheme in SCHEMES:
        m = map_weights(w, g_min=1e-6, g_max=1e-4, scheme=scheme)
        i = m.output_currents(x, v_read=v_read)
        # Independent: sum device currents V_i * G_ij one by one.
        want = np.zeros((4, 3))
        for n, j, r in itertools.product(range(4), range(3), range(5)):
            v = x[n, r] * v_read
            if scheme == "differential":
                want[n, j] += v * m.g_pos[r, j] - v * m.g_neg[r, j]
            else:
                want[n, j] += v * m.g[r, j] - v * m.g_ref[r]
        np.testing.assert_allclose(i, want, rtol=1e-12, atol=1e-18)
        np.testing.assert_allclose(m.to_weight_units(i, v_read=v_read), x @ w, rtol=1e-9, atol=1e-12)
        assert m.output_currents(x[0], v_read=v_read).shape == (3,)


def test_reference_column_scheme_eq2():
    w = np.array([[1.0, -2.0, 0.0], [-0.5, 2.0, 1.5]])
    m = map_weights(w, g_min=1e-6, g_max=101e-6, scheme="reference")
    g_ref = 51e-6
    np.testing.assert_allclose(m.g_ref, [g_ref, g_ref])
    np.testing.assert_allclose(m.g, g_ref + w * 100e-6 / 4.0)
    np.testing.assert_allclose(m.g[0, 1], 1e-6)  # -w_max -> G_HRS
    np.testing.assert_allclose(m.w_quantized, w, atol=1e-12)
    assert m.n_devices == 2 * 4 and m.g_pos is None
    assert set(m.conductances()) == {"g", "g_ref"}


def test_reference_scheme_with_levels():
    w = np.array([[-1.0, -0.7, -0.2, 0.0, 0.5, 0.9]])
    # 5 states (1..5 uS): mid-range 3 uS is a state; G = 3 uS + 2 uS * w,
    # so weights land on multiples of w_max / 2.
    m = map_weights(w, g_min=1e-6, g_max=5e-6, levels=5, scheme="reference")
    np.testing.assert_allclose(m.g_ref, [3e-6])
    np.testing.assert_allclose(m.w_quantized, [[-1.0, -0.5, 0.0, 0.0, 0.5, 1.0]], atol=1e-12)
    np.testing.assert_array_equal(m.level, [[0, 1, 2, 2, 3, 4]])
    assert m.n_clipped == 0
    # 4 states (1, 2, 3, 4 uS): mid 2.5 uS is no state -> reference on 2 uS (tie -> lower);
    # G = 2 uS + 1.5 uS * w, one state = 2/3 weight units, range -2/3 .. +4/3:
    # -1.0 and -0.7 fall below G_HRS and saturate.
    m4 = map_weights(w, g_min=1e-6, g_max=4e-6, levels=4, scheme="reference")
    np.testing.assert_allclose(m4.g_ref, [2e-6])
    np.testing.assert_allclose(m4.w_quantized, [[-2 / 3, -2 / 3, 0.0, 0.0, 2 / 3, 2 / 3]], atol=1e-12)
    assert m4.n_clipped == 2
    # A given reference (e.g. a fixed resistor of 2.4 uS) is used as is.
    mr = map_weights(w, g_min=1e-6, g_max=4e-6, levels=4, scheme="reference", g_ref=2.4e-6)
    np.testing.assert_allclose(mr.g_ref, [2.4e-6])
    np.testing.assert_allclose(mr.g, [[1e-6, 1e-6, 2e-6, 2e-6, 3e-6, 4e-6]])
    np.testing.assert_allclose(mr.w_quantized, [[-1.4, -1.4, -0.4, -0.4, 0.6, 1.6]] * np.array(2 / 3), atol=1e-12)


def test_bias_row():
    w = np.array([[1.0, -1.0], [0.5, 2.0]])
    b = np.array([-4.0, 0.25])
    x = np.array([[0.3, 0.9], [1.0, 0.0]])
    for scheme in SCHEMES:
        m = map_weights(w, g_min=1e-6, g_max=1e-4, bias=b, scheme=scheme)
        assert m.bias_row and m.n_rows == 3 and m.n_inputs == 2
        assert m.w_max == 4.0  # shared with the bias
        np.testing.assert_allclose(m.bias, b, atol=1e-12)
        np.testing.assert_allclose(m.weights, w, atol=1e-12)
        i = m.output_currents(x, v_read=0.1)
        np.testing.assert_allclose(m.to_weight_units(i, v_read=0.1), x @ w + b, atol=1e-9)
    assert map_weights(w, g_min=1e-6, g_max=1e-4, bias=b).n_devices == 12


# ----------------------------------------------------------------------------
# quantisation


def test_linear_levels_error_bound_and_grid():
    rng = np.random.default_rng(3)
    w = rng.normal(size=(20, 10))
    for x in (2, 3, 8, 33):
        m = map_weights(w, g_min=1e-6, g_max=1e-4, levels=x)
        step = m.w_max / (x - 1)
        # Each device is off by at most half a state; the pair by at most one state.
        assert np.max(np.abs(m.w_pos_quantized - np.maximum(w, 0))) <= step / 2 + 1e-12
        assert np.max(np.abs(m.w_quantized - w)) <= step / 2 + 1e-12
        k = m.w_quantized / step
        np.testing.assert_allclose(k, np.round(k), atol=1e-9)
        assert set(np.unique(m.g_pos)) <= set(m.levels)


def test_measured_levels_sorted_and_deduplicated():
    levels = [3e-5, 1e-6, 1e-4, 3e-5, 6e-5]
    m = map_weights([[0.0, 0.3, 0.55, 1.0]], g_min=1e-6, g_max=1e-4, levels=levels)
    np.testing.assert_array_equal(m.levels, [1e-6, 3e-5, 6e-5, 1e-4])
    # Targets 1, 30.7, 55.45, 100 uS -> nearest states 1, 30, 60, 100 uS.
    np.testing.assert_allclose(m.g_pos, [[1e-6, 3e-5, 6e-5, 1e-4]])


def test_quantize_to_levels_nearest_with_ties_low():
    q, idx = quantize_to_levels([-5.0, 0.4, 0.5, 0.6, 1.5, 9.0], [2.0, 0.0, 1.0])
    np.testing.assert_array_equal(q, [0.0, 0.0, 0.0, 1.0, 1.0, 2.0])
    np.testing.assert_array_equal(idx, [0, 0, 0, 1, 1, 2])
    assert linear_levels(3, 1e-6, 3e-6).tolist() == pytest.approx([1e-6, 2e-6, 3e-6])


def _nearest_brute_force(values, levels):
    """Index of the nearest level by exhaustive distance (ties: the first, i.e. lower, level)."""
    lv = np.unique(levels)
    return np.argmin(np.abs(np.asarray(values)[..., None] - lv), axis=-1)


def test_ties_go_to_the_lower_level_at_exact_midpoints():
    # Binary fractions: every midpoint is exact in float64.
    q, idx = quantize_to_levels([0.5, 1.5, 3.0, -2.0], [0.0, 1.0, 2.0, 4.0, -3.0, -1.0])
    np.testing.assert_array_equal(q, [0.0, 1.0, 2.0, -3.0])
    np.testing.assert_array_equal(idx, [2, 3, 4, 0])


def test_the_issue_example_752_5_uS_goes_to_505_uS_however_the_midpoint_is_computed():
    lv = linear_levels(3, 10e-6, 1e-3)
    a, b = lv[1], lv[2]
    midpoints = [752.5e-6, (a + b) / 2, a + (b - a) / 2, 0.5 * a + 0.5 * b]
    q, idx = quantize_to_levels(midpoints, lv)
    np.testing.assert_array_equal(idx, 1)
    assert q[0] == pytest.approx(505e-6, rel=1e-15)
    np.testing.assert_array_equal(snap_to_linear_levels(midpoints, 3, 10e-6, 1e-3), a)


def test_float_rounded_midpoints_are_ties_and_the_band_is_narrow():
    rng = np.random.default_rng(7)
    for _ in range(3000):
        g_min = float(rng.uniform(1e-7, 1e-4))
        g_max = g_min + float(rng.uniform(1e-7, 1e-3))
        if rng.random() < 0.5:
            lv = linear_levels(int(rng.integers(2, 300)), g_min, g_max)
        else:  # measured levels: arbitrary spacing
            lv = np.unique(rng.uniform(g_min, g_max, size=int(rng.integers(2, 40))))
        k = int(rng.integers(0, lv.size - 1))
        a, b = lv[k], lv[k + 1]
        for mid in ((a + b) / 2, a + (b - a) / 2, 0.5 * a + 0.5 * b, b - (b - a) / 2):
            assert quantize_to_levels([mid], lv)[1][0] == k, (a, b, mid)
        # Just outside the band the nearest level wins: 4 band half-widths past
        # the midpoint is still ~1e-14 relative, far below any level spacing.
        past = 4 * TIE_RTOL * b
        mid = (a + b) / 2
        assert quantize_to_levels([mid + past], lv)[1][0] == k + 1
        assert quantize_to_levels([mid - past], lv)[1][0] == k


def test_quantiser_equals_exhaustive_nearest_away_from_ties():
    rng = np.random.default_rng(11)
    lv = np.sort(rng.uniform(-2.0, 3.0, size=17))
    v = rng.uniform(-4.0, 5.0, size=5000)
    q, idx = quantize_to_levels(v, lv)
    np.testing.assert_array_equal(idx, _nearest_brute_force(v, lv))
    np.testing.assert_array_equal(q, lv[idx])


def test_snap_to_linear_levels_clips_and_lands_on_states():
    rng = np.random.default_rng(5)
    g = rng.uniform(-1e-4, 2e-3, size=(40, 30))
    snapped = snap_to_linear_levels(g, 5, 1e-5, 1e-3)
    lv = linear_levels(5, 1e-5, 1e-3)
    assert snapped.shape == g.shape
    assert set(np.unique(snapped)) <= set(lv)
    np.testing.assert_array_equal(snapped[g <= 1e-5], 1e-5)
    np.testing.assert_array_equal(snapped[g >= 1e-3], 1e-3)
    np.testing.assert_array_equal(snapped, lv[_nearest_brute_force(np.clip(g, 1e-5, 1e-3), lv)])
    assert float(snap_to_linear_levels(3e-4, 2, 1e-5, 1e-3)) == 1e-5


@pytest.mark.parametrize("args, error, message", [
    (([1e-4, np.nan], 4, 1e-5, 1e-3), ValueError, r"g\[1\] = nan S is not finite"),
    ((1e-4, 1, 1e-5, 1e-3), ValueError, "need at least 2 conductance states"),
    ((1e-4, 10**12, 1e-5, 1e-3), ValueError, r"levels = 1000000000000 is too many .* MAX_LEVELS = 65536"),
    ((1e-4, 4.0, 1e-5, 1e-3), TypeError, "n_levels must be an int"),
    ((1e-4, 4, 1e-3, 1e-5), ValueError, "must be below g_max"),
    ((1e-4, 4, 0.0, 1e-3), ValueError, r"g_min = 0.0 S is not allowed"),
])
def test_snap_refuses_bad_arguments(args, error, message):
    with pytest.raises(error, match=message):
        snap_to_linear_levels(*args)


def test_quantiser_refuses_bad_levels_and_values():
    with pytest.raises(ValueError, match=r"levels must be a non-empty 1-D array .*\(shape \(2, 2\)\)"):
        quantize_to_levels([0.5], [[0.0, 1.0], [2.0, 3.0]])
    with pytest.raises(ValueError, match="non-empty"):
        quantize_to_levels([0.5], [])
    with pytest.raises(ValueError, match=r"values\[0, 1\] = inf is not finite"):
        quantize_to_levels([[0.5, np.inf]], [0.0, 1.0])


def test_levels_are_capped_before_anything_is_allocated():
    assert MAX_LEVELS == 2**16
    assert linear_levels(MAX_LEVELS, 1e-6, 1e-4).size == MAX_LEVELS
    with pytest.raises(ValueError, match=r"levels = 65537 is too many conductance states: at most MAX_LEVELS = 65536"):
        map_weights([[1.0]], g_min=1e-6, g_max=1e-4, levels=MAX_LEVELS + 1)
    with pytest.raises(ValueError, match=r"levels = 1099511627776 is too many"):
        map_weights([[1.0]], g_min=1e-6, g_max=1e-4, levels=2**40)
    with pytest.raises(ValueError, match=r"levels holds 65537 conductances: at most MAX_LEVELS = 65536"):
        map_weights([[1.0]], g_min=1e-6, g_max=1e-4, levels=np.linspace(1e-6, 1e-4, MAX_LEVELS + 1))


def test_w_max_saturation_is_counted():
    m = map_weights([[0.5, -3.0, 2.0]], g_min=1e-6, g_max=1e-4, w_max=1.0)
    assert m.n_clipped == 2
    np.testing.assert_allclose(m.w_quantized, [[0.5, -1.0, 1.0]], atol=1e-12)


def test_all_zero_weights_map_to_hrs():
    m = map_weights(np.zeros((2, 2)), g_min=1e-6, g_max=1e-4, levels=4)
    np.testing.assert_array_equal(m.g_pos, np.full((2, 2), 1e-6))
    np.testing.assert_array_equal(m.w_quantized, 0.0)


def test_result_is_frozen_and_serialisable():
    m = map_weights(W_EXAMPLE, g_min=G_HRS, g_max=G_LRS, levels=6)
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.w_max = 1.0
    with pytest.raises(ValueError):
        m.g_pos[0, 0] = 0.0
    d = json.loads(json.dumps(m.to_dict()))
    assert d["scheme"] == "differential" and len(d["g_pos"]) == 4 and d["g"] is None


# ----------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(g_min=1e-4, g_max=1e-5), r"g_min \(G_HRS\) = 0.0001 S must be below g_max \(G_LRS\) = 1e-05 S"),
        (dict(g_min=1e-5, g_max=1e-5), r"g_min \(G_HRS\) = 1e-05 S must be below"),
        (dict(g_min=0.0, g_max=1e-5), r"g_min = 0.0 S is not allowed.*> 0"),
        (dict(g_min=-1e-6, g_max=1e-5), r"g_min = -1e-06 S"),
        (dict(g_min=1e-6, g_max=float("inf")), r"g_max = inf S"),
        (dict(g_min=1e-6, g_max=1e-4, levels=0), r"levels = 0: need at least 2 conductance states.*allowed: None"),
        (dict(g_min=1e-6, g_max=1e-4, levels=1), r"levels = 1: need at least 2"),
        (dict(g_min=1e-6, g_max=1e-4, levels=[]), r"levels is empty; allowed"),
        (dict(g_min=1e-6, g_max=1e-4, levels=[5e-5, 5e-5]), r"1 distinct conductance\(s\), need at least 2"),
        (dict(g_min=1e-6, g_max=1e-4, levels=[1e-6, -2e-6]), r"levels\[1\] = -2e-06 S is not allowed"),
        (dict(g_min=1e-6, g_max=1e-4, levels=[1e-6, float("nan")]), r"levels\[1\] = nan S"),
        (dict(g_min=1e-6, g_max=1e-4, levels=[1e-6, 2e-4]), r"levels\[1\] = 0.0002 S lies outside \[g_min, g_max\]"),
        (dict(g_min=1e-6, g_max=1e-4, scheme="bridge"), r"scheme = 'bridge' is not allowed; allowed: 'differential', 'reference'"),
        (dict(g_min=1e-6, g_max=1e-4, w_max=0.0), r"w_max = 0.0 is not allowed"),
        (dict(g_min=1e-6, g_max=1e-4, bias=[1.0, 2.0]), r"bias has 2 entries but W has 4 columns"),
        (dict(g_min=1e-6, g_max=1e-4, bias=[1.0, 2.0, np.inf, 0.0]), r"bias\[2\] = inf is not finite"),
        (dict(g_min=1e-6, g_max=1e-4, g_ref=5e-5), r"g_ref = 5e-05 applies only to scheme='reference'"),
        (dict(g_min=1e-6, g_max=1e-4, scheme="reference", g_ref=2e-4), r"g_ref = 0.0002 S lies outside"),
    ],
)
def test_bad_arguments_name_the_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        map_weights(W_EXAMPLE, **kwargs)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(
    "W, kwargs, message",
    [
        # Weights near the float64 limit: weight_per_siemens = 1e308 / 1e-3 S overflows.
        ([[1e308, -1e308]], dict(g_min=1e-5, g_max=1e-3), r"w_max = 1e\+308 and g_max - g_min = 0.00099 S is inf"),
        ([[1.0, -0.5]], dict(g_min=1e-5, g_max=1e-3, w_max=1.7e308), r"w_max = 1.7e\+308 .* is inf"),
        # Conductances near the smallest float: the span is subnormal.
        ([[1.0, -0.5]], dict(g_min=5e-324, g_max=1e-323), r"g_max - g_min = 5e-324 S is inf"),
        # A subnormal scale: the weights would lose their precision.
        ([[1.0, -0.5]], dict(g_min=1e-5, g_max=1e-3, w_max=1e-320), r"w_max = 1e-320 .* not a finite normal float64"),
    ],
)
def test_weight_scales_float64_cannot_carry_are_refused(W, kwargs, message, scheme):
    with pytest.raises(ValueError, match=message):
        map_weights(W, scheme=scheme, **kwargs)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_extreme_but_representable_scales_map_to_finite_weights(scheme):
    with np.errstate(all="raise"):  # no hidden overflow warnings either
        m = map_weights([[1e300, -0.5]], g_min=1e-5, g_max=1e-3, levels=5, scheme=scheme)
        big = map_weights([[1e308, -0.5]], g_min=1e-5, g_max=1e-3, w_max=1e-5, scheme=scheme)
    assert np.all(np.isfinite(m.w_quantized)) and m.w_quantized[0, 0] == pytest.approx(1e300, rel=1e-12)
    assert big.n_clipped == 2 and np.all(np.isfinite(big.w_quantized))
    tiny = map_weights([[1.0, -0.5]], g_min=1e-300, g_max=2e-300, scheme=scheme)
    np.testing.assert_allclose(tiny.w_quantized, [[1.0, -0.5]], rtol=1e-12)


def test_non_finite_weights_name_the_index():
    w = W_EXAMPLE.copy()
    w[1, 2] = np.nan
    w[3, 0] = np.inf
    with pytest.raises(ValueError, match=r"W\[1, 2\] = nan is not finite \(2 non-finite value\(s\)\)"):
        map_weights(w, g_min=1e-6, g_max=1e-4)
    w = W_EXAMPLE.copy()
    w[0, 3] = -np.inf
    with pytest.raises(ValueError, match=r"W\[0, 3\] = -inf"):
        map_weights(w, g_min=1e-6, g_max=1e-4)
    with pytest.raises(ValueError, match=r"W must have shape \(n_in, n_out\)"):
        map_weights([1.0, 2.0], g_min=1e-6, g_max=1e-4)
    with pytest.raises(TypeError, match="levels"):
        map_weights(W_EXAMPLE, g_min=1e-6, g_max=1e-4, levels=2.5)


# ----------------------------------------------------------------------------
# converter resolution


def test_adc_numbers_quoted_by_the_review():
    # Binary inputs and weights, 256 rows.
    assert adc_bits_review(256, 1, 1) == 8
    assert adc_levels_needed(256, 1, 1) == 257
    assert adc_bits_needed(256, 1, 1) == 9
    # 5-bit weights: 31 * 256 = 7936 -> 13 bits; 7937 levels -> 13 bits.
    assert adc_bits_review(256, 1, 5) == 13
    assert adc_levels_needed(256, 1, 5) == 7937
    assert adc_bits_needed(256, 1, 5) == 13
    # Signed weights read differentially span -7936..7936.
    assert adc_levels_needed(256, 1, 5, signed_weights=True) == 15873
    assert adc_bits_needed(256, 1, 5, signed_weights=True) == 14


@pytest.mark.parametrize("n_rows, k, m", [(4, 1, 3), (3, 2, 1), (5, 1, 1), (2, 1, 4)])
def test_adc_levels_match_brute_force_enumeration(n_rows, k, m):
    xs = range(2**k)
    ws = range(2**m)
    products = sorted({x * w for x in xs for w in ws})
    sums = {sum(p) for p in itertools.product(products, repeat=n_rows)}
    assert len(sums) == adc_levels_needed(n_rows, k, m)
    assert adc_bits_needed(n_rows, k, m) == int(np.ceil(np.log2(len(sums))))


def test_adc_levels_span_includes_unreachable_top_sums():
    # 2-bit inputs and weights: per-row products {0,1,2,3,4,6,9}; over 3 rows
    # the sums 23, 25 and 26 cannot occur, but the range 0..27 needs 28 codes.
    products = {x * w for x in range(4) for w in range(4)}
    sums = {sum(p) for p in itertools.product(products, repeat=3)}
    assert sorted(set(range(28)) - sums) == [23, 25, 26]
    assert adc_levels_needed(3, 2, 2) == 28 and adc_bits_needed(3, 2, 2) == 5


def test_adc_formulas_differ_only_for_binary_power_of_two_rows():
    for n, k, m in itertools.product(range(1, 300), range(1, 5), range(1, 5)):
        differs = adc_bits_needed(n, k, m) != adc_bits_review(n, k, m)
        assert differs == (k == 1 and m == 1 and (n & (n - 1)) == 0), (n, k, m)


def test_adc_bad_arguments():
    with pytest.raises(ValueError, match="n_rows must be an int >= 1, got 0"):
        adc_levels_needed(0, 1, 1)
    with pytest.raises(ValueError, match="weight_bits"):
        adc_bits_review(16, 1, 2.5)


# ----------------------------------------------------------------------------
# device states of a mapping (fake model, no device layer needed)


class LinearModel:
    """Ohmic device, conductance linear in the state x in [0, 1]."""

    state_bounds = (0.0, 1.0)

    def current(self, v, x, params):
        p = params or {"g_off": 1e-6, "g_on": 1e-4}
        return v * (p["g_off"] + (p["g_on"] - p["g_off"]) * np.asarray(x))


def test_device_states_of_a_mapping():
    m = map_weights(W_EXAMPLE, g_min=1e-6, g_max=1e-4, levels=6)
    states = m.device_states(LinearModel(), v_read=0.1)
    assert set(states) == {"g_pos", "g_neg"}
    np.testing.assert_allclose(states["g_pos"], m.level_pos / 5.0, atol=1e-12)
    np.testing.assert_allclose(states["g_neg"], m.level_neg / 5.0, atol=1e-12)
    r = map_weights(W_EXAMPLE, g_min=1e-6, g_max=1e-4, scheme="reference")
    s = r.device_states(LinearModel(), v_read=0.1)
    np.testing.assert_allclose(LinearModel().current(0.1, s["g"], None) / 0.1, r.g, rtol=1e-10)
    assert s["g_ref"].shape == (4,)
