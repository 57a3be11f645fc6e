"""Drive data files: what a drive sets, the OVF files both engines read, its values in time.

A drive is a list of channels, one per driven quantity, stepped through in
steps of equal length (s). Over step n a channel's value is
`base + offset(t)`, with t (s) counted from the start of the drive and the
offset shaped by the channel's data value(s) A[n]:

- "sine":   amplitude * A[n] * sin(2 pi frequency t)
- "hold":   amplitude * A[n]
- "linear": amplitude * (A[n] + (A[n + 1] - A[n]) (t - n step) / step)

`render` writes the data values A into OVF2 text files beside the mumax3
script (`write_data_files`); mumax3 loads them with `LoadFile`, and the
magnum.np engine reads the same files back (`read_drive`), so a waveform is
drawn exactly once. The same shapes exist in mumax3 script language in
`mumax_templates/_macros.mx3.j2` (macro `offset`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from surrogate.config.parameters import DRIVABLE, base_values
from surrogate.config.specs import (
    HeldSequenceDrive,
    MaskedSequenceDrive,
    ParameterInputsDrive,
    RandomSineDrive,
    SampledWaveformDrive,
    SimulationSpec,
    StandardProblem4,
    VortexOscillator,
)
from surrogate.io.ovf import OvfError, format_ovf_text, read_ovf
from surrogate.physics.drives import held_values, masked_values, random_amplitudes, sampled_values
from surrogate.physics.regions import region_file_name

SHAPES = ("sine", "hold", "linear")
#: A step index is floor(t / step + STEP_EPSILON): a time within 1e-9 steps of a
#: step boundary belongs to the step that starts there.
STEP_EPSILON = 1e-9


class DriveSpecError(ValueError):
    """A drive cannot be laid out, or its data file does not match its spec."""


@dataclass(frozen=True)
class Channel:
    """One driven quantity: `parameter = base + offset(values[n])` over each step n.

    `base` and `amplitude` are in `unit` (SI); `frequency` (Hz) is the sine's;
    `var` is the mumax3 script variable and `file` the data file name.
    """

    parameter: str
    base: float
    unit: str
    amplitude: float
    shape: str
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    frequency: float = 0.0
    var: str = "A0"
    file: str = ""
    grain_bases: tuple[float, ...] = ()

    def offset(self, t: np.ndarray, n: np.ndarray, step: float) -> np.ndarray:
        """The offset from `base` at drive times t (s) within steps n (of `step` s each)."""
        n = np.asarray(n)
        following = self.values[np.minimum(n + 1, len(self.values) - 1)]
        return self.offset_in_step(np.asarray(t, dtype=np.float64), self.values[n], following,
                                   n * step, step, np.sin)

    def offset_in_step(self, t, value, following, start, step: float, sin):
        """The offset at drive time t (s) in a step that starts at `start` (s).

        `value` is the step's data value A[n], `following` the next one (used by
        "linear"); `sin` is numpy's or torch's, so the magnum.np engine
        evaluates the same expression on tensors.
        """
        if self.shape == "sine":
            return self.amplitude * value * sin(2.0 * np.pi * self.frequency * t)
        if self.shape == "hold":
            return self.amplitude * value
        return self.amplitude * (value + (following - value) * (t - start) / step)


@dataclass(frozen=True)
class DrivePlan:
    """The channels of a drive, stepped `n_steps` times by `step` (s)."""

    channels: tuple[Channel, ...]
    step: float
    n_steps: int

    @property
    def duration(self) -> float:
        """Length of the drive (s)."""
        return self.n_steps * self.step

    def step_index(self, t: np.ndarray) -> np.ndarray:
        """The step n that drive time t (s) lies in: the one starting at t on a boundary."""
        n = np.floor(np.asarray(t, dtype=np.float64) / self.step + STEP_EPSILON).astype(int)
        return np.clip(n, 0, self.n_steps - 1)

    def switch_times(self) -> np.ndarray:
        """Drive times (s) where a new step starts, after the first."""
        return np.arange(1, self.n_steps) * self.step

    def values(self, t: np.ndarray, n: np.ndarray | None = None) -> np.ndarray:
        """base + offset of every channel at drive times t (s): shape (len(t), channels).

        `n` fixes the step (as mumax3's loop does over one `Run(step)`); by
        default it is the step that t lies in.
        """
        t = np.atleast_1d(np.asarray(t, dtype=np.float64))
        n = self.step_index(t) if n is None else np.broadcast_to(n, t.shape)
        return np.stack([ch.base + ch.offset(t, n, self.step) for ch in self.channels], axis=-1)


def channel_bases(spec: SimulationSpec) -> dict[str, float]:
    """The undriven value (SI) of every quantity the device of `spec` may drive."""
    bases = base_values(spec.device)
    if not bases:
        raise DriveSpecError(f"spec '{spec.device.name}': device kind '{spec.device.kind}' has no "
                             "drive channels")
    return bases


def data_file_names(spec: SimulationSpec) -> list[str]:
    """Names of the data files `render` writes beside the script, in its order.

    One drive file per driven parameter, `<device>_<drive>_<parameter>.ovf`,
    then for an oscillator with Oersted field `<device>_oersted.ovf`, for a
    device with grains its region map `<device>_regions.ovf`. Known before
    rendering, so a workflow can declare them as outputs.
    """
    device, drive = spec.device, spec.drive
    if isinstance(device, StandardProblem4):
        return []
    inputs = drive.inputs if isinstance(drive, ParameterInputsDrive) else (drive,)
    names = [f"{device.name}_{drive.name}_{item.parameter}.ovf" for item in inputs]
    if isinstance(device, VortexOscillator) and device.oersted:
        names.append(f"{device.name}_oersted.ovf")
    if getattr(device, "grains", None) is not None:
        names.append(region_file_name(device))
    return names


def drive_plan(spec: SimulationSpec) -> DrivePlan:
    """The drive of `spec` with its data values drawn or loaded from the spec (for render)."""
    channels, draws, step, n_steps = _layout(spec)
    filled = tuple(replace(ch, values=draw()) for ch, draw in zip(channels, draws, strict=True))
    return DrivePlan(filled, step, n_steps)


def read_drive(spec: SimulationSpec, folder: Path) -> DrivePlan:
    """The drive of `spec` with its data values read from the files `render` wrote in `folder`.

    Errors name the file: a missing file, a count that does not match the
    spec, or NaN/infinite values.
    """
    channels, _, step, n_steps = _layout(spec)
    filled = []
    for ch in channels:
        path = Path(folder) / ch.file
        try:
            data = read_ovf(path)
        except OvfError as exc:
            raise DriveSpecError(f"{path}: drive data file of '{ch.parameter}': {exc}") from exc
        values = data.values.reshape(-1)
        expected = n_steps + 1 if ch.shape == "linear" else n_steps
        if data.values.shape != (len(values), 1, 1, 1) or len(values) != expected:
            raise DriveSpecError(
                f"{path}: holds {data.values.shape[:3]} values of '{ch.parameter}'; drive "
                f"'{spec.drive.name}' needs {expected} along x (render it again)"
            )
        if not np.all(np.isfinite(values)):
            raise DriveSpecError(f"{path}: values of '{ch.parameter}' hold NaN or infinity")
        filled.append(replace(ch, values=values))
    return DrivePlan(tuple(filled), step, n_steps)


def write_data_files(plan: DrivePlan, cell_size: float) -> dict[str, str]:
    """OVF2 text of each channel's data file, by file name (values along x)."""
    return {
        ch.file: format_ovf_text(ch.values, (cell_size,) * 3, title=f"{ch.parameter} drive",
                                 labels=("A",))
        for ch in plan.channels
    }


def _layout(spec: SimulationSpec) -> tuple[list[Channel], list[Callable[[], np.ndarray]],
                                          float, int]:
    """Channels without values, how to draw each one's values, step length (s), step count."""
    drive = spec.drive
    if isinstance(drive, RandomSineDrive | ParameterInputsDrive):
        channels, draws, step, n_steps = _input_channels(spec)
    elif isinstance(drive, HeldSequenceDrive | MaskedSequenceDrive):
        channels, draws, step, n_steps = _sequence_channel(spec)
    elif isinstance(drive, SampledWaveformDrive):
        channels, draws, step, n_steps = _waveform_channel(spec)
    else:
        raise DriveSpecError(f"spec '{spec.device.name}': drive kind '{drive.kind}' has no "
                             "drive channels")
    files = data_file_names(spec)
    channels = [replace(ch, var=f"A{i}", file=files[i]) for i, ch in enumerate(channels)]
    return channels, draws, step, n_steps


def _check_parameter(spec: SimulationSpec, parameter: str) -> None:
    """DriveSpecError unless the device of `spec` may drive `parameter`."""
    bases = channel_bases(spec)
    if parameter not in bases:
        raise DriveSpecError(
            f"spec '{spec.device.name}': field 'drive.parameter' is '{parameter}', "
            f"expected one of {sorted(bases)}"
        )


def _channel(spec: SimulationSpec, parameter: str, amplitude: float, shape: str,
             frequency: float = 0.0) -> Channel:
    """A channel of `parameter` at its base value and unit on the device of `spec`."""
    return Channel(parameter, channel_bases(spec)[parameter], DRIVABLE[spec.device.kind][parameter],
                   amplitude, shape, frequency=frequency)


def _check_inputs(spec: SimulationSpec, inputs: tuple) -> None:
    """Refuse an empty input list, a parameter the device cannot drive or a bad input field."""
    name = spec.device.name
    if not inputs:
        raise DriveSpecError(f"spec '{name}': field 'drive.inputs' is empty")
    for item in inputs:
        _check_parameter(spec, item.parameter)
        if isinstance(item, SampledWaveformDrive):
            _check_positive(name, {"drive.sample_time": item.sample_time})
            if item.interpolation != "hold":
                raise DriveSpecError(
                    f"spec '{name}': drive input '{item.name}' has field 'interpolation' "
                    f"'{item.interpolation}'; an input among several must be 'hold'"
                )
        else:
            _check_positive(name, {"drive.frequency": item.frequency,
                                   "drive.n_periods": item.n_periods})


def _input_channels(spec: SimulationSpec):
    """A random sine, or the inputs of a ParameterInputsDrive, as channels on one step."""
    drive = spec.drive
    inputs = drive.inputs if isinstance(drive, ParameterInputsDrive) else (drive,)
    _check_inputs(spec, inputs)
    step = min(_input_step(item) for item in inputs)
    n_steps = int(round(inputs[0].duration / step))
    channels, draws = [], []
    for item in inputs:
        ratio = step / _input_step(item)
        repeat = int(round(1.0 / ratio))
        if abs(repeat * ratio - 1.0) > 1e-9 or abs(item.duration - inputs[0].duration) > (
            1e-9 * step
        ):
            raise DriveSpecError(
                f"spec '{spec.device.name}': drive input '{item.name}' must have a period "
                f"that is a whole multiple of {step!r} s and last {inputs[0].duration!r} s"
            )
        if isinstance(item, SampledWaveformDrive):
            channels.append(_channel(spec, item.parameter, item.amplitude, "hold"))
            draws.append(lambda item=item, repeat=repeat: np.repeat(sampled_values(item),
                                                                   repeat))
        else:
            channels.append(_channel(spec, item.parameter, item.amplitude, "sine",
                                     item.frequency))
            draws.append(lambda item=item, repeat=repeat: np.repeat(random_amplitudes(item),
                                                                   repeat))
    return channels, draws, step, n_steps


def _sequence_channel(spec: SimulationSpec):
    """A held or masked sequence as one channel held over each step."""
    drive = spec.drive
    _check_parameter(spec, drive.parameter)
    if isinstance(drive, HeldSequenceDrive):
        counts = {"drive.n_steps": drive.n_steps}
        n_steps = drive.n_steps
    else:
        counts = {"drive.n_samples": drive.n_samples,
                  "drive.n_virtual_nodes": drive.n_virtual_nodes}
        n_steps = drive.n_samples * drive.n_virtual_nodes
    _check_positive(spec.device.name, {"drive.hold_time": drive.hold_time, **counts})
    channels = [_channel(spec, drive.parameter, drive.amplitude, "hold")]
    draws = [(lambda: held_values(drive)) if isinstance(drive, HeldSequenceDrive) else
             (lambda: masked_values(drive))]
    return channels, draws, drive.hold_time, n_steps


def _waveform_channel(spec: SimulationSpec):
    """A sampled waveform as one channel, held or linear between its samples."""
    drive, name = spec.drive, spec.device.name
    _check_parameter(spec, drive.parameter)
    _check_positive(name, {"drive.sample_time": drive.sample_time})
    if drive.interpolation not in ("hold", "linear"):
        raise DriveSpecError(
            f"spec '{name}': field 'drive.interpolation' is '{drive.interpolation}', "
            "expected 'hold' or 'linear'"
        )
    n_steps = drive.n_values - (1 if drive.interpolation == "linear" else 0)
    if n_steps < 1:
        raise DriveSpecError(f"spec '{name}': field 'drive.n_values' is too small")
    channels = [_channel(spec, drive.parameter, drive.amplitude, drive.interpolation)]
    return channels, [lambda: sampled_values(drive)], drive.sample_time, n_steps


def _input_step(item: RandomSineDrive | SampledWaveformDrive) -> float:
    """How long (s) one data value of an input of a ParameterInputsDrive lasts."""
    if isinstance(item, SampledWaveformDrive):
        return item.sample_time
    return 1.0 / item.frequency


def _check_positive(name: str, values: dict[str, float]) -> None:
    for field_name, value in values.items():
        if not value > 0:
            raise DriveSpecError(f"spec '{name}': field '{field_name}' must be > 0, got {value!r}")
