"""Learned stochastic Spin-NODE: the trained drift plus a diffusion and an observation noise.

The state y (normalised outputs, delay dimension k = 1, no latent dimensions)
follows, per model step,

    y_{n+1} = Phi(y_n, u) + q^(1/2) xi_n,        observed as  x_n = y_n + s eta_n,

where Phi is the Spin-NODE's RK4 step (the drift), xi and eta are independent
standard normal, q (per channel, normalised units^2 per step) is the
diffusion and s (per channel) the white observation noise, e.g. fast spin
waves that the few-variable state does not resolve.

Both are learned from a noisy trace. Started from every true state, the
drift's residual after n steps has, for n well below the correlation time,
the variance v_n = 2 s^2 + q n (the observation noise enters at both ends,
the diffusion accumulates); a least-squares line through v_1 .. v_L gives
q (its slope) and s (its intercept). Residual drift error also counts as
noise, so q and s are upper bounds.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from .atomic import write_json_atomic
from .checkpoint import Surrogate
from .evaluation import channels, stride_for
from .fast_rollout import rollout_batched
from .rk4 import InputGrid, stage_inputs
from .trace import Trace


class StochasticModelError(ValueError):
    """The model or the trace does not support a learned diffusion."""


@dataclass(frozen=True)
class NoiseModel:
    """Learned noise, per output channel in normalised units (see the module docstring).

    `diffusion` is q^(1/2) (per sqrt(model step)), `observation` is s;
    `residual_variance` (lags, channels) holds the fitted v_n, n = 1 .. lags.
    """

    output_names: list[str]
    step_s: float
    diffusion: list[float]
    observation: list[float]
    residual_variance: list[list[float]]

    def save(self, path: str | os.PathLike) -> None:
        write_json_atomic(Path(path), asdict(self))

    @classmethod
    def load(cls, path: str | os.PathLike) -> NoiseModel:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError) as error:
            raise StochasticModelError(f"{path}: not a noise-model file ({error})") from error


def _check_markov(surrogate: Surrogate) -> None:
    shape = surrogate.shape
    if shape.k != 1 or shape.n_aug != 0:
        raise StochasticModelError(
            f"a learned diffusion needs a Markov state of the outputs (k = 1, n_aug = 0); "
            f"the model has k = {shape.k}, n_aug = {shape.n_aug}"
        )


def _normalised(surrogate: Surrogate, trace: Trace) -> tuple[np.ndarray, InputGrid]:
    stride = stride_for(surrogate.step_s, trace)
    u = surrogate.in_norm.apply(channels(trace, surrogate.input_names, "input"))
    x = surrogate.out_norm.apply(channels(trace, surrogate.output_names, "output")[::stride])
    return x, InputGrid(torch.as_tensor(u), stride, 1)


def fit_noise(surrogate: Surrogate, trace: Trace, lags: int = 8) -> NoiseModel:
    """Fit the diffusion and observation noise of `surrogate`'s drift on the noisy `trace`."""
    _check_markov(surrogate)
    x, grid = _normalised(surrogate, trace)
    if len(x) < 10 * lags:
        raise StochasticModelError(
            f"trace has {len(x)} model steps; fitting the noise over {lags} lags needs "
            f"at least {10 * lags}"
        )
    starts = torch.arange(len(x) - lags, dtype=torch.float64)
    u = stage_inputs(grid, starts, lags, surrogate.scheme)
    states = rollout_batched(surrogate.model, torch.as_tensor(x[:-lags]), u, surrogate.scheme)
    states = states.double().numpy()
    variance = np.stack([
        np.mean((states[n] - x[n : len(x) - lags + n]) ** 2, axis=0) for n in range(1, lags + 1)
    ])
    n = np.arange(1, lags + 1, dtype=np.float64)
    slope, intercept = np.polyfit(n, variance, 1)
    clipped = intercept < 0
    slope = np.where(clipped, (n @ variance) / (n @ n), slope)
    intercept = np.where(clipped, 0.0, intercept)
    floor = 1e-12 * x.var(axis=0)  # below this the residual is rounding, not noise
    if np.any(slope <= floor):
        bad = [name for name, b, f in zip(surrogate.output_names, slope, floor, strict=True)
               if b <= f]
        raise StochasticModelError(
            f"trace {trace.metadata.get('source', '')}: the residual of output(s) {bad} does "
            f"not grow with the lag, so no diffusion can be fitted (is the trace noise-free?)"
        )
    return NoiseModel(list(surrogate.output_names), surrogate.step_s,
                      np.sqrt(slope).tolist(), np.sqrt(intercept / 2.0).tolist(),
                      variance.tolist())


def sample_paths(
    surrogate: Surrogate, noise: NoiseModel, trace: Trace, n_samples: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """(t (N,) in s, outputs (n_samples, N, n_out) in SI) of the stochastic model on `trace`.

    Every path starts at the trace's first (observed) output and is driven by
    the trace's inputs; each draws its own diffusion and observation noise.
    """
    _check_markov(surrogate)
    if noise.output_names != list(surrogate.output_names):
        raise StochasticModelError(
            f"noise model outputs {noise.output_names} differ from the model's "
            f"{surrogate.output_names}"
        )
    x, grid = _normalised(surrogate, trace)
    rng = np.random.default_rng(seed)
    n_steps, n_out = len(x) - 1, x.shape[1]
    dtype = next(surrogate.model.parameters()).dtype
    kicks = rng.standard_normal((n_steps, n_samples, n_out)) * np.asarray(noise.diffusion)
    u = stage_inputs(grid, torch.zeros(n_samples), n_steps, surrogate.scheme)
    y0 = torch.as_tensor(np.tile(x[0], (n_samples, 1)))
    states = rollout_batched(surrogate.model, y0.to(dtype), u,
                             surrogate.scheme, kicks.astype(str(dtype).removeprefix("torch.")))
    observed = states.double().numpy().transpose(1, 0, 2)
    observed = observed + rng.standard_normal(observed.shape) * np.asarray(noise.observation)
    stride = stride_for(surrogate.step_s, trace)
    return trace.t[::stride][: n_steps + 1], surrogate.out_norm.invert(observed)
