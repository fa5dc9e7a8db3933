# amaranth: UnusedElaboratable=no
"""The co-simulation's digital tops in Amaranth's simulator against an independent Python reference.

The bench stands in for the analog side: every bitline holds a value in
LSB, the multiplexer picks ``g*columns_per_adc + sel``, the comparator keeps
a trial bit when the value is at or above ``trial - 1/2`` (the netlist's
comparator), and for the MLP a sample-and-hold per layer-2 wordline catches
``wl_code`` while ``wl_load`` is high; layer 2's bitlines are an integer
matrix times the held codes.  The reference is the rounding ADC transfer and
:mod:`pycodesign.rtl.models` (ReLU, argmax).
"""
from __future__ import annotations

import numpy as np
import pytest
from amaranth.sim import Simulator

from pycodesign.rtl.inference_top import InferenceTop, MlpInferenceTop
from pycodesign.rtl.models import argmax_rows, relu_codes


def _adc(values_lsb, bits):
    return np.clip(np.floor(np.asarray(values_lsb) + 0.5), 0, 2 ** bits - 1).astype(np.int64)


def _comparators(ctx, comp, dac, sel, analog, bits, cpa, groups):
    """Set every group's comparator from its multiplexed analog value and its trial code."""
    s = ctx.get(sel)
    trials = ctx.get(dac)
    word = 0
    for g in range(groups):
        j = g * cpa + s
        t = (trials >> (g * bits)) & ((1 << bits) - 1)
        if j < len(analog) and analog[j] >= t - 0.5:
            word |= 1 << g
    ctx.set(comp, word)


@pytest.mark.parametrize("outputs,bits,cpa", [(3, 4, 1), (3, 4, 4), (5, 3, 3)])
def test_inference_top_matches_reference(outputs, bits, cpa):
    rng = np.random.default_rng(outputs * 100 + cpa)
    images = rng.uniform(-1, 2 ** bits + 1, size=(4, 2 * outputs))
    dut = InferenceTop(outputs, bits, columns_per_adc=cpa)
    got = []

    async def bench(ctx):
        for x in images:
            ctx.set(dut.start, 1)
            await ctx.tick()
            ctx.set(dut.start, 0)
            for _ in range(dut.latency_cycles):
                _comparators(ctx, dut.comp, dut.dac, dut.sel, x, bits, cpa, dut.groups)
                assert not ctx.get(dut.valid)
                await ctx.tick()
            assert ctx.get(dut.valid)
            got.append(ctx.get(dut.index))

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    codes = _adc(images, bits)
    assert got == list(argmax_rows(codes[:, 0::2] - codes[:, 1::2]))


@pytest.mark.parametrize("cpa,shift,limit,lift", [(2, 0, 15, 0), (3, 1, 3, 2)])
def test_mlp_inference_top_matches_reference(cpa, shift, limit, lift):
    hidden, outputs, bits, dac_bits = 4, 3, 4, 4
    rng = np.random.default_rng(cpa)
    images = rng.uniform(-1, 2 ** bits + 1, size=(5, 2 * hidden))
    w2 = rng.integers(0, 3, size=(hidden, 2 * outputs))  # layer-2 bitline (LSB) per held DAC code
    dut = MlpInferenceTop(hidden=hidden, outputs=outputs, bits=bits, dac_bits=dac_bits, relu_shift=shift,
                          relu_limit=limit, dac_lift=lift, columns_per_adc=cpa, settle_cycles=2)
    got, held_codes = [], []

    async def bench(ctx):
        held = np.zeros(hidden, dtype=np.int64)
        for x in images:
            ctx.set(dut.start, 1)
            await ctx.tick()
            ctx.set(dut.start, 0)
            for _ in range(dut.latency_cycles):
                if ctx.get(dut.wl_load):
                    held[ctx.get(dut.wl_row)] = ctx.get(dut.wl_code)
                # layer 2 sees the codes held so far (scaled so codes spread over the ADC range)
                x2 = held @ w2 / max(1, 2 ** dac_bits // 4)
                _comparators(ctx, dut.comp1, dut.dac1, dut.sel1, x, bits, cpa, dut.groups1)
                _comparators(ctx, dut.comp2, dut.dac2, dut.sel2, x2, bits, cpa, dut.groups2)
                assert not ctx.get(dut.valid)
                await ctx.tick()
            assert ctx.get(dut.valid)
            got.append(ctx.get(dut.index))
            held_codes.append(held.copy())

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    c1 = _adc(images, bits)
    r = relu_codes(c1[:, 0::2] - c1[:, 1::2], width_out=dac_bits, shift=shift, limit=limit)
    assert np.array_equal(np.array(held_codes), r << lift)
    c2 = _adc(np.array(held_codes) @ w2 / max(1, 2 ** dac_bits // 4), bits)
    assert got == list(argmax_rows(c2[:, 0::2] - c2[:, 1::2]))
    assert len(set(r.ravel().tolist())) > 2  # the ReLU saw positive, negative and clipped values


def test_mlp_inference_top_parameters_are_checked():
    kw = dict(hidden=4, outputs=3, bits=4, dac_bits=4, relu_shift=0, relu_limit=15)
    with pytest.raises(ValueError, match="relu_limit"):
        MlpInferenceTop(**{**kw, "dac_lift": 1})  # 15 << 1 does not fit 4 bits
    with pytest.raises(ValueError, match="columns_per_adc"):
        MlpInferenceTop(**kw, columns_per_adc=7)
    with pytest.raises(TypeError, match="hidden"):
        MlpInferenceTop(**{**kw, "hidden": 4.0})
    with pytest.raises(TypeError):
        MlpInferenceTop(4, 3, 4, 4, 0, 15)  # keyword-only: the six integers are easy to swap
