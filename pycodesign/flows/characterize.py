"""Flow ``kind: characterize`` — one memristor model, simulated in ngspice.

Steps (each written to the results folder as it completes):

1. Sine and triangle sweeps at ≥ 3 frequencies → pinched-hysteresis I–V plot
   (``iv_<shape>.png``) and a table of per-lobe loop areas.
2. Potentiation then depression pulse trains with a read after every pulse →
   conductance vs pulse number (``pulses.png``), nonlinearity and the number
   of levels distinguishable under the stated read noise.
3. Read disturb: N read pulses at V_READ → relative conductance change,
   compared with ``read_disturb.max_change_rel``.

Values left ``null`` in the YAML take the model's :class:`StimulusHints`; the
resolved values are what ``config.yaml`` in the results folder records.

Checks before running: every voltage is finite and at most
:data:`PROGRAM_V_MAX` (programming) or
:data:`~pycodesign.devices.checks.V_READ_MAX_V` (reads) in magnitude, reads
are non-zero.  The device-aware read rules of
:func:`~pycodesign.devices.checks.read_findings` (a read at or beyond a
switching threshold, read disturb) are *warnings* here, not errors: measuring
what a read does to the device is what the read-disturb step is for.  They
are printed by ``pycodesign run``/``check`` and listed in ``report.md``.

Each step is recorded in ``metadata.json`` (:meth:`RunDir.step`); if one
fails, ``metrics.json`` and ``report.md`` still hold the steps that completed
and the run's status is ``failed``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from ..config import ConfigError, OutputsConfig, Section, option, register_flow
from ..config.core import _short, name_problem
from ..devices import characterize as ch
from ..devices.checks import V_READ_MAX_V, read_findings
from ..devices.registry import ParameterError, get_model, list_models
from ..devices.simulate import simulate_device
from ..errors import SimulationError

__all__ = ["CharacterizeFlow", "DeviceSection", "SweepSection", "PulseSection", "ReadDisturbSection",
           "run_characterize", "PROGRAM_V_MAX"]

#: Largest |voltage| of a sweep or programming pulse (V); no memristor is driven harder.
PROGRAM_V_MAX = 100.0


@dataclass
class DeviceSection(Section):
    """The device under test."""

    model: str = option("vteam", "registered model name (see `pycodesign models`)")
    preset: str | None = option(None, "named parameter set of the model (null: the model's default)")
    params: dict[str, float] = option({}, "parameter overrides, name -> value (units as in the model registry)")
    x0: float | None = option(None, "initial state (null: the model's initial-state parameter)")

    def validate(self):
        if self.model not in list_models():
            self.fail("model", f"{_short(self.model)} is not a registered model; allowed: {', '.join(list_models())}")
        m = get_model(self.model)
        over = dict(self.params)
        if self.x0 is not None:
            over[m.state.initial_param] = self.x0
        try:
            p = m.resolve(over, preset=self.preset)
        except ParameterError as exc:
            self.fail("params", str(exc))
        lo, hi = m.state.bounds(p)
        x0 = p[m.state.initial_param]
        if not lo <= x0 <= hi:
            self.fail("x0", f"{_short(x0)} is outside the state bounds [{lo:g}, {hi:g}] {m.state.unit}")


@dataclass
class SweepSection(Section):
    """Periodic sweeps for the pinched hysteresis loops."""

    shapes: list[Literal["sine", "triangle"]] = option(["sine", "triangle"], "waveform shapes", min_len=1)
    amplitude_v: float | None = option(None, "peak voltage (null: the model's hint)", unit="V", gt=0)
    frequencies_hz: list[float] | None = option(None, "at least 3 frequencies (null: the model's hint)",
                                               unit="Hz", gt=0, min_len=3)
    periods: float = option(1.0, "periods simulated per frequency", gt=0, le=20)
    points_per_period: int = option(400, "PWL points per period", ge=40, le=100000)

    def validate(self):
        if self.frequencies_hz is not None and len(set(self.frequencies_hz)) != len(self.frequencies_hz):
            self.fail("frequencies_hz", f"{_short(self.frequencies_hz)} has repeated values; give distinct frequencies")


@dataclass
class PulseSection(Section):
    """Potentiation/depression pulse trains."""

    n_pulses: int = option(30, "pulses in each of the potentiation and depression trains", ge=2, le=10000)
    set_pulse_v: float | None = option(None, "potentiation amplitude (null: hint)", unit="V")
    reset_pulse_v: float | None = option(None, "depression amplitude (null: hint)", unit="V")
    width_s: float | None = option(None, "potentiation pulse width (null: hint)", unit="s", gt=0)
    reset_width_s: float | None = option(None, "depression pulse width (null: the potentiation width)",
                                         unit="s", gt=0)
    v_read: float | None = option(None, "read voltage (null: hint)", unit="V")
    read_width_s: float | None = option(None, "read pulse width (null: the programming width)", unit="s", gt=0)
    read_noise_rel: float = option(0.01, "read noise, relative standard deviation of G", gt=0, lt=1)
    k_sigma: float = option(6.0, "separation of distinguishable levels in noise sigmas", gt=0)

    def validate(self):
        if self.v_read is not None and self.v_read == 0:
            self.fail("v_read", "0 V cannot read a conductance; use a small non-zero voltage")
        for key in ("set_pulse_v", "reset_pulse_v"):
            if getattr(self, key) == 0:
                self.fail(key, "0 V programs nothing; give a non-zero amplitude (or null for the model's hint)")


@dataclass
class ReadDisturbSection(Section):
    """Repeated reads at V_READ."""

    n_reads: int = option(200, "number of read pulses", ge=1, le=100000)
    v_read: float | None = option(None, "read voltage (null: the pulse section's)", unit="V")
    width_s: float | None = option(None, "read pulse width (null: the pulse section's read width)", unit="s", gt=0)
    max_change_rel: float = option(0.01, "largest acceptable relative conductance change", gt=0)


@register_flow("characterize")
@dataclass
class CharacterizeFlow(Section):
    """Characterise one memristor model in ngspice."""

    name: str = option("characterize", "run name (prefix of the results folder)")
    seed: int = option(0, "seed (recorded; this flow draws no random numbers)", ge=0)
    engine: Literal["batch", "shared"] = option("batch", "ngspice as a batch process or in-process (libngspice)")
    device: DeviceSection = option(DeviceSection())
    sweeps: SweepSection = option(SweepSection())
    pulses: PulseSection = option(PulseSection())
    read_disturb: ReadDisturbSection = option(ReadDisturbSection())
    outputs: OutputsConfig = option(OutputsConfig())

    def validate(self):
        problem = name_problem(self.name)
        if problem:  # the name becomes the results folder's name
            self.fail("name", f"{_short(self.name)} {problem}")
        for key, v in (("sweeps.amplitude_v", self.sweeps.amplitude_v), ("pulses.set_pulse_v", self.pulses.set_pulse_v),
                       ("pulses.reset_pulse_v", self.pulses.reset_pulse_v)):
            if v is not None and abs(v) > PROGRAM_V_MAX:
                self.fail(key, f"|{v:g}| V is above {PROGRAM_V_MAX:g} V; allowed: |V| <= {PROGRAM_V_MAX:g} V")
        for key, v in self._read_voltages():
            if v == 0:
                self.fail(key, "0 V cannot read a conductance; use a small non-zero voltage")
            if abs(v) > V_READ_MAX_V:
                self.fail(key, f"|{v:g}| V is above {V_READ_MAX_V:g} V, where no memristor is read; allowed: "
                               f"0 < |V_READ| <= {V_READ_MAX_V:g} V")

    def _read_voltages(self) -> list[tuple[str, float]]:
        """(key, read voltage) of the pulse reads and the read-disturb reads, nulls filled from the hints."""
        h = get_model(self.device.model).stimulus
        v_pulse = self.pulses.v_read if self.pulses.v_read is not None else h.v_read
        v_disturb = self.read_disturb.v_read if self.read_disturb.v_read is not None else v_pulse
        return [("pulses.v_read", v_pulse), ("read_disturb.v_read", v_disturb)]

    def warnings(self) -> list[str]:
        """Device-aware read findings (:func:`~pycodesign.devices.checks.read_findings`), as stated warnings."""
        keys: dict[str, list[str]] = {}  # message -> keys it applies to (both reads often share V_READ)
        for key, v in self._read_voltages():
            for f in read_findings(self.device.model, v_read_v=v, params=self._device_overrides(),
                                   preset=self.device.preset):
                text = f.message if f.level == "warning" else f"{f.message} (measured by the read-disturb step)"
                where = key if f.key == "v_read_v" else "device.params"
                if where not in keys.setdefault(text, []):
                    keys[text].append(where)
        return [f"{', '.join(where)}: {text}" for text, where in keys.items()]

    def _device_overrides(self) -> dict:
        over = dict(self.device.params)
        if self.device.x0 is not None:
            over[get_model(self.device.model).state.initial_param] = self.device.x0
        return over

    def resolved(self) -> "CharacterizeFlow":
        """A copy with every null filled from the model's hints (what runs)."""
        m = get_model(self.device.model)
        h = m.stimulus
        sw = replace(self.sweeps, amplitude_v=self.sweeps.amplitude_v or h.amplitude_v,
                     frequencies_hz=list(self.sweeps.frequencies_hz or h.frequencies_hz))
        pu = self.pulses
        width = pu.width_s or h.pulse_width_s
        pu = replace(pu, set_pulse_v=pu.set_pulse_v if pu.set_pulse_v is not None else h.set_pulse_v,
                     reset_pulse_v=pu.reset_pulse_v if pu.reset_pulse_v is not None else h.reset_pulse_v,
                     width_s=width, reset_width_s=pu.reset_width_s or width,
                     v_read=pu.v_read if pu.v_read is not None else h.v_read,
                     read_width_s=pu.read_width_s or width)
        rd = replace(self.read_disturb, v_read=self.read_disturb.v_read if self.read_disturb.v_read is not None
                     else pu.v_read, width_s=self.read_disturb.width_s or pu.read_width_s)
        return replace(self, sweeps=sw, pulses=pu, read_disturb=rd)


def run_characterize(flow: CharacterizeFlow, run, progress=print) -> dict:
    """Run the flow into the open results folder *run*; returns the metrics.

    Each step runs in ``run.step(..., required=True)``: a failure is recorded
    and re-raised, after ``metrics.json`` and ``report.md`` have been written
    with the steps that completed.
    """
    warnings = flow.warnings()
    flow = flow.resolved()
    m = get_model(flow.device.model)
    params = m.resolve(flow._device_overrides(), preset=flow.device.preset)
    x0 = params[m.state.initial_param]
    metrics: dict = {"model": m.name, "title": m.title, "preset": flow.device.preset or m.default_preset,
                     "params": params, "state": {"name": m.state.name, "unit": m.state.unit,
                                                 "bounds": list(m.state.bounds(params)), "x0": x0},
                     "warnings": warnings, "complete": False}
    timing: dict = {}
    t0 = time.perf_counter()
    try:
        _characterize_steps(flow, run, progress, m, params, x0, metrics, timing)
        timing["total_s"] = time.perf_counter() - t0
        metrics["complete"] = True
    finally:
        # written whatever happened: a failed step leaves the report of what completed
        metrics["timing_s"] = timing
        run.write_json("metrics.json", metrics)
        try:
            _write_report(run, flow, m, metrics)
        except Exception as exc:  # noqa: BLE001 - never let the report hide the step's own error
            run.warn(f"report.md could not be written: {type(exc).__name__}: {exc}")
    return metrics


def _characterize_steps(flow, run, progress, m, params, x0, metrics, timing) -> None:
    from ..reports.plots import new_figure, save_figure

    with run.step("compile", required=True):
        from ..devices.compile import compile_va, last_compile_info

        compile_va(m.va_path)
        info = last_compile_info(m.va_path)
        timing["compile_s"] = info.seconds if info else 0.0
        timing["compile_cached"] = bool(info and info.cached)
    wavedir = run.path / "waveforms"  # one folder per transient: deck, log, raw file
    plots = flow.outputs.plots

    def sim(t, v, tag, **over):
        return simulate_device(m, t, v, params={**params, **over}, engine=flow.engine,
                               workdir=wavedir / tag if flow.engine == "batch" else None)

    # 1. sweeps -------------------------------------------------------------
    sw = flow.sweeps
    with run.step("sweeps", required=True):
        loops = metrics.setdefault("loops", [])
        t_sweep = time.perf_counter()
        for shape in sw.shapes:
            fig, ax = new_figure() if plots else (None, None)
            for f in sw.frequencies_hz:
                progress(f"[{m.name}] {shape} sweep {sw.amplitude_v:g} V at {f:g} Hz")
                t, v = ch.periodic_wave(shape, sw.amplitude_v, f, periods=sw.periods,
                                        points_per_period=sw.points_per_period)
                tr = sim(t, v, f"{shape}_{f:g}Hz")
                a_pos, a_neg = ch.lobe_areas(tr.v, tr.i)
                zero = np.abs(tr.v) < 1e-12
                izero = float(np.max(np.abs(tr.i[zero]))) if np.any(zero) else None
                loops.append({"shape": shape, "frequency_hz": f, "amplitude_v": sw.amplitude_v,
                              "area_pos_lobe_va": a_pos, "area_neg_lobe_va": a_neg,
                              "i_max_a": float(np.max(np.abs(tr.i))), "i_at_zero_v_a": izero,
                              "state_min": float(np.min(tr.x)), "state_max": float(np.max(tr.x))})
                if plots:
                    ax[0, 0].plot(tr.v, tr.i * 1e3, label=f"{f:g} Hz")
            if plots:
                ax[0, 0].set(xlabel="voltage V(p,n) [V]", ylabel="current [mA]",
                             title=f"{m.name}: pinched hysteresis, {shape} {sw.amplitude_v:g} V")
                ax[0, 0].grid(alpha=0.3)
                ax[0, 0].legend()
                save_figure(fig, run.file(f"iv_{shape}.png"))
        timing["sweeps_s"] = time.perf_counter() - t_sweep
    run.write_json("metrics.json", {**metrics, "timing_s": timing})

    # 2. pulse trains ---------------------------------------------------------
    pu = flow.pulses
    with run.step("pulses", required=True):
        progress(f"[{m.name}] {pu.n_pulses} potentiation + {pu.n_pulses} depression pulses")
        t_p = time.perf_counter()

        # Two transients, the depression train starting from the state the
        # potentiation train left: asymmetric devices SET and RESET on time scales
        # many decades apart, and one transient spanning both would force steps
        # below ngspice's minimum on the fast edges.
        def train(amp, width, x_start, tag):
            tr_ = ch.pulse_train(np.full(pu.n_pulses, amp), width_s=width, v_read=pu.v_read,
                                 read_width_s=pu.read_width_s)
            res = sim(tr_.t, tr_.v, tag, **{m.state.initial_param: x_start})
            return ch.conductance_at_reads(res.t, res.v, res.i, tr_.read_windows), float(res.x[-1])

        pot, x_mid = train(pu.set_pulse_v, pu.width_s, x0, "potentiation")
        dep, _ = train(pu.reset_pulse_v, pu.reset_width_s, x_mid, "depression")
        g = np.r_[pot, dep[1:]]
        metrics["pulses"] = {
            "set_pulse_v": pu.set_pulse_v, "reset_pulse_v": pu.reset_pulse_v, "width_s": pu.width_s,
            "reset_width_s": pu.reset_width_s,
            "v_read": pu.v_read, "conductance_s": g.tolist(),
            "g_min_s": float(np.min(g)), "g_max_s": float(np.max(g)),
            "on_off_ratio": float(np.max(g) / np.min(g)) if np.min(g) > 0 else None,
            "nonlinearity_potentiation": ch.nonlinearity(pot), "nonlinearity_depression": ch.nonlinearity(dep),
            "read_noise_rel": pu.read_noise_rel, "k_sigma": pu.k_sigma,
            "distinguishable_levels_potentiation": ch.distinguishable_levels(pot, read_noise_rel=pu.read_noise_rel,
                                                                              k_sigma=pu.k_sigma),
            "distinguishable_levels_depression": ch.distinguishable_levels(dep, read_noise_rel=pu.read_noise_rel,
                                                                            k_sigma=pu.k_sigma),
        }
        timing["pulses_s"] = time.perf_counter() - t_p
        if plots:
            fig, ax = new_figure()
            n = np.arange(g.size)
            ax[0, 0].plot(n[: pu.n_pulses + 1], pot * 1e3, "o-", ms=3, label=f"potentiation {pu.set_pulse_v:g} V")
            ax[0, 0].plot(n[pu.n_pulses:], dep * 1e3, "s-", ms=3, label=f"depression {pu.reset_pulse_v:g} V")
            ax[0, 0].set(xlabel="pulse number", ylabel=f"conductance at {pu.v_read:g} V [mS]",
                         title=f"{m.name}: NL = {metrics['pulses']['nonlinearity_potentiation']:.2f} / "
                               f"{metrics['pulses']['nonlinearity_depression']:.2f}")
            ax[0, 0].grid(alpha=0.3)
            ax[0, 0].legend()
            save_figure(fig, run.file("pulses.png"))
    run.write_json("metrics.json", {**metrics, "timing_s": timing})

    # 3. read disturb -----------------------------------------------------------
    rd = flow.read_disturb
    with run.step("read_disturb", required=True):
        progress(f"[{m.name}] read disturb: {rd.n_reads} reads at {rd.v_read:g} V")
        t_r = time.perf_counter()
        # n_reads reads: a pulse train whose programming pulses have zero amplitude
        reads = ch.pulse_train(np.zeros(rd.n_reads - 1), width_s=rd.width_s, v_read=rd.v_read,
                               read_width_s=rd.width_s)
        tr = sim(reads.t, reads.v, "read_disturb")
        g_reads = ch.conductance_at_reads(tr.t, tr.v, tr.i, reads.read_windows)[: rd.n_reads]
        change = float(abs(g_reads[-1] - g_reads[0]) / abs(g_reads[0]))
        metrics["read_disturb"] = {"n_reads": rd.n_reads, "v_read": rd.v_read, "width_s": rd.width_s,
                                   "g_first_s": float(g_reads[0]), "g_last_s": float(g_reads[-1]),
                                   "relative_change": change, "max_change_rel": rd.max_change_rel,
                                   "passed": change < rd.max_change_rel}
        timing["read_disturb_s"] = time.perf_counter() - t_r
        if plots:
            fig, ax = new_figure()
            ax[0, 0].plot(np.arange(1, g_reads.size + 1), g_reads * 1e3, ".-")
            ax[0, 0].set(xlabel="read number", ylabel="conductance [mS]",
                         title=f"{m.name}: read disturb at {rd.v_read:g} V, change {change:.2e}")
            ax[0, 0].grid(alpha=0.3)
            save_figure(fig, run.file("read_disturb.png"))


def _write_report(run, flow, m, metrics) -> None:
    """``report.md`` from whatever *metrics* holds (a failed run reports the steps that completed)."""
    from ..reports import md_table

    timing = metrics.get("timing_s", {})
    lines = [f"# Characterisation of `{m.name}` — {m.title}\n",
             f"Preset: {metrics['preset']}; initial state {metrics['state']['x0']:g} {m.state.unit}; "
             f"engine: {flow.engine}.\n"]
    failed = [s for s in run.steps if s.status == "failed"]
    if failed or not metrics.get("complete"):
        lines.append("**Incomplete run.** " + ("; ".join(f"Step `{s.name}` failed: {s.error}" for s in failed)
                                               or "The run stopped before every step completed.")
                     + " The sections below hold the steps that completed.\n")
    if metrics.get("warnings"):
        lines += ["## Warnings\n"] + [f"- {w}" for w in metrics["warnings"]] + [""]
    loops = metrics.get("loops")
    if loops:
        lines += ["## Pinched hysteresis (`iv_*.png`)\n",
                  md_table(["shape", "f [Hz]", "amplitude [V]", "+ lobe area [V·A]", "− lobe area [V·A]",
                            "max |i| [A]"],
                           [[l["shape"], l["frequency_hz"], l["amplitude_v"], l["area_pos_lobe_va"],
                             l["area_neg_lobe_va"], l["i_max_a"]] for l in loops])]
    p = metrics.get("pulses")
    if p:
        lines += ["\n## Pulse programming (`pulses.png`)\n",
                  md_table(["quantity", "value"], [
                      ["SET / RESET pulse", f"{p['set_pulse_v']:g} V, {p['width_s']:g} s / "
                                            f"{p['reset_pulse_v']:g} V, {p['reset_width_s']:g} s"],
                      ["G range at V_READ", f"{p['g_min_s']:.4g} – {p['g_max_s']:.4g} S"],
                      ["nonlinearity (pot / dep)",
                       f"{p['nonlinearity_potentiation']:.3f} / {p['nonlinearity_depression']:.3f}"],
                      [f"levels at {p['read_noise_rel']:g} rel. read noise, {p['k_sigma']:g} σ",
                       f"{p['distinguishable_levels_potentiation']} / {p['distinguishable_levels_depression']}"]])]
    r = metrics.get("read_disturb")
    if r:
        lines += ["\n## Read disturb (`read_disturb.png`)\n",
                  f"{r['n_reads']} reads at {r['v_read']:g} V change G by {r['relative_change']:.3e} (relative); "
                  f"limit {r['max_change_rel']:g}: {'PASS' if r['passed'] else 'FAIL'}.\n"]
    lines += ["\n## Timing\n", md_table(["step", "s"], [[k, v] for k, v in timing.items()])]
    run.file("report.md").write_text("\n".join(lines))
