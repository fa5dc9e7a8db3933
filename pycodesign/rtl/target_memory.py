"""Target memory: the per-cell programming windows, in read-ADC codes, as a ROM."""
from __future__ import annotations

import hashlib
import json

from amaranth import C, Cat, Const, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ._common import check_int, index_width

__all__ = ["TargetMemory", "check_windows", "windows_digest"]


def check_windows(windows, *, rows: int, columns: int, bits: int, owner: str) -> tuple:
    """``windows`` as a tuple (rows) of tuples (columns) of ``(lo, hi)`` int pairs.

    Raises
    ------
    TypeError
        Not a nested sequence of integers.
    ValueError
        Wrong shape, an edge outside ``[0, 2**bits - 1]`` or ``lo > hi``; the
        message names the cell ``[row][column]`` and the bad value.
    """
    top = (1 << bits) - 1
    if isinstance(windows, (str, bytes)) or not hasattr(windows, "__len__"):
        raise TypeError(f"{owner}: windows must be a nested list [row][column] = [lo, hi], not {windows!r:.80}")
    if len(windows) != rows:
        raise ValueError(f"{owner}: windows has {len(windows)} rows; expected {rows}")
    out = []
    for r, row in enumerate(windows):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__len__") or len(row) != columns:
            raise ValueError(f"{owner}: windows[{r}] must list {columns} [lo, hi] pairs, not {row!r:.80}")
        cells = []
        for c, pair in enumerate(row):
            if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
                raise ValueError(f"{owner}: windows[{r}][{c}] must be a pair [lo, hi], not {pair!r}")
            lo, hi = pair
            for name, v in (("lo", lo), ("hi", hi)):
                if isinstance(v, bool) or not isinstance(v, int) and not (hasattr(v, "__index__")):
                    raise TypeError(f"{owner}: windows[{r}][{c}] {name} must be an integer code, not {v!r}")
                if not 0 <= int(v) <= top:
                    raise ValueError(f"{owner}: windows[{r}][{c}] {name} = {int(v)} is outside the "
                                     f"{bits}-bit code range [0, {top}]")
            if int(lo) > int(hi):
                raise ValueError(f"{owner}: windows[{r}][{c}] = [{int(lo)}, {int(hi)}] is empty: lo must be <= hi")
            cells.append((int(lo), int(hi)))
        out.append(tuple(cells))
    return tuple(out)


def windows_digest(windows) -> str:
    """Short content hash of a window table (part of the generated module names)."""
    text = json.dumps([[list(p) for p in row] for row in windows], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:10]


class TargetMemory(wiring.Component):
    """Read-only table of the programming windows of a partitioned crossbar.

    Position ``(row, col)`` of partition ``p`` is the physical cell at row
    ``row``, column ``p * cols + col`` (partitions are contiguous column
    blocks, as programmed in parallel by
    :class:`~pycodesign.rtl.WriteVerifyController`).  One word per position
    holds the windows of all partitions.  Combinational read (a ROM: a
    multiplexer tree on the address bits).

    Parameters
    ----------
    rows, cols : int
        Positions per partition, each ``>= 1``.
    partitions : int
        ``>= 1``.
    bits : int
        Width of a code, ``1 <= bits <= 32``.
    windows : nested sequence
        ``windows[row][physical column] = (lo, hi)``: the inclusive window in
        read-ADC codes, ``0 <= lo <= hi < 2**bits``; ``cols * partitions``
        physical columns.

    Attributes
    ----------
    row : In(ceil(log2 rows), at least 1)
    col : In(ceil(log2 cols), at least 1)
    lo, hi : Out(partitions * bits)
        Window edges of partition ``p`` at bits ``[p*bits, (p+1)*bits)``; zero
        when ``col >= cols`` or ``row >= rows``.
    """

    def __init__(self, rows: int, cols: int, partitions: int, bits: int, windows):
        owner = "TargetMemory"
        self.rows = check_int("rows", rows, minimum=1, owner=owner)
        self.cols = check_int("cols", cols, minimum=1, owner=owner)
        self.partitions = check_int("partitions", partitions, minimum=1, owner=owner)
        self.bits = check_int("bits", bits, minimum=1, maximum=32, owner=owner)
        self.windows = check_windows(windows, rows=rows, columns=cols * partitions, bits=bits, owner=owner)
        super().__init__({
            "row": In(index_width(rows)),
            "col": In(index_width(cols)),
            "lo": Out(partitions * bits),
            "hi": Out(partitions * bits),
        })

    @property
    def module_name(self) -> str:
        return (f"target_memory_r{self.rows}_c{self.cols}_p{self.partitions}_b{self.bits}"
                f"_{windows_digest(self.windows)}")

    @property
    def parameters(self) -> dict:
        return {"rows": self.rows, "cols": self.cols, "partitions": self.partitions, "bits": self.bits,
                "windows": [[list(p) for p in row] for row in self.windows]}

    def words(self) -> list[int]:
        """ROM contents: word ``row * cols + col`` packs ``lo`` then ``hi`` of every partition."""
        b, P = self.bits, self.partitions
        words = []
        for r in range(self.rows):
            for c in range(self.cols):
                lo = hi = 0
                for p in range(P):
                    w_lo, w_hi = self.windows[r][p * self.cols + c]
                    lo |= w_lo << (p * b)
                    hi |= w_hi << (p * b)
                words.append(lo | (hi << (P * b)))
        return words

    def elaborate(self, platform):
        m = Module()
        half = self.partitions * self.bits
        words = self.words()
        addr = Cat(self.col, self.row)  # word (row << len(col)) | col
        cb = len(self.col)

        def word_at(a: int) -> int:
            r, c = a >> cb, a & ((1 << cb) - 1)
            return words[r * self.cols + c] if r < self.rows and c < self.cols else 0

        def tree(prefix: int, bit: int):
            # A ROM as a binary multiplexer tree on the address bits, written as
            # plain expressions (continuous assignments, evaluated at time zero
            # by 4-state simulators, unlike a case statement on a constant address).
            if bit < 0:
                return C(word_at(prefix), 2 * half)
            hi_branch, lo_branch = tree(prefix | (1 << bit), bit - 1), tree(prefix, bit - 1)
            if isinstance(hi_branch, Const) and isinstance(lo_branch, Const) and hi_branch.value == lo_branch.value:
                return lo_branch
            return Mux(addr[bit], hi_branch, lo_branch)

        word = Signal(2 * half)
        m.d.comb += [word.eq(tree(0, len(addr) - 1)), self.lo.eq(word[:half]), self.hi.eq(word[half:])]
        return m
