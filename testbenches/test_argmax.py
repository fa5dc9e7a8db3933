"""cocotb bench of pycodesign.rtl.ArgMax (WTA / softargmax) against models.argmax_model.

Combinational variants are checked vector by vector; pipelined variants are
streamed one vector per cycle (with gaps in ``valid_in``) and every output
cycle is compared with the model's result for the inputs driven
``latency`` cycles earlier.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge

from pycodesign.rtl.models import argmax_latency, argmax_model, index_width, pack, to_signed
from tb_support import CLOCK_PERIOD_NS, Scoreboard, check_width, make_rng, settle, tb_params


@dataclass(frozen=True)
class ArgMaxInput:
    values: tuple[int, ...]
    valid: int = 1


class ArgMaxBench:
    def __init__(self, dut):
        self.dut = dut
        p = tb_params()
        self.n, self.width = int(p["n"]), int(p["width"])
        self.signed = bool(p["signed"])
        self.latency = argmax_latency(self.n, int(p["pipeline_every"]))
        self.lo = -(1 << (self.width - 1)) if self.signed else 0
        self.hi = (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1
        self.sb = Scoreboard(dut._log, "argmax")
        self.rng = make_rng()
        if self.latency:
            Clock(dut.clk, CLOCK_PERIOD_NS, unit="ns").start()

    # -------------------------------------------------------------- driver / monitor / checker

    def drive(self, item: ArgMaxInput) -> None:
        self.dut.data.value = pack(item.values, self.width)
        self.dut.valid_in.value = item.valid

    def observe(self) -> tuple[int, int, int]:
        d = self.dut
        value = int(d.max_value.value)
        if self.signed:
            value = to_signed(value, self.width)
        return int(d.valid_out.value), int(d.index.value), value

    def compare(self, item: ArgMaxInput | None, got: tuple[int, int, int], where: str) -> None:
        valid, index, value = got
        expected_valid = item.valid if item is not None else 0
        self.sb.equal(valid, expected_valid, f"{where}: valid_out")
        if item is not None and item.valid:
            exp_index, exp_value = argmax_model(item.values)
            self.sb.check((index, value) == (exp_index, exp_value),
                          lambda: f"{where}: values {list(item.values)}: (index, max_value) = "
                                  f"{(index, value)}, expected {(exp_index, exp_value)}")

    async def reset(self) -> None:
        if not self.latency:
            return
        self.dut.valid_in.value = 0
        self.dut.data.value = 0
        await FallingEdge(self.dut.clk)
        self.dut.rst.value = 1
        await FallingEdge(self.dut.clk)
        self.dut.rst.value = 0

    async def run(self, items: list[ArgMaxInput], label: str) -> None:
        """Apply *items* (one per cycle if pipelined) and check every result."""
        if not self.latency:
            for k, item in enumerate(items):
                self.drive(item)
                await settle()
                self.compare(item, self.observe(), f"{label}[{k}]")
            return
        await self.reset()
        in_flight: deque[ArgMaxInput | None] = deque([None] * self.latency)
        for k in range(len(items) + self.latency):
            # At a falling edge: outputs belong to the inputs of `latency` cycles ago.
            self.compare(in_flight.popleft(), self.observe(), f"{label} cycle {k}")
            item = items[k] if k < len(items) else ArgMaxInput(tuple([0] * self.n), 0)
            self.drive(item)
            in_flight.append(item if k < len(items) else None)
            await FallingEdge(self.dut.clk)

    # -------------------------------------------------------------- stimulus

    def random_values(self, lo=None, hi=None) -> tuple[int, ...]:
        lo = self.lo if lo is None else lo
        hi = self.hi if hi is None else hi
        return tuple(self.rng.randint(lo, hi) for _ in range(self.n))


@cocotb.test()
async def test_interface(dut):
    tb = ArgMaxBench(dut)
    check_width(tb.sb, dut.data, tb.n * tb.width, "data")
    check_width(tb.sb, dut.index, index_width(tb.n), "index")
    check_width(tb.sb, dut.max_value, tb.width, "max_value")
    check_width(tb.sb, dut.valid_in, 1, "valid_in")
    check_width(tb.sb, dut.valid_out, 1, "valid_out")
    tb.sb.equal(hasattr(dut, "clk"), tb.latency > 0, "clock port present iff latency > 0")
    tb.sb.finish(6)


@cocotb.test()
async def test_random_vectors(dut):
    """Random vectors over the full range and over narrow ranges (many near-ties)."""
    tb = ArgMaxBench(dut)
    items = [ArgMaxInput(tb.random_values(), 1) for _ in range(300)]
    span = max(1, (tb.hi - tb.lo) // 16)
    for _ in range(200):
        base = tb.rng.randint(tb.lo, tb.hi - span)
        items.append(ArgMaxInput(tb.random_values(base, base + span), 1))
    await tb.run(items, "random")
    tb.sb.finish(len(items))


@cocotb.test()
async def test_ties_and_equal_values(dut):
    """All inputs equal, and the maximum repeated at random positions: lowest index wins."""
    tb = ArgMaxBench(dut)
    items = []
    for v in sorted({tb.lo, tb.hi, 0, -1 if tb.signed else 1, (tb.lo + tb.hi) // 2}):
        if tb.lo <= v <= tb.hi:
            items.append(ArgMaxInput(tuple([v] * tb.n)))
    for _ in range(150):
        top = tb.rng.randint(tb.lo, tb.hi)
        values = [tb.rng.randint(tb.lo, top) for _ in range(tb.n)]
        k = tb.rng.randint(1, tb.n)
        for pos in tb.rng.sample(range(tb.n), k):
            values[pos] = top
        items.append(ArgMaxInput(tuple(values)))
    if tb.n >= 2:  # tie between the last two, and between the first and the last
        low = tb.lo
        items.append(ArgMaxInput(tuple([low] * (tb.n - 2) + [tb.hi, tb.hi])))
        items.append(ArgMaxInput(tuple([tb.hi] + [low] * (tb.n - 2) + [tb.hi])))
    await tb.run(items, "ties")
    tb.sb.finish(len(items))


@cocotb.test()
async def test_extreme_values(dut):
    """Minimum and maximum codes at every position (sign bit handling when signed)."""
    tb = ArgMaxBench(dut)
    items = []
    for pos in range(tb.n):
        one_max = [tb.lo] * tb.n
        one_max[pos] = tb.hi
        items.append(ArgMaxInput(tuple(one_max)))
        one_above_min = [tb.lo] * tb.n
        one_above_min[pos] = tb.lo + 1
        items.append(ArgMaxInput(tuple(one_above_min)))
        if tb.signed:  # -1 vs 0: wrong unsigned compare would pick -1 (all ones)
            mixed = [-1] * tb.n
            mixed[pos] = 0
            items.append(ArgMaxInput(tuple(mixed)))
            mixed_max = [tb.hi] * tb.n
            mixed_max[pos] = tb.lo
            items.append(ArgMaxInput(tuple(mixed_max)))
    await tb.run(items, "extremes")
    tb.sb.finish(len(items))


@cocotb.test()
async def test_valid_gaps_and_reset(dut):
    """valid_in with random gaps travels with its data; reset empties the pipeline."""
    tb = ArgMaxBench(dut)
    items = [ArgMaxInput(tb.random_values(), int(tb.rng.random() < 0.6)) for _ in range(200)]
    await tb.run(items, "gaps")
    if tb.latency:
        # Fill the pipeline with valid data, then reset: nothing may come out afterwards.
        for _ in range(tb.latency):
            tb.drive(ArgMaxInput(tb.random_values(), 1))
            await FallingEdge(dut.clk)
        dut.valid_in.value = 0
        dut.rst.value = 1
        await FallingEdge(dut.clk)
        dut.rst.value = 0
        for k in range(tb.latency + 2):
            tb.sb.equal(int(dut.valid_out.value), 0, f"valid_out {k} cycles after reset")
            await FallingEdge(dut.clk)
    tb.sb.finish(len(items))
