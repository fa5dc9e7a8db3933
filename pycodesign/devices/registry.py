"""The device-model registry: what each Verilog-A memristor model is and takes.

Each model lives in ``pycodesign/devices/models/<name>.py`` and defines a
module-level ``MODELS`` list of :class:`DeviceModel`; the registry discovers
them, so adding a model is adding one file there and one in ``veriloga/``.

Conventions every Verilog-A model follows (tests rely on them)
---------------------------------------------------------------
* Terminals ``(p, n)``; the device current flows from ``p`` to ``n``.
* The state variable is integrated by the solver (``x0 + idt(f, 0)`` or an
  internal node with ``ddt``), bounded by smooth windows, and its initial value
  is the instance parameter :attr:`StateVar.initial_param`.
* The state is exposed as an OSDI operating-point variable
  (``(*desc=..., units=...*) real <opvar>;`` at module level), read in ngspice
  as ``@N1[<opvar>]``.
* ``set_polarity`` says which sign of ``V(p, n)`` increases the conductance.
"""
from __future__ import annotations

import abc
import importlib
import math
import os
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

__all__ = [
    "ParameterError",
    "Param",
    "StateVar",
    "Reference",
    "ReferenceTrace",
    "DeviceModel",
    "StimulusHints",
    "veriloga_dir",
    "get_model",
    "list_models",
]


class ParameterError(ValueError):
    """A device parameter is unknown, of the wrong type or out of range."""


def veriloga_dir() -> Path:
    """The folder holding the Verilog-A sources (``$PYCODESIGN_VERILOGA`` overrides)."""
    env = os.environ.get("PYCODESIGN_VERILOGA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "veriloga"


@dataclass(frozen=True)
class Param:
    """One model parameter.

    ``low``/``high`` bound the allowed range (``None``: unbounded);
    ``low_open``/``high_open`` make a bound exclusive.  ``instance=True``
    marks per-device parameters (``(*type="instance"*)`` in Verilog-A), which
    the array writer may set differently for every device (variability,
    initial state).
    """

    name: str
    default: float
    unit: str
    doc: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    integer: bool = False
    instance: bool = False
    source: str = ""

    def allowed(self) -> str:
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        lb = "(" if self.low is None or self.low_open else "["
        hb = ")" if self.high is None or self.high_open else "]"
        kind = "an integer" if self.integer else "a real number"
        return f"{kind} in {lb}{lo}, {hi}{hb} {self.unit}".rstrip()

    def check(self, value, model: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ParameterError(f"{model}: parameter {self.name!r} = {value!r} is not a number; "
                                 f"allowed: {self.allowed()}")
        v = float(value)
        bad = not math.isfinite(v)
        if self.low is not None:
            bad |= v <= self.low if self.low_open else v < self.low
        if self.high is not None:
            bad |= v >= self.high if self.high_open else v > self.high
        if self.integer and v != round(v):
            bad = True
        if bad:
            raise ParameterError(f"{model}: parameter {self.name!r} = {value!r} is out of range; "
                                 f"allowed: {self.allowed()}")
        return v


@dataclass(frozen=True)
class StateVar:
    """The model's state variable: its name, OSDI opvar, initial-value parameter, unit.

    ``bounds(params)`` returns the physical (lower, upper) bounds.
    """

    name: str
    opvar: str
    initial_param: str
    unit: str
    doc: str
    bounds: Callable[[Mapping[str, float]], tuple[float, float]]


@dataclass
class ReferenceTrace:
    """A numpy reference simulation: time (s), voltage (V), current (A), state."""

    t: np.ndarray
    v: np.ndarray
    i: np.ndarray
    x: np.ndarray


class Reference(abc.ABC):
    """numpy implementation of a model: the same equations as its Verilog-A.

    Subclasses implement :meth:`current` and :meth:`dxdt` (both vectorised
    over ``v`` and ``x``).  :meth:`simulate` integrates the state under a
    piecewise-linear voltage with a stiff (implicit) integrator.
    """

    @abc.abstractmethod
    def current(self, v, x, p: Mapping[str, float]):
        """Device current (A) at voltage ``v`` (V) and state ``x``."""

    @abc.abstractmethod
    def dxdt(self, v, x, p: Mapping[str, float]):
        """State derivative (state unit per second)."""

    def didv(self, v, x, p: Mapping[str, float]):
        """Small-signal conductance dI/dV (S); central difference unless overridden.

        Array solvers use it for Newton steps on nonlinear devices.
        """
        v = np.asarray(v, dtype=float)
        h = 1e-6 * np.maximum(np.abs(v), 1e-3)
        return (np.asarray(self.current(v + h, x, p)) - np.asarray(self.current(v - h, x, p))) / (2 * h)

    def simulate(self, t, v, p: Mapping[str, float], x0: float, *, method: str = "Radau",
                 rtol: float = 1e-8, atol: float | None = None, max_step: float | None = None) -> ReferenceTrace:
        """Integrate the state under ``v(t)`` (linear interpolation between samples)."""
        from scipy.integrate import solve_ivp

        t = np.asarray(t, dtype=float)
        v = np.asarray(v, dtype=float)
        if t.ndim != 1 or t.shape != v.shape or t.size < 2 or np.any(np.diff(t) <= 0):
            raise ValueError("simulate: t and v must be 1-D arrays of equal length with t increasing")

        def rhs(tt, y):
            return [float(self.dxdt(np.interp(tt, t, v), y[0], p))]

        if atol is None:
            lo, hi = self.state_bounds_for(p)
            atol = 1e-9 * max(abs(hi - lo), 1e-30)
        # Default step bound: 1/2000 of the run.  Unbounded, Radau's first
        # trial steps overshoot window edges (HP's R(x) changes sign past
        # x = 1) and step over short high-bias events: threshold crossings
        # (TEAM/VTEAM), an abrupt SET (Stanford-PKU), exponential rates (QMM).
        sol = solve_ivp(rhs, (t[0], t[-1]), [x0], t_eval=t, method=method, rtol=rtol, atol=atol,
                        max_step=max_step if max_step else (t[-1] - t[0]) / 2000)
        if not sol.success:
            raise RuntimeError(f"reference integration failed: {sol.message}")
        x = sol.y[0]
        return ReferenceTrace(t=t, v=v, i=np.asarray(self.current(v, x, p), dtype=float), x=x)

    # Models set this from their StateVar; used for default tolerances.
    _bounds: Callable[[Mapping[str, float]], tuple[float, float]] | None = None

    def state_bounds_for(self, p: Mapping[str, float]) -> tuple[float, float]:
        return self._bounds(p) if self._bounds else (0.0, 1.0)


@dataclass(frozen=True)
class StimulusHints:
    """Drive levels that exercise a model well; used by the characterisation
    flow's defaults and by the generic device tests.

    Attributes
    ----------
    amplitude_v : float
        Sine/triangle amplitude (V) giving a clearly pinched hysteresis loop
        at ``frequencies_hz[0]`` without driving the state hard into a bound
        for the whole period.
    frequencies_hz : tuple of 3 floats
        Increasing frequencies (Hz) over which the loop area visibly shrinks.
    set_pulse_v, reset_pulse_v : float
        Pulse amplitudes (V, signed) that increase / decrease the conductance.
    pulse_width_s : float
        Pulse width for potentiation/depression trains.
    v_read : float
        Read voltage (V) that does not disturb the state appreciably.
    ref_rel_tol : float
        Stated tolerance of ngspice vs the numpy reference: max |i_spice -
        i_ref| / max |i_ref| over a sine period at ``frequencies_hz[0]``.
    large_signal_v : float
        Amplitude of the long large-signal run (state must stay in bounds).
    """

    amplitude_v: float
    frequencies_hz: tuple[float, float, float]
    set_pulse_v: float
    reset_pulse_v: float
    pulse_width_s: float
    v_read: float
    ref_rel_tol: float = 1e-3
    large_signal_v: float | None = None


@dataclass(frozen=True)
class DeviceModel:
    """A registered memristor compact model.

    Attributes
    ----------
    name : str
        Registry key (``"vteam"``).
    title : str
        Human-readable name with its source paper.
    va_file : str
        File name in ``veriloga/``.
    module : str
        Verilog-A module name (the ``.model`` type in ngspice).
    params : tuple of Param
    state : StateVar
    reference : Reference
    stimulus : StimulusHints
        Drive levels for characterisation and tests.
    presets : dict
        Named parameter sets (e.g. ``"pt_hf_ti"``), each a partial override.
    default_preset : str or None
        Preset applied by :meth:`resolve` when none is named.
    memristive : bool
        True when the state moves under bias (state dynamics, hence a pinched
        hysteresis loop): the memristor property tests -- loop areas, set and
        reset pulses -- apply.  False for fixed devices such as the linear
        reference resistor.  It says nothing about the I-V: use
        :attr:`linear` for that.
    linear : bool
        The one flag that says a model is linear: True when the state *is*
        the conductance in siemens and the current is exactly
        ``I(V, x) = x * V`` for every voltage and state.  Array code may then
        use the state as the conductance (no inversion at V_READ, no Newton
        iterations: the array is a linear circuit).  Independent of
        :attr:`memristive`: the HP model is memristive with an I-V linear at
        a fixed state (``I = V / R(x)``), yet its state is not a conductance,
        so it is not ``linear``.  Checked against :attr:`reference` when the
        model is constructed.
    set_polarity : int
        +1 if a positive ``V(p, n)`` increases conductance, -1 otherwise.
    thresholds : callable or None
        ``thresholds(params) -> (v_neg, v_pos)``: the voltage window inside
        which the state does not move (threshold models only).
    constraints : tuple of (callable, str)
        Cross-parameter checks: ``(ok(params) -> bool, message)``.
    tran_options : tuple of str
        ngspice ``option`` settings this model needs (e.g. Gear integration
        for stiff sets), applied by the simulation helpers.
    max_step_s : float or None
        Largest transient step this model integrates accurately.
    """

    name: str
    title: str
    va_file: str
    module: str
    params: tuple[Param, ...]
    state: StateVar
    reference: Reference
    stimulus: StimulusHints
    presets: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    set_polarity: int = 1
    thresholds: Callable[[Mapping[str, float]], tuple[float, float]] | None = None
    constraints: tuple[tuple[Callable[[Mapping[str, float]], bool], str], ...] = ()
    tran_options: tuple[str, ...] = ()
    max_step_s: float | None = None
    citation: str = ""
    default_preset: str | None = None
    memristive: bool = True
    linear: bool = False

    def __post_init__(self):
        if self.reference._bounds is None:
            self.reference._bounds = self.state.bounds
        if self.linear:
            self._check_linear()

    def _check_linear(self) -> None:
        """Hold ``linear=True`` to its promise ``I(V, x) = x V`` on a grid of states and voltages."""
        p = self.resolve()
        x_lo, x_hi = self.state.bounds(p)
        x = np.linspace(x_lo, x_hi, 5)[:, None]
        h = self.stimulus
        v = np.array([-h.amplitude_v, -h.v_read, 0.0, h.v_read, h.amplitude_v])[None, :]
        i = np.asarray(self.reference.current(v, x, p), dtype=float)
        want = x * v
        bad = ~np.isclose(i, want, rtol=1e-12, atol=0.0)
        if bad.any():
            r, c = (int(k) for k in np.argwhere(bad)[0])
            raise ValueError(
                f"device model {self.name!r}: linear=True promises I = state * V exactly, but "
                f"reference.current({float(v[0, c])!r} V, {float(x[r, 0])!r}) = {float(i[r, c])!r} A, "
                f"not {float(want[r, c])!r} A; allowed: linear=True only for a model whose state is its "
                "conductance in siemens"
            )

    # ------------------------------------------------------------------ parameters

    @property
    def param_map(self) -> dict[str, Param]:
        return {p.name: p for p in self.params}

    def defaults(self) -> dict[str, float]:
        return {p.name: p.default for p in self.params}

    def resolve(self, params: Mapping[str, float] | None = None, *, preset: str | None = None) -> dict[str, float]:
        """Defaults, then the preset, then *params*; every value checked.

        Raises :class:`ParameterError` naming the model, the parameter, the
        bad value and the allowed range (or the known names).
        """
        out = self.defaults()
        if preset is None:
            preset = self.default_preset
        if preset is not None:
            if preset not in self.presets:
                raise ParameterError(f"{self.name}: unknown preset {preset!r}; known: "
                                     f"{', '.join(self.presets) or '(none)'}")
            out.update(self.presets[preset])
        pm = self.param_map
        for k, v in (params or {}).items():
            if k not in pm:
                raise ParameterError(f"{self.name}: unknown parameter {k!r}; known: {', '.join(pm)}")
            out[k] = v
        for k in list(out):
            out[k] = pm[k].check(out[k], self.name)
        for ok, message in self.constraints:
            if not ok(out):
                raise ParameterError(f"{self.name}: {message} (got "
                                     + ", ".join(f"{k}={v:g}" for k, v in out.items() if k in message) + ")")
        return out

    def state_bounds(self, params: Mapping[str, float] | None = None) -> tuple[float, float]:
        return self.state.bounds(self.resolve(params))

    # ------------------------------------------------------------------ Verilog-A / SPICE

    @property
    def va_path(self) -> Path:
        return veriloga_dir() / self.va_file

    def osdi(self) -> Path:
        """Compiled OSDI library (cached)."""
        from .compile import compile_va

        return compile_va(self.va_path)

    def model_card(self, card_name: str, params: Mapping[str, float]) -> str:
        """``.model`` line with the model (non-instance) parameters."""
        pm = self.param_map
        vals = " ".join(f"{k}={v:.15g}" for k, v in params.items() if not pm[k].instance)
        return f".model {card_name} {self.module} {vals}".rstrip()

    def instance_line(self, inst: str, p: str, n: str, card_name: str, params: Mapping[str, float]) -> str:
        """Device line ``N<inst> p n card x0=...`` with the instance parameters."""
        pm = self.param_map
        vals = " ".join(f"{k}={v:.15g}" for k, v in params.items() if pm[k].instance)
        name = inst if inst.upper().startswith("N") else "N" + inst
        return f"{name} {p} {n} {card_name} {vals}".rstrip()


_REGISTRY: dict[str, DeviceModel] | None = None


def _discover() -> dict[str, DeviceModel]:
    global _REGISTRY
    if _REGISTRY is None:
        reg: dict[str, DeviceModel] = {}
        from . import models as pkg

        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
            if info.name.startswith("_"):
                continue
            mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
            for m in getattr(mod, "MODELS", ()):
                if m.name in reg:
                    raise RuntimeError(f"device model {m.name!r} registered twice")
                reg[m.name] = m
        _REGISTRY = reg
    return _REGISTRY


def list_models() -> list[str]:
    """Names of every registered model."""
    return sorted(_discover())


def get_model(name: str) -> DeviceModel:
    """The registered model *name*; ``ValueError`` lists the known names otherwise."""
    reg = _discover()
    if name not in reg:
        raise ValueError(f"unknown device model {name!r}; known: {', '.join(sorted(reg))}")
    return reg[name]
