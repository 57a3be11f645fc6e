"""`spec.json`, the one simulation `render` writes beside its script, read as strictly as
the configuration: NaN and infinity refused naming the field, then the schema and every
check of `parse_config` on the spec written back as a one-device, one-drive config."""

from __future__ import annotations

import json
import os
from pathlib import Path

from surrogate.config.loader import (
    ConfigError,
    non_finite_fields,
    parse_config,
    spec_from_dict,
)
from surrogate.config.specs import SimulationSpec

# The engine whose capabilities a spec is checked against: render writes mumax3's script.
RENDERED_ENGINE = "mumax3"


class SpecFileError(ConfigError):
    """A spec.json that is unreadable or invalid; the message names the file and field."""


def _config_form(value):
    """`SimulationSpec.to_dict()` output as a config writes it: optional fields left out
    rather than null, and grains without the `kind` the spec records."""
    if isinstance(value, dict):
        return {key: _config_form(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_config_form(item) for item in value]
    return value


def as_config(data: dict) -> dict:
    """The run configuration holding just the device and drive of a spec.json."""
    device = {key: value for key, value in data["device"].items() if key != "name"}
    if isinstance(device.get("grains"), dict):
        device["grains"] = {key: value for key, value in device["grains"].items()
                            if key != "kind"}
    drive = {key: value for key, value in data["drive"].items() if key != "name"}
    name = data["drive"]["name"]
    return _config_form({
        "engine": RENDERED_ENGINE, "sample_period": data["sample_period"],
        "devices": {data["device"]["name"]: device}, "drives": {name: drive},
        "train_drive": name, "test_drive": name, "model": {},
    })


def read_spec_file(path: str | os.PathLike) -> SimulationSpec:
    """The SimulationSpec of a spec.json; SpecFileError naming the file and the field."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SpecFileError(f"{path}: not a readable simulation spec ({exc})") from exc
    if not isinstance(data, dict):
        raise SpecFileError(f"{path}: expected a JSON object, got {type(data).__name__}")
    bad = non_finite_fields(data)
    if bad:
        raise SpecFileError(f"{path}: field '{bad[0]}': NaN or infinity is not a number here")
    for part in ("device", "drive"):
        if not isinstance(data.get(part), dict) or not isinstance(data[part].get("name"), str):
            raise SpecFileError(f"{path}: field '{part}' must be an object with a 'name'")
    if "sample_period" not in data:
        raise SpecFileError(f"{path}: field 'sample_period' is missing")
    try:
        parse_config(as_config(data), str(path))
        return spec_from_dict(data)
    except ConfigError as exc:
        raise SpecFileError(str(exc)) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise SpecFileError(f"{path}: not a valid simulation spec ({exc})") from exc
