"""Markdown helpers for the readable ``report.md`` of every run."""
from __future__ import annotations

from typing import Sequence

__all__ = ["md_table", "fmt"]


def fmt(x) -> str:
    if isinstance(x, float):
        return f"{x:.4g}"
    return str(x)


def md_table(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(fmt(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"
