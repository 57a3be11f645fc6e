"""The configuration schema rejects malformed configs, naming the field."""

from __future__ import annotations

import copy

import pytest
import yaml

from surrogate.config.loader import ConfigError, load_config, parse_config


def test_default_config_is_valid(default_config):
    config = parse_config(default_config)
    assert config.engine in ("auto", "mumax3", "magnumnp")
    spec = config.simulation_spec("skyrmion", config.train_drive)
    assert spec.device.grid == (20, 20, 1)
    assert spec.drive.duration == pytest.approx(32 / 4e9)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda c: c["devices"]["skyrmion"].update(cell_size=-4e-9), "devices.skyrmion.cell_size"),
        (lambda c: c["devices"]["skyrmion"].update(diameter="80 nm"), "devices.skyrmion.diameter"),
        (lambda c: c["devices"]["skyrmion"]["material"].pop("Ms"), "devices.skyrmion.material.Ms"),
        (lambda c: c.pop("sample_period"), "sample_period"),
        (lambda c: c.update(engine="oommf"), "engine"),
        (lambda c: c["drives"]["train"].update(n_periods=2.5), "drives.train.n_periods"),
        (lambda c: c["model"].update(hiden=10), "model"),
        (lambda c: c.update(test_drive="missing"), "test_drive"),
        (lambda c: c["devices"]["skyrmion"].update(cell_size=3e-9), "devices.skyrmion.cell_size"),
    ],
)
def test_malformed_config_names_the_field(default_config, mutate, field):
    config = copy.deepcopy(default_config)
    mutate(config)
    with pytest.raises(ConfigError) as error:
        parse_config(config, "my.yaml")
    assert f"my.yaml: field '{field}'" in str(error.value)


def test_unreadable_yaml_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("engine: [auto\n")
    with pytest.raises(ConfigError, match="broken.yaml: not valid YAML"):
        load_config(path)


def test_yaml_exponent_without_dot_is_reported(tmp_path, default_config):
    config = copy.deepcopy(default_config)
    text = yaml.safe_dump(config).replace("4.0e-09", "4e-9", 1)
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="cell_size"):
        load_config(path)


def test_every_device_and_drive_kind_builds(default_config):
    config = copy.deepcopy(default_config)
    config["engine"] = "mumax3"  # grains run on mumax3 only (tests/test_engine_capabilities.py)
    config["devices"]["sto"] = {
        "kind": "vortex_oscillator", "material": {"Ms": 8.0e5, "Aex": 1.3e-11},
        "diameter": 2.0e-7, "thickness": 1.0e-8, "cell_size": 5.0e-9, "J_dc": -1.5e11,
        "temperature": 300.0, "outputs": ["R_envelope"],
        "train_drive": "current", "test_drive": "current_test",
    }
    config["devices"]["grainy"] = dict(
        config["devices"]["skyrmion"], grains={"grain_size": 1.0e-8, "n_regions": 20, "seed": 3},
        train_drive="both", test_drive="both")
    config["devices"]["sp4"] = {"kind": "standard_problem_4",
                                "material": {"Ms": 8.0e5, "Aex": 1.3e-11},
                                "train_drive": "field", "test_drive": "field"}
    config["drives"].update({
        "current": {"kind": "held_sequence", "parameter": "J", "amplitude": 5.0e10,
                    "hold_time": 1.0e-9, "n_steps": 4, "seed": 1},
        "current_test": {"kind": "held_sequence", "parameter": "J", "amplitude": 5.0e10,
                         "hold_time": 1.0e-9, "n_steps": 2, "seed": 2},
        "both": {"kind": "parameter_inputs", "inputs": [
            {"parameter": "Ku1", "amplitude": 5.0e4, "frequency": 4.0e9, "n_periods": 40,
             "seed": 1},
            {"parameter": "Dind", "amplitude": 4.0e-4, "frequency": 4.0e8, "n_periods": 4,
             "seed": 2}]},
        "field": {"kind": "field_step", "B_ext": [-0.0246, 0.0043, 0.0], "duration": 1.0e-9},
    })
    run = parse_config(config)
    assert run.test_drive_of("sto") == "current_test"
    assert run.train_drive_of("skyrmion") == "train"
    sto = run.simulation_spec("sto", "current")
    assert sto.device.grid == (40, 40, 1) and sto.drive.duration == pytest.approx(4e-9)
    assert run.devices["grainy"].grains.n_regions == 20
    both = run.simulation_spec("grainy", "both").drive
    assert [item.parameter for item in both.inputs] == ["Ku1", "Dind"]
    assert run.devices["sp4"].grid == (128, 32, 1)


def test_spec_round_trips_through_json(default_config):
    import json

    from surrogate.config.loader import spec_from_dict

    spec = parse_config(default_config).simulation_spec("skyrmion", "train")
    assert spec_from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
