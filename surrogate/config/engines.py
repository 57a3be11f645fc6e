"""The engines' names and what each runs: device x drive pairs, driven parameters, limits.

Facts about the engines that config validation (`surrogate.config.loader`)
checks before any job starts, naming the field and the engine; engine `auto`
must satisfy both engines. The engines import them from here (the magnum.np
runner checks the same table).
"""

from __future__ import annotations

from dataclasses import dataclass

from surrogate.config.parameters import DRIVABLE
from surrogate.config.specs import Device, ParameterInputsDrive, SimulationSpec

#: The micromagnetic engines, by the name a config's `engine` gives them.
ENGINES = ("mumax3", "magnumnp")
#: What a config's `engine` may say: an engine, or `auto` (surrogate.engines.select).
ENGINE_CHOICES = ("auto", *ENGINES)
#: Drives of a material parameter or a current, stepped through data files.
CHANNEL_DRIVES = frozenset(
    {"random_sine", "parameter_inputs", "held_sequence", "masked_sequence", "sampled_waveform"}
)


@dataclass(frozen=True)
class Capability:
    """What an engine runs on one device kind: drive kinds, driven parameters, device options."""

    drive_kinds: frozenset[str]
    parameters: frozenset[str] = frozenset()
    options: frozenset[str] = frozenset()


#: engine -> device kind -> Capability. Options are optional device fields ("grains").
CAPABILITIES: dict[str, dict[str, Capability]] = {
    "mumax3": {
        "skyrmion": Capability(CHANNEL_DRIVES, frozenset(DRIVABLE["skyrmion"]),
                               frozenset({"grains"})),
        "vortex_oscillator": Capability(CHANNEL_DRIVES - {"parameter_inputs"},
                                        frozenset(DRIVABLE["vortex_oscillator"])),
        "standard_problem_4": Capability(frozenset({"field_step"})),
    },
    "magnumnp": {
        "skyrmion": Capability(CHANNEL_DRIVES, frozenset(DRIVABLE["skyrmion"]),
                               frozenset({"grains"})),
        "vortex_oscillator": Capability(CHANNEL_DRIVES - {"parameter_inputs"},
                                        frozenset(DRIVABLE["vortex_oscillator"])),
        "standard_problem_4": Capability(frozenset({"field_step"})),
    },
}
#: Optional device fields that a Capability's options name.
DEVICE_OPTIONS = ("grains",)


def engines_of(engine: str) -> tuple[str, ...]:
    """The engines a config's `engine` must satisfy: both for `auto`."""
    return ENGINES if engine == "auto" else (engine,)


def unsupported(engine: str, spec: SimulationSpec) -> list[tuple[str, str]]:
    """(field, reason) for each part of `spec` that `engine` does not run; [] if it runs.

    Fields are relative to the spec: `device.kind`, `device.grains`,
    `drive.kind`, `drive.parameter`, `drive.inputs.<i>.parameter`.
    """
    device, drive = spec.device, spec.drive
    by_kind = CAPABILITIES[engine]
    if device.kind not in by_kind:
        return [("device.kind", f"engine '{engine}' does not run device kind '{device.kind}'")]
    capability = by_kind[device.kind]
    problems = [
        (f"device.{option}", f"engine '{engine}' does not support '{option}' on device kind "
                             f"'{device.kind}'")
        for option in DEVICE_OPTIONS
        if getattr(device, option, None) is not None and option not in capability.options
    ]
    if drive.kind not in capability.drive_kinds:
        problems.append(("drive.kind", (
            f"engine '{engine}' does not run drive kind '{drive.kind}' on device kind "
            f"'{device.kind}' (it runs {sorted(capability.drive_kinds)})")))
        return problems
    if drive.kind in CHANNEL_DRIVES:
        inputs = drive.inputs if isinstance(drive, ParameterInputsDrive) else (drive,)
        for index, item in enumerate(inputs):
            if item.parameter not in capability.parameters:
                field = (f"drive.inputs.{index}.parameter"
                         if isinstance(drive, ParameterInputsDrive) else "drive.parameter")
                problems.append((field, (
                    f"engine '{engine}' cannot drive '{item.parameter}' on device kind "
                    f"'{device.kind}' (it drives {sorted(capability.parameters)})")))
    return problems


def check_supported(engine: str, spec: SimulationSpec) -> None:
    """ValueError naming the field and the engine if `engine` does not run `spec`."""
    problems = unsupported(engine, spec)
    if problems:
        raise ValueError("; ".join(
            f"spec '{spec.device.name}' / '{spec.drive.name}': field '{field}': {reason}"
            for field, reason in problems))


def check_thermal_cell_count(name: str, device: Device) -> None:
    """Refuse a thermal run (temperature > 0 K) on an odd total number of cells.

    mumax3 draws the thermal field with cuRAND's normal generator, which fails
    with CURAND_STATUS_LENGTH_NOT_MULTIPLE on an odd count (3.11 warns first,
    3.10 just fails). Raises ValueError naming `devices.<name>.temperature`.
    """
    temperature = getattr(device, "temperature", 0.0)
    nx, ny, nz = device.grid
    cells = nx * ny * nz
    if temperature > 0 and cells % 2 == 1:
        raise ValueError(
            f"field 'devices.{name}.temperature': {temperature} K needs an even number of "
            f"cells for mumax3's thermal noise, the grid {nx} x {ny} x {nz} has {cells}; "
            "change diameter, cell_size or layers"
        )
