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
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from ..config import ConfigError, OutputsConfig, Section, option, register_flow
from ..devices import characterize as ch
from ..devices.registry import ParameterError, get_model, list_models
from ..devices.simulate import simulate_device
from ..errors import SimulationError

__all__ = ["CharacterizeFlow", "DeviceSection", "SweepSection", "PulseSection", "ReadDisturbSection",
           "run_characterize"]


@dataclass
class DeviceSection(Section):
    """The device under test."""

    model: str = option("vteam", "registered model name (see `pycodesign models`)")
    preset: str | None = option(None, "named parameter set of the model (null: the model's default)")
    params: dict[str, float] = option({}, "parameter overrides, name -> value (units as in the model registry)")
    x0: float | None = option(None, "initial state (null: the model's initial-state parameter)")

    def validate(self):
        if self.model not in list_models():
            self.fail("model", f"{self.model!r} is not a registered model; allowed: {', '.join(list_models())}")
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
            self.fail("x0", f"{x0!r} is outside the state bounds [{lo:g}, {hi:g}] {m.state.unit}")


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
            self.fail("frequencies_hz", f"{self.frequencies_hz!r} has repeated values; give distinct frequencies")


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
    """Run the flow into the open results folder *run*; returns the metrics."""
    from ..reports import md_table
    from ..reports.plots import new_figure, save_figure

    flow = flow.resolved()
    m = get_model(flow.device.model)
    over = dict(flow.device.params)
    if flow.device.x0 is not None:
        over[m.state.initial_param] = flow.device.x0
    params = m.resolve(over, preset=flow.device.preset)
    x0 = params[m.state.initial_param]
    metrics: dict = {"model": m.name, "title": m.title, "preset": flow.device.preset or m.default_preset,
                     "params": params, "state": {"name": m.state.name, "unit": m.state.unit,
                                                 "bounds": list(m.state.bounds(params)), "x0": x0}}
    timing: dict = {}
    t0 = time.perf_counter()
    from ..devices.compile import compile_va, last_compile_info

    compile_va(m.va_path)
    info = last_compile_info(m.va_path)
    timing["compile_s"] = info.seconds if info else 0.0
    timing["compile_cached"] = bool(info and info.cached)
    wavedir = run.path / "waveforms"  # one folder per transient: deck, log, raw file
    plots = flow.outputs.plots

    def sim(t, v, tag):
        return simulate_device(m, t, v, params=params, engine=flow.engine,
                               workdir=wavedir / tag if flow.engine == "batch" else None)

    # 1. sweeps -------------------------------------------------------------
    sw = flow.sweeps
    loops = []
    t_sweep = time.perf_counter()
    for shape in sw.shapes:
        fig, ax = new_figure() if plots else (None, None)
        for f in sw.frequencies_hz:
            progress(f"[{m.name}] {shape} sweep {sw.amplitude_v:g} V at {f:g} Hz")
            t, v = ch.periodic_wave(shape, sw.amplitude_v, f, periods=sw.periods,
                                    points_per_period=sw.points_per_period)
            tr = sim(t, v, f"{shape}_{f:g}Hz")
            a_pos, a_neg = ch.lobe_areas(tr.v, tr.i)
            izero = float(np.max(np.abs(tr.i[np.abs(tr.v) < 1e-12]))) if np.any(np.abs(tr.v) < 1e-12) else None
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
    metrics["loops"] = loops
    run.write_json("metrics.json", {**metrics, "timing_s": timing, "complete": False})

    # 2. pulse trains ---------------------------------------------------------
    pu = flow.pulses
    progress(f"[{m.name}] {pu.n_pulses} potentiation + {pu.n_pulses} depression pulses")
    t_p = time.perf_counter()
    # Two transients, the depression train starting from the state the
    # potentiation train left: asymmetric devices SET and RESET on time scales
    # many decades apart, and one transient spanning both would force steps
    # below ngspice's minimum on the fast edges.
    def train(amp, width, x_start, tag):
        tr_ = ch.pulse_train(np.full(pu.n_pulses, amp), width_s=width, v_read=pu.v_read,
                             read_width_s=pu.read_width_s)
        res = simulate_device(m, tr_.t, tr_.v, params={**params, m.state.initial_param: x_start},
                              engine=flow.engine, workdir=wavedir / tag if flow.engine == "batch" else None)
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
    run.write_json("metrics.json", {**metrics, "timing_s": timing, "complete": False})

    # 3. read disturb -----------------------------------------------------------
    rd = flow.read_disturb
    progress(f"[{m.name}] read disturb: {rd.n_reads} reads at {rd.v_read:g} V")
    t_r = time.perf_counter()
    # n_reads reads: a pulse train whose programming pulses have zero amplitude
    train = ch.pulse_train(np.zeros(rd.n_reads - 1), width_s=rd.width_s, v_read=rd.v_read,
                           read_width_s=rd.width_s)
    tr = sim(train.t, train.v, "read_disturb")
    g_reads = ch.conductance_at_reads(tr.t, tr.v, tr.i, train.read_windows)[: rd.n_reads]
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
    timing["total_s"] = time.perf_counter() - t0
    metrics["timing_s"] = timing
    metrics["complete"] = True
    run.write_json("metrics.json", metrics)

    # readable report ------------------------------------------------------------
    p = metrics["pulses"]
    lines = [f"# Characterisation of `{m.name}` — {m.title}\n",
             f"Preset: {metrics['preset']}; initial state {x0:g} {m.state.unit}; engine: {flow.engine}.\n",
             "## Pinched hysteresis (`iv_*.png`)\n",
             md_table(["shape", "f [Hz]", "amplitude [V]", "+ lobe area [V·A]", "− lobe area [V·A]", "max |i| [A]"],
                      [[l["shape"], l["frequency_hz"], l["amplitude_v"], l["area_pos_lobe_va"],
                        l["area_neg_lobe_va"], l["i_max_a"]] for l in loops]),
             "\n## Pulse programming (`pulses.png`)\n",
             md_table(["quantity", "value"], [
                 ["SET / RESET pulse", f"{p['set_pulse_v']:g} V, {p['width_s']:g} s / "
                                       f"{p['reset_pulse_v']:g} V, {p['reset_width_s']:g} s"],
                 ["G range at V_READ", f"{p['g_min_s']:.4g} – {p['g_max_s']:.4g} S"],
                 ["nonlinearity (pot / dep)", f"{p['nonlinearity_potentiation']:.3f} / {p['nonlinearity_depression']:.3f}"],
                 [f"levels at {p['read_noise_rel']:g} rel. read noise, {p['k_sigma']:g} σ",
                  f"{p['distinguishable_levels_potentiation']} / {p['distinguishable_levels_depression']}"]]),
             "\n## Read disturb (`read_disturb.png`)\n",
             f"{rd.n_reads} reads at {rd.v_read:g} V change G by {change:.3e} (relative); "
             f"limit {rd.max_change_rel:g}: {'PASS' if change < rd.max_change_rel else 'FAIL'}.\n",
             "\n## Timing\n", md_table(["step", "s"], [[k, v] for k, v in timing.items()])]
    run.file("report.md").write_text("\n".join(lines))
    return metrics
