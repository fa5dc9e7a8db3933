# amaranth: UnusedElaboratable=no
"""Fast checks of the RTL blocks in Amaranth's own simulator against the golden
models, and the eager parameter validation of every block.  (Acceptance is
the cocotb regression on Icarus and Verilator in test_rtl_cocotb.py.)"""
from __future__ import annotations

import itertools
import random

import pytest
from amaranth.sim import Simulator

from pycodesign.rtl import (AddressSequencer, ArgMax, Decoder, ReLU, SarAdcController,
                            WriteVerifyController)
from pycodesign.rtl.models import (AddressSequencerModel, LevelCell, SarAdcModel, WriteVerifyCycle,
                                   WriteVerifyModel, argmax_latency, argmax_model, decoder_model,
                                   pack, relu_lanes_model, to_signed, unpack)


def _run(dut, bench, clocked):
    sim = Simulator(dut)
    if clocked:
        sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()


# ---------------------------------------------------------------------- combinational blocks


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13])
def test_decoder_matches_model(n):
    dut = Decoder(n)

    async def bench(ctx):
        for addr, en in itertools.product(range(1 << len(dut.addr)), (0, 1)):
            ctx.set(dut.addr, addr)
            ctx.set(dut.en, en)
            assert ctx.get(dut.onehot) == decoder_model(n, addr, bool(en)), (addr, en)
    _run(dut, bench, False)


@pytest.mark.parametrize("n,width,signed", [(1, 1, False), (2, 3, True), (5, 4, False), (7, 3, True),
                                            (12, 5, False)])
def test_argmax_combinational_matches_model(n, width, signed):
    dut = ArgMax(n, width, signed=signed)
    rng = random.Random(n * 100 + width)
    lo, hi = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, (1 << width) - 1)

    async def bench(ctx):
        for k in range(300):
            values = [rng.randint(lo, hi) for _ in range(n)] if k % 3 else [rng.randint(lo, lo + 1)] * n
            ctx.set(dut.data, pack(values, width))
            ctx.set(dut.valid_in, k % 2)
            value = ctx.get(dut.max_value)
            got = (ctx.get(dut.index), to_signed(value, width) if signed else value)
            assert got == argmax_model(values), values
            assert ctx.get(dut.valid_out) == k % 2
    _run(dut, bench, False)


@pytest.mark.parametrize("wi,wo,lanes,shift,limit", [(2, 1, 1, 0, None), (4, 6, 2, 0, None),
                                                     (6, 3, 2, 1, 5), (8, 4, 1, 3, None), (5, 8, 1, 0, 100)])
def test_relu_matches_model_exhaustively(wi, wo, lanes, shift, limit):
    dut = ReLU(wi, wo, lanes=lanes, shift=shift, limit=limit)
    values = range(-(1 << (wi - 1)), 1 << (wi - 1))

    async def bench(ctx):
        for xs in itertools.product(values, repeat=lanes):
            ctx.set(dut.x, pack(xs, wi))
            got = unpack(ctx.get(dut.y), lanes, wo)
            assert got == relu_lanes_model(xs, width_out=wo, shift=shift, limit=limit), xs
    _run(dut, bench, False)


# ---------------------------------------------------------------------- clocked blocks


@pytest.mark.parametrize("n,k", [(1, 1), (2, 1), (5, 1), (5, 2), (8, 3), (16, 2), (9, 4), (3, 5)])
def test_argmax_latency_attribute_and_pipeline(n, k):
    dut = ArgMax(n, 4, pipeline_every=k)
    assert dut.latency == argmax_latency(n, k)
    if dut.latency == 0:
        return
    rng = random.Random(n + 10 * k)
    stream = [([rng.randrange(16) for _ in range(n)], rng.randrange(2)) for _ in range(40)]

    async def bench(ctx):
        history = []
        for values, valid in stream + [([0] * n, 0)] * dut.latency:
            history.append((values, valid))
            if len(history) > dut.latency:
                old_values, old_valid = history[-1 - dut.latency]
                assert ctx.get(dut.valid_out) == old_valid
                if old_valid:
                    assert (ctx.get(dut.index), ctx.get(dut.max_value)) == argmax_model(old_values)
            ctx.set(dut.data, pack(values, 4))
            ctx.set(dut.valid_in, valid)
            await ctx.tick()
    _run(dut, bench, True)


@pytest.mark.parametrize("rows,cols", [(1, 1), (2, 3), (5, 1)])
def test_address_sequencer_matches_model(rows, cols):
    dut = AddressSequencer(rows, cols)
    model = AddressSequencerModel(rows, cols)
    rng = random.Random(rows * 7 + cols)

    async def bench(ctx):
        for _ in range(200):
            got = {k: ctx.get(getattr(dut, k)) for k in ("row", "col", "last", "done")}
            assert got == model.outputs()
            restart, advance = int(rng.random() < 0.05), int(rng.random() < 0.7)
            ctx.set(dut.restart, restart)
            ctx.set(dut.advance, advance)
            model.step(bool(restart), bool(advance))
            await ctx.tick()
    _run(dut, bench, True)


@pytest.mark.parametrize("params", [
    dict(rows=2, cols=2, partitions=3, max_pulses=3, read_cycles=2, write_cycles=2),
    dict(rows=1, cols=3, partitions=2, max_pulses=0, read_cycles=1, write_cycles=1),
    dict(rows=1, cols=1, partitions=1, max_pulses=5, read_cycles=3, write_cycles=4),
])
def test_write_verify_matches_model(params):
    dut = WriteVerifyController(**params)
    P = params["partitions"]
    rng = random.Random(sum(params.values()))
    specs = {}
    for r in range(params["rows"]):
        for c in range(params["cols"]):
            for p in range(P):
                specs[(r, c, p)] = (rng.randint(2, 10), 6, 6 + rng.randrange(2), rng.randint(0, 2), 1)

    def make_cell(r, c, p):
        return LevelCell(*specs[(r, c, p)])
    expected = WriteVerifyModel(**params).run(make_cell)

    async def bench(ctx):
        cells = {}

        def cell(r, c, p):
            return cells.setdefault((r, c, p), make_cell(r, c, p))
        ctx.set(dut.start, 1)
        await ctx.tick()
        ctx.set(dut.start, 0)
        seen = []
        for _ in range(len(expected.cycles)):
            cyc = WriteVerifyCycle(*(ctx.get(getattr(dut, f)) for f in (
                "row", "col", "read_en", "set_en", "reset_en", "busy", "done", "fail_count")))
            if seen:  # a pulse acts on its cell when its enable drops
                prev = seen[-1]
                same = (prev.row, prev.col) == (cyc.row, cyc.col)
                for p in range(P):
                    for kind, before, now in (("set", prev.set_en, cyc.set_en),
                                              ("reset", prev.reset_en, cyc.reset_en)):
                        if before >> p & 1 and not (same and now >> p & 1):
                            cell(prev.row, prev.col, p).pulse(kind)
            seen.append(cyc)
            verdicts = [cell(cyc.row, cyc.col, p).sense() for p in range(P)]
            ctx.set(dut.below, sum(1 << p for p, v in enumerate(verdicts) if v[0]))
            ctx.set(dut.above, sum(1 << p for p, v in enumerate(verdicts) if v[1]))
            await ctx.tick()
        assert seen == expected.cycles
    _run(dut, bench, True)


@pytest.mark.parametrize("bits,settle", [(1, 1), (4, 1), (6, 2)])
def test_sar_adc_matches_model(bits, settle):
    dut = SarAdcController(bits, settle_cycles=settle)
    model = SarAdcModel(bits, settle)

    async def bench(ctx):
        previous = 0
        for vin in [c + 0.5 for c in range(1 << bits)] + [-1.0, (1 << bits) + 2.0]:
            def comparator(code, vin=vin):
                return vin >= code
            expected, result = model.run(comparator, previous)
            ctx.set(dut.start, 1)
            await ctx.tick()
            ctx.set(dut.start, 0)
            for exp in expected:
                got = tuple(ctx.get(getattr(dut, f)) for f in ("sample", "dac", "busy", "done", "result"))
                assert got == (exp.sample, exp.dac, exp.busy, exp.done, exp.result), vin
                ctx.set(dut.comp, int(comparator(got[1])) if got[2] and not got[0] else 0)
                await ctx.tick()
            previous = result
            assert result == min(max(int(vin // 1), 0), (1 << bits) - 1)
    _run(dut, bench, True)


# ---------------------------------------------------------------------- parameter validation


@pytest.mark.parametrize("factory,exc,fragments", [
    (lambda: Decoder(0), ValueError, ["n", ">= 1", "0"]),
    (lambda: Decoder(2.0), TypeError, ["n", "integer", "2.0"]),
    (lambda: Decoder(True), TypeError, ["n", "True"]),
    (lambda: AddressSequencer(0, 3), ValueError, ["rows", "0"]),
    (lambda: AddressSequencer(3, "4"), TypeError, ["cols", "'4'"]),
    (lambda: WriteVerifyController(2, 2, 2, -1, 1, 1), ValueError, ["max_pulses", "-1"]),
    (lambda: WriteVerifyController(2, 2, 2, 3, 0, 1), ValueError, ["read_cycles", "0"]),
    (lambda: WriteVerifyController(2, 2, 2, 3, 1, 0), ValueError, ["write_cycles", "0"]),
    (lambda: WriteVerifyController(2, 2, 0, 3, 1, 1), ValueError, ["partitions", "0"]),
    (lambda: ArgMax(0, 8), ValueError, ["n", "0"]),
    (lambda: ArgMax(4, 0), ValueError, ["width", "0"]),
    (lambda: ArgMax(4, 1, signed=True), ValueError, ["width", ">= 2", "1"]),
    (lambda: ArgMax(4, 8, signed="yes"), TypeError, ["signed", "bool", "'yes'"]),
    (lambda: ArgMax(4, 8, pipeline_every=-2), ValueError, ["pipeline_every", "-2"]),
    (lambda: ReLU(1, 4), ValueError, ["width_in", "1"]),
    (lambda: ReLU(8, 0), ValueError, ["width_out", "0"]),
    (lambda: ReLU(8, 4, lanes=0), ValueError, ["lanes", "0"]),
    (lambda: ReLU(8, 4, shift=7), ValueError, ["shift", "7", "[0, 6]"]),
    (lambda: ReLU(8, 4, limit=16), ValueError, ["limit", "16", "[0, 15]"]),
    (lambda: ReLU(8, 4, limit=-1), ValueError, ["limit", "-1"]),
    (lambda: ReLU(8, 4, limit=3.5), TypeError, ["limit", "3.5"]),
    (lambda: SarAdcController(0), ValueError, ["bits", "0"]),
    (lambda: SarAdcController(8, settle_cycles=0), ValueError, ["settle_cycles", "0"]),
])
def test_bad_parameters_raise_quoting_the_value(factory, exc, fragments):
    with pytest.raises(exc) as info:
        factory()
    for frag in fragments:
        assert frag in str(info.value), (frag, str(info.value))


def test_port_widths_follow_the_specification():
    assert (len(Decoder(1).addr), len(Decoder(1).onehot)) == (1, 1)
    assert (len(Decoder(5).addr), len(Decoder(64).addr), len(Decoder(65).addr)) == (3, 6, 7)
    a = ArgMax(10, 8)
    assert (len(a.data), len(a.index), len(a.max_value)) == (80, 4, 8)
    assert len(ArgMax(1, 3).index) == 1
    wv = WriteVerifyController(64, 5, 4, 20, 2, 4)
    assert (len(wv.row), len(wv.col), len(wv.set_en), len(wv.fail_count)) == (6, 3, 4, 11)  # 1280 -> 11 bits
    assert len(WriteVerifyController(2, 2, 2, 1, 1, 1).fail_count) == 4  # 8 needs 4 bits
    r = ReLU(9, 8, lanes=10)
    assert (len(r.x), len(r.y), r.limit) == (90, 80, 255)
