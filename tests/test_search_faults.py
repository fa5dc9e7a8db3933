"""Faults, for real: SIGKILL of every search process then resume (journal file), and a real PostgreSQL server
with two workers, one killed mid-trial (heartbeat, retry, budget completed).

The PostgreSQL test starts Debian's server (``postgresql`` package, installed by scripts/setup.sh) on
127.0.0.1 in a temporary data folder as an unprivileged user; if it cannot, the test fails with the reason.
"""
from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import optuna
import pytest
import yaml

from pycodesign.search.storage import open_storage, parse_storage

optuna.logging.set_verbosity(optuna.logging.WARNING)

ROOT = Path(__file__).resolve().parents[1]
COMPLETE, RUNNING, FAIL = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.RUNNING,
                           optuna.trial.TrialState.FAIL)

FAULT_FLOW = {
    "kind": "search", "name": "faults", "seed": 0,
    "network": {"type": "slp", "epochs": 30},
    "converters": {"dac_bits": 4, "adc_bits": 8},
    "nonideal": {"variability_sigma": 0.1, "read_noise_sigma": 0.02},
    "space": {"tiling.tile_rows": [16, 32], "tiling.tile_cols": [8, 16], "converters.adc_bits": {"low": 4, "high": 8},
              "mapping.levels": [8, 16]},
    "objectives": [{"metric": "accuracy"}, {"metric": "energy_j"}],
    "search": {"sampler": "random", "budget": 20, "heartbeat_interval_s": 1, "grace_period_s": 3},
    "monte_carlo": {"draws": 8},  # ~0.5 s per trial: a kill lands mid-trial
    "fidelity": {"draws": 0, "spice_images": 0},
    "rtl": {"generate": False},
    "outputs": {"plots": False},
}


def _env():
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


def _load(storage, name="faults", timeout_s=120.0):
    t_end = time.monotonic() + timeout_s
    while True:
        try:
            return optuna.load_study(study_name=name, storage=storage)
        except KeyError:
            if time.monotonic() > t_end:
                raise
            time.sleep(0.2)


def _wait_for(pred, timeout_s, what, proc=None, log=None):
    t_end = time.monotonic() + timeout_s
    while not pred():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the search ended (exit {proc.returncode}) before {what}:\n"
                        f"{Path(log).read_text()[-3000:] if log else ''}")
        if time.monotonic() > t_end:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_sigkill_of_every_process_then_resume_loses_no_completed_trial(tmp_path):
    flow = tmp_path / "flow.yaml"
    flow.write_text(yaml.safe_dump(FAULT_FLOW, sort_keys=False))
    out = tmp_path / "res"
    cmd = [sys.executable, "-m", "pycodesign.cli", "search", str(flow), "--out", str(out), "--workers", "2"]
    log1 = tmp_path / "first.log"
    with open(log1, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT, env=_env(),
                                start_new_session=True)
    journal = out / "faults" / "study.journal"
    _wait_for(journal.exists, 120, "the study journal", proc, log1)
    storage = open_storage(parse_storage(None, journal))
    study = _load(storage)
    _wait_for(lambda: len(study.get_trials(deepcopy=False, states=(COMPLETE,))) >= 6, 240,
              "6 completed trials", proc, log1)
    _wait_for(lambda: len(study.get_trials(deepcopy=False, states=(RUNNING,))) >= 1, 30, "a running trial", proc,
              log1)
    os.killpg(proc.pid, signal.SIGKILL)  # the main run and its worker process, mid-trial
    proc.wait()
    time.sleep(0.5)
    before = {t.number: t.values for t in _load(open_storage(parse_storage(None, journal))).get_trials(
        states=(COMPLETE,))}
    running = [t.number for t in _load(open_storage(parse_storage(None, journal))).get_trials(states=(RUNNING,))]
    assert 6 <= len(before) < 20 and running, (before, running)

    # the same command continues the study
    log2 = tmp_path / "second.log"
    with open(log2, "wb") as fh:
        rc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT, env=_env(), timeout=600).returncode
    text = log2.read_text()
    assert rc == 0, text[-3000:]
    study = _load(open_storage(parse_storage(None, journal)))
    trials = {t.number: t for t in study.trials}
    for n, values in before.items():  # no completed trial lost or changed
        assert trials[n].state == COMPLETE and trials[n].values == values
    for n in running:  # trials left running by the dead workers: failed, re-queued with their design, completed
        assert trials[n].state == FAIL
        retries = [t for t in study.trials if t.system_attrs.get("failed_trial") == n]
        # the retry keeps every value the dead trial had sampled (a trial killed while sampling has fewer)
        assert retries and retries[0].state == COMPLETE, n
        assert trials[n].params.items() <= retries[0].params.items(), n
        assert f"trial {n} was left running by worker" in text
    assert len(study.get_trials(states=(COMPLETE,))) >= 20
    meta = json.loads((out / "faults" / "metadata.json").read_text())
    assert meta["status"] == "complete"
    metrics = json.loads((out / "faults" / "metrics.json").read_text())
    assert metrics["complete"] and metrics["counts"]["complete"] >= 20 and metrics["counts"]["retries"] >= 1


# --------------------------------------------------------------------------- a real PostgreSQL server


def _pg_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        pytest.fail("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): install Debian's "
                    "postgresql package with `bash scripts/setup.sh`")
    return Path(found[-1]).parent


def _pg_user() -> tuple[list[str], int, int]:
    """The command prefix running as an unprivileged user (initdb and postgres refuse root), uid, gid."""
    if os.geteuid() != 0:
        return [], os.getuid(), os.getgid()
    name = "postgres"
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        name = "pycodesign-pg"
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            r = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                               capture_output=True, text=True)
            if r.returncode != 0:
                pytest.fail(f"cannot create an unprivileged user for PostgreSQL: {r.stderr.strip()}")
            pw = pwd.getpwnam(name)
    runner = shutil.which("runuser")
    if runner is None:
        pytest.fail("runuser (util-linux) is missing: cannot run PostgreSQL as an unprivileged user")
    return [runner, "-u", name, "--"], pw.pw_uid, pw.pw_gid


def _null_device_fix(prefix: list[str], root: Path) -> list[str]:
    """A command prefix giving the server a usable /dev/null.

    initdb runs shell commands redirected to /dev/null; on machines whose /dev/null is not writable by
    unprivileged users (seen here: mode 0755), the commands run in a private mount namespace with a proper
    null device (1, 3, mode 0666) bound over /dev/null — nothing changes outside that namespace.
    """
    if not prefix or subprocess.run(prefix + ["sh", "-c", "true > /dev/null"], capture_output=True).returncode == 0:
        return prefix
    node = root / "null"
    steps = [["mknod", "-m", "666", str(node), "c", "1", "3"]]
    for cmd in steps:
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            pytest.fail(f"/dev/null is not writable for the PostgreSQL user and no private null device could be "
                        f"made ({r.stderr.strip()}); fix the machine with: chmod 666 /dev/null")
    wrapped = ["unshare", "--mount", "--propagation", "private", "sh", "-c", 'mount --bind "$0" /dev/null && exec "$@"',
               str(node)] + prefix
    if subprocess.run(wrapped + ["sh", "-c", "true > /dev/null"], capture_output=True).returncode != 0:
        pytest.fail("/dev/null is not writable for the PostgreSQL user and a private mount namespace is not "
                    "available; fix the machine with: chmod 666 /dev/null")
    return wrapped


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def postgres_url():
    bindir = _pg_bindir()
    prefix, uid, gid = _pg_user()
    root = Path(tempfile.mkdtemp(prefix="pycodesign-pg-"))
    data = root / "data"
    os.chown(root, uid, gid)
    prefix = _null_device_fix(prefix, root)
    port = _free_port()
    log = root / "server.log"
    try:
        r = subprocess.run(prefix + [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                                     "-E", "UTF8", "--no-instructions"], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            pytest.fail(f"initdb failed ({r.returncode}): {r.stderr.strip() or r.stdout.strip()}")
        opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c max_connections=50"
        r = subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
                                     "-o", opts, "start"], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            tail = log.read_text()[-2000:] if log.exists() else ""
            pytest.fail(f"PostgreSQL did not start ({r.returncode}): {r.stderr.strip()}\n{tail}")
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def test_postgresql_two_workers_one_killed_mid_trial_is_retried_and_the_budget_completes(tmp_path, postgres_url):
    flow = tmp_path / "flow.yaml"
    flow.write_text(yaml.safe_dump({**FAULT_FLOW, "search": {**FAULT_FLOW["search"], "budget": 14}}, sort_keys=False))
    out = tmp_path / "res"
    log = tmp_path / "search.log"
    cmd = [sys.executable, "-m", "pycodesign.cli", "search", str(flow), "--out", str(out), "--workers", "2",
           "--storage", postgres_url]
    with open(log, "wb") as fh:
        main = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT, env=_env(),
                                start_new_session=True)
    try:
        storage = optuna.storages.RDBStorage(parse_storage(postgres_url, "/unused").url)
        study = _load(storage, timeout_s=120)

        def sibling_trial():
            for t in study.get_trials(deepcopy=False, states=(RUNNING,)):
                w = t.user_attrs.get("worker")
                if w and w["pid"] != main.pid:
                    return w["pid"]
            return None

        _wait_for(lambda: sibling_trial() is not None, 180, "a running trial of the second worker", main, log)
        victim = sibling_trial()
        os.kill(victim, signal.SIGKILL)  # the second worker dies mid-trial; its heartbeat stops
        time.sleep(0.3)
        killed = [t for t in study.get_trials(deepcopy=False, states=(RUNNING,))
                  if t.user_attrs.get("worker", {}).get("pid") == victim]
        assert len(killed) == 1, "the killed worker left exactly one running trial"
        killed = killed[0].number
        rc = main.wait(timeout=600)
    finally:
        if main.poll() is None:
            os.killpg(main.pid, signal.SIGKILL)
            main.wait()
    text = log.read_text()
    assert rc == 0, text[-3000:]
    study = _load(optuna.storages.RDBStorage(parse_storage(postgres_url, "/unused").url))
    failed = study.trials[killed]
    assert failed.state == FAIL
    retries = [t for t in study.trials if t.system_attrs.get("failed_trial") == killed]
    assert retries and retries[0].state == COMPLETE and failed.params.items() <= retries[0].params.items()
    assert len(study.get_trials(states=(COMPLETE,))) >= 14
    assert not study.get_trials(states=(RUNNING,))
    metrics = json.loads((out / "faults" / "metrics.json").read_text())
    assert metrics["complete"] and metrics["study"]["kind"] == "rdb"
    assert -signal.SIGKILL in metrics["workers"]["exit_codes"]  # the main run saw its sibling die
    print(f"PostgreSQL: worker pid {victim} killed in trial {killed}; retried as trial {retries[0].number} "
          f"(same design: {failed.params.items() <= retries[0].params.items()}); "
          f"{len(study.get_trials(states=(COMPLETE,)))} completed trials of budget 14; "
          f"{len(study.get_trials(states=(FAIL,)))} failed; main run exit {rc}")
