"""Shared helpers for the RTL blocks: eager parameter checks and widths."""
from __future__ import annotations

__all__ = ["check_int", "check_bool", "index_width", "count_width"]


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
