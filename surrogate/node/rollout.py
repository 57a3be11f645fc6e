"""Free-running prediction and its error (NRMSE) for a trained Spin-NODE, through torch.

The model starts from the true embedded state at the first sample of the
trace (its first k model-grid samples) and afterwards sees only the inputs.
`forecast.predict_trace` makes the same prediction without torch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from surrogate.io.trace import Trace
from surrogate.metrics import nrmse
from surrogate.node.checkpoint import Surrogate, load_checkpoint
from surrogate.node.embedding import delay_block, delay_embed, unembed
from surrogate.node.fast_rollout import pack, rollout_batched, rollout_single
from surrogate.node.forecast import channels, check_units
from surrogate.node.integrators import InputGrid, stage_inputs
from surrogate.node.model import ModelShape
from surrogate.node.numpy_rollout import stride_for_spacing


@dataclass
class EvaluationResult:
    """Free-running prediction vs target on the model grid; `t` in s, channels in SI.

    The model grid is every `stride`-th sample of the trace; `inputs` are the
    trace's inputs on it, so (t, inputs, predicted) form a consistent Trace.
    """

    nrmse: float
    nrmse_per_channel: dict[str, float]
    t: np.ndarray
    predicted: np.ndarray
    target: np.ndarray
    inputs: np.ndarray
    stride: int


def stride_for(step_s: float, trace: Trace) -> int:
    """Recorded samples per model step; the trace spacing must divide the step."""
    return stride_for_spacing(step_s, trace.dt)


def normalised_channels(surrogate: Surrogate, trace: Trace) -> tuple[np.ndarray, np.ndarray, int]:
    """(outputs on the model grid (N, n_out), inputs on the recorded grid (T, n_in), stride),
    normalised as the model was trained."""
    stride = stride_for(surrogate.step_s, trace)
    u = surrogate.in_norm.apply(channels(trace, surrogate.input_names, "input"))
    x = surrogate.out_norm.apply(channels(trace, surrogate.output_names, "output")[::stride])
    return x, u, stride


def rollouts_from_every_state(
    surrogate: Surrogate, x: np.ndarray, u: np.ndarray, stride: int, horizon: int
) -> np.ndarray:
    """Newest delay (horizon, S, n_out) of `horizon`-step rollouts from every true state.

    The S = len(x) - span + 1 - horizon starts (span = (k-1)*delay + 1) are the
    embedded states of the normalised model-grid outputs `x` that leave
    `horizon` steps of data after them; rollouts[h, i] predicts
    x[i + span + h]. `u` holds the normalised inputs on the recorded grid.
    Runs batched.
    """
    shape = surrogate.shape
    states = delay_embed(x, shape.k, shape.delay)
    n_starts = len(states) - horizon
    if n_starts < 1:
        raise ValueError(f"{len(x)} model-grid samples leave no start for {horizon}-step rollouts")
    grid = InputGrid(torch.as_tensor(u), stride, shape.k, shape.delay)
    u_stages = stage_inputs(grid, torch.arange(n_starts, dtype=torch.float64), horizon,
                            surrogate.scheme)
    y0 = np.concatenate([states[:n_starts], np.zeros((n_starts, shape.n_aug))], axis=1)
    rolled = rollout_batched(surrogate.model, torch.as_tensor(y0), u_stages, surrogate.scheme)
    return rolled[1:, :, delay_block(shape.k - 1, shape.n_out)].double().numpy()


def free_run(
    model: torch.nn.Module, y0: np.ndarray, grid: InputGrid, n_steps: int, scheme: str
) -> np.ndarray:
    """States (n_steps+1, d) of one free-running trajectory from `y0` (d,) at tau = 0.

    Runs the fused float64 path of fast_rollout.py.
    """
    u = stage_inputs(grid, torch.zeros(1), n_steps, scheme)[:, :, 0]
    return rollout_single(pack(model), np.asarray(y0, dtype=np.float64), u.double().numpy(), scheme)


def initial_state(x: np.ndarray, shape: ModelShape) -> np.ndarray:
    """True embedded state from the first `shape.span` model-grid samples of `x` (N, n_out)."""
    if len(x) < shape.span:
        raise ValueError(f"the trace needs at least {shape.span} samples on the model grid "
                         f"(k={shape.k}, delay={shape.delay}), has {len(x)}")
    embedded = delay_embed(x[: shape.span], shape.k, shape.delay)[0]
    return np.concatenate([embedded, np.zeros(shape.n_aug)])


def predict_normalised(
    surrogate: Surrogate, x: np.ndarray, u: np.ndarray, stride: int
) -> np.ndarray:
    """Free-running normalised outputs (N, n_out) for model-grid outputs `x` (N, n_out).

    `u` holds the normalised inputs on the recorded grid; only the first
    `span` = (k-1)*delay + 1 samples of `x` are used.
    """
    span = surrogate.shape.span
    if len(x) < span + 1:
        raise ValueError(f"the trace needs more than {span} samples on the model grid "
                         f"(k={surrogate.shape.k}, delay={surrogate.shape.delay}), has {len(x)}")
    return free_run_from(surrogate, x[:span], u, stride, len(x))


def free_run_from(
    surrogate: Surrogate, x0: np.ndarray, u: np.ndarray, stride: int, n_model: int
) -> np.ndarray:
    """Normalised outputs (n_model, n_out) free-running from the first outputs `x0`
    (span, n_out), span = (k-1)*delay + 1.

    `u` holds the normalised inputs on the recorded grid, `stride` samples per
    model step.
    """
    shape = surrogate.shape
    dtype = next(surrogate.model.parameters()).dtype
    grid = InputGrid(torch.as_tensor(u, dtype=dtype), stride, shape.k, shape.delay)
    states = free_run(surrogate.model, initial_state(x0, shape), grid, n_model - shape.span,
                      surrogate.scheme)
    return unembed(states, shape.n_out, shape.k, shape.delay)


def run_on_trace(surrogate: Surrogate, trace: Trace) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t, predicted, target) on the model grid in SI units."""
    check_units(surrogate, trace)
    x, u, stride = normalised_channels(surrogate, trace)
    target = channels(trace, surrogate.output_names, "output")[::stride]
    predicted = predict_normalised(surrogate, x, u, stride)
    if not np.all(np.isfinite(predicted)):
        raise ValueError("the free-running prediction diverged (NaN or infinite values)")
    return trace.t[::stride], surrogate.out_norm.invert(predicted), target


def evaluate_model(model_path: str | os.PathLike, trace: Trace, *,
                   allow_partial: bool = False) -> EvaluationResult:
    """Free-running NRMSE of the model in `model_path` over the whole (windowed) trace."""
    surrogate = load_checkpoint(Path(model_path), allow_partial=allow_partial)
    t, predicted, target = run_on_trace(surrogate, trace)
    per_channel = {
        name: nrmse(predicted[:, i], target[:, i]) for i, name in enumerate(surrogate.output_names)
    }
    stride = stride_for(surrogate.step_s, trace)
    return EvaluationResult(nrmse(predicted, target), per_channel, t, predicted, target,
                            trace.inputs[::stride], stride)
