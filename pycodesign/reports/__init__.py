"""Reports: plots (PNG, matplotlib Agg) and readable Markdown next to JSON metrics."""
from .plots import new_figure, save_figure
from .markdown import md_table

__all__ = ["new_figure", "save_figure", "md_table"]
