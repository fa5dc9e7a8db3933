"""Shared pieces of the cocotb benches: parameters, clock/reset, scoreboard.

The benches import only this module and :mod:`pycodesign.rtl.models` (the
golden models), never the Amaranth code they check.
"""
from __future__ import annotations

import json
import os
import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, Timer

#: Environment variable carrying the block's parameters (JSON) from the pytest runner.
PARAMS_ENV = "PYCODESIGN_TB_PARAMS"

CLOCK_PERIOD_NS = 10


def tb_params() -> dict:
    """The block parameters this simulation was built for."""
    raw = os.environ.get(PARAMS_ENV)
    if not raw:
        raise RuntimeError(f"{PARAMS_ENV} is not set: run the benches through "
                           "tests/test_rtl_cocotb.py (testbenches/harness.py)")
    return json.loads(raw)


def make_rng() -> random.Random:
    """A generator seeded from cocotb's per-test seed (reproducible with COCOTB_RANDOM_SEED)."""
    return random.Random(cocotb.RANDOM_SEED)


class Scoreboard:
    """Collects comparisons; :meth:`finish` fails the test listing the first mismatches."""

    def __init__(self, log, name: str = "scoreboard", max_report: int = 10):
        self.log = log
        self.name = name
        self.max_report = max_report
        self.checks = 0
        self.errors: list[str] = []

    def check(self, ok: bool, message) -> bool:
        """Record one comparison; *message* (str or callable) describes a failure."""
        self.checks += 1
        if not ok:
            text = message() if callable(message) else message
            self.errors.append(text)
            if len(self.errors) <= self.max_report:
                self.log.error("%s: %s", self.name, text)
        return ok

    def equal(self, got, expected, what: str) -> bool:
        return self.check(got == expected, lambda: f"{what}: got {got!r}, expected {expected!r}")

    def finish(self, min_checks: int = 1) -> None:
        assert self.checks >= min_checks, (
            f"{self.name}: only {self.checks} checks ran (expected at least {min_checks})")
        assert not self.errors, (
            f"{self.name}: {len(self.errors)} of {self.checks} checks failed; first: "
            + " | ".join(self.errors[:self.max_report]))
        self.log.info("%s: %d checks passed", self.name, self.checks)


def check_width(sb: Scoreboard, handle, expected: int, name: str) -> None:
    """Port width as the specification says."""
    sb.equal(len(handle), expected, f"width of port {name}")


async def settle() -> None:
    """Let combinational logic settle after driving inputs."""
    await Timer(1, unit="ns")


class ClockedBench:
    """Clock, reset and the per-cycle rhythm shared by the clocked benches.

    A bench cycle runs from one falling edge to the next: at the falling edge
    the outputs show the state of the current cycle (they changed at the
    rising edge half a period earlier); the bench reads them, drives the
    inputs for this cycle, and the next rising edge samples those inputs.
    """

    def __init__(self, dut):
        self.dut = dut
        self.clock = Clock(dut.clk, CLOCK_PERIOD_NS, unit="ns")
        self.clock.start()

    async def next_cycle(self) -> None:
        await FallingEdge(self.dut.clk)

    async def reset(self, cycles: int = 2) -> None:
        """Synchronous reset for *cycles* rising edges; returns at a falling edge."""
        await self.next_cycle()
        self.dut.rst.value = 1
        for _ in range(cycles):
            await self.next_cycle()
        self.dut.rst.value = 0
