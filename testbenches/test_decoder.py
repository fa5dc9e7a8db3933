"""cocotb bench of pycodesign.rtl.Decoder against models.decoder_model."""
from __future__ import annotations

from dataclasses import dataclass

import cocotb

from pycodesign.rtl.models import decoder_model, index_width
from tb_support import Scoreboard, check_width, make_rng, settle, tb_params

EXHAUSTIVE_LIMIT = 4096


@dataclass(frozen=True)
class DecoderInput:
    addr: int
    en: int


class DecoderBench:
    """Driver (addr, en), monitor (onehot) and model-fed checker."""

    def __init__(self, dut):
        self.dut = dut
        self.n = int(tb_params()["n"])
        self.addr_width = index_width(self.n)
        self.sb = Scoreboard(dut._log, "decoder")

    async def drive(self, item: DecoderInput) -> int:
        self.dut.addr.value = item.addr
        self.dut.en.value = item.en
        await settle()
        return int(self.dut.onehot.value)

    async def check(self, item: DecoderInput) -> None:
        got = await self.drive(item)
        expected = decoder_model(self.n, item.addr, bool(item.en))
        self.sb.check(got == expected,
                      lambda: f"addr={item.addr} en={item.en}: onehot={got:#x}, expected {expected:#x}")


@cocotb.test()
async def test_interface(dut):
    """Port widths follow the specification (addr at least 1 bit)."""
    tb = DecoderBench(dut)
    check_width(tb.sb, dut.addr, tb.addr_width, "addr")
    check_width(tb.sb, dut.en, 1, "en")
    check_width(tb.sb, dut.onehot, tb.n, "onehot")
    tb.sb.finish(3)


@cocotb.test()
async def test_every_address(dut):
    """Every address the port can carry (including >= n), enabled and disabled."""
    tb = DecoderBench(dut)
    space = 1 << tb.addr_width
    rng = make_rng()
    addrs = list(range(space)) if space * 2 <= EXHAUSTIVE_LIMIT else \
        sorted({0, tb.n - 1, tb.n, space - 1, *rng.sample(range(space), EXHAUSTIVE_LIMIT // 2)})
    for en in (1, 0):
        for a in addrs:
            await tb.check(DecoderInput(a, en))
    tb.sb.finish(2 * len(addrs))


@cocotb.test()
async def test_random_sequence(dut):
    """Random (addr, en) sequence: the output follows every change, no memory."""
    tb = DecoderBench(dut)
    rng = make_rng()
    space = 1 << tb.addr_width
    for _ in range(500):
        await tb.check(DecoderInput(rng.randrange(space), int(rng.random() < 0.8)))
    tb.sb.finish(500)
