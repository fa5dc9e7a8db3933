"""cocotb bench of pycodesign.rtl.SarAdcController against models.SarAdcModel.

The bench plays the analog half of the ADC: on the last cycle of each trial
it drives the comparator's decision for the DUT's current DAC code (an ideal
comparator for a held input voltage, or arbitrary decisions), and random
noise on every other cycle.
"""
from __future__ import annotations

import math

import cocotb

from pycodesign.rtl.models import SarAdcCycle, SarAdcModel
from tb_support import ClockedBench, Scoreboard, check_width, make_rng, tb_params


def ideal_comparator(vin_lsb: float):
    """Comparator for an input of *vin_lsb* (in LSB units): keep the bit if vin >= code."""
    return lambda code: vin_lsb >= code


class SarBench(ClockedBench):
    def __init__(self, dut):
        super().__init__(dut)
        p = tb_params()
        self.bits, self.settle = int(p["bits"]), int(p["settle_cycles"])
        self.model = SarAdcModel(self.bits, self.settle)
        self.sb = Scoreboard(dut._log, "sar_adc")
        self.rng = make_rng()
        self.result = 0  # result register as the specification says it should be

    def observe(self) -> SarAdcCycle:
        d = self.dut
        return SarAdcCycle(int(d.sample.value), int(d.dac.value), int(d.busy.value),
                           int(d.done.value), int(d.result.value))

    async def start(self) -> None:
        self.dut.start.value = 0
        self.dut.comp.value = 0
        await self.reset()
        self.result = 0

    async def convert(self, comparator, label: str, *, extra_start_prob: float = 0.0,
                      stop_after: int | None = None) -> list[SarAdcCycle]:
        expected, result = self.model.run(comparator, self.result)
        self.dut.start.value = 1
        self.dut.comp.value = self.rng.randrange(2)
        await self.next_cycle()
        seen: list[SarAdcCycle] = []
        prev, run = None, 0
        for i in range(len(expected) + 10):
            if stop_after is not None and i >= stop_after:
                return seen
            cyc = self.observe()
            seen.append(cyc)
            trial = cyc.busy and not cyc.sample
            run = run + 1 if (trial and prev is not None and prev.busy and not prev.sample
                              and prev.dac == cyc.dac) else (1 if trial else 0)
            comp = int(bool(comparator(cyc.dac))) if trial and run == self.settle else self.rng.randrange(2)
            self.dut.comp.value = comp
            self.dut.start.value = int(self.rng.random() < extra_start_prob)
            prev = cyc
            if cyc.done and not cyc.busy:
                self.dut.start.value = 0
                await self.next_cycle()
                break
            await self.next_cycle()
        self.sb.check(len(seen) == len(expected), lambda: f"{label}: conversion took {len(seen)} cycles, "
                                                          f"model {len(expected)}")
        bad = [i for i, (g, e) in enumerate(zip(seen, expected)) if g != e]
        self.sb.check(not bad, lambda: f"{label}: {len(bad)} cycles differ, first at {bad[0]}: "
                                       f"DUT {seen[bad[0]]}, model {expected[bad[0]]}")
        self.result = result
        return seen


@cocotb.test()
async def test_interface(dut):
    tb = SarBench(dut)
    for name in ("dac", "result"):
        check_width(tb.sb, getattr(dut, name), tb.bits, name)
    for name in ("start", "comp", "sample", "busy", "done"):
        check_width(tb.sb, getattr(dut, name), 1, name)
    tb.sb.finish(7)


@cocotb.test()
async def test_every_code(dut):
    """Ideal comparator: an input of c + 0.5 LSB converts to c; out-of-range inputs clamp."""
    tb = SarBench(dut)
    await tb.start()
    full = (1 << tb.bits) - 1
    codes = list(range(full + 1)) if tb.bits <= 8 else \
        sorted({0, full, *tb.rng.sample(range(full + 1), 256)})
    inputs = [c + 0.5 for c in codes] + [c + 0.999 for c in codes[::7]] + [-3.0, -0.01, full + 7.5]
    for vin in inputs:
        await tb.convert(ideal_comparator(vin), f"vin={vin}")
        expected = min(max(math.floor(vin), 0), full)
        tb.sb.equal(int(dut.result.value), expected, f"result for vin={vin} LSB")
        tb.sb.equal(int(dut.done.value), 1, "done after the conversion")
    tb.sb.finish(len(inputs))


@cocotb.test()
async def test_comparator_decisions(dut):
    """Arbitrary (even non-monotonic) comparator decisions: the SAR follows each one."""
    tb = SarBench(dut)
    await tb.start()
    for k in range(60):
        decisions: dict[int, bool] = {}

        def comparator(code, decisions=decisions):
            if code not in decisions:
                decisions[code] = tb.rng.random() < 0.5
            return decisions[code]
        await tb.convert(comparator, f"random-{k}")
        for _ in range(tb.rng.randrange(3)):  # idle gap: done and result hold
            cyc = tb.observe()
            tb.sb.equal((cyc.done, cyc.busy, cyc.result), (1, 0, tb.result), "idle after conversion")
            await tb.next_cycle()
    tb.sb.finish(60)


@cocotb.test()
async def test_start_while_busy(dut):
    """start during a conversion is ignored."""
    tb = SarBench(dut)
    await tb.start()
    full = (1 << tb.bits) - 1
    for _ in range(20):
        vin = tb.rng.uniform(-1, full + 1)
        await tb.convert(ideal_comparator(vin), f"vin={vin:.3f}", extra_start_prob=0.5)
    tb.sb.finish(20)


@cocotb.test()
async def test_reset_mid_conversion(dut):
    """Reset aborts a conversion: idle, done low, result 0; the next conversion is clean."""
    tb = SarBench(dut)
    await tb.start()
    full = (1 << tb.bits) - 1
    length = 2 + tb.bits * tb.settle
    for stop in sorted({1, max(1, length // 2), max(1, length - 1)}):
        await tb.convert(ideal_comparator(full / 3), "warm-up")
        await tb.convert(ideal_comparator(full * 0.7), "aborted", stop_after=stop)
        await tb.reset(1)
        tb.result = 0
        tb.sb.equal(tb.observe(), SarAdcCycle(0, 0, 0, 0, 0), f"outputs after reset at cycle {stop}")
        await tb.convert(ideal_comparator(full * 0.7), f"after reset at {stop}")
    tb.sb.finish(9)
