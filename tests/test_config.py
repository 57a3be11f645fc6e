"""The configuration schema rejects malformed configs, naming the field."""

from __future__ import annotations

import copy

import pytest
import yaml

from surrogate.config import ConfigError, load_config, parse_config


def test_default_config_is_valid(default_config):
    config = parse_config(default_config)
    assert config.engine in ("auto", "mumax3", "magnumnp")
    spec = config.simulation_spec("skyrmion", config.train_drive)
    assert spec.device.grid == (20, 20, 1)
    assert spec.drive.duration == pytest.approx(16 / 4e9)


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
