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

__all__ = ["register_runner", "runner_for", "flow_kinds", "flow_class", "flow_from_dict", "load_flow",
           "check_plain_data"]

_RUNNERS: dict = {}


def register_runner(kind: str, runner, tools: tuple[str, ...]) -> None:
    """Record the function that runs flows of *kind* and the tools it needs."""
    _RUNNERS[kind] = (runner, tuple(tools))


def runner_for(kind: str):
    """``(runner, tools)`` of a registered flow kind."""
    if kind not in _RUNNERS:
        raise ConfigError(None, "kind", f"{kind!r} has no runner; known: {', '.join(sorted(_RUNNERS))}")
    return _RUNNERS[kind]


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


def load_flow(path: str | Path):
    """Read and validate a flow YAML file (see :mod:`pycodesign.config.yaml_io` for the reading limits)."""
    return flow_from_dict(read_yaml(path), file=str(path))
