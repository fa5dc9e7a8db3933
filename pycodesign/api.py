"""The kit from a notebook: run a flow, or read a finished run back.

::

    import pycodesign
    r = pycodesign.run_flow("flows/slp_digits.yaml", converters={"adc_bits": 6}, out="results")
    r.status, r.metrics["solver"]["accuracy"], r.path
    r.figures["accuracy_vs_adc_bits.png"]          # the matplotlib Figure (display it in a notebook)
    old = pycodesign.load_run("results/slp_digits-20261205-101500")

:func:`run_flow` is exactly what ``pycodesign run`` does (the CLI calls it):
the same checks before anything runs, the same results folder with
``metrics.json``, ``report.md``, ``report.html``, plots and ``metadata.json``
ending labelled — and it returns a :class:`RunResult` instead of an exit code.
"""
from __future__ import annotations

import json
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

__all__ = ["RunResult", "run_flow", "load_run", "load_config", "TerminatedRun"]


class TerminatedRun(BaseException):
    """SIGTERM during a run: unwinds like Ctrl-C so the run is labelled ``interrupted``."""


@dataclass
class RunResult:
    """A run, finished (``status`` is never ``running`` after :func:`run_flow` returns).

    Attributes
    ----------
    path : Path
        The results folder.
    status : str
        ``complete``, ``completed with failures``, ``failed`` or ``interrupted``.
    config : object
        The flow configuration that ran.
    metrics : dict
        ``metrics.json``.
    metadata : dict
        ``metadata.json`` (status, steps, seed, tool versions, timing).
    figures : dict
        ``{PNG file name: matplotlib Figure}`` — the live figures of this
        process's run; empty for a run read back with :func:`load_run` (its
        PNGs are in :attr:`plots`).
    error : str or None
    warnings : list of str
    """

    path: Path
    status: str
    config: Any
    metrics: dict
    metadata: dict
    figures: dict = field(default_factory=dict)
    error: str | None = None
    warnings: list = field(default_factory=list)

    @property
    def plots(self) -> list[Path]:
        """The PNG files of the run."""
        return sorted(self.path.glob("*.png"))

    @property
    def report(self) -> str:
        """``report.md``'s text ('' if there is none)."""
        p = self.path / "report.md"
        return p.read_text() if p.is_file() else ""

    def _repr_markdown_(self) -> str:  # notebooks show the report
        return self.report or f"run {self.path} ({self.status})"


def _flatten(prefix: str, value, out: list) -> None:
    """Nested keyword overrides → (key path, value) pairs, so they merge into the file's sections."""
    if isinstance(value, Mapping) and value and all(isinstance(k, str) for k in value):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else k, v, out)
    else:
        out.append((prefix, value))


def load_config(flow, *, overrides=(), **sections):
    """A checked flow configuration from a path, a mapping or a configuration object, with overrides.

    ``overrides``: ``"key.path=value"`` strings; ``sections``: keyword
    overrides, a mapping per section (``converters={"adc_bits": 6}``) or a
    value for a top-level key (``seed=3``).
    """
    from .config import Section, to_dict
    from .flows.dispatch import apply_overrides, flow_from_dict, load_flow

    pairs: list = []
    for key, value in sections.items():
        _flatten(key, value, pairs)
    items = list(overrides) + pairs
    if isinstance(flow, (str, Path)):
        return load_flow(flow, overrides=items)
    if isinstance(flow, Section):
        data, file = to_dict(flow), None
    elif isinstance(flow, Mapping):
        data, file = json.loads(json.dumps(dict(flow))), None
    else:
        raise TypeError(f"flow must be a path, a mapping or a flow configuration, got {type(flow).__name__}")
    return flow_from_dict(apply_overrides(data, items, file=file), file=file)


def run_flow(flow, *, out: str | Path | None = None, name: str | None = None, overwrite: bool = False,
             overrides=(), progress: Callable[[str], None] | None = None, keep_figures: bool = True,
             warn: Callable[[str], None] | None = None, **sections) -> RunResult:
    """Run a flow and return its :class:`RunResult` (see the module doc).

    Raises :class:`pycodesign.config.ConfigError` for bad input and
    :class:`pycodesign.toolchain.ToolError` for a missing tool — both before
    anything runs; a failure during the run is recorded (``status``,
    ``error``) and returned, not raised.
    """
    from . import toolchain
    from .flows.dispatch import runner_for
    from .progress import Progress
    from .reports.html import write_html_report
    from .reports.plots import collect_figures
    from .results import new_run_dir, plan_run_dir

    cfg = load_config(flow, overrides=overrides, **sections)
    plan_run_dir(cfg, base=out, name=name)  # a bad name or folder is refused before anything runs
    warnings = [str(w) for w in (cfg.warnings() if callable(getattr(cfg, "warnings", None)) else [])]
    runner, tools = runner_for(type(cfg).KIND)
    toolchain.require(*tools)
    run = new_run_dir(cfg, base=out, name=name, overwrite=overwrite or None, tools=tools)
    say = progress if progress is not None else Progress()
    for w in warnings:
        run.warn(w)
        (warn or (lambda text: say(f"warning: {text}")))(w)
    say(f"{type(cfg).KIND}: results in {run.path}")

    def on_sigterm(signum, frame):
        raise TerminatedRun()

    main_thread = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGTERM, on_sigterm) if main_thread else None
    error = None
    figures: dict = {}
    try:
        if keep_figures:
            with collect_figures() as figures:
                runner(cfg, run, progress=say)
        else:
            runner(cfg, run, progress=say)
        status = run.finish()
    except KeyboardInterrupt:
        status = run.interrupt("interrupted by the user (Ctrl-C)")
        error = "interrupted by the user"
    except TerminatedRun:
        status = run.interrupt("terminated (SIGTERM)")
        error = "terminated (SIGTERM)"
    except Exception as exc:  # noqa: BLE001 - recorded in the run and returned
        status = run.fail(exc)
        error = f"{type(exc).__name__}: {exc}"
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)
        if run.status == "running":  # anything else that escaped (SystemExit ...): never leave it "running"
            run.interrupt("the process left the run unexpectedly")
        try:
            write_html_report(run.path)
        except Exception as exc:  # noqa: BLE001 - the HTML copy must never hide the run's own outcome
            run.warn(f"report.html not written: {type(exc).__name__}: {exc}")
    result = load_run(run.path)
    result.config, result.figures, result.error = cfg, figures, error
    result.status = status
    return result


def load_run(path: str | Path) -> RunResult:
    """Read a finished (or interrupted) run back: metrics, metadata, configuration, effective status."""
    from .flows.dispatch import load_flow
    from .results import read_run

    path = Path(path)
    info = read_run(path)
    metrics_file = path / "metrics.json"
    metrics = json.loads(metrics_file.read_text()) if metrics_file.is_file() else {}
    config = None
    if (path / "config.yaml").is_file():
        try:
            config = load_flow(path / "config.yaml")
        except Exception:  # noqa: BLE001 - an old run whose keys changed still reads back
            config = None
    return RunResult(path=path, status=info.effective_status, config=config, metrics=metrics,
                     metadata=info.metadata, error=info.metadata.get("error"),
                     warnings=list(info.metadata.get("warnings", [])))
