"""Linear ARX baseline, fitted by least squares on the same split as the Spin-NODE.

On the model grid (every `stride`-th sample), with x and u normalised like the
Spin-NODE's channels, the next output is a linear function of the last `na`
outputs and the last `nb` inputs up to and including the next sample:
`x[n+1] = sum_i A_i x[n-i] + sum_j B_j u[n+1-j] + c`. Prediction is free
running from the first `na` true samples, like the Spin-NODE's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from surrogate.io.trace import Trace
from surrogate.node.embedding import Normalisation, fit_normalisation
from surrogate.node.rollout import channels, stride_for


@dataclass
class ArxModel:
    """Coefficients (na*n_out + nb*n_in + 1, n_out) and the normalisation they act on."""

    coefficients: np.ndarray
    na: int
    nb: int
    out_norm: Normalisation
    in_norm: Normalisation
    input_names: list[str]
    output_names: list[str]
    step_s: float


def _regressors(x: np.ndarray, u: np.ndarray, na: int, nb: int) -> np.ndarray:
    """Rows [x[n], ..., x[n-na+1], u[n+1], ..., u[n+2-nb], 1] for n = lag-1 .. N-2."""
    lag = max(na, nb - 1, 1)
    rows = len(x) - lag
    columns = [x[lag - 1 - i : lag - 1 - i + rows] for i in range(na)]
    columns += [u[lag - j : lag - j + rows] for j in range(nb)]
    columns.append(np.ones((rows, 1)))
    return np.concatenate(columns, axis=1)


def fit_arx(
    trace: Trace,
    na: int = 2,
    nb: int = 2,
    ridge: float = 1e-8,
    step_s: float | None = None,
    input_names: list[str] | None = None,
    output_names: list[str] | None = None,
) -> ArxModel:
    """Least-squares ARX fit on the whole given trace (already windowed)."""
    if na < 1 or nb < 0:
        raise ValueError(f"ARX orders na={na} (>= 1) and nb={nb} (>= 0) are invalid")
    inputs = list(input_names or trace.input_names)
    outputs = list(output_names or trace.output_names)
    stride = stride_for(step_s or trace.dt, trace)
    x_raw = channels(trace, outputs, "output")[::stride]
    u_raw = channels(trace, inputs, "input")[::stride]
    out_norm, in_norm = fit_normalisation(x_raw, outputs), fit_normalisation(u_raw, inputs)
    x, u = out_norm.apply(x_raw), in_norm.apply(u_raw)
    lag = max(na, nb - 1, 1)
    if len(x) < lag + 2 + na + nb:
        raise ValueError(f"ARX fit: {len(x)} model-grid samples are too few for na={na}, nb={nb}")
    phi = _regressors(x, u, na, nb)
    target = x[lag:]
    gram = phi.T @ phi + ridge * len(phi) * np.eye(phi.shape[1])
    coefficients = np.linalg.solve(gram, phi.T @ target)
    return ArxModel(coefficients, na, nb, out_norm, in_norm, inputs, outputs, stride * trace.dt)


@numba.njit(cache=True)
def _arx_run(coefficients, x0, u, na, nb, lag):  # pragma: no cover - compiled
    """Free run of B trajectories: x0 (B, lag, n_out) true start, u (B, N, n_in)."""
    batch, n_samples = u.shape[0], u.shape[1]
    n_out, n_in = x0.shape[2], u.shape[2]
    x = np.empty((batch, n_samples, n_out))
    for b in range(batch):
        x[b, :lag] = x0[b]
        for n in range(lag - 1, n_samples - 1):
            for o in range(n_out):
                acc = coefficients[-1, o]
                row = 0
                for i in range(na):
                    for c in range(n_out):
                        acc += coefficients[row, o] * x[b, n - i, c]
                        row += 1
                for j in range(nb):
                    for c in range(n_in):
                        acc += coefficients[row, o] * u[b, n + 1 - j, c]
                        row += 1
                x[b, n + 1, o] = acc
    return x


def arx_free_run(model: ArxModel, x_start: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Normalised free run: x_start (B, lag, n_out), u (B, N, n_in) -> (B, N, n_out)."""
    lag = max(model.na, model.nb - 1, 1)
    return _arx_run(np.ascontiguousarray(model.coefficients), np.ascontiguousarray(x_start),
                    np.ascontiguousarray(u, dtype=np.float64), model.na, model.nb, lag)


def arx_predict(model: ArxModel, trace: Trace) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t, predicted, target) on the model grid in SI units, free running."""
    stride = stride_for(model.step_s, trace)
    target = channels(trace, model.output_names, "output")[::stride]
    u = model.in_norm.apply(channels(trace, model.input_names, "input")[::stride])
    lag = max(model.na, model.nb - 1, 1)
    x = model.out_norm.apply(target)
    predicted = arx_free_run(model, x[None, :lag], u[None])[0]
    return trace.t[::stride], model.out_norm.invert(predicted), target
