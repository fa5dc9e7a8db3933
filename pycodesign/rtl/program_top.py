"""Digital top of write-verify programming: the RTL that programs a crossbar in co-simulation."""
from __future__ import annotations

from amaranth import EnableInserter, Module, Mux, Signal
from amaranth.lib import wiring

from ._common import PortTable, check_int, count_width, document_ports, index_width, port_in, port_out
from .decoder import Decoder
from .target_memory import TargetMemory, check_windows, windows_digest
from .window_comparator import WindowComparator
from .write_verify import WriteVerifyController

__all__ = ["ProgramTop"]


@document_ports
class ProgramTop(wiring.Component):
    """Write-verify controller, wordline/bitline decoders, target memory and window comparators.

    The block the co-simulation (:mod:`pycodesign.cosim`) compiles into
    ngspice: it reads one ADC code per partition, compares it with the
    cell's window from the target memory, and drives the array's write and
    read drivers through one-hot wordline/bitline selects and per-partition
    SET/RESET enables.  Partition ``p`` is the column block ``[p*cols,
    (p+1)*cols)``; the same position of every partition is programmed at once
    (:class:`~pycodesign.rtl.WriteVerifyController`).

    **Polarity split.**  SET and RESET need opposite cell voltages, and the
    partitions share the selected wordline, so a half-select bias cannot
    apply both at once.  When one write phase of the controller asks for SET
    in some partitions and RESET in others, this top stalls the controller
    (clock enable low) for ``write_cycles`` cycles while it applies the SET
    pulses alone, then lets the controller run its own write phase while it
    applies the RESET pulses alone.  Pulse counts and widths are unchanged;
    only such mixed phases take ``write_cycles`` cycles longer.  ``set_en``
    and ``reset_en`` are therefore never both non-zero in one cycle.

    Synchronous (``clk``, ``rst``, reset active high).
    :class:`pycodesign.rtl.models.ProgramTopModel` is the cycle-level reference.

    Parameters
    ----------
    rows, cols : int
        Positions per partition (wordlines; columns per partition), ``>= 1``.
    partitions : int
        Column blocks programmed in parallel, ``>= 1``.
    bits : int
        Read-ADC resolution, ``1 <= bits <= 32``.
    windows : nested sequence
        ``windows[row][physical column] = (lo, hi)``, inclusive target window
        of each cell in read-ADC codes (see :class:`~pycodesign.rtl.target_memory.TargetMemory`).
    max_pulses, read_cycles, write_cycles : int
        As :class:`~pycodesign.rtl.WriteVerifyController` (``>= 0``, ``>= 1``, ``>= 1``).

    Attributes
    ----------
    {PORTS}
    """

    PORTS = PortTable(
        start=port_in("1", "Program the whole array; ignored while busy.",
                      "Sampled at a rising edge while idle; busy rises in the next cycle."),
        code=port_in("partitions * bits", "Read-ADC code of partition p at bits [p*bits, (p+1)*bits), unsigned.",
                     "Sampled at the rising edge that ends a cycle with adc_sample high (the last of "
                     "{read_cycles} read cycles)."),
        row=port_out("ceil(log2 rows), at least 1", "Row (wordline) of the position being programmed.",
                     "Registered; stable through the read and write phases of a position."),
        col=port_out("ceil(log2 cols), at least 1", "Column inside every partition of the position being programmed.",
                     "Registered, with row."),
        wl=port_out("rows", "Wordline select: one-hot on row while busy, all zero otherwise.",
                    "Combinational from row and busy (decoder)."),
        bl=port_out("cols", "Bitline select inside every partition: one-hot on col while busy.",
                    "Combinational from col and busy (decoder)."),
        read_en=port_out("1", "Read phase: V_READ on the selected wordline, the selected bitlines sensed.",
                         "High for {read_cycles} cycle(s) per verify read."),
        adc_sample=port_out("1", "Last cycle of a read phase: the read ADCs convert and present code.",
                            "High on the last read cycle; the earlier ones let the bitline settle."),
        set_en=port_out("partitions", "SET pulse (raise conductance) on the selected cell of partition p (bit p).",
                        "High for {write_cycles} cycle(s); never in the same cycle as reset_en."),
        reset_en=port_out("partitions", "RESET pulse (lower conductance) on the selected cell of partition p.",
                          "High for {write_cycles} cycle(s); a mixed SET/RESET phase is split, SET first."),
        busy=port_out("1", "Programming in progress.", "Rises the cycle after start; falls with done."),
        done=port_out("1", "Programming finished.", "High from the end of the last position until the next start."),
        fail_count=port_out("ceil(log2(rows*cols*partitions + 1))", "Cells left outside their window after "
                                                                      "{max_pulses} pulses, as the controller counts them.",
                            "Registered; cleared by start, valid when done is high."),
    )

    def __init__(self, rows: int, cols: int, partitions: int, bits: int, windows, max_pulses: int,
                 read_cycles: int, write_cycles: int):
        owner = "ProgramTop"
        self.rows = check_int("rows", rows, minimum=1, owner=owner)
        self.cols = check_int("cols", cols, minimum=1, owner=owner)
        self.partitions = check_int("partitions", partitions, minimum=1, owner=owner)
        self.bits = check_int("bits", bits, minimum=1, maximum=32, owner=owner)
        self.max_pulses = check_int("max_pulses", max_pulses, minimum=0, owner=owner)
        self.read_cycles = check_int("read_cycles", read_cycles, minimum=1, owner=owner)
        self.write_cycles = check_int("write_cycles", write_cycles, minimum=1, owner=owner)
        self.windows = check_windows(windows, rows=rows, columns=cols * partitions, bits=bits, owner=owner)
        P = partitions
        super().__init__(self.PORTS.signature(
            start=1, code=P * bits, row=index_width(rows), col=index_width(cols), wl=rows, bl=cols, read_en=1,
            adc_sample=1, set_en=P, reset_en=P, busy=1, done=1, fail_count=count_width(rows * cols * P)))

    @property
    def module_name(self) -> str:
        return (f"program_top_r{self.rows}_c{self.cols}_p{self.partitions}_b{self.bits}_m{self.max_pulses}"
                f"_rd{self.read_cycles}_wr{self.write_cycles}_{windows_digest(self.windows)}")

    @property
    def parameters(self) -> dict:
        return {"rows": self.rows, "cols": self.cols, "partitions": self.partitions, "bits": self.bits,
                "windows": [[list(p) for p in row] for row in self.windows], "max_pulses": self.max_pulses,
                "read_cycles": self.read_cycles, "write_cycles": self.write_cycles}

    def _window_comparator(self) -> WindowComparator:
        """One partition's comparator (a method so a test can build a top with a wrong one)."""
        return WindowComparator(self.bits)

    def elaborate(self, platform):
        m = Module()
        P, b = self.partitions, self.bits
        wv = WriteVerifyController(self.rows, self.cols, P, self.max_pulses, self.read_cycles,
                                   self.write_cycles)
        stall = Signal()
        # The controller's clock enable: low while the top applies the SET half
        # of a mixed-polarity write phase (see the class doc).
        m.submodules.controller = EnableInserter(~stall)(wv)
        m.submodules.targets = targets = TargetMemory(self.rows, self.cols, P, b, self.windows)
        m.submodules.row_decoder = row_dec = Decoder(self.rows)
        m.submodules.col_decoder = col_dec = Decoder(self.cols)

        m.d.comb += [
            wv.start.eq(self.start),
            self.row.eq(wv.row), self.col.eq(wv.col),
            targets.row.eq(wv.row), targets.col.eq(wv.col),
            row_dec.addr.eq(wv.row), row_dec.en.eq(wv.busy), self.wl.eq(row_dec.onehot),
            col_dec.addr.eq(wv.col), col_dec.en.eq(wv.busy), self.bl.eq(col_dec.onehot),
            self.read_en.eq(wv.read_en),
            self.busy.eq(wv.busy), self.done.eq(wv.done), self.fail_count.eq(wv.fail_count),
        ]
        for p in range(P):
            comparator = self._window_comparator()
            m.submodules[f"window_p{p}"] = comparator
            m.d.comb += [
                comparator.code.eq(self.code[p * b:(p + 1) * b]),
                comparator.lo.eq(targets.lo[p * b:(p + 1) * b]),
                comparator.hi.eq(targets.hi[p * b:(p + 1) * b]),
                wv.below[p].eq(comparator.below),
                wv.above[p].eq(comparator.above),
            ]

        # Combinational outputs are written as plain expressions (continuous
        # assignments in the Verilog): 4-state simulators evaluate those at time
        # zero, while a combinational `always` block whose inputs never change
        # (a 1x1 array's constant address) would stay X.

        # ADC convert strobe: the last cycle of each read phase (read phases
        # never stall, so counting read_en cycles finds it).
        read_count = Signal(range(max(2, self.read_cycles)))
        last_read = read_count == self.read_cycles - 1
        m.d.comb += self.adc_sample.eq(wv.read_en & last_read)
        with m.If(wv.read_en & ~last_read):
            m.d.sync += read_count.eq(read_count + 1)
        with m.Else():
            m.d.sync += read_count.eq(0)

        # Polarity split of mixed write phases.  `armed` (set by start) keeps the
        # controller's clock enable a known 1 before the first start in 4-state
        # simulators, where the controller's outputs are X until its state first
        # changes and an X enable would stop it from ever changing.
        armed = Signal()
        with m.If(self.start):
            m.d.sync += armed.eq(1)
        mixed = Signal()
        set_half_done = Signal()
        split_cycle = Signal(range(max(2, self.write_cycles)))
        m.d.comb += [
            mixed.eq(armed & wv.set_en.any() & wv.reset_en.any()),
            stall.eq(mixed & ~set_half_done),
            self.set_en.eq(Mux(mixed & set_half_done, 0, wv.set_en)),
            self.reset_en.eq(Mux(mixed & ~set_half_done, 0, wv.reset_en)),
        ]
        with m.If(stall):
            with m.If(split_cycle == self.write_cycles - 1):
                m.d.sync += [split_cycle.eq(0), set_half_done.eq(1)]
            with m.Else():
                m.d.sync += split_cycle.eq(split_cycle + 1)
        with m.Elif(~mixed):
            m.d.sync += set_half_done.eq(0)
        return m
