"""Sine/square recognition (figure 4): the input, the readout, the experiment's config, the CLI."""

from __future__ import annotations

import copy
import json
from dataclasses import fields

import numpy as np
import pytest

from surrogate.analysis.recognition import (
    SINE,
    SQUARE,
    Readout,
    classify_points,
    constant_answer_accuracy,
    readout_features,
    score_outputs,
    sine_square_sequence,
)
from surrogate.cli import main
from surrogate.config.loader import load_schema, parse_config
from surrogate.config.recognition_spec import RecognitionExperiment, RecognitionSpecError
from surrogate.io.paths import PathsError, load_paths
from surrogate.io.trace import Trace, save_trace

POINT_TIME = 1e-10  # s


def test_sequence_is_made_of_whole_sine_and_square_periods():
    values, labels = sine_square_sequence(40, 8, seed=3)
    assert values.shape == labels.shape == (320,)
    sine = np.sin(2 * np.pi * np.arange(8) / 8)
    square = np.array([1, 1, 1, 1, -1, -1, -1, -1], dtype=float)
    for period, kinds in zip(values.reshape(40, 8), labels.reshape(40, 8), strict=True):
        assert len(set(kinds)) == 1
        np.testing.assert_allclose(period, square if kinds[0] == SQUARE else sine, atol=1e-15)
    assert 0.3 < labels.mean() < 0.7
    again, _ = sine_square_sequence(40, 8, seed=3)
    other, _ = sine_square_sequence(40, 8, seed=4)
    np.testing.assert_array_equal(values, again)
    assert not np.array_equal(values, other)


def test_features_read_each_point_and_its_predecessors():
    t = np.arange(0, 10 * POINT_TIME + 1e-15, POINT_TIME / 10)
    outputs = np.floor(t / POINT_TIME + 1e-9)[:, None]  # the point's index, held over the point
    features = readout_features(t, outputs, 0.0, POINT_TIME, 10, taps=2, delays=1)
    assert features.shape == (10, 1 + 2 * 2)
    np.testing.assert_allclose(features[:, 0], 1.0)
    np.testing.assert_allclose(features[:, 1], np.arange(10))
    np.testing.assert_allclose(features[1:, 3], np.arange(9))
    np.testing.assert_allclose(features[0, 3:], 0.0)
    with pytest.raises(ValueError, match="do not cover"):
        readout_features(t, outputs, 0.0, POINT_TIME, 20, taps=2, delays=1)


def _held(values: np.ndarray, per_point: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Times (s) and values held over each point, sampled `per_point` times a point."""
    t = np.arange(len(values) * per_point) * POINT_TIME / per_point
    return t, np.repeat(values, per_point)


def test_a_linear_response_cannot_tell_sine_from_square_but_a_nonlinear_one_can():
    values, labels = sine_square_sequence(60, 8, seed=1)
    readout = Readout(start=0.0, point_time=POINT_TIME, n_train=240, taps=2, delays=2, ridge=1e-6)
    t, held = _held(values)
    linear = score_outputs(t, held[:, None], labels, readout)
    rectified = score_outputs(t, np.abs(held)[:, None], labels, readout)
    assert linear.test_accuracy < 0.7  # u -> -u maps each class onto itself
    assert rectified.test_accuracy > 0.95
    assert rectified.predicted.shape == labels.shape


def test_constant_answer_level_and_bad_training_split():
    labels = np.array([SINE, SQUARE, SQUARE, SQUARE, SINE, SQUARE, SQUARE, SQUARE])
    assert constant_answer_accuracy(labels, 4) == 0.75
    with pytest.raises(ValueError, match="n_train"):
        classify_points(np.ones((8, 2)), labels, 8, 1e-3)
    with pytest.raises(ValueError, match="NaN"):
        classify_points(np.full((8, 2), np.nan), labels, 3, 1e-3)


def test_schema_and_dataclass_have_the_same_settings():
    properties = load_schema()["$defs"]["recognition_experiment"]["properties"]
    assert set(properties) == {item.name for item in fields(RecognitionExperiment)}


def test_default_config_defines_a_consistent_experiment(default_config):
    run = parse_config(default_config, "config.yaml")
    experiment = RecognitionExperiment.from_dict(
        default_config["experiments"]["recognition"], "config.yaml")
    experiment.check_against(run.devices, run.drives, "config.yaml")
    assert set(run.main_devices()).isdisjoint(
        {experiment.thermal_device, experiment.clean_device})
    drive = run.drives[experiment.drive]
    assert experiment.n_periods(drive) * experiment.points_per_period == drive.n_values


@pytest.mark.parametrize(("change", "field"), [
    ({"taps": 0}, "experiments.recognition.taps"),
    ({"noise_lags": [5, 2]}, "experiments.recognition.noise_lags"),
    ({"train_fraction": 1.0}, "experiments.recognition.train_fraction"),
    ({"colour": "red"}, "experiments.recognition.colour"),
])
def test_bad_settings_name_the_file_and_field(default_config, change, field):
    raw = dict(default_config["experiments"]["recognition"], **change)
    with pytest.raises(RecognitionSpecError, match=f"my.yaml: field '{field}'"):
        RecognitionExperiment.from_dict(raw, "my.yaml")


def test_devices_and_drive_are_checked_against_the_config(default_config):
    config = copy.deepcopy(default_config)
    experiment = RecognitionExperiment.from_dict(config["experiments"]["recognition"], "c.yaml")
    config["devices"][experiment.thermal_device]["temperature"] = 0.0
    run = parse_config(config, "c.yaml")
    with pytest.raises(RecognitionSpecError, match="thermal_device'.*temperature 0"):
        experiment.check_against(run.devices, run.drives, "c.yaml")
    config = copy.deepcopy(default_config)
    config["drives"][experiment.drive]["n_values"] += 1
    run = parse_config(config, "c.yaml")
    with pytest.raises(RecognitionSpecError, match=f"drives.{experiment.drive}.n_values"):
        experiment.check_against(run.devices, run.drives, "c.yaml")


def _records(tmp_path, values, labels, noise=0.05):
    """A fake device output (a rectifier), as trace, prediction and two path files."""
    t, held = _held(values)
    rng = np.random.default_rng(0)
    response = np.abs(held)
    noisy = response + noise * rng.standard_normal(len(t))
    trace = Trace(t, held[:, None] * 1e11, noisy[:, None],
                  ["Jz"], ["R_envelope"], ["A/m2"], ["Ohm"], {})
    clean = Trace(t, held[:, None] * 1e11, response[:, None], ["Jz"], ["R_envelope"], ["A/m2"],
                  ["Ohm"], {})
    save_trace(trace, tmp_path / "sim.npz")
    save_trace(clean, tmp_path / "node.npz")
    paths = response[None, :, None] + noise * rng.standard_normal((3, len(t), 1))
    for name in ("input_noise", "stochastic"):
        np.savez(tmp_path / f"{name}.npz", t=t, paths=paths)
    np.savetxt(tmp_path / "labels.txt", labels, fmt="%d")


def test_cli_scores_four_records_and_draws_the_figure(tmp_path):
    assert main(["experiment", "sine-square", "--periods", "30", "--seed", "2", "--out",
                 str(tmp_path / "values.txt"), "--labels", str(tmp_path / "labels.txt")]) == 0
    values, labels = np.loadtxt(tmp_path / "values.txt"), np.loadtxt(tmp_path / "labels.txt")
    expected = sine_square_sequence(30, 8, 2)
    np.testing.assert_allclose(values, expected[0])
    np.testing.assert_array_equal(labels, expected[1])
    _records(tmp_path, values, labels.astype(int))
    records = ["--simulation", str(tmp_path / "sim.npz"), "--node", str(tmp_path / "node.npz"),
               "--input-noise", str(tmp_path / "input_noise.npz"),
               "--stochastic", str(tmp_path / "stochastic.npz")]
    out = tmp_path / "accuracy.json"
    assert main(["experiment", "recognition-score", "--labels", str(tmp_path / "labels.txt"),
                 *records, "--point-time", str(POINT_TIME), "--train-points", "120",
                 "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert set(result["accuracy"]) == {"simulation", "node", "node_input_noise", "stochastic"}
    assert result["accuracy"]["node"] == 1.0
    assert len(result["path_accuracies"]["stochastic"]) == 3
    assert result["points"] == {"train": 120, "test": 120}
    png, pdf = tmp_path / "fig.png", tmp_path / "fig.pdf"
    assert main(["figure", "recognition", "--labels", str(tmp_path / "labels.txt"), *records,
                 "--accuracy", str(out), "--point-time", str(POINT_TIME),
                 "--out", str(png), "--pdf", str(pdf)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG" and pdf.read_bytes()[:4] == b"%PDF"


def test_bad_paths_and_labels_files_are_refused(tmp_path, capsys):
    bad = tmp_path / "bad.npz"
    np.savez(bad, t=np.arange(3.0), paths=np.full((2, 3, 1), np.nan))
    with pytest.raises(PathsError, match="bad.npz: field 'paths' holds NaN"):
        load_paths(bad)
    np.savez(bad, t=np.arange(3.0))
    with pytest.raises(PathsError, match="field 'paths' is missing"):
        load_paths(bad)
    (tmp_path / "labels.txt").write_text("0\n2\n")
    args = ["experiment", "recognition-score", "--labels", str(tmp_path / "labels.txt"),
            "--simulation", "s.npz", "--node", "n.npz", "--input-noise", "i.npz",
            "--stochastic", "x.npz", "--point-time", "1e-10", "--train-points", "1",
            "--out", str(tmp_path / "a.json")]
    assert main(args) == 1
    assert "labels.txt: labels must be" in capsys.readouterr().err


def test_yaml_merge_keys_are_read_and_duplicates_still_refused(tmp_path):
    from surrogate.config.loader import ConfigError, read_yaml

    path = tmp_path / "c.yaml"
    path.write_text("a: &base {x: 1, y: 2}\nb:\n  <<: *base\n  y: 3\n")
    assert read_yaml(path) == {"a": {"x": 1, "y": 2}, "b": {"x": 1, "y": 3}}
    path.write_text("b:\n  <<: {x: 1}\n  y: 3\n  y: 4\n")
    with pytest.raises(ConfigError, match="given twice"):
        read_yaml(path)
