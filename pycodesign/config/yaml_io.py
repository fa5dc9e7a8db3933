"""Reading configuration files: YAML text to plain data, with clear errors and bounded work.

Whatever the file holds, :func:`read_yaml` returns plain data or raises
:class:`~pycodesign.config.ConfigError` naming the file (and the line or key
path where there is one) — never another exception, and never after
unbounded work.  The limits (module constants) are far above any real flow
file (the shipped ones are under 2 kB, nest 4 deep and hold ~150 nodes):

* :data:`MAX_FILE_BYTES` — larger files are refused before parsing;
* text must be UTF-8 (a UTF-8 byte-order mark is accepted); UTF-16/32,
  Latin-1 and binary files are refused saying which they look like;
* :data:`MAX_DEPTH` nesting levels (checked on the parser's event stream,
  which is iterative, before the recursive composer runs);
* :data:`MAX_NODES` nodes *after* alias expansion (computed on the node
  graph without expanding it): a "billion laughs" alias bomb of a few hundred
  bytes is refused in milliseconds; recursive aliases are refused;
* :data:`MAX_SCALAR_CHARS` characters per scalar, and integers of at most
  :data:`MAX_INT_DIGITS` digits (Python refuses to convert more than 4300);
* duplicate keys in one mapping are refused (YAML says keys are unique;
  PyYAML would silently keep the last), naming the key path and both lines;
* strings must be valid Unicode (no lone surrogates from ``"\\ud800"``
  escapes).
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .core import ConfigError, _keyname, _short

__all__ = ["read_yaml", "parse_yaml", "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_NODES", "MAX_SCALAR_CHARS",
           "MAX_INT_DIGITS"]

#: Largest configuration file read (bytes).
MAX_FILE_BYTES = 1_000_000
#: Deepest nesting of mappings and lists.
MAX_DEPTH = 64
#: Most nodes (scalars, lists, mappings) after expanding aliases.
MAX_NODES = 200_000
#: Longest scalar (characters).
MAX_SCALAR_CHARS = 100_000
#: Most digits of an integer.
MAX_INT_DIGITS = 1000

# libyaml's parser when PyYAML has it (about 10x faster; the pure-Python one otherwise):
# same events, nodes and constructor, so every check below applies to both.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_INT_TAG = "tag:yaml.org,2002:int"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _decode(data: bytes, file: str) -> str:
    """UTF-8 text of *data*; ``ConfigError`` saying what the bytes look like otherwise."""
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if data.startswith(bom):
            raise ConfigError(file, "", f"the file is {name} text (byte-order mark); save it as UTF-8")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if b"\x00" in data[:4096]:
        even, odd = data[0:4096:2].count(0), data[1:4096:2].count(0)
        if max(even, odd) > 0.3 * min(len(data), 4096) / 2 and min(even, odd) < 0.05 * min(len(data), 4096) / 2:
            raise ConfigError(file, "", "the file looks like UTF-16 text; save it as UTF-8")
        raise ConfigError(file, "", "the file is binary (it holds NUL bytes), not YAML text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(file, "", f"byte 0x{data[exc.start]:02x} at line {line}, column {col} is not UTF-8 "
                                    "(Latin-1 or another legacy encoding?); save the file as UTF-8") from None


def _where(mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "?"


def _check_events(text: str, file: str) -> None:
    """Bound nesting depth and the number of events on the (iterative) parser's event stream."""
    depth = 0
    count = 0
    for ev in yaml.parse(text, Loader=_Loader):
        count += 1
        if count > MAX_NODES:
            raise ConfigError(file, "", f"more than {MAX_NODES} YAML nodes; a flow file is far smaller")
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise ConfigError(file, "", f"nested more than {MAX_DEPTH} levels deep at "
                                            f"{_where(ev.start_mark)}")
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(ev, yaml.ScalarEvent) and len(ev.value) > MAX_SCALAR_CHARS:
            raise ConfigError(file, "", f"a value of {len(ev.value)} characters at {_where(ev.start_mark)}; "
                                        f"at most {MAX_SCALAR_CHARS}")


def _key_text(node: Node) -> str:
    return _keyname(node.value) if isinstance(node, ScalarNode) else f"<{type(node).__name__}>"


def _check_nodes(root: Node, file: str) -> None:
    """Duplicate keys, expanded size, recursive aliases, integer lengths and surrogates on the node graph.

    Aliases make the graph a DAG (or, for recursive anchors, cyclic); each
    node's expanded size is computed once (memoised by identity), so the
    check costs the size of the *file*, not of the expansion.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    # iterative post-order walk: (node, key path, children done?)
    stack: list[tuple[Node, str, bool]] = [(root, "", False)]
    while stack:
        node, path, done = stack.pop()
        nid = id(node)
        if done:
            on_path.discard(nid)
            total = 1
            if isinstance(node, SequenceNode):
                total += sum(size[id(c)] for c in node.value)
            elif isinstance(node, MappingNode):
                total += sum(size[id(k)] + size[id(v)] for k, v in node.value)
            size[nid] = total
            if total > MAX_NODES:
                raise ConfigError(file, path, f"expands to more than {MAX_NODES} values through YAML aliases "
                                              "(&anchor / *alias); a flow file is far smaller")
            continue
        if nid in size:
            continue
        if nid in on_path:
            raise ConfigError(file, path, f"a recursive YAML alias at {_where(node.start_mark)} (a value that "
                                          "contains itself)")
        if isinstance(node, ScalarNode):
            _check_scalar(node, file, path)
            size[nid] = 1
            continue
        on_path.add(nid)
        stack.append((node, path, True))
        if isinstance(node, SequenceNode):
            for i, child in enumerate(node.value):
                stack.append((child, f"{path}[{i}]", False))
        elif isinstance(node, MappingNode):
            seen: dict[tuple, Any] = {}
            for k, v in node.value:
                if isinstance(k, ScalarNode) and k.tag != _MERGE_TAG:
                    ident = (k.tag, k.value)
                    if ident in seen:
                        raise ConfigError(file, f"{path}.{_key_text(k)}" if path else _key_text(k),
                                          f"duplicate key (at {_where(seen[ident])} and {_where(k.start_mark)}); "
                                          "each key may appear once")
                    seen[ident] = k.start_mark
                sub = f"{path}.{_key_text(k)}" if path else _key_text(k)
                stack.append((k, sub, False))
                stack.append((v, sub, False))


def _check_scalar(node: ScalarNode, file: str, path: str) -> None:
    value = node.value
    if node.tag == _INT_TAG:
        digits = len(re.sub(r"[^0-9a-fA-F]", "", value))
        if digits > MAX_INT_DIGITS:
            raise ConfigError(file, path, f"an integer of {digits} digits at {_where(node.start_mark)}; "
                                          f"at most {MAX_INT_DIGITS}")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise ConfigError(file, path, f"{_short(value)} at {_where(node.start_mark)} is not valid Unicode text "
                                      "(a lone surrogate, e.g. from a \\uD800 escape)")


def parse_yaml(text: str | bytes, *, file: str = "<string>") -> Any:
    """Plain data of YAML *text* (bytes are decoded as UTF-8), with every check of :func:`read_yaml`."""
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise ConfigError(file, "", f"{len(text)} bytes; a configuration file has at most {MAX_FILE_BYTES}")
        text = _decode(text, file)
    elif len(text) > MAX_FILE_BYTES:
        raise ConfigError(file, "", f"{len(text)} characters; a configuration file has at most {MAX_FILE_BYTES}")
    try:
        _check_events(text, file)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _check_nodes(node, file)
            try:
                return loader.construct_document(node)
            except yaml.YAMLError:
                raise
            except Exception as exc:  # noqa: BLE001 - PyYAML's constructors raise ValueError, AttributeError
                # (a !!timestamp that is not one), TypeError ...: all mean "this value is not readable"
                raise ConfigError(file, "", f"a value could not be read ({type(exc).__name__}: "
                                            f"{_short(str(exc), 200)}); quote text that looks like a date, "
                                            "a number or a tag") from None
        finally:
            loader.dispose()
    except ConfigError:
        raise
    except yaml.YAMLError as exc:
        raise ConfigError(file, "", f"not valid YAML: {_yaml_message(exc)}") from None
    except RecursionError:  # unreachable within MAX_DEPTH; kept so no input can escape as a traceback
        raise ConfigError(file, "", "nested too deeply") from None


def _yaml_message(exc: yaml.YAMLError) -> str:
    """PyYAML's message, bounded (it quotes the offending text)."""
    text = str(exc).replace('in "<unicode string>", ', "at ")
    return text if len(text) <= 600 else text[:597] + "..."


def read_yaml(path: str | Path) -> Any:
    """The plain data of a YAML file; :class:`ConfigError` naming the file otherwise.

    See the module documentation for what is refused and the limits.
    """
    p = Path(path)
    file = str(path)
    try:
        if not p.exists():
            raise ConfigError(file, "", "file not found")
        if not p.is_file():
            raise ConfigError(file, "", "is not a regular file (a folder, device or pipe?)")
        with p.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(file, "", f"cannot be read: {exc.strerror or exc}") from None
    except ValueError as exc:  # e.g. a NUL byte in the path
        raise ConfigError(file, "", f"is not a usable path: {_short(str(exc), 120)}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(file, "", f"larger than {MAX_FILE_BYTES} bytes; a configuration file is far smaller")
    return parse_yaml(data, file=file)
