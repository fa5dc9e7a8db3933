"""Deterministic Verilog from the Amaranth components, its header, and the port list of a module.

The Verilog is Amaranth's own flow (``amaranth.back.rtlil`` then Amaranth's
Yosys: ``proc -nomux -norom; memory_collect; write_verilog``), with three
differences that make it easier to take into another flow:

* submodules are named ``<module>__<child>`` instead of Amaranth's
  hierarchical ``<module>.<child>`` (an escaped identifier, and a name that
  no file can be called after);
* Yosys' private temporaries (``$13``) are renamed by ``write_verilog`` to
  its usual short names (``_013_``): Amaranth passes ``-norename``, which
  keeps them as escaped identifiers (``\\$13``);
* the few escaped identifiers left (Amaranth's second name for a net that
  already has one, ``row$13``; ``write_verilog``'s own trigger register
  for ``always @*`` blocks) become plain identifiers that also start and
  end with ``_`` (``_row_13_``).

So every generated name starts and ends with ``_``, no hand-written one does
(the blocks' signals never start with ``_``), and the lint waivers can tell
them apart (:mod:`pycodesign.rtl.lint`).  Each file starts with a header
comment (:func:`header`): block, parameters, the command that made it, and
a table of ports from the block's :class:`~pycodesign.rtl._common.PortTable`.
"""
from __future__ import annotations

import os
import re
import sys
import textwrap
from pathlib import Path

from amaranth.back import rtlil as _amaranth_rtlil
from amaranth.lib import wiring

from ._common import PortTable, render_doc_text

__all__ = ["verilog", "verilog_body", "header", "module_ports", "ordered_ports", "header_ports",
           "port_documentation"]

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Absolute POSIX or Windows paths ("/home/...", "C:\...") in the output would
# make it depend on the machine that generated it.
_ABS_PATH_RE = re.compile(r"(?<![\w.])(/(?:home|work|tmp|usr|opt|root|Users|var|mnt|builds?)/|[A-Za-z]:\\)")

#: The Yosys script of ``amaranth.back.verilog`` (0.5), without ``-norename``.
#: tests/test_rtl_generate.py checks that, with ``-norename``, it still gives
#: Amaranth's output byte for byte (so an Amaranth update cannot drift from it).
_YOSYS_SCRIPT = ("proc -nomux -norom", "memory_collect")

HEADER_WIDTH = 100


def verilog(component: wiring.Component, name: str | None = None, *, command: str | None = None,
            block: str | None = None) -> str:
    """Verilog text of *component* as a top-level module called *name*, with its header.

    The text is byte-identical across runs and machines for the same
    Amaranth/Yosys versions: no source locations, no paths, no timestamps.
    *name* defaults to the component's ``module_name`` (derived from its
    parameters).  *command* is the command line the header names as the
    way to regenerate the file (``pycodesign hdl`` passes its own); by
    default the header names the Python call.  *block* is the block's name
    in an HDL configuration, for the header.

    Raises
    ------
    TypeError
        *component* is not an Amaranth ``wiring.Component``.
    ValueError
        *name* is not a plain Verilog identifier, or the block has no port
        table documenting every port.
    RuntimeError
        The generated text contains an absolute path or a name that could
        not be made a plain identifier (never expected).
    """
    name = _module_name(component, name)
    body = verilog_body(component, name)
    text = header(component, name, body, command=command, block=block) + body
    _check_no_paths(text)
    return text


def verilog_body(component: wiring.Component, name: str | None = None) -> str:
    """The Verilog of *component* without the header (see :func:`verilog`)."""
    name = _module_name(component, name)
    il = _amaranth_rtlil.convert(component, name=name, emit_src=False)
    il = _rename_submodules(il, name)
    text = _run_yosys(il, norename=False)
    text = _plain_identifiers(text)
    _check_no_paths(text)
    return text


def _module_name(component, name: str | None) -> str:
    if not isinstance(component, wiring.Component):
        raise TypeError(f"component must be an amaranth wiring.Component, not {component!r}")
    if name is None:
        name = getattr(component, "module_name", None)
        if name is None:
            raise ValueError(f"{type(component).__name__} has no module_name; pass name=")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"module name must be a plain Verilog identifier "
                         f"([A-Za-z_][A-Za-z0-9_]*), not {name!r}")
    if "__" in name:
        # "__" separates a module from its submodules (see _rename_submodules).
        raise ValueError(f"module name must not contain '__' (reserved for submodules): {name!r}")
    return name


def _run_yosys(il: str, *, norename: bool) -> str:
    # The Yosys that amaranth.back.verilog uses, with its version requirement.
    from amaranth._toolchain.yosys import find_yosys

    yosys = find_yosys(lambda ver: ver >= (0, 40))
    script = [f"read_rtlil <<rtlil\n{il}\nrtlil", *_YOSYS_SCRIPT,
              "write_verilog -norename" if norename else "write_verilog"]
    # Amaranth squashes the same warning ("not all processes can be translated").
    return yosys.run(["-q", "-"], "\n".join(script), ignore_warnings=True)


_RTLIL_MODULE_RE = re.compile(r"^module \\(\S+)$", re.M)


def _rename_submodules(il: str, top: str) -> str:
    """RTLIL with every submodule ``top.a.b`` renamed ``top__a__b`` (module and cell type)."""
    names = _RTLIL_MODULE_RE.findall(il)
    for old in names:
        if old == top:
            continue
        new = old.replace(".", "__")
        if not _NAME_RE.match(new) or new in names:
            raise RuntimeError(f"submodule {old!r} of {top!r} cannot be renamed {new!r}")
        # RTLIL identifiers are whitespace-delimited tokens.
        il = re.sub(r"(?<=\s)\\" + re.escape(old) + r"(?=\s)", lambda _m, new=new: "\\" + new, il)
    return il


# An escaped identifier ends at white space; write_verilog always ends one with a
# space, which the plain name no longer needs.
_ESCAPED_RE = re.compile(r"\\(\S+) ")
_BACKEND_TRIGGER_RE = re.compile(r"^\$auto\$verilog_backend\.cc:\d+:dump_module\$(\d+)$")
_IDENT_RE = re.compile(r"\b[A-Za-z_][A-Za-z0-9_$]*\b")


def _plain_identifiers(text: str) -> str:
    """Replace the escaped identifiers ``write_verilog`` leaves by plain ``_..._`` names."""
    escaped = sorted(set(_ESCAPED_RE.findall(text)))
    if not escaped:
        return text
    taken = set(_IDENT_RE.findall(text))
    mapping = {}
    for old in escaped:
        trigger = _BACKEND_TRIGGER_RE.match(old)
        if trigger:  # write_verilog's register that starts every always @* block at time 0
            new = f"_comb_init_{trigger.group(1)}_"
        else:        # Amaranth's second name of a net ("row$13"), or anything else
            new = "_" + re.sub(r"[^A-Za-z0-9_]", "_", old).strip("_") + "_"
        if not _NAME_RE.match(new) or new in taken or new in mapping.values():
            raise RuntimeError(f"cannot rename the escaped identifier \\{old} to a plain one ({new!r} is taken)")
        mapping[old] = new
    text = _ESCAPED_RE.sub(lambda m: mapping[m.group(1)], text)
    left = re.search(r"\\\S+", text)
    if left:
        raise RuntimeError(f"an escaped identifier is left in the Verilog: {left.group(0)!r}")
    return text


def _check_no_paths(text: str) -> None:
    suspects = {str(Path.cwd()), sys.prefix, os.path.expanduser("~")}
    for s in suspects:
        # A whole path, not a fragment of prose ("data/valid_in" with a cwd of "/v").
        if len(s) > 1 and re.search(r"(?<![\w./-])" + re.escape(s) + r"(?![\w.-])", text):
            raise RuntimeError(f"generated Verilog contains the local path {s!r}")
    hit = _ABS_PATH_RE.search(text)
    if hit:
        raise RuntimeError(f"generated Verilog contains an absolute path near {text[hit.start():hit.start() + 40]!r}")


# --------------------------------------------------------------------------- header


class _Values(dict):
    """Parameters and attributes of a component for the ``{name}`` fields of the port docs."""

    def __init__(self, component):
        super().__init__(getattr(component, "parameters", {}) or {})
        self.component = component

    def __missing__(self, key):
        if hasattr(self.component, key):
            return getattr(self.component, key)
        raise KeyError(f"{type(self.component).__name__}: port documentation names {{{key}}}, "
                       "which is neither a parameter nor an attribute of the block")


def port_documentation(component) -> PortTable:
    """The block's :class:`~pycodesign.rtl._common.PortTable` (``type(component).PORTS``).

    Raises
    ------
    ValueError
        The block has none.
    """
    table = getattr(type(component), "PORTS", None)
    if not isinstance(table, PortTable):
        raise ValueError(f"{type(component).__name__} has no PORTS table: every generated module documents "
                         "its ports (pycodesign.rtl._common.PortTable, next to the component)")
    return table


def header(component, name: str, body: str, *, command: str | None = None, block: str | None = None) -> str:
    """The comment block that starts a generated file (see :func:`verilog`).

    Ports (direction, width) are read from *body*, the emitted module, so
    the table lists exactly the module's ports; meaning and timing come from
    the block's port table, with the instance's values in its ``{name}``
    fields.

    Raises
    ------
    ValueError
        A port of the module is not documented.
    """
    from .. import __version__

    table = port_documentation(component)
    values = _Values(component)
    cls = type(component)
    summary = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
    params = getattr(component, "parameters", None) or {}
    ports = ordered_ports(component, body, name)
    submodules = [m.group(1) for m in _MODULE_RE.finditer(body) if m.group(1) != name]

    rule = "// " + "=" * (HEADER_WIDTH - 3)
    lines = [rule, f"// {name}"]

    def field(label: str, text: str) -> None:
        first = f"//   {label:<11}"
        wrapped = textwrap.wrap(text, HEADER_WIDTH - len(first) - 1, break_on_hyphens=False) or [""]
        lines.append(first + " " + wrapped[0])
        lines.extend("//   " + " " * 12 + w for w in wrapped[1:])

    field("block", (f"{block} (pycodesign.rtl.{cls.__name__})" if block else f"pycodesign.rtl.{cls.__name__}")
          + f": {_strip_rst(summary)}")
    field("parameters", ", ".join(f"{k}={v!r}" for k, v in params.items()) or "none")
    if hasattr(component, "latency"):
        field("latency", f"{component.latency} cycle(s)")
    names = {p["name"] for p in ports}
    if "clk" in names:
        field("clocking", "clk, rising edge; rst synchronous, active high" if "rst" in names else "clk, rising edge")
    else:
        field("clocking", "none: combinational")
    if submodules:
        field("submodules", ", ".join(submodules) + " (in this file)")
    from importlib import metadata

    field("generated", f"by pycodesign {__version__} with Amaranth {metadata.version('amaranth')}; "
                       "do not edit, regenerate with:")
    lines.append("//     " + (command or f"pycodesign.rtl.verilog({cls.__name__}("
                              + ", ".join(f"{k}={v!r}" for k, v in params.items()) + "))"))
    lines.append("//")
    lines.append("// Ports (bit 0 is the LSB; multi-element ports are packed, element i at the i-th slice)")
    w_name = max([len("port")] + [len(p["name"]) for p in ports])
    head = f"// {'port':<{w_name}}  {'dir':<6}  {'width':>5}  "
    lines.append(head + "meaning; timing")
    lines.append(f"// {'-' * w_name}  {'-' * 6}  {'-' * 5}  " + "-" * (HEADER_WIDTH - len(head)))
    indent = " " * (len(head) - 3)
    for p in ports:
        try:
            doc = table.doc(p["name"])
        except KeyError:
            raise ValueError(f"{cls.__name__}: port {p['name']!r} of module {name} is not documented in "
                             f"{cls.__name__}.PORTS") from None
        if doc.direction != p["direction"]:
            raise ValueError(f"{cls.__name__}.PORTS says {p['name']!r} is an {doc.direction}; "
                             f"the module has an {p['direction']}")
        text = (f"{render_doc_text(doc.meaning, values)} "
                f"Timing: {render_doc_text(doc.timing, values)}")
        wrapped = textwrap.wrap(text, HEADER_WIDTH - len(head), break_on_hyphens=False)
        lines.append(f"// {p['name']:<{w_name}}  {p['direction']:<6}  {p['width']:>5}  {wrapped[0]}")
        lines.extend(f"// {indent}{w}" for w in wrapped[1:])
    lines.append(rule)
    return "\n".join(lines) + "\n"


def _strip_rst(text: str) -> str:
    return text.replace("``", "")


_HEADER_PORT_RE = re.compile(r"^// ([A-Za-z_][A-Za-z0-9_]*)\s+(input|output|inout)\s+(\d+)\s\s", re.M)


def header_ports(text: str) -> list[dict]:
    """Ports listed in the header of a generated file: ``[{"name", "direction", "width"}]``."""
    head = text.split("\n// " + "=" * (HEADER_WIDTH - 3) + "\n", 1)[0]
    return [{"name": m.group(1), "direction": m.group(2), "width": int(m.group(3))}
            for m in _HEADER_PORT_RE.finditer(head)]


def ordered_ports(component, text: str, module: str) -> list[dict]:
    """Ports of the emitted *module*: ``clk`` and ``rst`` first, then the signature's order.

    Raises
    ------
    RuntimeError
        The module's ports and the component's signature differ (never expected).
    """
    ports = {p["name"]: p for p in module_ports(text, module)}
    order = [n for n in ("clk", "rst") if n in ports] + list(component.signature.members.keys())
    if set(order) != set(ports):
        raise RuntimeError(f"{module}: ports {sorted(ports)} differ from the signature {sorted(order)}")
    return [ports[n] for n in order]


_PORT_RE = re.compile(r"^\s*(input|output|inout)\s+(?:\[(\d+):(\d+)\]\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*;", re.M)
_MODULE_RE = re.compile(r"^module\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)\s*;", re.M)


def module_ports(text: str, module: str) -> list[dict]:
    """Ports of *module* in Verilog *text*, in declaration order of the port list.

    Returns a list of ``{"name": str, "direction": "input"|"output"|"inout", "width": int}``.
    """
    for mod in _MODULE_RE.finditer(text):
        if mod.group(1) != module:
            continue
        order = [p.strip() for p in mod.group(2).split(",") if p.strip()]
        body = text[mod.end():text.index("endmodule", mod.end())]
        decl = {}
        for d in _PORT_RE.finditer(body):
            msb = int(d.group(2)) if d.group(2) is not None else 0
            lsb = int(d.group(3)) if d.group(3) is not None else 0
            decl[d.group(4)] = {"name": d.group(4), "direction": d.group(1), "width": abs(msb - lsb) + 1}
        missing = [p for p in order if p not in decl]
        if missing:
            raise ValueError(f"module {module}: no declaration found for ports {missing}")
        return [decl[p] for p in order]
    raise ValueError(f"module {module!r} not found in the Verilog text")
