"""Where a forecast's error lies: its worst interval and the NRMSE without it.

A free run's NRMSE can be set by one short event (on the real one-skyrmion
data, a near-collapse at 97 ns). `worst_interval` cuts the forecast into
back-to-back intervals of `width_s` from its first sample, finds the one that
holds the largest share of the squared error, and scores the rest. Both
NRMSEs divide by the variance of the whole target, so they compare with the
forecast's own NRMSE. `peak_bias` averages the error of short rollouts from
the true state at a trace's highest peaks, and `errors_after_peaks` gives,
peak by peak, the error of a rollout started just before it: together they
tell a bias of the vector field from one event it has not learnt.
`forecast_agreement` compares several models' forecasts with the target and
with each other inside an interval and outside it: forecasts that agree with
each other far better than with the target there point to an event that the
training data do not determine. Times in s, channels in their SI units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WorstInterval:
    """The interval [start_s, stop_s) (s) holding `share` of the squared error.

    `nrmse_of_interval` is the NRMSE the forecast would have if it were exact
    outside the interval: a floor that no improvement elsewhere can go below.
    """

    start_s: float
    stop_s: float
    share: float
    nrmse_without: float
    nrmse_of_interval: float


def _check(caller: str, name: str, values: np.ndarray) -> None:
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{caller}: {name} holds NaN or infinite values")


def worst_interval(
    t: np.ndarray, predicted: np.ndarray, target: np.ndarray, width_s: float
) -> WorstInterval:
    """The worst of the back-to-back intervals of `width_s` (s) from t[0].

    `predicted` and `target` are (T, n) or (T,), sampled at the times `t` (T,).
    Each channel's squared error is divided by its target variance, so channels
    weigh alike; `nrmse_without` averages the channels' NRMSEs over the samples
    outside the worst interval.
    """
    t = np.asarray(t, dtype=np.float64)
    predicted = np.asarray(predicted, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if predicted.shape != target.shape or t.ndim != 1 or len(target) != len(t):
        raise ValueError(f"worst_interval: times {t.shape}, predicted {predicted.shape} and "
                         f"target {target.shape} do not match")
    predicted, target = predicted.reshape(len(t), -1), target.reshape(len(t), -1)
    for name, values in (("t", t), ("predicted", predicted), ("target", target)):
        _check("worst_interval", name, values)
    if np.any(np.diff(t) <= 0):
        raise ValueError("worst_interval: the times t must increase")
    if not width_s > 0 or not np.isfinite(width_s):
        raise ValueError(f"worst_interval: width_s must be a positive number, got {width_s}")
    variance = target.var(axis=0)
    if np.any(variance <= 0):
        raise ValueError("worst_interval: a target channel is constant (zero variance)")
    scaled = (predicted - target) ** 2 / variance
    # the small offset keeps a sample that lies on a boundary in the interval it opens
    bins = np.floor((t - t[0]) / width_s + 1e-9).astype(int)
    per_bin = np.bincount(bins, weights=scaled.sum(axis=1))
    worst = int(np.argmax(per_bin))
    outside = bins != worst
    if not outside.any():
        raise ValueError(f"worst_interval: the forecast spans one interval of {width_s} s only")
    total = scaled.sum()
    return WorstInterval(
        start_s=float(t[0] + worst * width_s),
        stop_s=float(t[0] + (worst + 1) * width_s),
        share=float(per_bin[worst] / total) if total > 0 else 0.0,
        nrmse_without=float(np.mean(np.sqrt(scaled[outside].mean(axis=0)))),
        nrmse_of_interval=float(np.mean(np.sqrt(scaled[~outside].sum(axis=0) / len(t)))),
    )


@dataclass(frozen=True)
class Agreement:
    """RMS differences (the channel's unit) inside an interval and outside it.

    `to_target_*[i]` compares forecast i with the target; `between_*[i, j]`
    compares forecasts i and j.
    """

    to_target_inside: np.ndarray
    to_target_outside: np.ndarray
    between_inside: np.ndarray
    between_outside: np.ndarray


def forecast_agreement(
    t: np.ndarray, forecasts: np.ndarray, target: np.ndarray, start_s: float, stop_s: float
) -> Agreement:
    """How close forecasts of one channel are to the target and to each other.

    `forecasts` (n, T) and `target` (T,) are sampled at the times `t` (T,);
    the interval is [start_s, stop_s) (s). Each RMS is over the samples inside
    the interval, or over those outside it.
    """
    t = np.asarray(t, dtype=np.float64)
    forecasts = np.asarray(forecasts, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if t.ndim != 1 or target.shape != t.shape or forecasts.shape[1:] != t.shape:
        raise ValueError(f"forecast_agreement: times {t.shape}, forecasts {forecasts.shape} and "
                         f"target {target.shape} do not match: expected (T,), (n, T) and (T,)")
    for name, values in (("t", t), ("forecasts", forecasts), ("target", target)):
        _check("forecast_agreement", name, values)
    if not start_s < stop_s:
        raise ValueError(f"forecast_agreement: the interval [{start_s}, {stop_s}) s is empty")
    inside = (t >= start_s) & (t < stop_s)
    if inside.all() or not inside.any():
        raise ValueError(f"forecast_agreement: the interval [{start_s}, {stop_s}) s must hold some "
                         f"of the samples of [{t[0]}, {t[-1]}] s, not none or all")

    def rms(difference: np.ndarray, where: np.ndarray) -> np.ndarray:
        return np.sqrt(np.mean(difference[..., where] ** 2, axis=-1))

    to_target = forecasts - target
    between = forecasts[:, None, :] - forecasts[None, :, :]
    return Agreement(rms(to_target, inside), rms(to_target, ~inside),
                     rms(between, inside), rms(between, ~inside))


@dataclass(frozen=True)
class PeakBias:
    """Mean signed error (prediction minus target, the channel's units) at `count` peaks."""

    mean_error: float
    count: int


def peak_bias(predicted: np.ndarray, target: np.ndarray, above: float) -> PeakBias:
    """Mean of predicted - target at the target's local maxima higher than `above`.

    `predicted` and `target` are (T,) on one grid. A maximum is a sample at least
    as high as the one before and higher than the one after. A model that
    overshoots (or falls short of) every high peak shows it here, where an RMS
    error mixes it with the rest.
    """
    predicted = np.asarray(predicted, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if predicted.shape != target.shape or target.ndim != 1:
        raise ValueError(f"peak_bias: predicted {predicted.shape} and target {target.shape} "
                         "must be one channel (T,) each")
    _check("peak_bias", "predicted", predicted)
    _check("peak_bias", "target", target)
    peaks = _maxima_above("peak_bias", target, above)
    return PeakBias(float(np.mean(predicted[peaks] - target[peaks])), len(peaks))


@dataclass(frozen=True)
class PeakRollout:
    """The rollout started `lead` samples before the peak `index` of height `height`,
    and its RMS error over all its steps (the channel's units)."""

    index: int
    height: float
    rms_error: float


def errors_after_peaks(
    rollouts: np.ndarray, target: np.ndarray, above: float, lead: int
) -> list[PeakRollout]:
    """The RMS error of the rollout that starts `lead` samples before each peak.

    `target` (T,) is one channel; `rollouts` (H, S) are rollouts of H steps of it,
    where rollouts[h, i] predicts target[i + 1 + h] from what is known up to
    target[i]. A peak is a local maximum of `target` above `above`, as in
    `peak_bias`; peaks whose rollout would start before the first rollout or end
    after the target are left out. One peak with a much larger error than the
    others, with every rollout started from the truth, is an event the model
    has not learnt, not an error that a long free run accumulated.
    """
    rollouts = np.asarray(rollouts, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if rollouts.ndim != 2 or target.ndim != 1:
        raise ValueError(f"errors_after_peaks: rollouts {rollouts.shape} must be (H, S) and "
                         f"target {target.shape} one channel (T,)")
    if lead < 1:
        raise ValueError(f"errors_after_peaks: lead must be at least one sample, got {lead}")
    _check("errors_after_peaks", "rollouts", rollouts)
    _check("errors_after_peaks", "target", target)
    horizon, starts = rollouts.shape
    steps = np.arange(1, horizon + 1)
    found = []
    for peak in _maxima_above("errors_after_peaks", target, above):
        start = peak - lead
        if start < 0 or start >= starts or start + horizon >= len(target):
            continue
        error = rollouts[:, start] - target[start + steps]
        found.append(PeakRollout(int(peak), float(target[peak]),
                                 float(np.sqrt(np.mean(error**2)))))
    if not found:
        raise ValueError(f"errors_after_peaks: no peak above {above} has {lead} samples before "
                         f"it and {horizon} rollout steps after its start")
    return found


def _maxima_above(caller: str, target: np.ndarray, above: float) -> np.ndarray:
    """Indices of the local maxima of `target` higher than `above`: samples at
    least as high as the one before and higher than the one after."""
    middle = target[1:-1]
    peaks = 1 + np.nonzero((middle > above) & (middle >= target[:-2]) & (middle > target[2:]))[0]
    if not len(peaks):
        raise ValueError(f"{caller}: the target has no local maximum above {above}")
    return peaks
