"""Issue 8, section 4: every run ends labelled and keeps what it computed.

Steps (optional failures recorded and swallowed, required ones re-raised),
checkpoints written atomically, the heartbeat, a SIGKILLed run read back as
``interrupted`` (also by ``pycodesign runs``), atomic folder creation and
the ``overwrite`` rules.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from pycodesign.cli import main
from pycodesign.config import ConfigError, OutputsConfig, Section, option
from pycodesign.results import STALE_AFTER_PERIODS, RunDir, list_runs, new_run_dir, read_run

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class TinyFlow(Section):
    """A flow configuration for results-folder tests (no simulation)."""

    name: str = option("tiny", "run name")
    seed: int = option(3, "seed", ge=0)
    outputs: OutputsConfig = option(OutputsConfig())


TinyFlow.KIND = "tiny"


def _meta(path: Path) -> dict:
    return json.loads((path / "metadata.json").read_text())


def _run(tmp_path, **kw) -> RunDir:
    return new_run_dir(TinyFlow(), base=tmp_path, tools=("openvaf",), heartbeat_s=kw.pop("heartbeat_s", None), **kw)


# --------------------------------------------------------------------------- steps


def test_optional_step_failure_is_recorded_swallowed_and_labels_the_run(tmp_path):
    run = _run(tmp_path, name="r")
    with run.step("solver", required=True) as st:
        run.checkpoint("solver", {"accuracy": 0.95})
    assert st.ok and st.error is None
    with run.step("settling") as st:
        raise RuntimeError("timestep too small")
    assert not st.ok and st.error == "RuntimeError: timestep too small"
    ran_after = True  # the code after an optional step's failure runs
    meta = _meta(run.path)
    assert meta["status"] == "running"
    steps = {s["name"]: s for s in meta["steps"]}
    assert steps["solver"]["status"] == "ok" and steps["solver"]["seconds"] >= 0
    assert steps["settling"]["status"] == "failed" and "timestep too small" in steps["settling"]["error"]
    log = run.path / steps["settling"]["log"]
    assert "Traceback" in log.read_text() and "timestep too small" in log.read_text()
    assert run.finish() == "completed with failures" and ran_after
    meta = _meta(run.path)
    assert meta["status"] == "completed with failures" and "step settling" in meta["error"]
    assert meta["duration_s"] >= 0 and meta["kit"] == "pycodesign"


def test_required_step_failure_is_recorded_and_re_raised(tmp_path):
    run = _run(tmp_path, name="r")
    with pytest.raises(ValueError, match="bad"):
        with run.step("spice", required=True):
            raise ValueError("bad")
    assert _meta(run.path)["steps"][0]["status"] == "failed"
    assert run.fail(ValueError("bad")) == "failed"
    meta = _meta(run.path)
    assert meta["status"] == "failed" and meta["error"] == "ValueError: bad"
    assert (run.path / meta["log"]).is_file()


def test_interrupts_propagate_even_from_optional_steps(tmp_path):
    run = _run(tmp_path, name="r")
    with pytest.raises(KeyboardInterrupt):
        with run.step("optional"):
            raise KeyboardInterrupt
    assert run.steps[0].status == "failed"
    assert run.interrupt() == "interrupted"
    assert read_run(run.path).effective_status == "interrupted"


def test_all_ok_is_complete(tmp_path):
    run = _run(tmp_path, name="r")
    with run.step("a"):
        pass
    assert run.finish(accuracy=1.0) == "complete"
    meta = _meta(run.path)
    assert meta["status"] == "complete" and meta["accuracy"] == 1.0 and "error" not in meta
    assert meta["seed"] == 3 and meta["flow_kind"] == "tiny" and meta["tool_versions"]["openvaf"]


@pytest.mark.parametrize("name", ["../x", "a/b", "", ".hidden", "x" * 101, 3])
def test_checkpoint_names_are_plain(tmp_path, name):
    run = _run(tmp_path, name="r")
    with pytest.raises(ValueError, match="checkpoint name"):
        run.checkpoint(name, {})


def test_checkpoints_are_atomic_and_listed(tmp_path):
    run = _run(tmp_path, name="r")
    stop = threading.Event()
    bad = []

    def reader():
        p = run.path / "checkpoints" / "spice.json"
        while not stop.is_set():
            if p.exists():
                try:
                    json.loads(p.read_text())
                except ValueError as exc:  # a half-written file
                    bad.append(str(exc))

    th = threading.Thread(target=reader)
    th.start()
    try:
        for k in range(40):
            run.checkpoint("spice", {"images": k, "accuracy": [0.5] * 2000})
    finally:
        stop.set()
        th.join()
    assert not bad, bad[:3]
    assert run.load_checkpoint("spice")["images"] == 39 and run.load_checkpoint("nothing") is None
    assert _meta(run.path)["checkpoints"]["spice"]["file"] == "checkpoints/spice.json"
    assert not [p for p in run.path.rglob("*.tmp")]


# --------------------------------------------------------------------------- heartbeat and stale runs


def test_heartbeat_is_refreshed_while_running(tmp_path):
    run = _run(tmp_path, name="r", heartbeat_s=0.1)
    try:
        first = _meta(run.path)["heartbeat_unix"]
        time.sleep(0.5)
        later = _meta(run.path)
        assert later["heartbeat_unix"] > first and later["pid"] == os.getpid()
        assert later["host"] == socket.gethostname() and later["heartbeat_period_s"] == 0.1
        assert read_run(run.path).effective_status == "running"
    finally:
        run.finish()
    beat = _meta(run.path)["heartbeat_unix"]
    time.sleep(0.3)
    assert _meta(run.path)["heartbeat_unix"] == beat, "heartbeat thread still writing after finish()"


_CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, sys.argv[2])
    from test_hardening_results import TinyFlow
    from pycodesign.results import new_run_dir
    run = new_run_dir(TinyFlow(), base=sys.argv[1], name="killed", heartbeat_s=0.2)
    with run.step("long", required=True):
        print("started", flush=True)
        time.sleep(600)
""")


def test_a_sigkilled_run_reads_as_interrupted(tmp_path, capsys):
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(tmp_path), str(ROOT / "tests")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "started", child.stderr.read()
        path = tmp_path / "killed"
        assert read_run(path).effective_status == "running"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    info = read_run(path)
    assert _meta(path)["status"] == "running"  # what the dead process left behind
    assert info.effective_status == "interrupted" and f"process {child.pid}" in info.reason
    assert main(["runs", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("killed"))
    assert "tiny" in row and "interrupted" in row, out


def test_a_run_on_another_host_goes_stale_by_its_heartbeat(tmp_path):
    run = _run(tmp_path, name="r", heartbeat_s=10)
    run._stop.set()  # freeze the heartbeat: the record below stays as written
    meta = _meta(run.path)
    meta["host"] = "elsewhere.example"
    meta["pid"] = 1
    (run.path / "metadata.json").write_text(json.dumps(meta))
    beat = meta["heartbeat_unix"]
    assert read_run(run.path, now=beat + (STALE_AFTER_PERIODS - 1) * 10).effective_status == "running"
    info = read_run(run.path, now=beat + (STALE_AFTER_PERIODS + 1) * 10)
    assert info.effective_status == "interrupted" and "no heartbeat" in info.reason


def test_list_runs_orders_and_skips_foreign_folders(tmp_path):
    a = _run(tmp_path, name="a")
    a.finish()
    time.sleep(0.01)
    b = _run(tmp_path, name="b")
    b.fail("boom")
    (tmp_path / "notes").mkdir()
    runs = list_runs(tmp_path)
    assert [r.name for r in runs] == ["a", "b"]
    assert [r.effective_status for r in runs] == ["complete", "failed"]
    assert runs[0].kind == "tiny" and runs[0].duration_s >= 0


# --------------------------------------------------------------------------- folders


def test_folder_creation_is_atomic_under_concurrency(tmp_path):
    made, errors = [], []

    def make():
        try:
            made.append(new_run_dir(TinyFlow(), base=tmp_path, name="same", heartbeat_s=None).path)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(set(made)) == 8
    assert sorted(p.name for p in made) == sorted(["same"] + [f"same-{k}" for k in range(2, 9)])


def test_overwrite_replaces_only_kit_folders_and_never_a_live_run(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    run = new_run_dir(TinyFlow(), base=tmp_path, name="mine", overwrite=True, heartbeat_s=None)
    assert run.path.name == "mine-2" and (foreign / "thesis.tex").read_text() == "precious"
    run.finish()
    (run.path / "old-plot.png").write_text("old")
    again = new_run_dir(TinyFlow(), base=tmp_path, name="mine-2", overwrite=True, heartbeat_s=None)
    assert again.path == run.path and not (run.path / "old-plot.png").exists()
    # a live run (this process, running) is never replaced
    with pytest.raises(ConfigError, match="still running"):
        new_run_dir(TinyFlow(), base=tmp_path, name="mine-2", overwrite=True, heartbeat_s=None)
    again.finish()


def test_cli_run_records_warnings_and_the_report_lists_them(tmp_path, capsys):
    flow = tmp_path / "hp.yaml"
    flow.write_text(yaml.safe_dump({
        "kind": "characterize", "device": {"model": "hp"},
        "sweeps": {"shapes": ["sine"], "points_per_period": 100}, "pulses": {"n_pulses": 3},
        "read_disturb": {"n_reads": 3}, "outputs": {"run_name": "w", "plots": False}}))
    assert main(["run", str(flow), "--out", str(tmp_path), "-q"]) == 0
    err = capsys.readouterr().err
    assert "warning: pulses.v_read, read_disturb.v_read: read disturb" in err, err
    meta = _meta(tmp_path / "w")
    assert meta["warnings"] and "read disturb" in meta["warnings"][0]
    assert [s["name"] for s in meta["steps"]] == ["compile", "sweeps", "pulses", "read_disturb"]
    assert all(s["status"] == "ok" for s in meta["steps"])
    report = (tmp_path / "w" / "report.md").read_text()
    assert "## Warnings" in report and "read disturb" in report


def test_a_failed_required_step_still_writes_the_report_of_what_completed(tmp_path, capsys):
    # a 90 V SET pulse on the QMM: the sweep step completes, the pulse step fails in ngspice
    # ("timestep too small": a real failure, no mock)
    flow = tmp_path / "f.yaml"
    flow.write_text(yaml.safe_dump({
        "kind": "characterize", "device": {"model": "qmm"},
        "sweeps": {"shapes": ["sine"], "points_per_period": 100},
        "pulses": {"n_pulses": 3, "set_pulse_v": 90.0}, "read_disturb": {"n_reads": 3},
        "outputs": {"run_name": "f", "plots": False}}))
    rc = main(["run", str(flow), "--out", str(tmp_path), "-q"])
    err = capsys.readouterr().err
    meta = _meta(tmp_path / "f")
    assert rc == 1 and meta["status"] == "failed", (err, meta["steps"])
    assert "ConvergenceError" in meta["error"] and "ConvergenceError" in err
    steps = {s["name"]: s["status"] for s in meta["steps"]}
    assert steps["sweeps"] == "ok" and steps["pulses"] == "failed" and "read_disturb" not in steps
    report = (tmp_path / "f" / "report.md").read_text()
    assert "**Incomplete run.**" in report and "Step `pulses` failed" in report
    assert "Pinched hysteresis" in report and "Pulse programming" not in report
    metrics = json.loads((tmp_path / "f" / "metrics.json").read_text())
    assert metrics["complete"] is False and len(metrics["loops"]) == 3


def test_completed_with_failures_exits_4_and_sigterm_labels_interrupted(tmp_path, monkeypatch, capsys):
    from pycodesign.config import core
    from pycodesign.flows import loader

    def runner(flow, run, progress=print):
        with run.step("fast_solver", required=True):
            run.checkpoint("solver", {"accuracy": 0.9})
        with run.step("settling"):
            raise ArithmeticError("timestep too small")
        run.file("report.md").write_text("solver accuracy 0.9\n")
        if flow.seed == 99:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)

    monkeypatch.setitem(core._FLOWS, "tiny", TinyFlow)
    monkeypatch.setitem(loader.RUNNERS, "tiny", (runner, ()))
    flow = tmp_path / "t.yaml"
    flow.write_text("kind: tiny\noutputs: {run_name: p}\n")
    assert main(["run", str(flow), "--out", str(tmp_path), "-q"]) == 4
    err = capsys.readouterr().err
    assert "step settling failed: ArithmeticError: timestep too small" in err and "completed with failures" in err
    assert _meta(tmp_path / "p")["status"] == "completed with failures"
    assert (tmp_path / "p" / "report.md").is_file() and (tmp_path / "p" / "checkpoints" / "solver.json").is_file()
    flow.write_text("kind: tiny\nseed: 99\noutputs: {run_name: t}\n")
    assert main(["run", str(flow), "--out", str(tmp_path), "-q"]) == 128 + signal.SIGTERM
    assert _meta(tmp_path / "t")["status"] == "interrupted"
