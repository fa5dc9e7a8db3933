"""Results folders: one per run, never overwriting an older one unless asked.

Each folder holds ``config.yaml`` (the resolved configuration, loadable
again), ``metadata.json`` (tool versions, seed, start/end time, status), the
flow's ``metrics.json``, ``report.md`` and its plots.  A run that fails keeps
what it computed and writes ``status: failed`` with the error, so nothing
partial is mistaken for a result.
"""
from __future__ import annotations

import datetime as _dt
import json
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import config as _config
from . import toolchain

__all__ = ["RunDir", "new_run_dir", "to_jsonable", "write_json"]


def to_jsonable(obj: Any) -> Any:
    """numpy-aware conversion to JSON-serialisable data."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        v = float(obj)
        return v if np.isfinite(v) else str(v)
    if isinstance(obj, float) and not np.isfinite(obj):
        return str(obj)
    if isinstance(obj, Path):
        return str(obj)
    return obj


def write_json(path: str | Path, data: Any) -> Path:
    p = Path(path)
    p.write_text(json.dumps(to_jsonable(data), indent=2) + "\n")
    return p


@dataclass
class RunDir:
    """An open results folder."""

    path: Path
    flow: Any
    tools: tuple[str, ...]
    started: float = field(default_factory=time.time)
    metadata: dict = field(default_factory=dict)

    def file(self, name: str) -> Path:
        p = self.path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def write_json(self, name: str, data: Any) -> Path:
        return write_json(self.file(name), data)

    def _write_meta(self, status: str, error: str | None = None, extra: dict | None = None) -> None:
        self.metadata.update({
            "status": status,
            "flow_kind": getattr(type(self.flow), "KIND", None),
            "seed": getattr(self.flow, "seed", None),
            "started": _dt.datetime.fromtimestamp(self.started, _dt.timezone.utc).isoformat(),
            "elapsed_s": round(time.time() - self.started, 3),
            "command": " ".join(sys.argv),
            "platform": platform.platform(),
        })
        if error:
            self.metadata["error"] = error
        if extra:
            self.metadata.update(extra)
        self.write_json("metadata.json", self.metadata)

    def finish(self, **extra) -> None:
        self._write_meta("complete", extra=extra)

    def fail(self, error: BaseException | str) -> None:
        self._write_meta("failed", error=str(error))


def new_run_dir(flow, *, base: str | Path | None = None, name: str | None = None,
                overwrite: bool | None = None, tools: tuple[str, ...] = ()) -> RunDir:
    """Create the results folder for a run and write its config and metadata.

    The folder is ``<base>/<name>`` where *name* defaults to the flow's
    ``outputs.run_name`` or ``<flow name>-<UTC timestamp>``; an existing folder
    gets a numeric suffix unless *overwrite* (default ``outputs.overwrite``).
    """
    outputs = getattr(flow, "outputs", None)
    base = Path(base if base is not None else (outputs.dir if outputs else "results"))
    overwrite = outputs.overwrite if overwrite is None and outputs else bool(overwrite)
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    name = name or (outputs.run_name if outputs and outputs.run_name else f"{flow.name}-{stamp}")
    path = base / name
    if path.exists() and not overwrite:
        k = 2
        while (base / f"{name}-{k}").exists():
            k += 1
        path = base / f"{name}-{k}"
    path.mkdir(parents=True, exist_ok=True)
    rd = RunDir(path=path, flow=flow, tools=tools)
    _config.to_yaml(flow, path / "config.yaml")
    rd.metadata["tool_versions"] = toolchain.tool_versions(*tools)  # every tool when none are named
    rd._write_meta("running")
    return rd
