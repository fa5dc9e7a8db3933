"""Fuzzing the flow loader: whatever a flow file holds, only ConfigError escapes, quickly, with a short message.

The cases are mutations of the shipped flow files (``flows/*.yaml``), drawn
from a seeded generator: byte flips, insertions and deletions; nasty YAML
tokens (deep nesting, anchors and aliases, tags, huge integers, escapes);
structural edits of the parsed tree (values replaced by values of every other
type, keys deleted, unknown or duplicated keys); re-encodings (UTF-16,
UTF-32, Latin-1); alias bombs.  The default run draws :data:`N_CASES`
cases (a few seconds); ``benchmarks/fuzz_loader.py`` runs the same generator
for many more and reports the counts.
"""
from __future__ import annotations

import collections
import copy
import random
import time
from pathlib import Path

import pytest
import yaml

from pycodesign.config import ConfigError
from pycodesign.config.yaml_io import parse_yaml
from pycodesign.flows import flow_from_dict, load_flow

ROOT = Path(__file__).resolve().parents[1]
#: Cases in the default run.
N_CASES = 3000
#: Seed of the default run.
SEED = 20240808
#: Bound on one load_flow call (s): normal calls take ~1 ms; generous for a loaded 2-core machine.
PER_CALL_BOUND_S = 2.0
#: Every this many cases goes through a real file (the rest through the same code from the bytes).
FILE_EVERY = 10
#: Bound on a ConfigError message (characters).
MESSAGE_BOUND = 1500
#: The loader's safety net for exceptions no check anticipated: must never be reached.
SAFETY_NET_TEXT = "gap in the kit's checks"

_TOKENS = [
    b"[" * 200, b"]", b"{", b"}", b"[[[[[[[[[[", b"&a ", b"*a", b"*b", b"&b [*a, *a, *a]", b": ", b"\n- ", b"- ",
    b"!!binary aGVsbG8=", b"!!set", b"!!python/object:os.system", b"!!float", b"!!int", b"!!str", b"!!timestamp ",
    b'"\\ud800"', b'"\\udc80x"', b'"\\x00"', b"9" * 400, b"9" * 5000, b"-" + b"9" * 400, b".inf", b"-.inf", b".nan",
    b"1e400", b"0x" + b"f" * 300, b"<<: *a", b"\t", b"%YAML 1.1\n", b"---\n", b"...\n", b"\x00", b"\xe9", b"\xff\xfe",
    b"\xef\xbb\xbf", b"? [a, b]\n: 1\n", b"`touch MARK`", b"$(touch MARK)", b"\nshell touch MARK\n",
    b"\n.include /etc/passwd\n", b"'", b'"', b"#", b"|\n  text\n", b">\n  folded\n", b"2001-12-14", b"2001-13-45",
    b"~", b"null", b"yes", b"no", b"on", b"1:30", b"0o777", b"\xe2\x80\xa8", b"\r", b"\x1b[31m", b"\xf0\x9f\x92\xa5",
]

_NASTY_VALUES = [
    None, True, False, 0, -1, 1, 2**70, 10**400, -(10**400), 1e308, -1e308, 5e-324, 0.5, -0.0,
    float("inf"), float("-inf"), float("nan"), "", " ", "x" * 300, "`touch MARK`", "$(touch MARK)", "a\nshell touch M",
    "..", "/etc", "a/b", "é", "\u2028", "1e-3", "ten", [], [1], [1.0, 2.0, 3.0], ["a"], [[1]], {}, {"a": 1},
    {"model": "hp"}, [None], "characterize", "crossbar_inference", "linear", "vteam", "qmm", "slp", "mlp",
]


def seed_files() -> list[tuple[str, bytes]]:
    """The shipped flow files (name, bytes): the fuzzer's starting points."""
    files = sorted((ROOT / "flows").glob("*.yaml"))
    assert files, "flows/ holds no YAML files to mutate"
    return [(f.name, f.read_bytes()) for f in files]


_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_PARSED: dict[bytes, object] = {}


def _parsed(data: bytes):
    if data not in _PARSED:
        _PARSED[data] = yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return _PARSED[data]


def _nested(rng: random.Random, depth: int):
    v = rng.choice(_NASTY_VALUES[:20])
    for _ in range(depth):
        v = [v] if rng.random() < 0.5 else {"k": v}
    return v


def _mutate_tree(rng: random.Random, data):
    """Replace, delete, add or rename something in the parsed flow."""
    if not isinstance(data, dict):
        return _nested(rng, 3)
    paths = []

    def walk(obj, path):
        if isinstance(obj, dict):
            for k, v in obj.items():
                paths.append((obj, k))
                walk(v, path + [k])
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                paths.append((obj, i))
                walk(v, path + [i])

    walk(data, [])
    if not paths:
        return data
    for _ in range(rng.randint(1, 3)):
        parent, key = rng.choice(paths)
        op = rng.random()
        try:
            if op < 0.55:
                parent[key] = rng.choice(_NASTY_VALUES) if rng.random() < 0.85 else _nested(rng, rng.randint(1, 90))
            elif op < 0.7 and isinstance(parent, dict):
                del parent[key]
            elif op < 0.85 and isinstance(parent, dict):
                parent[rng.choice(["colour", "kind", 1, None, True, "x" * 50, "é"])] = rng.choice(_NASTY_VALUES)
            else:
                data["kind"] = rng.choice(_NASTY_VALUES + ["characterize", "crossbar_inference"])
        except (KeyError, IndexError, TypeError):
            pass
    return data


def _bomb(rng: random.Random) -> bytes:
    width, depth = rng.randint(2, 12), rng.randint(3, 12)
    lines = [b"kind: characterize", b'a0: &a0 ["lol"]']
    for k in range(1, depth):
        refs = b", ".join([f"*a{k - 1}".encode()] * width)
        lines.append(f"a{k}: &a{k} [".encode() + refs + b"]")
    return b"\n".join(lines) + b"\n"


def mutate(rng: random.Random, seeds: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    """One fuzz case: (mutation class, file bytes)."""
    name, data = rng.choice(seeds)
    r = rng.random()
    if r < 0.25:
        b = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            op = rng.random()
            pos = rng.randrange(len(b) + 1)
            if op < 0.4 and b:
                b[min(pos, len(b) - 1)] = rng.randrange(256)
            elif op < 0.7:
                b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
            elif op < 0.85:
                del b[pos:pos + rng.randint(1, 40)]
            else:
                b = b[:pos]
        return "bytes", bytes(b)
    if r < 0.55:
        b = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(b) + 1)
            b[pos:pos] = rng.choice(_TOKENS)
        return "tokens", bytes(b)
    if r < 0.85:
        tree = _mutate_tree(rng, copy.deepcopy(_parsed(data)))
        try:
            text = yaml.dump(tree, Dumper=_Dumper, sort_keys=False, allow_unicode=rng.random() < 0.5)
        except (yaml.YAMLError, RecursionError, ValueError):
            text = "kind: characterize\n"
        return "tree", text.encode("utf-8", "surrogatepass")
    if r < 0.9:
        lines = data.split(b"\n")
        k = rng.randrange(len(lines))
        lines.insert(rng.randrange(len(lines) + 1), lines[k])  # often a duplicate key
        return "duplicate", b"\n".join(lines)
    if r < 0.96:
        enc = rng.choice(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"])
        text = data.decode("utf-8") + rng.choice(["", "# café\n", "name: 'Grüße'\n"])
        return "encoding", text.encode(enc, errors="replace")
    return "bomb", _bomb(rng)


def run_cases(n: int, seed: int, folder: Path, *, bound_s: float = PER_CALL_BOUND_S):
    """Load *n* fuzz cases; returns (outcome counts, slowest call (s), failures).

    Outcomes: ``loaded`` (a valid flow) or ``ConfigError``; anything else,
    a safety-net message, an over-long message or a call over *bound_s* is a
    failure (mutation class, exception text, the case's file).
    """
    rng = random.Random(seed)
    seeds = seed_files()
    counts: collections.Counter = collections.Counter()
    slowest = 0.0
    failures = []
    for i in range(n):
        kind, data = mutate(rng, seeds)
        path = folder / f"case{i % 64}.yaml"
        # Every FILE_EVERY-th case goes through a real file and load_flow; the others through
        # what load_flow does after reading the bytes (parse_yaml, then flow_from_dict), because
        # small-file writes cost ~2 ms each on the test machines' disks.
        via_file = i % FILE_EVERY == 0
        if via_file:
            path.write_bytes(data)
        t0 = time.perf_counter()
        try:
            if via_file:
                load_flow(path)
            else:
                flow_from_dict(parse_yaml(data, file=str(path)), file=str(path))
            outcome = "loaded"
        except ConfigError as exc:
            outcome = "ConfigError"
            msg = str(exc)
            if SAFETY_NET_TEXT in msg or len(msg) > MESSAGE_BOUND or str(path) not in msg:
                failures.append((kind, f"bad message ({len(msg)} chars): {msg[:300]}", data[:300]))
        except BaseException as exc:  # noqa: BLE001 - this is what the test looks for
            outcome = type(exc).__name__
            failures.append((kind, f"{type(exc).__name__}: {str(exc)[:300]}", data[:300]))
        dt = time.perf_counter() - t0
        slowest = max(slowest, dt)
        if dt > bound_s:
            failures.append((kind, f"took {dt:.2f} s (bound {bound_s} s)", data[:300]))
        counts[(kind, outcome)] += 1
    return counts, slowest, failures


def test_fuzzed_flow_files_only_raise_config_error_quickly(tmp_path):
    t0 = time.perf_counter()
    counts, slowest, failures = run_cases(N_CASES, SEED, tmp_path)
    total = time.perf_counter() - t0
    summary = ", ".join(f"{k[0]}/{k[1]}: {v}" for k, v in sorted(counts.items()))
    print(f"\n{N_CASES} cases in {total:.1f} s (slowest call {slowest * 1e3:.0f} ms): {summary}")
    assert not failures, f"{len(failures)} bad outcome(s), first: {failures[:3]}"
    assert sum(counts.values()) == N_CASES
    # the generator must really exercise both sides: some cases load, most are refused
    loaded = sum(v for (_, o), v in counts.items() if o == "loaded")
    assert 0 < loaded < N_CASES, summary
    for kind in ("bytes", "tokens", "tree", "duplicate", "encoding", "bomb"):
        assert any(k == kind for k, _ in counts), f"mutation class {kind} never drawn"


# --------------------------------------------------------------------------- the classes, one by one

_BASE = "kind: characterize\ndevice:\n  model: hp\n"
_BOMB = (b'kind: characterize\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
         + b"".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n".encode() for p, c in zip("abcdefgh", "bcdefghi")))

CLASSES = {
    "latin-1": (("kind: characterize\nname: café\n").encode("latin-1"), "is not UTF-8"),
    "utf-16": (_BASE.encode("utf-16"), "UTF-16"),
    "utf-16 without BOM": (_BASE.encode("utf-16-le"), "UTF-16"),
    "binary": (bytes(range(256)) * 4, "binary"),
    "deep nesting": (("kind: characterize\nx: " + "[" * 5000 + "]" * 5000 + "\n").encode(), "nest"),
    "kind is a list": (b"kind: [characterize]\n", "kind: ['characterize'] is not a known flow kind"),
    "400-digit float": (("kind: characterize\npulses:\n  width_s: " + "9" * 400 + "\n").encode(), "too large"),
    "5000-digit integer": (("kind: characterize\npulses:\n  n_pulses: " + "9" * 5000 + "\n").encode(),
                           "pulses.n_pulses: an integer of 5000 digits"),
    "duplicate key": (b"kind: characterize\ndevice:\n  model: hp\ndevice:\n  model: vteam\n",
                      "device: duplicate key (at line 2, column 1 and line 4, column 1)"),
    "nested duplicate key": (b"kind: characterize\ndevice:\n  model: hp\n  model: vteam\n", "device.model: duplicate key"),
    "alias bomb": (_BOMB, "expands to more than"),
    "recursive alias": (b"kind: characterize\na: &a [*a]\n", "recursive"),
    "lone surrogate": (b'kind: characterize\nname: "x\\ud800y"\n', "Unicode"),
    "python tag": (b"kind: characterize\ndevice: !!python/object:os.system {}\n", "could not determine a constructor"),
    "not a mapping": (b"- kind: characterize\n", "must be a YAML mapping"),
    "empty": (b"", "must be a YAML mapping"),
}


@pytest.mark.parametrize("case", list(CLASSES))
def test_each_malformed_class_is_a_short_config_error_naming_the_file(case, tmp_path):
    data, text = CLASSES[case]
    path = tmp_path / "flow.yaml"
    path.write_bytes(data)
    t0 = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        load_flow(path)
    dt = time.perf_counter() - t0
    msg = str(info.value)
    assert msg.startswith(f"{path}: "), msg
    assert text in msg, msg
    assert len(msg) < 700, f"{len(msg)} characters: {msg[:200]}"
    assert dt < PER_CALL_BOUND_S, f"{case} took {dt:.2f} s"


def test_alias_bomb_fails_fast_and_small(tmp_path):
    # 9 levels of 9 aliases: ~400 bytes that PyYAML would expand to 387 million strings
    assert len(_BOMB) < 600
    path = tmp_path / "bomb.yaml"
    path.write_bytes(_BOMB)
    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match="expands to more than 200000 values") as info:
        load_flow(path)
    assert time.perf_counter() - t0 < 0.5
    assert len(str(info.value)) < 300


def test_plain_data_from_python_is_bounded_too():
    deep = "x"
    for _ in range(2000):
        deep = [deep]
    with pytest.raises(ConfigError, match="nested more than 64 levels"):
        flow_from_dict({"kind": "characterize", "device": {"params": {"r_on": deep}}}, file="py")
    loop: list = []
    loop.append(loop)
    with pytest.raises(ConfigError, match="contains itself"):
        flow_from_dict({"kind": "characterize", "x": loop}, file="py")
    shared = [1.0] * 10
    for _ in range(8):
        shared = [shared] * 10  # 10^9 leaves through shared references, a few kB of objects
    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match="more than 200000 values"):
        flow_from_dict({"kind": "characterize", "x": shared}, file="py")
    assert time.perf_counter() - t0 < 2.0
    with pytest.raises(ConfigError, match="device.params.r_on: an integer of more than 1000 digits"):
        flow_from_dict({"kind": "characterize", "device": {"params": {"r_on": 10**2000}}}, file="py")


@pytest.mark.parametrize("case", ["latin-1", "deep nesting", "kind is a list", "alias bomb", "duplicate key"])
def test_cli_exits_2_on_malformed_files(case, tmp_path, capsys):
    from pycodesign.cli import main

    path = tmp_path / "flow.yaml"
    path.write_bytes(CLASSES[case][0])
    assert main(["run", str(path), "--out", str(tmp_path / "res")]) == 2
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: ") and "Traceback" not in err
    assert not (tmp_path / "res").exists()
