"""Fast free-running rollouts of a Spin-NODE (no autograd).

`rollout_single` runs one long trajectory in float64 in a numba loop over the
packed MLP weights (no per-step framework overhead; the dot products are
vectorised, so sums are reordered within rounding); `rollout_batched` runs B
trajectories in torch without autograd, one tensor operation per layer and
stage. Both take the stage inputs of `rk4.stage_inputs` and follow rk4.py's
schemes exactly, so they agree with `rk4.rk4_rollout` to rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
import torch

from .model import SpinNODE
from .rk4 import rk4_rollout

ACTIVATION_IDS = {"tanh": 0, "relu": 1, "gelu": 2, "silu": 3}
SCHEME_IDS = {"rk4": 0, "rk38": 1}


@dataclass(frozen=True)
class PackedField:
    """MLP weights in float64: first layer, stacked hidden layers, last layer, linear skip."""

    w_first: np.ndarray
    b_first: np.ndarray
    w_hidden: np.ndarray
    b_hidden: np.ndarray
    w_last: np.ndarray
    b_last: np.ndarray
    w_skip: np.ndarray
    activation: int


def pack(model: SpinNODE) -> PackedField:
    """Copy the model's weights into contiguous float64 arrays."""
    layers = [(w.detach().double().numpy(), b.detach().double().numpy())
              for w, b in model.mlp_weights()]
    hidden = layers[1:-1]
    width = layers[0][0].shape[0]
    return PackedField(
        np.ascontiguousarray(layers[0][0]), np.ascontiguousarray(layers[0][1]),
        np.ascontiguousarray(np.stack([w for w, _ in hidden]) if hidden
                             else np.zeros((0, width, width))),
        np.ascontiguousarray(np.stack([b for _, b in hidden]) if hidden
                             else np.zeros((0, width))),
        np.ascontiguousarray(layers[-1][0]), np.ascontiguousarray(layers[-1][1]),
        np.ascontiguousarray(model.linear.weight.detach().double().numpy()),
        ACTIVATION_IDS[model.shape.activation],
    )


@numba.njit(cache=True)
def _act(x, kind):  # pragma: no cover - compiled
    if kind == 0:
        return math.tanh(x)
    if kind == 1:
        return max(x, 0.0)
    if kind == 2:
        return 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))
    return x / (1.0 + math.exp(-x))


@numba.njit(cache=True, fastmath=True)
def _field(y, u, wf, bf, wh, bh, wl, bl, ws, kind, z, h, g, out):  # pragma: no cover
    """out = f(y, u); z, h, g are scratch buffers."""
    ny = y.shape[0]
    for i in range(ny):
        z[i] = y[i]
    for i in range(u.shape[0]):
        z[ny + i] = u[i]
    for r in range(wf.shape[0]):
        acc = bf[r]
        for c in range(wf.shape[1]):
            acc += wf[r, c] * z[c]
        h[r] = _act(acc, kind)
    for layer in range(wh.shape[0]):
        for r in range(wh.shape[1]):
            acc = bh[layer, r]
            for c in range(wh.shape[2]):
                acc += wh[layer, r, c] * h[c]
            g[r] = _act(acc, kind)
        for r in range(wh.shape[1]):
            h[r] = g[r]
    for r in range(wl.shape[0]):
        acc = bl[r]
        for c in range(wl.shape[1]):
            acc += wl[r, c] * h[c]
        for c in range(ws.shape[1]):
            acc += ws[r, c] * z[c]
        out[r] = acc


@numba.njit(cache=True)
def _rollout(y0, u, scheme, wf, bf, wh, bh, wl, bl, ws, kind):  # pragma: no cover
    n_steps, d = u.shape[0], y0.shape[0]
    states = np.empty((n_steps + 1, d))
    states[0] = y0
    z = np.empty(wf.shape[1])
    h = np.empty(wf.shape[0])
    g = np.empty(wf.shape[0])
    k1, k2, k3, k4, tmp = (np.empty(d), np.empty(d), np.empty(d), np.empty(d), np.empty(d))
    y = y0.copy()
    for n in range(n_steps):
        _field(y, u[n, 0], wf, bf, wh, bh, wl, bl, ws, kind, z, h, g, k1)
        if scheme == 0:
            for i in range(d):
                tmp[i] = y[i] + 0.5 * k1[i]
            _field(tmp, u[n, 1], wf, bf, wh, bh, wl, bl, ws, kind, z, h, g, k2)
            for i in range(d):
                tmp[i] = y[i] + 0.5 * k2[i]
            _field(tmp, u[n, 1], wf, bf, wh, bh, wl, bl, ws, kind, z, h, g, k3)
            for i in range(d):
                tmp[i] = y[i] + k3[i]
            _field(tmp, u[n, 2], wf, bf, wh, bh, wl, bl, ws, kind, z, h, g, k4)
            for i in range(d):
                y[i] = y[i] + (k1[i] + 2.0 * (k2[i] + k3[i]) + k4[i]) / 6.0
        else:
            for i in range(d):
                tmp[i] = y[i] + k1[i] / 3.0
            _field(tmp, u[n, 1], wf, bf, wh, bh, wl, bl, ws, kind, z, h, g, k2)
            for i in range(d):
                tmp[i] = y[i] + k2[i] - k1[i] / 3.0
            _field(tmp, u[n, 2], wf, bf, wh, bh, wl, bl, ws, kind, z, h, g, k3)
            for i in range(d):
                tmp[i] = y[i] + k1[i] - k2[i] + k3[i]
            _field(tmp, u[n, 3], wf, bf, wh, bh, wl, bl, ws, kind, z, h, g, k4)
            for i in range(d):
                y[i] = y[i] + (k1[i] + 3.0 * (k2[i] + k3[i]) + k4[i]) / 8.0
        states[n + 1] = y
    return states


def rollout_single(field: PackedField, y0: np.ndarray, u_stages: np.ndarray, scheme: str):
    """States (n_steps+1, d) from y0 (d,); u_stages (n_steps, n_nodes, n_in*k)."""
    return _rollout(
        np.ascontiguousarray(y0, dtype=np.float64),
        np.ascontiguousarray(u_stages, dtype=np.float64), SCHEME_IDS[scheme],
        field.w_first, field.b_first, field.w_hidden, field.b_hidden,
        field.w_last, field.b_last, field.w_skip, field.activation,
    )


def rollout_batched(
    model: SpinNODE, y0: torch.Tensor, u_stages: torch.Tensor, scheme: str
) -> torch.Tensor:
    """States (n_steps+1, B, d) from y0 (B, d); u_stages (n_steps, n_nodes, B, n_in*k).

    Runs in the model's dtype without autograd.
    """
    dtype = next(model.parameters()).dtype
    with torch.inference_mode():
        return rk4_rollout(model, y0.to(dtype), u_stages.to(dtype), scheme)
