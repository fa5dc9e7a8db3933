"""Command line: ``pycodesign run | check | runs | doctor | hdl | models | describe``.

Exit codes of ``run`` and ``check``: 0 complete (or valid), 1 failed, 2 bad
input (configuration, names, results folder), 3 a required tool is missing,
4 completed with failures (an optional step failed; the rest is kept),
130/143 interrupted by Ctrl-C/SIGTERM.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path

from . import __version__


def _cmd_doctor(args) -> int:
    from . import toolchain

    rows = toolchain.check_all()
    w = max(len(r.tool) for r in rows)
    print(f"{'tool':<{w}}  {'version':<44}  status")
    for r in rows:
        status = "ok" if r.ok else f"FAIL: {r.detail}"
        print(f"{r.tool:<{w}}  {r.version[:44]:<44}  {status}")
    bad = [r for r in rows if not r.ok]
    for r in bad:
        print(f"fix {r.tool}: {toolchain.FIXES[r.tool]}")
    print("all green" if not bad else f"{len(bad)} tool check(s) failed")
    return 1 if bad else 0


#: Exit codes of ``pycodesign run`` / ``check``.
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_TOOLS, EXIT_PARTIAL = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130


class _Terminated(BaseException):
    """SIGTERM during a run: unwinds like Ctrl-C so the run is labelled ``interrupted``."""


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _flow_warnings(flow) -> list[str]:
    """The flow's stated warnings (``flow.warnings()`` if the flow has it), as text."""
    method = getattr(flow, "warnings", None)
    return [str(w) for w in method()] if callable(method) else []


def _prepare(args):
    """Load and check the flow and where its results would go; ConfigError on any bad input."""
    from .flows import load_flow
    from .results import plan_run_dir

    flow = load_flow(args.flow)
    parent, name = plan_run_dir(flow, base=args.out, name=args.name)
    return flow, parent, name, _flow_warnings(flow)


def _tools_for(flow) -> tuple[str, ...]:
    from .flows import RUNNERS

    _, tools = RUNNERS[type(flow).KIND]
    if getattr(flow, "engine", None) == "shared":
        tools = tuple(tools) + ("libngspice",)
    return tuple(tools)


def _cmd_check(args) -> int:
    """Load and validate a flow (device-aware checks included) without simulating."""
    from . import toolchain
    from .config import ConfigError

    try:
        flow, parent, name, warnings = _prepare(args)
    except ConfigError as exc:
        _err(f"error: {exc}")
        return EXIT_BAD_INPUT
    for w in warnings:
        _err(f"warning: {w}")
    if getattr(args, "tools", False):
        try:
            toolchain.require(*_tools_for(flow))
        except toolchain.ToolError as exc:
            _err(f"error: {exc}")
            return EXIT_TOOLS
    print(f"ok: {args.flow}: a valid {type(flow).KIND} flow ({len(warnings)} warning(s)); "
          f"results would go to {parent / name}")
    return EXIT_OK


def _cmd_run(args) -> int:
    from . import toolchain
    from .config import ConfigError
    from .flows import RUNNERS
    from .results import new_run_dir

    if args.dry_run:
        return _cmd_check(args)
    try:
        flow, _, _, warnings = _prepare(args)
    except ConfigError as exc:
        _err(f"error: {exc}")
        return EXIT_BAD_INPUT
    for w in warnings:
        _err(f"warning: {w}")
    runner, _ = RUNNERS[type(flow).KIND]
    tools = _tools_for(flow)
    try:
        toolchain.require(*tools)
    except toolchain.ToolError as exc:
        _err(f"error: {exc}")
        return EXIT_TOOLS
    try:
        run = new_run_dir(flow, base=args.out, name=args.name, overwrite=args.overwrite or None, tools=tools)
    except ConfigError as exc:
        _err(f"error: {exc}")
        return EXIT_BAD_INPUT
    for w in warnings:
        run.warn(w)
    progress = (lambda msg: None) if args.quiet else (lambda msg: print(msg, flush=True))
    progress(f"{type(flow).KIND}: results in {run.path}")
    t0 = time.perf_counter()

    def on_sigterm(signum, frame):
        raise _Terminated()

    old = signal.signal(signal.SIGTERM, on_sigterm) if threading.current_thread() is threading.main_thread() else None
    try:
        runner(flow, run, progress=progress)
    except KeyboardInterrupt:
        run.interrupt("interrupted by the user (Ctrl-C)")
        _err(f"interrupted; what was computed is kept in {run.path} (status: interrupted)")
        return EXIT_INTERRUPTED
    except _Terminated:
        run.interrupt("terminated (SIGTERM)")
        _err(f"terminated; what was computed is kept in {run.path} (status: interrupted)")
        return 128 + signal.SIGTERM
    except Exception as exc:  # noqa: BLE001 - record any failure, then report it
        run.fail(exc)
        _err(f"error: {type(exc).__name__}: {exc}\nwhat was computed is kept in {run.path} "
             "(metadata.json says status: failed; traceback in logs/run.log)")
        return EXIT_FAILED
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)
        if run.status == "running":  # anything else that escaped (SystemExit ...): never leave it "running"
            run.interrupt("the process left the run unexpectedly")
    status = run.finish()
    if status == "complete":
        progress(f"done in {time.perf_counter() - t0:.1f} s: {run.path}")
        return EXIT_OK
    failed = [s for s in run.steps if s.status == "failed"]
    for s in failed:
        _err(f"step {s.name} failed: {s.error}" + (f" (traceback: {run.path / s.log})" if s.log else ""))
    _err(f"{status}: {run.path}")
    return EXIT_PARTIAL if status == "completed with failures" else EXIT_FAILED


def _duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = max(0.0, float(seconds))
    if s < 60:
        return f"{s:.1f} s"
    if s < 3600:
        return f"{int(s // 60)} min {int(s % 60)} s"
    return f"{int(s // 3600)} h {int(s % 3600 // 60)} min"


def _print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def _printable(value) -> str:
    """Text for a table cell: as written if printable, else its repr (foreign folders may have odd names)."""
    text = str(value)
    return text if text.isprintable() else repr(text)


def _cmd_runs(args) -> int:
    """List the runs in a results folder: name, kind, status (``interrupted`` for dead runs), start, duration."""
    from .results import list_runs

    base = Path(args.dir)
    if not base.is_dir():
        _err(f"error: {args.dir}: no such folder (give the parent folder of the results folders)")
        return EXIT_BAD_INPUT
    runs = list_runs(base)
    if not runs:
        print(f"no runs in {base}")
        return EXIT_OK
    rows = [[_printable(r.name), _printable(r.kind or "-"), r.effective_status, _printable(r.started or "-"),
             _duration_text(r.duration_s)] for r in runs]
    _print_table(["name", "kind", "status", "started (UTC)", "duration"], rows)
    return EXIT_OK


def _cmd_hdl(args) -> int:
    from .rtl.generate import main_hdl

    return main_hdl(args.config, args.out)


def _cmd_models(args) -> int:
    from .devices.registry import get_model, list_models

    for name in list_models():
        m = get_model(name)
        print(f"{name}: {m.title}  [{m.va_file}, module {m.module}]")
        if args.verbose:
            for p in m.params:
                kind = "instance" if p.instance else "model"
                print(f"    {p.name} = {p.default:g} {p.unit} ({kind}; {p.allowed()}) {p.doc}")
            for pr in m.presets:
                print(f"    preset {pr}: {dict(m.presets[pr])}")
    return 0


def _cmd_describe(args) -> int:
    from .config import ConfigError, describe
    from .flows import flow_class

    try:
        cls = flow_class(args.kind)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"kind: {args.kind}")
    print(describe(cls))
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="pycodesign", description="Co-design kit for memristive neural-network hardware")
    ap.add_argument("--version", action="version", version=f"pycodesign {__version__}")
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("run", help="run a flow described by a YAML file")
    p.add_argument("flow", help="flow YAML file (see flows/)")
    p.add_argument("--out", help="parent folder for the results folder (default: the flow's outputs.dir)")
    p.add_argument("--name", help="results folder name (default: <flow name>-<timestamp>)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an existing kit results folder of that name (never a foreign folder)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    p.add_argument("--dry-run", action="store_true", help="check everything (as `pycodesign check`) and stop")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("check", help="load and validate a flow, device-aware checks included, without simulating")
    p.add_argument("flow", help="flow YAML file")
    p.add_argument("--out", help="parent folder for the results folder (checked, not created)")
    p.add_argument("--name", help="results folder name (checked)")
    p.add_argument("--tools", action="store_true", help="also run the real checks of the tools the flow needs")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("runs", help="list the runs in a results folder (stale runs show as interrupted)")
    p.add_argument("dir", nargs="?", default="results", help="parent folder of the results folders (default: results)")
    p.set_defaults(func=_cmd_runs)

    p = sub.add_parser("doctor", help="check the external tools for real and print a status table")
    p.set_defaults(func=_cmd_doctor)

    p = sub.add_parser("hdl", help="generate the RTL peripherals' Verilog from a YAML configuration")
    p.add_argument("config", help="HDL configuration YAML (e.g. hdl/config.yaml)")
    p.add_argument("--out", required=True, help="output folder for the Verilog files and manifest.json")
    p.set_defaults(func=_cmd_hdl)

    p = sub.add_parser("models", help="list the registered device models")
    p.add_argument("-v", "--verbose", action="store_true", help="show parameters and presets")
    p.set_defaults(func=_cmd_models)

    p = sub.add_parser("describe", help="document every key of a flow kind")
    p.add_argument("kind")
    p.set_defaults(func=_cmd_describe)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
