"""Golden models of the RTL blocks, in pure Python.

These models are written from the block specifications (issue 4 and the
docstrings in :mod:`pycodesign.rtl`), not from the Amaranth code, so that the
cocotb regression compares two independent descriptions of each block.  The
kit's co-simulation flow uses the same models for its fast, purely Python
path (for example :func:`argmax_model` as the software softargmax/WTA and
:func:`relu_model` as the digital activation).

Conventions
-----------
* Multi-element ports are packed little-endian: element ``i`` occupies bits
  ``[i*width, (i+1)*width)`` (see :func:`pack` / :func:`unpack`).
* Per-partition bit vectors (``below``, ``set_en`` ...) are ``int`` masks,
  bit ``p`` for partition ``p``.
* Cycle-level models describe what the block shows in each clock cycle,
  starting with the first cycle after ``start`` was sampled high.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol, Sequence

import numpy as np

__all__ = [
    "index_width",
    "to_signed",
    "pack",
    "unpack",
    "decoder_model",
    "AddressSequencerModel",
    "argmax_model",
    "argmax_levels",
    "argmax_latency",
    "relu_model",
    "relu_lanes_model",
    "Cell",
    "LevelCell",
    "FixedVerdictCell",
    "WriteVerifyCycle",
    "WriteVerifyRun",
    "WriteVerifyModel",
    "sar_adc_model",
    "SarAdcCycle",
    "SarAdcModel",
    "difference_model",
    "accumulate_model",
    "relu_codes",
    "argmax_rows",
    "window_comparator_model",
    "target_memory_model",
    "CodeCell",
    "ProgramTopCycle",
    "ProgramTopRun",
    "ProgramTopModel",
]


# --------------------------------------------------------------------------- bits


def index_width(n: int) -> int:
    """Width of an index into ``n`` items: ``ceil(log2 n)``, at least 1 bit."""
    if n < 1:
        raise ValueError(f"n must be >= 1, not {n!r}")
    width = 1
    while (1 << width) < n:
        width += 1
    return width


def to_signed(value: int, width: int) -> int:
    """Interpret the low *width* bits of *value* as two's complement."""
    value &= (1 << width) - 1
    return value - (1 << width) if value >> (width - 1) else value


def pack(values: Iterable[int], width: int) -> int:
    """Pack integers (signed allowed) into one word, element 0 in the low bits."""
    word = 0
    mask = (1 << width) - 1
    for i, v in enumerate(values):
        word |= (int(v) & mask) << (i * width)
    return word


def unpack(word: int, n: int, width: int, signed: bool = False) -> list[int]:
    """Split *word* into *n* elements of *width* bits (inverse of :func:`pack`)."""
    mask = (1 << width) - 1
    out = [(word >> (i * width)) & mask for i in range(n)]
    return [to_signed(v, width) for v in out] if signed else out


# --------------------------------------------------------------------------- decoder


def decoder_model(n: int, addr: int, en: bool) -> int:
    """One-hot word of an ``n``-output decoder: bit ``addr`` if enabled and in range."""
    if en and 0 <= addr < n:
        return 1 << addr
    return 0


# --------------------------------------------------------------------------- address sequencer


class AddressSequencerModel:
    """Cycle model of the crossbar address block (row-major walk).

    Outputs in a cycle are functions of the state at the start of that cycle;
    :meth:`step` applies the inputs sampled at the clock edge that ends it.

    * After reset: position (0, 0), ``done`` low.
    * ``restart`` (priority over ``advance``): position (0, 0), ``done`` low.
    * ``advance`` while not done: next position in row-major order; from the
      last position, ``done`` goes high and the position holds.
    * ``advance`` while done: ignored (``done`` stays high until ``restart``).
    * ``last`` is high while at the last position and not yet done, i.e. an
      ``advance`` now completes the walk.
    """

    def __init__(self, rows: int, cols: int):
        self.rows, self.cols = rows, cols
        self.reset()

    def reset(self) -> None:
        self.row = self.col = 0
        self.done = False

    @property
    def last(self) -> bool:
        return (not self.done) and self.row == self.rows - 1 and self.col == self.cols - 1

    def outputs(self) -> dict[str, int]:
        return {"row": self.row, "col": self.col, "last": int(self.last), "done": int(self.done)}

    def step(self, restart: bool, advance: bool) -> None:
        if restart:
            self.reset()
        elif advance and not self.done:
            if self.last:
                self.done = True
            elif self.col == self.cols - 1:
                self.col = 0
                self.row += 1
            else:
                self.col += 1


# --------------------------------------------------------------------------- argmax


def argmax_model(values: Sequence[int]) -> tuple[int, int]:
    """Winner-take-all: ``(index, max)`` of *values*; ties go to the lowest index."""
    if len(values) == 0:
        raise ValueError("argmax_model needs at least one value")
    best_i, best_v = 0, values[0]
    for i, v in enumerate(values):
        if v > best_v:  # strictly greater: an equal later value never wins
            best_i, best_v = i, v
    return best_i, best_v


def argmax_levels(n: int) -> int:
    """Levels of a binary comparator tree over ``n`` inputs, ``ceil(log2 n)``."""
    levels = 0
    while (1 << levels) < n:
        levels += 1
    return levels


def argmax_latency(n: int, pipeline_every: int) -> int:
    """Latency in cycles of :class:`~pycodesign.rtl.ArgMax`.

    Registers follow every ``pipeline_every`` comparator levels (after levels
    k, 2k, ...); 0 means combinational.
    """
    if pipeline_every == 0:
        return 0
    return argmax_levels(n) // pipeline_every


# --------------------------------------------------------------------------- ReLU


def relu_model(x: int, *, width_out: int, shift: int = 0, limit: int | None = None) -> int:
    """Bounded ReLU of one lane: ``min(max(x, 0) >> shift, limit)``.

    ``limit`` defaults to the largest ``width_out``-bit value.
    """
    if limit is None:
        limit = (1 << width_out) - 1
    return min(max(x, 0) >> shift, limit)


def relu_lanes_model(xs: Sequence[int], *, width_out: int, shift: int = 0,
                     limit: int | None = None) -> list[int]:
    """:func:`relu_model` applied to every lane."""
    return [relu_model(x, width_out=width_out, shift=shift, limit=limit) for x in xs]


# --------------------------------------------------------------------------- write-verify


class Cell(Protocol):
    """A memristive cell as the write-verify loop sees it through the sense amplifier."""

    def sense(self) -> tuple[bool, bool]:
        """``(below, above)``: read current below / above the target window."""

    def pulse(self, kind: str) -> None:
        """Apply one write pulse, ``"set"`` (increase G) or ``"reset"`` (decrease G)."""


@dataclass
class LevelCell:
    """Cell with an integer conductance level and a target window ``[lo, hi]``.

    A SET pulse adds ``set_step`` levels, a RESET pulse removes ``reset_step``.
    ``set_step=0`` models a stuck cell that never reaches its window (too many
    pulses); ``set_step > hi - lo + 1`` can overshoot and then needs RESET.
    """

    level: int
    lo: int
    hi: int
    set_step: int = 1
    reset_step: int = 1

    def sense(self) -> tuple[bool, bool]:
        return self.level < self.lo, self.level > self.hi

    def pulse(self, kind: str) -> None:
        if kind == "set":
            self.level += self.set_step
        elif kind == "reset":
            self.level -= self.reset_step
        else:
            raise ValueError(f"pulse kind must be 'set' or 'reset', not {kind!r}")


@dataclass
class FixedVerdictCell:
    """Cell whose sense verdict never changes (e.g. a broken sense amplifier
    reporting both below and above, which the controller must not pulse)."""

    below: bool
    above: bool
    pulses: list[str] = field(default_factory=list)

    def sense(self) -> tuple[bool, bool]:
        return self.below, self.above

    def pulse(self, kind: str) -> None:
        self.pulses.append(kind)


@dataclass(frozen=True)
class WriteVerifyCycle:
    """Outputs of the write-verify controller in one clock cycle."""

    row: int
    col: int
    read_en: int
    set_en: int
    reset_en: int
    busy: int
    done: int
    fail_count: int


@dataclass
class WriteVerifyRun:
    """Expected result of one write-verify operation."""

    cycles: list[WriteVerifyCycle]
    #: pulse kinds applied to each (row, col, partition), in order
    pulses: dict[tuple[int, int, int], list[str]]
    #: (row, col, partition) left outside its window after ``max_pulses``
    failed: list[tuple[int, int, int]]
    fail_count: int


class WriteVerifyModel:
    """Cycle model of the write-verify (program-and-verify) controller.

    Specification (review Fig. 19/21): on ``start`` while idle, visit every
    position in row-major order, programming that position in every partition
    at once.  Per position:

    1. Read phase: ``read_en`` high for ``read_cycles`` cycles; the verdicts
       ``below``/``above`` are sampled on its last cycle.
    2. A partition whose cell is neither below nor above is acknowledged and
       gets no further pulse at this position.  A cell reporting both below
       *and* above (an invalid verdict) is not acknowledged and gets no pulse.
    3. All acknowledged: next position.  Otherwise, if this position already
       had ``max_pulses`` write phases: every unacknowledged partition adds 1
       to ``fail_count``; next position.
    4. Otherwise a write phase of ``write_cycles`` cycles: ``set_en[p]`` for
       unacknowledged partitions that were below, ``reset_en[p]`` for those
       above; then back to 1.

    The next position's read phase starts in the cycle right after the
    decision.  After the last position: ``busy`` low, ``done`` high (until the
    next ``start``), ``row``/``col`` hold the last position.  ``fail_count``
    changes in the cycle after the decision that counted the failures and is
    cleared by ``start``.
    """

    def __init__(self, rows: int, cols: int, partitions: int, max_pulses: int,
                 read_cycles: int, write_cycles: int):
        self.rows, self.cols, self.partitions = rows, cols, partitions
        self.max_pulses, self.read_cycles, self.write_cycles = max_pulses, read_cycles, write_cycles

    def run(self, make_cell: Callable[[int, int, int], Cell]) -> WriteVerifyRun:
        """Run one operation; ``make_cell(row, col, partition)`` returns a fresh cell."""
        P = self.partitions
        cycles: list[WriteVerifyCycle] = []
        pulses: dict[tuple[int, int, int], list[str]] = {}
        failed: list[tuple[int, int, int]] = []
        fail = 0
        for row in range(self.rows):
            for col in range(self.cols):
                cells = [make_cell(row, col, p) for p in range(P)]
                for p in range(P):
                    pulses[(row, col, p)] = []
                acknowledged = [False] * P
                n_writes = 0
                while True:
                    cycles += [WriteVerifyCycle(row, col, 1, 0, 0, 1, 0, fail)] * self.read_cycles
                    verdicts = [cell.sense() for cell in cells]
                    for p, (below, above) in enumerate(verdicts):
                        if not below and not above:
                            acknowledged[p] = True
                    if all(acknowledged):
                        break
                    if n_writes == self.max_pulses:
                        for p in range(P):
                            if not acknowledged[p]:
                                fail += 1
                                failed.append((row, col, p))
                        break
                    set_mask = reset_mask = 0
                    for p, (below, above) in enumerate(verdicts):
                        if acknowledged[p] or below == above:
                            continue
                        if below:
                            set_mask |= 1 << p
                        else:
                            reset_mask |= 1 << p
                    n_writes += 1
                    cycles += [WriteVerifyCycle(row, col, 0, set_mask, reset_mask, 1, 0, fail)] * self.write_cycles
                    for p in range(P):
                        kind = "set" if set_mask >> p & 1 else "reset" if reset_mask >> p & 1 else None
                        if kind:
                            cells[p].pulse(kind)
                            pulses[(row, col, p)].append(kind)
        cycles.append(WriteVerifyCycle(self.rows - 1, self.cols - 1, 0, 0, 0, 0, 1, fail))
        return WriteVerifyRun(cycles=cycles, pulses=pulses, failed=failed, fail_count=fail)


# --------------------------------------------------------------------------- SAR ADC


def sar_adc_model(bits: int, comparator: Callable[[int], bool]) -> tuple[list[int], int]:
    """Successive approximation: ``(trial codes, result)``.

    ``comparator(code)`` is True when the held input is at or above the DAC
    output for *code* (keep the bit).  Bits are decided MSB first.
    """
    code = 0
    trials = []
    for bit in reversed(range(bits)):
        trial = code | (1 << bit)
        trials.append(trial)
        if comparator(trial):
            code = trial
    return trials, code


@dataclass(frozen=True)
class SarAdcCycle:
    """Outputs of the SAR ADC controller in one clock cycle."""

    sample: int
    dac: int
    busy: int
    done: int
    result: int


class SarAdcModel:
    """Cycle model of the SAR ADC control logic.

    On ``start`` while idle: one sampling cycle (``sample`` high, ``dac`` 0),
    then one trial per bit, MSB first, each ``settle_cycles`` long with
    ``dac`` showing the trial code; ``comp`` is sampled on a trial's last
    cycle.  Then ``busy`` low, ``done`` high and ``result`` valid until the
    next ``start``.  ``dac`` is 0 outside trials; ``result`` keeps the previous
    conversion until the new one completes.
    """

    def __init__(self, bits: int, settle_cycles: int = 1):
        self.bits, self.settle_cycles = bits, settle_cycles

    def run(self, comparator: Callable[[int], bool], previous_result: int = 0) -> tuple[list[SarAdcCycle], int]:
        trials, result = sar_adc_model(self.bits, comparator)
        cycles = [SarAdcCycle(1, 0, 1, 0, previous_result)]
        for trial in trials:
            cycles += [SarAdcCycle(0, trial, 1, 0, previous_result)] * self.settle_cycles
        cycles.append(SarAdcCycle(0, 0, 0, 1, result))
        return cycles, result


# --------------------------------------------------------------------------- integer pipeline (arrays)
#
# The evaluation core (pycodesign.system) pushes whole batches of codes through
# the digital stages.  These array forms state the same rules as the scalar
# models above (tests check them against each other on every code); they are
# what a search calls thousands of times, so they are vectorised.


def difference_model(pos, neg):
    """Digital differential subtraction: W⁺ code minus W⁻ code, element-wise (int64)."""
    a = np.asarray(pos, dtype=np.int64)
    b = np.asarray(neg, dtype=np.int64)
    if a.shape != b.shape:
        raise ValueError(f"difference_model: shapes differ, {a.shape} vs {b.shape}")
    return a - b


def accumulate_model(partials, *, width: int):
    """Sum of the row tiles' codes in a signed ``width``-bit accumulator.

    ``partials`` is (tiles, ...) int; the sum must fit in ``width`` bits two's
    complement — an overflow is an error (the evaluation sizes accumulators
    so it cannot happen; a narrower one is refused before this is called).
    """
    p = np.asarray(partials, dtype=np.int64)
    total = p.sum(axis=0)
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    if total.size and (total.min() < lo or total.max() > hi):
        raise OverflowError(f"accumulate_model: sum {int(total.min())}..{int(total.max())} does not fit in a "
                            f"{width}-bit signed accumulator [{lo}, {hi}]")
    return total


def relu_codes(x, *, width_out: int, shift: int = 0, limit: int | None = None):
    """:func:`relu_model` on every element of an integer array: ``min(max(x, 0) >> shift, limit)``."""
    if limit is None:
        limit = (1 << width_out) - 1
    a = np.asarray(x, dtype=np.int64)
    return np.minimum(np.maximum(a, 0) >> shift, limit)


def argmax_rows(values):
    """:func:`argmax_model` on every row: index of the largest value, ties to the lowest index."""
    a = np.asarray(values)
    if a.ndim != 2 or a.shape[1] == 0:
        raise ValueError(f"argmax_rows needs a (rows, n >= 1) array, got shape {a.shape}")
    return np.argmax(a, axis=1)  # numpy returns the first occurrence of the maximum

# --------------------------------------------------------------------------- window comparator, target memory


def window_comparator_model(code: int, lo: int, hi: int) -> tuple[bool, bool]:
    """``(below, above)`` of a read code against the inclusive window ``[lo, hi]``."""
    return code < lo, code > hi


def target_memory_model(windows, row: int, col: int, cols: int, partitions: int) -> list[tuple[int, int]]:
    """Windows ``(lo, hi)`` of position ``(row, col)`` in each partition.

    Partition ``p`` holds the physical columns ``[p*cols, (p+1)*cols)``;
    ``windows[row][physical column] = (lo, hi)``.
    """
    return [tuple(windows[row][p * cols + col]) for p in range(partitions)]


# --------------------------------------------------------------------------- write-verify programming top


@dataclass
class CodeCell:
    """Cell seen through a read ADC: an integer read code moved by write pulses.

    A SET pulse adds ``set_step`` codes, a RESET pulse removes ``reset_step``;
    the code stays inside ``[0, top]`` (the ADC's range).
    """

    code: int
    set_step: int = 1
    reset_step: int = 1
    top: int = 255

    def read(self) -> int:
        return self.code

    def pulse(self, kind: str) -> None:
        if kind == "set":
            self.code = min(self.top, self.code + self.set_step)
        elif kind == "reset":
            self.code = max(0, self.code - self.reset_step)
        else:
            raise ValueError(f"pulse kind must be 'set' or 'reset', not {kind!r}")


@dataclass(frozen=True)
class ProgramTopCycle:
    """Outputs of the write-verify programming top in one clock cycle."""

    row: int
    col: int
    wl: int
    bl: int
    read_en: int
    adc_sample: int
    set_en: int
    reset_en: int
    busy: int
    done: int
    fail_count: int


@dataclass
class ProgramTopRun:
    """Expected result of programming the whole array once."""

    cycles: list[ProgramTopCycle]
    #: pulse kinds applied to each (row, col, partition), in order
    pulses: dict[tuple[int, int, int], list[str]]
    failed: list[tuple[int, int, int]]
    fail_count: int
    #: codes read at every verify sample of each (row, col, partition), in order
    reads: dict[tuple[int, int, int], list[int]]


class _WindowedCell:
    """A read-code cell as the controller sees it through the window comparator."""

    def __init__(self, cell, lo: int, hi: int, reads: list[int]):
        self.cell, self.lo, self.hi, self.reads = cell, lo, hi, reads

    def sense(self) -> tuple[bool, bool]:
        code = self.cell.read()
        self.reads.append(code)
        return window_comparator_model(code, self.lo, self.hi)

    def pulse(self, kind: str) -> None:
        self.cell.pulse(kind)


class ProgramTopModel:
    """Cycle model of :class:`~pycodesign.rtl.program_top.ProgramTop`.

    Specification: the write-verify loop of :class:`WriteVerifyModel` over the
    ``rows x cols`` positions of ``partitions`` column blocks, whose verdicts
    come from comparing each partition's read code with the cell's window
    (``below = code < lo``, ``above = code > hi``); the wordline select is
    one-hot on ``row`` and the bitline select one-hot on ``col`` while busy;
    ``adc_sample`` marks the last cycle of every read phase.
    A write phase that would SET some partitions and RESET others is split:
    ``write_cycles`` cycles of the SET pulses alone, then ``write_cycles``
    cycles of the RESET pulses alone (the controller is held meanwhile, so
    every later cycle moves back by ``write_cycles``).  Pulse counts per cell
    are those of :class:`WriteVerifyModel`.
    """

    def __init__(self, rows: int, cols: int, partitions: int, bits: int, windows, max_pulses: int,
                 read_cycles: int, write_cycles: int):
        self.rows, self.cols, self.partitions, self.bits = rows, cols, partitions, bits
        self.windows = [[tuple(int(v) for v in pair) for pair in row] for row in windows]
        self.max_pulses, self.read_cycles, self.write_cycles = max_pulses, read_cycles, write_cycles

    def run(self, make_cell: Callable[[int, int, int], object]) -> ProgramTopRun:
        """Program once; ``make_cell(row, col, partition)`` returns a fresh cell with
        ``read() -> code`` and ``pulse(kind)`` (e.g. :class:`CodeCell`)."""
        reads: dict[tuple[int, int, int], list[int]] = {}

        def windowed(row, col, p):
            lo, hi = self.windows[row][p * self.cols + col]
            reads[(row, col, p)] = []
            return _WindowedCell(make_cell(row, col, p), lo, hi, reads[(row, col, p)])

        inner = WriteVerifyModel(self.rows, self.cols, self.partitions, self.max_pulses,
                                 self.read_cycles, self.write_cycles).run(windowed)
        out: list[ProgramTopCycle] = []
        i, cycles = 0, inner.cycles
        while i < len(cycles):
            c = cycles[i]
            sel_wl = 1 << c.row if c.busy else 0
            sel_bl = 1 << c.col if c.busy else 0

            def emit(cyc, set_en, reset_en):
                # Read phases are runs of read_cycles read cycles at one position.
                run = 0
                while (i - run - 1 >= 0 and cycles[i - run - 1].read_en
                       and (cycles[i - run - 1].row, cycles[i - run - 1].col) == (cyc.row, cyc.col)):
                    run += 1
                sample = int(bool(cyc.read_en) and run % self.read_cycles == self.read_cycles - 1)
                out.append(ProgramTopCycle(cyc.row, cyc.col, sel_wl, sel_bl, cyc.read_en, sample, set_en,
                                           reset_en, cyc.busy, cyc.done, cyc.fail_count))

            if c.set_en and c.reset_en:
                # A mixed write phase (always write_cycles identical cycles): SET half first.
                phase = cycles[i:i + self.write_cycles]
                for cyc in phase:
                    emit(cyc, cyc.set_en, 0)
                for cyc in phase:
                    emit(cyc, 0, cyc.reset_en)
                i += self.write_cycles
            else:
                emit(c, c.set_en, c.reset_en)
                i += 1
        return ProgramTopRun(cycles=out, pulses=inner.pulses, failed=inner.failed,
                             fail_count=inner.fail_count, reads=reads)
