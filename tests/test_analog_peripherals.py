"""Converters and seeded non-idealities."""
from __future__ import annotations

import numpy as np
import pytest

from pycodesign.analog import adc_quantize, apply_stuck_at, apply_variability, dac_codes, dac_quantize, read_noise
from pycodesign.mapping import linear_levels, quantize_to_levels


def test_dac_levels_and_range():
    v = np.linspace(0, 0.2, 1001)
    q = dac_quantize(v, bits=3, v_read=0.2)
    levels = np.unique(q)
    np.testing.assert_allclose(levels, np.arange(8) * 0.2 / 7, rtol=0, atol=1e-15)  # 2**3 levels incl. 0 and V_READ
    assert np.max(np.abs(q - v)) <= 0.5 * 0.2 / 7 + 1e-15
    np.testing.assert_array_equal(dac_quantize(levels, bits=3, v_read=0.2), levels)  # idempotent
    assert np.unique(dac_quantize(np.linspace(-0.2, 0.2, 101), bits=2, v_read=0.2, bipolar=True)).size == 7
    with pytest.raises(ValueError, match=r"DAC input voltage 0.3 V is outside \[0, 0.2\] V"):
        dac_quantize([0.1, 0.3], bits=4, v_read=0.2)
    with pytest.raises(ValueError, match=r"dac bits = 0 is not allowed"):
        dac_quantize([0.1], bits=0, v_read=0.2)


def test_converters_round_half_up_at_the_comparator_thresholds():
    # code = floor(x / LSB + 1/2): a value exactly between two codes takes the upper one, as a comparator does
    np.testing.assert_array_equal(dac_codes(np.array([0.0, 0.5 / 3, 1.5 / 3, 1.0]), bits=2), [0, 1, 2, 3])
    r = adc_quantize(np.array([0.5, 1.5, -0.5, -1.5, 2.49]) * 1e-6, bits=3, full_scale_a=3e-6)  # LSB 1 uA
    np.testing.assert_array_equal(r.codes, [1, 2, 0, -1, 2])
    u = adc_quantize(np.array([0.5, 6.5, 7.6]) * 1e-6, bits=3, full_scale_a=7e-6, signed=False)
    np.testing.assert_array_equal(u.codes, [1, 7, 7])
    with pytest.raises(ValueError, match=r"DAC input 1.5 is outside \[0, 1\]"):
        dac_codes([0.2, 1.5], bits=4)


def test_adc_codes_full_scale_and_clipping():
    fs = 1e-4
    r = adc_quantize(np.array([0.0, 0.49e-4, 1e-4, -1e-4, 3e-4, -5e-4]), bits=4, full_scale_a=fs)
    assert r.lsb_a == pytest.approx(fs / 7)  # signed 4-bit: codes -7..+7
    np.testing.assert_array_equal(r.codes, [0, 3, 7, -7, 7, -7])
    np.testing.assert_allclose(r.currents, r.codes * fs / 7)
    assert r.clipped_fraction == pytest.approx(2 / 6)
    u = adc_quantize(np.linspace(0, 1e-4, 50), bits=3, full_scale_a=fs, signed=False)
    assert set(np.unique(u.codes)) <= set(range(8)) and u.codes.max() == 7
    with pytest.raises(ValueError, match=r"adc full_scale_a = 0 is not allowed"):
        adc_quantize([0.0], bits=8, full_scale_a=0)


def test_finite_states():
    # finite states go through the one quantiser, pycodesign.mapping.quantize_to_levels
    g = np.random.default_rng(0).uniform(1e-5, 1e-3, size=(50, 7))
    q, _ = quantize_to_levels(g, linear_levels(5, 1e-5, 1e-3))
    allowed = 1e-5 + np.arange(5) * (1e-3 - 1e-5) / 4
    assert np.all(np.min(np.abs(q[..., None] - allowed), axis=-1) < 1e-18)
    assert np.max(np.abs(q - g)) <= (1e-3 - 1e-5) / 8 + 1e-18


def test_variability_seeded_and_lognormal():
    g = np.full((200, 200), 1e-4)
    a = apply_variability(g, sigma=0.3, rng=42)
    b = apply_variability(g, sigma=0.3, rng=np.random.default_rng(42))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, apply_variability(g, sigma=0.3, rng=43))
    z = np.log(a / 1e-4)
    assert abs(z.mean()) < 0.01 and abs(z.std() - 0.3) < 0.01
    np.testing.assert_array_equal(apply_variability(g, sigma=0.0, rng=1), g)
    with pytest.raises(TypeError, match="rng must be"):
        apply_variability(g, sigma=0.3, rng=None)


def test_stuck_at_rates_and_reproducibility():
    g = np.full((300, 300), 5e-4)
    out, m = apply_stuck_at(g, rate_hrs=0.05, rate_lrs=0.02, g_hrs=1e-6, g_lrs=1e-3, rng=7)
    out2, m2 = apply_stuck_at(g, rate_hrs=0.05, rate_lrs=0.02, g_hrs=1e-6, g_lrs=1e-3, rng=7)
    np.testing.assert_array_equal(out, out2)
    assert not np.any(m.hrs & m.lrs)
    assert abs(m.hrs.mean() - 0.05) < 0.005 and abs(m.lrs.mean() - 0.02) < 0.004
    assert np.all(out[m.hrs] == 1e-6) and np.all(out[m.lrs] == 1e-3) and np.all(out[~(m.hrs | m.lrs)] == 5e-4)
    with pytest.raises(ValueError, match=r"stuck-at rates add to 1.2 > 1"):
        apply_stuck_at(g, rate_hrs=0.6, rate_lrs=0.6, g_hrs=1e-6, g_lrs=1e-3, rng=1)


def test_read_noise_seeded_and_scaled():
    i = np.full((20000, 2), 1e-4)
    s2 = np.full((20000, 2), (2e-5) ** 2)
    a = read_noise(i, s2, sigma_rel=0.1, rng=5)
    np.testing.assert_array_equal(a, read_noise(i, s2, sigma_rel=0.1, rng=5))
    assert abs(np.std(a - i) - 0.1 * 2e-5) < 0.03 * 0.1 * 2e-5
    np.testing.assert_array_equal(read_noise(i, s2, sigma_rel=0.0, rng=5), i)
