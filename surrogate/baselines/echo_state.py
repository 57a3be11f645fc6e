"""Echo-state network baseline (leaky reservoir, ridge readout, output feedback).

On the model grid, with x and u normalised like the Spin-NODE's channels, the
reservoir r (n_nodes) is driven by the next input and the current output:

    r[n+1] = (1 - leak) r[n] + leak tanh(W r[n] + W_in [u[n+1], x[n], 1]),
    x[n+1] = W_out [r[n+1], 1].

W is a dense Gaussian matrix scaled to `spectral_radius`; W_in is uniform in
[-input_scale, input_scale]. W_out is fitted by ridge regression on the
teacher-forced states (true x fed back) after `washout` steps. Prediction feeds
back its own output after a teacher-forced warm-up of `washout` samples, which
the NRMSE leaves out. `fit_echo_state` picks spectral radius, leak, ridge and
input scale on the free-running NRMSE of the last `val_fraction` of the training trace.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from surrogate.io.trace import Trace
from surrogate.metrics import nrmse
from surrogate.node.embedding import Normalisation, fit_normalisation
from surrogate.node.rollout import channels, stride_for


@dataclass
class EchoStateNetwork:
    """Reservoir weights, readout, normalisation and the hyperparameters they came from."""

    w_res: np.ndarray
    w_in: np.ndarray
    w_out: np.ndarray
    leak: float
    washout: int
    out_norm: Normalisation
    in_norm: Normalisation
    input_names: list[str]
    output_names: list[str]
    step_s: float
    hyperparameters: dict


def _reservoir(n_nodes: int, n_drive: int, spectral_radius: float, input_scale: float,
               seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((n_nodes, n_nodes))
    w *= spectral_radius / np.max(np.abs(np.linalg.eigvals(w)))
    return w, rng.uniform(-input_scale, input_scale, (n_nodes, n_drive))


def _run(w_res, w_in, w_out, leak, x, u, teacher: int) -> tuple[np.ndarray, np.ndarray]:
    """Reservoir states (N, n_nodes) and outputs (N, n_out); true x fed back for n < teacher."""
    n_samples = len(u)
    states = np.zeros((n_samples, w_res.shape[0]))
    outputs = np.array(x[:n_samples], dtype=np.float64)
    r = np.zeros(w_res.shape[0])
    for n in range(n_samples - 1):
        fed = x[n] if n < teacher else outputs[n]
        drive = np.concatenate([u[n + 1], fed, [1.0]])
        r = (1.0 - leak) * r + leak * np.tanh(w_res @ r + w_in @ drive)
        states[n + 1] = r
        if w_out is not None and n + 1 >= teacher:
            outputs[n + 1] = w_out[:-1].T @ r + w_out[-1]
    return states, outputs


def _readout(states: np.ndarray, target: np.ndarray, ridge: float) -> np.ndarray:
    design = np.concatenate([states, np.ones((len(states), 1))], axis=1)
    gram = design.T @ design + ridge * len(design) * np.eye(design.shape[1])
    return np.linalg.solve(gram, design.T @ target)


def _normalised(model_or_norms, trace: Trace, stride: int) -> tuple[np.ndarray, np.ndarray]:
    out_norm, in_norm, inputs, outputs = model_or_norms
    x = out_norm.apply(channels(trace, outputs, "output")[::stride])
    u = in_norm.apply(channels(trace, inputs, "input")[::stride])
    return x, u


def fit_echo_state(
    trace: Trace,
    n_nodes: int = 300,
    spectral_radii: tuple[float, ...] = (0.5, 0.9, 1.1),
    leaks: tuple[float, ...] = (0.3, 1.0),
    ridges: tuple[float, ...] = (1e-8, 1e-5),
    input_scales: tuple[float, ...] = (0.1, 0.5),
    washout: int = 200,
    val_fraction: float = 0.2,
    step_s: float | None = None,
    seed: int = 0,
) -> EchoStateNetwork:
    """Fit on `trace`, choosing hyperparameters on its last `val_fraction` (free running)."""
    stride = stride_for(step_s or trace.dt, trace)
    inputs, outputs = list(trace.input_names), list(trace.output_names)
    x_raw = channels(trace, outputs, "output")[::stride]
    n_val = round(val_fraction * len(x_raw))
    if len(x_raw) - n_val < 3 * washout or n_val < 2 * washout:
        raise ValueError(f"echo-state fit: {len(x_raw)} model-grid samples are too few "
                         f"for a washout of {washout}")
    out_norm = fit_normalisation(x_raw[:-n_val], outputs)
    in_norm = fit_normalisation(channels(trace, inputs, "input")[::stride][:-n_val], inputs)
    x, u = _normalised((out_norm, in_norm, inputs, outputs), trace, stride)
    best = None
    grid = itertools.product(spectral_radii, leaks, ridges, input_scales)
    for radius, leak, ridge, input_scale in grid:
        w_res, w_in = _reservoir(n_nodes, u.shape[1] + x.shape[1] + 1, radius, input_scale, seed)
        states, _ = _run(w_res, w_in, None, leak, x[:-n_val], u[:-n_val], len(x))
        w_out = _readout(states[washout:], x[washout:-n_val], ridge)
        _, predicted = _run(w_res, w_in, w_out, leak, x[-n_val:], u[-n_val:], washout)
        score = nrmse(predicted[washout:], x[-n_val:][washout:])
        if np.isfinite(score) and (best is None or score < best[0]):
            best = (score, radius, leak, ridge, input_scale, w_res, w_in)
    if best is None:
        raise ValueError("echo-state fit: every hyperparameter setting diverged")
    score, radius, leak, ridge, input_scale, w_res, w_in = best
    states, _ = _run(w_res, w_in, None, leak, x, u, len(x))
    w_out = _readout(states[washout:], x[washout:], ridge)
    hyper = {"n_nodes": n_nodes, "spectral_radius": radius, "leak": leak, "ridge": ridge,
             "input_scale": input_scale, "val_nrmse": score}
    return EchoStateNetwork(w_res, w_in, w_out, leak, washout, out_norm, in_norm, inputs,
                            outputs, stride * trace.dt, hyper)


def echo_state_predict(
    model: EchoStateNetwork, trace: Trace
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t, predicted, target) in SI after the teacher-forced warm-up of `washout` samples."""
    stride = stride_for(model.step_s, trace)
    norms = (model.out_norm, model.in_norm, model.input_names, model.output_names)
    x, u = _normalised(norms, trace, stride)
    if len(x) <= 2 * model.washout:
        raise ValueError(f"trace of {len(x)} model-grid samples is too short for a warm-up "
                         f"of {model.washout}")
    _, predicted = _run(model.w_res, model.w_in, model.w_out, model.leak, x, u, model.washout)
    keep = slice(model.washout, None)
    target = channels(trace, model.output_names, "output")[::stride]
    return trace.t[::stride][keep], model.out_norm.invert(predicted[keep]), target[keep]
