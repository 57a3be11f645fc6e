"""Drive waveforms as pure functions of time (s) and a seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from surrogate.config.specs import (
    HeldSequenceDrive,
    MaskedSequenceDrive,
    RandomSineDrive,
    SampledWaveformDrive,
)


def random_amplitudes(drive: RandomSineDrive) -> np.ndarray:
    """The per-period amplitudes A_n (dimensionless), reproducible from `drive.seed`."""
    low, high = drive.amplitude_range
    return np.random.default_rng(drive.seed).uniform(low, high, size=drive.n_periods)


def drive_offset(drive: RandomSineDrive, t: np.ndarray, amplitudes: np.ndarray) -> np.ndarray:
    """`amplitude * A_n * sin(2 pi f t)` at times t (s) from the start of the drive.

    Times past the last period hold the last amplitude, so the value at exactly
    the end of the drive is well defined.
    """
    t = np.asarray(t, dtype=np.float64)
    period_index = np.clip(np.floor(t * drive.frequency + 1e-9).astype(int), 0, len(amplitudes) - 1)
    return drive.amplitude * amplitudes[period_index] * np.sin(2.0 * np.pi * drive.frequency * t)


def held_values(drive: HeldSequenceDrive) -> np.ndarray:
    """The held amplitudes A_n (dimensionless), reproducible from `drive.seed`."""
    low, high = drive.amplitude_range
    return np.random.default_rng(drive.seed).uniform(low, high, size=drive.n_steps)


def held_offset(drive: HeldSequenceDrive, t: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`amplitude * A_n` at times t (s) from the start of the drive; A_n changes every hold_time."""
    t = np.asarray(t, dtype=np.float64)
    index = np.clip(np.floor(t / drive.hold_time + 1e-9).astype(int), 0, len(values) - 1)
    return drive.amplitude * values[index]


class DriveDataError(ValueError):
    """A drive's data file is missing, too short or not numeric."""


def load_series(path: str | Path, count: int, field_name: str) -> np.ndarray:
    """The first `count` values of a text (one value a line) or `.npy` series file.

    Errors name the file and the spec field `field_name` that points to it.
    """
    path = Path(path)
    if not path.is_file():
        raise DriveDataError(f"{path}: file of field '{field_name}' not found")
    try:
        values = np.load(path) if path.suffix == ".npy" else np.loadtxt(path, ndmin=1)
    except ValueError as exc:
        raise DriveDataError(f"{path}: field '{field_name}' file is not numeric ({exc})") from exc
    values = np.asarray(values, dtype=np.float64).ravel()
    if len(values) < count:
        raise DriveDataError(
            f"{path}: field '{field_name}' file holds {len(values)} values, {count} needed"
        )
    if not np.all(np.isfinite(values[:count])):
        raise DriveDataError(f"{path}: field '{field_name}' file holds NaN or infinite values")
    return values[:count]


def input_mask(n_virtual_nodes: int, seed: int) -> np.ndarray:
    """The reservoir input mask W_j, uniform in [-1, 1], reproducible from `seed`."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=n_virtual_nodes)


def masked_values(drive: MaskedSequenceDrive) -> np.ndarray:
    """Held inputs u = scale * W_j * s_k in time order (k slow, j fast), dimensionless."""
    series = load_series(drive.series_file, drive.n_samples, "series_file")
    mask = input_mask(drive.n_virtual_nodes, drive.mask_seed)
    return drive.scale * np.outer(series, mask).ravel()


def sampled_values(drive: SampledWaveformDrive) -> np.ndarray:
    """The samples v_n of a SampledWaveformDrive (dimensionless)."""
    if drive.interpolation not in ("hold", "linear"):
        raise DriveDataError(
            f"drive '{drive.name}': field 'interpolation' is '{drive.interpolation}', "
            "expected 'hold' or 'linear'"
        )
    return load_series(drive.values_file, drive.n_values, "values_file")


def sampled_offset(step: float, values: np.ndarray, t: np.ndarray, amplitude: float,
                   interpolation: str = "hold") -> np.ndarray:
    """`amplitude * v(t)` for samples `values` every `step` (s), t from the drive start.

    "hold" keeps v_n over [n step, (n + 1) step); "linear" interpolates between
    samples. Times past the end hold the last value.
    """
    t = np.asarray(t, dtype=np.float64)
    if interpolation == "linear":
        return amplitude * np.interp(t, step * np.arange(len(values)), values)
    index = np.clip(np.floor(t / step + 1e-9).astype(int), 0, len(values) - 1)
    return amplitude * values[index]
