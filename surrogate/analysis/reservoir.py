"""Reservoir computing with a device's response: virtual-node states, ridge readout, NRMSE.

A masked drive holds sample k of a series for N virtual nodes j = 0..N-1 of
`hold_time` (s) each, node (k, j) over drive times [(kN + j) h, (kN + j + 1) h).
The state of node (k, j) is the device output at the end of its hold,
t = (kN + j + 1) h, linearly interpolated between recorded samples: an
(n_samples - 1, N) feature matrix. The last sample is never used: its last
hold ends with the run, a time a table may or may not record (float rounding)
and a forecast on the model grid does not reach, so that simulation and
forecast give states of the same samples. The readout is ridge regression
with a free bias.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from surrogate.metrics import pooled_nrmse


class ReservoirError(ValueError):
    """The record is too short or the split leaves nothing to train or test on."""


def node_states(t: np.ndarray, output: np.ndarray, n_nodes: int, hold_time: float,
                n_samples: int) -> np.ndarray:
    """(samples, n_nodes) outputs at the end of each node's hold; t in s from the drive start.

    Only the samples whose every hold ends within the record are returned,
    at most the first `n_samples` - 1.
    """
    t = np.asarray(t, dtype=np.float64)
    output = np.asarray(output, dtype=np.float64)
    if not np.all(np.isfinite(output)):
        raise ReservoirError("the device output holds NaN or infinity")
    ends = (np.arange(n_samples * n_nodes) + 1) * hold_time
    usable = min(int(np.sum(ends <= t[-1] + 1e-9 * hold_time)) // n_nodes, n_samples - 1)
    if usable < 1:
        raise ReservoirError(f"the record ends at {t[-1]!r} s, before the first sample's "
                             f"last hold ends at {n_nodes * hold_time!r} s")
    return np.interp(ends[: usable * n_nodes], t, output).reshape(usable, n_nodes)


@dataclass(frozen=True)
class Readout:
    """Ridge readout y = (x - mean) @ weights + bias."""

    weights: np.ndarray
    bias: float
    mean: np.ndarray

    def predict(self, states: np.ndarray) -> np.ndarray:
        return (states - self.mean) @ self.weights + self.bias


def fit_ridge(states: np.ndarray, target: np.ndarray, ridge: float) -> Readout:
    """Minimise |(X - mean) w + b - y|^2 + ridge |w|^2 (the bias is not penalised)."""
    mean = states.mean(axis=0)
    centred = states - mean
    gram = centred.T @ centred + ridge * np.eye(states.shape[1])
    weights = np.linalg.solve(gram, centred.T @ (target - target.mean()))
    return Readout(weights, float(target.mean()), mean)


@dataclass(frozen=True)
class HorizonScores:
    """NRMSE of the readout against the horizon H (samples ahead), on the test samples."""

    horizons: list[int]
    nrmse: list[float]
    n_test: list[int]


def horizon_split(n_samples: int, discard: int, train: int, horizon: int) -> tuple[slice, slice]:
    """State indices k that train and test the readout of horizon H (target k + H)."""
    return slice(discard, discard + train), slice(discard + train, n_samples - horizon)


def predict_ahead(states: np.ndarray, series: np.ndarray, horizon: int, discard: int,
                  train: int, ridge: float) -> tuple[np.ndarray, np.ndarray]:
    """(target, prediction) of series[k + H] from states[k] over the test samples k."""
    fit, test = horizon_split(len(states), discard, train, horizon)
    readout = fit_ridge(states[fit], series[fit.start + horizon: fit.stop + horizon], ridge)
    target = series[test.start + horizon: test.stop + horizon]
    return target, readout.predict(states[test])


def horizon_scores(states: np.ndarray, series: np.ndarray, discard: int, train: int,
                   ridge: float, max_horizon: int, min_test_samples: int) -> HorizonScores:
    """NRMSE for H = 0..max_horizon where at least `min_test_samples` test samples remain."""
    if discard + train + min_test_samples > len(states):
        raise ReservoirError(
            f"{len(states)} samples: discard {discard} + train {train} leave fewer than "
            f"{min_test_samples} test samples"
        )
    horizons, scores, counts = [], [], []
    for horizon in range(max_horizon + 1):
        target, predicted = predict_ahead(states, series, horizon, discard, train, ridge)
        if len(target) < min_test_samples:
            break
        horizons.append(horizon)
        scores.append(pooled_nrmse(predicted, target))
        counts.append(len(target))
    return HorizonScores(horizons, scores, counts)


def log10_gap(first: HorizonScores | dict, second: HorizonScores | dict) -> dict:
    """|log10 NRMSE_first - log10 NRMSE_second| at every H both give: the worst H and its gap."""
    def as_map(scores):
        if isinstance(scores, dict):
            return dict(zip(scores["horizons"], scores["nrmse"], strict=True))
        return dict(zip(scores.horizons, scores.nrmse, strict=True))

    a, b = as_map(first), as_map(second)
    common = sorted(set(a) & set(b))
    if not common:
        raise ReservoirError("the two NRMSE curves share no horizon")
    gaps = {h: abs(float(np.log10(a[h]) - np.log10(b[h]))) for h in common}
    worst = max(gaps, key=gaps.get)
    return {"horizons": common, "log10_gap": [gaps[h] for h in common],
            "worst_horizon": worst, "worst_log10_gap": gaps[worst]}
