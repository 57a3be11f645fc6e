"""Forecast a drive that was never simulated: input samples in, predicted outputs out.

The Spin-NODE's state is its last k outputs on the model grid. A forecast
starts either from the device at rest before its drive, stored in the model
file at training (`settled_outputs`: the first output sample of the training
trace, the device after its settling run, repeated k times), or from a given
prefix: the first k outputs (SI) on the model grid, e.g. from a simulation.

This module imports neither torch nor numba: `load_model` reads the model
file's companion `MODEL.weights.npz` (weights_file.py), and short forecasts
run in numpy (numpy_rollout.py). Only a model file without a companion (saved
before companions were written) is read through torch, and only long
forecasts load the compiled kernels.

For repeated forecasts in one process::

    model = surrogate.load_model("results/models/skyrmion.pt")
    trace = model.forecast(drive)            # an InputSeries, or samples (N, n_in) in SI
    outputs = model.forecast_batch(drives)   # (B, N, n_in) -> (B, N_model, n_out) in SI
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from surrogate.io.input_series import InputSeries, read_input_series
from surrogate.io.strict_arrays import load_npy_rows
from surrogate.io.trace import Trace, load_trace, save_trace
from surrogate.node.embedding import delay_embed, unembed
from surrogate.node.envelope import check_envelope
from surrogate.node.numpy_rollout import rollout, stage_inputs, stride_for_spacing
from surrogate.node.packed_field import pack_arrays
from surrogate.node.weights_file import (
    CheckpointError,
    ModelArrays,
    read_weights_file,
    weights_path,
)


class ForecastError(ValueError):
    """The inputs or the initial state do not fit the model."""


def initial_outputs(model, prefix: np.ndarray | None = None) -> np.ndarray:
    """The first model-grid outputs (span, n_out) in SI, span = (k-1)*delay + 1:
    `prefix`, else the settled state. `model` is a ForecastModel, ModelArrays or
    checkpoint.Surrogate."""
    span, n_out = model.shape.span, model.shape.n_out
    if prefix is None:
        if model.settled_outputs is None:
            raise CheckpointError(
                "the model file has no field 'settled_outputs' (trained before it was stored); "
                "give the first outputs as a prefix"
            )
        return np.tile(np.asarray(model.settled_outputs, dtype=np.float64), (span, 1))
    prefix = np.asarray(prefix, dtype=np.float64).reshape(-1, n_out)
    if len(prefix) < span:
        raise ForecastError(f"the prefix holds {len(prefix)} output samples; the model needs "
                            f"{span} (k={model.shape.k}, delay={model.shape.delay})")
    if not np.all(np.isfinite(prefix)):
        raise ForecastError("the prefix holds NaN or infinity")
    return prefix[:span]


def check_inputs(model, series: InputSeries) -> None:
    """Refuse input channels other than the model's, or in other units."""
    if list(series.names) != list(model.input_names):
        raise ForecastError(
            f"the inputs are {series.names}; the model was trained on {model.input_names}"
        )
    for name, unit, expected in zip(series.names, series.units, model.input_units, strict=True):
        if unit != expected:
            raise ForecastError(f"input '{name}' is in '{unit}'; the model was trained on "
                                f"'{expected}'")


def channels(trace: Trace, names: list[str], kind: str) -> np.ndarray:
    """Columns of `trace` by name, (T, len(names)); errors name the missing channel."""
    pick = trace.input if kind == "input" else trace.output
    return np.stack([pick(name) for name in names], axis=1)


def check_units(model, trace: Trace) -> None:
    """Refuse a trace whose channels of the model's names carry other units than the model's.
    `model` is a ForecastModel, ModelArrays or checkpoint.Surrogate."""
    pairs = [(name, unit, trace.input_names, trace.input_units)
             for name, unit in zip(model.input_names, model.input_units, strict=True)]
    pairs += [(name, unit, trace.output_names, trace.output_units)
              for name, unit in zip(model.output_names, model.output_units, strict=True)]
    for name, unit, names, units in pairs:
        if name in names and units[names.index(name)] != unit:
            raise ValueError(
                f"channel '{name}' is in '{units[names.index(name)]}' in the trace but the model "
                f"was trained on '{unit}'"
            )


class ForecastModel:
    """A trained Spin-NODE ready to forecast drives, without torch.

    Load it once with `load_model(path)`; each `forecast` or `forecast_batch`
    then costs only its rollout. The inputs are interpolated in the model's
    dtype, as in training, and the rollouts run in float64. With `compiled`
    None they run in numpy up to `numpy_rollout.NUMPY_MAX_TRAJECTORY_STEPS`
    steps x drives and in the compiled kernels beyond (see numpy_rollout.rollout);
    True runs every forecast compiled, which pays once per process for loading
    the kernels (about a second) and is the faster choice for many forecasts.
    """

    def __init__(self, arrays: ModelArrays, compiled: bool | None = None):
        self.arrays = arrays
        self.compiled = compiled
        self.field = pack_arrays(list(arrays.layers), arrays.linear, arrays.shape.activation)

    def __getattr__(self, name: str):
        """The model file's fields: shape, step_s, input_names, output_units, ..."""
        if name in ("arrays", "compiled"):
            raise AttributeError(name)
        return getattr(self.arrays, name)

    def _series(self, drive) -> InputSeries:
        if isinstance(drive, InputSeries):
            check_inputs(self, drive)
            drive.validate("drive")
            return drive
        values = np.asarray(drive, dtype=np.float64)
        values = values.reshape(len(values), -1) if values.ndim else values
        if values.ndim != 2 or values.shape[1] != self.shape.n_in:
            raise ForecastError(f"a drive of shape {np.shape(drive)}: expected input samples "
                                f"(N, {self.shape.n_in}) for {self.input_names}")
        series = InputSeries(np.arange(len(values)) * self.step_s, values,
                             list(self.input_names), list(self.input_units))
        series.validate("drive")
        return series

    def _run(self, u: np.ndarray, stride: int, x0: np.ndarray) -> np.ndarray:
        """Normalised outputs (B, n_model, n_out) from normalised inputs u (T, B, n_in)
        on the recorded grid and normalised first outputs x0 (B, span, n_out)."""
        shape = self.shape
        n_model = (len(u) - 1) // stride + 1
        if n_model <= shape.span:
            raise ForecastError(f"{len(u)} input samples give {n_model} model steps; "
                                f"more than {shape.span} are needed")
        y0 = np.stack([np.concatenate([delay_embed(x, shape.k, shape.delay)[0],
                                       np.zeros(shape.n_aug)]) for x in x0])
        u_stages = stage_inputs(u.astype(self.dtype), stride, shape.k, shape.delay,
                                n_model - shape.span, self.scheme)
        states = rollout(self.field, y0, u_stages, self.scheme, self.compiled)
        return np.stack([unembed(states[:, b], shape.n_out, shape.k, shape.delay)
                         for b in range(states.shape[1])])

    def outputs(self, values: np.ndarray, stride: int, prefix: np.ndarray | None = None
                ) -> np.ndarray:
        """Free-running outputs (n_model, n_out) in SI on the model grid, driven by input
        samples `values` (T, n_in) in SI, `stride` samples per model step, from `prefix`
        (span, n_out) in SI, else the settled state stored in the model file."""
        x0 = self.out_norm.apply(initial_outputs(self, prefix))
        u = self.in_norm.apply(values)[:, None, :]
        predicted = self._run(u, stride, x0[None])[0]
        if not np.all(np.isfinite(predicted)):
            raise ForecastError("the free-running prediction diverged (NaN or infinite values)")
        return self.out_norm.invert(predicted)

    def forecast(self, drive, prefix: np.ndarray | None = None) -> Trace:
        """Free-running prediction of the outputs driven by `drive`, as a Trace on the model grid.

        `drive` is an InputSeries (its times in s, its channels the model's, in SI),
        or input samples (N,) or (N, n_in) in SI one model step apart. The initial
        state is `prefix` (span, n_out) in SI, span = (k-1)*delay + 1, else the
        settled state stored in the model file.
        """
        series = self._series(drive)
        stride = stride_for_spacing(self.step_s, series.dt)
        outputs = self.outputs(series.values, stride, prefix)
        n_model = len(outputs)
        return Trace(
            series.t[::stride][:n_model],
            series.values[::stride][:n_model],
            outputs,
            list(self.input_names),
            list(self.output_names),
            list(self.input_units),
            list(self.output_units),
            {"prediction": True, "engine": "spin-node",
             "initial_state": "settled" if prefix is None else "prefix"},
        )

    def forecast_trace(self, trace: Trace) -> Trace:
        """Free-running prediction of `trace`'s outputs on the model grid: its inputs drive
        the model, its first outputs on the model grid set the state. The result keeps the
        trace's times and metadata, marked as a prediction."""
        check_units(self, trace)
        stride = stride_for_spacing(self.step_s, trace.dt)
        inputs = channels(trace, list(self.input_names), "input")
        prefix = channels(trace, list(self.output_names), "output")[::stride][: self.shape.span]
        outputs = self.outputs(inputs, stride, prefix)
        metadata = dict(trace.metadata)
        metadata.update(prediction=True, source_engine=trace.metadata.get("engine"),
                        engine="spin-node")
        n_model = len(outputs)
        return Trace(trace.t[::stride][:n_model], inputs[::stride][:n_model], outputs,
                     list(self.input_names), list(self.output_names), list(self.input_units),
                     list(self.output_units), metadata)

    def forecast_batch(self, drives, prefix: np.ndarray | None = None) -> np.ndarray:
        """Outputs (B, N_model, n_out) in SI of B drives forecast together, on the model grid.

        `drives` is an array (B, N) or (B, N, n_in) of input samples in SI one
        model step apart, or a sequence of InputSeries of one length and spacing;
        output sample j is at time j * step_s (s) after the first input sample.
        Every drive starts from `prefix` (span, n_out) in SI, or (B, span, n_out)
        one per drive, else from the settled state.
        """
        if not isinstance(drives, np.ndarray) and len(drives) \
                and all(isinstance(drive, InputSeries) for drive in drives):
            series = [self._series(drive) for drive in drives]
        else:
            array = np.asarray(drives, dtype=np.float64)
            if array.ndim not in (2, 3) or len(array) == 0:
                raise ForecastError(f"drives of shape {array.shape}: expected (B, N) or "
                                    f"(B, N, {self.shape.n_in}) input samples")
            series = [self._series(drive) for drive in array]
        if len({(len(s.t), s.dt) for s in series}) != 1:
            raise ForecastError("the drives of one batch need one length and one spacing")
        stride = stride_for_spacing(self.step_s, series[0].dt)
        u = self.in_norm.apply(np.stack([s.values for s in series], axis=1))
        first = np.asarray(initial_outputs(self) if prefix is None else prefix, dtype=np.float64)
        if first.ndim == 2:
            first = np.broadcast_to(initial_outputs(self, first), (len(series), *first.shape))
        else:
            first = np.stack([initial_outputs(self, p) for p in first])
        predicted = self._run(u, stride, self.out_norm.apply(first))
        diverged = np.flatnonzero(~np.all(np.isfinite(predicted), axis=(1, 2)))
        if len(diverged):
            raise ForecastError(f"the free-running predictions of drives {diverged.tolist()} "
                                "diverged (NaN or infinite values)")
        return self.out_norm.invert(predicted)


def load_model(path: str | os.PathLike, *, allow_partial: bool = False,
               compiled: bool | None = None) -> ForecastModel:
    """The model in `path` (`MODEL.pt` or `MODEL.weights.npz`), ready to forecast.

    A `.pt` is read through its companion `MODEL.weights.npz` without torch; a
    model file saved before companions existed is read through torch. A
    periodic checkpoint of an unfinished training is refused unless
    `allow_partial` is set. `compiled` picks the rollout (see ForecastModel).
    """
    path = Path(path)
    if path.name.endswith(".npz"):
        return ForecastModel(read_weights_file(path, allow_partial=allow_partial), compiled)
    companion = weights_path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: model file not found")
    if companion.is_file():
        return ForecastModel(read_weights_file(companion, allow_partial=allow_partial,
                                               checkpoint=path), compiled)
    from surrogate.node.checkpoint import load_checkpoint, model_arrays  # torch

    return ForecastModel(model_arrays(load_checkpoint(path, allow_partial=allow_partial)),
                         compiled)


def forecast(model, series: InputSeries, prefix: np.ndarray | None = None) -> Trace:
    """Free-running prediction of the outputs driven by `series`, as a Trace on the model grid.

    `model` is a ForecastModel or a checkpoint.Surrogate. Times are those of
    `series` (s); the initial state is `prefix` (span, n_out) in SI, span =
    (k-1)*delay + 1, else the settled state stored in the model file.
    """
    if not isinstance(model, ForecastModel):
        from surrogate.node.checkpoint import model_arrays  # a Surrogate holds torch already

        model = ForecastModel(model_arrays(model))
    return model.forecast(series, prefix)


def predict_trace(model_path: str | os.PathLike, trace: Trace, *,
                  allow_partial: bool = False) -> Trace:
    """Free-running prediction of `trace`'s outputs (`ForecastModel.forecast_trace`) by the
    model in `model_path`, as a Trace on the model grid marked as a prediction.

    The trace must hold the model's inputs and, for the initial state, its
    outputs over at least the first (k-1)*delay + 1 model-grid samples.
    """
    predicted = load_model(model_path, allow_partial=allow_partial).forecast_trace(trace)
    predicted.metadata["model"] = str(model_path)
    return predicted


def read_prefix(path: str | os.PathLike, model: ForecastModel,
                source: str | None = None) -> np.ndarray:
    """The model's first outputs (rows, n_out) in SI on its grid: from a `.npy` array
    (real floats, finite, one column per output), or the output channels of a trace
    (`.npz`) taken every model step. `source` names the prefix in errors (default: `path`)."""
    path = Path(path)
    source = source or str(path)
    if path.suffix == ".npz":
        trace = load_trace(path)
        stride = stride_for_spacing(model.step_s, trace.dt)
        return channels(trace, list(model.output_names), "output")[::stride]
    return load_npy_rows(path, list(model.output_names), source)


def checked_forecast(model: ForecastModel, series: InputSeries, prefix: np.ndarray | None,
                     inputs_source: str, prefix_source: str,
                     extrapolate: bool = False) -> Trace:
    """`model.forecast(series, prefix)` after the training-envelope checks (envelope.py) of
    the inputs and the prefix: far outside what the model saw in training is refused
    (warned about with `extrapolate`), moderately outside warned about on stderr; the
    sources name them in the messages."""
    check_envelope(model.metadata, "inputs", series.names, series.units, series.values,
                   inputs_source, extrapolate)
    if prefix is not None:
        check_envelope(model.metadata, "outputs", list(model.output_names),
                       list(model.output_units), prefix, prefix_source, extrapolate)
    return model.forecast(series, prefix)


def predict_from_files(model_path: str | os.PathLike, inputs_path: str | os.PathLike,
                       out_path: str | os.PathLike, *, prefix_path: str | os.PathLike | None = None,
                       sample_period: float | None = None, allow_partial: bool = False,
                       extrapolate: bool = False) -> Trace:
    """The `predict --inputs` forecast, without torch, jsonschema or engine code.

    Reads the model (`load_model`), the input samples in SI (`read_input_series`:
    CSV with a header of channel names and an optional column `t` in s, or
    `.npy` (N, n_in) `sample_period` s apart, default the model step), and
    optionally a prefix (`read_prefix`); checks both against the training
    envelope (`checked_forecast`, messages naming `--inputs` and `--prefix`; far
    outside it is refused unless `extrapolate`);
    writes the predicted Trace to `out_path`.
    """
    model = load_model(model_path, allow_partial=allow_partial)
    series = read_input_series(inputs_path, list(model.input_names), list(model.input_units),
                               sample_period or model.step_s)
    prefix_source = f"--prefix {prefix_path}"
    prefix = None if prefix_path is None else read_prefix(prefix_path, model, prefix_source)
    predicted = checked_forecast(model, series, prefix, f"--inputs {inputs_path}", prefix_source,
                                 extrapolate)
    predicted.metadata.update(model=str(model_path), inputs=str(inputs_path))
    save_trace(predicted, out_path)
    return predicted
