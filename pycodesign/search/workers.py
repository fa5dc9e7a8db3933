"""Workers: the trial objective, the optimisation loop, sibling processes, dead workers' trials.

Every worker — the main run, the ``--workers N`` siblings it starts, a
``--join`` process on another machine — runs :func:`run_worker`:
``study.optimize`` until the study holds ``budget`` completed trials
(``MaxTrialsCallback`` counting COMPLETE trials; failed trials are recorded,
not counted).  Workers share nothing but the study, so they may start, stop
and die in any order.

Dead workers:

* database storages: optuna's heartbeat thread marks each running trial;
  before asking a new trial every worker fails the trials whose heartbeat is
  older than the grace period and ``RetryHeartbeatStaleTrialCallback``
  re-queues them (WAITING), so the next ``ask`` runs them again;
* journal file: there is no heartbeat, so each trial records its worker
  (host, pid and the process's start time in clock ticks, so a recycled pid
  is not mistaken for the worker) and :func:`requeue_dead_trials` — run when
  a worker starts and while the main run drains — fails the running trials
  whose worker is gone from this host and re-queues them with the same
  callback; a trial killed before it recorded its worker is re-queued once
  it has run longer than the grace period.

:func:`drain` is the main run's last step: it waits until no trial is
running (live workers finish theirs, dead workers' trials go stale) and runs
every re-queued trial, so a killed worker's design is evaluated even when the
budget was already reached.
"""
from __future__ import annotations

import datetime as _dt
import math
import os
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Callable, Sequence

import optuna
from optuna.trial import TrialState

from ..config.core import ConfigError

__all__ = ["worker_identity", "worker_alive", "make_objective", "run_worker", "requeue_dead_trials", "drain",
           "start_workers", "count_trials", "constraint_values", "TooManyFailures"]


class TooManyFailures(RuntimeError):
    """A worker saw too many consecutive failed trials (a broken space or evaluator)."""


def _start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may contain spaces: split after its closing parenthesis
    fields = text[text.rfind(")") + 2:].split()
    try:
        return int(fields[19])  # field 22 overall
    except (IndexError, ValueError):
        return None


def worker_identity() -> dict:
    """This process as a trial records it: host, pid, start ticks."""
    pid = os.getpid()
    return {"host": socket.gethostname(), "pid": pid, "start": _start_ticks(pid)}


def worker_alive(identity: dict) -> bool | None:
    """True/False for a worker of this host; None for another host (cannot tell)."""
    if identity.get("host") != socket.gethostname():
        return None
    pid = int(identity.get("pid", -1))
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    start = identity.get("start")
    now = _start_ticks(pid)
    if start is not None and now is not None and now != start:
        return False  # the pid was recycled by another process
    # a zombie (killed, not yet reaped by its parent) is dead too
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
        if state[state.rfind(")") + 2:].split()[0] == "Z":
            return False
    except OSError:
        return False
    return True


def count_trials(study: optuna.Study, *states: TrialState) -> int:
    return len(study.get_trials(deepcopy=False, states=states or None))


def make_objective(evaluator, objective_metrics: Sequence[str], constraints: Sequence, *,
                   progress: Callable[[str], None] | None = None) -> Callable:
    """The optuna objective: sample, realise, evaluate, store the record, return the objective values.

    Each trial stores its constraint values with ``Trial.set_constraint`` (≤ 0
    feasible: optuna's constraints mechanism, read by NSGA-II and TPE and kept
    in the study), and user attributes ``worker`` (first, so a dead worker is
    recognised), ``feasible`` and ``result`` (metrics, Monte-Carlo draws, fits,
    structure: :meth:`DesignResult.record`).
    A combination that is not a valid architecture or an evaluation error
    fails the trial with the reason (counted as failed, never dropped).
    """
    metrics = list(objective_metrics)

    def objective(trial: optuna.Trial):
        trial.set_user_attr("worker", worker_identity())
        try:
            return evaluate(trial)
        except Exception as exc:
            trial.set_user_attr("error", f"{type(exc).__name__}: {exc}")
            raise

    def evaluate(trial: optuna.Trial):
        params = evaluator.space.suggest(trial)
        try:
            realised = evaluator.realise(params)
        except ConfigError as exc:
            raise ValueError(f"not a valid architecture: {exc}") from None
        result = evaluator.evaluate(realised)
        values = result.values(metrics)
        bad = [m for m, v in zip(metrics, values) if not math.isfinite(v)]
        if bad:
            raise ValueError(f"metric {bad[0]} is not finite for this design ({result.metrics.get(bad[0])})")
        cons = constraint_values(constraints, result.metrics)
        for name, v in cons.items():
            trial.set_constraint(name, v)  # optuna's constraints mechanism: NSGA-II and TPE rank by it
        trial.set_user_attr("feasible", all(v <= 0 for v in cons.values()))
        trial.set_user_attr("result", result.record())
        return values

    return objective


def constraint_values(constraints: Sequence, metrics: dict) -> dict[str, float]:
    """``{"<metric>_min" | "<metric>_max": value}``, each ≤ 0 when its bound holds."""
    out: dict[str, float] = {}
    for c in constraints:
        v = float(metrics[c.metric])
        if c.min is not None:
            out[f"{c.metric}_min"] = max(out.get(f"{c.metric}_min", -math.inf), float(c.min) - v)
        if c.max is not None:
            out[f"{c.metric}_max"] = max(out.get(f"{c.metric}_max", -math.inf), v - float(c.max))
    return out


def _progress_callback(budget: int, progress, every: int, advance=None):
    state = {"fails": 0, "last_error": None}

    def cb(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        if advance is not None and trial.state == TrialState.COMPLETE:
            advance(1)
        if trial.state == TrialState.FAIL:
            state["fails"] += 1
            state["last_error"] = trial.user_attrs.get("error")
            if progress:
                progress(f"trial {trial.number} FAILED: {state['last_error']} (params {trial.params})")
            return
        state["fails"] = 0
        if progress is None or trial.state != TrialState.COMPLETE:
            return
        done = count_trials(study, TrialState.COMPLETE)
        if done % every == 0 or done >= budget:
            m = trial.user_attrs.get("result", {}).get("metrics", {})
            feas = "feasible" if trial.user_attrs.get("feasible", True) else "infeasible"
            shown = ", ".join(f"{k} {m[k]:.4g}" for k in ("accuracy", "energy_j", "area_mm2", "latency_s",
                                                          "devices") if k in m)
            progress(f"trial {trial.number}: {done}/{budget} complete; {shown}; {feas}")

    return cb, state


def run_worker(study: optuna.Study, objective: Callable, *, budget: int, progress=None,
               max_consecutive_failures: int = 25, every: int | None = None, advance=None) -> int:
    """Run trials until the study holds *budget* completed trials; return how many this worker ran.

    *progress* receives a line with the trial's figures every *every* completed trials (default
    budget / 10) and every failure; *advance(n)*, if given, is called for each trial this worker completes
    (a :func:`pycodesign.progress.task` counter).

    Raises
    ------
    TooManyFailures
        After *max_consecutive_failures* failed trials in a row.
    """
    if count_trials(study, TrialState.COMPLETE) >= budget:
        return 0
    every = every or max(1, budget // 10)
    cb, state = _progress_callback(budget, progress, every, advance)

    def guard(study, trial):
        if state["fails"] >= max_consecutive_failures:
            study.stop()

    before = len(study.get_trials(deepcopy=False))
    study.optimize(objective, callbacks=[optuna.study.MaxTrialsCallback(budget, states=(TrialState.COMPLETE,)),
                                         cb, guard], catch=(Exception,), gc_after_trial=False)
    if state["fails"] >= max_consecutive_failures:
        failed = study.get_trials(deepcopy=False, states=(TrialState.FAIL,))
        raise TooManyFailures(f"{state['fails']} trials failed in a row; the last, trial {failed[-1].number} "
                              f"(params {failed[-1].params}): {failed[-1].user_attrs.get('error')}")
    return len(study.get_trials(deepcopy=False)) - before


def requeue_dead_trials(study: optuna.Study, *, max_retry: int, stale_after_s: float,
                        progress=None) -> list[int]:
    """Journal storage: fail the running trials of dead workers on this host and re-queue them.

    Returns the numbers of the trials failed.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        retry = optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=max_retry)
    now = _dt.datetime.now()
    out = []
    for t in study.get_trials(deepcopy=True, states=(TrialState.RUNNING,)):
        ident = t.user_attrs.get("worker")
        if ident is None:
            started = t.datetime_start or now
            dead = (now - started).total_seconds() > stale_after_s
        else:
            alive = worker_alive(ident)
            dead = alive is False
        if not dead:
            continue
        try:
            study.tell(t.number, state=TrialState.FAIL)
        except Exception:  # noqa: BLE001 - another process finished or failed it first
            continue
        t.state = TrialState.FAIL
        retry(study, t)
        out.append(t.number)
        if progress:
            who = f"worker {ident['host']}:{ident['pid']}" if ident else "an unknown worker"
            progress(f"trial {t.number} was left running by {who}, which is gone: failed and re-queued")
    return out


def drain(study: optuna.Study, objective: Callable, *, heartbeats: bool, max_retry: int, stale_after_s: float,
          poll_s: float = 0.5, timeout_s: float = 3600.0, progress=None) -> dict:
    """Wait until no trial runs and every re-queued trial has run (see the module doc).

    Returns ``{"requeued": [...], "retried": n, "still_running": [...]}``.
    """
    t_end = time.monotonic() + timeout_s
    requeued: list[int] = []
    retried = 0
    said = False
    while True:
        if heartbeats:
            before = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,))}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                optuna.storages.fail_stale_trials(study)
            after = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,))}
            for n in sorted(after - before):
                requeued.append(n)
                if progress:
                    progress(f"trial {n}: no heartbeat for the grace period (its worker died): failed and re-queued")
        else:
            requeued += requeue_dead_trials(study, max_retry=max_retry, stale_after_s=stale_after_s,
                                            progress=progress)
        waiting = count_trials(study, TrialState.WAITING)
        if waiting:
            if progress:
                progress(f"running {waiting} re-queued trial(s)")
            study.optimize(objective, n_trials=waiting, catch=(Exception,), gc_after_trial=False)
            retried += waiting
            continue
        running = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
        if not running:
            return {"requeued": requeued, "retried": retried, "still_running": []}
        if time.monotonic() > t_end:
            return {"requeued": requeued, "retried": retried, "still_running": [t.number for t in running]}
        if progress and not said:
            progress(f"waiting for {len(running)} running trial(s) of other workers "
                     f"({', '.join(str(t.number) for t in running[:10])})")
            said = True
        time.sleep(poll_s)


def start_workers(n: int, command: Sequence[str], log_dir: Path, *, env: dict | None = None) -> list:
    """Start *n* worker processes running *command*; their output goes to ``log_dir/worker-<k>.log``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    procs = []
    for k in range(n):
        log = open(log_dir / f"worker-{k + 1}.log", "ab")
        p = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             env={**os.environ, **(env or {})})
        log.close()
        procs.append(p)
    return procs


def python_command() -> list[str]:
    """The interpreter running this process (workers use the same environment)."""
    return [sys.executable]
