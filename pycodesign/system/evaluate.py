"""Evaluate a trained network on an architecture, in the integer domain the RTL works in.

:func:`evaluate` is the one path from *this network, on this architecture* to
accuracy, ADC codes and electrical figures.  It writes no files (ngspice runs
in a temporary folder unless the caller passes ``workdir``) and touches no
global state, so a search can call it thousands of times and a co-simulation
can compare its codes bit for bit.

Per layer, in order (every random draw from ``numpy.random.default_rng(seed +
layer)``, in this order, so results are reproducible and the same draws hit
every design of the same network — common random numbers for a search):

1. map the weights (:func:`pycodesign.mapping.map_weights`); a hidden
   layer's successor is mapped with its weights scaled by the activation
   scale of the integer ReLU (below);
2. device-to-device variability on the layer's conductances (log-normal),
   clipped to what the device reaches at V_READ; stuck-at faults;
3. conductances → device states at V_READ (:mod:`pycodesign.devices`);
4. the layer's input codes (K-bit DAC; the bias row at full scale) drive the
   wordlines at ``code / (2^K − 1) · V_READ``;
5. every tile (:func:`~pycodesign.system.tiles.plan_tiles`) through the
   engine — the fast solver or ngspice — with its parasitics, partitions,
   cell, TIA and differential scheme; read noise per tile;
6. each tile's ADC inputs (analog-combined outputs: signed ADC; ``digital``:
   every bitline, unsigned) → codes with one LSB for the layer
   (:mod:`pycodesign.config.architecture` states how the full scale is
   chosen);
7. digital stages with the golden models of :mod:`pycodesign.rtl.models`:
   W⁺ − W⁻ subtraction (``digital``), accumulation of the row tiles in a
   signed accumulator, the bounded ReLU ``min(max(c, 0) >> shift, limit)``
   into the next layer's DAC codes, and the argmax (ties to the lowest index).

Floats remain only with ideal converters (``adc_bits``/``dac_bits`` null) and
for the software baseline.
"""
from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..analog.circuit import CrossbarSpec
from ..analog.metrics import ElectricalMetrics, SettlingResult, electrical_metrics, settling_time
from ..analog.peripherals import adc_lsb, adc_quantize, apply_stuck_at, apply_variability, dac_codes, read_noise
from ..analog.solver import CrossbarSolver
from ..config import checks
from ..config.architecture import Architecture
from ..config.core import ConfigError
from ..devices import get_model, reachable_conductance_range, state_for_conductance
from ..mapping import MappedWeights, map_weights
from ..nn.metrics import confusion_matrix
from ..progress import Progress
from ..progress import task as progress_task
from ..rtl import models as rtl_models
from .tiles import TilePlan, accumulator_bits_needed, plan_tiles

__all__ = ["ENGINES", "TileResult", "LayerResult", "Evaluation", "evaluate", "map_network", "layer_settling"]

ENGINES = ("solver", "spice")


@dataclass
class TileResult:
    """One tile of one layer.

    Attributes
    ----------
    grid : (int, int)
        (row tile, column tile).
    rows, outputs : int arrays
        Logical rows (wordlines) and outputs this tile holds.
    physical_shape : (int, int)
    adc_inputs_a : array (n, ADC inputs)
        The analog currents the tile's ADCs convert (after read noise):
        combined outputs (signed schemes) or every bitline, W⁺ then W⁻
        interleaved (``digital``).
    codes : int array (n, ADC inputs) or None
        ADC codes (None with an ideal ADC).
    lsb_a : float or None
    clipped_fraction : float
        Fraction of conversions beyond the full scale.
    column_currents_a : array (n, physical columns)
        Sensed bitline currents (before read noise).
    electrical : ElectricalMetrics or None
    spec : CrossbarSpec
        The tile's circuit description.
    """

    grid: tuple
    rows: np.ndarray
    outputs: np.ndarray
    physical_shape: tuple
    adc_inputs_a: np.ndarray
    codes: np.ndarray | None
    lsb_a: float | None
    clipped_fraction: float
    column_currents_a: np.ndarray
    spec: CrossbarSpec = field(repr=False)
    electrical: ElectricalMetrics | None = None
    files: dict = field(default_factory=dict)


@dataclass
class LayerResult:
    """One layer of an evaluation.

    Attributes
    ----------
    index : int
    mapped : MappedWeights
    plan : TilePlan
    tiles : list of TileResult
        Row-major over the tile grid.
    input_codes : int array (n, rows) or None
        DAC codes driving the wordlines (bias row last, at full scale); None
        with an ideal DAC.
    inputs_v : array (n, rows)
        Wordline voltages.
    outputs_a : array (n, outputs)
        Analog output currents: W⁺ − W⁻ (or − reference) summed over the row
        tiles, after read noise, before the ADC.
    codes : array (n, outputs)
        Accumulated output codes (int64), or output currents with an ideal ADC.
    lsb_a : float or None
        Amperes per code.
    adc_full_scale_a : float or None
    signed_adc : bool
    accumulator_bits : int or None
        Width used for the row-tile sum (None with one row tile or an ideal ADC).
    relu_codes : int array (n, outputs) or None
        Hidden layers: the bounded ReLU's output, i.e. the next layer's DAC codes.
    relu_shift, relu_limit : int or None
    relu_lift : int or None
        Hidden layers: the DAC code is ``relu_codes << relu_lift`` (the DAC's low bits tied to 0).
    activation_scale : float or None
        Hidden layers: the activation (in the trained network's units) one
        full-scale next-layer input stands for.
    n_clipped_variability : int
    stuck_at : dict
    electrical : ElectricalMetrics or None
        Aggregated over the tiles (powers summed, read margin worst over tiles).
    settling : SettlingResult or None
        Filled by :func:`layer_settling` (a transient; not part of :func:`evaluate`).
    """

    index: int
    mapped: MappedWeights
    plan: TilePlan
    v_read_v: float
    tiles: list
    input_codes: np.ndarray | None
    inputs_v: np.ndarray
    outputs_a: np.ndarray
    codes: np.ndarray
    lsb_a: float | None
    adc_full_scale_a: float | None
    signed_adc: bool
    accumulator_bits: int | None
    adc_clipped_fraction: float
    n_clipped_variability: int
    stuck_at: dict
    relu_codes: np.ndarray | None = None
    relu_shift: int | None = None
    relu_limit: int | None = None
    relu_lift: int | None = None
    activation_scale: float | None = None
    electrical: ElectricalMetrics | None = None
    settling: SettlingResult | None = None

    def summary(self) -> dict:
        """JSON-friendly figures of the layer (no per-image arrays)."""
        return {
            "index": self.index, "shape": list(self.mapped.w_quantized.shape), "tiles": self.plan.describe(),
            "adc_full_scale_a": self.adc_full_scale_a, "lsb_a": self.lsb_a, "signed_adc": self.signed_adc,
            "accumulator_bits": self.accumulator_bits, "adc_clipped_fraction": self.adc_clipped_fraction,
            "relu_shift": self.relu_shift, "relu_limit": self.relu_limit, "relu_lift": self.relu_lift,
            "activation_scale": self.activation_scale,
            "output_current_range_a": [float(self.outputs_a.min()), float(self.outputs_a.max())],
            "n_clipped_variability": self.n_clipped_variability, "stuck_at": self.stuck_at,
            "electrical": self.electrical.to_dict() if self.electrical else None,
            "settling": self.settling.to_dict() if self.settling else None,
        }


@dataclass
class Evaluation:
    """What :func:`evaluate` computed.

    Attributes
    ----------
    accuracy : float
    predictions, labels : int arrays (n,)
    confusion : int array (classes, classes)
        Rows: true label, columns: predicted label.
    ideal_accuracy : float
        The same mapped (quantised) network read ideally: no parasitics,
        non-idealities or converters.
    layers : list of LayerResult
    engine : str
    seed : int
    seconds : dict
    """

    accuracy: float
    predictions: np.ndarray
    labels: np.ndarray
    confusion: np.ndarray
    ideal_accuracy: float
    layers: list
    engine: str
    seed: int
    architecture: Architecture
    seconds: dict = field(default_factory=dict)

    @property
    def n_images(self) -> int:
        return int(self.labels.size)

    @property
    def output_codes(self) -> np.ndarray:
        """The last layer's accumulated codes (what the argmax receives)."""
        return self.layers[-1].codes

    def summary(self) -> dict:
        """JSON-friendly metrics and per-layer figures."""
        return {"accuracy": self.accuracy, "ideal_accuracy": self.ideal_accuracy, "n_images": self.n_images,
                "engine": self.engine, "seed": self.seed, "confusion": self.confusion.tolist(),
                "layers": [layer.summary() for layer in self.layers], "seconds": self.seconds}


# --------------------------------------------------------------------------- helpers


def _network_layers(network) -> list[tuple[np.ndarray, np.ndarray]]:
    weights = getattr(network, "weights", None)
    if not isinstance(weights, (list, tuple)) or not weights:
        raise TypeError(f"network must be a pycodesign.nn.DenseNetwork (weights = [(W, b), ...]), got "
                        f"{type(network).__name__}")
    out = []
    for k, pair in enumerate(weights):
        W = checks.finite_array(f"network layer {k + 1} W", pair[0], ndim=2)
        b = checks.finite_array(f"network layer {k + 1} b", pair[1], ndim=1)
        if b.shape[0] != W.shape[1]:
            raise ValueError(f"network layer {k + 1}: b has {b.shape[0]} entries, W has {W.shape[1]} outputs")
        if k and W.shape[0] != out[-1][0].shape[1]:
            raise ValueError(f"network layer {k + 1} has {W.shape[0]} inputs but layer {k} has "
                             f"{out[-1][0].shape[1]} outputs")
        out.append((W, b))
    return out


def map_network(network, architecture: Architecture, *, scales=None) -> list[MappedWeights]:
    """Each layer's :class:`MappedWeights` under ``architecture.mapping`` (layer k's W scaled by ``scales[k]``)."""
    m = architecture.mapping
    layers = _network_layers(network)
    scales = scales or [1.0] * len(layers)
    return [map_weights(W * s, g_min=m.g_hrs_s, g_max=m.g_lrs_s, levels=m.levels_arg, scheme=m.scheme,
                        bias=b if m.bias else None) for (W, b), s in zip(layers, scales)]


def _states(model, params: dict, g: np.ndarray, v_read: float) -> np.ndarray:
    """Device states for conductances ``g`` at V_READ (each distinct value solved once)."""
    if model.linear:
        return g
    flat = g.ravel()
    uniq, inv = np.unique(flat, return_inverse=True)
    x = np.asarray(state_for_conductance(model, uniq, v_read=v_read, params=params))
    return x[inv].reshape(g.shape)


def _device_current_squares(spec: CrossbarSpec, v: np.ndarray, chunk: int = 64) -> np.ndarray:
    """Σ_i I_ij² per physical column (batch, columns) with ideal per-device voltages (read-noise variance)."""
    idx, sign = spec.input_map()
    vp = v[:, idx] * sign
    st = spec.physical_state()
    if spec.model.linear:
        return (vp ** 2) @ (st ** 2)
    out = np.zeros((v.shape[0], st.shape[1]))
    ref, p = spec.model.reference, spec.params
    for s in range(0, v.shape[0], chunk):
        vv = vp[s:s + chunk][:, :, None] * np.ones_like(st)[None]
        xx = np.broadcast_to(st, vv.shape)
        i = np.asarray(ref.current(vv.ravel(), xx.ravel(), p), dtype=float).reshape(vv.shape)
        out[s:s + chunk] = np.sum(i ** 2, axis=1)
    return out


def _aggregate_electrical(parts: list[tuple[ElectricalMetrics, int]]) -> ElectricalMetrics | None:
    """Tiles' metrics → one layer figure: powers summed, current ranges and worst margins over tiles."""
    if not parts:
        return None
    ms = [p for p, _ in parts]
    weights = np.array([w for _, w in parts], dtype=float)
    first = ms[0]
    power = {f.name: float(sum(getattr(m, f.name) for m in ms)) for f in dataclasses.fields(first)
             if f.name.startswith("power_")}

    def wmean(name):
        vals = np.array([getattr(m, name) for m in ms], dtype=float)
        ok = np.isfinite(vals)
        return float(np.sum(vals[ok] * weights[ok]) / np.sum(weights[ok])) if ok.any() else math.nan

    def worst(name):
        vals = np.array([getattr(m, name) for m in ms], dtype=float)
        return float(np.nanmin(vals)) if np.isfinite(vals).any() else math.nan

    return dataclasses.replace(
        first, **power,
        output_current_min_a=min(m.output_current_min_a for m in ms),
        output_current_max_a=max(m.output_current_max_a for m in ms),
        column_current_min_a=min(m.column_current_min_a for m in ms),
        column_current_max_a=max(m.column_current_max_a for m in ms),
        read_margin_worst=worst("read_margin_worst"), read_margin_mean=wmean("read_margin_mean"),
        read_margin_inputs_worst=worst("read_margin_inputs_worst"),
        read_margin_inputs_mean=wmean("read_margin_inputs_mean"), per_vector={})


# --------------------------------------------------------------------------- one layer


class _LayerRun:
    """Programs, tiles, simulates and converts one layer (internal to :func:`evaluate`)."""

    def __init__(self, k: int, mapped: MappedWeights, arch: Architecture, *, seed: int, last: bool,
                 programmed: dict | None = None):
        self.k, self.mapped, self.arch, self.last = k, mapped, arch, last
        a, ni = arch.array, arch.nonideal
        self.model = get_model(a.device)
        self.params = a.resolved_params()
        self.v_read = a.v_read_v
        # seed + layer, as the kit has always drawn them, so a flow's devices stay those of earlier runs
        self.rng = np.random.default_rng(int(seed) + int(k))
        self.plan = plan_tiles(mapped.n_rows, mapped.n_cols, arch)
        self.scheme = mapped.scheme
        self.digital = self.scheme == "differential" and a.differential == "digital"
        self.signed = arch.signed_adc
        # ---- programmed conductances with device non-idealities (on the whole layer: draws do not
        # depend on the tiling, so every tile size sees the same devices)
        g = {k_: np.array(v, dtype=float) for k_, v in mapped.conductances().items()}
        self.programmed = programmed is not None
        if programmed is not None:
            # conductances measured after programming (e.g. by the co-simulation): they already hold the
            # devices' spread, so no variability or stuck-at draw is added
            for name, want in g.items():
                if name not in programmed:
                    raise ValueError(f"programmed conductances of layer {k + 1} lack {name!r}; give "
                                     f"{', '.join(g)} (S), shaped like the mapping's")
                got = checks.finite_array(f"programmed[{k}][{name!r}]", programmed[name], shape=want.shape,
                                          low=0.0, unit="S")
                g[name] = got
        if self.scheme == "reference" and self.plan.n_col_tiles > 1:
            # each column tile has its own reference column (its own devices)
            g["g_ref"] = np.repeat(g["g_ref"][:, None], self.plan.n_col_tiles, axis=1)
        self.n_clipped = 0
        if ni.variability_sigma > 0 and not self.programmed:
            lo, hi = reachable_conductance_range(self.model, v_read_v=self.v_read, params=self.params)
            for name in g:
                varied = apply_variability(g[name], sigma=ni.variability_sigma, rng=self.rng)
                self.n_clipped += int(np.sum((varied < lo) | (varied > hi)))
                g[name] = np.clip(varied, lo, hi)
        self.stuck = {"hrs": 0, "lrs": 0}
        if (ni.stuck_at_hrs_rate > 0 or ni.stuck_at_lrs_rate > 0) and not self.programmed:
            for name in g:
                g[name], m = apply_stuck_at(g[name], rate_hrs=ni.stuck_at_hrs_rate, rate_lrs=ni.stuck_at_lrs_rate,
                                            g_hrs=mapped.g_min, g_lrs=mapped.g_max, rng=self.rng)
                self.stuck["hrs"] += int(m.hrs.sum())
                self.stuck["lrs"] += int(m.lrs.sum())
        self.states = {name: _states(self.model, self.params, arr, self.v_read) for name, arr in g.items()}
        self.specs = {(ri, ci): self._tile_spec(ri, ci)
                      for ri in range(self.plan.n_row_tiles) for ci in range(self.plan.n_col_tiles)}

    # ------------------------------------------------------------------ tiles

    def _tile_spec(self, ri: int, ci: int) -> CrossbarSpec:
        rows, outs = self.plan.row_blocks[ri], self.plan.col_blocks[ci]
        a = self.arch.array
        st = self.states
        if self.scheme == "differential":
            pos = st["g_pos"][np.ix_(rows, outs)]
            neg = st["g_neg"][np.ix_(rows, outs)]
            diff = "subtractor" if a.differential == "digital" else a.differential
        else:
            pos = st["g"][np.ix_(rows, outs)]
            ref = st["g_ref"]
            neg = ref[rows, ci] if ref.ndim == 2 else ref[rows]
            diff = "reference_column"
        return CrossbarSpec(pos, device=self.model, device_params=self.params, cell=a.cell,
                            parasitics=a.parasitics, dual_side=a.dual_side,
                            partitions=min(a.partitions, pos.shape[0] * self.plan.row_factor),
                            col_partitions=a.col_partitions, tia=a.tia, differential=diff, state_neg=neg,
                            transistor=a.transistor)

    def nominal_full_scale(self) -> float:
        """The largest current an ADC input carries for inputs in [0, V_READ] in the parasitic-free tiles
        with the mapped (target) conductances — the automatic full scale (max over the layer's tiles)."""
        m = self.mapped
        worst = 0.0
        for rows in self.plan.row_blocks:
            if self.digital:
                cols = np.concatenate([np.asarray(m.g_pos)[rows], np.asarray(m.g_neg)[rows]], axis=1)
                w = float(np.max(np.sum(cols, axis=0)))
            else:
                gd = (np.asarray(m.g_pos) - np.asarray(m.g_neg) if self.scheme == "differential"
                      else np.asarray(m.g) - np.asarray(m.g_ref)[:, None])[rows]
                w = float(np.max(np.maximum(np.sum(np.clip(gd, 0, None), axis=0),
                                            np.sum(np.clip(-gd, 0, None), axis=0))))
            worst = max(worst, w)
        fs = self.v_read * worst if worst > 0 else self.v_read * m.g_max
        return fs * self.arch.converters.adc_range_fraction

    def run(self, v: np.ndarray, *, engine: str, adc_full_scale_a: float | None, workdir: Path | None,
            spice_chunk: int | None, metrics_images: int | None, progress: Callable[[str], None]):
        """Every tile through the engine and its ADCs; returns (tile results, lsb, full scale)."""
        conv = self.arch.converters
        bits = conv.adc_bits
        fs = lsb = None
        if bits is not None:
            fs = float(adc_full_scale_a) if adc_full_scale_a is not None else self.nominal_full_scale()
            lsb, _ = adc_lsb(bits=bits, full_scale_a=fs, signed=self.signed)
        n = v.shape[0]
        results = []
        for (ri, ci), spec in self.specs.items():
            rows, outs = self.plan.row_blocks[ri], self.plan.col_blocks[ci]
            vt = v[:, rows]
            tag = f"layer {self.k + 1} tile {ri},{ci}" if self.plan.n_tiles > 1 else f"layer {self.k + 1}"
            files: dict = {}
            if engine == "solver":
                cols = CrossbarSolver(spec).solve(vt).column_currents
            else:
                from ..analog.spice_engine import simulate

                chunk = n if not spice_chunk else int(spice_chunk)
                parts = []
                with progress_task(progress, f"{tag}: ngspice", n, unit="image") as advance:
                    for j, s0 in enumerate(range(0, n, chunk)):
                        wd = None
                        if workdir is not None:
                            name = f"layer{self.k + 1}" + (f"_tile{ri}_{ci}" if self.plan.n_tiles > 1 else "")
                            wd = workdir / (name if chunk >= n else f"{name}_{j:03d}")
                        r = simulate(spec, vt[s0:s0 + chunk], workdir=wd)
                        parts.append(r.column_currents)
                        if wd is not None:
                            files.setdefault("spice", []).append(r.files)
                        advance(min(chunk, n - s0))
                        if not isinstance(progress, Progress):
                            progress(f"{tag}: {min(s0 + chunk, n)}/{n} images simulated by ngspice")
                cols = np.concatenate(parts)
            clean = cols
            if self.arch.nonideal.read_noise_sigma > 0:
                cols = read_noise(cols, _device_current_squares(spec, vt),
                                  sigma_rel=self.arch.nonideal.read_noise_sigma, rng=self.rng)
            adc_in = cols if self.digital else cols @ spec.output_matrix().T
            codes, clipped = None, 0.0
            if bits is not None:
                q = adc_quantize(adc_in, bits=bits, full_scale_a=fs, signed=self.signed)
                codes, clipped = q.codes, q.clipped_fraction
            elec = None
            if metrics_images:
                m = min(int(metrics_images), n)
                wd = None if workdir is None or engine != "spice" else workdir / f"metrics_layer{self.k + 1}_{ri}_{ci}"
                elec = electrical_metrics(spec, vt[:m], engine=engine, read_margin_v=self.v_read, workdir=wd)
                outs_clean = clean @ spec.output_matrix().T
                elec.output_current_min_a, elec.output_current_max_a = float(outs_clean.min()), float(outs_clean.max())
                elec.column_current_min_a, elec.column_current_max_a = float(clean.min()), float(clean.max())
            results.append(TileResult(grid=(ri, ci), rows=rows, outputs=outs, physical_shape=spec.physical_shape,
                                      adc_inputs_a=adc_in, codes=codes, lsb_a=lsb, clipped_fraction=clipped,
                                      column_currents_a=clean, spec=spec, electrical=elec, files=files))
        return results, lsb, fs

    def combine(self, tiles: list[TileResult], n: int):
        """Tiles' codes → layer codes: W⁺ − W⁻ (digital), row tiles accumulated. Also the analog outputs."""
        n_out = self.mapped.n_cols
        outputs_a = np.zeros((n, n_out))
        ideal = tiles[0].codes is None
        partial = np.zeros((self.plan.n_row_tiles, n, n_out), dtype=float if ideal else np.int64)
        for t in tiles:
            ri, _ = t.grid
            if self.digital:
                outputs_a[:, t.outputs] += t.adc_inputs_a[:, 0::2] - t.adc_inputs_a[:, 1::2]
                part = (t.adc_inputs_a[:, 0::2] - t.adc_inputs_a[:, 1::2] if ideal
                        else rtl_models.difference_model(t.codes[:, 0::2], t.codes[:, 1::2]))
            else:
                outputs_a[:, t.outputs] += t.adc_inputs_a
                part = t.adc_inputs_a if ideal else t.codes
            partial[ri][:, t.outputs] = part
        if ideal:
            return partial.sum(axis=0), outputs_a, None
        bits = self.arch.converters.adc_bits
        max_code = (2 ** bits - 1) if self.digital else (2 ** (bits - 1) - 1)
        need = accumulator_bits_needed(self.plan.n_row_tiles, max_code)
        width = self.arch.tiling.accumulator_bits
        if width is not None and width < need:
            raise ConfigError(None, "tiling.accumulator_bits",
                              f"{width} bits cannot hold the sum of {self.plan.n_row_tiles} row tiles' codes "
                              f"(|code| <= {max_code} each) in layer {self.k + 1}; allowed: >= {need}")
        width = width or need
        return rtl_models.accumulate_model(partial, width=width), outputs_a, width


# --------------------------------------------------------------------------- the network


def _relu_stage(acc, lsb: float | None, mapped: MappedWeights, v_read: float, relu_max: float,
                dac_bits: int | None):
    """Hidden-layer activation → the next layer's inputs.

    Returns ``(x in [0, 1], DAC codes or None, activation scale, shift, limit, relu codes, lift)``.
    With integer codes: ``r = min(max(acc, 0) >> shift, limit)`` (the RTL
    ReLU) and the DAC code is ``r << lift`` (wiring: the DAC's low bits tied
    to 0), with ``shift``/``lift`` the powers of two that bring the ReLU
    bound ``relu_max`` (in codes) just inside the DAC's 2^K − 1.
    """
    u = None if lsb is None else lsb / v_read * mapped.weight_per_siemens  # weight units per code
    if u is not None and dac_bits is not None:
        top = 2 ** dac_bits - 1
        r_codes = relu_max / u
        shift = lift = 0
        while r_codes / 2 ** shift > top:
            shift += 1
        while shift == 0 and r_codes * 2 ** (lift + 1) <= top * (1 + 1e-12):
            lift += 1
        limit = min(int(math.floor(r_codes / 2 ** shift + 1e-9)), top >> lift)
        relu = rtl_models.relu_codes(acc, width_out=dac_bits, shift=shift, limit=limit)
        codes = relu << lift
        scale = top * 2 ** shift / 2 ** lift * u
        return codes / top, codes, scale, shift, limit, relu, lift
    h = acc * u if u is not None else np.asarray(acc) / v_read * mapped.weight_per_siemens
    x = np.clip(h, 0.0, relu_max) / relu_max
    codes = None
    if dac_bits is not None:
        codes = dac_codes(x, bits=dac_bits)
        x = codes / (2 ** dac_bits - 1)
    return x, codes, relu_max, None, None, None, None


def _check_images(x_images, labels, n_inputs: int, n_images):
    x = checks.finite_array("x", x_images)
    if x.ndim > 2:
        x = x.reshape(x.shape[0], -1)
    if x.ndim != 2:
        raise ValueError(f"x must have shape (n, features) or (n, h, w); got {x.shape}")
    if x.shape[1] != n_inputs:
        raise ValueError(f"x has {x.shape[1]} features per image but the network has {n_inputs} inputs")
    if x.min() < 0 or x.max() > 1:
        raise ValueError(f"x must hold inputs in [0, 1] (got min {x.min():g}, max {x.max():g}); scale them first")
    y = np.asarray(labels)
    if y.ndim != 1 or y.shape[0] != x.shape[0] or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be integer labels of shape ({x.shape[0]},); got {y.dtype} {y.shape}")
    if n_images is not None:
        n_images = checks.integer("n_images", n_images, ge=1, le=x.shape[0])
        x, y = x[:n_images], y[:n_images]
    return x, y


def evaluate(network, architecture: Architecture, x, y, *, engine: str = "solver", seed: int = 0,
             n_images: int | None = None, adc_full_scale_a: float | None = None, metrics_images: int | None = None,
             workdir: str | Path | None = None, spice_chunk: int | None = None,
             progress: Callable[[str], None] | None = None, programmed: list | None = None) -> Evaluation:
    """Classify ``x`` with ``network`` on ``architecture``; see the module doc for every step.

    Parameters
    ----------
    network : pycodesign.nn.DenseNetwork
        Trained weights (``W`` inputs × outputs per layer); an MLP needs its
        bounded ReLU's ``relu_max``.
    architecture : pycodesign.config.Architecture
    x : array (n, features) or (n, h, w)
        Inputs in [0, 1].
    y : int array (n,)
        Labels.
    engine : {"solver", "spice"}
        Fast solver, or ngspice (one job per tile, or per ``spice_chunk`` images).
    seed : int
        Seeds every random draw.
    n_images : int or None
        Use the first ``n_images`` images.
    adc_full_scale_a : float or None
        Overrides ``architecture.converters.adc_full_scale_a`` for the output
        layer (e.g. to share one full scale between engines).
    metrics_images : int or None
        Electrical metrics per tile on the first ``metrics_images`` images
        (None: none — they cost a solve with every node voltage).
    workdir : path or None
        Keep ngspice decks, logs and raw files there (``engine="spice"``);
        None uses temporary folders that are removed.
    progress : callable(str) or None
    programmed : list of (dict or None) or None
        Per layer, the conductances the devices really hold after programming
        (``{"g_pos", "g_neg"}`` or ``{"g", "g_ref"}``, S, shaped like the
        layer's mapping — e.g. read back from a write-verify co-simulation);
        they replace the mapped targets and no variability or stuck-at draw
        is added to them.  ``None`` for a layer keeps its mapping.
    """
    t_all = time.perf_counter()
    say = progress or (lambda msg: None)
    if not isinstance(architecture, Architecture):
        raise TypeError(f"architecture must be a pycodesign.config.Architecture, got {type(architecture).__name__}")
    checks.choice("engine", engine, ENGINES)
    seed = checks.seed("seed", seed)
    layers_w = _network_layers(network)
    relu_max = getattr(network, "relu_max", None)
    if len(layers_w) > 1:
        if relu_max is None:
            raise ValueError("an MLP on crossbars needs a bounded hidden ReLU: network.relu_max is None "
                             "(train with relu_max, or set it)")
        relu_max = checks.number("network.relu_max", relu_max, gt=0)
    xs, ys = _check_images(x, y, layers_w[0][0].shape[0], n_images)
    n = xs.shape[0]
    conv = architecture.converters
    v_read = architecture.array.v_read_v
    m = architecture.mapping
    fs_out = adc_full_scale_a if adc_full_scale_a is not None else conv.adc_full_scale_a
    if fs_out is not None:
        fs_out = checks.number("adc_full_scale_a", fs_out, gt=0, unit="A")
    work = Path(workdir) if workdir is not None else None
    seconds: dict[str, float] = {}

    # inputs of layer 1: K-bit DAC codes (bias row at full scale)
    if conv.dac_bits is not None:
        codes_in = dac_codes(xs, bits=conv.dac_bits)
        x_in = codes_in / (2 ** conv.dac_bits - 1)
    else:
        codes_in, x_in = None, xs
    results: list[LayerResult] = []
    scale = 1.0
    ideal_x = xs
    ideal_pred = None
    work_dir = work  # None: ngspice decks live in run_batch's temporary folders, removed afterwards
    for k, (W, b) in enumerate(layers_w):
        t0 = time.perf_counter()
        last = k == len(layers_w) - 1
        mapped = map_weights(W * scale, g_min=m.g_hrs_s, g_max=m.g_lrs_s, levels=m.levels_arg, scheme=m.scheme,
                             bias=b if m.bias else None)
        run = _LayerRun(k, mapped, architecture, seed=seed, last=last,
                        programmed=programmed[k] if programmed is not None and k < len(programmed) else None)
        bias_col = np.ones((n, 1)) if mapped.bias_row else np.zeros((n, 0))
        x_aug = np.hstack([x_in, bias_col])
        v = x_aug * v_read
        in_codes = None
        if codes_in is not None:
            in_codes = np.hstack([codes_in, (bias_col * (2 ** conv.dac_bits - 1)).astype(np.int64)])
        say(f"layer {k + 1}: {n} images through {run.plan.n_tiles} tile(s) "
            f"({', '.join(run.plan.describe()['tile_shapes'])} devices, {architecture.array.cell}, "
            f"{architecture.array.device}) with {engine}")
        if last:
            fs_layer = fs_out
        elif run.plan.n_row_tiles == 1:
            # the ADC feeds the ReLU directly: spend its codes on [-bound, bound] of the activation
            fs_layer = relu_max * v_read / mapped.weight_per_siemens
        else:
            fs_layer = None  # partial sums need the nominal headroom
        tiles, lsb, fs = run.run(v, engine=engine, adc_full_scale_a=fs_layer, workdir=work_dir,
                                 spice_chunk=spice_chunk, metrics_images=metrics_images, progress=say)
        acc, outputs_a, acc_bits = run.combine(tiles, n)
        elec = _aggregate_electrical([(t.electrical, int(np.prod(t.physical_shape))) for t in tiles
                                      if t.electrical is not None])
        clipped = float(np.mean([t.clipped_fraction for t in tiles]))
        layer = LayerResult(index=k, mapped=mapped, plan=run.plan, v_read_v=v_read, tiles=tiles,
                            input_codes=in_codes, inputs_v=v, outputs_a=outputs_a, codes=acc, lsb_a=lsb,
                            adc_full_scale_a=fs, signed_adc=run.signed, accumulator_bits=acc_bits,
                            adc_clipped_fraction=clipped, n_clipped_variability=run.n_clipped, stuck_at=run.stuck,
                            electrical=elec)
        # the same mapped network read ideally (quantised weights, no circuit, no converters)
        ideal_out = np.hstack([ideal_x, np.ones((n, 1)) if mapped.bias_row else np.zeros((n, 0))]) \
            @ mapped.w_quantized
        if not last:
            x_in, codes_in, scale, shift, limit, relu, lift = _relu_stage(acc, lsb, mapped, v_read, relu_max,
                                                                           conv.dac_bits)
            layer.relu_codes, layer.relu_shift, layer.relu_limit, layer.relu_lift = relu, shift, limit, lift
            layer.activation_scale = scale
            ideal_x = np.clip(ideal_out, 0.0, min(relu_max, scale)) / scale
        else:
            ideal_pred = rtl_models.argmax_rows(ideal_out)
        results.append(layer)
        seconds[f"layer{k + 1}"] = time.perf_counter() - t0
    pred = rtl_models.argmax_rows(results[-1].codes)
    conf = confusion_matrix(ys, pred, n_classes=int(max(int(ys.max()) + 1, results[-1].codes.shape[1], 2)))
    acc_v = float(np.mean(pred == ys))
    seconds["total"] = time.perf_counter() - t_all
    say(f"accuracy {acc_v:.4f} ({engine}; ideal read of the same mapping: {float(np.mean(ideal_pred == ys)):.4f})")
    return Evaluation(accuracy=acc_v, predictions=pred, labels=ys, confusion=conf,
                      ideal_accuracy=float(np.mean(ideal_pred == ys)), layers=results, engine=engine, seed=seed,
                      architecture=architecture, seconds=seconds)


def layer_settling(layer: LayerResult, *, engine: str = "spice", tol: float = 0.01,
                   workdir: str | Path | None = None, timeout_s: float = 3600.0) -> SettlingResult:
    """Settling latency of a layer's first (largest) tile after a step of every input to V_READ.

    ``engine="solver"`` uses the solver's backward-Euler transient (linear
    1R arrays with an ideal TIA only); otherwise ngspice, with the parasitic
    capacitances and op-amp dynamics, bounded by ``timeout_s``.  The result is stored in ``layer.settling``.
    """
    spec = layer.tiles[0].spec
    if engine == "solver" and not (spec.linear and spec.tia.kind == "ideal"):
        engine = "spice"
    step = np.full((1, spec.rows), layer.v_read_v)
    layer.settling = settling_time(spec, step, tol=tol, engine=engine, workdir=workdir, timeout_s=timeout_s)
    return layer.settling
