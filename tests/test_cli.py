"""The command-line contract: window parsing, import-mumax3 and error reporting."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from surrogate.cli import main
from surrogate.io.trace import load_trace
from surrogate.stages.options import CliError, parse_window


def test_parse_window():
    assert parse_window("1e-8:6e-8") == (1e-8, 6e-8)
    assert parse_window(":6e-8") == (None, 6e-8)
    assert parse_window(None) == (None, None)
    for bad in ("1e-8", "a:b", "6e-8:1e-8"):
        with pytest.raises(CliError, match="--window"):
            parse_window(bad)


def test_import_mumax3_real_table(shared_reference, tmp_path):
    out = tmp_path / "t.npz"
    table = shared_reference / "1skyrmion_voltage_train" / "table.txt"
    assert main(["import-mumax3", str(table), "--input", "Ku1.region100",
                 "--output", "mz", "--out", str(out)]) == 0
    trace = load_trace(out)
    assert len(trace.t) == 60001  # 150 ns every 2.5 ps, both ends included
    assert trace.input_units == ["J/m3"] and trace.output_names == ["mz"]
    assert trace.t[0] == pytest.approx(1e-9)
    assert np.diff(trace.t).mean() == pytest.approx(2.5e-12, rel=1e-3)


def test_missing_column_is_a_clear_error(shared_reference, tmp_path, capsys):
    table = shared_reference / "1skyrmion_voltage_train" / "table.txt"
    code = main(["import-mumax3", str(table), "--input", "Ku1.region7",
                 "--output", "mz", "--out", str(tmp_path / "t.npz")])
    assert code == 1
    assert "Ku1.region7" in capsys.readouterr().err


#: The commands users type, in --help order, then every group command (COMMANDS.md).
USER_COMMANDS = ("render", "simulate", "extract", "import-mumax3", "train", "evaluate", "predict",
                 "benchmark")
GROUP_COMMANDS = {
    "noise": ("fit", "sample", "fit-input", "predict"),
    "experiment": ("sine-square", "recognition-score", "parameter-sweep", "reservoir"),
    "figure": ("overlay", "skyrmion", "speed", "mackey-glass", "parameters", "recognition"),
    "summary": ("benchmarks", "metrics"),
}


def _surrogate(*args: str) -> str:
    return subprocess.run([sys.executable, "-m", "surrogate", *args], capture_output=True,
                          text=True, check=True).stdout


def test_help_fits_one_screen_with_the_users_commands_first():
    lines = _surrogate("--help").splitlines()
    assert len(lines) <= 40
    listed = [line.split()[0] for line in lines if line.startswith("  ") and line.split()]
    assert tuple(listed[: len(USER_COMMANDS)]) == USER_COMMANDS
    for group, commands in GROUP_COMMANDS.items():
        row = next(line for line in lines if line.split()[:1] == [group])
        assert row.split(None, 1)[1].split(", ") == list(commands)


@pytest.mark.parametrize("command", [(name,) for name in USER_COMMANDS] + [
    (group, name) for group, names in GROUP_COMMANDS.items() for name in names])
def test_every_command_is_reachable(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    assert f"python -m surrogate {' '.join(command)}" in capsys.readouterr().out


@pytest.mark.parametrize("old", ["fit-noise", "sample", "skyrmion-figure", "metrics"])
def test_old_names_are_gone(old, capsys):
    with pytest.raises(SystemExit) as done:
        main([old])
    assert done.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_version_and_console_script():
    from importlib.metadata import version

    import surrogate

    assert _surrogate("--version").strip() == f"surrogate {surrogate.__version__}"
    assert version("spin-node-surrogate") == surrogate.__version__
    script = Path(sys.executable).with_name("spin-surrogate")
    if not script.exists():
        pytest.skip(f"{script}: the console script is not installed beside this Python")
    console = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    assert console.stdout == _surrogate("--help")


def test_building_the_parser_imports_nothing_heavy():
    heavy = ("torch", "numpy", "yaml", "jsonschema", "matplotlib", "surrogate.config.loader",
             "surrogate.node", "surrogate.engines.mumax3", "surrogate.engines.magnumnp")
    source = ("import sys\nfrom surrogate.cli import build_parser\nbuild_parser()\n"
              f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r} "
              f"or m.startswith({heavy!r})))")
    done = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(("options", "policy"), [
    ([], "NO"), (["--resume"], "STRICT"), (["--resume-or-restart"], "OR_RESTART")])
def test_train_resume_options_name_a_resume_policy(options, policy):
    from surrogate.cli import build_parser
    from surrogate.node.sidecars import Resume

    args = build_parser().parse_args(["train", "t.npz", "--out", "m.pt", *options])
    assert Resume(args.resume) is Resume[policy]


def test_fit_input_noise_then_predict_noisy(driven_model, tmp_path):
    from surrogate.node.rollout import evaluate_model

    model, trace = driven_model
    noise = tmp_path / "input_noise.json"
    assert main(["noise", "fit-input", str(model), str(trace), "--out", str(noise)]) == 0
    sigma = json.loads(noise.read_text())["sigma"]
    assert sigma > 0
    paths_file = tmp_path / "paths.npz"
    assert main(["noise", "predict", str(model), str(noise), str(trace), "--samples", "5",
                 "--out", str(paths_file)]) == 0
    with np.load(paths_file) as saved:
        assert saved["paths"].shape == (5, 300, 1)
        assert saved["sigma"] == pytest.approx(sigma)
        assert saved["paths"][:, 2:].std(axis=0).mean() > 0
    noise.write_text(json.dumps({"sigma": 0.0}))
    assert main(["noise", "predict", str(model), str(noise), str(trace), "--samples", "2",
                 "--out", str(paths_file)]) == 0
    with np.load(paths_file) as saved:
        np.testing.assert_allclose(saved["paths"][1], evaluate_model(model, load_trace(trace))
                                   .predicted, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("content", ['{"sigma": "0.1"}', '{"sigma": NaN}', '{"sigma": -1}',
                                     '{"width": 0.1}', "not json"])
def test_predict_noisy_names_a_malformed_noise_file(driven_model, tmp_path, capsys, content):
    model, trace = driven_model
    noise = tmp_path / "input_noise.json"
    noise.write_text(content)
    out = tmp_path / "paths.npz"
    assert main(["noise", "predict", str(model), str(noise), str(trace), "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert str(noise) in error
    assert "sigma" in error or "not a readable" in error
    assert not out.exists()
