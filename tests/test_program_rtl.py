# amaranth: UnusedElaboratable=no
"""The write-verify programming top: golden model vs Amaranth simulation, parameter
errors, and the cocotb bench catching a wrong window comparator (a mutant)."""
from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import pytest
from amaranth import Module
from amaranth.sim import Simulator

from pycodesign.rtl.models import CodeCell, ProgramTopCycle, ProgramTopModel, window_comparator_model
from pycodesign.rtl.program_top import ProgramTop
from pycodesign.rtl.window_comparator import WindowComparator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "testbenches"))

FIELDS = ("row", "col", "wl", "bl", "read_en", "adc_sample", "set_en", "reset_en", "busy", "done", "fail_count")


class ComparatorBelowIncludesLo(WindowComparator):
    """Mutant: ``below = code <= lo`` (a cell sitting on its window's lower edge gets one SET too many)."""

    @property
    def module_name(self) -> str:
        return super().module_name + "_mut_le"

    def elaborate(self, platform):
        m = Module()
        m.d.comb += [self.below.eq(self.code <= self.lo), self.above.eq(self.code > self.hi)]
        return m


class ProgramTopWrongComparator(ProgramTop):
    @property
    def module_name(self) -> str:
        return super().module_name + "_mut_window"

    def _window_comparator(self):
        return ComparatorBelowIncludesLo(self.bits)


MUTANT_PARAMS = {"rows": 2, "cols": 2, "partitions": 2, "bits": 6,
                 "windows": [[[10 + 3 * c + r, 12 + 3 * c + r] for c in range(4)] for r in range(2)],
                 "max_pulses": 5, "read_cycles": 2, "write_cycles": 2}


def simulate(dut, make_cell, n_cycles):
    """Amaranth simulation of the top with cells answering on the last read cycle."""
    P, B, rc = dut.partitions, dut.bits, dut.read_cycles
    got, cells = [], {}
    rng = random.Random(5)

    async def bench(ctx):
        await ctx.tick()
        ctx.set(dut.start, 1)
        await ctx.tick()
        ctx.set(dut.start, 0)
        prev, run = None, 0
        for _ in range(n_cycles):
            c = ProgramTopCycle(*(ctx.get(getattr(dut, f)) for f in FIELDS))
            got.append(c)
            same = prev is not None and (prev.row, prev.col) == (c.row, c.col)
            if prev is not None:
                for p in range(P):
                    for kind, b, n in (("set", prev.set_en, c.set_en), ("reset", prev.reset_en, c.reset_en)):
                        if b >> p & 1 and not (n >> p & 1 and same):
                            key = (prev.row, prev.col, p)
                            cells.setdefault(key, make_cell(*key)).pulse(kind)
            run = run + 1 if (c.read_en and prev is not None and prev.read_en and same) else int(bool(c.read_en))
            word = 0
            for p in range(P):
                cell = cells.setdefault((c.row, c.col, p), make_cell(c.row, c.col, p))
                word |= (cell.read() if c.read_en and run % rc == 0 else rng.randrange(1 << B)) << (p * B)
            ctx.set(dut.code, word)
            prev = c
            if c.done and not c.busy:
                return
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    return got


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_top_matches_model_cycle_for_cycle(seed):
    rng = random.Random(seed)
    R, C, P, B = 2, 3, 2, 6
    win = [[sorted([rng.randrange(15, 40), rng.randrange(15, 40)]) for _ in range(C * P)] for _ in range(R)]
    specs = {(r, c, p): (rng.randrange(5, 55), rng.randint(0, 4), rng.randint(1, 3))
             for r in range(R) for c in range(C) for p in range(P)}

    def make(r, c, p):
        code, up, down = specs[(r, c, p)]
        return CodeCell(code, up, down, 63)

    args = (R, C, P, B, win, 6, 2, 2)
    exp = ProgramTopModel(*args).run(make)
    got = simulate(ProgramTop(*args), make, len(exp.cycles) + 5)
    assert got == exp.cycles
    assert any(c.set_en for c in got) and any(c.reset_en for c in got)
    assert not any(c.set_en and c.reset_en for c in got)


def test_window_comparator_model_edges():
    assert window_comparator_model(5, 5, 7) == (False, False)
    assert window_comparator_model(7, 5, 7) == (False, False)
    assert window_comparator_model(4, 5, 7) == (True, False)
    assert window_comparator_model(8, 5, 7) == (False, True)


@pytest.mark.parametrize("windows,match", [
    ([[[3, 2]]], r"windows\[0\]\[0\] = \[3, 2\] is empty"),
    ([[[0, 16]]], r"windows\[0\]\[0\] hi = 16 is outside the 4-bit code range \[0, 15\]"),
    ([[[0, 1], [0, 1]]], r"windows\[0\] must list 1 \[lo, hi\] pairs"),
    ([[[0, 1]], [[0, 1]]], r"windows has 2 rows; expected 1"),
])
def test_bad_windows_are_refused(windows, match):
    with pytest.raises(ValueError, match=match):
        ProgramTop(1, 1, 1, 4, windows, 3, 1, 1)


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="ProgramTop: read_cycles must be an integer >= 1, not 0"):
        ProgramTop(1, 1, 1, 4, [[[0, 1]]], 3, 0, 1)
    with pytest.raises(TypeError, match="ProgramTop: bits must be an integer"):
        ProgramTop(1, 1, 1, 4.0, [[[0, 1]]], 3, 1, 1)


def test_bench_catches_wrong_window_comparator():
    assert shutil.which("iverilog") and shutil.which("vvp"), \
        "Icarus Verilog is not installed: apt-get install iverilog (or run scripts/setup.sh)"
    import harness

    mutant = ProgramTopWrongComparator(**MUTANT_PARAMS)
    res = harness.run_bench("icarus", "program_top", MUTANT_PARAMS, component=mutant, variant="mutant")
    assert res.tests > 0, res.summary()
    assert "test_window_edges" in res.failed_names, f"the bench passed the wrong comparator: {res.summary()}"
    control = harness.run_bench("icarus", "program_top", MUTANT_PARAMS, variant="control")
    assert control.ok, control.summary()
