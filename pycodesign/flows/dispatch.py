"""Loading a flow file or mapping into its configuration, and finding a kind's runner.

Flow modules register their configuration classes with
:func:`pycodesign.config.register_flow` and their runners with
:func:`register_runner` (:mod:`pycodesign.flows.loader` does it for every
kind); importing any ``pycodesign.flows`` module imports the package, and so
all of them, first — the tables are complete before any flow file is read.
This module imports no flow, so a flow (a sweep) can load other flows.

Whatever a flow file or mapping holds, :func:`load_flow` and
:func:`flow_from_dict` return a checked configuration or raise
:class:`~pycodesign.config.ConfigError` naming the file (and the key path
where there is one); the reading limits are those of
:mod:`pycodesign.config.yaml_io`, and plain data given from Python is
bounded the same way (:func:`check_plain_data`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import ConfigError, build, read_yaml, registered_flows
from ..config.core import _keyname, _short, name_problem
from ..config.yaml_io import MAX_DEPTH, MAX_NODES

__all__ = ["RUNNERS", "register_runner", "runner_for", "flow_kinds", "flow_class", "flow_from_dict", "load_flow",
           "check_plain_data", "parse_override", "apply_overrides"]

#: kind -> (runner, tools checked before the run starts); filled by :mod:`pycodesign.flows.loader`.
RUNNERS: dict = {}


def register_runner(kind: str, runner, tools: tuple[str, ...]) -> None:
    """Record the function that runs flows of *kind* and the tools it needs."""
    RUNNERS[kind] = (runner, tuple(tools))


def runner_for(kind: str):
    """``(runner, tools)`` of a registered flow kind."""
    if kind not in RUNNERS:
        raise ConfigError(None, "kind", f"{kind!r} has no runner; known: {', '.join(sorted(RUNNERS))}")
    return RUNNERS[kind]


def flow_kinds() -> list[str]:
    """Every flow kind, sorted."""
    return sorted(registered_flows())


def flow_class(kind: Any, *, file: str | None = None) -> type:
    """The configuration class of *kind*; :class:`ConfigError` listing the kinds otherwise."""
    flows = registered_flows()
    if not isinstance(kind, str) or kind not in flows:
        raise ConfigError(file, "kind", f"{_short(kind)} is not a known flow kind; allowed: "
                                        f"{', '.join(sorted(flows))}")
    return flows[kind]


def check_plain_data(data: Any, *, file: str | None = None) -> None:
    """Bound plain data before it is converted: depth, size (shared sub-objects count every time),
    cycles and integer size; ``ConfigError`` naming the key path.

    The YAML reader already enforces these on files; this covers mappings
    built in Python and passed to :func:`flow_from_dict`.
    """
    count = 0
    stack: list[tuple[Any, str, int, frozenset]] = [(data, "", 0, frozenset())]
    while stack:
        obj, path, depth, ancestors = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ConfigError(file, "", f"more than {MAX_NODES} values; a flow configuration is far smaller")
        if isinstance(obj, (dict, list, tuple)):
            if depth >= MAX_DEPTH:
                raise ConfigError(file, path, f"nested more than {MAX_DEPTH} levels deep")
            if id(obj) in ancestors:
                raise ConfigError(file, path, "contains itself (a recursive structure)")
            inner = ancestors | {id(obj)}
            if isinstance(obj, dict):
                for k, v in obj.items():
                    sub = f"{path}.{_keyname(k)}" if path else _keyname(k)
                    stack.append((k, sub, depth + 1, inner))
                    stack.append((v, sub, depth + 1, inner))
            else:
                for i, v in enumerate(obj):
                    stack.append((v, f"{path}[{i}]", depth + 1, inner))
        elif isinstance(obj, int) and not isinstance(obj, bool) and obj.bit_length() > 3400:
            raise ConfigError(file, path, "an integer of more than 1000 digits")


# Exceptions a section's checks might raise on input no one anticipated; they
# become a ConfigError that says the input was not understood (and that the
# kit would like to hear about it) instead of a traceback.
_UNEXPECTED = (TypeError, ValueError, ArithmeticError, RecursionError, KeyError, IndexError, AttributeError,
               UnicodeError)


def flow_from_dict(data: Any, *, file: str | None = None):
    """Build the flow configuration for ``data['kind']``.

    Raises
    ------
    ConfigError
        Naming *file* and the key path: an unknown kind or key, a wrong type,
        an out-of-range or inconsistent value, a name that is not one folder
        name, or data beyond the reader's limits.
    """
    if not isinstance(data, dict):
        raise ConfigError(file, "", f"a flow file must be a YAML mapping with a `kind:`, got {_short(data)}")
    check_plain_data(data, file=file)
    cls = flow_class(data.get("kind"), file=file)
    try:
        flow = build(cls, {k: v for k, v in data.items() if k != "kind"}, file=file)
    except ConfigError:
        raise
    except _UNEXPECTED as exc:
        raise ConfigError(file, "", f"could not be checked ({type(exc).__name__}: {_short(str(exc), 200)}); "
                                    "this is a gap in the kit's checks, please report it with the file") from None
    name = getattr(flow, "name", None)
    if name is not None:
        problem = name_problem(name)
        if problem:  # the flow's name becomes the results folder's name
            raise ConfigError(file, "name", f"{_short(name)} {problem}")
    return flow


def parse_override(text: str) -> tuple[str, Any]:
    """``"key.path=value"`` → ``("key.path", value)``, the value read as YAML (``8``, ``null``, ``[4, 6]``).

    The value goes through the same bounded reader as files; a bad form is a
    :class:`ConfigError` quoting it.
    """
    from ..config.yaml_io import parse_yaml

    if not isinstance(text, str) or "=" not in text:
        raise ConfigError("--set", "", f"{_short(text)} is not KEY=VALUE (e.g. converters.adc_bits=6)")
    key, _, value = text.partition("=")
    key = key.strip()
    if not key or any(not part.isidentifier() for part in key.split(".")):
        raise ConfigError("--set", "", f"{_short(key)} is not a key path (names separated by dots, "
                                       "e.g. array.r_row_ohm)")
    return key, parse_yaml(value, file=f"--set {key}")


def apply_overrides(data: Any, overrides, *, file: str | None = None) -> Any:
    """Set ``key.path=value`` overrides into plain flow data (missing parent sections are created)."""
    if not overrides:
        return data
    if not isinstance(data, dict):
        raise ConfigError(file, "", "a flow file must be a YAML mapping")
    for item in overrides:
        key, value = parse_override(item) if isinstance(item, str) else item
        cur = data
        parts = key.split(".")
        for i, part in enumerate(parts[:-1]):
            nxt = cur.get(part)
            if nxt is None:
                nxt = cur[part] = {}
            if not isinstance(nxt, dict):
                raise ConfigError(file, ".".join(parts[:i + 1]), f"--set {key}: is a value, not a section")
            cur = nxt
        cur[parts[-1]] = value
    return data


def load_flow(path: str | Path, *, overrides=()):
    """Read and validate a flow YAML file (see :mod:`pycodesign.config.yaml_io` for the reading limits).

    ``overrides``: ``"key.path=value"`` strings (or ``(key, value)`` pairs)
    applied before validation, so a bad override is refused with its key
    exactly as a bad value in the file would be.
    """
    data = read_yaml(path)
    return flow_from_dict(apply_overrides(data, overrides, file=str(path)), file=str(path))
