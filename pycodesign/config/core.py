"""Typed flow configuration: nested dataclasses loaded from, and written back to, YAML.

A flow file is a YAML mapping with a ``kind`` key; :func:`load_flow` picks the
configuration class registered for that kind (:func:`register_flow`) and
builds it field by field.  Every field is declared with :func:`option`, which
records its documentation, unit and allowed range, so that

* an unknown key, a wrong type or an out-of-range value is refused with
  :class:`ConfigError` naming the file, the key path (``device.params.r_on``)
  and what is allowed — before anything runs;
* constructing a section in Python runs the same conversions and checks as
  the loader (``ArraySection(r_row_ohm=-1)`` raises the same
  :class:`ConfigError`), nested sections may be given as mappings;
* cross-field rules live in each class's ``validate()`` (e.g. ``r_on < r_off``);
* :func:`to_yaml` writes the resolved configuration back, and loading that
  file again gives an equal object.

Example
-------
>>> @dataclass
... class Sweep(Section):
...     amplitude_v: float = option(1.0, "peak voltage", unit="V", gt=0)
"""
from __future__ import annotations

import dataclasses
import functools
import math
import reprlib
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml

__all__ = [
    "ConfigError",
    "Section",
    "option",
    "register_flow",
    "registered_flows",
    "build",
    "to_dict",
    "to_yaml",
    "describe",
    "name_problem",
    "path_problem",
]

_MISSING = dataclasses.MISSING


_REPR = reprlib.Repr()
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlong = 40
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = 6
_REPR.maxlevel = 3


def _short(value: Any, limit: int = 80) -> str:
    """A bounded repr for error messages (a 400-digit integer or a huge list stays short)."""
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _keyname(key: Any) -> str:
    """A mapping key as it appears in a key path (strings as written, anything else bounded)."""
    if isinstance(key, str) and len(key) <= 40 and key.isprintable():
        return key
    return _short(key, 40)


def _display(text: str, limit: int = 300) -> str:
    """*text* as written if printable and not too long, else a bounded repr (file names in messages)."""
    text = str(text)
    return text if text.isprintable() and len(text) <= limit else _short(text, 120)


#: Longest message a ConfigError carries (characters); longer ones keep their head and tail.
MESSAGE_MAX_CHARS = 1000


def _bounded(message: str, limit: int = MESSAGE_MAX_CHARS) -> str:
    """*message* cut in the middle to at most about *limit* characters: whatever a check quoted
    (a 5000-digit number, a huge list), the error stays readable."""
    message = str(message)
    if len(message) <= limit:
        return message
    head, tail = message[: limit * 2 // 3], message[-(limit // 4):]
    return f"{head} ...[{len(message) - len(head) - len(tail)} characters cut]... {tail}"


class ConfigError(ValueError):
    """Invalid configuration: names the file, the key path and what is allowed.

    The key and message are bounded (:data:`MESSAGE_MAX_CHARS`), so no input
    makes an error message large, whatever a section's check quotes.
    """

    def __init__(self, file: str | None, key: str, message: str):
        key, message = _bounded(key or "", 300), _bounded(message)
        self.file, self.key, self.message = file, key, message
        where = f"{_display(file)}: " if file else ""
        super().__init__(f"{where}{key or '<top level>'}: {message}")


def option(default: Any = _MISSING, doc: str = "", *, unit: str = "", gt: float | None = None,
           ge: float | None = None, lt: float | None = None, le: float | None = None,
           choices: typing.Sequence | None = None, min_len: int | None = None,
           default_factory: Any = _MISSING) -> Any:
    """A configuration field with documentation, unit and checks.

    ``gt``/``ge``/``lt``/``le`` bound numbers (and every element of a list of
    numbers); ``choices`` restricts strings; ``min_len`` restricts lists.
    """
    meta = {"doc": doc, "unit": unit, "gt": gt, "ge": ge, "lt": lt, "le": le,
            "choices": tuple(choices) if choices is not None else None, "min_len": min_len}
    if default_factory is not _MISSING:
        return field(default_factory=default_factory, metadata=meta)
    if isinstance(default, (list, dict, set)):
        val = default
        return field(default_factory=lambda: type(val)(val), metadata=meta)
    if dataclasses.is_dataclass(default) and not isinstance(default, type):
        val = default
        return field(default_factory=lambda: dataclasses.replace(val), metadata=meta)
    return field(default=default, metadata=meta)


class Section:
    """Base of every configuration dataclass.

    Subclasses are ``@dataclass`` classes whose fields use :func:`option`;
    they may override :meth:`validate` for cross-field rules and call
    :meth:`fail` to report one.  Construction converts and checks every field
    (types, ranges, choices; mappings become nested sections) and then calls
    :meth:`validate`, so a section built in Python is checked exactly as one
    loaded from YAML.
    """

    def __post_init__(self) -> None:
        hints = _hints(type(self))
        for f in fields(self):
            if not f.init:
                continue
            value = getattr(self, f.name)
            converted = _convert(value, hints[f.name], dict(f.metadata), None, f.name)
            if converted is not value:
                object.__setattr__(self, f.name, converted)
        self.validate()

    def validate(self) -> None:  # pragma: no cover - default: nothing to check
        """Cross-field checks; raise with :meth:`fail`."""

    def fail(self, key: str, message: str):
        """Raise :class:`ConfigError` for *key* of this section (path filled in by the caller)."""
        raise ConfigError(None, key, message)

    def replace(self, **changes):
        """A copy with some fields changed, checked again."""
        return dataclasses.replace(self, **changes)


@functools.lru_cache(maxsize=None)
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


_FLOWS: dict[str, type] = {}


def register_flow(kind: str):
    """Class decorator: register a top-level flow configuration for ``kind:``.

    The registry is a plain table; :mod:`pycodesign.flows` imports every flow
    module (so they register) and dispatches on ``kind`` — this module never
    imports the flows.
    """

    def deco(cls):
        cls.KIND = kind
        _FLOWS[kind] = cls
        return cls

    return deco


def registered_flows() -> dict[str, type]:
    """The flow configuration classes registered so far, by kind."""
    return dict(_FLOWS)


# --------------------------------------------------------------------------- conversion


def _type_name(tp) -> str:
    origin = get_origin(tp)
    if tp is float:
        return "a number"
    if tp is int:
        return "an integer"
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if origin in (list, tuple, typing.Sequence):
        args = get_args(tp)
        return f"a list of {_type_name(args[0]) if args else 'values'}"
    if origin is dict:
        return "a mapping"
    if origin in (typing.Union, types.UnionType):
        return " or ".join("null" if a is type(None) else _type_name(a) for a in get_args(tp))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return f"a mapping ({tp.__name__})"
    return getattr(tp, "__name__", str(tp))


def _range_text(meta: dict) -> str:
    parts = []
    for k, sym in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
        if meta.get(k) is not None:
            parts.append(f"{sym} {meta[k]:g}")
    unit = f" {meta['unit']}" if meta.get("unit") else ""
    return " and ".join(parts) + unit if parts else ""


def _check_number(v: float, meta: dict, file, key) -> None:
    bad = (meta.get("gt") is not None and not v > meta["gt"]) or \
          (meta.get("ge") is not None and not v >= meta["ge"]) or \
          (meta.get("lt") is not None and not v < meta["lt"]) or \
          (meta.get("le") is not None and not v <= meta["le"])
    if bad:
        raise ConfigError(file, key, f"{_short(v)} is out of range; allowed: {_range_text(meta)}")


def _convert(value: Any, tp, meta: dict, file: str | None, key: str) -> Any:
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for a in args:
            if a is type(None):
                continue
            try:
                return _convert(value, a, meta, file, key)
            except ConfigError as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        raise ConfigError(file, key, f"{_short(value)} is not {_type_name(tp)}")
    if tp is Any:
        return value
    if origin is Literal:
        allowed = get_args(tp)
        if value not in allowed:
            raise ConfigError(file, key, f"{_short(value)} is not allowed; allowed: {', '.join(map(repr, allowed))}")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(file, key, f"{_short(value)} is not true or false")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise ConfigError(file, key, f"{_short(value)} is not an integer"
                                  + (f"; allowed: {_range_text(meta)}" if _range_text(meta) else ""))
        _check_number(value, meta, file, key)
        return value
    if tp is float:
        if isinstance(value, str):
            try:  # YAML 1.1 reads "1e-3" as a string
                value = float(value)
            except ValueError:
                raise ConfigError(file, key, f"{_short(value)} is not a number") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(file, key, f"{_short(value)} is not a number")
        try:
            value = float(value)
        except OverflowError:
            raise ConfigError(file, key, f"{_short(value)} is too large for a number") from None
        if not math.isfinite(value):
            raise ConfigError(file, key, f"{_short(value)} is not a finite number")
        _check_number(value, meta, file, key)
        return value
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(file, key, f"{_short(value)} is not a string")
        if _has_surrogate(value):
            raise ConfigError(file, key, f"{_short(value)} is not valid Unicode text (it holds a lone surrogate, "
                                         "e.g. from a \\uD800 escape or undecodable bytes)")
        if meta.get("choices") and value not in meta["choices"]:
            raise ConfigError(file, key, f"{_short(value)} is not allowed; allowed: {', '.join(map(str, meta['choices']))}")
        return value
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(file, key, f"{_short(value)} is not a list")
        args = get_args(tp)
        elem = args[0] if args else Any
        if meta.get("min_len") is not None and len(value) < meta["min_len"]:
            raise ConfigError(file, key, f"needs at least {meta['min_len']} element(s), got {len(value)}")
        elem_meta = {k: v for k, v in meta.items() if k != "min_len"}
        out = [_convert(v, elem, elem_meta, file, f"{key}[{i}]") for i, v in enumerate(value)]
        return out if origin is list else tuple(out)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(file, key, f"{_short(value)} is not a mapping")
        kt, vt = get_args(tp) or (str, Any)
        return {_convert(k, kt, {}, file, f"{key}.{_keyname(k)}"): _convert(v, vt, {}, file, f"{key}.{_keyname(k)}")
                for k, v in value.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if isinstance(value, tp):
            return value
        return _build(tp, value, file, key)
    raise TypeError(f"config field {key}: unsupported type {tp!r}")


def _prefixed(exc: ConfigError, file: str | None, prefix: str) -> ConfigError:
    key = f"{prefix}.{exc.key}" if prefix and exc.key else (exc.key or prefix)
    return ConfigError(exc.file or file, key, exc.message)


def _build(cls, data: Any, file: str | None, prefix: str):
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(file, prefix, f"expected a mapping ({cls.__name__}), got {_short(data)}")
    hints = _hints(cls)
    flds = {f.name: f for f in fields(cls) if f.init}
    unknown = [k for k in data if k not in flds]
    if unknown:
        k = unknown[0]
        raise ConfigError(file, f"{prefix}.{_keyname(k)}" if prefix else _keyname(k),
                          f"unknown key; allowed here: {', '.join(flds)}")
    for name, f in flds.items():
        if name not in data and f.default is _MISSING and f.default_factory is _MISSING:
            key = f"{prefix}.{name}" if prefix else name
            raise ConfigError(file, key, f"required key is missing ({_type_name(hints[name])})")
    try:
        if issubclass(cls, Section):
            return cls(**data)
        # plain dataclasses: convert here (Sections convert themselves)
        return cls(**{k: _convert(v, hints[k], dict(flds[k].metadata), file, k) for k, v in data.items()})
    except ConfigError as exc:
        raise _prefixed(exc, file, prefix) from None


def build(cls, data: Any, *, file: str | None = None, prefix: str = ""):
    """A configuration object of class *cls* from plain data (a YAML mapping).

    Raises :class:`ConfigError` naming *file* and the key path.
    """
    return _build(cls, data, file, prefix)


def to_dict(obj) -> Any:
    """Plain-data form of a configuration (what :func:`to_yaml` writes)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        if getattr(type(obj), "KIND", None):
            out["kind"] = type(obj).KIND
        for f in fields(obj):
            if f.name == "kind":
                continue
            out[f.name] = to_dict(getattr(obj, f.name))
        return out
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


def to_yaml(obj, path: str | Path | None = None) -> str:
    """YAML text of a configuration; written to *path* if given."""
    text = yaml.safe_dump(to_dict(obj), sort_keys=False, default_flow_style=None, width=100)
    if path is not None:
        Path(path).write_text(text)
    return text


def describe(cls, indent: int = 0) -> str:
    """Documentation of every key of a configuration class (for ``pycodesign describe``)."""
    hints = typing.get_type_hints(cls)
    lines = []
    for f in fields(cls):
        meta = f.metadata
        tp = hints[f.name]
        default = f.default if f.default is not _MISSING else (
            "(computed)" if f.default_factory is not _MISSING else "(required)")
        rng = _range_text(meta)
        extra = f"; allowed: {rng}" if rng else ""
        if meta.get("choices"):
            extra += f"; one of {', '.join(meta['choices'])}"
        unit = f" [{meta['unit']}]" if meta.get("unit") else ""
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            doc = meta.get("doc") or (tp.__doc__ or "").strip().splitlines()[0]
            lines.append(f"{' ' * indent}{f.name}: {doc}")
            lines.append(describe(tp, indent + 2))
        else:
            lines.append(f"{' ' * indent}{f.name}{unit}: {meta.get('doc', '')} "
                         f"({_type_name(tp)}, default {default}{extra})")
    return "\n".join(lines)


# --------------------------------------------------------------------------- names and paths

#: Characters never allowed in a name that becomes one folder name (run names, flow names):
#: path separators, and what a shell or ngspice's control language would interpret.
NAME_FORBIDDEN = "/\\`$;'\"|&<>*?"
#: Longest folder name (UTF-8 bytes), leaving room for a "-<k>" suffix under the usual 255-byte limit.
NAME_MAX_BYTES = 200


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def _control_char(text: str, categories: tuple[str, ...] = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")) -> str | None:
    """The first character of *text* in one of the Unicode *categories* (default: control, format,
    surrogate, private-use, unassigned, line and paragraph separators), if any."""
    import unicodedata

    for ch in text:
        if unicodedata.category(ch) in categories:
            return ch
    return None


def _char_text(ch: str) -> str:
    if 0xD800 <= ord(ch) <= 0xDFFF:
        return "a lone surrogate (not valid Unicode text)"
    return f"the control character {ch!r}"


def name_problem(name: Any) -> str | None:
    """Why *name* cannot be one folder name of the kit's making (``None`` if it can).

    Allowed: any printable Unicode text (spaces inside too) up to
    :data:`NAME_MAX_BYTES` UTF-8 bytes, except ``.``/``..``, leading or
    trailing whitespace, control characters and the characters of
    :data:`NAME_FORBIDDEN` (path separators, backquote, ``$``, ``;``,
    quotes, ``| & < > * ?``).
    """
    if not isinstance(name, str):
        return "is not a string"
    if not name:
        return "is empty; give a folder name"
    ch = _control_char(name)
    if ch is not None:
        return f"contains {_char_text(ch)}; a run name is one folder name of printable characters"
    bad = sorted({c for c in name if c in NAME_FORBIDDEN})
    if bad:
        return (f"contains {' '.join(bad)}; a run name is one folder name: no path separators (/ \\), "
                "backquotes, $, ;, quotes, |, &, <, >, *, ?")
    if name in (".", ".."):
        return "is not a folder name; give a plain name"
    if name != name.strip():
        return "starts or ends with whitespace"
    if len(name.encode("utf-8")) > NAME_MAX_BYTES:
        return f"is longer than {NAME_MAX_BYTES} bytes"
    return None


def path_problem(path: Any) -> str | None:
    """Why *path* cannot be a folder path given by the user (``None`` if it can).

    Any path is allowed — relative or absolute, with spaces, ``$``, quotes or
    backquotes (ngspice never sees it) — except an empty one, one with
    control characters (a newline) or lone surrogates, or one over 4000
    characters.
    """
    if not isinstance(path, str):
        return "is not a string"
    if not path:
        return "is empty; give a folder"
    ch = _control_char(path, ("Cc", "Cs", "Zl", "Zp"))
    if ch is not None:
        return f"contains {_char_text(ch)}"
    if len(path) > 4000:
        return "is longer than 4000 characters"
    return None


@dataclass
class OutputsConfig(Section):
    """Where a run writes its results."""

    dir: str = option("results", "parent folder of the results folders (relative to the working directory); "
                                 "any path without control characters")
    overwrite: bool = option(False, "replace the kit results folder named by `run_name` if it exists (never a "
                                    "folder without a kit metadata.json, never a live run) instead of making a "
                                    "new one")
    run_name: str | None = option(None, "fixed results folder name, one folder name (no / \\ ` $ ; quotes | & < > "
                                        "* ?; default: <flow name>-<timestamp>)")
    plots: bool = option(True, "write PNG plots")

    def validate(self):
        problem = path_problem(self.dir)
        if problem:
            self.fail("dir", f"{_short(self.dir)} {problem}")
        if self.run_name is not None:
            problem = name_problem(self.run_name)
            if problem:
                self.fail("run_name", f"{_short(self.run_name)} {problem}")
