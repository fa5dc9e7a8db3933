"""cocotb bench of pycodesign.rtl.WriteVerifyController.

The bench plays the crossbar and its sense amplifiers: every (row, col,
partition) holds a cell model (:mod:`pycodesign.rtl.models`), pulses the DUT
applies change it, and on the last cycle of each read phase the bench drives
the cell's true verdict on ``below``/``above`` -- on every other cycle it
drives random noise, so a controller sampling at the wrong time is caught.

Two independent checkers look at the monitored cycles:

* the cycle-level golden model (:class:`WriteVerifyModel`) run on fresh
  copies of the same cells: every output in every cycle, pulse lists and
  ``fail_count`` must match;
* protocol properties written from the specification: no write without a
  verify read right before it, no pulse to an acknowledged partition, pulse
  kind matching the verdict, never SET and RESET together, exact read/write
  phase lengths, at most ``max_pulses`` write phases and giving up only after
  them, row-major visiting order, ``fail_count`` equal to the cells never
  acknowledged.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cocotb

from pycodesign.rtl.models import (FixedVerdictCell, LevelCell, WriteVerifyCycle,
                                   WriteVerifyModel, index_width)
from tb_support import ClockedBench, Scoreboard, check_width, make_rng, tb_params


def bit(mask: int, p: int) -> bool:
    return bool(mask >> p & 1)


@dataclass
class SampleEvent:
    cycle: int
    row: int
    col: int
    verdicts: list[tuple[bool, bool]]


class SenseAmpResponder:
    """The array seen through the sense amplifiers (driver side of the bench)."""

    def __init__(self, read_cycles: int, partitions: int, make_cell, rng, noise: bool = True):
        self.read_cycles = read_cycles
        self.partitions = partitions
        self.make_cell = make_cell
        self.rng = rng
        self.noise = noise
        self.cells: dict[tuple[int, int, int], object] = {}
        self.prev: WriteVerifyCycle | None = None
        self.read_run = 0
        self.samples: list[SampleEvent] = []

    def cell(self, row: int, col: int, p: int):
        key = (row, col, p)
        if key not in self.cells:
            self.cells[key] = self.make_cell(row, col, p)
        return self.cells[key]

    def respond(self, index: int, cyc: WriteVerifyCycle) -> tuple[int, int]:
        """Verdict masks ``(below, above)`` to drive during cycle *cyc*."""
        prev = self.prev
        same_pos = prev is not None and (prev.row, prev.col) == (cyc.row, cyc.col)
        if prev is not None:  # a pulse is over when its enable drops (or the position changes)
            for p in range(self.partitions):
                for kind, before, now in (("set", prev.set_en, cyc.set_en),
                                          ("reset", prev.reset_en, cyc.reset_en)):
                    if bit(before, p) and not (bit(now, p) and same_pos):
                        self.cell(prev.row, prev.col, p).pulse(kind)
        if cyc.read_en:
            self.read_run = self.read_run + 1 if (prev is not None and prev.read_en and same_pos) else 1
        else:
            self.read_run = 0
        self.prev = cyc
        if cyc.read_en and self.read_run == self.read_cycles:
            verdicts = [tuple(bool(v) for v in self.cell(cyc.row, cyc.col, p).sense())
                        for p in range(self.partitions)]
            self.samples.append(SampleEvent(index, cyc.row, cyc.col, verdicts))
            below = sum(1 << p for p, (b, _) in enumerate(verdicts) if b)
            above = sum(1 << p for p, (_, a) in enumerate(verdicts) if a)
            return below, above
        if not self.noise:
            return 0, 0
        full = (1 << self.partitions) - 1
        return self.rng.getrandbits(self.partitions) & full, self.rng.getrandbits(self.partitions) & full


@dataclass
class Operation:
    """One monitored write-verify operation."""

    cycles: list[WriteVerifyCycle] = field(default_factory=list)
    responder: SenseAmpResponder | None = None
    completed: bool = False


class WriteVerifyBench(ClockedBench):
    def __init__(self, dut):
        super().__init__(dut)
        p = tb_params()
        self.rows, self.cols = int(p["rows"]), int(p["cols"])
        self.P = int(p["partitions"])
        self.max_pulses = int(p["max_pulses"])
        self.read_cycles, self.write_cycles = int(p["read_cycles"]), int(p["write_cycles"])
        self.model = WriteVerifyModel(self.rows, self.cols, self.P, self.max_pulses,
                                      self.read_cycles, self.write_cycles)
        self.sb = Scoreboard(dut._log, "write_verify")
        self.rng = make_rng()

    # ------------------------------------------------------------------ driver / monitor

    def observe(self) -> WriteVerifyCycle:
        d = self.dut
        return WriteVerifyCycle(int(d.row.value), int(d.col.value), int(d.read_en.value),
                                int(d.set_en.value), int(d.reset_en.value), int(d.busy.value),
                                int(d.done.value), int(d.fail_count.value))

    def drive(self, start: int, below: int, above: int) -> None:
        self.dut.start.value = start
        self.dut.below.value = below
        self.dut.above.value = above

    async def start(self) -> None:
        self.drive(0, 0, 0)
        await self.reset()

    async def idle(self, cycles: int) -> list[WriteVerifyCycle]:
        seen = []
        for _ in range(cycles):
            seen.append(self.observe())
            full = (1 << self.P) - 1
            self.drive(0, self.rng.getrandbits(self.P) & full, self.rng.getrandbits(self.P) & full)
            await self.next_cycle()
        return seen

    async def operation(self, make_cell, *, extra_start_prob: float = 0.0,
                        stop_after: int | None = None) -> Operation:
        """Pulse ``start`` and play the array until ``done`` (or *stop_after* cycles)."""
        op = Operation(responder=SenseAmpResponder(self.read_cycles, self.P, make_cell, self.rng))
        self.drive(1, 0, 0)
        await self.next_cycle()
        budget = len(self.model.run(make_cell).cycles) + 20
        for i in range(budget):
            if stop_after is not None and i >= stop_after:
                return op
            cyc = self.observe()
            op.cycles.append(cyc)
            below, above = op.responder.respond(i, cyc)
            start = int(self.rng.random() < extra_start_prob)
            self.drive(start, below, above)
            if cyc.done and not cyc.busy:
                op.completed = True
                self.drive(0, below, above)
                await self.next_cycle()
                return op
            await self.next_cycle()
        self.sb.check(False, f"operation did not finish within {budget} cycles (model needs {budget - 20})")
        return op

    # ------------------------------------------------------------------ checkers

    def check_model(self, op: Operation, make_cell, label: str) -> None:
        """Cycle-exact comparison with the golden model."""
        exp = self.model.run(make_cell)
        got = op.cycles
        self.sb.check(len(got) == len(exp.cycles),
                      lambda: f"{label}: operation took {len(got)} cycles, model {len(exp.cycles)}")
        mismatches = [i for i, (g, e) in enumerate(zip(got, exp.cycles)) if g != e]
        self.sb.check(not mismatches, lambda: f"{label}: {len(mismatches)} cycles differ; first at cycle "
                      f"{mismatches[0]}: DUT {got[mismatches[0]]}, model {exp.cycles[mismatches[0]]}")
        got_pulses = extract_pulses(got)
        for key, kinds in exp.pulses.items():
            self.sb.check(got_pulses.get(key, []) == kinds,
                          lambda key=key, kinds=kinds: f"{label}: pulses at (row, col, partition) {key}: "
                          f"DUT {got_pulses.get(key, [])}, model {kinds}")
        if got:
            self.sb.equal(got[-1].fail_count, exp.fail_count, f"{label}: final fail_count")
        self.sb.check(op.completed, f"{label}: operation did not complete")
        self.dut._log.info("%s: %d cycles, %d pulses, fail_count %d (model: %d cycles, %d)", label,
                           len(got), sum(len(k) for k in got_pulses.values()),
                           got[-1].fail_count if got else -1, len(exp.cycles), exp.fail_count)

    def check_properties(self, op: Operation, label: str) -> None:
        """Protocol rules from the specification, independent of the model."""
        cycles, samples = op.cycles, {s.cycle: s for s in op.responder.samples}
        P, sb = self.P, self.sb
        acked: set[tuple[int, int, int]] = set()
        verdict: dict[tuple[int, int, int], tuple[bool, bool]] = {}
        writes: dict[tuple[int, int], int] = {}
        order: list[tuple[int, int]] = []
        for i, c in enumerate(cycles):
            pos = (c.row, c.col)
            prev = cycles[i - 1] if i else None
            if c.busy and (not order or order[-1] != pos):
                order.append(pos)
            sb.check(not (c.read_en and (c.set_en or c.reset_en)),
                     lambda: f"{label}: cycle {i}: read_en together with a write pulse {c}")
            sb.check(not ((c.read_en or c.set_en or c.reset_en) and not c.busy),
                     lambda: f"{label}: cycle {i}: activity while not busy {c}")
            sb.check(not (c.set_en & c.reset_en),
                     lambda: f"{label}: cycle {i}: SET and RESET together on one partition {c}")
            write_phase = c.busy and not c.read_en
            if write_phase and not (prev is not None and prev.busy and not prev.read_en and
                                    (prev.row, prev.col) == pos):
                # First cycle of a write phase: the cycle before must be this position's verify sample.
                writes[pos] = writes.get(pos, 0) + 1
                sb.check(i - 1 in samples and (samples[i - 1].row, samples[i - 1].col) == pos,
                         lambda: f"{label}: cycle {i}: write phase at {pos} without a verify read right before")
                run = 0
                while i + run < len(cycles) and cycles[i + run].busy and not cycles[i + run].read_en \
                        and (cycles[i + run].row, cycles[i + run].col) == pos:
                    run += 1
                sb.equal(run, self.write_cycles, f"{label}: length of the write phase at cycle {i}")
            if c.read_en and not (prev is not None and prev.read_en and (prev.row, prev.col) == pos):
                run = 0
                while i + run < len(cycles) and cycles[i + run].read_en and \
                        (cycles[i + run].row, cycles[i + run].col) == pos:
                    run += 1
                sb.equal(run, self.read_cycles, f"{label}: length of the read phase at cycle {i}")
            for p in range(P):
                key = (*pos, p)
                for kind, mask in (("set", c.set_en), ("reset", c.reset_en)):
                    if not bit(mask, p):
                        continue
                    sb.check(key not in acked,
                             lambda key=key: f"{label}: cycle {i}: pulse to acknowledged partition {key}")
                    want = verdict.get(key)
                    sb.check(want is not None and want == ((True, False) if kind == "set" else (False, True)),
                             lambda key=key, kind=kind, want=want:
                             f"{label}: cycle {i}: {kind} pulse at {key} after verdict (below, above)={want}")
            if i in samples:
                for p, v in enumerate(samples[i].verdicts):
                    key = (*pos, p)
                    verdict[key] = v
                    if v == (False, False):
                        acked.add(key)
        expected_order = [(r, c) for r in range(self.rows) for c in range(self.cols)]
        sb.check(order == expected_order,
                 lambda: f"{label}: visiting order {order[:10]}... is not row-major over all positions")
        failed = [(r, c, p) for (r, c) in expected_order for p in range(P) if (r, c, p) not in acked]
        for pos in expected_order:
            n = writes.get(pos, 0)
            sb.check(n <= self.max_pulses, lambda pos=pos, n=n: f"{label}: {n} write phases at {pos} "
                     f"> max_pulses {self.max_pulses}")
            if any((*pos, p) in failed for p in range(P)):
                sb.check(n == self.max_pulses, lambda pos=pos, n=n: f"{label}: gave up at {pos} after {n} "
                         f"write phases, before max_pulses={self.max_pulses}")
        if cycles:
            last = cycles[-1]
            sb.equal((last.busy, last.done), (0, 1), f"{label}: busy/done at the end")
            sb.equal(last.fail_count, len(failed), f"{label}: fail_count vs cells never acknowledged")
            sb.check(all(c.done == 0 for c in cycles[:-1]), f"{label}: done high before the end")

    async def run_and_check(self, make_cell, label: str, **kw) -> Operation:
        op = await self.operation(make_cell, **kw)
        self.check_model(op, make_cell, label)
        self.check_properties(op, label)
        return op


def extract_pulses(cycles: list[WriteVerifyCycle]) -> dict[tuple[int, int, int], list[str]]:
    """Monitor-side transactions: pulse kinds per (row, col, partition), in order."""
    out: dict[tuple[int, int, int], list[str]] = {}
    prev = None
    for c in cycles:
        same = prev is not None and (prev.row, prev.col) == (c.row, c.col)
        width = max(c.set_en.bit_length(), c.reset_en.bit_length(), 1)
        for p in range(width):
            for kind, now, before in (("set", c.set_en, prev.set_en if prev else 0),
                                      ("reset", c.reset_en, prev.reset_en if prev else 0)):
                if bit(now, p) and not (same and bit(before, p)):
                    out.setdefault((c.row, c.col, p), []).append(kind)
        prev = c
    return out


# ---------------------------------------------------------------------- cell scenarios
# Each returns make_cell(row, col, partition) -> fresh cell; the model and the
# bench's responder each build their own copies.

TARGET = 8  # window [TARGET, TARGET] unless stated otherwise


def cells_in_window(row, col, p):
    return LevelCell(TARGET, TARGET, TARGET)


def cells_one_set_pulse(row, col, p):
    return LevelCell(TARGET - 1, TARGET, TARGET)


def cells_needing(pulses_of):
    """Cells needing ``pulses_of(row, col, p)`` SET pulses (negative: RESET pulses)."""
    def make(row, col, p):
        return LevelCell(TARGET - pulses_of(row, col, p), TARGET, TARGET)
    return make


def cells_random(rng, rows, cols, P, max_pulses):
    specs = {}
    for r in range(rows):
        for c in range(cols):
            for p in range(P):
                kind = rng.random()
                lo = TARGET
                hi = TARGET + rng.randrange(3)
                if kind < 0.08:
                    specs[(r, c, p)] = ("fixed", True, True)  # invalid verdict
                elif kind < 0.2:
                    specs[(r, c, p)] = ("level", lo - 1 - rng.randrange(3), lo, hi, 0, 1)  # stuck
                else:
                    level = rng.randint(lo - max_pulses - 2, hi + max_pulses + 2)
                    specs[(r, c, p)] = ("level", level, lo, hi, rng.randint(1, 3), rng.randint(1, 2))

    def make(row, col, p):
        s = specs[(row, col, p)]
        if s[0] == "fixed":
            return FixedVerdictCell(s[1], s[2])
        return LevelCell(*s[1:])
    return make


# ---------------------------------------------------------------------- tests


@cocotb.test()
async def test_interface(dut):
    tb = WriteVerifyBench(dut)
    check_width(tb.sb, dut.row, index_width(tb.rows), "row")
    check_width(tb.sb, dut.col, index_width(tb.cols), "col")
    for name in ("below", "above", "set_en", "reset_en"):
        check_width(tb.sb, getattr(dut, name), tb.P, name)
    for name in ("start", "read_en", "busy", "done"):
        check_width(tb.sb, getattr(dut, name), 1, name)
    total = tb.rows * tb.cols * tb.P
    tb.sb.check(len(dut.fail_count) >= total.bit_length(),
                f"fail_count has {len(dut.fail_count)} bits, too few for {total}")
    tb.sb.finish(11)


@cocotb.test()
async def test_no_pulse_needed(dut):
    """All cells already in their window: reads only, fail_count 0."""
    tb = WriteVerifyBench(dut)
    await tb.start()
    await tb.run_and_check(cells_in_window, "in-window")
    tb.sb.finish(10)


@cocotb.test()
async def test_single_pulse(dut):
    """Every cell one SET pulse below its window (fails everywhere if max_pulses is 0)."""
    tb = WriteVerifyBench(dut)
    await tb.start()
    await tb.run_and_check(cells_one_set_pulse, "one-pulse")
    tb.sb.finish(10)


@cocotb.test()
async def test_max_pulses_boundary(dut):
    """Cells needing exactly max_pulses pulses pass; max_pulses + 1 fail (loop never hangs)."""
    tb = WriteVerifyBench(dut)
    await tb.start()
    m = tb.max_pulses
    await tb.run_and_check(cells_needing(lambda r, c, p: m if (p + r + c) % 2 == 0 else m + 1),
                           "exact-vs-too-many")
    await tb.run_and_check(cells_needing(lambda r, c, p: -(m + 1) if p % 2 else -m), "reset-boundary")
    tb.sb.finish(10)


@cocotb.test()
async def test_reset_pulses_and_overshoot(dut):
    """Cells above the window need RESET; coarse SET steps overshoot and need RESET back."""
    tb = WriteVerifyBench(dut)
    await tb.start()

    def make(row, col, p):
        if p % 2:
            return LevelCell(TARGET + 2, TARGET, TARGET + 1)                 # RESET, RESET... to the window
        return LevelCell(TARGET - 4, TARGET, TARGET, set_step=3, reset_step=1)  # set, set, reset
    await tb.run_and_check(make, "reset-and-overshoot")
    tb.sb.finish(10)


@cocotb.test()
async def test_partitions_finish_at_different_times(dut):
    """Partition p needs a different number of pulses at every position."""
    tb = WriteVerifyBench(dut)
    await tb.start()
    m = max(tb.max_pulses, 1)
    await tb.run_and_check(cells_needing(lambda r, c, p: (p + 2 * r + c) % (m + 1)), "staggered")
    tb.sb.finish(10)


@cocotb.test()
async def test_invalid_verdict(dut):
    """A sense amplifier reporting below and above at once: never pulsed, counted as failed."""
    tb = WriteVerifyBench(dut)
    await tb.start()

    def make(row, col, p):
        if p == (row + col) % tb.P:
            return FixedVerdictCell(True, True)
        return LevelCell(TARGET - (p % 2), TARGET, TARGET)
    op = await tb.run_and_check(make, "invalid-verdict")
    tb.sb.check(all(not c.pulses for c in op.responder.cells.values() if isinstance(c, FixedVerdictCell)),
                "a cell with an invalid verdict was pulsed")
    tb.sb.finish(10)


@cocotb.test()
async def test_random_cells_back_to_back(dut):
    """Random arrays, two operations with an idle gap: done and fail_count hold, start clears them."""
    tb = WriteVerifyBench(dut)
    await tb.start()
    for k in range(3):
        make = cells_random(tb.rng, tb.rows, tb.cols, tb.P, tb.max_pulses)
        op = await tb.run_and_check(make, f"random-{k}")
        held = await tb.idle(tb.rng.randint(1, 6))
        final = op.cycles[-1] if op.cycles else None
        for c in held:
            tb.sb.check(final is not None and c == final,
                        lambda c=c: f"random-{k}: idle outputs {c} differ from the final cycle {final}")
    tb.sb.finish(20)


@cocotb.test()
async def test_start_while_busy(dut):
    """start pulses during an operation are ignored."""
    tb = WriteVerifyBench(dut)
    await tb.start()
    make = cells_random(tb.rng, tb.rows, tb.cols, tb.P, tb.max_pulses)
    await tb.run_and_check(make, "start-while-busy", extra_start_prob=0.3)
    tb.sb.finish(10)


@cocotb.test()
async def test_reset_mid_operation(dut):
    """Reset aborts an operation: idle, not done, fail_count 0; the next operation is clean."""
    tb = WriteVerifyBench(dut)
    await tb.start()
    make = cells_needing(lambda r, c, p: (p + r + c) % (tb.max_pulses + 2))
    length = len(tb.model.run(make).cycles)
    for stop in sorted({1, max(1, length // 2), max(1, length - 2)}):
        await tb.operation(make, stop_after=stop)
        await tb.reset(1)
        after = tb.observe()
        tb.sb.equal(after, WriteVerifyCycle(0, 0, 0, 0, 0, 0, 0, 0), f"outputs after reset at cycle {stop}")
        idle = await tb.idle(3)
        tb.sb.check(all(c == after for c in idle), f"not idle after reset at cycle {stop}: {idle}")
        await tb.run_and_check(make, f"after-reset-at-{stop}")
    tb.sb.finish(10)
