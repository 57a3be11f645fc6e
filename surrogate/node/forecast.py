"""Forecast a drive that was never simulated: input samples in, predicted outputs out.

The Spin-NODE's state is its last k outputs on the model grid. A forecast
starts either from the device at rest before its drive, stored in the model
file at training (`settled_outputs`: the first output sample of the training
trace, the device after its settling run, repeated k times), or from a given
prefix: the first k outputs (SI) on the model grid, e.g. from a simulation.
"""

from __future__ import annotations

import numpy as np

from surrogate.io.input_series import InputSeries
from surrogate.io.trace import Trace
from surrogate.node.checkpoint import CheckpointError, Surrogate
from surrogate.node.rollout import free_run_from, stride_for_spacing


class ForecastError(ValueError):
    """The inputs or the initial state do not fit the model."""


def initial_outputs(surrogate: Surrogate, prefix: np.ndarray | None = None) -> np.ndarray:
    """The first model-grid outputs (span, n_out) in SI, span = (k-1)*delay + 1:
    `prefix`, else the settled state."""
    span, n_out = surrogate.shape.span, surrogate.shape.n_out
    if prefix is None:
        if surrogate.settled_outputs is None:
            raise CheckpointError(
                "the model file has no field 'settled_outputs' (trained before it was stored); "
                "give the first outputs as a prefix"
            )
        return np.tile(np.asarray(surrogate.settled_outputs, dtype=np.float64), (span, 1))
    prefix = np.asarray(prefix, dtype=np.float64).reshape(-1, n_out)
    if len(prefix) < span:
        raise ForecastError(f"the prefix holds {len(prefix)} output samples; the model needs "
                            f"{span} (k={surrogate.shape.k}, delay={surrogate.shape.delay})")
    if not np.all(np.isfinite(prefix)):
        raise ForecastError("the prefix holds NaN or infinity")
    return prefix[:span]


def check_inputs(surrogate: Surrogate, series: InputSeries) -> None:
    """Refuse input channels other than the model's, or in other units."""
    if list(series.names) != list(surrogate.input_names):
        raise ForecastError(
            f"the inputs are {series.names}; the model was trained on {surrogate.input_names}"
        )
    for name, unit, expected in zip(series.names, series.units, surrogate.input_units, strict=True):
        if unit != expected:
            raise ForecastError(f"input '{name}' is in '{unit}'; the model was trained on "
                                f"'{expected}'")


def forecast(
    surrogate: Surrogate, series: InputSeries, prefix: np.ndarray | None = None
) -> Trace:
    """Free-running prediction of the outputs driven by `series`, as a Trace on the model grid.

    Times are those of `series` (s); the initial state is `prefix` (span, n_out)
    in SI, span = (k-1)*delay + 1, else the settled state stored in the model file.
    """
    check_inputs(surrogate, series)
    stride = stride_for_spacing(surrogate.step_s, series.dt)
    n_model = (len(series.t) - 1) // stride + 1
    span = surrogate.shape.span
    if n_model <= span:
        raise ForecastError(f"{len(series.t)} input samples give {n_model} model steps; "
                            f"more than {span} are needed")
    x0 = surrogate.out_norm.apply(initial_outputs(surrogate, prefix))
    u = surrogate.in_norm.apply(series.values)
    predicted = free_run_from(surrogate, x0, u, stride, n_model)
    if not np.all(np.isfinite(predicted)):
        raise ForecastError("the free-running prediction diverged (NaN or infinite values)")
    return Trace(
        series.t[::stride][:n_model],
        series.values[::stride][:n_model],
        surrogate.out_norm.invert(predicted),
        list(surrogate.input_names),
        list(surrogate.output_names),
        list(surrogate.input_units),
        list(surrogate.output_units),
        {"prediction": True, "engine": "spin-node",
         "initial_state": "settled" if prefix is None else "prefix"},
    )
