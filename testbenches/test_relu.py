"""cocotb bench of pycodesign.rtl.ReLU (bounded digital ReLU) against models.relu_model."""
from __future__ import annotations

import cocotb

from pycodesign.rtl.models import pack, relu_lanes_model, unpack
from tb_support import Scoreboard, check_width, make_rng, settle, tb_params

EXHAUSTIVE_BITS = 10


class ReLUBench:
    """Driver packs signed lanes into x, monitor unpacks y, checker uses the model."""

    def __init__(self, dut):
        self.dut = dut
        p = tb_params()
        self.wi, self.wo = int(p["width_in"]), int(p["width_out"])
        self.lanes, self.shift = int(p["lanes"]), int(p["shift"])
        limit = p.get("limit")
        self.limit = (1 << self.wo) - 1 if limit is None else int(limit)
        self.lo, self.hi = -(1 << (self.wi - 1)), (1 << (self.wi - 1)) - 1
        self.sb = Scoreboard(dut._log, "relu")
        self.rng = make_rng()

    async def check(self, xs: list[int], label: str) -> None:
        self.dut.x.value = pack(xs, self.wi)
        await settle()
        got = unpack(int(self.dut.y.value), self.lanes, self.wo)
        expected = relu_lanes_model(xs, width_out=self.wo, shift=self.shift, limit=self.limit)
        self.sb.check(got == expected, lambda: f"{label}: x={xs}: y={got}, expected {expected}")

    def random_lanes(self) -> list[int]:
        return [self.rng.randint(self.lo, self.hi) for _ in range(self.lanes)]

    def corners(self) -> list[int]:
        """Values where a bounded ReLU goes wrong: sign, zero, the limit, the top."""
        edge = self.limit << self.shift  # smallest input that reaches the limit
        vals = {self.lo, self.lo + 1, -1, 0, 1, self.hi, self.hi - 1,
                edge - 1, edge, edge + 1, (self.limit + 1) << self.shift,
                (1 << self.shift) - 1, 1 << self.shift, ((1 << self.wo) << self.shift) - 1,
                (1 << self.wo) << self.shift}
        return sorted(v for v in vals if self.lo <= v <= self.hi)


@cocotb.test()
async def test_interface(dut):
    tb = ReLUBench(dut)
    check_width(tb.sb, dut.x, tb.lanes * tb.wi, "x")
    check_width(tb.sb, dut.y, tb.lanes * tb.wo, "y")
    tb.sb.finish(2)


@cocotb.test()
async def test_every_input_value(dut):
    """Every input code on every lane (others random), or a dense random sweep for wide inputs."""
    tb = ReLUBench(dut)
    if tb.wi <= EXHAUSTIVE_BITS:
        values = list(range(tb.lo, tb.hi + 1))
    else:
        values = sorted({tb.rng.randint(tb.lo, tb.hi) for _ in range(1 << EXHAUSTIVE_BITS)})
    for lane in range(tb.lanes):
        for v in values:
            xs = tb.random_lanes()
            xs[lane] = v
            await tb.check(xs, f"lane {lane}")
    tb.sb.finish(tb.lanes * len(values))


@cocotb.test()
async def test_corner_values(dut):
    """Minimum, -1, 0, 1, maximum and both sides of the saturation point, on all lanes."""
    tb = ReLUBench(dut)
    corners = tb.corners()
    for v in corners:
        await tb.check([v] * tb.lanes, f"all lanes {v}")
    for _ in range(200):  # lanes mixing corner values: each lane is independent
        await tb.check([tb.rng.choice(corners) for _ in range(tb.lanes)], "mixed corners")
    tb.sb.finish(len(corners) + 200)


@cocotb.test()
async def test_random_vectors(dut):
    tb = ReLUBench(dut)
    for _ in range(500):
        await tb.check(tb.random_lanes(), "random")
    tb.sb.finish(500)
