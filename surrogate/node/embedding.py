"""Normalisation and delay embedding of sampled channels.

A channel `x` is normalised as `(x - mean) / std` with statistics taken from the
training data. The delay-embedded state at sample `i` is, delay-major,
`[x_i, x_{i+d}, ..., x_{i+(k-1)d}]` where each `x_j` holds all channels and `d`
is the delay in samples; the input stack uses the same layout. This module is
the one place that layout is written: `delay_offsets` and `delay_block` say
where each delay is, and the integrators and the rollouts read them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from surrogate.config.model_settings import check_embedding


@dataclass(frozen=True)
class Normalisation:
    """Per-channel mean and standard deviation, in the channels' own SI units."""

    mean: np.ndarray
    std: np.ndarray

    def apply(self, x: np.ndarray) -> np.ndarray:
        """Normalised copy of `x` (T, n)."""
        return (np.asarray(x, dtype=np.float64) - self.mean) / self.std

    def invert(self, z: np.ndarray) -> np.ndarray:
        """Back to SI units from normalised `z` (T, n)."""
        return np.asarray(z, dtype=np.float64) * self.std + self.mean


def fit_normalisation(x: np.ndarray, names: list[str]) -> Normalisation:
    """Mean and std of each column of `x` (T, n); a constant channel keeps std 1.

    A constant input (a parameter held fixed in training) carries no scale, so
    it is only centred; `names` label the channels in errors.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != len(names):
        raise ValueError(f"channels {names}: expected an array (T, {len(names)}), got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"channels {names}: NaN or infinite values")
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    scale = np.maximum(np.abs(mean), 1.0)
    std = np.where(std > 1e-12 * scale, std, 1.0)
    return Normalisation(mean, std)


def delay_offsets(k: int, delay: int) -> np.ndarray:
    """Samples from the first delay to each of the k delays of a state: 0, d, ..., (k-1)d."""
    check_embedding(k, delay)
    return np.arange(k) * delay


def span(k: int, delay: int) -> int:
    """Samples one embedded state covers, its first to its newest: (k - 1) * delay + 1."""
    return int(delay_offsets(k, delay)[-1]) + 1


def delay_block(j: int, n_channels: int) -> slice:
    """The columns of delay j (0: the earliest) in an embedded row of `n_channels` channels."""
    return slice(j * n_channels, (j + 1) * n_channels)


def delay_embed(x: np.ndarray, k: int, delay: int = 1) -> np.ndarray:
    """Delay-embedded rows `[x_i, x_{i+d}, ..., x_{i+(k-1)d}]` for every valid i.

    `x` is (T, n); the result is (T - (k-1)d, n*k), delay-major.
    """
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"delay_embed: expected (T, n) samples, got shape {x.shape}")
    check_embedding(k, delay, "delay_embed: ")
    offsets = delay_offsets(k, delay)
    if len(x) < span(k, delay):
        raise ValueError(f"delay_embed: {len(x)} samples are too few for k={k}, delay={delay}")
    rows = len(x) - offsets[-1]
    return np.concatenate([x[offset : offset + rows] for offset in offsets], axis=1)


def unembed(states: np.ndarray, n_channels: int, k: int, delay: int = 1) -> np.ndarray:
    """Samples from consecutive embedded states: inverse of `delay_embed`.

    Sample i is the first delay of state i; each of the last (k-1)*delay
    samples comes from the earliest delay of the newest state that holds it.
    `states` is (S, >= n_channels*k) with S >= delay; the result is
    (S + (k-1)*delay, n).
    """
    if len(states) < delay:
        raise ValueError(f"unembed: {len(states)} states are too few for delay={delay}")
    last = len(states) - 1
    offsets = delay_offsets(k, delay)
    tail = []
    for ahead in range(1, span(k, delay)):
        j = -(-ahead // delay)  # the first delay that reaches `ahead` samples past the last state
        tail.append(states[last + ahead - offsets[j], delay_block(j, n_channels)])
    return np.concatenate([states[:, delay_block(0, n_channels)],
                           np.reshape(tail, (-1, n_channels))], axis=0)
