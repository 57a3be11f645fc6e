"""The run configuration: load, validate against the JSON schema, build specs.

Errors name the file and the field (`devices.skyrmion.cell_size`), so a
malformed `config.yaml` is rejected before any job starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import yaml

from .specs import Material, RandomSineDrive, SimulationSpec, SkyrmionDevice

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "config.schema.yaml"


class ConfigError(ValueError):
    """The configuration is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class RunConfig:
    """A validated configuration (the parsed YAML plus typed specs)."""

    raw: dict
    engine: str
    devices: dict[str, SkyrmionDevice]
    drives: dict[str, RandomSineDrive]
    train_drive: str
    test_drive: str
    sample_period: float
    model: dict = field(default_factory=dict)
    simulation: dict = field(default_factory=dict)

    def simulation_spec(self, device: str, drive: str) -> SimulationSpec:
        """The spec of one simulation, by device and drive name."""
        if device not in self.devices:
            raise ConfigError(f"no device '{device}'; the config defines {sorted(self.devices)}")
        if drive not in self.drives:
            raise ConfigError(f"no drive '{drive}'; the config defines {sorted(self.drives)}")
        return SimulationSpec(self.devices[device], self.drives[drive], self.sample_period)


def load_schema() -> dict:
    """The configuration schema (JSON Schema draft 2020-12)."""
    with open(SCHEMA_PATH, encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def field_path(error: jsonschema.ValidationError) -> str:
    """Dotted path of the field a schema error is about ('<top level>' if none)."""
    parts = [str(part) for part in error.absolute_path]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        parts.append(missing)
    return ".".join(parts) or "<top level>"


def validate_config(raw: object, source: str = "config") -> None:
    """Raise ConfigError naming `source` and the field for every schema violation."""
    validator = jsonschema.Draft202012Validator(load_schema())
    errors = sorted(validator.iter_errors(raw), key=lambda error: list(error.absolute_path))
    if errors:
        lines = [f"{source}: field '{field_path(e)}': {e.message}" for e in errors]
        raise ConfigError("invalid configuration\n  " + "\n  ".join(lines))
    for key in ("train_drive", "test_drive"):
        if raw[key] not in raw["drives"]:
            raise ConfigError(
                f"{source}: field '{key}': drive '{raw[key]}' is not defined under 'drives' "
                f"(defined: {sorted(raw['drives'])})"
            )
    for name, device in raw["devices"].items():
        cells = device["diameter"] / device["cell_size"]
        if abs(cells - round(cells)) > 1e-6 or round(cells) < 4:
            raise ConfigError(
                f"{source}: field 'devices.{name}.cell_size': the diameter "
                f"{device['diameter']} m is not a whole number (>= 4) of cells of "
                f"{device['cell_size']} m"
            )


def parse_config(raw: dict, source: str = "config") -> RunConfig:
    """Validate a parsed configuration and build its typed specs."""
    validate_config(raw, source)
    devices = {name: device_from_dict(name, spec) for name, spec in raw["devices"].items()}
    drives = {name: drive_from_dict(name, spec) for name, spec in raw["drives"].items()}
    return RunConfig(
        raw=raw, engine=raw["engine"], devices=devices, drives=drives,
        train_drive=raw["train_drive"], test_drive=raw["test_drive"],
        sample_period=float(raw["sample_period"]),
        model=dict(raw.get("model", {})), simulation=dict(raw.get("simulation", {})),
    )


def load_config(path: str | os.PathLike) -> RunConfig:
    """Read, validate and parse a YAML configuration file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: configuration file not found")
    try:
        with open(path, encoding="utf-8") as stream:
            raw = yaml.safe_load(stream)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    return parse_config(raw, str(path))


def device_from_dict(name: str, spec: dict) -> SkyrmionDevice:
    """A SkyrmionDevice from its configuration mapping (SI units)."""
    material = dict(spec["material"])
    if "anisotropy_axis" in material:
        material["anisotropy_axis"] = tuple(material["anisotropy_axis"])
    values = {key: value for key, value in spec.items() if key not in ("material", "outputs")}
    if "skyrmion_positions" in values:
        values["skyrmion_positions"] = tuple(tuple(p) for p in values["skyrmion_positions"])
    return SkyrmionDevice(name=name, material=Material(**material), **values)


def drive_from_dict(name: str, spec: dict) -> RandomSineDrive:
    """A RandomSineDrive from its configuration mapping (SI units)."""
    values = dict(spec)
    if "amplitude_range" in values:
        values["amplitude_range"] = tuple(values["amplitude_range"])
    return RandomSineDrive(name=name, **values)


def spec_from_dict(data: dict) -> SimulationSpec:
    """Rebuild a SimulationSpec from `SimulationSpec.to_dict()` output."""
    device = {key: value for key, value in data["device"].items() if key != "name"}
    drive = {key: value for key, value in data["drive"].items() if key != "name"}
    return SimulationSpec(
        device=device_from_dict(data["device"]["name"], device),
        drive=drive_from_dict(data["drive"]["name"], drive),
        sample_period=float(data["sample_period"]),
        metadata=dict(data.get("metadata", {})),
    )


def device_outputs(raw: dict, device: str) -> list[str]:
    """The table columns learnt for a device (default ['mz'])."""
    return list(raw["devices"][device].get("outputs", ["mz"]))
