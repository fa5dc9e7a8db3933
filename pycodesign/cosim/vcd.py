"""Read a Value Change Dump (IEEE 1364 §18) into per-signal change lists.

Enough of the format for the files Verilator and ngspice write: scalar and
vector ``wire``/``reg`` variables in nested scopes, ``#time`` stamps,
``0/1/x/z`` scalar changes and ``b...`` vector changes (``x``/``z`` bits read
as 0: the co-simulated RTL is two-state).  Real-valued variables are skipped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["VcdSignal", "Vcd", "read_vcd"]

_TIMESCALE = re.compile(r"(\d+)\s*(s|ms|us|ns|ps|fs)")
_UNIT = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "ps": 1e-12, "fs": 1e-15}


@dataclass
class VcdSignal:
    """One variable: its full dotted name, width and changes (time in s, integer value)."""

    name: str
    width: int
    times: list[float] = field(default_factory=list)
    values: list[int] = field(default_factory=list)

    def value_at(self, t: float) -> int:
        """Value in force at time *t* (the last change at or before it; 0 before the first)."""
        i = int(np.searchsorted(np.asarray(self.times), t, side="right")) - 1
        return self.values[i] if i >= 0 else 0

    @property
    def final(self) -> int:
        return self.values[-1] if self.values else 0

    def bit_rises(self, bit: int) -> list[float]:
        """Times at which bit *bit* goes from 0 to 1."""
        out, prev = [], 0
        for t, v in zip(self.times, self.values):
            b = (v >> bit) & 1
            if b and not prev:
                out.append(t)
            prev = b
        return out


@dataclass
class Vcd:
    """Signals of a VCD file by dotted name (``TOP.module.signal``)."""

    timescale_s: float
    signals: dict[str, VcdSignal]
    end_time_s: float

    def find(self, name: str) -> VcdSignal:
        """The signal whose dotted name is *name* or ends with ``.`` + *name* (shortest match)."""
        if name in self.signals:
            return self.signals[name]
        hits = sorted((n for n in self.signals if n.endswith("." + name)), key=len)
        if not hits:
            raise KeyError(f"no signal {name!r} in the VCD; some of its signals: "
                           + ", ".join(sorted(self.signals)[:20]))
        return self.signals[hits[0]]


def _parse_value(text: str) -> int:
    return int(text.replace("x", "0").replace("X", "0").replace("z", "0").replace("Z", "0"), 2)


def read_vcd(path: str | Path) -> Vcd:
    """Parse *path*.  Raises ``ValueError`` with the line number on malformed input."""
    path = Path(path)
    scale = 1.0
    scopes: list[str] = []
    by_code: dict[str, list[VcdSignal]] = {}
    signals: dict[str, VcdSignal] = {}
    now = 0.0
    in_header = True
    with path.open("r", errors="replace") as fh:
        tokens_pending: list[str] = []
        for lineno, line in enumerate(fh, 1):
            if in_header:
                tokens_pending += line.split()
                if "$end" not in tokens_pending:
                    continue
                text = " ".join(tokens_pending)
                tokens_pending = []
                for stmt in re.findall(r"\$(\w+)(.*?)\$end", text):
                    kind, body = stmt[0], stmt[1].strip()
                    if kind == "timescale":
                        m = _TIMESCALE.search(body)
                        if not m:
                            raise ValueError(f"{path}:{lineno}: unreadable $timescale {body!r}")
                        scale = int(m.group(1)) * _UNIT[m.group(2)]
                    elif kind == "scope":
                        parts = body.split()
                        scopes.append(parts[-1] if parts else "?")
                    elif kind == "upscope":
                        if scopes:
                            scopes.pop()
                    elif kind == "var":
                        parts = body.split()
                        if len(parts) < 4:
                            raise ValueError(f"{path}:{lineno}: malformed $var {body!r}")
                        vtype, width, code, ref = parts[0], int(parts[1]), parts[2], parts[3]
                        if vtype == "real":
                            continue
                        name = ".".join(scopes + [ref])
                        sig = VcdSignal(name, width)
                        signals.setdefault(name, sig)
                        by_code.setdefault(code, []).append(signals[name])
                    elif kind == "enddefinitions":
                        in_header = False
                continue
            line = line.strip()
            if not line or line.startswith("$"):
                continue
            c = line[0]
            if c == "#":
                now = int(line[1:]) * scale
            elif c in "01xXzZ":
                for sig in by_code.get(line[1:], ()):
                    _record(sig, now, 1 if c == "1" else 0)
            elif c in "bB":
                value, _, code = line[1:].partition(" ")
                for sig in by_code.get(code.strip(), ()):
                    _record(sig, now, _parse_value(value))
            elif c in "rR":
                continue
            else:
                raise ValueError(f"{path}:{lineno}: unexpected line {line[:60]!r}")
    return Vcd(scale, signals, now)


def _record(sig: VcdSignal, t: float, v: int) -> None:
    if sig.times and sig.times[-1] == t:
        sig.values[-1] = v  # the last value at one time stamp is the one in force
    elif not sig.values or sig.values[-1] != v:
        sig.times.append(t)
        sig.values.append(v)
