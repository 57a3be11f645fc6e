"""The project's error measures, on numpy arrays (bottom layer: imports nothing of the package).

Both are normalised root-mean-square errors, dimensionless: the RMS error over
a channel divided by the standard deviation of the target, so 0 is perfect and
1 is no better than predicting the target's mean.
"""

from __future__ import annotations

import numpy as np


def nrmse(predicted: np.ndarray, target: np.ndarray) -> float:
    """sqrt(mean((pred - target)^2) / var(target)) per channel (column), averaged over channels.

    The NRMSE of the Spin-NODE's forecasts and of every figure that scores one.
    Arrays are (T,) or (T, channels...); a constant target channel is refused.
    """
    predicted = np.asarray(predicted, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if predicted.shape != target.shape:
        raise ValueError(f"nrmse: predicted {predicted.shape} and target {target.shape} differ")
    predicted = predicted.reshape(len(predicted), -1)
    target = target.reshape(len(target), -1)
    variance = target.var(axis=0)
    if np.any(variance <= 0):
        raise ValueError("nrmse: a target channel is constant (zero variance)")
    error = np.mean((predicted - target) ** 2, axis=0)
    return float(np.mean(np.sqrt(error / variance)))


def pooled_nrmse(predicted: np.ndarray, target: np.ndarray) -> float:
    """sqrt(mean((predicted - target)^2) / var(target)) over all values pooled together.

    The reservoir readout's score (one series, so it equals `nrmse` there up to rounding).
    """
    return float(np.sqrt(np.mean((predicted - target) ** 2) / np.var(target)))
