"""Gaussian input noise at prediction time, its level fitted from data (as in the paper).

The deterministic Spin-NODE reproduces a noisy device's spread when white
Gaussian noise of standard deviation sigma (in normalised input units, the
same for every input channel) is added to each recorded input sample before
the stage inputs are interpolated. sigma is fitted so that the spread the
noise causes one step ahead matches the trace's one-step residual (see
`fit_input_noise`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from surrogate.io.trace import Trace
from surrogate.node.checkpoint import Surrogate, load_checkpoint
from surrogate.node.embedding import unembed
from surrogate.node.fast_rollout import rollout_batched
from surrogate.node.integrators import InputGrid, stage_inputs
from surrogate.node.rollout import initial_state, normalised_channels, rollouts_from_every_state


def _one_step(surrogate: Surrogate, x, u, stride, sigma: float, seed: int) -> np.ndarray:
    """Newest delay (S-1, n_out) one step after every true embedded state, inputs noisy."""
    noisy = u + sigma * np.random.default_rng(seed).standard_normal(u.shape)
    return rollouts_from_every_state(surrogate, x, noisy, stride, 1)[0]


def fit_input_noise(
    model_path: str | os.PathLike, trace: Trace, probe: float = 0.1, seed: int = 0
) -> float:
    """sigma (normalised input units) whose output spread matches the one-step residual.

    The trace's one-step residual variance v (data minus noise-free model, one
    step from the true states) is matched by the spread s(sigma) = c sigma^2
    that input noise causes one step ahead; c is measured at `probe`. The
    model's own error counts as noise here, so sigma is an upper bound.
    """
    surrogate = load_checkpoint(Path(model_path))
    x, u, stride = normalised_channels(surrogate, trace)
    span, n_out = surrogate.shape.span, surrogate.shape.n_out
    target = x[span:]
    clean = _one_step(surrogate, x, u, stride, 0.0, seed)
    noisy = _one_step(surrogate, x, u, stride, probe, seed)
    residual = np.mean((clean - target.reshape(-1, n_out)) ** 2)
    spread = np.mean((noisy - clean) ** 2)
    if spread <= 0:
        raise ValueError(f"{model_path}: the model output does not depend on its inputs")
    return float(probe * np.sqrt(residual / spread))


def predict_noisy(model_path: str | os.PathLike, trace: Trace, sigma: float, n_samples: int = 32,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(t (N,) in s, free-running outputs (n_samples, N, n_out) in SI) with noisy inputs.

    Each sample draws its own noise (sigma in normalised input units) on every
    recorded input sample; all start from the trace's true initial state.
    """
    surrogate = load_checkpoint(Path(model_path))
    shape = surrogate.shape
    x, u, stride = normalised_channels(surrogate, trace)
    rng = np.random.default_rng(seed)
    n_steps = len(x) - shape.span
    stages = []
    for _ in range(n_samples):
        grid = InputGrid(torch.as_tensor(u + sigma * rng.standard_normal(u.shape)), stride,
                         shape.k, shape.delay)
        stages.append(stage_inputs(grid, torch.zeros(1), n_steps, surrogate.scheme))
    y0 = torch.as_tensor(np.tile(initial_state(x, shape), (n_samples, 1)))
    states = rollout_batched(surrogate.model, y0, torch.cat(stages, dim=2), surrogate.scheme)
    states = states.double().numpy()
    paths = np.stack([surrogate.out_norm.invert(unembed(states[:, b], shape.n_out, shape.k,
                                                        shape.delay))
                      for b in range(n_samples)])
    return trace.t[::stride], paths
