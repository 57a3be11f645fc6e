"""The Mackey-Glass reservoir task: the series, the masked drive, states, readout, CLI, rules."""

from __future__ import annotations

import copy
import json
from dataclasses import fields, replace

import numpy as np
import pytest

from surrogate.analysis.reservoir import (
    ReservoirError,
    fit_ridge,
    horizon_scores,
    log10_gap,
    node_states,
)
from surrogate.cli import main
from surrogate.config.loader import ConfigError, load_schema, parse_config
from surrogate.config.mackey_glass_spec import (
    MackeyGlassConfigError,
    MackeyGlassExperiment,
    MackeyGlassSeries,
    ReservoirRun,
    experiment_of,
)
from surrogate.io.trace import Trace, save_trace
from surrogate.physics.drives import input_mask, masked_series, masked_values
from surrogate.physics.mackey_glass import mackey_glass_series

from .conftest import SHARED

MG_REFERENCE = SHARED / "reference" / "mg.txt"


def autocorrelation_minimum(series: np.ndarray, max_lag: int = 100) -> int:
    centred = series - series.mean()
    values = [np.dot(centred[:-lag], centred[lag:]) for lag in range(1, max_lag)]
    return 1 + int(np.argmin(values))


def test_mackey_glass_series_is_the_chaotic_benchmark():
    series = mackey_glass_series(MackeyGlassSeries(), 4000)
    assert series.shape == (4000,)
    assert abs(series.mean() - 0.93) < 0.01
    assert abs(series.std() - 0.226) < 0.01
    assert 0.40 < series.min() < 0.45 and 1.30 < series.max() < 1.34
    # the quasi-period of tau = 17 is about 50 time units: anticorrelated near half of it
    assert 20 <= autocorrelation_minimum(series) <= 30


def test_mackey_glass_integration_converges_with_the_step():
    coarse = mackey_glass_series(MackeyGlassSeries(integration_step=0.1, washout=0.0), 150)
    fine = mackey_glass_series(MackeyGlassSeries(integration_step=0.05, washout=0.0), 150)
    assert coarse[0] == fine[0] == 1.2
    assert np.max(np.abs(coarse - fine)) < 1e-4


def test_mackey_glass_step_must_divide_the_delay():
    with pytest.raises(ValueError, match="mackey_glass.tau"):
        mackey_glass_series(MackeyGlassSeries(integration_step=0.3), 10)


def test_series_statistics_match_the_authors_mg_txt():
    """Chaos forbids matching the authors' series sample by sample (their initial history is
    unknown); their statistics and quasi-period must match ours."""
    if not MG_REFERENCE.is_file():
        pytest.skip("../shared/reference/mg.txt is not present")
    reference = np.loadtxt(MG_REFERENCE)
    ours = mackey_glass_series(MackeyGlassSeries(), len(reference))
    assert abs(ours.mean() - reference.mean()) < 0.003
    assert abs(ours.std() - reference.std()) < 0.003
    assert abs(ours.min() - reference.min()) < 0.01
    assert abs(ours.max() - reference.max()) < 0.01
    assert autocorrelation_minimum(ours) == autocorrelation_minimum(reference)


def test_default_config_drives_share_series_and_mask(default_config):
    run = parse_config(copy.deepcopy(default_config), "config.yaml")
    experiment = experiment_of(run, "config.yaml")
    short = run.drives[experiment.simulated.drive]
    full = run.drives[experiment.full.drive]
    assert short.mackey_glass == full.mackey_glass == MackeyGlassSeries()
    assert np.array_equal(masked_series(short), masked_series(full)[: short.n_samples])
    values = masked_values(short).reshape(short.n_samples, short.n_virtual_nodes)
    mask = input_mask(short.n_virtual_nodes, short.mask_seed)
    assert np.allclose(values, short.scale * np.outer(masked_series(short), mask))
    assert np.allclose(mask, input_mask(full.n_virtual_nodes, full.mask_seed)[: len(mask)])
    # the drive stays inside the training drive's range of offsets (A_n in [-2, 2])
    train = run.drives[run.train_drive]
    peak = short.amplitude * np.abs(masked_values(full)).max()
    assert peak <= train.amplitude * max(abs(a) for a in train.amplitude_range)


@pytest.mark.parametrize("change, field_name", [
    (lambda drive: drive.pop("mackey_glass"), "drives.mackey_glass_short"),
    (lambda drive: drive.update(series_file="s.txt"), "drives.mackey_glass_short"),
    (lambda drive: drive.update(mackey_glass={"tau": -1.0}),
     "drives.mackey_glass_short.mackey_glass.tau"),
])
def test_masked_drive_needs_exactly_one_series(default_config, change, field_name):
    config = copy.deepcopy(default_config)
    change(config["drives"]["mackey_glass_short"])
    with pytest.raises(ConfigError, match=f"config.yaml: field '{field_name}'"):
        parse_config(config, "config.yaml")


@pytest.mark.parametrize("change, message", [
    (lambda mg: mg.update(device="absent"), "field 'experiments.mackey_glass.device'"),
    (lambda mg: mg["full"].update(drive="train"), "field 'experiments.mackey_glass.full.drive'"),
    (lambda mg: mg["simulated"].update(train=150),
     "field 'experiments.mackey_glass.simulated.train'"),
])
def test_experiment_errors_name_file_and_field(default_config, change, message):
    config = copy.deepcopy(default_config)
    change(config["experiments"]["mackey_glass"])
    with pytest.raises(MackeyGlassConfigError, match=f"config.yaml: {message}"):
        experiment_of(parse_config(config, "config.yaml"), "config.yaml")


def test_schema_unknown_experiment_key_is_refused(default_config):
    config = copy.deepcopy(default_config)
    config["experiments"]["mackey_glass"]["nodes"] = 3
    with pytest.raises(ConfigError, match="field 'experiments.mackey_glass'"):
        parse_config(config, "config.yaml")


@pytest.mark.parametrize("section, cls", [
    ("mackey_glass_series", MackeyGlassSeries),
    ("mackey_glass_run", ReservoirRun),
    ("mackey_glass_experiment", MackeyGlassExperiment),
])
def test_schema_sections_match_dataclasses(section, cls):
    properties = load_schema()["$defs"][section]["properties"]
    assert set(properties) == {item.name for item in fields(cls)}


def test_node_states_are_outputs_at_the_end_of_each_hold():
    hold, dt, nodes = 1e-11, 2.5e-12, 3
    t = np.arange(0, 7 * nodes * 4) * dt  # 7 samples of 3 nodes; the last end is not recorded
    output = 2.0 * t / hold  # output = 2 x (holds elapsed)
    states = node_states(t, output, nodes, hold, n_samples=10)
    assert states.shape == (6, nodes)
    assert np.allclose(states.ravel(), 2.0 * np.arange(1, 6 * nodes + 1))
    # with the run's end recorded, the last sample is still left out
    assert node_states(np.append(t, t[-1] + dt), np.append(output, 42.0), nodes, hold,
                       n_samples=7).shape == (6, nodes)
    with pytest.raises(ReservoirError, match="before the first sample's last hold ends"):
        node_states(t[:5], output[:5], nodes, hold, n_samples=10)


def test_ridge_recovers_a_linear_readout():
    rng = np.random.default_rng(0)
    states = rng.normal(size=(500, 4))
    target = states @ np.array([1.0, -2.0, 0.5, 0.0]) + 3.0
    readout = fit_ridge(states, target, ridge=1e-8)
    assert np.allclose(readout.predict(states), target, atol=1e-6)
    assert not np.allclose(fit_ridge(states, target, ridge=1e4).predict(states), target,
                           atol=1e-2)


def delay_states(series: np.ndarray, depth: int) -> np.ndarray:
    """A linear reservoir that remembers the last `depth` samples exactly."""
    return np.column_stack([np.roll(series, lag) for lag in range(depth)])


def test_horizon_scores_of_a_delay_line():
    series = mackey_glass_series(MackeyGlassSeries(), 1200)
    scores = horizon_scores(delay_states(series, 6), series, discard=10, train=800, ridge=1e-10,
                            max_horizon=79, min_test_samples=350)
    assert scores.horizons == list(range(1200 - 810 - 350 + 1))  # H stops at 350 test samples
    assert scores.n_test[-1] == 350
    assert scores.nrmse[0] < 1e-6  # H = 0: the state holds the target itself
    assert 1e-4 < scores.nrmse[1] < 0.05  # one step ahead: smooth, linear extrapolation
    assert scores.nrmse[40] > 10 * scores.nrmse[1]  # chaos: far horizons are unpredictable
    gap = log10_gap(scores, {"horizons": [1, 2], "nrmse": [scores.nrmse[1], scores.nrmse[2] * 10]})
    assert gap["worst_horizon"] == 2 and abs(gap["worst_log10_gap"] - 1.0) < 1e-9
    with pytest.raises(ReservoirError, match="leave fewer than 350 test samples"):
        horizon_scores(delay_states(series, 6), series, 10, 1000, 1e-4, 79, 350)


def linear_device_trace(drive, sample_period: float, t0: float) -> Trace:
    """Inputs of a masked drive and a first-order low-pass response of them: CLI plumbing only."""
    values = masked_values(drive)
    per_hold = int(round(drive.hold_time / sample_period))
    inputs = np.repeat(values, per_hold)
    response = np.zeros_like(inputs)
    for i in range(1, len(inputs)):
        response[i] = 0.8 * response[i - 1] + 0.2 * inputs[i - 1]
    t = t0 + np.arange(len(inputs)) * sample_period
    return Trace(t, inputs[:, None], 0.8 + 0.01 * response[:, None], ["Ku1.region100"], ["mz"],
                 ["J/m3"], [""], {"drive": drive.name, "engine": "test"})


def test_reservoir_and_figure_commands(tmp_path, default_config):
    import yaml

    config = copy.deepcopy(default_config)
    config["drives"]["mackey_glass_full"]["n_samples"] = 400
    config["experiments"]["mackey_glass"]["full"].update(discard=20, train=250)
    config_path = tmp_path / "config.yaml"
    config_path.write_text(yaml.safe_dump(config))
    run = parse_config(config, "config")
    traces = {}
    for key, name in (("simulated", "mackey_glass_short"), ("full", "mackey_glass_full")):
        traces[key] = tmp_path / f"{key}.npz"
        save_trace(linear_device_trace(run.drives[name], run.sample_period, 1e-9), traces[key])
    results = {}
    for key, trace_key, run_name in (("simulated", "simulated", "simulated"),
                                     ("node_simulated", "simulated", "simulated"),
                                     ("node_full", "full", "full")):
        results[key] = tmp_path / f"{key}.json"
        assert main(["experiment", "reservoir", str(config_path), str(traces[trace_key]),
                     "--run", run_name, "--out", str(results[key])]) == 0
    simulated = json.loads(results["simulated"].read_text())
    assert simulated["n_samples"] == 159  # the last sample is never used
    split = config["experiments"]["mackey_glass"]
    last = 159 - split["simulated"]["discard"] - split["simulated"]["train"] \
        - split["min_test_samples"]
    assert simulated["horizons"] == list(range(last + 1))
    assert simulated["nrmse"][0] < simulated["nrmse"][-1]
    assert json.loads(results["node_full"].read_text())["n_virtual_nodes"] == 50
    # a trace of another drive is refused, naming the file and the field
    assert main(["experiment", "reservoir", str(config_path), str(traces["full"]),
                 "--run", "simulated", "--out", str(tmp_path / "wrong.json")]) == 1
    assert not (tmp_path / "wrong.json").exists()
    benchmark = tmp_path / "node_full.tsv"
    benchmark.write_text("s\th:m:s\tmax_rss\n4.25\t0:00:04\t300\n")
    png, pdf, summary = tmp_path / "mg.png", tmp_path / "mg.pdf", tmp_path / "summary.json"
    assert main(["figure", "mackey-glass", "--simulated", str(results["simulated"]),
                 "--node-simulated", str(results["node_simulated"]),
                 "--node-full", str(results["node_full"]), "--node-full-benchmark",
                 str(benchmark), "--out", str(png), "--out", str(pdf),
                 "--summary", str(summary)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG" and pdf.read_bytes()[:4] == b"%PDF"
    report = json.loads(summary.read_text())
    assert report["node_full_run_wall_time_s"] == 4.25
    assert report["node_against_micromagnetics"]["worst_log10_gap"] == 0.0


def test_masked_drive_with_file_still_renders(tmp_path, default_config):
    series = mackey_glass_series(MackeyGlassSeries(), 160)
    np.savetxt(tmp_path / "s.txt", series)
    run = parse_config(copy.deepcopy(default_config), "config")
    drive = replace(run.drives["mackey_glass_short"], mackey_glass=None,
                    series_file=str(tmp_path / "s.txt"))
    assert np.allclose(masked_values(drive), masked_values(run.drives["mackey_glass_short"]),
                       atol=1e-12)
