"""Shared helpers for the RTL blocks: eager parameter checks, widths and port documentation."""
from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["check_int", "check_bool", "index_width", "count_width", "PortDoc", "PortTable", "port_in",
           "port_out", "document_ports", "render_doc_text", "CLOCK_PORTS", "DEFAULT_CLOCK_DOCS"]


def check_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None,
              owner: str = "") -> int:
    """Return *value* if it is an ``int`` within ``[minimum, maximum]``.

    Raises
    ------
    TypeError
        *value* is not an integer (``bool`` is rejected too: ``True`` is not a size).
    ValueError
        *value* is out of range; the message quotes the bad value and the allowed range.
    """
    where = f"{owner}: " if owner else ""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{where}{name} must be an integer, not {value!r}")
    if minimum is not None and value < minimum:
        if maximum is None:
            raise ValueError(f"{where}{name} must be an integer >= {minimum}, not {value!r}")
        raise ValueError(f"{where}{name} must be an integer in [{minimum}, {maximum}], not {value!r}")
    if maximum is not None and value > maximum:
        if minimum is None:
            raise ValueError(f"{where}{name} must be an integer <= {maximum}, not {value!r}")
        raise ValueError(f"{where}{name} must be an integer in [{minimum}, {maximum}], not {value!r}")
    return value


def check_bool(name: str, value, *, owner: str = "") -> bool:
    """Return *value* if it is a ``bool``; raise ``TypeError`` otherwise."""
    if not isinstance(value, bool):
        where = f"{owner}: " if owner else ""
        raise TypeError(f"{where}{name} must be a bool (True or False), not {value!r}")
    return value


def index_width(n: int) -> int:
    """Bits needed to address ``n`` items, ``ceil(log2 n)``, at least 1."""
    return max(1, (n - 1).bit_length())


def count_width(maximum: int) -> int:
    """Bits needed to hold every count ``0 .. maximum``, at least 1."""
    return max(1, int(maximum).bit_length())


# --------------------------------------------------------------------------- port documentation
#
# Each block declares its ports once, in a :class:`PortTable` next to the
# component: direction, width rule, meaning and timing.  The table builds the
# Amaranth signature (so names, order and directions cannot disagree with the
# docs), fills the "Attributes" section of the class docstring, and is what
# the header of every generated Verilog file prints (pycodesign.rtl.emit).


@dataclass(frozen=True)
class PortDoc:
    """Documentation of one port.

    Parameters
    ----------
    direction : {"input", "output"}
        As in Verilog and in ``manifest.json``.
    width : str
        The width rule in words (e.g. ``"ceil(log2 n), at least 1"``); the
        Verilog header shows the resolved number instead.
    meaning : str
        What the port carries, in the field's words.
    timing : str
        When it is sampled or valid, relative to ``clk`` and the other ports.

    ``meaning`` and ``timing`` may name the block's parameters and
    attributes in braces (``{read_cycles}``, ``{latency}``): the Verilog
    header prints the instance's values, the docstring the names.
    """

    direction: str
    width: str
    meaning: str
    timing: str

    def __post_init__(self):
        if self.direction not in ("input", "output"):
            raise ValueError(f"PortDoc direction must be 'input' or 'output', not {self.direction!r}")
        if not self.meaning.strip() or not self.timing.strip():
            raise ValueError("PortDoc needs both a meaning and a timing")


def port_in(width: str, meaning: str, timing: str) -> PortDoc:
    """An input port's documentation (see :class:`PortDoc`)."""
    return PortDoc("input", width, meaning, timing)


def port_out(width: str, meaning: str, timing: str) -> PortDoc:
    """An output port's documentation (see :class:`PortDoc`)."""
    return PortDoc("output", width, meaning, timing)


#: Ports Amaranth adds for the ``sync`` domain; documented here once, a block
#: may refine them (e.g. what its reset clears) by naming them in its table.
CLOCK_PORTS = ("clk", "rst")
DEFAULT_CLOCK_DOCS = {
    "clk": port_in("1", "Clock.",
                   "Every register changes at the rising edge; inputs are sampled there."),
    "rst": port_in("1", "Reset, synchronous, active high: every register returns to its reset value.",
                   "Sampled at a rising edge, like any other input."),
}


class PortTable(Mapping):
    """The documented ports of a block, in signature order (see :class:`PortDoc`).

    ``clk`` and ``rst`` may appear to refine their documentation; they are
    not part of the signature (Amaranth adds them for the ``sync`` domain).
    """

    def __init__(self, **ports: PortDoc):
        for name, doc in ports.items():
            if not isinstance(doc, PortDoc):
                raise TypeError(f"port {name!r}: expected a PortDoc (port_in/port_out), not {doc!r}")
            if name in CLOCK_PORTS and doc.direction != "input":
                raise ValueError(f"port {name!r} is an input")
        self._ports = dict(ports)

    def __getitem__(self, name: str) -> PortDoc:
        return self._ports[name]

    def __iter__(self):
        return iter(self._ports)

    def __len__(self) -> int:
        return len(self._ports)

    @property
    def signal_ports(self) -> list[str]:
        """The ports of the signature (every port but ``clk``/``rst``), in order."""
        return [n for n in self._ports if n not in CLOCK_PORTS]

    def doc(self, name: str) -> PortDoc:
        """Documentation of *name*, the defaults for ``clk``/``rst`` included.

        Raises
        ------
        KeyError
            *name* is not documented.
        """
        if name in self._ports:
            return self._ports[name]
        if name in DEFAULT_CLOCK_DOCS:
            return DEFAULT_CLOCK_DOCS[name]
        raise KeyError(name)

    def signature(self, **widths: int) -> dict:
        """Members for ``wiring.Component.__init__``: ``In``/``Out`` of *widths*, in table order.

        Raises
        ------
        ValueError
            *widths* names a port the table does not document, or misses one.
        """
        from amaranth.lib.wiring import In, Out

        names = self.signal_ports
        extra = [n for n in widths if n not in names]
        missing = [n for n in names if n not in widths]
        if extra or missing:
            raise ValueError(f"port widths and the port table disagree: undocumented {extra}, "
                             f"without a width {missing}")
        return {n: (In if self._ports[n].direction == "input" else Out)(widths[n]) for n in names}

    def numpydoc(self, indent: str = "    ") -> str:
        """The entries of a numpydoc "Attributes" section, one per port."""
        lines = []
        for name, doc in self._ports.items():
            flow = "In" if doc.direction == "input" else "Out"
            lines.append(f"{name} : {flow}({doc.width})")
            text = f"{render_doc_text(doc.meaning)} Timing: {render_doc_text(doc.timing)}"
            lines += [indent + ln for ln in textwrap.wrap(text, 88 - len(indent))]
        return "\n".join(lines)


class _NamesInBackquotes(dict):
    def __missing__(self, key):
        return f"``{key}``"


def render_doc_text(text: str, values=None) -> str:
    """*text* with its ``{name}`` fields filled from *values* (default: the names in backquotes)."""
    return text.format_map(_NamesInBackquotes() if values is None else values)


def document_ports(cls):
    """Class decorator: put ``cls.PORTS`` into the ``{PORTS}`` line of the class docstring."""
    table = cls.__dict__.get("PORTS")
    if not isinstance(table, PortTable):
        raise TypeError(f"{cls.__name__}: PORTS must be a PortTable")
    doc = cls.__doc__ or ""
    marker = re.search(r"^([ \t]*)\{PORTS\}[ \t]*$", doc, re.M)
    if marker is None:
        raise ValueError(f"{cls.__name__}: the docstring has no {{PORTS}} line")
    indent = marker.group(1)
    body = "\n".join(indent + ln if ln else ln for ln in table.numpydoc().splitlines())
    cls.__doc__ = doc[:marker.start()] + body + doc[marker.end():]
    return cls
