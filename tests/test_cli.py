"""The command-line contract: window parsing, import-mumax3 and error reporting."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from surrogate.cli import CliError, main, parse_window
from surrogate.io.trace import load_trace


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


def test_module_entry_point_prints_help():
    done = subprocess.run([sys.executable, "-m", "surrogate", "--help"],
                          capture_output=True, text=True, check=True)
    for command in ("import-mumax3", "train", "evaluate", "predict", "render", "simulate",
                    "fit-input-noise", "predict-noisy"):
        assert command in done.stdout


def test_fit_input_noise_then_predict_noisy(driven_model, tmp_path):
    from surrogate.node.rollout import evaluate_model

    model, trace = driven_model
    noise = tmp_path / "input_noise.json"
    assert main(["fit-input-noise", str(model), str(trace), "--out", str(noise)]) == 0
    sigma = json.loads(noise.read_text())["sigma"]
    assert sigma > 0
    paths_file = tmp_path / "paths.npz"
    assert main(["predict-noisy", str(model), str(noise), str(trace), "--samples", "5",
                 "--out", str(paths_file)]) == 0
    with np.load(paths_file) as saved:
        assert saved["paths"].shape == (5, 300, 1)
        assert saved["sigma"] == pytest.approx(sigma)
        assert saved["paths"][:, 2:].std(axis=0).mean() > 0
    noise.write_text(json.dumps({"sigma": 0.0}))
    assert main(["predict-noisy", str(model), str(noise), str(trace), "--samples", "2",
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
    assert main(["predict-noisy", str(model), str(noise), str(trace), "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert str(noise) in error
    assert "sigma" in error or "not a readable" in error
    assert not out.exists()
