"""The run configuration: load, validate against the JSON schema, build specs.

Errors name the file and the field (`devices.skyrmion.cell_size`), so a
malformed `config.yaml` is rejected before any job starts.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import yaml

from surrogate.config.engines import (
    ENGINE_CHOICES,
    check_thermal_cell_count,
    engines_of,
    unsupported,
)
from surrogate.config.imported import (
    ImportedDevice,
    check_tables,
    check_windows,
    imported_device,
    is_imported,
)
from surrogate.config.mackey_glass_spec import MackeyGlassSeries
from surrogate.config.model_settings import SettingsError, TrainSettings, parse_model_settings
from surrogate.config.parameters import driven_parameter_schema, material_schema
from surrogate.config.specs import (
    DEVICE_KINDS,
    DRIVE_KINDS,
    Device,
    Drive,
    Grains,
    Material,
    SimulationSettings,
    SimulationSpec,
    SkyrmionDevice,
)
from surrogate.config.yaml_load import YamlBudgetError, load_yaml_text

# Device keys that configure the pipeline rather than the physics.
PIPELINE_KEYS = ("outputs", "train_drive", "extra_train_drives", "test_drive", "main_run")
# Table columns a device learns when its config gives no `outputs`.
DEFAULT_OUTPUTS = ("mz",)

SCHEMA_PATH = Path(__file__).resolve().parent / "config.schema.yaml"


class ConfigError(ValueError):
    """The configuration is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class RunConfig:
    """A validated configuration (the parsed YAML plus typed specs).

    `model` is the `model` section as typed, checked TrainSettings (every
    default filled in).
    """

    raw: dict
    engine: str
    devices: dict[str, Device]
    drives: dict[str, Drive]
    train_drive: str
    test_drive: str
    sample_period: float
    extra_train_drives: tuple[str, ...] = ()
    model: TrainSettings = field(default_factory=TrainSettings)
    simulation: SimulationSettings = field(default_factory=SimulationSettings)

    @property
    def imported(self) -> dict[str, ImportedDevice]:
        """Devices with `source: imported`, by name (not in `devices`: nothing simulates them)."""
        return {name: imported_device(name, spec) for name, spec in self.raw["devices"].items()
                if is_imported(spec)}

    def train_drive_of(self, device: str) -> str:
        """The training drive of a device: its own `train_drive`, else the global one."""
        return self.raw["devices"][device].get("train_drive", self.train_drive)

    def train_drives_of(self, device: str) -> list[str]:
        """Every drive a device's model trains on: its training drive, then its extras."""
        return list(dict.fromkeys([self.train_drive_of(device),
                                   *extra_train_drives(self.raw, device)]))

    def simulated_drives_of(self, device: str) -> list[str]:
        """Every drive the main run has a trace of for a device: training drives, then test."""
        return list(dict.fromkeys(drive for _, drive in drive_fields(self.raw, device)))

    def test_drive_of(self, device: str) -> str:
        """The held-out drive of a device: its own `test_drive`, else the global one."""
        return self.raw["devices"][device].get("test_drive", self.test_drive)

    def main_devices(self) -> list[str]:
        """Devices that `snakemake` (rule all) trains and evaluates: all but those with
        `main_run: false`, which only the experiments behind `snakemake figures` use."""
        return sorted(name for name, spec in self.raw["devices"].items()
                      if spec.get("main_run", True))

    def drive_names(self) -> list[str]:
        """Every drive a trace may be made of: the simulated drives and the imported tables."""
        return sorted(set(self.drives).union(*(d.tables for d in self.imported.values())))

    def outputs_of(self, device: str) -> list[str]:
        """The table columns learnt for a device: its own `outputs`, else DEFAULT_OUTPUTS."""
        return list(self.raw["devices"][device].get("outputs", DEFAULT_OUTPUTS))

    def simulation_spec(self, device: str, drive: str) -> SimulationSpec:
        """The spec of one simulation, by device and drive name."""
        if device not in self.devices:
            raise ConfigError(f"no device '{device}'; the config defines {sorted(self.devices)}")
        if drive not in self.drives:
            raise ConfigError(f"no drive '{drive}'; the config defines {sorted(self.drives)}")
        return SimulationSpec(self.devices[device], self.drives[drive], self.sample_period)


def extra_train_drives(raw: dict, device: str) -> list[str]:
    """A device's further training drives: its own `extra_train_drives`; else, unless it
    sets its own `train_drive`, the global `extra_train_drives` (default none)."""
    spec = raw["devices"][device]
    if "extra_train_drives" in spec:
        return list(spec["extra_train_drives"])
    if "train_drive" in spec:
        return []
    return list(raw.get("extra_train_drives", []))


def drive_fields(raw: dict, name: str) -> list[tuple[str, str]]:
    """(field, drive) of every drive a device's traces are made of: training drive,
    extra training drives, test drive; the field as a user would find it (the
    device's own key, else the global one)."""
    device = raw["devices"][name]

    def field_of(key: str) -> str:
        return f"devices.{name}.{key}" if key in device else key

    extras = [(f"{field_of('extra_train_drives')}[{index}]", drive)
              for index, drive in enumerate(extra_train_drives(raw, name))]
    return [(field_of("train_drive"), device.get("train_drive", raw["train_drive"])), *extras,
            (field_of("test_drive"), device.get("test_drive", raw["test_drive"]))]


def load_schema() -> dict:
    """The configuration schema (JSON Schema draft 2020-12).

    The file at SCHEMA_PATH, completed from the registries it must not repeat:
    the engine names (surrogate.config.engines), the material parameters and
    the parameters a drive may set (surrogate.config.parameters).
    """
    with open(SCHEMA_PATH, encoding="utf-8") as stream:
        schema = yaml.safe_load(stream)
    schema["properties"]["engine"]["enum"] = list(ENGINE_CHOICES)
    schema["$defs"]["material"].update(material_schema())
    schema["$defs"]["random_sine_drive"]["properties"]["parameter"].update(
        driven_parameter_schema())
    return schema


def field_path(error: jsonschema.ValidationError) -> str:
    """Dotted path of the field a schema error is about ('<top level>' if none)."""
    parts = [str(part) for part in error.absolute_path]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        parts.append(missing)
    return ".".join(parts) or "<top level>"


def non_finite_fields(value: object, path: str = "") -> list[str]:
    """Dotted paths of every NaN or infinite number in a parsed config (schema bounds miss them)."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [path or "<top level>"]
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return []
    found = []
    for key, item in items:
        found += non_finite_fields(item, f"{path}.{key}" if path else str(key))
    return found


def validate_config(raw: object, source: str = "config") -> None:
    """Raise ConfigError naming `source` and the field for every schema violation."""
    bad_numbers = non_finite_fields(raw)
    if bad_numbers:
        lines = [f"{source}: field '{name}': NaN or infinity is not a number here"
                 for name in bad_numbers]
        raise ConfigError("invalid configuration\n  " + "\n  ".join(lines))
    validator = jsonschema.Draft202012Validator(load_schema())
    errors = sorted(validator.iter_errors(raw), key=lambda error: list(error.absolute_path))
    if errors:
        lines = [f"{source}: field '{field_path(e)}': {e.message}" for e in errors]
        raise ConfigError("invalid configuration\n  " + "\n  ".join(lines))
    simulated = {name: device for name, device in raw["devices"].items()
                 if not is_imported(device)}
    # Global extras are checked even where every device has its own training drive.
    drive_references = [(f"extra_train_drives[{index}]", drive)
                        for index, drive in enumerate(raw.get("extra_train_drives", []))]
    for name in simulated:
        drive_references += drive_fields(raw, name)
    for field_name, drive in dict.fromkeys(drive_references):
        if drive not in raw["drives"]:
            raise ConfigError(
                f"{source}: field '{field_name}': drive '{drive}' is not defined under 'drives' "
                f"(defined: {sorted(raw['drives'])})"
            )
    for name, device in raw["devices"].items():
        if not is_imported(device):
            continue
        for field_name, drive in drive_fields(raw, name):
            if drive not in device["tables"]:
                raise ConfigError(
                    f"{source}: field '{field_name}': drive '{drive}' of imported device "
                    f"'{name}' is not one of its tables (defined: {sorted(device['tables'])})"
                )
    for name, device in raw["devices"].items():
        if "cell_size" not in device:
            continue
        cells = device["diameter"] / device["cell_size"]
        if abs(cells - round(cells)) > 1e-6 or round(cells) < 4:
            raise ConfigError(
                f"{source}: field 'devices.{name}.cell_size': the diameter "
                f"{device['diameter']} m is not a whole number (>= 4) of cells of "
                f"{device['cell_size']} m"
            )


#: Fewest table rows a simulation must give: fewer cannot be embedded or scored.
MIN_TABLE_ROWS = 4
#: Most table rows one simulation may write (about 2.4 GB of text per column).
MAX_TABLE_ROWS = 10**8
#: Rough working memory of a micromagnetic run per cell (bytes): m, the effective-field
#: terms and the zero-padded FFT demag kernel and buffers, in float64.
BYTES_PER_CELL = 1200
#: Largest estimated working memory accepted (bytes): more than any single GPU or node holds.
MAX_SIMULATION_BYTES = 256 * 2**30


def simulation_bytes(device: Device) -> int:
    """Estimated working memory of one simulation of `device` (bytes)."""
    nx, ny, nz = device.grid
    return int(nx) * int(ny) * int(nz) * BYTES_PER_CELL


def check_geometry_and_sampling(config: RunConfig, source: str = "config") -> None:
    """Refuse skyrmions outside their disk, impossible sizes and too few or too many rows."""
    for name, device in config.devices.items():
        needed = simulation_bytes(device)
        if needed > MAX_SIMULATION_BYTES:
            raise ConfigError(
                f"{source}: field 'devices.{name}': the grid {tuple(device.grid)} needs about "
                f"{needed / 2**30:.3g} GiB of working memory, more than the "
                f"{MAX_SIMULATION_BYTES / 2**30:.0f} GiB accepted; use larger cells"
            )
        if isinstance(device, SkyrmionDevice):
            for index, (x, y) in enumerate(device.skyrmion_positions):
                if math.hypot(x, y) + device.skyrmion_diameter / 2 > device.diameter / 2:
                    raise ConfigError(
                        f"{source}: field 'devices.{name}.skyrmion_positions[{index}]': a "
                        f"skyrmion of diameter {device.skyrmion_diameter} m at ({x}, {y}) m "
                        f"does not fit inside the disk of diameter {device.diameter} m"
                    )
        for drive_name in sorted(set(config.simulated_drives_of(name))):
            rows = config.drives[drive_name].duration / config.sample_period
            if rows > MAX_TABLE_ROWS:
                raise ConfigError(
                    f"{source}: field 'sample_period': {config.sample_period} s gives "
                    f"{rows:.3g} table rows over drive '{drive_name}' of device '{name}', about "
                    f"{rows * 24 * 5 / 2**30:.3g} GiB of text; at most {MAX_TABLE_ROWS:.0e} "
                    "rows are accepted"
                )
            if rows < MIN_TABLE_ROWS:
                raise ConfigError(
                    f"{source}: field 'sample_period': {config.sample_period} s gives only "
                    f"{rows:.3g} table rows over drive '{drive_name}' "
                    f"({config.drives[drive_name].duration} s) of device '{name}'; at least "
                    f"{MIN_TABLE_ROWS} are needed"
                )


def parse_config(raw: dict, source: str = "config") -> RunConfig:
    """Validate a parsed configuration and build its typed specs."""
    validate_config(raw, source)
    devices = {name: device_from_dict(name, spec) for name, spec in raw["devices"].items()
               if not is_imported(spec)}
    for name, spec in raw["devices"].items():
        if is_imported(spec):
            try:
                check_tables(imported_device(name, spec), source)
                check_windows(imported_device(name, spec), source)
            except ValueError as exc:
                raise ConfigError(str(exc)) from exc
    for name, device in devices.items():
        try:
            check_thermal_cell_count(name, device)
        except ValueError as exc:
            raise ConfigError(f"{source}: {exc}") from exc
    drives = {name: drive_from_dict(name, spec) for name, spec in raw["drives"].items()}
    config = RunConfig(
        raw=raw, engine=raw["engine"], devices=devices, drives=drives,
        train_drive=raw["train_drive"], test_drive=raw["test_drive"],
        sample_period=float(raw["sample_period"]),
        extra_train_drives=tuple(raw.get("extra_train_drives", ())),
        model=model_settings(raw, source),
        simulation=SimulationSettings(**raw.get("simulation", {})),
    )
    check_capabilities(config, source)
    check_geometry_and_sampling(config, source)
    return config


def model_settings(raw: dict, source: str = "config") -> TrainSettings:
    """The config's `model` section as TrainSettings; ConfigError naming the field if bad."""
    try:
        return parse_model_settings(raw.get("model", {}), source, section="model")
    except SettingsError as exc:
        raise ConfigError(str(exc)) from exc


def check_capabilities(config: RunConfig, source: str = "config") -> None:
    """ConfigError naming the field and the engine for each simulation the engine cannot run.

    Every device is checked with its training and held-out drives; engine `auto`
    must be satisfied by both engines (surrogate.config.engines).
    """
    lines = []
    for device in config.devices:
        for drive in config.simulated_drives_of(device):
            spec = config.simulation_spec(device, drive)
            for engine in engines_of(config.engine):
                for field_name, reason in unsupported(engine, spec):
                    part, _, rest = field_name.partition(".")
                    owner = f"devices.{device}" if part == "device" else f"drives.{drive}"
                    line = f"{source}: field '{owner}.{rest}': {reason}"
                    if line not in lines:
                        lines.append(line)
    if lines:
        raise ConfigError("configuration not supported\n  " + "\n  ".join(lines))


def read_yaml(path: str | os.PathLike) -> object:
    """A YAML file parsed with GuardedLoader (aliases on a budget, no repeated keys);
    errors name the file and the line."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: configuration file not found")
    try:
        with open(path, encoding="utf-8") as stream:
            return load_yaml_text(stream, str(path))
    except YamlBudgetError as exc:
        raise ConfigError(str(exc)) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc


def load_config(path: str | os.PathLike) -> RunConfig:
    """Read, validate and parse a YAML configuration file."""
    return parse_config(read_yaml(path), str(path))


def _tuples(value):
    """Lists (from YAML/JSON) as tuples, recursively, for frozen dataclasses."""
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    return value


def _build(cls: type, values: dict):
    """A spec dataclass from a mapping, nested specs included."""
    kwargs = {}
    for key, value in values.items():
        if key == "material":
            value = Material(**{k: _tuples(v) for k, v in value.items()})
        elif key == "grains" and value is not None:
            value = Grains(**{k: _tuples(v) for k, v in value.items() if k != "kind"})
        elif key == "mackey_glass" and value is not None:
            value = MackeyGlassSeries(**value)
        elif key == "inputs":
            value = tuple(drive_from_dict(item["name"], item) for item in value)
        else:
            value = _tuples(value)
        kwargs[key] = value
    return cls(**kwargs)


def device_from_dict(name: str, spec: dict) -> Device:
    """A device spec (SkyrmionDevice, VortexOscillator, ...) from its mapping, by `kind`."""
    values = {key: value for key, value in spec.items() if key not in PIPELINE_KEYS}
    values["name"] = name
    return _build(DEVICE_KINDS[spec["kind"]], values)


def drive_from_dict(name: str, spec: dict) -> Drive:
    """A drive spec (RandomSineDrive, HeldSequenceDrive, ...) from its mapping, by `kind`."""
    values = dict(spec)
    values["name"] = name
    if spec["kind"] == "masked_sequence":
        values.setdefault("series_file", None)  # absent when the series is `mackey_glass`
    if spec["kind"] == "parameter_inputs":
        values["inputs"] = [
            dict(item, name=item.get("name", f"{name}_{item['parameter']}"),
                 kind=item.get("kind", "random_sine"))
            for item in spec["inputs"]
        ]
    return _build(DRIVE_KINDS[spec["kind"]], values)


def spec_from_dict(data: dict) -> SimulationSpec:
    """Rebuild a SimulationSpec from `SimulationSpec.to_dict()` output."""
    return SimulationSpec(
        device=device_from_dict(data["device"]["name"], data["device"]),
        drive=drive_from_dict(data["drive"]["name"], data["drive"]),
        sample_period=float(data["sample_period"]),
        metadata=dict(data.get("metadata", {})),
    )
