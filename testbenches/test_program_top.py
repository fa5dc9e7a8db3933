"""cocotb bench of pycodesign.rtl.program_top.ProgramTop (the write-verify programming top).

The bench plays the array seen through the read ADCs: every (row, physical
column) holds a :class:`~pycodesign.rtl.models.CodeCell` whose read code the
pulses move.  On the last cycle of each read phase (counted by the bench
from ``read_en``, not taken from the DUT's ``adc_sample``) it drives every
partition's true code on ``code``; on all other cycles random codes, so a
design sampling at the wrong time, or comparing with the wrong window, is
caught.

Checkers: the cycle model (:class:`~pycodesign.rtl.models.ProgramTopModel`)
run on fresh copies of the same cells -- every output in every cycle, the
pulses of every cell, ``fail_count`` -- and properties from the
specification: SET and RESET never in one cycle, one-hot selects while busy,
the ADC strobe on the last read cycle only.
"""
from __future__ import annotations

import cocotb

from pycodesign.rtl.models import CodeCell, ProgramTopCycle, ProgramTopModel, index_width
from tb_support import ClockedBench, Scoreboard, check_width, make_rng, tb_params

FIELDS = ("row", "col", "wl", "bl", "read_en", "adc_sample", "set_en", "reset_en", "busy", "done", "fail_count")


class ProgramTopBench(ClockedBench):
    def __init__(self, dut):
        super().__init__(dut)
        p = tb_params()
        self.rows, self.cols, self.P, self.bits = int(p["rows"]), int(p["cols"]), int(p["partitions"]), int(p["bits"])
        self.windows = [[tuple(w) for w in row] for row in p["windows"]]
        self.read_cycles = int(p["read_cycles"])
        self.model = ProgramTopModel(self.rows, self.cols, self.P, self.bits, self.windows, int(p["max_pulses"]),
                                     self.read_cycles, int(p["write_cycles"]))
        self.top = (1 << self.bits) - 1
        self.sb = Scoreboard(dut._log, "program_top")
        self.rng = make_rng()

    def observe(self) -> ProgramTopCycle:
        vals = {f: getattr(self.dut, f).value for f in FIELDS}
        bad = [f for f, v in vals.items() if not v.is_resolvable]
        assert not bad, f"unresolved outputs {bad}: {vals}"
        return ProgramTopCycle(*(int(v) for v in vals.values()))

    def window(self, row, col, p):
        return self.windows[row][p * self.cols + col]

    async def start(self):
        self.dut.start.value = 0
        self.dut.code.value = 0
        await self.reset()

    async def program(self, make_cell):
        """Pulse start, play the array until done; return (cycles, pulses per (row, col, p))."""
        cells, pulses, cycles = {}, {}, []
        prev, read_run = None, 0
        self.dut.start.value = 1
        await self.next_cycle()
        self.dut.start.value = 0
        budget = len(self.model.run(make_cell).cycles) + 20
        for _ in range(budget):
            c = self.observe()
            cycles.append(c)
            same = prev is not None and (prev.row, prev.col) == (c.row, c.col)
            if prev is not None:  # a pulse is over when its enable drops or the position moves
                for p in range(self.P):
                    for kind, before, now in (("set", prev.set_en, c.set_en), ("reset", prev.reset_en, c.reset_en)):
                        if before >> p & 1 and not (now >> p & 1 and same):
                            key = (prev.row, prev.col, p)
                            cells.setdefault(key, make_cell(*key)).pulse(kind)
                            pulses.setdefault(key, []).append(kind)
            read_run = read_run + 1 if (c.read_en and prev is not None and prev.read_en and same) else int(bool(c.read_en))
            word = 0
            for p in range(self.P):
                key = (c.row, c.col, p)
                cell = cells.setdefault(key, make_cell(*key))
                truth = c.read_en and read_run % self.read_cycles == 0
                code = cell.read() if truth else self.rng.randint(0, self.top)
                word |= code << (p * self.bits)
            self.dut.code.value = word
            prev = c
            if c.done and not c.busy:
                await self.next_cycle()
                return cycles, pulses
            await self.next_cycle()
        self.sb.check(False, f"programming did not finish within {budget} cycles")
        return cycles, pulses

    def check(self, make_cell, cycles, pulses, label):
        exp = self.model.run(make_cell)
        self.sb.equal(len(cycles), len(exp.cycles), f"{label}: cycles from start to done")
        bad = [i for i, (g, e) in enumerate(zip(cycles, exp.cycles)) if g != e]
        self.sb.check(not bad, lambda: f"{label}: {len(bad)} cycles differ; first at {bad[0]}: DUT {cycles[bad[0]]}, "
                      f"model {exp.cycles[bad[0]]}")
        for key, kinds in exp.pulses.items():
            self.sb.equal(pulses.get(key, []), kinds, f"{label}: pulses of (row, col, partition) {key}")
        if cycles:
            self.sb.equal(cycles[-1].fail_count, exp.fail_count, f"{label}: fail_count")
        for i, c in enumerate(cycles):
            self.sb.check(not (c.set_en and c.reset_en), lambda c=c, i=i: f"{label}: cycle {i}: SET and RESET together {c}")
            if c.busy:
                self.sb.check(c.wl == 1 << c.row and c.bl == 1 << c.col,
                              lambda c=c, i=i: f"{label}: cycle {i}: selects not one-hot on the position {c}")
            self.sb.check(not c.adc_sample or c.read_en, lambda c=c, i=i: f"{label}: cycle {i}: ADC strobe outside a read")
        self.dut._log.info("%s: %d cycles, %d pulses, fail_count %d", label, len(cycles),
                           sum(len(v) for v in pulses.values()), cycles[-1].fail_count if cycles else -1)


@cocotb.test()
async def test_interface(dut):
    tb = ProgramTopBench(dut)
    for name, width in (("row", index_width(tb.rows)), ("col", index_width(tb.cols)), ("wl", tb.rows),
                        ("bl", tb.cols), ("set_en", tb.P), ("reset_en", tb.P), ("code", tb.P * tb.bits),
                        ("read_en", 1), ("adc_sample", 1), ("busy", 1), ("done", 1), ("start", 1)):
        check_width(tb.sb, getattr(dut, name), width, name)
    total = tb.rows * tb.cols * tb.P
    tb.sb.check(len(dut.fail_count) >= total.bit_length(), "fail_count too narrow")
    tb.sb.finish(13)


@cocotb.test()
async def test_window_edges(dut):
    """Codes exactly on lo, on hi, one below lo and one above hi: in-window cells get no pulse,
    the others exactly one pulse of the right kind (a comparator off by one fails here)."""
    tb = ProgramTopBench(dut)
    await tb.start()

    def make(row, col, p):
        lo, hi = tb.window(row, col, p)
        choice = (row + 2 * col + 3 * p) % 4
        code = (lo, hi, lo - 1, hi + 1)[choice]
        code = min(max(code, 0), tb.top)
        return CodeCell(code, set_step=1, reset_step=1, top=tb.top)
    cycles, pulses = await tb.program(make)
    tb.check(make, cycles, pulses, "edges")
    tb.sb.finish(5)


@cocotb.test()
async def test_mixed_polarity_is_split(dut):
    """Even partitions below their window, odd ones above: every write phase is split."""
    tb = ProgramTopBench(dut)
    await tb.start()

    def make(row, col, p):
        lo, hi = tb.window(row, col, p)
        code = max(lo - 3, 0) if p % 2 == 0 else min(hi + 3, tb.top)
        return CodeCell(code, set_step=2, reset_step=1, top=tb.top)
    cycles, pulses = await tb.program(make)
    tb.check(make, cycles, pulses, "mixed")
    tb.sb.finish(10)


@cocotb.test()
async def test_random_cells(dut):
    """Random start codes and step sizes (overshoot, stuck cells, failures), twice back to back."""
    tb = ProgramTopBench(dut)
    await tb.start()
    for k in range(2):
        specs = {}
        for r in range(tb.rows):
            for c in range(tb.cols):
                for p in range(tb.P):
                    lo, hi = tb.window(r, c, p)
                    specs[(r, c, p)] = (tb.rng.randint(max(0, lo - 12), min(tb.top, hi + 12)),
                                        tb.rng.randint(0, 4), tb.rng.randint(1, 3))

        def make(row, col, p, specs=specs):
            code, up, down = specs[(row, col, p)]
            return CodeCell(code, set_step=up, reset_step=down, top=tb.top)
        cycles, pulses = await tb.program(make)
        tb.check(make, cycles, pulses, f"random-{k}")
    tb.sb.finish(20)
