"""Drive waveforms as pure functions of time (s) and a seed."""

from __future__ import annotations

import numpy as np

from .specs import HeldSequenceDrive, RandomSineDrive


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
