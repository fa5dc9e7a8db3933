"""Command line: ``pycodesign run | search | reproduce | check | runs | costs | doctor | hdl | models | describe``.

Exit codes of ``run`` and ``check``: 0 complete (or valid), 1 failed, 2 bad
input (configuration, names, results folder), 3 a required tool is missing,
4 completed with failures (an optional step failed; the rest is kept),
130/143 interrupted by Ctrl-C/SIGTERM.  ``reproduce`` runs the ``reproductions`` flow as ``run`` does
(same exit codes).
"""
from __future__ import annotations

import argparse
import signal
import sys
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


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _flow_warnings(flow) -> list[str]:
    """The flow's stated warnings (``flow.warnings()`` if the flow has it), as text."""
    method = getattr(flow, "warnings", None)
    return [str(w) for w in method()] if callable(method) else []


def _prepare(args):
    """Load and check the flow (with ``--set`` overrides) and where its results would go; ConfigError on bad input."""
    from .flows import load_flow
    from .results import plan_run_dir

    flow = load_flow(args.flow, overrides=getattr(args, "set", None) or ())
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
    """Run a flow (``pycodesign.run_flow``) and turn its outcome into an exit code."""
    if args.dry_run:
        return _cmd_check(args)
    return _execute(args.flow, args)


def _execute(flow, args) -> int:
    """Run a flow file or configuration with the CLI's options; the exit code of its outcome."""
    from . import toolchain
    from .api import run_flow
    from .config import ConfigError
    from .progress import Progress

    progress = Progress(quiet=args.quiet)
    try:
        result = run_flow(flow, out=args.out, name=args.name, overwrite=args.overwrite,
                          overrides=getattr(args, "set", None) or (), progress=progress, keep_figures=False,
                          warn=lambda w: _err(f"warning: {w}"))
    except ConfigError as exc:
        _err(f"error: {exc}")
        return EXIT_BAD_INPUT
    except toolchain.ToolError as exc:
        _err(f"error: {exc}")
        return EXIT_TOOLS
    status = result.status
    if status == "complete":
        progress(f"done in {result.metadata.get('elapsed_s', 0):.1f} s: {result.path} (report.md, report.html)")
        return EXIT_OK
    if status == "interrupted":
        _err(f"{result.error or 'interrupted'}; what was computed is kept in {result.path} (status: interrupted)")
        return 128 + signal.SIGTERM if "SIGTERM" in (result.error or "") else EXIT_INTERRUPTED
    if status == "failed" and result.error:
        _err(f"error: {result.error}\nwhat was computed is kept in {result.path} "
             "(metadata.json says status: failed; traceback in logs/run.log)")
        return EXIT_FAILED
    for s in result.metadata.get("steps", []):
        if s.get("status") == "failed":
            _err(f"step {s['name']} failed: {s.get('error')}" + (f" (traceback: {result.path / s['log']})"
                                                                 if s.get("log") else ""))
    _err(f"{status}: {result.path}")
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


#: Headline metrics shown by ``pycodesign runs``: (column, metrics.json path, format).
HEADLINES = (("software", "software.accuracy", "{:.4f}"), ("ngspice", "spice.accuracy", "{:.4f}"),
             ("solver", "solver.accuracy", "{:.4f}"), ("energy/inf", "costs.energy_per_inference_j", "{:.3g} J"),
             ("area", "costs.area_um2", "{:.4g} um^2"))


def _kind_headline(kind: str | None, m: dict) -> str:
    """The one-line result of the kinds whose figures are not accuracies and costs (``-`` if absent)."""
    def num(path, fmt="{}"):
        v = _dig(m, path)
        return fmt.format(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else "?"

    if not m:
        return "-"
    if kind == "program":
        return (f"{num('cosim.in_window_readback')}/{num('cosim.cells')} in window, fail_count "
                f"{num('cosim.fail_count_rtl')}, accuracy programmed {num('accuracy.programmed_with_cosim_block', '{:.4f}')}")
    if kind == "cosim_inference":
        return (f"codes {num('comparison.codes_equal')}/{num('comparison.codes')}, classes "
                f"{num('comparison.classes_equal')}/{num('images')} equal to evaluate, "
                f"{num('images_per_s', '{:.3g}')} images/s")
    if kind == "search":
        return (f"{num('counts.complete')} trials, chosen trial {num('chosen.trial')} "
                f"(accuracy {num('chosen.accuracy_seed0', '{:.4f}')})")
    if kind == "reproductions":
        claims = m.get("claims") if isinstance(m.get("claims"), list) else []
        verdicts = [c.get("verdict", "") for c in claims if isinstance(c, dict)]
        if not verdicts:
            return "-"
        return ", ".join(f"{verdicts.count(v)} {v}" for v in dict.fromkeys(verdicts))
    return "-"


def _metrics_of(path: Path) -> dict:
    import json

    p = path / "metrics.json"
    try:
        return json.loads(p.read_text()) if p.is_file() else {}
    except (OSError, ValueError):
        return {}


def _dig(data, path: str):
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _flat(data, prefix: str = "", out: dict | None = None, depth: int = 0) -> dict:
    """Scalar leaves of nested mappings as ``{dotted.key: value}`` (lists of scalars kept whole)."""
    out = {} if out is None else out
    if isinstance(data, dict) and depth < 6:
        for k, v in data.items():
            _flat(v, f"{prefix}.{k}" if prefix else str(k), out, depth + 1)
    elif not isinstance(data, (dict, list)) or (isinstance(data, list) and len(data) <= 12
                                                 and all(not isinstance(v, (dict, list)) for v in data)):
        out[prefix] = data
    return out


def _cmd_runs(args) -> int:
    """List the runs in a results folder (name, kind, status, start, duration, headline metrics), or compare two."""
    from .results import list_runs

    if args.compare:
        return _compare_runs(args.compare)
    base = Path(args.dir)
    if not base.is_dir():
        _err(f"error: {args.dir}: no such folder (give the parent folder of the results folders)")
        return EXIT_BAD_INPUT
    runs = list_runs(base)
    if not runs:
        print(f"no runs in {base}")
        return EXIT_OK
    rows = []
    for r in runs:
        m = _metrics_of(r.path)
        heads = []
        for _, path, fmt in HEADLINES:
            v = _dig(m, path)
            heads.append(fmt.format(v) if isinstance(v, (int, float)) else "-")
        rows.append([_printable(r.name), _printable(r.kind or "-"), r.effective_status,
                     _printable(r.started or "-"), _duration_text(r.duration_s), *heads,
                     _printable(_kind_headline(r.kind, m))])
    _print_table(["name", "kind", "status", "started (UTC)", "duration", *(h for h, _, _ in HEADLINES), "result"],
                 rows)
    return EXIT_OK


def _compare_runs(folders: list[str]) -> int:
    """Two runs side by side: every setting that differs, then every metric."""
    import yaml

    from .results import read_run

    infos = []
    for f in folders:
        p = Path(f)
        if not (p / "metadata.json").is_file():
            _err(f"error: {f}: not a results folder (no metadata.json)")
            return EXIT_BAD_INPUT
        infos.append(read_run(p))
    cfgs = []
    for info in infos:
        try:
            cfgs.append(_flat(yaml.safe_load((info.path / "config.yaml").read_text()) or {}))
        except (OSError, yaml.YAMLError):
            cfgs.append({})
    a, b = infos
    print(f"A: {a.path} ({a.kind}, {a.effective_status})\nB: {b.path} ({b.kind}, {b.effective_status})\n")
    keys = sorted(set(cfgs[0]) | set(cfgs[1]))
    diff = [[k, _printable(cfgs[0].get(k, "-")), _printable(cfgs[1].get(k, "-"))] for k in keys
            if cfgs[0].get(k) != cfgs[1].get(k)]
    print("settings that differ:" if diff else "settings: identical")
    if diff:
        _print_table(["key", "A", "B"], diff)
    ma, mb = _flat(_metrics_of(a.path)), _flat(_metrics_of(b.path))
    rows = []
    for k in sorted(set(ma) | set(mb)):
        va, vb = ma.get(k), mb.get(k)
        if isinstance(va, list) or isinstance(vb, list):
            continue
        def show(v):
            if v is None:
                return "-"
            text = f"{v:.6g}" if isinstance(v, float) else _printable(v)
            return text if len(text) <= 48 else text[:45] + "..."

        num = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (va, vb))
        rows.append([k, show(va), show(vb), f"{vb - va:+.4g}" if num else ""])
    print("\nmetrics:")
    _print_table(["metric", "A", "B", "B - A"], rows)
    return EXIT_OK


def _cmd_costs(args) -> int:
    """Energy, area and latency of a flow's design without simulating any image."""
    from .config import ConfigError
    from .costs import costs_of_architecture, markdown_report
    from .flows import load_flow

    try:
        flow = load_flow(args.flow, overrides=args.set or ())
        arch = flow.architecture() if callable(getattr(flow, "architecture", None)) else None
        if arch is None:
            raise ConfigError(args.flow, "kind", f"{type(flow).KIND!r} flows have no architecture to cost; "
                                                 "use a crossbar_inference flow")
        net = _network_for_costs(flow)
        for estimate in ("mean", "worst"):
            r = costs_of_architecture(net, arch, estimate=estimate, name=f"{flow.name} ({estimate} input)")
            print(markdown_report(r, title=f"Cost: {flow.name}, array energy from the "
                                           + ("mean input (E[(v/V_READ)^2] = 1/3, mean programmed G)"
                                              if estimate == "mean" else "worst case (every input at V_READ, "
                                                                         "every device at the largest G)")))
    except (ConfigError, ValueError) as exc:
        _err(f"error: {exc}")
        return EXIT_BAD_INPUT
    return EXIT_OK


def _network_for_costs(flow):
    """The flow's network: its weights file, or trained as the flow would (seconds for the digits)."""
    from .flows.inference import _load_data, _network

    ds = _load_data(flow)
    net, _ = _network(flow, ds, lambda msg: None)
    return net


def _cmd_reproduce(args) -> int:
    """``pycodesign reproduce``: the ``kind: reproductions`` flow from options, run like ``pycodesign run``."""
    from .config import ConfigError
    from .flows import flow_from_dict

    data = {"kind": "reproductions", "name": "reproductions_full" if args.full else "reproductions",
            "seed": args.seed, "budget": {"preset": "full" if args.full else "default"}}
    if args.items:
        data["items"] = args.items
    if args.mnist_images or args.mnist_labels:
        data["images"] = {"source": "mnist_idx", "mnist_images": args.mnist_images,
                          "mnist_labels": args.mnist_labels, "image_size": args.image_size}
    if args.csv or args.label_column is not None:
        label = args.label_column
        data["tabular"] = {"source": "csv", "csv_path": args.csv,
                           "label_column": int(label) if label is not None and label.lstrip("-").isdigit() else label}
    try:  # checked here so that errors name the options, not a temporary file
        flow = flow_from_dict(data, file="pycodesign reproduce")
    except ConfigError as exc:
        _err(f"error: {exc}")
        return EXIT_BAD_INPUT
    if args.dry_run:
        print(f"ok: pycodesign reproduce: a valid reproductions flow (budget {flow.budget.preset})")
        return EXIT_OK
    return _execute(flow, args)


def _cmd_hdl(args) -> int:
    from .rtl.generate import main_hdl

    if args.sim == "both":
        sims = ("icarus", "verilator")
    else:
        sims = (args.sim,)
    if not args.test and (args.sim != "both" or args.waves is not None or args.max_cycles is not None):
        _err("error: --sim, --waves and --max-cycles apply to --test only")
        return EXIT_BAD_INPUT
    # No --waves: the WAVES variable decides, as for the pytest regression.
    waves = "env" if args.waves is None else None if args.waves == "none" else args.waves
    return main_hdl(args.config, args.out, test=args.test, sims=sims, waves=waves,
                    max_cycles=args.max_cycles, quiet=args.quiet)


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
    from .flows import flow_class, flow_kinds

    if args.kind is None:
        from .flows import flow_class as fc

        print("flow kinds (pycodesign describe KIND documents every key; `describe hdl` the HDL configuration):")
        for kind in flow_kinds():
            doc = (fc(kind).__doc__ or "").strip().splitlines()[0]
            print(f"  {kind}: {doc}")
        return 0
    if args.kind == "hdl":
        return _describe_hdl()
    try:
        cls = flow_class(args.kind)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"kind: {args.kind}")
    print(describe(cls))
    return 0


def _describe_hdl() -> int:
    """The HDL configuration: its form and every block with its parameters."""
    import inspect

    from .rtl.generate import BLOCKS, block_parameters

    print("HDL configuration (pycodesign hdl CONFIG.yaml --out DIR): a list of instances under `instances:`,")
    print("each `block: NAME` plus that block's parameters; one Verilog module per instance.\n")
    for name, cls in BLOCKS.items():
        names, required = block_parameters(name)
        sig = inspect.signature(cls.__init__)
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        print(f"block: {name} — {doc}")
        for pname in names:
            d = sig.parameters[pname].default
            print(f"  {pname}: " + ("(required)" if pname in required else f"default {d!r}"))
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
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override any key of the flow, validated as if in the file (repeatable; the value is "
                        "read as YAML: --set converters.adc_bits=6 --set tiling.tile_rows=null)")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("check", help="load and validate a flow, device-aware checks included, without simulating")
    p.add_argument("flow", help="flow YAML file")
    p.add_argument("--out", help="parent folder for the results folder (checked, not created)")
    p.add_argument("--name", help="results folder name (checked)")
    p.add_argument("--tools", action="store_true", help="also run the real checks of the tools the flow needs")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a key, as with `run`")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("runs", help="list the runs in a results folder (stale runs show as interrupted), "
                                    "or compare two runs")
    p.add_argument("dir", nargs="?", default="results", help="parent folder of the results folders (default: results)")
    p.add_argument("--compare", nargs=2, metavar=("RUN_A", "RUN_B"),
                   help="two results folders: settings that differ and metrics side by side")
    p.set_defaults(func=_cmd_runs)

    p = sub.add_parser("costs", help="energy, area and latency of a flow's design, without simulating images")
    p.add_argument("flow", help="crossbar_inference flow YAML file")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a key, as with `run`")
    p.set_defaults(func=_cmd_costs)


    p = sub.add_parser("reproduce", help="reproduce the source papers' claims (issue 13) into reproductions.md")
    p.add_argument("--full", action="store_true", help="the full budget (the real numbers; longer) instead of the "
                                                       "default one (a few minutes)")
    p.add_argument("--items", type=int, nargs="+", metavar="K", help="items to run (1-9; default: all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the training and every draw (default 0)")
    p.add_argument("--mnist-images", help="MNIST IDX image file (item 1 and the image studies run on MNIST)")
    p.add_argument("--mnist-labels", help="MNIST IDX label file")
    p.add_argument("--image-size", type=int, default=8, help="MNIST down-scaled to n x n (default 8)")
    p.add_argument("--csv", help="CSV table for item 3 instead of the breast-cancer set (e.g. PIMA diabetes)")
    p.add_argument("--label-column", help="label column of --csv: header name or 0-based index")
    p.add_argument("--out", help="parent folder for the results folder (default: results)")
    p.add_argument("--name", help="results folder name (default: reproductions[_full]-<timestamp>)")
    p.add_argument("--overwrite", action="store_true", help="reuse an existing results folder of that name")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    p.add_argument("--dry-run", action="store_true", help="check everything (as `pycodesign check`) and stop")
    p.set_defaults(func=_cmd_reproduce)

    p = sub.add_parser("doctor", help="check the external tools for real and print a status table")
    p.set_defaults(func=_cmd_doctor)

    p = sub.add_parser("hdl", help="generate the RTL peripherals' Verilog from a YAML configuration")
    p.add_argument("config", help="HDL configuration YAML (e.g. hdl/config.yaml)")
    p.add_argument("--out", required=True, help="output folder for the Verilog files and manifest.json")
    p.add_argument("--test", action="store_true",
                   help="then run the cocotb regression on these instances (Icarus and Verilator) in "
                        "OUT/sim_build/; exit 1 if a bench fails, 4 if an instance is not covered")
    p.add_argument("--sim", choices=("both", "icarus", "verilator"), default="both",
                   help="simulators for --test (default both)")
    p.add_argument("--waves", choices=("none", "vcd", "fst"), default=None,
                   help="with --test, record waveforms as OUT/sim_build/<sim>/<module>/<module>.vcd|.fst "
                        "(open with gtkwave); default: the WAVES variable (0, 1 = vcd, vcd, fst), else none")
    p.add_argument("--max-cycles", type=int, default=None, metavar="N",
                   help="with --test, longest bench to run, in clock cycles (default 2,000,000); longer "
                        "instances are reported as not covered")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages for --test")
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

    p = sub.add_parser("describe", help="document every key of a flow kind (no kind: list the kinds; "
                                        "`hdl`: the HDL configuration)")
    p.add_argument("kind", nargs="?")
    p.set_defaults(func=_cmd_describe)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        try:
            sys.stdout = open("/dev/null", "w")  # noqa: SIM115 - swallow the flush at exit
        except OSError:
            pass
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
