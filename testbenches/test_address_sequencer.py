"""cocotb bench of pycodesign.rtl.AddressSequencer against models.AddressSequencerModel."""
from __future__ import annotations

from dataclasses import dataclass

import cocotb

from pycodesign.rtl.models import AddressSequencerModel, index_width
from tb_support import ClockedBench, Scoreboard, check_width, make_rng, tb_params


@dataclass(frozen=True)
class SequencerInputs:
    restart: int = 0
    advance: int = 0
    rst: int = 0


class SequencerBench(ClockedBench):
    """Drives restart/advance/rst each cycle, monitors row/col/last/done and
    checks them in lock-step against the model."""

    def __init__(self, dut):
        super().__init__(dut)
        p = tb_params()
        self.rows, self.cols = int(p["rows"]), int(p["cols"])
        self.model = AddressSequencerModel(self.rows, self.cols)
        self.sb = Scoreboard(dut._log, "address_sequencer")
        self.cycle = 0
        self.walk: list[tuple[int, int]] = []  # positions seen while advancing

    def observe(self) -> dict[str, int]:
        d = self.dut
        return {"row": int(d.row.value), "col": int(d.col.value),
                "last": int(d.last.value), "done": int(d.done.value)}

    async def start(self) -> None:
        self.dut.restart.value = 0
        self.dut.advance.value = 0
        await self.reset()
        self.model.reset()

    async def step(self, item: SequencerInputs) -> dict[str, int]:
        """One cycle: compare outputs with the model, drive *item*, advance both."""
        got = self.observe()
        expected = self.model.outputs()
        self.sb.check(got == expected, lambda: f"cycle {self.cycle} (after inputs {item}): "
                                               f"DUT {got}, model {expected}")
        if item.advance and not item.restart and not item.rst and not got["done"]:
            self.walk.append((got["row"], got["col"]))
        self.dut.restart.value = item.restart
        self.dut.advance.value = item.advance
        self.dut.rst.value = item.rst
        if item.rst:
            self.model.reset()
        else:
            self.model.step(bool(item.restart), bool(item.advance))
        self.cycle += 1
        await self.next_cycle()
        return got


@cocotb.test()
async def test_interface(dut):
    tb = SequencerBench(dut)
    check_width(tb.sb, dut.row, index_width(tb.rows), "row")
    check_width(tb.sb, dut.col, index_width(tb.cols), "col")
    for name in ("restart", "advance", "last", "done"):
        check_width(tb.sb, getattr(dut, name), 1, name)
    tb.sb.finish(6)


@cocotb.test()
async def test_full_walk(dut):
    """advance every cycle: every position once, row-major, then done stays high."""
    tb = SequencerBench(dut)
    await tb.start()
    total = tb.rows * tb.cols
    for _ in range(total + 5):
        await tb.step(SequencerInputs(advance=1))
    expected_walk = [(r, c) for r in range(tb.rows) for c in range(tb.cols)]
    tb.sb.check(tb.walk == expected_walk, lambda: f"walk {tb.walk[:8]}... differs from row-major order")
    got = await tb.step(SequencerInputs())
    tb.sb.equal(got["done"], 1, "done after the walk")
    tb.sb.equal(got["last"], 0, "last while done")
    await tb.step(SequencerInputs(restart=1))
    got = await tb.step(SequencerInputs())
    tb.sb.equal((got["row"], got["col"], got["done"]), (0, 0, 0), "position and done after restart")
    tb.sb.finish(total)


@cocotb.test()
async def test_random_advance_and_restart(dut):
    """Random advance gaps, occasional restart (also together with advance)."""
    tb = SequencerBench(dut)
    await tb.start()
    rng = make_rng()
    total = tb.rows * tb.cols
    for _ in range(min(3 * total + 50, 3000)):
        adv = int(rng.random() < 0.7)
        restart = int(rng.random() < 1.0 / (total + 3))
        await tb.step(SequencerInputs(restart=restart, advance=adv))
    tb.sb.finish(50)


@cocotb.test()
async def test_done_is_sticky(dut):
    """After the walk, done ignores advance until restart."""
    tb = SequencerBench(dut)
    await tb.start()
    for _ in range(tb.rows * tb.cols):
        await tb.step(SequencerInputs(advance=1))
    rng = make_rng()
    for _ in range(20):
        got = await tb.step(SequencerInputs(advance=rng.randrange(2)))
        tb.sb.equal(got["done"], 1, "done while advancing after the walk")
    await tb.step(SequencerInputs(restart=1, advance=1))  # restart wins over advance
    got = await tb.step(SequencerInputs())
    tb.sb.equal((got["row"], got["col"], got["done"]), (0, 0, 0), "after restart+advance")
    tb.sb.finish(21)


@cocotb.test()
async def test_reset_mid_walk(dut):
    """Synchronous reset in the middle of a walk returns to (0, 0), not done."""
    tb = SequencerBench(dut)
    await tb.start()
    half = max(1, tb.rows * tb.cols // 2)
    for _ in range(half):
        await tb.step(SequencerInputs(advance=1))
    await tb.step(SequencerInputs(advance=1, rst=1))
    for _ in range(tb.rows * tb.cols + 2):
        await tb.step(SequencerInputs(advance=1))
    tb.sb.finish(half)
