"""pycodesign.system.evaluate: a network on an architecture, integer codes end to end."""
from __future__ import annotations

import os

import numpy as np
import pytest

from pycodesign.config import Architecture, ConfigError, build
from pycodesign.data import load_digits_dataset
from pycodesign.nn import DenseNetwork
from pycodesign.nn.models import train_mlp, train_slp
from pycodesign.rtl import models as rtl
from pycodesign.system import evaluate, layer_settling, plan_tiles

IDEAL_ARRAY = {"r_row_ohm": 0.0, "r_col_ohm": 0.0}


@pytest.fixture(scope="module")
def digits():
    return load_digits_dataset()


@pytest.fixture(scope="module")
def slp(digits):
    return train_slp(digits.x_train, digits.y_train, epochs=15, seed=0)


@pytest.fixture(scope="module")
def mlp(digits):
    return train_mlp(digits.x_train, digits.y_train, hidden=16, epochs=20, seed=0, relu_max=4.0)


def _arch(**sections):
    base = {"mapping": {"g_hrs_s": 1e-5, "g_lrs_s": 1e-4, "levels": 16}}
    for k, v in sections.items():
        base.setdefault(k, {}).update(v)
    return build(Architecture, base)


def test_ideal_array_reproduces_the_mapping(digits, slp):
    arch = _arch(array=IDEAL_ARRAY, converters={"dac_bits": None, "adc_bits": None})
    ev = evaluate(slp, arch, digits.x_test, digits.y_test)
    layer = ev.layers[0]
    want = layer.mapped.output_currents(digits.x_test, v_read=0.2)
    np.testing.assert_allclose(layer.outputs_a, want, rtol=1e-10, atol=1e-18)
    assert ev.accuracy == ev.ideal_accuracy > 0.85
    assert ev.confusion.sum() == digits.y_test.size and np.trace(ev.confusion) == round(ev.accuracy * ev.n_images)


def test_solver_and_spice_agree_code_for_code(digits, slp, tmp_path):
    arch = _arch(array={"r_row_ohm": 2.0, "r_col_ohm": 2.0, "dual_side": True},
                 converters={"dac_bits": 5, "adc_bits": 10})
    messages = []
    a = evaluate(slp, arch, digits.x_test, digits.y_test, n_images=40, metrics_images=8)
    b = evaluate(slp, arch, digits.x_test, digits.y_test, n_images=40, metrics_images=8, engine="spice",
                 workdir=tmp_path, progress=messages.append)
    la, lb = a.layers[0], b.layers[0]
    assert np.max(np.abs(la.outputs_a - lb.outputs_a)) <= 1e-6 * np.max(np.abs(lb.outputs_a))
    np.testing.assert_array_equal(la.codes, lb.codes)
    np.testing.assert_array_equal(a.predictions, b.predictions)
    assert a.accuracy == b.accuracy > 0.8
    assert la.adc_full_scale_a == lb.adc_full_scale_a > 0 and la.lsb_a == pytest.approx(la.adc_full_scale_a / 511)
    # the ngspice deck and raw file are kept in the work folder; one job for all images
    deck = tmp_path / "layer1" / "circuit.cir"
    assert deck.exists() and (tmp_path / "layer1" / "analysis0.raw").exists()
    assert "dc vsweep 0 39 1" in deck.read_text()
    assert any("40/40 images simulated" in m for m in messages)
    for k in ("power_devices_w", "power_wires_w", "read_margin_worst", "read_margin_mean"):
        assert getattr(la.electrical, k) == pytest.approx(getattr(lb.electrical, k), rel=1e-6)
    assert 0 < la.electrical.read_margin_worst < la.electrical.read_margin_mean < 1


def test_nonidealities_are_seeded_and_evaluate_leaves_nothing_behind(digits, slp, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    arch = _arch(array={"r_row_ohm": 1.0, "r_col_ohm": 1.0},
                 nonideal={"variability_sigma": 0.3, "stuck_at_hrs_rate": 0.02, "stuck_at_lrs_rate": 0.02,
                           "read_noise_sigma": 0.05})
    before = sorted(os.listdir(tmp_path))
    a = evaluate(slp, arch, digits.x_test, digits.y_test, seed=1, n_images=100)
    b = evaluate(slp, arch, digits.x_test, digits.y_test, seed=1, n_images=100)
    c = evaluate(slp, arch, digits.x_test, digits.y_test, seed=2, n_images=100)
    assert sorted(os.listdir(tmp_path)) == before  # no file written, not even a temporary one left
    np.testing.assert_array_equal(a.layers[0].outputs_a, b.layers[0].outputs_a)
    np.testing.assert_array_equal(a.layers[0].codes, b.layers[0].codes)
    assert a.layers[0].stuck_at == b.layers[0].stuck_at and a.layers[0].stuck_at["hrs"] > 0
    assert not np.array_equal(a.layers[0].outputs_a, c.layers[0].outputs_a)
    clean = evaluate(slp, arch.replace(nonideal={}), digits.x_test, digits.y_test, n_images=100)
    assert a.accuracy < clean.accuracy
    # device draws do not depend on the tiling: the same devices in every tile size (common random numbers)
    t = evaluate(slp, arch.replace(nonideal=arch.nonideal.replace(read_noise_sigma=0.0), tiling={"tile_rows": 16}),
                 digits.x_test, digits.y_test, seed=1, n_images=5)
    u = evaluate(slp, arch.replace(nonideal=arch.nonideal.replace(read_noise_sigma=0.0)),
                 digits.x_test, digits.y_test, seed=1, n_images=5)
    np.testing.assert_array_equal(np.vstack([tile.spec.state for tile in t.layers[0].tiles]),
                                  u.layers[0].tiles[0].spec.state)


def test_tiled_layer_equals_an_independent_reference(digits, slp):
    """65x20 devices (64 pixels + bias, differential pairs) on 16x8 tiles with 6-bit ADCs, code for code."""
    arch = _arch(array=IDEAL_ARRAY, tiling={"tile_rows": 16, "tile_cols": 8}, converters={"dac_bits": 8, "adc_bits": 6})
    ev = evaluate(slp, arch, digits.x_test, digits.y_test)
    layer = ev.layers[0]
    gp, gn = np.asarray(layer.mapped.g_pos), np.asarray(layer.mapped.g_neg)
    assert gp.shape == (65, 10)
    # --- the reference, written here: inputs through an 8-bit DAC, bias row at V_READ
    x = np.floor(digits.x_test * 255 + 0.5) / 255
    v = np.hstack([x, np.ones((x.shape[0], 1))]) * 0.2
    row_tiles = [range(s, min(s + 16, 65)) for s in range(0, 65, 16)]       # 5 row tiles (the last: 1 row)
    col_tiles = [range(s, min(s + 4, 10)) for s in range(0, 10, 4)]         # 8 columns = 4 pairs
    worst = 0.0
    for rows in row_tiles:
        d = gp[list(rows)] - gn[list(rows)]
        worst = max(worst, 0.2 * np.max(np.maximum(np.clip(d, 0, None).sum(0), np.clip(-d, 0, None).sum(0))))
    lsb = worst / 31                                                        # 6-bit signed: codes -31..31
    total = np.zeros((x.shape[0], 10), dtype=np.int64)
    for rows in row_tiles:
        for cols in col_tiles:
            r, c = list(rows), list(cols)
            current = v[:, r] @ gp[np.ix_(r, c)] - v[:, r] @ gn[np.ix_(r, c)]
            total[:, c] += np.clip(np.floor(current / lsb + 0.5), -31, 31).astype(np.int64)
    assert layer.plan.n_row_tiles == 5 and layer.plan.n_col_tiles == 3
    assert layer.lsb_a == pytest.approx(lsb, rel=1e-12)
    np.testing.assert_array_equal(layer.codes, total)
    assert layer.accumulator_bits == (5 * 31).bit_length() + 1
    np.testing.assert_array_equal(ev.predictions, np.argmax(total, axis=1))


def test_digital_subtraction_uses_one_unsigned_adc_per_bitline(digits, slp):
    arch = _arch(array={**IDEAL_ARRAY, "differential": "digital"}, converters={"adc_bits": 8})
    layer = evaluate(slp, arch, digits.x_test, digits.y_test, n_images=50).layers[0]
    tile = layer.tiles[0]
    assert not layer.signed_adc and tile.codes.shape == (50, 20) and tile.codes.min() >= 0
    assert tile.codes.max() <= 255
    np.testing.assert_array_equal(layer.codes, tile.codes[:, 0::2] - tile.codes[:, 1::2])
    # full scale: the largest bitline current for inputs at V_READ (no code clips)
    g = np.concatenate([layer.mapped.g_pos, layer.mapped.g_neg], axis=1)
    assert layer.adc_full_scale_a == pytest.approx(0.2 * g.sum(axis=0).max())


def test_mlp_hidden_layer_goes_through_the_integer_relu(digits, mlp):
    arch = _arch(array={"r_row_ohm": 1.0, "r_col_ohm": 1.0}, converters={"dac_bits": 8, "adc_bits": 8})
    ev = evaluate(mlp, arch, digits.x_test, digits.y_test, n_images=60)
    hidden, out = ev.layers
    assert hidden.relu_codes is not None and hidden.relu_limit is not None
    for img in range(60):
        want = rtl.relu_lanes_model(hidden.codes[img].tolist(), width_out=8, shift=hidden.relu_shift,
                                    limit=hidden.relu_limit)
        assert hidden.relu_codes[img].tolist() == want
    # the ReLU's output is the next layer's DAC code (shifted left by wiring), bias row at full scale
    lift = int(round(np.log2(255 * 2 ** hidden.relu_shift / hidden.activation_scale * hidden.lsb_a / 0.2
                             * hidden.mapped.weight_per_siemens)))
    np.testing.assert_array_equal(out.input_codes[:, :-1], hidden.relu_codes << lift)
    assert np.all(out.input_codes[:, -1] == 255) and out.input_codes.max() <= 255
    # the hidden ADC spends its codes on the activation range: relu_max is the top signed code
    assert hidden.relu_limit == 127 and hidden.relu_shift == 0
    assert ev.accuracy >= 0.85
    with pytest.raises(ValueError, match="bounded hidden ReLU"):
        evaluate(DenseNetwork(weights=mlp.weights, relu_max=None), arch, digits.x_test, digits.y_test)


def test_vectorised_rtl_models_equal_the_scalar_ones():
    rng = np.random.default_rng(0)
    x = rng.integers(-600, 600, size=(40, 10))
    got = rtl.relu_codes(x, width_out=8, shift=1, limit=200)
    for row, g in zip(x, got):
        assert g.tolist() == rtl.relu_lanes_model(row.tolist(), width_out=8, shift=1, limit=200)
    ties = np.array([[3, 7, 7, 1], [5, 5, 5, 5], [-2, -1, -1, -9]])
    assert rtl.argmax_rows(ties).tolist() == [rtl.argmax_model(list(r))[0] for r in ties] == [1, 0, 1]
    with pytest.raises(OverflowError):
        rtl.accumulate_model(np.array([[100], [100]]), width=8)


def test_reference_scheme_opposite_polarity_1t1r_opamp(digits, slp):
    ref = _arch(mapping={"scheme": "reference", "levels": None}, array=IDEAL_ARRAY,
                converters={"dac_bits": None, "adc_bits": None})
    ev = evaluate(slp, ref, digits.x_test, digits.y_test, n_images=30)
    layer = ev.layers[0]
    np.testing.assert_allclose(layer.outputs_a, layer.mapped.output_currents(digits.x_test[:30], v_read=0.2),
                               rtol=1e-10)
    # a reference-column mapping tiled over columns: every column tile has its own reference column
    tiled = evaluate(slp, ref.replace(tiling={"tile_cols": 5}), digits.x_test, digits.y_test, n_images=30)
    assert tiled.layers[0].plan.n_col_tiles == 3
    assert all(t.physical_shape[1] == len(t.outputs) + 1 for t in tiled.layers[0].tiles)
    np.testing.assert_allclose(tiled.layers[0].outputs_a, layer.outputs_a, rtol=1e-10)
    opp = _arch(array={"cell": "1T1R", "differential": "opposite_polarity", "tia": {"kind": "opamp", "gain": 1e6},
                       "r_row_ohm": 0.5, "r_col_ohm": 0.5})
    a = evaluate(slp, opp, digits.x_test, digits.y_test, n_images=10)
    b = evaluate(slp, opp, digits.x_test, digits.y_test, n_images=10, engine="spice")
    assert np.max(np.abs(a.layers[0].outputs_a - b.layers[0].outputs_a)) <= 1e-6 * np.max(np.abs(b.layers[0].outputs_a))
    assert a.layers[0].tiles[0].physical_shape == (130, 10)


def test_bad_input_is_refused(digits, slp):
    arch = _arch()
    with pytest.raises(ValueError, match=r"x has 63 features per image but the network has 64 inputs"):
        evaluate(slp, arch, digits.x_test[:, :63], digits.y_test)
    with pytest.raises(ValueError, match=r"inputs in \[0, 1\]"):
        evaluate(slp, arch, digits.x_test * 16, digits.y_test)
    with pytest.raises(ValueError, match=r"y must be integer labels of shape"):
        evaluate(slp, arch, digits.x_test, digits.y_test[:-1])
    with pytest.raises(ValueError, match=r"engine = 'hspice' is not allowed"):
        evaluate(slp, arch, digits.x_test, digits.y_test, engine="hspice")
    with pytest.raises(TypeError, match="architecture must be a pycodesign.config.Architecture"):
        evaluate(slp, {"array": {}}, digits.x_test, digits.y_test)


@pytest.mark.parametrize("tiling, key, text", [
    ({"tile_rows": 1}, "tiling.tile_rows", "1 is out of range; allowed: >= 2"),
    ({"tile_cols": 1}, "tiling.tile_cols", "1 is out of range; allowed: >= 2"),
    ({"tile_cols": 7}, "tiling.tile_cols", "7 is odd"),
    ({"tile_cols": 8, "columns_per_adc": 3}, "tiling.columns_per_adc", "3 does not divide the 4 ADC inputs"),
    ({"accumulator_bits": 4}, "tiling.accumulator_bits", "cannot hold one tile's 8-bit signed code"),
])
def test_bad_tiling_values_name_the_key(tiling, key, text):
    with pytest.raises(ConfigError) as info:
        build(Architecture, {"tiling": tiling}, file="arch.yaml")
    msg = str(info.value)
    assert msg.startswith(f"arch.yaml: {key}:") and text in msg, msg


def test_an_accumulator_too_narrow_for_the_partial_sums_is_refused(digits, slp):
    arch = _arch(tiling={"tile_rows": 16, "accumulator_bits": 8}, converters={"adc_bits": 8})
    with pytest.raises(ConfigError, match=r"tiling.accumulator_bits: 8 bits cannot hold the sum of 5 row tiles"):
        evaluate(slp, arch, digits.x_test, digits.y_test, n_images=5)


def test_tile_plan_counts_pairs_reference_columns_and_adcs():
    arch = _arch(tiling={"tile_rows": 32, "tile_cols": 8, "columns_per_adc": 2})
    plan = plan_tiles(65, 10, arch)
    assert (plan.n_row_tiles, plan.n_col_tiles) == (3, 3)
    assert plan.physical_shape(0, 0) == (32, 8) and plan.physical_shape(2, 2) == (1, 4)
    assert [plan.adcs(c) for c in range(3)] == [2, 2, 1]
    ref = plan_tiles(65, 10, arch.replace(mapping=arch.mapping.replace(scheme="reference"),
                                          tiling=arch.tiling.replace(columns_per_adc=7)))
    assert ref.physical_shape(0, 0) == (32, 8) and len(ref.col_blocks[0]) == 7


def test_qmm_engines_agree_and_settling(digits, slp):
    # conductances are read-out conductances at V_READ: zero parasitics reproduce the mapping at full scale
    arch = _arch(array={**IDEAL_ARRAY, "device": "qmm", "v_read_v": 0.1}, converters={"dac_bits": None, "adc_bits": None})
    ones = np.ones((1, 64))
    layer = evaluate(slp, arch, ones, np.array([0])).layers[0]
    np.testing.assert_allclose(layer.outputs_a, layer.mapped.output_currents(ones, v_read=0.1), rtol=1e-9)
    arch = _arch(array={"device": "qmm", "v_read_v": 0.1, "r_row_ohm": 1.0, "r_col_ohm": 1.0})
    a = evaluate(slp, arch, digits.x_test, digits.y_test, n_images=30, metrics_images=4)
    b = evaluate(slp, arch, digits.x_test, digits.y_test, n_images=30, metrics_images=4, engine="spice")
    assert np.max(np.abs(a.layers[0].outputs_a - b.layers[0].outputs_a)) <= 1e-3 * np.max(np.abs(b.layers[0].outputs_a))
    np.testing.assert_array_equal(a.predictions, b.predictions)
    lin = evaluate(slp, _arch(array={"c_crossing_f": 1e-15, "c_to_ground_f": 1e-15}), digits.x_test, digits.y_test,
                   n_images=2)
    st = layer_settling(lin.layers[0], engine="solver")
    assert st.engine == "solver" and 0 < st.latency_s < 1e-8 and lin.layers[0].settling is st


def test_adc_range_fraction_scales_the_automatic_full_scale(digits, slp):
    base = _arch(converters={"adc_bits": 6})
    full = evaluate(slp, base, digits.x_test, digits.y_test, n_images=100).layers[0]
    half = evaluate(slp, base.replace(converters=base.converters.replace(adc_range_fraction=0.5)), digits.x_test,
                    digits.y_test, n_images=100).layers[0]
    assert half.adc_full_scale_a == pytest.approx(0.5 * full.adc_full_scale_a)
    assert half.lsb_a == pytest.approx(0.5 * full.lsb_a) and half.adc_clipped_fraction >= full.adc_clipped_fraction


def test_programmed_conductances_replace_the_targets(digits, slp):
    arch = _arch(array=IDEAL_ARRAY, converters={"dac_bits": None, "adc_bits": None},
                 nonideal={"variability_sigma": 0.5})
    target = evaluate(slp, arch.replace(nonideal={}), digits.x_test, digits.y_test, n_images=20).layers[0].mapped
    g = {"g_pos": np.asarray(target.g_pos) * 1.1, "g_neg": np.asarray(target.g_neg)}
    layer = evaluate(slp, arch, digits.x_test, digits.y_test, n_images=20, programmed=[g]).layers[0]
    # exactly the given devices (no variability drawn on top): currents follow them
    want = np.hstack([digits.x_test[:20], np.ones((20, 1))]) * 0.2 @ (g["g_pos"] - g["g_neg"])
    np.testing.assert_allclose(layer.outputs_a, want, rtol=1e-10)
    with pytest.raises(ValueError, match=r"programmed\[0\]\['g_neg'\] has shape"):
        evaluate(slp, arch, digits.x_test, digits.y_test, n_images=5,
                 programmed=[{"g_pos": g["g_pos"], "g_neg": g["g_neg"][:3]}])
