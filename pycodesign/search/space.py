"""The design space of a search: dimensions over the architecture's keys, checked before any trial.

A space is a YAML mapping from dotted architecture keys to a list of values
or a range::

    space:
      tiling.tile_rows: [17, 33, 65]                # a list (categorical)
      converters.adc_bits: {low: 3, high: 10}       # an integer range (step 1)
      mapping.g_lrs_s: {low: 1.0e-4, high: 1.0e-3, log: true}   # a float range
      array.r_row_ohm: {low: 0.5, high: 2.0, step: 0.5}         # a stepped float range
      array.preset: {values: [kit_symmetric, aguirre_listing], when: {array.device: qmm}}

* Keys are paths into :class:`pycodesign.config.Architecture` (``mapping``,
  ``array``, ``tiling``, ``converters``, ``nonideal``, nested sections such as
  ``array.tia.kind``, device parameters as ``array.device_params.<name>``) and
  any extra roots the flow adds.  Every value and range bound is converted and
  checked exactly as the architecture checks it (same messages).
* ``when`` makes a dimension conditional: it is sampled only when the named
  earlier dimensions take one of the given values; otherwise the base
  architecture's value stands.
* Ranges are integer ranges for integer keys, float ranges for float keys
  (``log: true`` samples log-uniformly; ``step`` makes them discrete).

Coupled keys are fitted to the tile after sampling, and every fit is recorded
with the trial (the space *says so* when it clips):

* ``converters.adc_bits`` is never above the exact need of the largest tile
  (:func:`pycodesign.mapping.adc_bits_needed` for its rows, the DAC bits as
  input bits, the mapping's weight bits; signed for analog-combined outputs):
  more bits would resolve levels that cannot occur.  No clip with an ideal DAC
  or continuous conductances (no finite need).
* ``tiling.columns_per_adc`` becomes the largest divisor of a tile's ADC
  inputs not above the sampled value (a multiplexer serves whole groups), and
  with untiled columns at most the layer's ADC inputs.
* ``array.partitions`` / ``array.col_partitions`` are at most the rows /
  columns of a tile.

:meth:`SearchSpace.check` then builds the architecture of every combination
(all of them for a discrete space of up to ``limit`` designs, otherwise a
seeded sample) and refuses the space, naming the combination and the rule it
breaks, before any trial runs.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

import numpy as np

from ..config.architecture import Architecture, tile_layout
from ..config.core import ConfigError, _convert, _short, build, to_dict
from ..mapping import adc_bits_needed

__all__ = ["Dimension", "SearchSpace", "Realised", "plain_dict", "set_key", "get_key", "fit_to_tiles"]

_ARCH_ROOTS = {f.name: f for f in dataclasses.fields(Architecture)}
_CATEGORICAL_TYPES = (type(None), bool, int, float, str)


def plain_dict(obj) -> Any:
    """Every field of a (nested) configuration as plain data: :func:`pycodesign.config.to_dict`."""
    return to_dict(obj)


def get_key(d: dict, key: str) -> Any:
    """The value at dotted *key* of a nested dict (``KeyError`` if absent)."""
    cur = d
    for part in key.split("."):
        cur = cur[part]
    return cur


def set_key(d: dict, key: str, value: Any) -> None:
    """Set dotted *key* of a nested dict in place (intermediate dicts created)."""
    parts = key.split(".")
    cur = d
    for part in parts[:-1]:
        cur = cur.setdefault(part, {})
    cur[parts[-1]] = value


# --------------------------------------------------------------------------- key resolution


def _strip_optional(tp):
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return (args[0] if len(args) == 1 else tp), True
    return tp, False


@dataclass(frozen=True)
class _Field:
    tp: Any
    meta: dict
    optional: bool

    @property
    def base(self):
        return _strip_optional(self.tp)[0]

    @property
    def numeric(self) -> str | None:
        b = self.base
        if b is int:
            return "int"
        if b is float:
            return "float"
        return None


def _resolve(key: str, roots: dict[str, Any], file, where: str) -> _Field:
    """The type and checks of the configuration field at dotted *key*."""
    if not isinstance(key, str) or "." not in key:
        raise ConfigError(file, where, f"{_short(key)} is not a dotted key path; write e.g. tiling.tile_rows "
                                       f"(sections: {', '.join(roots)})")
    parts = key.split(".")
    if parts[0] not in roots:
        raise ConfigError(file, where, f"the architecture has no section {parts[0]!r}; allowed: "
                                       f"{', '.join(roots)}")
    cls = roots[parts[0]]
    path = parts[0]
    for i, part in enumerate(parts[1:], start=1):
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise ConfigError(file, where, f"{path!r} is a value, it has no key {part!r}")
        flds = {f.name: f for f in dataclasses.fields(cls) if f.init}
        if part not in flds:
            raise ConfigError(file, where, f"the architecture has no key {part!r} in {path}; allowed: "
                                           f"{', '.join(flds)}")
        f = flds[part]
        tp = typing.get_type_hints(cls)[part]
        base, optional = _strip_optional(tp)
        path = f"{path}.{part}"
        last = i == len(parts) - 1
        if isinstance(base, type) and dataclasses.is_dataclass(base):
            if last:
                raise ConfigError(file, where, f"{path} is a section; give one of its keys: "
                                               + ", ".join(g.name for g in dataclasses.fields(base)))
            cls = base
            continue
        if typing.get_origin(base) is dict:
            # free-form mapping (array.device_params.<name>): one more part, value type from the dict
            if i != len(parts) - 2:
                raise ConfigError(file, where, f"{path} takes one more part: {path}.<name>")
            vt = typing.get_args(base)[1] if typing.get_args(base) else Any
            return _Field(vt, {}, False)
        if not last:
            raise ConfigError(file, where, f"{path} is a value, it has no key {parts[i + 1]!r}")
        if typing.get_origin(base) in (list, tuple):
            raise ConfigError(file, where, f"{path} is a list-valued key; a search dimension needs a scalar key")
        return _Field(tp, dict(f.metadata), optional)
    raise ConfigError(file, where, f"{key} names a section, not a key")


# --------------------------------------------------------------------------- dimensions


@dataclass(frozen=True)
class Dimension:
    """One axis of the space.

    Attributes
    ----------
    key : str
        Dotted architecture key (also the optuna parameter name).
    values : tuple or None
        The values of a list dimension.
    low, high, step : number or None
        The bounds (inclusive) and step of a range dimension.
    log : bool
        Log-uniform range.
    integer : bool
        Integer range (for integer keys).
    when : tuple of (key, tuple of values)
        Sampled only when every named earlier dimension takes one of its values.
    """

    key: str
    values: tuple | None = None
    low: float | int | None = None
    high: float | int | None = None
    step: float | int | None = None
    log: bool = False
    integer: bool = False
    when: tuple = ()

    @property
    def is_range(self) -> bool:
        return self.values is None

    @property
    def discrete(self) -> bool:
        return self.values is not None or self.integer or self.step is not None

    def grid(self) -> list:
        """Every value of a discrete dimension (what the grid sampler enumerates)."""
        if self.values is not None:
            return list(self.values)
        if self.integer:
            return list(range(int(self.low), int(self.high) + 1, int(self.step or 1)))
        if self.step is not None:
            n = int(round((self.high - self.low) / self.step))
            return [float(self.low + k * self.step) for k in range(n + 1)]
        raise ValueError(f"{self.key}: a continuous range has no grid; give a step or a list")

    def suggest(self, trial) -> Any:
        """Ask an optuna trial for this dimension's value."""
        if self.values is not None:
            return trial.suggest_categorical(self.key, list(self.values))
        if self.integer:
            return trial.suggest_int(self.key, int(self.low), int(self.high), step=int(self.step or 1),
                                     log=self.log)
        return trial.suggest_float(self.key, float(self.low), float(self.high), step=self.step, log=self.log)

    def sample(self, rng: np.random.Generator) -> Any:
        """A value drawn uniformly (log-uniformly for log ranges)."""
        if self.discrete and not (self.integer and self.log):
            g = self.grid()
            return g[int(rng.integers(len(g)))]
        if self.log:
            v = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
            return int(min(max(round(v), self.low), self.high)) if self.integer else float(v)
        return float(rng.uniform(self.low, self.high))

    def extremes(self) -> list:
        """The first and last values (lists) or the bounds (ranges)."""
        if self.values is not None:
            return [self.values[0], self.values[-1]]
        return [self.low, self.high]

    def describe(self) -> str:
        if self.values is not None:
            text = "[" + ", ".join("null" if v is None else str(v) for v in self.values) + "]"
        else:
            text = f"{self.low:g} .. {self.high:g}"
            if self.step is not None and not (self.integer and self.step == 1):
                text += f" step {self.step:g}"
            if self.log:
                text += " (log)"
        if self.when:
            text += " when " + " and ".join(f"{k} in {list(v)}" for k, v in self.when)
        return text

    def to_plain(self) -> Any:
        """The YAML form this dimension was read from."""
        if self.values is not None and not self.when:
            return list(self.values)
        out: dict = {"values": list(self.values)} if self.values is not None else {"low": self.low, "high": self.high}
        if self.step is not None:
            out["step"] = self.step
        if self.log:
            out["log"] = True
        if self.when:
            out["when"] = {k: list(v) for k, v in self.when}
        return out


_RANGE_KEYS = ("values", "low", "high", "step", "log", "when")


def _parse_dimension(key: str, spec: Any, fld: _Field, earlier: dict[str, Dimension], file, where: str) -> Dimension:
    if isinstance(spec, (list, tuple)):
        spec = {"values": list(spec)}
    if not isinstance(spec, dict):
        raise ConfigError(file, where, f"{_short(spec)} is not a dimension; give a list of values or a range "
                                       "{low: .., high: .. [, step: ..] [, log: true]} (to fix a value, set it in "
                                       "the architecture sections)")
    unknown = [k for k in spec if k not in _RANGE_KEYS]
    if unknown:
        raise ConfigError(file, f"{where}.{unknown[0]}", f"unknown key; allowed here: {', '.join(_RANGE_KEYS)}")
    when = _parse_when(spec.get("when"), earlier, file, f"{where}.when")
    if "values" in spec:
        extra = [k for k in ("low", "high", "step", "log") if k in spec]
        if extra:
            raise ConfigError(file, f"{where}.{extra[0]}", "give either values or a range (low, high), not both")
        values = spec["values"]
        if not isinstance(values, (list, tuple)):
            raise ConfigError(file, f"{where}.values", f"{_short(values)} is not a list")
        if not values:
            raise ConfigError(file, where, "empty list; a dimension needs at least one value")
        out = []
        for i, v in enumerate(values):
            if not isinstance(v, _CATEGORICAL_TYPES):
                raise ConfigError(file, f"{where}[{i}]", f"{_short(v)}: values must be numbers, strings, "
                                                        "true/false or null")
            cv = _convert(v, fld.tp, fld.meta, file, f"{where}[{i}]")
            if cv in out and any(type(cv) is type(o) for o in out if o == cv):
                raise ConfigError(file, f"{where}[{i}]", f"{_short(v)} appears twice; list each value once")
            out.append(cv)
        return Dimension(key, values=tuple(out), when=when)
    for k in ("low", "high"):
        if k not in spec:
            raise ConfigError(file, where, f"a range needs low and high (missing {k}); or give a list of values")
    kind = fld.numeric
    if kind is None:
        raise ConfigError(file, where, f"a range needs a numeric key but {key} takes {fld.base!r}; give a list "
                                       "of values")
    low = _convert(spec["low"], fld.base, fld.meta, file, f"{where}.low")
    high = _convert(spec["high"], fld.base, fld.meta, file, f"{where}.high")
    if low > high:
        raise ConfigError(file, where, f"low {low:g} is above high {high:g}; allowed: low <= high")
    log = spec.get("log", False)
    if not isinstance(log, bool):
        raise ConfigError(file, f"{where}.log", f"{_short(log)} is not true or false")
    step = spec.get("step")
    if step is not None:
        if kind == "int":
            if isinstance(step, bool) or not isinstance(step, int) or step < 1:
                raise ConfigError(file, f"{where}.step", f"{_short(step)} is not allowed; allowed: an integer >= 1")
        else:
            if isinstance(step, bool) or not isinstance(step, (int, float)) or not step > 0 or not math.isfinite(step):
                raise ConfigError(file, f"{where}.step", f"{_short(step)} is not allowed; allowed: a number > 0")
            step = float(step)
        n = (high - low) / step
        if abs(n - round(n)) > 1e-9 * max(1.0, abs(n)):
            raise ConfigError(file, f"{where}.step", f"high - low = {high - low:g} is not a multiple of step "
                                                    f"{step:g}; allowed: low + k * step = high")
    if log:
        if low <= 0:
            raise ConfigError(file, f"{where}.log", f"a log range needs low > 0 (low is {low:g})")
        if step is not None and not (kind == "int" and step == 1):
            raise ConfigError(file, f"{where}.log", "a log range cannot have a step")
    return Dimension(key, low=low, high=high, step=step, log=log, integer=kind == "int", when=when)


def _parse_when(when: Any, earlier: dict[str, Dimension], file, where: str) -> tuple:
    if when is None:
        return ()
    if not isinstance(when, dict) or not when:
        raise ConfigError(file, where, f"{_short(when)} is not a mapping of earlier dimensions to their values, "
                                       "e.g. {array.device: qmm}")
    out = []
    for k, v in when.items():
        if k not in earlier:
            raise ConfigError(file, f"{where}.{k}", "a condition may only name a dimension listed before this one; "
                                                   f"allowed: {', '.join(earlier) or '(none)'}")
        dim = earlier[k]
        vals = tuple(v) if isinstance(v, (list, tuple)) else (v,)
        if not vals:
            raise ConfigError(file, f"{where}.{k}", "empty list: the condition could never hold")
        for x in vals:
            ok = (x in dim.values) if dim.values is not None else (
                isinstance(x, (int, float)) and not isinstance(x, bool) and dim.low <= x <= dim.high)
            if not ok:
                raise ConfigError(file, f"{where}.{k}", f"{_short(x)} is not a value of dimension {k} "
                                                        f"({dim.describe()}): the condition could never hold")
        out.append((k, vals))
    return tuple(out)


# --------------------------------------------------------------------------- fitting to the tile


def _weight_bits(mapping: dict) -> int | None:
    n = len(mapping["measured_levels_s"]) if mapping.get("measured_levels_s") is not None else mapping["levels"]
    return None if n is None else max(1, math.ceil(math.log2(n)))


def _largest_divisor_at_most(n: int, cap: int) -> int:
    return max(d for d in range(1, min(n, cap) + 1) if n % d == 0)


def fit_to_tiles(d: dict, layer_shapes: Sequence[tuple[int, int]]) -> list[dict]:
    """Fit the coupled keys of architecture dict *d* to its tiles, in place; return the fits made.

    Parameters
    ----------
    d : dict
        Plain architecture data (:func:`plain_dict`), changed in place.
    layer_shapes : list of (n_inputs, n_outputs)
        The network's layers (logical, without the bias row).

    Returns
    -------
    list of dict
        ``{"key", "requested", "used", "reason"}`` for every value changed.
    """
    fits: list[dict] = []
    m, a, t, c = d["mapping"], d["array"], d["tiling"], d["converters"]
    scheme, diff = m["scheme"], a["differential"]
    rows_t, outs_t, per_out, row_factor, (overhead, pair) = tile_layout(scheme, diff, t["tile_rows"], t["tile_cols"])
    if (rows_t is not None and rows_t < 1) or (outs_t is not None and outs_t < 1):
        return fits  # the architecture's own check names the problem
    bias = 1 if m["bias"] else 0
    tile_rows_logical = [min(n_in + bias, rows_t or n_in + bias) for n_in, _ in layer_shapes]
    tile_outs = [min(n_out, outs_t or n_out) for _, n_out in layer_shapes]

    def fit(key, used, reason):
        requested = get_key(d, key)
        if used != requested:
            set_key(d, key, used)
            fits.append({"key": key, "requested": requested, "used": used, "reason": reason})

    # partitions: at most the rows (columns) of a tile
    phys_rows = min(r * row_factor for r in tile_rows_logical)
    if a["partitions"] > phys_rows:
        fit("array.partitions", phys_rows, f"tiles have {phys_rows} rows")
    phys_cols = min(o * pair + overhead for o in tile_outs)
    if a["col_partitions"] > phys_cols:
        fit("array.col_partitions", phys_cols, f"tiles have {phys_cols} columns")
    # columns per ADC: whole groups of a tile's ADC inputs
    cpa = t["columns_per_adc"]
    if t["tile_cols"] is not None:
        n_in = outs_t * per_out
        used = _largest_divisor_at_most(n_in, cpa)
        if used != cpa:
            fit("tiling.columns_per_adc", used, f"largest divisor of a tile's {n_in} ADC inputs not above {cpa}")
    else:
        n_in = min(o * per_out for o in tile_outs)
        if cpa > n_in:
            fit("tiling.columns_per_adc", n_in, f"a layer has only {n_in} ADC inputs")
    # ADC bits: never above the exact need of the largest tile
    bits, k_bits, m_bits = c["adc_bits"], c["dac_bits"], _weight_bits(m)
    if bits is not None and k_bits is not None and m_bits is not None:
        signed = not (scheme == "differential" and diff == "digital")
        needs = [adc_bits_needed(r, k_bits, m_bits, signed_weights=signed) for r in tile_rows_logical]
        need = max(needs)
        if bits > need:
            r = tile_rows_logical[needs.index(need)]
            fit("converters.adc_bits", need, f"exact need of a {r}-row tile with {k_bits}-bit inputs and "
                                             f"{m_bits}-bit {'signed ' if signed else ''}weights")
    return fits


# --------------------------------------------------------------------------- the space


@dataclass
class Realised:
    """A sampled point made concrete: the architecture a trial evaluates.

    Attributes
    ----------
    params : dict
        The sampled values (active dimensions only).
    architecture : Architecture
    fits : list of dict
        Values changed to fit the tile (see :func:`fit_to_tiles`).
    """

    params: dict
    architecture: Architecture
    fits: list = field(default_factory=list)

    @property
    def used(self) -> dict:
        """The values the architecture has at the space's keys (after fits)."""
        out = dict(self.params)
        for f in self.fits:
            if f["key"] in out:
                out[f["key"]] = f["used"]
        return out


class SearchSpace:
    """Dimensions in sampling order (see the module doc).

    Parameters
    ----------
    dimensions : list of Dimension
    extra_roots : dict
        Configuration classes of key roots beyond the architecture's sections
        (their dimensions are not applied to the architecture).
    """

    def __init__(self, dimensions: Sequence[Dimension], *, extra_roots: dict | None = None):
        self.dimensions = list(dimensions)
        self.extra_roots = dict(extra_roots or {})
        self._by_key = {d.key: d for d in self.dimensions}

    # ---------------------------------------------------------------- parsing

    @classmethod
    def parse(cls, data: Any, *, file: str | None = None, prefix: str = "space",
              extra_roots: dict | None = None) -> "SearchSpace":
        """Read a space mapping; :class:`ConfigError` naming *file* and ``space.<key>`` otherwise."""
        roots = {name: typing.get_type_hints(Architecture)[name] for name in _ARCH_ROOTS}
        roots.update(extra_roots or {})
        if not isinstance(data, dict) or not data:
            raise ConfigError(file, prefix, "the space needs at least one dimension (a mapping of dotted keys to "
                                            "lists or ranges)")
        dims: dict[str, Dimension] = {}
        for key, spec in data.items():
            where = f"{prefix}.{key}" if isinstance(key, str) else prefix
            fld = _resolve(key, roots, file, where)
            dims[key] = _parse_dimension(key, spec, fld, dict(dims), file, where)
        return cls(list(dims.values()), extra_roots=extra_roots)

    def to_plain(self) -> dict:
        """The YAML mapping of this space."""
        return {d.key: d.to_plain() for d in self.dimensions}

    # ---------------------------------------------------------------- structure

    @property
    def keys(self) -> list[str]:
        return [d.key for d in self.dimensions]

    def __getitem__(self, key: str) -> Dimension:
        return self._by_key[key]

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    def __len__(self) -> int:
        return len(self.dimensions)

    @property
    def discrete(self) -> bool:
        return all(d.discrete for d in self.dimensions)

    @staticmethod
    def active(dim: Dimension, params: dict) -> bool:
        """True when *dim* is sampled given the values of the earlier dimensions."""
        return all(k in params and params[k] in vals for k, vals in dim.when)

    def enumerate(self) -> Iterator[dict]:
        """Every point of a discrete space (conditional dimensions only where active), in grid order."""
        if not self.discrete:
            raise ValueError("the space has continuous ranges; give them a step to enumerate it")

        def rec(i: int, params: dict):
            if i == len(self.dimensions):
                yield dict(params)
                return
            dim = self.dimensions[i]
            if not self.active(dim, params):
                yield from rec(i + 1, params)
                return
            for v in dim.grid():
                params[dim.key] = v
                yield from rec(i + 1, params)
            del params[dim.key]

        yield from rec(0, {})

    def size(self, cap: int = 10_000_000) -> int | None:
        """Number of points of a discrete space (None if continuous or above *cap*)."""
        if not self.discrete:
            return None
        if not any(d.when for d in self.dimensions):
            n = math.prod(len(d.grid()) for d in self.dimensions)
            return n if n <= cap else None
        n = 0
        for _ in self.enumerate():
            n += 1
            if n > cap:
                return None
        return n

    def sample(self, rng: np.random.Generator) -> dict:
        """A random point (uniform per dimension)."""
        params: dict = {}
        for dim in self.dimensions:
            if self.active(dim, params):
                params[dim.key] = dim.sample(rng)
        return params

    def suggest(self, trial) -> dict:
        """Ask an optuna trial for a point, dimension by dimension (define-by-run)."""
        params: dict = {}
        for dim in self.dimensions:
            if self.active(dim, params):
                params[dim.key] = dim.suggest(trial)
        return params

    # ---------------------------------------------------------------- realising

    def realise(self, base: Architecture, params: dict, layer_shapes: Sequence[tuple[int, int]]) -> Realised:
        """The architecture of *params*: *base* with the architecture keys set, then fitted to its tiles.

        Raises :class:`ConfigError` (key path inside the architecture) when the
        combination is not a valid architecture.
        """
        d = plain_dict(base)
        for key, value in params.items():
            if key.split(".")[0] in _ARCH_ROOTS:
                set_key(d, key, value)
        fits = fit_to_tiles(d, layer_shapes)
        return Realised(params=dict(params), architecture=build(Architecture, d), fits=fits)

    def extra_values(self, params: dict) -> dict:
        """The sampled values of the extra roots (roots a caller adds beyond the architecture), by key."""
        return {k: v for k, v in params.items() if k.split(".")[0] not in _ARCH_ROOTS}

    def check(self, base: Architecture, layer_shapes: Sequence[tuple[int, int]], *, file: str | None = None,
              prefix: str = "space", limit: int = 4096, samples: int = 512, seed: int = 0,
              extra_check=None) -> dict:
        """Build the architecture of every combination (or a seeded sample) before any trial runs.

        Parameters
        ----------
        base : Architecture
        layer_shapes : list of (n_inputs, n_outputs)
        limit : int
            Enumerate every point of a discrete space up to this size.
        samples : int
            Otherwise: every combination of the dimensions' extremes (up to
            *limit*) plus this many random points (seeded by *seed*).
        extra_check : callable(architecture, extra values) or None
            A further check of each realised point (e.g. the cost model can
            price it); raises ``ConfigError`` or ``ValueError``.

        Returns
        -------
        dict
            ``{"checked": n, "exhaustive": bool, "size": int | None, "fits": [...]}``
            with each distinct fit (key, requested, used, reason) and how often it occurred.

        Raises
        ------
        ConfigError
            Naming the first combination that is not a valid architecture.
        """
        size = self.size(cap=limit)
        if size is not None:
            points: Iterator[dict] = self.enumerate()
            exhaustive = True
        else:
            rng = np.random.default_rng(seed)
            corner_dims = self.dimensions
            corners = []
            for combo in itertools.islice(itertools.product(*[d.extremes() for d in corner_dims]), limit):
                p: dict = {}
                for dim, v in zip(corner_dims, combo):
                    if self.active(dim, p):
                        p[dim.key] = v
                corners.append(p)
            points = itertools.chain(corners, (self.sample(rng) for _ in range(samples)))
            exhaustive = False
        n = 0
        fits: dict[tuple, dict] = {}
        for params in points:
            n += 1
            combo = ", ".join(f"{k}: {_short(v)}" for k, v in params.items())
            try:
                r = self.realise(base, params, layer_shapes)
            except ConfigError as exc:
                raise ConfigError(file, prefix, f"the combination {{{combo}}} is not a valid architecture: "
                                                f"{exc.key}: {exc.message}") from None
            if extra_check is not None:
                try:
                    extra_check(r.architecture, self.extra_values(params))
                except (ConfigError, ValueError) as exc:
                    raise ConfigError(file, prefix, f"the combination {{{combo}}} cannot be evaluated: {exc}") \
                        from None
            for f in r.fits:
                k = (f["key"], f["requested"], f["used"], f["reason"])
                fits.setdefault(k, {**f, "count": 0})["count"] += 1
        return {"checked": n, "exhaustive": exhaustive, "size": self.size(), "fits": list(fits.values())}

    def describe(self) -> list[str]:
        """One line per dimension."""
        return [f"{d.key}: {d.describe()}" for d in self.dimensions]

