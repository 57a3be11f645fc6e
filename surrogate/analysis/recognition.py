"""Sine/square waveform recognition (Riou et al.) with a linear readout. Times in s.

A random sequence of sine and square periods, `points_per_period` points each,
is the device's input; each point is classified as sine (label 0) or square
(label 1) by a ridge-regression readout of the device's output. The readout is
trained on the first points and scored on the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SINE, SQUARE = 0, 1


def sine_square_sequence(n_periods: int, points_per_period: int,
                         seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(input values in [-1, 1], labels 0 sine / 1 square), one of each per point.

    Each period is, with equal chance from `seed`, one period of
    sin(2 pi j / points_per_period) or of a square wave (+1 over its first
    half, -1 over the second), j = 0 .. points_per_period - 1.
    """
    if n_periods < 1 or points_per_period < 2:
        raise ValueError(f"need n_periods >= 1 and points_per_period >= 2, "
                         f"got {n_periods} and {points_per_period}")
    kinds = np.random.default_rng(seed).integers(0, 2, size=n_periods)
    phase = np.arange(points_per_period) / points_per_period
    shapes = {SINE: np.sin(2.0 * np.pi * phase), SQUARE: np.where(phase < 0.5, 1.0, -1.0)}
    values = np.concatenate([shapes[kind] for kind in kinds])
    return values, np.repeat(kinds, points_per_period)


def readout_features(t: np.ndarray, outputs: np.ndarray, start: float, point_time: float,
                     n_points: int, taps: int, delays: int) -> np.ndarray:
    """Readout features (n_points, 1 + channels * taps * (delays + 1)) of point-wise inputs.

    For point n (held from start + n point_time, s) the outputs (N, channels)
    sampled at t = `t` (s) are read, linearly interpolated, at the midpoints of
    `taps` equal parts of the point; the features are these samples for points
    n, n-1, ..., n-delays (zeros before the first point) and a constant 1.
    """
    outputs = np.asarray(outputs, dtype=np.float64).reshape(len(t), -1)
    end = start + n_points * point_time
    if t[0] > start + 1e-9 * point_time or t[-1] < end - point_time / taps:
        raise ValueError(f"outputs over {t[0]:.6g}..{t[-1]:.6g} s do not cover the "
                         f"{n_points} points from {start:.6g} s to {end:.6g} s")
    instants = start + (np.arange(n_points)[:, None] + (np.arange(taps) + 0.5) / taps) * point_time
    samples = np.stack([np.interp(instants, t, channel) for channel in outputs.T], axis=-1)
    samples = samples.reshape(n_points, -1)
    delayed = [np.vstack([np.zeros((d, samples.shape[1])), samples[:n_points - d]])
               for d in range(delays + 1)]
    return np.hstack([np.ones((n_points, 1)), *delayed])


@dataclass(frozen=True)
class RecognitionScore:
    """Fraction of points classified correctly on the training and the test points."""

    train_accuracy: float
    test_accuracy: float
    predicted: np.ndarray


def classify_points(features: np.ndarray, labels: np.ndarray, n_train: int,
                    ridge: float) -> RecognitionScore:
    """Ridge readout trained on the first `n_train` points, targets -1 (sine) / +1 (square).

    The features are standardised with the training points' mean and spread
    (the constant column is kept as it is); `ridge` is the penalty on the
    standardised weights. A point is square when the readout is positive.
    """
    if not 0 < n_train < len(labels):
        raise ValueError(f"n_train must be between 1 and {len(labels) - 1}, got {n_train}")
    if not np.all(np.isfinite(features)):
        raise ValueError("readout features hold NaN or infinite values")
    mean = features[:n_train].mean(axis=0)
    spread = features[:n_train].std(axis=0)
    constant = spread == 0
    mean[constant], spread[constant] = 0.0, 1.0
    x = (features - mean) / spread
    target = np.where(np.asarray(labels) == SQUARE, 1.0, -1.0)
    gram = x[:n_train].T @ x[:n_train] + ridge * np.eye(x.shape[1])
    weights = np.linalg.solve(gram, x[:n_train].T @ target[:n_train])
    predicted = (x @ weights > 0).astype(int)
    correct = predicted == np.asarray(labels)
    return RecognitionScore(float(correct[:n_train].mean()), float(correct[n_train:].mean()),
                            predicted)


@dataclass(frozen=True)
class Readout:
    """How the outputs are read: point timing (s) and the readout's settings.

    Point n is held from `start` + n `point_time`; the readout is fitted on the
    first `n_train` points (see readout_features and classify_points).
    """

    start: float
    point_time: float
    n_train: int
    taps: int
    delays: int
    ridge: float


def score_outputs(t: np.ndarray, outputs: np.ndarray, labels: np.ndarray,
                  readout: Readout) -> RecognitionScore:
    """Classify every point of one output record (t in s, outputs (N, channels))."""
    features = readout_features(t, outputs, readout.start, readout.point_time, len(labels),
                                readout.taps, readout.delays)
    return classify_points(features, labels, readout.n_train, readout.ridge)


def score_paths(t: np.ndarray, paths: np.ndarray, labels: np.ndarray,
                readout: Readout) -> list[RecognitionScore]:
    """One score per noisy path (paths (samples, N, channels)), each with its own readout."""
    return [score_outputs(t, path, labels, readout) for path in paths]


def constant_answer_accuracy(labels: np.ndarray, n_train: int) -> float:
    """Test accuracy of the better constant answer (all sine or all square): the level to beat."""
    test = np.asarray(labels)[n_train:]
    return float(max(np.mean(test == SINE), np.mean(test == SQUARE)))
