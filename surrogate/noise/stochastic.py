"""Learned stochastic Spin-NODE: the trained drift plus a diffusion and an observation noise.

The state y (normalised outputs, delay dimension k = 1, no latent dimensions)
follows, per model step,

    y_{n+1} = Phi(y_n, u) + q^(1/2) xi_n,        observed as  x_n = y_n + s eta_n,

where Phi is the Spin-NODE's RK4 step (the drift), xi and eta are independent
standard normal, q (per channel, normalised units^2 per step) is the
diffusion and s (per channel) the white observation noise, e.g. fast spin
waves that the few-variable state does not resolve.

Both are learned from a noisy trace. Started from every observed state, the
drift's residual after n steps has, per channel, the variance

    v_n = s^2 b_n + q a_n,

where a_n is the variance that unit diffusion kicks accumulate over n steps of
the drift and b_n = 1 + (the gain of a start perturbation after n steps)^2
(the observation noise enters at both ends). a_n and b_n are measured on the
model itself by propagating small probes from the same starts (kicks of equal
size in every channel); q and s follow from a non-negative least-squares fit
over the lags `lags` (first, last). Choose the first lag past the correlation
time of fast modes the state does not resolve (spin waves, say): their
residual then no longer grows and counts as observation noise. Residual drift
error also counts as noise, so q and s are upper bounds.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from surrogate.io.atomic import write_json_atomic
from surrogate.io.trace import Trace
from surrogate.node.checkpoint import Surrogate
from surrogate.node.fast_rollout import rollout_batched
from surrogate.node.integrators import InputGrid, stage_inputs
from surrogate.node.rollout import normalised_channels


class StochasticModelError(ValueError):
    """The model or the trace does not support a learned diffusion."""


@dataclass(frozen=True)
class NoiseModel:
    """Learned noise, per output channel in normalised units (see the module docstring).

    `diffusion` is q^(1/2) (per sqrt(model step)), `observation` is s;
    `residual_variance` (lags, channels) holds the fitted v_n over the fitted lags.
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
        """Read a `save`d noise model; errors name the file and the field."""
        try:
            model = cls(**json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as error:
            raise StochasticModelError(f"{path}: not a noise-model file ({error})") from error
        model._check(path)
        return model

    def _check(self, path: str | os.PathLike) -> None:
        """Raise StochasticModelError naming `path` and the field of any bad number."""
        n_out = len(self.output_names)
        for name in ("diffusion", "observation"):
            values = getattr(self, name)
            if not isinstance(values, list) or len(values) != n_out:
                raise StochasticModelError(
                    f"{path}: field '{name}' must hold one value per output ({n_out})"
                )
            if not all(_finite_number(value) and value >= 0 for value in values):
                raise StochasticModelError(
                    f"{path}: field '{name}' must hold finite numbers >= 0, got {values}"
                )
        if not (_finite_number(self.step_s) and self.step_s > 0):
            raise StochasticModelError(
                f"{path}: field 'step_s' must be a finite number > 0, got {self.step_s!r}"
            )


def _finite_number(value: object) -> bool:
    """True for a finite int or float (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_markov(surrogate: Surrogate) -> None:
    shape = surrogate.shape
    if shape.k != 1 or shape.n_aug != 0:
        raise StochasticModelError(
            f"a learned diffusion needs a Markov state of the outputs (k = 1, n_aug = 0); "
            f"the model has k = {shape.k}, n_aug = {shape.n_aug}"
        )


def fit_noise(
    surrogate: Surrogate, trace: Trace, lags: tuple[int, int] = (1, 8), probe: float = 1e-2,
    seed: int = 0,
) -> NoiseModel:
    """Fit the diffusion and observation noise of `surrogate`'s drift on the noisy `trace`.

    `lags` are (first, last) in model steps; `probe` is the probe size in
    normalised units.
    """
    _check_markov(surrogate)
    first, last = lags
    if not 1 <= first < last:
        raise StochasticModelError(f"lags {lags}: need 1 <= first < last")
    x, u, stride = normalised_channels(surrogate, trace)
    if len(x) < 10 * last:
        raise StochasticModelError(
            f"trace has {len(x)} model steps; fitting the noise up to lag {last} needs "
            f"at least {10 * last}"
        )
    starts = x[:-last]
    u_stages = stage_inputs(InputGrid(torch.as_tensor(u), stride, 1),
                            torch.arange(len(starts), dtype=torch.float64), last, surrogate.scheme)
    rng = np.random.default_rng(seed)

    def run(y0: np.ndarray, kicks: np.ndarray | None = None) -> np.ndarray:
        return rollout_batched(surrogate.model, torch.as_tensor(y0), u_stages, surrogate.scheme,
                               kicks).double().numpy()

    drift = run(starts)
    kicked = run(starts, probe * rng.standard_normal((last, *starts.shape)))
    moved = run(starts + probe * rng.standard_normal(starts.shape))
    n = np.arange(first, last + 1)
    truth = np.stack([x[i : len(x) - last + i] for i in n])
    variance = np.mean((drift[n] - truth) ** 2, axis=1)
    growth = np.mean((kicked[n] - drift[n]) ** 2, axis=1) / probe**2
    gain = 1.0 + np.mean((moved[n] - drift[n]) ** 2, axis=1) / probe**2
    diffusion, observation = [], []
    for channel, name in enumerate(surrogate.output_names):
        q, s2 = _nonnegative_fit(growth[:, channel], gain[:, channel], variance[:, channel])
        if q <= 1e-12 * x[:, channel].var():  # below this the residual is rounding, not noise
            raise StochasticModelError(
                f"trace {trace.metadata.get('source', '')}: the residual of output '{name}' "
                f"does not grow with the lag, so no diffusion can be fitted (is the trace "
                f"noise-free?)"
            )
        diffusion.append(float(np.sqrt(q)))
        observation.append(float(np.sqrt(s2)))
    return NoiseModel(list(surrogate.output_names), surrogate.step_s, diffusion, observation,
                      variance.tolist())


def _nonnegative_fit(a: np.ndarray, b: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """(q, s2) >= 0 minimising |q a + s2 b - v|^2."""
    (q, s2), *_ = np.linalg.lstsq(np.stack([a, b], axis=1), v, rcond=None)
    if q >= 0 and s2 >= 0:
        return float(q), float(s2)
    only_q = max(float(a @ v / (a @ a)), 0.0)
    only_s2 = max(float(b @ v / (b @ b)), 0.0)
    if np.sum((only_q * a - v) ** 2) <= np.sum((only_s2 * b - v) ** 2):
        return only_q, 0.0
    return 0.0, only_s2


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
    x, u, stride = normalised_channels(surrogate, trace)
    rng = np.random.default_rng(seed)
    n_steps, n_out = len(x) - 1, x.shape[1]
    kicks = rng.standard_normal((n_steps, n_samples, n_out)) * np.asarray(noise.diffusion)
    u_stages = stage_inputs(InputGrid(torch.as_tensor(u), stride, 1), torch.zeros(n_samples),
                            n_steps, surrogate.scheme)
    y0 = torch.as_tensor(np.tile(x[0], (n_samples, 1)))
    states = rollout_batched(surrogate.model, y0, u_stages, surrogate.scheme, kicks)
    observed = states.double().numpy().transpose(1, 0, 2)
    observed = observed + rng.standard_normal(observed.shape) * np.asarray(noise.observation)
    return trace.t[::stride][: n_steps + 1], surrogate.out_norm.invert(observed)
