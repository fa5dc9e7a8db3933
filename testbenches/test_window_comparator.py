"""cocotb bench of pycodesign.rtl.WindowComparator: every code against windows
around it (exhaustive for narrow codes, the edges plus random values for wide ones),
checked against :func:`~pycodesign.rtl.models.window_comparator_model`."""
from __future__ import annotations

import cocotb

from pycodesign.rtl.models import window_comparator_model
from tb_support import Scoreboard, check_width, make_rng, settle, tb_params


async def apply(dut, sb, code, lo, hi):
    dut.code.value, dut.lo.value, dut.hi.value = code, lo, hi
    await settle()
    below, above = window_comparator_model(code, lo, hi)
    sb.equal((int(dut.below.value), int(dut.above.value)), (int(below), int(above)),
             f"(below, above) for code {code} in [{lo}, {hi}]")


@cocotb.test()
async def test_interface(dut):
    bits = int(tb_params()["bits"])
    sb = Scoreboard(dut._log, "window_comparator")
    for name, width in (("code", bits), ("lo", bits), ("hi", bits), ("below", 1), ("above", 1)):
        check_width(sb, getattr(dut, name), width, name)
    sb.finish(5)


@cocotb.test()
async def test_edges(dut):
    """Codes at lo - 1, lo, hi, hi + 1 for windows of every width, including lo == hi and the range ends."""
    bits = int(tb_params()["bits"])
    top = (1 << bits) - 1
    sb = Scoreboard(dut._log, "window_comparator")
    rng = make_rng()
    los = sorted({0, 1, top // 2, max(top - 1, 0), top} | {rng.randint(0, top) for _ in range(6)})
    for lo in los:
        for hi in sorted({lo, min(lo + 1, top), min(lo + 3, top), top}):
            for code in sorted({lo - 1, lo, hi, hi + 1, 0, top}):
                if 0 <= code <= top:
                    await apply(dut, sb, code, lo, hi)
    sb.finish(min(20, 2 ** (2 * bits)))


@cocotb.test()
async def test_exhaustive_or_random(dut):
    """All (code, lo, hi) for up to 4 bits; 3000 random triples otherwise (empty windows included)."""
    bits = int(tb_params()["bits"])
    top = (1 << bits) - 1
    sb = Scoreboard(dut._log, "window_comparator")
    if bits <= 4:
        for code in range(top + 1):
            for lo in range(top + 1):
                for hi in range(top + 1):
                    await apply(dut, sb, code, lo, hi)
    else:
        rng = make_rng()
        for _ in range(3000):
            await apply(dut, sb, rng.randint(0, top), rng.randint(0, top), rng.randint(0, top))
    sb.finish(min(100, 2 ** (3 * bits)))
