"""Issue 8, section 1: no user or environment string reaches ngspice's control language or a shell.

Every payload is either refused with a clear error before anything runs, or
runs correctly with the payload inert: no marker file appears, no payload
text reaches any deck, and the results equal those of a plain folder.
Positive controls show that the payloads are live when handed to ngspice
directly, so the tests can fail.
"""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml

from pycodesign import toolchain
from pycodesign.cli import main

ROOT = Path(__file__).resolve().parents[1]
MARK = "PWNED_MARK"

#: Payloads for one folder-name component (no "/" inside, so they stay one component).
COMPONENT_PAYLOADS = {
    "backquote": f"a`touch {MARK}1`b",
    "dollar-paren": f"a$(touch {MARK}2)b",
    "dollar-var": "x$HOME${HOME}",
    "semicolon": f"a;shell touch {MARK}3",
    "quotes": "a'b\"c",
    "space": "with space",
    "unicode": "résumé-実験",
}
#: Payloads that carry a new control-language line.
NEWLINE_PAYLOADS = {
    "newline-shell": f"a\nshell touch {MARK}4\n",
    "newline-include": "a\n.include /etc/passwd\n",
}
#: Names that are refused where one folder name is meant.
BAD_NAMES = {**{k: v for k, v in COMPONENT_PAYLOADS.items() if k not in ("space", "unicode")},
             **NEWLINE_PAYLOADS, "dotdot": "..", "absolute": "/etc/x", "slash": "a/b", "empty": "",
             "lone-surrogate": "x\udc80y"}


def _quick_flow(path: Path, **outputs) -> Path:
    path.write_text(yaml.safe_dump({
        "kind": "characterize", "name": "quick", "device": {"model": "hp"},
        "sweeps": {"shapes": ["sine"], "points_per_period": 100},
        "pulses": {"n_pulses": 3}, "read_disturb": {"n_reads": 3},
        "outputs": {"plots": False, **outputs}}))
    return path


def _markers(*folders: Path) -> list[Path]:
    found = []
    for f in folders:
        found += [p for p in Path(f).rglob(f"{MARK}*") if p.is_file()]
    return found


def _assert_decks_clean(run: Path, forbidden: list[str]) -> int:
    decks = list(run.rglob("circuit.cir"))
    assert decks, f"no decks under {run}"
    for deck in decks:
        text = deck.read_text()
        for bad in forbidden:
            assert bad not in text, f"{bad!r} reached {deck}"
        control = text[text.index(".control"):]
        for line in control.splitlines():
            if line.startswith(("pre_osdi", "write")):
                assert "/" not in line, f"absolute path in the control block of {deck}: {line!r}"
    return len(decks)


# --------------------------------------------------------------------------- positive controls


def test_positive_control_ngspice_runs_backquotes_and_spiceinit(tmp_path):
    """The payloads are live when given to ngspice as the kit used to: the tests below can fail."""
    exe = toolchain.ngspice_path()
    work = tmp_path / "w"
    work.mkdir()
    (work / ".spiceinit").write_text(f"shell touch {MARK}_spiceinit\n")
    deck = work / "c.cir"
    deck.write_text(f"t\nR1 1 0 1k\nV1 1 0 DC 1\n.control\nop\nwrite a`touch {MARK}_bq`.raw\nquit 0\n.endc\n.end\n")
    subprocess.run([exe, "-b", deck.name], cwd=work, capture_output=True, timeout=60)
    names = sorted(p.name for p in _markers(work))
    assert f"{MARK}_bq" in names and f"{MARK}_spiceinit" in names, names


# --------------------------------------------------------------------------- the runners


def test_run_batch_ignores_a_spiceinit_in_its_folder(tmp_path):
    from pycodesign.spice import run_batch

    work = tmp_path / "w"
    work.mkdir()
    (work / ".spiceinit").write_text(f"shell touch {MARK}_spiceinit\nset num_threads=8\n")
    res = run_batch("t\nR1 1 0 1k\nV1 1 0 DC 1\n", ["op"], workdir=work)
    assert abs(res["i(v1)"][0] + 1e-3) < 1e-12
    assert not _markers(tmp_path)


@pytest.mark.parametrize("engine", ["batch", "shared"])
@pytest.mark.parametrize("bad, what", [
    ("op\nshell touch X", "analysis"), ("op `touch X`", "analysis"), ("op $HOME", "analysis"),
    ("op; shell touch X", "analysis"), ("tran 1n 1u 'x'", "analysis"), ('op "x"', "analysis"),
])
def test_runners_refuse_control_lines_with_payloads(engine, bad, what, tmp_path):
    from pycodesign.spice import run_batch, run_shared

    run = run_batch if engine == "batch" else run_shared
    with pytest.raises(ValueError, match=f"ngspice {what} .* contains"):
        run("t\nR1 1 0 1k\nV1 1 0 DC 1\n", [bad])
    with pytest.raises(ValueError, match="ngspice save list .* contains"):
        run("t\nR1 1 0 1k\nV1 1 0 DC 1\n", ["op"], save=["v(1)", "`touch X`"])
    assert not _markers(tmp_path, Path.cwd())


@pytest.mark.parametrize("engine", ["batch", "shared"])
@pytest.mark.parametrize("deck, text", [
    ("t\nR1 1 0 1k\n.include /etc/passwd\n", "'.include' line"),
    ("t\nR1 1 0 1k\n.lib /etc/passwd x\n", "'.lib' line"),
    ("t\nR1 1 0 1k\n .control\nshell touch X\n.endc\n", "'.control' line"),
    ("t\nR1 1 0 1k\rshell touch X\n", "control character '\\r'"),
    ("t\nR1 1 0 1k\x0c.control\n", "control character '\\x0c'"),
    ("t\nR1 1 0 1k\u2028.control\n", "control character"),
])
def test_runners_refuse_netlists_that_read_files_or_run_commands(engine, deck, text):
    from pycodesign.spice import run_batch, run_shared

    run = run_batch if engine == "batch" else run_shared
    with pytest.raises(ValueError) as info:
        run(deck, ["op"])
    assert text in str(info.value), str(info.value)


def test_crossbar_in_a_hostile_workdir_simulates_correctly(tmp_path):
    from pycodesign.analog import simulate_crossbar, solve_crossbar

    work = tmp_path.joinpath(*COMPONENT_PAYLOADS.values())
    rng = np.random.default_rng(3)
    g = rng.uniform(1e-5, 1e-3, (6, 4))
    v = rng.uniform(0, 0.2, (5, 6))
    i_ng = simulate_crossbar(g, v, r_row=1.0, r_col=1.0, workdir=work)
    i_sol = solve_crossbar(g, v, r_row=1.0, r_col=1.0)
    assert np.max(np.abs(i_ng - i_sol)) <= 1e-9 * np.max(np.abs(i_sol))
    assert (work / "circuit.cir").is_file() and list(work.glob("*.raw"))
    _assert_decks_clean(work, ["touch", "$HOME", str(tmp_path)])
    assert not _markers(tmp_path, Path.cwd())


def test_hostile_cache_home_and_tmpdir_paths_work_in_both_engines(tmp_path):
    """OSDI cache, HOME (with a .spiceinit) and TMPDIR under hostile paths: both engines give the numpy result."""
    hostile = tmp_path / f"ho me `touch {MARK}5` $(touch {MARK}6) $HOME;x"
    home, tmp = hostile / "home", hostile / "tmp dir"
    home.mkdir(parents=True)
    tmp.mkdir()
    (home / ".spiceinit").write_text(f"shell touch {MARK}7\n")
    script = textwrap.dedent("""
        import json, numpy as np
        from pycodesign.devices import get_model
        from pycodesign.devices.compile import cache_dir
        from pycodesign.devices.simulate import simulate_device
        m = get_model("linear")
        t = np.linspace(0, 1e-3, 60); v = 0.3 * np.sin(2 * np.pi * 1e3 * t)
        out = {"cache": str(cache_dir()), "osdi": str(m.osdi())}
        for engine in ("batch", "shared"):
            tr = simulate_device(m, t, v, engine=engine)
            ref = m.reference.simulate(tr.t, tr.v, m.resolve(), m.resolve()["g"])
            out[engine] = float(np.max(np.abs(tr.i - ref.i)) / np.max(np.abs(ref.i)))
        print(json.dumps(out))
    """)
    env = {**os.environ, "PYCODESIGN_CACHE": str(hostile / "ca che"), "HOME": str(home), "TMPDIR": str(tmp)}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["osdi"].startswith(str(hostile / "ca che")), out
    assert out["batch"] < 1e-9 and out["shared"] < 1e-9, out
    assert not _markers(tmp_path, Path.cwd())


# --------------------------------------------------------------------------- names and folders of runs


def test_hostile_results_folder_with_spaces_runs_correctly_and_payloads_stay_inert(tmp_path, capsys):
    flow = _quick_flow(tmp_path / "quick.yaml")
    plain = tmp_path / "plain"
    hostile = tmp_path.joinpath(*COMPONENT_PAYLOADS.values())
    assert " " in str(hostile)
    assert main(["run", str(flow), "--out", str(plain), "--name", "ref", "-q"]) == 0
    assert main(["run", str(flow), "--out", str(hostile), "--name", "run with space é", "-q"]) == 0
    run = hostile / "run with space é"
    meta = json.loads((run / "metadata.json").read_text())
    assert meta["status"] == "complete", meta
    n = _assert_decks_clean(run, ["touch", "$HOME", "/etc/passwd", str(tmp_path)])
    assert n == 6  # 3 sweeps, 2 pulse trains, read disturb
    a = json.loads((plain / "ref" / "metrics.json").read_text())
    b = json.loads((run / "metrics.json").read_text())
    assert a["loops"] == b["loops"] and a["pulses"] == b["pulses"] and a["read_disturb"] == b["read_disturb"]
    assert not _markers(tmp_path, Path.cwd())


@pytest.mark.parametrize("case", sorted(BAD_NAMES))
def test_bad_run_names_are_refused_before_anything_runs(case, tmp_path, capsys):
    name = BAD_NAMES[case]
    out = tmp_path / "res"
    flow = _quick_flow(tmp_path / "quick.yaml")
    assert main(["run", str(flow), "--out", str(out), "--name", name]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --name: ") and "Traceback" not in err, err
    bad_file = tmp_path / "bad.yaml"
    if "\udc80" not in name:  # a lone surrogate cannot even be written to a YAML file
        _quick_flow(bad_file, run_name=name)
        assert main(["check", str(bad_file)]) == 2
        err = capsys.readouterr().err
        assert f"{bad_file}: outputs.run_name: " in err, err
        data = yaml.safe_load(bad_file.read_text())
        data["outputs"].pop("run_name")
        data["name"] = name
        bad_file.write_text(yaml.safe_dump(data))
        assert main(["check", str(bad_file)]) == 2
        err = capsys.readouterr().err
        assert f"{bad_file}: name: " in err, err
    assert not out.exists()
    assert not _markers(tmp_path, Path.cwd())


@pytest.mark.parametrize("case", sorted(NEWLINE_PAYLOADS))
def test_results_parent_with_a_newline_is_refused(case, tmp_path, capsys):
    flow = _quick_flow(tmp_path / "quick.yaml")
    out = tmp_path / NEWLINE_PAYLOADS[case]
    assert main(["run", str(flow), "--out", str(out)]) == 2
    assert "error: --out: " in capsys.readouterr().err
    assert not out.exists() and not _markers(tmp_path)


def test_out_that_is_a_file_is_a_clear_error(tmp_path, capsys):
    flow = _quick_flow(tmp_path / "quick.yaml")
    afile = tmp_path / "results.txt"
    afile.write_text("not a folder")
    for out in (afile, afile / "sub"):
        assert main(["run", str(flow), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert f"is a file, not a folder" in err and "Traceback" not in err, err
    assert afile.read_text() == "not a folder"


# --------------------------------------------------------------------------- subprocess audit


def _subprocess_calls(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f"{getattr(f.value, 'id', '?')}.{f.attr}" if isinstance(f, ast.Attribute) else getattr(f, "id", "")
        yield node, name


def _is_string_expr(node) -> bool:
    """A str literal, f-string, or string concatenation/formatting (not a list such as ``cmd + ["-q"]``)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_string_expr(node.left) or (isinstance(node.op, ast.Add) and _is_string_expr(node.right))
    return False


def test_no_shell_anywhere_and_argument_lists_only():
    """Every subprocess call in the kit, its test benches and scripts passes an argument list, never a shell."""
    files = [*ROOT.joinpath("pycodesign").rglob("*.py"), *ROOT.joinpath("testbenches").glob("*.py"),
             *ROOT.joinpath("benchmarks").glob("*.py")]
    seen = 0
    for path in files:
        for node, name in _subprocess_calls(path):
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            assert name not in ("os.system", "os.popen", "os.execl", "os.spawnl"), f"{name} at {where}"
            if name.startswith("subprocess.") or name in ("_run",):
                seen += name.startswith("subprocess.")
                for kw in node.keywords:
                    assert not (kw.arg == "shell" and not (isinstance(kw.value, ast.Constant)
                                                           and kw.value.value is False)), f"shell= at {where}"
                if node.args:
                    assert not _is_string_expr(node.args[0]), f"a command string (not an argument list) at {where}"
    assert seen >= 8, f"only {seen} subprocess calls found: the audit is not looking at the code"
