"""Command line: ``pycodesign run | search | doctor | hdl | models | describe``."""
from __future__ import annotations

import argparse
import sys
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


def _cmd_run(args) -> int:
    from . import toolchain
    from .config import ConfigError
    from .flows import RUNNERS, load_flow
    from .results import new_run_dir

    try:
        flow = load_flow(args.flow)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    runner, tools = RUNNERS[type(flow).KIND]
    if getattr(flow, "engine", None) == "shared":
        tools = tuple(tools) + ("libngspice",)
    try:
        toolchain.require(*tools)
    except toolchain.ToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    run = new_run_dir(flow, base=args.out, name=args.name, overwrite=args.overwrite or None, tools=tools)
    progress = (lambda msg: None) if args.quiet else (lambda msg: print(msg, flush=True))
    progress(f"{type(flow).KIND}: results in {run.path}")
    t0 = time.perf_counter()
    try:
        runner(flow, run, progress=progress)
    except KeyboardInterrupt:
        run.fail("interrupted by the user")
        print(f"interrupted; partial files kept in {run.path} (status: failed)", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - record any failure, then report it
        run.fail(f"{type(exc).__name__}: {exc}")
        print(f"error: {type(exc).__name__}: {exc}\nwhat was computed is kept in {run.path} "
              "(metadata.json says status: failed)", file=sys.stderr)
        return 1
    run.finish()
    progress(f"done in {time.perf_counter() - t0:.1f} s: {run.path}")
    return 0


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


def _cmd_search(args) -> int:
    from .flows.search import main_search

    return main_search(args)


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
    p.add_argument("--overwrite", action="store_true", help="reuse an existing results folder of that name")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("doctor", help="check the external tools for real and print a status table")
    p.set_defaults(func=_cmd_doctor)

    p = sub.add_parser("hdl", help="generate the RTL peripherals' Verilog from a YAML configuration")
    p.add_argument("config", help="HDL configuration YAML (e.g. hdl/config.yaml)")
    p.add_argument("--out", required=True, help="output folder for the Verilog files and manifest.json")
    p.set_defaults(func=_cmd_hdl)

    p = sub.add_parser("models", help="list the registered device models")
    p.add_argument("-v", "--verbose", action="store_true", help="show parameters and presets")
    p.set_defaults(func=_cmd_models)

    p = sub.add_parser("search", help="run (or continue, or join) a hardware-aware architecture search "
                                      "(kind: search); see docs/search.md")
    p.add_argument("flow", help="search flow YAML file (e.g. flows/search_slp_digits.yaml)")
    p.add_argument("--storage", help="optuna storage: postgresql://user@host:port/db, mysql+pymysql://..., "
                                     "sqlite:///file.db or a journal file (default: study.journal in the results "
                                     "folder)")
    p.add_argument("--workers", type=int, help="worker processes on this host (default: search.workers)")
    p.add_argument("--join", action="store_true", help="join the study as one more worker: run trials until the "
                                                       "budget, write no results folder")
    p.add_argument("--study", help="study name in the storage (default: search.study_name or the flow's name)")
    p.add_argument("--budget", type=int, help="completed trials to reach (default: search.budget)")
    p.add_argument("--out", help="parent folder of the results folder (default: the flow's outputs.dir)")
    p.add_argument("--name", help="results folder name (default: outputs.run_name or the flow's name; an existing "
                                  "folder is continued)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    p.set_defaults(func=_cmd_search)

    p = sub.add_parser("describe", help="document every key of a flow kind")
    p.add_argument("kind")
    p.set_defaults(func=_cmd_describe)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
