"""The paper profile (profiles/paper): every device x drive renders for mumax3 at full size.

Render only: mumax3 cannot run here. There is no script parser in the mumax3 test
double (tests/doubles/ checks command lines and tables only), so the scripts are read
back with the project's own parser of mumax3 scripts (`script_parameters`), which is
what `import-mumax3` uses on real mumax3 runs.
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
import yaml
from snakemake.utils import update_config

from surrogate.analysis.recognition import sine_square_sequence
from surrogate.config.loader import parse_config, read_yaml
from surrogate.config.mackey_glass_spec import experiment_of
from surrogate.config.parameter_sweep_spec import from_dict as parameter_sweep_from_dict
from surrogate.config.recognition_spec import RecognitionExperiment
from surrogate.engines.mumax3.table_import import script_parameters
from surrogate.io.ovf import read_ovf
from surrogate.physics.mackey_glass import mackey_glass_series
from surrogate.stages.simulate import render_stage

from .conftest import REPO

PROFILE = REPO / "profiles" / "paper" / "config.yaml"
LOADED = re.compile(r'LoadFile\("(?P<name>[^"]+)"\)')


def paper_config() -> dict:
    """config.yaml with the profile's config files merged over it in order, as Snakemake does."""
    merged = copy.deepcopy(read_yaml(REPO / "config.yaml"))
    for path in yaml.safe_load(PROFILE.read_text())["configfile"]:
        update_config(merged, read_yaml(REPO / path))
    return merged


@pytest.fixture(scope="module")
def run():
    return parse_config(paper_config(), str(PROFILE))


def test_the_paper_profile_runs_the_paper_devices_on_mumax3(run):
    assert run.engine == "mumax3"
    assert set(run.main_devices()) == {"skyrmion", "four_skyrmions", "two_inputs", "vortex_sto"}
    sky, four = run.devices["skyrmion"], run.devices["four_skyrmions"]
    assert (sky.diameter, sky.cell_size, sky.material.Ku1) == (8.0e-8, 1.0e-9, 8.0e5)
    assert (four.diameter, four.cell_size, four.material.Ku1) == (1.2e-7, 1.0e-9, 8.0e5)
    assert run.drives["train"].amplitude == 1.0e5
    for device in run.devices:  # config.yaml's CPU-sized train_b is not the paper's drive
        assert all(run.drives[drive].amplitude != 3.0e4 for drive in run.train_drives_of(device)
                   if hasattr(run.drives[drive], "amplitude")), device
    assert run.train_drives_of("skyrmion") == ["train"]
    assert run.devices["vortex_sto"].temperature == 300.0


def test_every_device_and_drive_of_the_paper_renders(run, tmp_path):
    grids = {"skyrmion": [80.0, 80.0, 1.0], "four_skyrmions": [120.0, 120.0, 1.0],
             "two_inputs": [100.0, 100.0, 1.0]}
    for device in run.main_devices():
        for drive in (run.train_drive_of(device), run.test_drive_of(device)):
            folder = tmp_path / device / drive
            script = render_stage(run, device, drive, folder)
            text = script.read_text()
            parameters = script_parameters(text)
            assert parameters["TableAutosave"] == [[run.sample_period]]
            if device in grids:
                assert parameters["SetGridsize"] == [grids[device]]
                assert parameters["SetCellsize"] == [[1.0e-9, 1.0e-9, 1.0e-9]]
            loaded = LOADED.findall(text)
            assert loaded, f"{script}: loads no drive file"
            for name in loaded:
                assert (folder / name).is_file(), f"{script} loads {name}, which is not there"


# The experiments behind `snakemake --profile profiles/paper figures`, at the paper's size.

LOOP = re.compile(r"for n := 0; n < (?P<steps>\d+); n\+\+ \{")
RUN_STEP = re.compile(r"^\tRun\((?P<step>[^)]+)\)$", re.MULTILINE)


def training_range(drive, parameter: str, base: float) -> tuple[float, float]:
    """(lowest, highest) value of `parameter` (SI) on the random-sine training drive `drive`."""
    (sine,) = [item for item in drive.inputs if item.parameter == parameter]
    low, high = sine.amplitude_range
    return base + sine.amplitude * low, base + sine.amplitude * high


def waveform(drive, parameter: str):
    """The sampled_waveform input of `drive` that drives `parameter`."""
    (wave,) = [item for item in drive.inputs if item.parameter == parameter]
    return wave


def held_values(drive, parameter: str, base: float) -> np.ndarray:
    """The values (SI) a sampled_waveform input of `drive` holds `parameter` at, in order."""
    wave = waveform(drive, parameter)
    values = np.loadtxt(REPO / wave.values_file)
    assert len(values) == wave.n_values
    return base + wave.amplitude * values


def experiment_simulations(run) -> list[tuple[str, str]]:
    """(device, drive) of every simulation the paper's experiments add."""
    mackey_glass = experiment_of(run)
    sweep = parameter_sweep_from_dict(run.raw, str(PROFILE))
    recognition = RecognitionExperiment.from_dict(run.raw["experiments"]["recognition"],
                                                  str(PROFILE))
    return ([(mackey_glass.device, mackey_glass.simulated.drive)]
            + [(sweep.device, drive) for drive in sweep.sweeps]
            + [(recognition.thermal_device, recognition.drive),
               (recognition.clean_device, run.train_drive_of(recognition.clean_device))])


def test_mackey_glass_runs_on_the_paper_skyrmion_with_50_nodes_of_10_ps(run):
    experiment = experiment_of(run, str(PROFILE))
    assert experiment.device == "skyrmion"
    assert run.devices["skyrmion"].cell_size == 1.0e-9
    train = run.drives[run.train_drive_of("skyrmion")]
    for name in ("simulated", "full"):
        reservoir = experiment.run(name)
        drive = run.drives[reservoir.drive]
        assert (drive.n_virtual_nodes, drive.hold_time) == (50, 1.0e-11)
        assert (drive.parameter, drive.amplitude, drive.scale) == ("Ku1", train.amplitude, 0.4)
        # every horizon H = 0..max_horizon keeps min_test_samples (n_samples - 1 states)
        test_samples = drive.n_samples - 1 - reservoir.discard - reservoir.train
        assert test_samples >= experiment.min_test_samples + experiment.max_horizon
    simulated, full = (run.drives[experiment.run(name).drive] for name in ("simulated", "full"))
    assert 1000 <= simulated.n_samples < full.n_samples == 10000
    assert (experiment.full.discard, experiment.full.train) == (300, 5000)
    # the reservoir's offsets stay inside the training drive's amplitude
    series = mackey_glass_series(full.mackey_glass, full.n_samples)
    largest = full.amplitude * full.scale * np.max(np.abs(series))
    assert largest <= train.amplitude * max(np.abs(train.amplitude_range))


def test_the_sweep_holds_the_two_input_device_inside_its_training_range(run):
    sweep = parameter_sweep_from_dict(run.raw, str(PROFILE))
    assert sweep.device == "two_inputs"
    device = run.devices["two_inputs"]
    assert (device.diameter, device.cell_size) == (1.0e-7, 1.0e-9)
    ((drive_name, swept),) = sweep.sweeps.items()
    assert drive_name == run.test_drive_of("two_inputs") == "two_inputs_steps"
    assert swept == ("Ku1.region100", "Dind.region100")
    drive, train = run.drives[drive_name], run.drives[run.train_drive_of("two_inputs")]
    for parameter, base, count, first, last in (("Ku1", device.material.Ku1, 21, 7.5e5, 8.5e5),
                                               ("Dind", device.material.Dind, 16, 2.6e-3,
                                                3.35e-3)):
        low, high = training_range(train, parameter, base)
        held = held_values(drive, parameter, base)
        assert low * (1 - 1e-12) <= held.min() and held.max() <= high * (1 + 1e-12), parameter
        # the paper's test: 21 Ku1 values, 16 Dind values from 2.6 to 3.35 mJ/m2 (the
        # other input's pulse value is one of them)
        distinct = np.unique(np.round(held / base, 9)) * base
        assert len(distinct) == count, parameter
        assert distinct[0] == pytest.approx(first) and distinct[-1] == pytest.approx(last)


def test_recognition_runs_the_oscillator_at_300_K_against_its_noiseless_twin(run):
    spec = RecognitionExperiment.from_dict(run.raw["experiments"]["recognition"], str(PROFILE))
    spec.check_against(run.devices, run.drives, str(PROFILE))
    thermal, clean = run.devices[spec.thermal_device], run.devices[spec.clean_device]
    assert (thermal.temperature, clean.temperature) == (300.0, 0.0)
    differing = {key for key in run.raw["devices"][spec.thermal_device]
                 if run.raw["devices"][spec.thermal_device][key]
                 != run.raw["devices"][spec.clean_device].get(key)}
    assert differing == {"temperature", "thermal_seed", "train_drive"}


def test_every_experiment_simulation_of_the_paper_renders(tmp_path, monkeypatch):
    raw = paper_config()
    drive = raw["drives"]["recognition_input"]
    spec = RecognitionExperiment.from_dict(raw["experiments"]["recognition"], str(PROFILE))
    values, _ = sine_square_sequence(drive["n_values"] // spec.points_per_period,
                                     spec.points_per_period, spec.seed)
    drive["values_file"] = str(tmp_path / "sine_square.txt")   # rule recognition_input's file
    np.savetxt(drive["values_file"], values)
    run = parse_config(raw, str(PROFILE))
    monkeypatch.chdir(REPO)   # values files are relative to the repository root
    pairs = experiment_simulations(run)
    assert len(pairs) == 4
    for device, drive_name in pairs:
        folder = tmp_path / device / drive_name
        script = render_stage(run, device, drive_name, folder)
        text = script.read_text()
        parameters = script_parameters(text)
        assert parameters["TableAutosave"] == [[run.sample_period]]
        loaded = LOADED.findall(text)
        assert loaded, f"{script}: loads no drive file"
        for name in loaded:
            assert (folder / name).is_file(), f"{script} loads {name}, which is not there"
        steps, step = parameters_loop(text)
        assert steps * step == pytest.approx(run.drives[drive_name].duration, rel=1e-12)
        if device == "vortex_recognition_thermal":
            assert parameters["Temp"] == [300.0]
    mackey_glass = run.drives[experiment_of(run).simulated.drive]
    script = (tmp_path / "skyrmion" / mackey_glass.name / "skyrmion.mx3").read_text()
    assert parameters_loop(script) == (mackey_glass.n_samples * 50, 1.0e-11)
    sweep, steps = tmp_path / "two_inputs" / "two_inputs_steps", run.drives["two_inputs_steps"]
    for parameter in ("Ku1", "Dind"):
        (data,) = sweep.glob(f"*_{parameter}.ovf")
        rendered = waveform(steps, parameter).amplitude * read_ovf(data).values[:, 0, 0, 0]
        assert np.allclose(rendered, held_values(steps, parameter, 0.0))


def parameters_loop(text: str) -> tuple[int, float]:
    """(steps, step length in s) of a rendered script's drive loop."""
    (loop,) = LOOP.finditer(text)
    (step,) = RUN_STEP.finditer(text)
    return int(loop["steps"]), float(step["step"])
