"""Parameters as inputs: held-segment analysis, staircase drives, imported devices, CLI, rules."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from surrogate.analysis.parameter_sweep import (
    held_columns,
    held_segments,
    oscillation,
    sweep_points,
)
from surrogate.cli import main
from surrogate.config.imported import ImportedDevice
from surrogate.config.loader import PIPELINE_KEYS, ConfigError, load_schema, parse_config
from surrogate.config.parameter_sweep_spec import ParameterSweepSpec, from_dict
from surrogate.engines.drive_files import DriveSpecError, drive_plan
from surrogate.engines.mumax3.table_import import import_table
from surrogate.io.mumax3_table import write_table
from surrogate.io.trace import Trace, save_trace

from .conftest import REPO
from .test_workflow import snakemake, workflow_copy

DT = 2.5e-12
HOLD = 4e-10
KU0, DIND0 = 8e5, 3.5e-3
SHARED_TESTS = REPO.parent / "shared" / "reference" / "mumax3" / "1skyrmion_input_PMA_DMI_test"


def ringing(t: np.ndarray, amplitude: float, frequency: float, decay: float) -> np.ndarray:
    """A damped cosine starting at t = 0 (s)."""
    return amplitude * np.exp(-t / decay) * np.cos(2 * np.pi * frequency * t)


def staircase_trace(amplitude_scale: float = 1.0) -> Trace:
    """<mz> ringing after each hold of a Ku1-then-Dind staircase; f rises with Ku1 and Dind.

    Amplitude per hold = 0.01 * scale * |step| / unit step, frequency 12 GHz + 1 GHz per
    unit of Ku1 (1e4 J/m3) + 1.5 GHz per unit of Dind (1e-4 J/m2), decay 0.3 ns.
    """
    ku_steps = [0, -2, -1, 1, 2, 0, 0, 0, 0, 0]
    dind_steps = [0, 0, 0, 0, 0, 0, -2, -1, 1, 2]
    n = int(round(HOLD / DT))
    t, ku, dind, mz = [], [], [], []
    for index, (k, d) in enumerate(zip(ku_steps, dind_steps, strict=True)):
        local = np.arange(n) * DT
        step = abs(k - ku_steps[index - 1]) + abs(d - dind_steps[index - 1]) if index else 0
        f = 12e9 + 1e9 * k + 1.5e9 * d
        t.append(index * HOLD + local)
        ku.append(np.full(n, KU0 + 1e4 * k))
        dind.append(np.full(n, DIND0 + 1e-4 * d))
        mz.append(0.8 + 0.01 * k + ringing(local, 0.01 * amplitude_scale * step, f, 3e-10))
    return Trace(np.concatenate(t), np.column_stack([np.concatenate(ku), np.concatenate(dind)]),
                 np.concatenate(mz)[:, None], ["Ku1.region100", "Dind.region100"], ["mz"],
                 ["J/m3", "J/m2"], [""], {})


def test_oscillation_measures_a_damped_cosine():
    t = np.arange(0, 3e-10, DT)
    x = 0.3 + 2e3 * t + ringing(t, 0.02, 12.3e9, 1e-9)
    amplitude, frequency = oscillation(t, x)
    assert amplitude == pytest.approx(0.02, rel=0.05)
    assert frequency == pytest.approx(12.3e9, rel=0.01)
    with pytest.raises(ValueError, match="too few"):
        oscillation(t[:5], x[:5])


def test_held_segments_of_a_staircase_beside_a_driven_sine():
    trace = staircase_trace()
    assert held_columns(trace) == ["Ku1.region100", "Dind.region100"]
    driven = Trace(trace.t, np.column_stack([trace.inputs[:, 0],
                                             DIND0 + 1e-4 * np.sin(2e9 * np.pi * trace.t)]),
                   trace.outputs, trace.input_names, trace.output_names, trace.input_units,
                   trace.output_units, {})
    assert held_columns(driven) == ["Ku1.region100"]
    segments = held_segments(trace, held_columns(trace))
    assert len(segments) == 10
    assert segments[0].stepped is None
    assert segments[1].stepped == "Ku1.region100"
    assert segments[1].step == pytest.approx(-2e4)
    assert segments[6].stepped == "Dind.region100"
    assert segments[6].values["Ku1.region100"] == pytest.approx(KU0)


def test_sweep_points_recover_amplitude_per_step_and_frequency():
    simulated, predicted = staircase_trace(), staircase_trace(amplitude_scale=0.5)
    points = sweep_points(simulated, predicted, ["Ku1.region100", "Dind.region100"],
                          skip=2.5e-11, per_step=True)
    # the hold at both bases, entered by a Ku1 step, is a point of the Ku1 sweep only:
    # per unit step, each sweep's amplitudes are per unit of its own parameter
    assert [p["parameter"] for p in points] == ["Ku1.region100"] * 5 + ["Dind.region100"] * 4
    assert all(p["stepped"] == p["parameter"] for p in points)
    unstepped = sweep_points(simulated, predicted, ["Ku1.region100", "Dind.region100"],
                             skip=2.5e-11, per_step=False)
    assert [p["parameter"] for p in unstepped].count("Dind.region100") == 5
    decay = np.exp(-2.5e-11 / 3e-10)
    for point in points:
        unit = 1e4 if point["parameter"] == "Ku1.region100" else 1e-4
        base = KU0 if point["parameter"] == "Ku1.region100" else DIND0
        level = round((point["held_value"] - base) / unit)
        expected_f = 12e9 + (1e9 if unit == 1e4 else 1.5e9) * level
        unit = 1e4 if point["stepped"] == "Ku1.region100" else 1e-4
        assert point["simulation"]["frequency_hz"] == pytest.approx(expected_f, rel=0.005)
        # half the peak-to-peak of a decaying ringing: its envelope within the window's first period
        first_period_decay = np.exp(-(2.5e-11 + 1 / expected_f) / 3e-10)
        assert 0.01 * first_period_decay / unit <= point["simulation"]["amplitude"]
        assert point["simulation"]["amplitude"] <= 0.01 * decay / unit
        assert point["node"]["amplitude"] == pytest.approx(
            0.5 * point["simulation"]["amplitude"], rel=0.02)


def test_parameter_inputs_take_held_staircases(default_config):
    run = parse_config(default_config, "config.yaml")
    drive = run.drives["ku1_dind_steps"]
    plan = drive_plan(run.simulation_spec("two_inputs", "ku1_dind_steps"))
    assert plan.step == pytest.approx(drive.inputs[0].sample_time)
    assert [ch.shape for ch in plan.channels] == ["hold", "hold"]
    values = plan.values(np.array([0.5, 5.5]) * plan.step)
    assert values[0, 0] == pytest.approx(KU0 - 2 * drive.inputs[0].amplitude)
    assert values[1, 1] == pytest.approx(DIND0 - 2 * drive.inputs[1].amplitude)
    config = copy.deepcopy(default_config)
    config["drives"]["ku1_dind_steps"]["inputs"][1]["interpolation"] = "linear"
    linear = parse_config(config, "config.yaml")
    with pytest.raises(DriveSpecError, match="'interpolation'"):
        drive_plan(linear.simulation_spec("two_inputs", "ku1_dind_steps"))


def imported_config(default_config: dict, table: Path) -> dict:
    config = copy.deepcopy(default_config)
    config["devices"]["old_run"] = {
        "source": "imported", "inputs": ["Ku1.region100", "Dind.region100"],
        "tables": {"runA": str(table), "runB": str(table.parent)},
        "train_drive": "runA", "test_drive": "runB", "main_run": False,
    }
    config["experiments"]["parameter_sweep"] = {
        "device": "old_run",
        "sweeps": [{"drive": "runB", "swept": ["Ku1.region100", "Dind.region100"]}]}
    return config


def staircase_table(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    trace = staircase_trace()
    data = np.column_stack([trace.t, trace.outputs[:, 0] * 0, trace.outputs[:, 0] * 0,
                            trace.outputs[:, 0], trace.inputs])
    return write_table(folder / "table.txt", ["t", "mx", "my", "mz", *trace.input_names],
                       ["s", "", "", "", "J/m3", "J/m2"], data)


def test_imported_device_parses_and_errors_name_field_and_file(tmp_path, default_config):
    table = staircase_table(tmp_path / "run.out")
    run = parse_config(imported_config(default_config, table), "c.yaml")
    assert "old_run" not in run.devices
    assert run.imported["old_run"].table_of("runB") == table.parent / "table.txt"
    assert {"runA", "runB"} <= set(run.drive_names())
    assert from_dict(run.raw, "c.yaml") == ParameterSweepSpec(
        "old_run", {"runB": ("Ku1.region100", "Dind.region100")})
    missing = imported_config(default_config, tmp_path / "nowhere" / "table.txt")
    with pytest.raises(ConfigError, match=r"c.yaml: field 'devices.old_run.tables.runA': .*where"):
        parse_config(missing, "c.yaml")
    unknown = imported_config(default_config, table)
    unknown["devices"]["old_run"]["test_drive"] = "runC"
    with pytest.raises(ConfigError, match=r"field 'devices.old_run.test_drive'.*runC"):
        parse_config(unknown, "c.yaml")
    bad_sweep = imported_config(default_config, table)
    bad_sweep["experiments"]["parameter_sweep"]["sweeps"] = [
        {"drive": "train", "swept": ["Ku1.region100"]}]
    with pytest.raises(ValueError, match=r"c.yaml: field 'experiments.parameter_sweep.sweeps\[0\]"):
        from_dict(bad_sweep, "c.yaml")
    bad_sweep["experiments"]["parameter_sweep"]["sweeps"] = [
        {"drive": "runA", "swept": ["Aex.region100"]}]
    with pytest.raises(ValueError, match=r"sweeps\[0\].swept'.*Aex.region100"):
        from_dict(bad_sweep, "c.yaml")


@pytest.mark.parametrize(("section", "cls"), [("imported_device", ImportedDevice),
                                              ("parameter_sweep_experiment", ParameterSweepSpec)])
def test_schema_sections_match_their_dataclasses(section, cls):
    properties = set(load_schema()["$defs"][section]["properties"])
    one_sided = {"name", *PIPELINE_KEYS}
    assert properties - one_sided == {item.name for item in dataclasses.fields(cls)} - one_sided


def test_cli_sweep_and_figure(tmp_path):
    simulated, predicted = tmp_path / "sim.npz", tmp_path / "pred.npz"
    save_trace(staircase_trace(), simulated)
    save_trace(staircase_trace(amplitude_scale=0.8), predicted)
    sweep = tmp_path / "sweep.json"
    assert main(["experiment", "parameter-sweep", str(simulated), str(predicted), "--per-step",
                 "--swept", "Ku1.region100", "--swept", "Dind.region100",
                 "--skip-time", "2.5e-11", "--out", str(sweep)]) == 0
    points = json.loads(sweep.read_text())["points"]
    assert len(points) == 9 and points[0]["unit"] == "J/m3"
    png, pdf = tmp_path / "fig.png", tmp_path / "fig.pdf"
    assert main(["figure", "parameters", "--sweep", str(sweep), "--png", str(png),
                 "--pdf", str(pdf)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG" and pdf.read_bytes()[:4] == b"%PDF"
    assert main(["experiment", "parameter-sweep", str(simulated), str(predicted), "--swept", "mz",
                 "--out", str(tmp_path / "other.json")]) == 1
    assert main(["experiment", "parameter-sweep", str(simulated), str(predicted),
                 "--swept", "Ku1.region100", "--out", str(simulated)]) == 1


def test_workflow_imports_instead_of_simulating(tmp_path, default_config):
    table = staircase_table(tmp_path / "old" / "run.out")
    (tmp_path / "wf").mkdir()
    workdir = workflow_copy(tmp_path / "wf", imported_config(default_config, table))
    done = snakemake(workdir, "-n", "-p", "results/figures/parameters_as_inputs.png",
                     "results/eval/old_run/runA.json")
    assert done.returncode == 0, done.stderr
    assert "import-mumax3" in done.stdout and "--input Dind.region100" in done.stdout
    assert "results/sims/old_run" not in done.stdout
    assert "rule import_table" in done.stdout and "rule simulate" not in done.stdout


@pytest.mark.skipif(not SHARED_TESTS.is_dir(), reason="../shared reference tables are absent")
def test_authors_held_ku_table_gives_21_held_values_each_after_a_dind_pulse():
    trace = import_table(SHARED_TESTS / "Ku_ext_DMI" / "table.txt",
                         ["Ku1.region100", "Dind.region100"], ["mz"])
    assert held_columns(trace) == ["Ku1.region100", "Dind.region100"]
    points = sweep_points(trace, trace, ["Ku1.region100"], skip=5e-11, per_step=False)
    values = [p["held_value"] for p in points]
    assert len(values) == 21 and {p["stepped"] for p in points} == {"Dind.region100"}
    assert values[0] == pytest.approx(7.5e5) and values[-1] == pytest.approx(8.5e5)
    frequencies = [p["simulation"]["frequency_hz"] for p in points]
    assert frequencies[-1] > frequencies[0]  # the breathing mode stiffens with Ku1


@pytest.mark.skipif(not SHARED_TESTS.is_dir(), reason="../shared reference tables are absent")
def test_imported_profile_replaces_the_default_sweep(monkeypatch):
    from benchmarks.common import repository_config

    monkeypatch.chdir(REPO)
    config = repository_config("profiles/imported_two_inputs/imported_two_inputs.yaml")
    spec = from_dict(config.raw, "profile")
    assert spec.device == "authors_two_inputs"
    assert list(spec.sweeps) == ["Ku_ext_DMI", "DMI_ext_Ku"] and spec.per_step is False
    assert "authors_two_inputs" in config.imported and "skyrmion" in config.devices
