"""The Mackey-Glass delay equation, integrated here (dimensionless time and values).

dx/dt = beta x(t - tau) / (1 + x(t - tau)^n) - gamma x(t), with the constant
history x(t <= 0) = x0. Fourth-order Runge-Kutta with step h, where tau/h is
a whole number d: the delayed value at a step's start and end is the stored
x(t - tau) and x(t - tau + h), at its midpoint their mean (linear
interpolation, so the scheme is second order in the delayed term). With
tau = 17, h = 0.1 and one sample per time unit the series is the usual
chaotic benchmark (mean 0.93, standard deviation 0.226, range 0.42-1.32).
"""

from __future__ import annotations

import numpy as np

from surrogate.config.mackey_glass_spec import MackeyGlassSeries


def _whole(ratio: float, field_name: str) -> int:
    count = int(round(ratio))
    if count < 1 or abs(ratio - count) > 1e-9 * max(1.0, ratio):
        raise ValueError(f"field 'mackey_glass.{field_name}' must be a whole number (>= 1) of "
                         f"integration steps, got {ratio!r} steps")
    return count


def mackey_glass_series(series: MackeyGlassSeries, n_samples: int) -> np.ndarray:
    """The first `n_samples` samples of the Mackey-Glass series `series` (dimensionless)."""
    h = series.integration_step
    delay = _whole(series.tau / h, "tau")
    per_sample = _whole(series.sample_step / h, "sample_step")
    washout = int(round(series.washout / h))
    n_steps = washout + (n_samples - 1) * per_sample
    x = np.empty(delay + n_steps + 1)
    x[: delay + 1] = series.initial_value
    beta, gamma, exponent = series.beta, series.gamma, series.exponent

    def rate(now: float, delayed: float) -> float:
        return beta * delayed / (1.0 + delayed**exponent) - gamma * now

    for i in range(delay, delay + n_steps):
        start, end = x[i - delay], x[i - delay + 1]
        middle = 0.5 * (start + end)
        now = x[i]
        k1 = rate(now, start)
        k2 = rate(now + 0.5 * h * k1, middle)
        k3 = rate(now + 0.5 * h * k2, middle)
        k4 = rate(now + h * k3, end)
        x[i + 1] = now + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return x[delay + washout :: per_sample][:n_samples].copy()
