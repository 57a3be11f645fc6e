"""The `experiments.parameter_sweep` section: parameters as inputs (the paper's Fig. 4).

A two-input device (Ku1 and Dind as inputs) is trained on its training drive
and its Spin-NODE predicts each sweep drive, on which the inputs are held at
several values; surrogate.analysis.parameter_sweep measures the amplitude and
frequency of the output per held value in the simulation and in the prediction.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from surrogate.config.imported import is_imported
from surrogate.config.loader import drive_fields


@dataclass(frozen=True)
class ParameterSweepSpec:
    """Which device and drives are swept, and how the oscillation is measured.

    `device` names a device of the config. `sweeps` maps each sweep drive to
    the input columns swept on it (e.g. {"steps": ("Ku1.region100",
    "Dind.region100")}; in the config a list of {drive, swept}, so that a
    profile's list replaces the default's); a drive is, for a simulated device, its train or test
    drive (the workflow simulates those two), for an imported device one of its
    tables. `skip_time` (s) is left out after each step before the amplitude
    and frequency are measured; with `per_step` each amplitude is divided by
    the size of its step (in the stepped input's SI unit).
    """

    device: str
    sweeps: dict[str, tuple[str, ...]]
    skip_time: float = 5e-11
    per_step: bool = True


def from_dict(raw: dict, source: str) -> ParameterSweepSpec:
    """The spec of `raw` (the whole, schema-valid config); errors name `source` and the field."""
    section = raw["experiments"]["parameter_sweep"]
    prefix = "experiments.parameter_sweep"
    known = {item.name for item in fields(ParameterSweepSpec)}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ValueError(f"{source}: field '{prefix}.{unknown[0]}': unknown key")
    device = section["device"]
    if device not in raw["devices"]:
        raise ValueError(f"{source}: field '{prefix}.device': no device '{device}' "
                         f"(defined: {sorted(raw['devices'])})")
    spec = raw["devices"][device]
    if is_imported(spec):
        allowed = set(spec["tables"])
    else:
        allowed = {drive for _, drive in drive_fields(raw, device)}
    sweeps = {}
    for index, item in enumerate(section["sweeps"]):
        drive, columns = item["drive"], tuple(item["swept"])
        if drive not in allowed or drive in sweeps:
            raise ValueError(
                f"{source}: field '{prefix}.sweeps[{index}].drive': drive '{drive}' is given "
                f"twice or is not one the workflow has a trace of for device '{device}' (it "
                f"has {sorted(allowed)})"
            )
        unknown_columns = sorted(set(columns) - set(spec.get("inputs", columns)))
        if unknown_columns:
            raise ValueError(
                f"{source}: field '{prefix}.sweeps[{index}].swept': {unknown_columns} are not "
                f"inputs of imported device '{device}' ({spec['inputs']})"
            )
        sweeps[drive] = columns
    return ParameterSweepSpec(**dict(section, sweeps=sweeps))
