"""Results folders: one per run, never overwriting an older one unless asked, always labelled.

Each folder holds ``config.yaml`` (the resolved configuration, loadable
again), ``metadata.json`` (tool versions, seed, start time, status, steps,
heartbeat), the flow's ``metrics.json``, ``report.md``, its plots, and
``checkpoints/<name>.json`` for results kept the moment they exist.

Status (``metadata.json`` → ``status``)
---------------------------------------
``running``
    The run is under way; a daemon thread refreshes ``heartbeat`` every
    ``heartbeat_period_s`` (default :data:`HEARTBEAT_S`).
``complete``
    Every step succeeded.
``completed with failures``
    An optional step failed (recorded in ``steps`` with its error; the
    traceback is in ``logs/``); everything else completed.
``failed``
    A required step failed or the flow raised; ``error`` says what.  What
    was computed before is kept.
``interrupted``
    Written on Ctrl-C / SIGTERM; and what :func:`read_run` reports for a
    ``running`` run whose process is gone (SIGKILL, power loss): its pid is
    dead on this host, or its heartbeat is older than
    :data:`STALE_AFTER_PERIODS` periods.

Every JSON file is written atomically (a temporary file, then ``os.replace``),
so a reader — or a crash — never sees half a file.

Folder creation is atomic too: ``mkdir`` without ``exist_ok``, retried with a
``-2``, ``-3`` … suffix, so two runs started at the same second never share a
folder.  ``overwrite`` only replaces a folder that holds a kit
``metadata.json`` (and is not a live run); it never writes into a foreign
folder.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import shutil
import socket
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import config as _config
from . import toolchain
from .config import ConfigError
from .config.core import _short, name_problem, path_problem

__all__ = ["RunDir", "StepRecord", "RunInfo", "new_run_dir", "plan_run_dir", "read_run", "list_runs",
           "to_jsonable", "write_json", "HEARTBEAT_S", "STALE_AFTER_PERIODS", "STATUSES"]

#: Seconds between heartbeats of a running run.
HEARTBEAT_S = 15.0
#: A ``running`` run whose heartbeat is older than this many periods is ``interrupted``.
STALE_AFTER_PERIODS = 4
#: Every status a run can have (the last one only as read by :func:`read_run`, or on Ctrl-C).
STATUSES = ("running", "complete", "completed with failures", "failed", "interrupted")
#: ``metadata.json`` → ``kit``: marks a folder as a kit results folder (``overwrite`` checks it).
KIT_MARK = "pycodesign"
_MAX_NAME_TRIES = 1000


# --------------------------------------------------------------------------- JSON


def to_jsonable(obj: Any) -> Any:
    """numpy-aware conversion to JSON-serialisable data (non-finite floats become strings)."""
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


def _atomic_write_text(path: Path, text: str) -> Path:
    """Write *text* to *path* through a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())  # the data is on disk before the name points at it
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def write_json(path: str | Path, data: Any) -> Path:
    """Write *data* as indented JSON, atomically."""
    return _atomic_write_text(Path(path), json.dumps(to_jsonable(data), indent=2) + "\n")


def _p(path: Any) -> str:
    """A path for a message: as written if printable and not too long, else a bounded repr."""
    text = str(path)
    return text if text.isprintable() and len(text) <= 300 else _short(text, 120)


def _iso(t: float) -> str:
    return _dt.datetime.fromtimestamp(t, _dt.timezone.utc).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- steps


@dataclass
class StepRecord:
    """One step of a run, as recorded in ``metadata.json`` → ``steps``.

    Attributes
    ----------
    name : str
    required : bool
        A required step's failure fails the run (its exception propagates).
    status : {"running", "ok", "failed"}
    error : str or None
        ``"<ExceptionType>: <message>"`` (bounded) if the step failed.
    seconds : float or None
        Wall-clock duration (s), once finished.
    log : str or None
        The traceback file, relative to the run folder (``logs/step-<name>.log``).
    """

    name: str
    required: bool = False
    status: str = "running"
    error: str | None = None
    seconds: float | None = None
    log: str | None = None

    @property
    def ok(self) -> bool:
        """True once the step finished without an exception."""
        return self.status == "ok"

    def to_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "required": self.required, "error": self.error,
                "seconds": self.seconds, "log": self.log}


def _error_text(exc: BaseException | str, limit: int = 2000) -> str:
    text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Step:
    """Context manager behind :meth:`RunDir.step`."""

    def __init__(self, run: "RunDir", name: str, required: bool):
        self.run, self.record = run, StepRecord(name=name, required=required)

    def __enter__(self) -> StepRecord:
        self.t0 = time.perf_counter()
        self.run._add_step(self.record)
        return self.record

    def __exit__(self, tp, exc, tb) -> bool:
        rec = self.record
        rec.seconds = round(time.perf_counter() - self.t0, 3)
        if exc is None:
            rec.status = "ok"
            self.run._write_meta()
            return False
        rec.status = "failed"
        rec.error = _error_text(exc if isinstance(exc, Exception) else f"{tp.__name__}: interrupted")
        rec.log = self.run._log_traceback(f"step-{rec.name}", tp, exc, tb)
        self.run._write_meta()
        # optional steps swallow ordinary exceptions; Ctrl-C and exits always propagate
        return not rec.required and isinstance(exc, Exception)


# --------------------------------------------------------------------------- the run folder


class RunDir:
    """An open results folder (made by :func:`new_run_dir`).

    Parameters
    ----------
    path : Path
        The folder (already created).
    flow : object
        The flow configuration (``KIND``, ``seed`` and ``name`` are recorded).
    tools : tuple of str
        Tools whose versions are recorded.
    heartbeat_s : float or None
        Heartbeat period (s); ``None`` or 0: no heartbeat thread (the pid and
        host are still recorded, so a dead run on this host reads as
        ``interrupted``).
    """

    def __init__(self, path: Path, flow: Any, tools: tuple[str, ...] = (), *,
                 heartbeat_s: float | None = HEARTBEAT_S, started: float | None = None):
        self.path = Path(path)
        self.flow = flow
        self.tools = tuple(tools)
        self.started = time.time() if started is None else started
        self.metadata: dict = {}
        self.heartbeat_s = float(heartbeat_s) if heartbeat_s else None
        self._steps: list[StepRecord] = []
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = "running"

    # ---- files

    def file(self, name: str) -> Path:
        """Path of *name* inside the folder (sub-folders are created)."""
        p = self.path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def write_json(self, name: str, data: Any) -> Path:
        """Write ``<folder>/<name>`` as JSON, atomically."""
        return write_json(self.file(name), data)

    def checkpoint(self, name: str, data: Any) -> Path:
        """Keep a result the moment it exists: ``checkpoints/<name>.json``, written atomically.

        *name* is one file-name stem of ``[A-Za-z0-9_.-]`` (e.g. ``"spice"``,
        ``"solver"``, ``"spice-chunk-003"``); the checkpoint is listed in
        ``metadata.json`` → ``checkpoints`` with its time.  Writing the same
        name again replaces it.
        """
        import re

        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}", name):
            raise ValueError(f"checkpoint name {_short(name)} must be 1-100 characters of letters, digits, "
                             "'_', '.', '-' (not starting with '.' or '-')")
        p = self.write_json(f"checkpoints/{name}.json", data)
        with self._lock:
            self.metadata.setdefault("checkpoints", {})[name] = {"file": f"checkpoints/{name}.json",
                                                                  "time": _iso(time.time())}
        self._write_meta()
        return p

    def load_checkpoint(self, name: str) -> Any | None:
        """The data of checkpoint *name*, or None if there is none."""
        p = self.path / "checkpoints" / f"{name}.json"
        return json.loads(p.read_text()) if p.is_file() else None

    # ---- steps

    def step(self, name: str, *, required: bool = False) -> _Step:
        """Context manager recording a step of the run in ``metadata.json`` → ``steps``.

        ``with run.step("settling") as st: ...`` appends ``{name, status,
        required, error, seconds, log}`` (status ``running``, then ``ok`` or
        ``failed``).  An exception in an **optional** step is recorded (type
        and message in ``error``, the traceback in ``logs/step-<name>.log``)
        and swallowed: the code after the ``with`` block runs and checks
        ``st.ok`` / ``st.error``.  A **required** step's exception is recorded
        and re-raised.  ``KeyboardInterrupt`` and ``SystemExit`` are recorded
        and always re-raised.

        Returns
        -------
        context manager yielding a :class:`StepRecord`
        """
        if not isinstance(name, str) or not name or name_problem(name):
            raise ValueError(f"step name {_short(name)} must be a plain name ({name_problem(name) or 'empty'})")
        return _Step(self, name, bool(required))

    @property
    def steps(self) -> list[StepRecord]:
        """The steps recorded so far, in the order they started."""
        return list(self._steps)

    def _add_step(self, rec: StepRecord) -> None:
        with self._lock:
            self._steps.append(rec)
        self._write_meta()

    def _log_traceback(self, stem: str, tp, exc, tb) -> str | None:
        try:
            rel = f"logs/{stem}.log"
            _atomic_write_text(self.file(rel), "".join(traceback.format_exception(tp, exc, tb)))
            return rel
        except OSError:  # the log is a convenience; never let it hide the original error
            return None

    def warn(self, message: str) -> None:
        """Record a warning in ``metadata.json`` → ``warnings`` (flows also put them in the report)."""
        with self._lock:
            self.metadata.setdefault("warnings", []).append(str(message))
        self._write_meta()

    # ---- status

    @property
    def status(self) -> str:
        return self._status

    def _final_status(self) -> str:
        if any(s.status == "failed" and s.required for s in self._steps):
            return "failed"
        if any(s.status == "failed" for s in self._steps):
            return "completed with failures"
        return "complete"

    def _write_meta(self, extra: dict | None = None) -> None:
        with self._lock:
            now = time.time()
            self.metadata.update({
                "kit": KIT_MARK,
                "status": self._status,
                "name": self.path.name,
                "flow_kind": getattr(type(self.flow), "KIND", None),
                "flow_name": getattr(self.flow, "name", None),
                "seed": getattr(self.flow, "seed", None),
                "started": _iso(self.started),
                "started_unix": round(self.started, 3),
                "elapsed_s": round(now - self.started, 3),
                "command": " ".join(sys.argv),
                "platform": platform.platform(),
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "heartbeat": _iso(now),
                "heartbeat_unix": round(now, 3),
                "heartbeat_period_s": self.heartbeat_s,
                "steps": [s.to_dict() for s in self._steps],
            })
            if extra:
                self.metadata.update(extra)
            write_json(self.path / "metadata.json", self.metadata)

    def start_heartbeat(self) -> None:
        """Start the daemon thread refreshing ``heartbeat`` every ``heartbeat_s`` (idempotent)."""
        if not self.heartbeat_s or self._thread is not None:
            return

        def beat():
            while not self._stop.wait(self.heartbeat_s):
                try:
                    self._write_meta()
                except OSError:  # a full disk must not kill the run; the next beat retries
                    pass

        self._thread = threading.Thread(target=beat, name=f"pycodesign-heartbeat-{self.path.name}", daemon=True)
        self._thread.start()

    def _end(self, status: str, error: str | None, extra: dict | None) -> str:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            self._status = status
            if error is not None:
                self.metadata["error"] = error
            ended = time.time()
            self._write_meta({**(extra or {}), "ended": _iso(ended), "duration_s": round(ended - self.started, 3)})
        return status

    def finish(self, **extra) -> str:
        """End the run: ``complete``, or ``completed with failures`` if an optional step failed
        (``failed`` if a required one did).  Returns the status."""
        failed = [s for s in self._steps if s.status == "failed"]
        err = "; ".join(f"step {s.name}: {s.error}" for s in failed) if failed else None
        return self._end(self._final_status(), err, extra)

    def fail(self, error: BaseException | str, **extra) -> str:
        """End the run as ``failed`` with *error* (an exception's traceback goes to ``logs/run.log``)."""
        if isinstance(error, BaseException):
            rel = self._log_traceback("run", type(error), error, error.__traceback__)
            if rel:
                extra.setdefault("log", rel)
        return self._end("failed", _error_text(error), extra)

    def interrupt(self, reason: str = "interrupted by the user") -> str:
        """End the run as ``interrupted`` (Ctrl-C, SIGTERM)."""
        return self._end("interrupted", reason, None)


# --------------------------------------------------------------------------- creating folders


def _is_kit_folder(path: Path) -> bool:
    try:
        meta = json.loads((path / "metadata.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and (meta.get("kit") == KIT_MARK or
                                       isinstance(meta.get("tool_versions"), dict)
                                       and "pycodesign" in meta["tool_versions"])


def plan_run_dir(flow, *, base: str | Path | None = None, name: str | None = None) -> tuple[Path, str]:
    """The parent folder and the folder name a run of *flow* would use; nothing is created.

    Checks both (``ConfigError`` naming the option): the name is one folder
    name (:func:`pycodesign.config.core.name_problem`: no path separators,
    ``..``, control characters, backquotes, ``$``, ``;``, quotes …), the
    parent is a path without control characters that is not a file.
    """
    outputs = getattr(flow, "outputs", None)
    base_key = "--out" if base is not None else "outputs.dir"
    base = base if base is not None else (outputs.dir if outputs else "results")
    if isinstance(base, Path):
        base = str(base)
    problem = path_problem(base)
    if problem:
        raise ConfigError(None, base_key, f"{_short(base, 120)} {problem}")
    if name is not None:
        key, chosen = "--name", name
    elif outputs is not None and outputs.run_name:
        key, chosen = "outputs.run_name", outputs.run_name
    else:
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
        key, chosen = "name", f"{getattr(flow, 'name', 'run')}-{stamp}"
    problem = name_problem(chosen)
    if problem:
        raise ConfigError(None, key, f"{_short(chosen)} {problem}")
    parent = Path(base)
    for p in (parent, *parent.parents):
        if p.exists() and not p.is_dir():
            raise ConfigError(None, base_key, f"{_p(parent)}: {_p(p)} is a file, not a folder")
        if p.exists():
            break
    return parent, chosen


def _replace_kit_folder(path: Path) -> None:
    """Remove an old kit results folder so *path* can be made again (overwrite)."""
    info = read_run(path)
    if info.effective_status == "running":
        raise ConfigError(None, "overwrite", f"{_p(path)} holds a run that is still running "
                                             f"(pid {info.metadata.get('pid')} on {info.metadata.get('host')}); "
                                             "choose another name")
    # rename first: a crash half-way through the delete leaves no half-old folder under the name
    trash = path.with_name(f".{path.name}.replaced-{os.getpid()}-{time.time_ns()}")
    os.rename(path, trash)
    shutil.rmtree(trash, ignore_errors=True)


def new_run_dir(flow, *, base: str | Path | None = None, name: str | None = None,
                overwrite: bool | None = None, tools: tuple[str, ...] = (),
                heartbeat_s: float | None = HEARTBEAT_S) -> RunDir:
    """Create the results folder for a run and write its config and metadata.

    The folder is ``<base>/<name>`` where *name* defaults to the flow's
    ``outputs.run_name`` or ``<flow name>-<UTC timestamp>`` (see
    :func:`plan_run_dir` for the checks).  It is created atomically; if it
    exists, ``<name>-2``, ``<name>-3`` … are tried, unless *overwrite*
    (default ``outputs.overwrite``) and the folder is a kit results folder
    (it holds a kit ``metadata.json``) of a run that is not running, which is
    then replaced.  A foreign folder is never written into.

    Raises
    ------
    ConfigError
        A bad name or parent folder (naming ``--name``/``outputs.run_name``/
        ``--out``/``outputs.dir``), or a parent that cannot be created.
    """
    parent, chosen = plan_run_dir(flow, base=base, name=name)
    base_key = "--out" if base is not None else "outputs.dir"
    outputs = getattr(flow, "outputs", None)
    overwrite = (outputs.overwrite if outputs else False) if overwrite is None else bool(overwrite)
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(None, base_key, f"cannot create the results folder's parent {_p(parent)}: "
                          f"{exc.strerror or exc}") from None
    path = parent / chosen
    for k in range(1, _MAX_NAME_TRIES + 1):
        path = parent / (chosen if k == 1 else f"{chosen}-{k}")
        try:
            path.mkdir()
            break
        except FileExistsError:
            if k == 1 and overwrite and path.is_dir() and _is_kit_folder(path):
                _replace_kit_folder(path)
                try:
                    path.mkdir()
                    break
                except FileExistsError:  # another run took the name meanwhile: fall through to a suffix
                    continue
            continue
        except OSError as exc:
            raise ConfigError(None, base_key, f"cannot create {_p(path)}: {exc.strerror or exc}") from None
    else:
        raise ConfigError(None, "--name", f"{_short(chosen)}: {_MAX_NAME_TRIES} folders of that name exist "
                                          f"in {_p(parent)}; choose another name")
    rd = RunDir(path=path, flow=flow, tools=tools, heartbeat_s=heartbeat_s)
    _atomic_write_text(path / "config.yaml", _config.to_yaml(flow))
    rd.metadata["tool_versions"] = toolchain.tool_versions(*tools)  # every tool when none are named
    rd._write_meta()
    rd.start_heartbeat()
    return rd


# --------------------------------------------------------------------------- reading runs


@dataclass
class RunInfo:
    """A results folder as read back by :func:`read_run`.

    Attributes
    ----------
    path : Path
    metadata : dict
        ``metadata.json`` as written (empty if missing or unreadable).
    effective_status : str
        ``metadata["status"]``, except that a ``running`` run whose process
        is gone reads ``interrupted``; ``unknown`` without readable metadata.
    reason : str
        Why the status is what it is (for a stale run: dead pid or old heartbeat).
    """

    path: Path
    metadata: dict
    effective_status: str
    reason: str = ""

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def kind(self) -> str | None:
        return self.metadata.get("flow_kind")

    @property
    def started(self) -> str | None:
        return self.metadata.get("started")

    @property
    def duration_s(self) -> float | None:
        """Duration (s): ``duration_s`` of a finished run, else time up to the last heartbeat."""
        m = self.metadata
        if m.get("duration_s") is not None:
            return float(m["duration_s"])
        if m.get("heartbeat_unix") is not None and m.get("started_unix") is not None:
            return float(m["heartbeat_unix"]) - float(m["started_unix"])
        return m.get("elapsed_s")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except (OverflowError, ValueError):
        return False
    try:  # a zombie (killed, not yet reaped) is dead for our purpose
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def read_run(path: str | Path, *, now: float | None = None) -> RunInfo:
    """Read a results folder's ``metadata.json`` and judge whether a ``running`` run is still alive.

    A ``running`` run is reported ``interrupted`` when its process is gone:
    it ran on this host and its pid is dead (or a zombie), or its last
    heartbeat is older than ``STALE_AFTER_PERIODS × heartbeat_period_s``
    (any host).  A run recorded without a heartbeat period is judged by the
    pid alone.
    """
    p = Path(path)
    try:
        meta = json.loads((p / "metadata.json").read_text())
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        return RunInfo(p, {}, "unknown", f"no readable metadata.json ({type(exc).__name__})")
    status = meta.get("status", "unknown")
    if status != "running":
        return RunInfo(p, meta, status, str(meta.get("error") or ""))
    now = time.time() if now is None else now
    pid, host = meta.get("pid"), meta.get("host")
    if isinstance(pid, int) and host == socket.gethostname() and not _pid_alive(pid):
        return RunInfo(p, meta, "interrupted", f"process {pid} on {host} is gone")
    period, beat = meta.get("heartbeat_period_s"), meta.get("heartbeat_unix")
    if isinstance(period, (int, float)) and period > 0 and isinstance(beat, (int, float)):
        age = now - beat
        if age > STALE_AFTER_PERIODS * period:
            return RunInfo(p, meta, "interrupted", f"no heartbeat for {age:.0f} s "
                                                   f"(> {STALE_AFTER_PERIODS} x {period:g} s)")
    return RunInfo(p, meta, "running", "")


def list_runs(base: str | Path = "results") -> list[RunInfo]:
    """Every results folder directly under *base* (those holding ``metadata.json``), oldest first."""
    b = Path(base)
    if not b.is_dir():
        return []
    runs = [read_run(d) for d in b.iterdir() if d.is_dir() and (d / "metadata.json").is_file()]
    return sorted(runs, key=lambda r: (r.metadata.get("started_unix") or 0, r.name))
