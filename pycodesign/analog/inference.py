"""Array-level inference of a mapped layer: images → voltages → crossbar → ADC → argmax.

:func:`run_inference` takes conductances from :func:`pycodesign.mapping.map_weights`
(a ``MappedWeights``), presents test images as wordline voltages
``x · V_READ`` (pixels in [0, 1]; the bias row, if any, at ``V_READ``),
computes the output currents with the fast solver or with ngspice (one job
for all images), and reports predictions (argmax), accuracy, the confusion
matrix, the output currents and the electrical metrics.

Order of operations (every random draw from one ``numpy.random.Generator``
seeded by ``seed``, in this order, so a run is reproducible):

1. finite states: conductances snapped to ``nonideal.levels`` equally spaced
   states in [g_min, g_max] (when set; the mapping may already have done it);
2. device-to-device variability: ``g · exp(σ z)`` (log-normal, σ of ln g), then
   clipped to the conductance range the device can reach (count reported);
3. stuck-at faults: devices stuck at g_min (HRS) or g_max (LRS) with the given rates;
4. conductances → device states at ``V_READ`` (identity for the ``linear``
   model; :func:`pycodesign.mapping.state_for_conductance` otherwise);
5. inputs: ``x · V_READ``, then the input DAC (K bits over [0, V_READ]);
6. crossbar: solver or ngspice, with parasitics, partitions, 1T1R, TIA and
   the differential scheme of the configuration;
7. read noise: each device's read current fluctuates per image with relative
   σ; a column gains N(0, σ² Σ_i I_ij²) with ``I_ij`` the device's current at
   its applied input voltage (the same draws for either engine);
8. output ADC: B bits, signed, full scale ``adc.full_scale_a`` or, by default,
   the largest output current any input in [0, V_READ] can give in the
   parasitic-free array (stated in the result);
9. argmax over the outputs → prediction (ties go to the lowest index).
"""
from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from .circuit import (CrossbarParasitics, CrossbarSpec, TiaConfig, check_finite_array, is_linear_model,
                      resolve_device)
from .metrics import ElectricalMetrics, SettlingResult, electrical_metrics, settling_time
from .mosfet import AccessTransistor
from .peripherals import (adc_quantize, apply_stuck_at, apply_variability, as_generator, dac_quantize,
                          quantize_levels, read_noise)
from .solver import CrossbarSolver

__all__ = ["DacConfig", "AdcConfig", "NonIdealities", "AnalogConfig", "InferenceResult", "run_inference",
           "build_spec"]

ENGINES = ("solver", "spice")


def _check_bits(owner: str, bits, low: int) -> None:
    if bits is None:
        return
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not (low <= int(bits) <= 32):
        raise ValueError(f"{owner}: bits = {bits!r} is not allowed; must be None (ideal) or an integer in [{low}, 32]")


@dataclass(frozen=True)
class DacConfig:
    """Input DAC: ``bits`` = K (None: ideal, continuous voltages)."""

    bits: int | None = None

    def __post_init__(self):
        _check_bits("DacConfig", self.bits, 1)


@dataclass(frozen=True)
class AdcConfig:
    """Output ADC: ``bits`` = B (None: ideal); signed, symmetric full scale ``full_scale_a`` (A).

    ``full_scale_a=None`` uses the largest |output current| any input in
    [0, V_READ] can give in the parasitic-free array (computed and reported).
    """

    bits: int | None = None
    full_scale_a: float | None = None

    def __post_init__(self):
        _check_bits("AdcConfig", self.bits, 2)
        if self.full_scale_a is not None:
            v = self.full_scale_a
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
                raise ValueError(f"AdcConfig: full_scale_a = {v!r} is not allowed; must be None or a finite "
                                 "current > 0 (A)")


@dataclass(frozen=True)
class NonIdealities:
    """Seeded device non-idealities (all off by default).

    Parameters
    ----------
    variability_sigma : float
        σ of ln(g): device-to-device log-normal spread.
    stuck_at_hrs_rate, stuck_at_lrs_rate : float
        Probabilities of a device stuck at g_min (HRS) / g_max (LRS).
    levels : int or None
        Finite states: equally spaced conductance levels in [g_min, g_max].
    read_noise_sigma : float
        Relative σ of each device's read current, drawn per image.
    """

    variability_sigma: float = 0.0
    stuck_at_hrs_rate: float = 0.0
    stuck_at_lrs_rate: float = 0.0
    levels: int | None = None
    read_noise_sigma: float = 0.0

    def __post_init__(self):
        for name in ("variability_sigma", "read_noise_sigma"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ValueError(f"NonIdealities: {name} = {v!r} is not allowed; must be a finite number >= 0")
        for name in ("stuck_at_hrs_rate", "stuck_at_lrs_rate"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (0 <= v <= 1):
                raise ValueError(f"NonIdealities: {name} = {v!r} is not allowed; must be a probability in [0, 1]")
        if self.stuck_at_hrs_rate + self.stuck_at_lrs_rate > 1:
            raise ValueError("NonIdealities: stuck_at_hrs_rate + stuck_at_lrs_rate = "
                             f"{self.stuck_at_hrs_rate + self.stuck_at_lrs_rate:g} > 1")
        if self.levels is not None and (isinstance(self.levels, bool) or not isinstance(self.levels, int)
                                        or self.levels < 2):
            raise ValueError(f"NonIdealities: levels = {self.levels!r} is not allowed; must be None or an integer >= 2")


_NESTED = {"parasitics": CrossbarParasitics, "tia": TiaConfig, "transistor": AccessTransistor,
           "dac": DacConfig, "adc": AdcConfig, "nonideal": NonIdealities}


@dataclass(frozen=True)
class AnalogConfig:
    """Everything about the analog array except the programmed weights (YAML-serialisable).

    Parameters
    ----------
    v_read_v : float
        Read voltage V_READ (V): an input of 1 drives its wordline at V_READ.
    device : str
        Registry model name (``"linear"``, ``"qmm"``, ...).
    device_params : mapping
        Model parameters (see ``pycodesign models -v``).
    cell : {"1R", "1T1R"}
    parasitics : CrossbarParasitics
    dual_side : bool
    partitions, col_partitions : int
    tia : TiaConfig
    differential : {"subtractor", "opposite_polarity"}
        How a differential mapping's W⁺/W⁻ are read (review Fig. 8a / 8b); a
        reference-scheme mapping always uses its reference column.
    transistor : AccessTransistor
    dac : DacConfig
    adc : AdcConfig
    nonideal : NonIdealities
    """

    v_read_v: float = 0.2
    device: str = "linear"
    device_params: Mapping[str, float] = field(default_factory=dict)
    cell: str = "1R"
    parasitics: CrossbarParasitics = field(default_factory=CrossbarParasitics)
    dual_side: bool = False
    partitions: int = 1
    col_partitions: int = 1
    tia: TiaConfig = field(default_factory=TiaConfig)
    differential: str = "subtractor"
    transistor: AccessTransistor = field(default_factory=AccessTransistor)
    dac: DacConfig = field(default_factory=DacConfig)
    adc: AdcConfig = field(default_factory=AdcConfig)
    nonideal: NonIdealities = field(default_factory=NonIdealities)

    def __post_init__(self):
        v = self.v_read_v
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
            raise ValueError(f"AnalogConfig: v_read_v = {v!r} is not allowed; must be a finite voltage > 0")
        if self.differential not in ("subtractor", "opposite_polarity"):
            raise ValueError(f"AnalogConfig: differential = {self.differential!r} is not allowed; must be "
                             "'subtractor' or 'opposite_polarity'")
        resolve_device(self.device).resolve(dict(self.device_params or {}))
        for name, cls in _NESTED.items():
            if not isinstance(getattr(self, name), cls):
                raise TypeError(f"AnalogConfig: {name} must be a {cls.__name__}, got {getattr(self, name)!r}")

    def to_dict(self) -> dict:
        """Plain nested dict (the YAML form)."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = asdict(v) if dataclasses.is_dataclass(v) else (dict(v) if isinstance(v, Mapping) else v)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "AnalogConfig":
        """Inverse of :meth:`to_dict`; unknown keys raise ``ValueError`` naming them."""
        if not isinstance(d, Mapping):
            raise TypeError(f"AnalogConfig.from_dict: expected a mapping, got {type(d).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"AnalogConfig: unknown key(s) {unknown}; known: {sorted(known)}")
        kw = {}
        for k, v in d.items():
            if k in _NESTED:
                sub = _NESTED[k]
                if isinstance(v, sub):
                    kw[k] = v
                    continue
                if not isinstance(v, Mapping):
                    raise ValueError(f"AnalogConfig: {k} must be a mapping of {sub.__name__} fields, got {v!r}")
                sk = {f.name for f in fields(sub)}
                bad = sorted(set(v) - sk)
                if bad:
                    raise ValueError(f"AnalogConfig.{k}: unknown key(s) {bad}; known: {sorted(sk)}")
                kw[k] = sub(**v)
            else:
                kw[k] = v
        return cls(**kw)


@dataclass
class InferenceResult:
    """What :func:`run_inference` computed.

    Attributes
    ----------
    predictions, labels : int arrays (n,)
    accuracy : float
    confusion : int array (classes, classes)
        Rows: true label, columns: predicted label.
    outputs_a : array (n, outputs)
        Analog output currents (after read noise, before the ADC).
    outputs_adc_a : array (n, outputs) or None
        ADC-quantised currents (None with an ideal ADC).
    inputs_v : array (n, rows)
        Applied wordline voltages (after the DAC).
    ideal_accuracy : float
        Accuracy of the same (possibly quantised) mapping read ideally: no
        parasitics, no non-idealities, no converters.
    electrical : ElectricalMetrics or None
    settling : SettlingResult or None
    adc_full_scale_a : float or None
    n_clipped_variability : int
    stuck_at : dict
        Numbers of devices stuck at HRS / LRS.
    engine : str
    seed : int
    config : AnalogConfig
    seconds : dict
        Wall times of the stages (s).
    files : dict
        Netlist / raw / log paths of ngspice runs (with a workdir).
    versions : dict
    """

    predictions: np.ndarray
    labels: np.ndarray
    accuracy: float
    confusion: np.ndarray
    outputs_a: np.ndarray
    outputs_adc_a: np.ndarray | None
    inputs_v: np.ndarray
    ideal_accuracy: float
    electrical: ElectricalMetrics | None
    settling: SettlingResult | None
    adc_full_scale_a: float | None
    n_clipped_variability: int
    stuck_at: dict
    engine: str
    seed: int
    config: AnalogConfig
    seconds: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """JSON-friendly metrics, configuration, seed and versions (no per-image arrays)."""
        return {
            "accuracy": self.accuracy, "ideal_accuracy": self.ideal_accuracy, "n_images": int(self.labels.size),
            "confusion": self.confusion.tolist(), "engine": self.engine, "seed": self.seed,
            "output_current_range_a": [float(self.outputs_a.min()), float(self.outputs_a.max())],
            "adc_full_scale_a": self.adc_full_scale_a, "n_clipped_variability": self.n_clipped_variability,
            "stuck_at": self.stuck_at,
            "electrical": self.electrical.to_dict() if self.electrical else None,
            "settling": self.settling.to_dict() if self.settling else None,
            "config": self.config.to_dict(), "seconds": self.seconds, "files": self.files,
            "versions": self.versions,
        }

    def save(self, folder: str | Path) -> dict[str, Path]:
        """Write ``inference.json`` (summary) and ``inference_arrays.npz`` (per-image arrays)."""
        import json

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        js = folder / "inference.json"
        js.write_text(json.dumps(self.summary(), indent=2, default=float))
        npz = folder / "inference_arrays.npz"
        arrays = {"predictions": self.predictions, "labels": self.labels, "outputs_a": self.outputs_a,
                  "inputs_v": self.inputs_v, "confusion": self.confusion}
        if self.outputs_adc_a is not None:
            arrays["outputs_adc_a"] = self.outputs_adc_a
        np.savez_compressed(npz, **arrays)
        return {"summary": js, "arrays": npz}


def _reachable_range(model, params: Mapping[str, float], v_read: float) -> tuple[float, float]:
    if is_linear_model(model):
        lo, hi = model.state.bounds(model.resolve(dict(params)))
        return lo, hi
    p = model.resolve(dict(params))
    lo, hi = model.state.bounds(p)
    xs = np.linspace(lo, hi, 257)
    g = np.asarray(model.reference.current(np.full(xs.shape, v_read), xs, p), dtype=float) / v_read
    return float(np.min(g)), float(np.max(g))


def _states(model, params, g: np.ndarray, v_read: float) -> np.ndarray:
    if is_linear_model(model):
        return g
    from ..devices import state_for_conductance

    flat = g.ravel()
    uniq, inv = np.unique(flat, return_inverse=True)
    x = np.asarray(state_for_conductance(model, uniq, v_read=v_read, params=dict(params)))
    return x[inv].reshape(g.shape)


def build_spec(config: AnalogConfig, arrays: Mapping[str, np.ndarray], scheme: str) -> CrossbarSpec:
    """The crossbar for conductance arrays ``{"g_pos", "g_neg"}`` or ``{"g", "g_ref"}`` (S)."""
    model = resolve_device(config.device)
    params = dict(config.device_params or {})
    v = config.v_read_v
    if scheme == "differential":
        s_pos = _states(model, params, arrays["g_pos"], v)
        s_neg = _states(model, params, arrays["g_neg"], v)
        diff = config.differential
    elif scheme == "reference":
        s_pos = _states(model, params, arrays["g"], v)
        s_neg = _states(model, params, np.asarray(arrays["g_ref"]), v)
        diff = "reference_column"
    else:
        raise ValueError(f"mapping scheme {scheme!r} is not supported; expected 'differential' or 'reference'")
    return CrossbarSpec(s_pos, device=model, device_params=params, cell=config.cell, parasitics=config.parasitics,
                        dual_side=config.dual_side, partitions=config.partitions,
                        col_partitions=config.col_partitions, tia=config.tia, differential=diff, state_neg=s_neg,
                        transistor=config.transistor)


def _device_current_squares(spec: CrossbarSpec, v: np.ndarray, chunk: int = 64) -> np.ndarray:
    """Σ_i I_ij² per physical column (batch, columns) with ideal per-device voltages."""
    idx, sign = spec.input_map()
    vp = v[:, idx] * sign
    st = spec.physical_state()
    if is_linear_model(spec.model):
        return (vp ** 2) @ (st ** 2)
    out = np.zeros((v.shape[0], st.shape[1]))
    ref, p = spec.model.reference, spec.params
    for s in range(0, v.shape[0], chunk):
        vv = vp[s:s + chunk][:, :, None] * np.ones_like(st)[None]
        xx = np.broadcast_to(st, vv.shape)
        i = np.asarray(ref.current(vv.ravel(), xx.ravel(), p), dtype=float).reshape(vv.shape)
        out[s:s + chunk] = np.sum(i ** 2, axis=1)
    return out


def run_inference(mapped, x_images, labels, *, config: AnalogConfig | None = None, engine: str = "solver",
                  n_images: int | None = None, seed: int = 0, workdir: str | Path | None = None,
                  progress: Callable[[str], None] | None = None, metrics: bool = True,
                  metrics_images: int | None = None, settling: bool = False, spice_chunk: int | None = None,
                  **overrides) -> InferenceResult:
    """Classify images through the analog crossbar.

    Parameters
    ----------
    mapped : pycodesign.mapping.MappedWeights
        Conductances of one layer (``W`` is inputs × outputs; optional bias row).
    x_images : array (n, features) or (n, h, w)
        Pixels in [0, 1]; flattened row-major.
    labels : int array (n,)
    config : AnalogConfig
        Array, converters and non-idealities (default ``AnalogConfig()``);
        keyword ``overrides`` replace its fields (``v_read_v=0.1``).
    engine : {"solver", "spice"}
        Fast solver, or ngspice: one job for all images (or one per
        ``spice_chunk`` images, for progress reports on long runs).
    n_images : int or None
        Use the first ``n_images`` images (all by default).
    seed : int
        Seeds every random draw (see the module doc for their order).
    workdir : path or None
        Folder for the ngspice decks, raw files and logs
        (``spice_inference/``, ``spice_metrics/``, ``settling/``).
    progress : callable(str) or None
        Receives progress messages.
    metrics : bool
        Compute :class:`ElectricalMetrics` (same engine) on the first
        ``metrics_images`` images (default 32: the ngspice run saves every
        node voltage); the output and column current ranges are then taken
        over all images of the run (before read noise and ADC).
    settling : bool
        Also measure the settling latency to 1 % for a step of every input
        to V_READ (ngspice transient; the solver's for linear arrays with an
        ideal TIA and engine="solver").
    """
    t_all = time.perf_counter()
    say = progress or (lambda msg: None)
    cfg = config or AnalogConfig()
    if not isinstance(cfg, AnalogConfig):
        raise TypeError(f"config must be an AnalogConfig, got {type(cfg).__name__}")
    if overrides:
        known = {f.name for f in fields(AnalogConfig)}
        bad = sorted(set(overrides) - known)
        if bad:
            raise ValueError(f"run_inference: unknown option(s) {bad}; AnalogConfig fields: {sorted(known)}")
        cfg = dataclasses.replace(cfg, **overrides)
    if engine not in ENGINES:
        raise ValueError(f"run_inference: engine = {engine!r} is not allowed; must be one of {ENGINES}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"run_inference: seed = {seed!r} must be a non-negative integer")
    scheme = getattr(mapped, "scheme", None)
    if scheme not in ("differential", "reference"):
        raise TypeError("run_inference: mapped must be a MappedWeights from pycodesign.mapping.map_weights "
                        f"(scheme 'differential' or 'reference'), got {type(mapped).__name__}")
    # ---- images and labels (checked before anything long starts)
    x = check_finite_array("x_images", x_images)
    if x.ndim > 2:
        x = x.reshape(x.shape[0], -1)
    if x.ndim != 2:
        raise ValueError(f"x_images must have shape (n, features) or (n, h, w); got {x.shape}")
    if x.shape[1] != mapped.n_inputs:
        raise ValueError(f"x_images has {x.shape[1]} features per image but the mapped layer has "
                         f"{mapped.n_inputs} inputs")
    if x.min() < 0 or x.max() > 1:
        raise ValueError(f"x_images must hold pixels in [0, 1] (got min {x.min():g}, max {x.max():g}); "
                         "scale them first")
    y = np.asarray(labels)
    if y.ndim != 1 or y.shape[0] != x.shape[0] or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"labels must be integers of shape ({x.shape[0]},); got {y.dtype} {y.shape}")
    if n_images is not None:
        if isinstance(n_images, bool) or not isinstance(n_images, (int, np.integer)) or not \
                (1 <= n_images <= x.shape[0]):
            raise ValueError(f"n_images = {n_images!r} must be an integer in [1, {x.shape[0]}]")
        x, y = x[:n_images], y[:n_images]
    n = x.shape[0]
    v_read = cfg.v_read_v
    model = resolve_device(cfg.device)
    rng = as_generator(int(seed))
    seconds: dict[str, float] = {}
    files: dict[str, Any] = {}
    work = Path(workdir) if workdir else None

    # ---- non-idealities on the conductances
    t0 = time.perf_counter()
    arrays = {k: np.array(v, dtype=float) for k, v in mapped.conductances().items()}
    ni = cfg.nonideal
    g_min, g_max = float(mapped.g_min), float(mapped.g_max)
    if ni.levels is not None:
        arrays = {k: quantize_levels(a, levels=ni.levels, g_min=g_min, g_max=g_max) for k, a in arrays.items()}
    n_clipped = 0
    if ni.variability_sigma > 0:
        lo, hi = _reachable_range(model, cfg.device_params, v_read)
        for k in arrays:
            varied = apply_variability(arrays[k], sigma=ni.variability_sigma, rng=rng)
            n_clipped += int(np.sum((varied < lo) | (varied > hi)))
            arrays[k] = np.clip(varied, lo, hi)
    stuck = {"hrs": 0, "lrs": 0}
    if ni.stuck_at_hrs_rate > 0 or ni.stuck_at_lrs_rate > 0:
        for k in arrays:
            arrays[k], m = apply_stuck_at(arrays[k], rate_hrs=ni.stuck_at_hrs_rate, rate_lrs=ni.stuck_at_lrs_rate,
                                          g_hrs=g_min, g_lrs=g_max, rng=rng)
            stuck["hrs"] += int(m.hrs.sum())
            stuck["lrs"] += int(m.lrs.sum())
    spec = build_spec(cfg, arrays, scheme)
    seconds["program"] = time.perf_counter() - t0

    # ---- inputs
    v = x * v_read
    if mapped.bias_row:
        v = np.hstack([v, np.full((n, 1), v_read)])
    if cfg.dac.bits is not None:
        v = dac_quantize(v, bits=cfg.dac.bits, v_read=v_read)

    # ---- crossbar
    t0 = time.perf_counter()
    say(f"inference: {n} images through a {spec.rows}x{spec.cols} crossbar "
        f"(physical {spec.physical_shape[0]}x{spec.physical_shape[1]}, {spec.cell}, {model.name}) with {engine}")
    import platform

    import scipy

    from .. import __version__

    versions = {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                "pycodesign": __version__}
    if engine == "solver":
        solver = CrossbarSolver(spec)
        res = solver.solve(v, progress=lambda d, t: say(f"inference: {d}/{t} images solved"))
        cols = res.column_currents
    else:
        from .. import toolchain
        from .spice_engine import simulate

        toolchain.require("ngspice", "openvaf")
        versions.update(toolchain.tool_versions("ngspice", "openvaf"))
        chunk = n if spice_chunk is None else int(spice_chunk)
        if chunk < 1:
            raise ValueError(f"spice_chunk = {spice_chunk!r} must be a positive integer")
        parts = []
        for k, start in enumerate(range(0, n, chunk)):
            wd = None
            if work:
                wd = work / ("spice_inference" if chunk >= n else f"spice_inference_{k:03d}")
            r = simulate(spec, v[start:start + chunk], workdir=wd)
            parts.append(r.column_currents)
            if wd:
                files.setdefault("spice_inference", []).append(r.files)
            say(f"inference: {min(start + chunk, n)}/{n} images simulated by ngspice")
        cols = np.concatenate(parts)
    seconds["crossbar"] = time.perf_counter() - t0

    # ---- read noise, outputs, ADC, argmax
    clean_cols = cols
    if ni.read_noise_sigma > 0:
        cols = read_noise(cols, _device_current_squares(spec, v), sigma_rel=ni.read_noise_sigma, rng=rng)
    P = spec.output_matrix()
    outputs = cols @ P.T
    adc_fs = None
    outputs_adc = None
    if cfg.adc.bits is not None:
        if cfg.adc.full_scale_a is not None:
            adc_fs = float(cfg.adc.full_scale_a)
        else:
            gd = np.asarray(mapped.g_pos - mapped.g_neg) if scheme == "differential" else \
                np.asarray(mapped.g) - np.asarray(mapped.g_ref)[:, None]
            worst = np.maximum(np.sum(np.clip(gd, 0, None), axis=0), np.sum(np.clip(-gd, 0, None), axis=0))
            adc_fs = float(v_read * np.max(worst)) or float(v_read * g_max)
        outputs_adc = adc_quantize(outputs, bits=cfg.adc.bits, full_scale_a=adc_fs, signed=True).currents
    decide = outputs_adc if outputs_adc is not None else outputs
    pred = np.argmax(decide, axis=1)
    n_cls = int(max(int(y.max()) + 1, decide.shape[1]))
    conf = np.zeros((n_cls, n_cls), dtype=np.int64)
    np.add.at(conf, (y, pred), 1)
    acc = float(np.mean(pred == y))
    ideal_pred = np.argmax(mapped.output_currents(x, v_read=v_read), axis=1)
    ideal_acc = float(np.mean(ideal_pred == y))
    say(f"inference: accuracy {acc:.4f} (ideal read of the same mapping: {ideal_acc:.4f})")

    # ---- electrical metrics and settling
    elec = None
    if metrics:
        t0 = time.perf_counter()
        m = min(int(metrics_images or 32), n)
        say(f"inference: electrical metrics over {m} images ({engine})")
        elec = electrical_metrics(spec, v[:m], engine=engine, read_margin_v=v_read,
                                  workdir=(work / "spice_metrics") if (work and engine == "spice") else None)
        clean = clean_cols @ P.T
        elec.output_current_min_a, elec.output_current_max_a = float(clean.min()), float(clean.max())
        elec.column_current_min_a, elec.column_current_max_a = float(clean_cols.min()), float(clean_cols.max())
        seconds["metrics"] = time.perf_counter() - t0
    settle = None
    if settling:
        t0 = time.perf_counter()
        s_engine = "solver" if (engine == "solver" and spec.linear and spec.tia.kind == "ideal") else "spice"
        say(f"inference: settling latency (step of every input to V_READ, {s_engine})")
        settle = settling_time(spec, np.full((1, spec.rows), v_read), engine=s_engine,
                               workdir=(work / "settling") if work else None)
        seconds["settling"] = time.perf_counter() - t0
    seconds["total"] = time.perf_counter() - t_all
    return InferenceResult(
        predictions=pred, labels=y, accuracy=acc, confusion=conf, outputs_a=outputs, outputs_adc_a=outputs_adc,
        inputs_v=v, ideal_accuracy=ideal_acc, electrical=elec, settling=settle, adc_full_scale_a=adc_fs,
        n_clipped_variability=n_clipped, stuck_at=stuck, engine=engine, seed=int(seed), config=cfg,
        seconds=seconds, files=files, versions=versions)
