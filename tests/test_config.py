"""The configuration schema rejects malformed configs, naming the field."""

from __future__ import annotations

import copy
import dataclasses
import re

import pytest
import yaml

from surrogate.config.loader import (
    PIPELINE_KEYS,
    ConfigError,
    RunConfig,
    load_config,
    load_schema,
    parse_config,
)
from surrogate.config.model_settings import TrainSettings
from surrogate.config.specs import (
    DEVICE_KINDS,
    DRIVE_KINDS,
    Grains,
    Material,
    SimulationSettings,
)


def test_default_config_is_valid(default_config):
    config = parse_config(default_config)
    assert config.engine in ("auto", "mumax3", "magnumnp")
    spec = config.simulation_spec("skyrmion", config.train_drive)
    assert spec.device.grid == (20, 20, 1)
    assert spec.drive.duration == pytest.approx(48 / 4e9)
    assert config.train_drives_of("skyrmion") == ["train", "train_b"]
    second = config.simulation_spec("skyrmion", "train_b").drive
    assert second.duration == spec.drive.duration and second.seed != spec.drive.seed
    assert config.simulation == SimulationSettings(timeout_minutes=30, runtime_minutes=30)


def test_extra_training_drives_follow_the_training_drive(default_config):
    config = parse_config(default_config)
    assert config.simulated_drives_of("skyrmion") == ["train", "train_b", "test"]
    assert config.train_drives_of("two_inputs") == ["ku1_dind"]  # its own train_drive
    raw = copy.deepcopy(default_config)
    raw["devices"]["two_inputs"]["extra_train_drives"] = ["ku1_dind_steps"]
    raw["devices"]["skyrmion"]["extra_train_drives"] = []
    changed = parse_config(raw)
    assert changed.train_drives_of("two_inputs") == ["ku1_dind", "ku1_dind_steps"]
    assert changed.simulated_drives_of("skyrmion") == ["train", "test"]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda c: c.update(extra_train_drives=["nowhere"]), "extra_train_drives[0]"),
        (lambda c: c["devices"]["skyrmion"].update(extra_train_drives=["train_b", "nowhere"]),
         "devices.skyrmion.extra_train_drives[1]"),
    ],
)
def test_an_undefined_extra_training_drive_is_named(default_config, mutate, field):
    config = copy.deepcopy(default_config)
    mutate(config)
    with pytest.raises(ConfigError, match=re.escape(f"field '{field}': drive 'nowhere'")):
        parse_config(config)


def test_simulation_section_is_optional(default_config):
    config = copy.deepcopy(default_config)
    del config["simulation"]
    parsed = parse_config(config)
    assert parsed.simulation == SimulationSettings()
    assert parsed.simulation.timeout_minutes < parsed.simulation.runtime_minutes
    assert parsed.outputs_of("skyrmion") == ["mz"]


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


def test_thermal_run_on_odd_cell_count_is_refused(default_config):
    """mumax3's cuRAND thermal noise fails on an odd number of cells."""
    config = copy.deepcopy(default_config)
    config["devices"]["hot"] = {
        "kind": "vortex_oscillator", "material": {"Ms": 8.0e5, "Aex": 1.3e-11},
        "diameter": 1.5e-7, "thickness": 1.0e-8, "cell_size": 1.0e-8, "temperature": 300.0,
        "train_drive": "current", "test_drive": "current",
    }
    config["drives"]["current"] = {"kind": "held_sequence", "parameter": "J",
                                   "amplitude": 5.0e10, "hold_time": 1.0e-9, "n_steps": 2,
                                   "seed": 1}
    with pytest.raises(ConfigError, match=r"my\.yaml: field 'devices\.hot\.temperature'.*"
                                          r"15 x 15 x 1 has 225"):
        parse_config(copy.deepcopy(config), "my.yaml")
    config["devices"]["hot"]["layers"] = 2
    assert parse_config(copy.deepcopy(config)).devices["hot"].grid == (15, 15, 2)
    config["devices"]["hot"].update(layers=1, temperature=0.0)
    assert parse_config(config).devices["hot"].grid == (15, 15, 1)


def _schema_defaults(node, path="") -> list[str]:
    """Paths of every `default` keyword in a schema subtree."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "default":
                found.append(path or "<top level>")
            found += _schema_defaults(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += _schema_defaults(item, f"{path}[{index}]")
    return found


def test_schema_holds_no_defaults():
    assert _schema_defaults(load_schema()) == []


# Each schema section (its `$defs` entry, or None for the top level), the
# dataclass it builds, and the names on one side only: `name` is the mapping
# key, `raw` the whole file, `experiments` is read by each experiment's own
# module (surrogate/config/*_spec.py), Grains.kind is fixed, and a device's pipeline keys
# configure the workflow, not the physics.
SCHEMA_SECTIONS = {
    None: (RunConfig, {"raw", "experiments"}),
    "simulation": (SimulationSettings, set()),
    "model": (TrainSettings, set()),
    "material": (Material, set()),
    "grains": (Grains, {"kind"}),
    "skyrmion_device": (DEVICE_KINDS["skyrmion"], {"name", *PIPELINE_KEYS}),
    "vortex_oscillator": (DEVICE_KINDS["vortex_oscillator"], {"name", *PIPELINE_KEYS}),
    "standard_problem_4": (DEVICE_KINDS["standard_problem_4"], {"name", *PIPELINE_KEYS}),
    **{f"{kind}_drive": (cls, {"name"}) for kind, cls in DRIVE_KINDS.items()},
}


@pytest.mark.parametrize("section", SCHEMA_SECTIONS, ids=str)
def test_schema_properties_and_dataclass_fields_match(section):
    cls, one_sided = SCHEMA_SECTIONS[section]
    schema = load_schema()
    properties = (schema if section is None else schema["$defs"][section])["properties"]
    fields = {field.name for field in dataclasses.fields(cls)}
    assert set(properties) - one_sided == fields - one_sided


def test_main_run_false_keeps_a_device_out_of_rule_all():
    from surrogate.config.loader import parse_config, read_yaml

    raw = read_yaml("config.yaml")
    raw["devices"]["side"] = dict(raw["devices"]["skyrmion"], main_run=False)
    run = parse_config(raw, "config")
    assert run.main_devices() == ["skyrmion"]
    assert "side" in run.devices
