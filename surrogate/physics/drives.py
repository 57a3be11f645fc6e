"""Drive data values (dimensionless), drawn from a seed or loaded from a series file.

How they become a waveform in time is `surrogate.engines.drive_files`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from surrogate.config.specs import (
    HeldSequenceDrive,
    MaskedSequenceDrive,
    RandomSineDrive,
    SampledWaveformDrive,
)
from surrogate.physics.mackey_glass import mackey_glass_series


def random_amplitudes(drive: RandomSineDrive) -> np.ndarray:
    """The per-period amplitudes A_n (dimensionless), reproducible from `drive.seed`."""
    low, high = drive.amplitude_range
    return np.random.default_rng(drive.seed).uniform(low, high, size=drive.n_periods)


def held_values(drive: HeldSequenceDrive) -> np.ndarray:
    """The held amplitudes A_n (dimensionless), reproducible from `drive.seed`."""
    low, high = drive.amplitude_range
    return np.random.default_rng(drive.seed).uniform(low, high, size=drive.n_steps)


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


def masked_series(drive: MaskedSequenceDrive) -> np.ndarray:
    """The series s_k (dimensionless) a MaskedSequenceDrive holds: its file's or Mackey-Glass."""
    if (drive.series_file is None) == (drive.mackey_glass is None):
        raise DriveDataError(f"drive '{drive.name}': give exactly one of the fields "
                             "'series_file' and 'mackey_glass'")
    if drive.mackey_glass is not None:
        return mackey_glass_series(drive.mackey_glass, drive.n_samples)
    return load_series(drive.series_file, drive.n_samples, "series_file")


def masked_values(drive: MaskedSequenceDrive) -> np.ndarray:
    """Held inputs u = scale * W_j * s_k in time order (k slow, j fast), dimensionless."""
    series = masked_series(drive)
    mask = input_mask(drive.n_virtual_nodes, drive.mask_seed)
    return drive.scale * np.outer(series, mask).ravel()


def sampled_values(drive: SampledWaveformDrive) -> np.ndarray:
    """The samples v_n of a SampledWaveformDrive (dimensionless)."""
    return load_series(drive.values_file, drive.n_values, "values_file")
