"""The compiled free-running rollouts of a Spin-NODE, without torch: numba loops.

`rollout_single` runs one long trajectory in float64 in a fused loop over the
packed MLP weights (no per-step framework overhead; the products and tanh are
vectorised, so sums are reordered within rounding). `rollout_batch` runs B
trajectories in float64, the matrix products of each layer and stage through
BLAS and everything between them in compiled loops, the scheme read from its
Butcher tableau (schemes.py). Both take stage inputs as `integrators.stage_inputs`
lays them out and agree with the training path `integrators.rk4_rollout` to
rounding (tests/test_rollout.py, tests/test_fast_forecast.py). numba compiles
each kernel once per install (`cache=True`); loading the cache costs about a
second at the start of a process, which short forecasts avoid (numpy_rollout.py).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from surrogate.node.packed_field import SCHEME_IDS, PackedField
from surrogate.node.schemes import BUTCHER_TABLEAUX, STEP_WEIGHTS, check_scheme

#: Floating-point liberties for the compiled loops: reassociation and fused multiply-add,
#: so the sums vectorise, but NaN and infinity keep their meaning (a diverging rollout
#: stays non-finite and is caught).
_FASTMATH = {"contract", "reassoc", "nsz", "arcp", "afn"}
#: 1/n! for n = 16 .. 0: Horner coefficients of exp on [-0.625, 0] (truncation < 1e-18).
_EXP_TAYLOR = np.array([1.0 / math.factorial(n) for n in range(16, -1, -1)])


@numba.njit(cache=True, fastmath=_FASTMATH, error_model="numpy", inline="always")
def _tanh(x):  # pragma: no cover - compiled
    """tanh(x) = ±(1 - d)/(1 + d) with d = exp(-2|x|) = (Taylor exp of -2|x|/64)^64.

    Arithmetic only, so a loop over it vectorises (libm's exp does not, and this
    numba has no SVML). Within 3.2e-15 of math.tanh (tests/test_rollout.py).
    """
    reduced = (-2.0 / 64.0) * min(abs(x), 20.0)
    decay = 0.0
    for coefficient in _EXP_TAYLOR:
        decay = decay * reduced + coefficient
    for _ in range(6):
        decay = decay * decay
    return math.copysign((1.0 - decay) / (1.0 + decay), x)


@numba.njit(cache=True, error_model="numpy")
def _act(x, kind):  # pragma: no cover - compiled
    """Activation number `kind` of activations.ACTIVATION_NAMES: tanh, relu, gelu, silu."""
    if kind == 0:
        return _tanh(x)
    if kind == 1:
        return max(x, 0.0)
    if kind == 2:
        return 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))
    return 0.5 * x * (1.0 + _tanh(0.5 * x))  # x sigmoid(x), no division


@numba.njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _activate(values, kind):  # pragma: no cover - compiled
    """Apply activation number `kind` in place, in a loop of its own (tanh: vectorised)."""
    if kind == 0:
        for i in range(values.shape[0]):
            values[i] = _tanh(values[i])
    else:
        for i in range(values.shape[0]):
            values[i] = _act(values[i], kind)


@numba.njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _add_product(out, weights, vector):  # pragma: no cover - compiled
    """out += vector @ weights, column by column (weights (len(vector), len(out)))."""
    for c in range(vector.shape[0]):
        value = vector[c]
        for r in range(out.shape[0]):
            out[r] += weights[c, r] * value


@numba.njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _field(y, u, wf, bf, wh, bh, wl, bl, ws, kind, z, h, g, out):  # pragma: no cover
    """out = f(y, u); z, h, g are scratch buffers; weights as in PackedField."""
    ny = y.shape[0]
    for i in range(ny):
        z[i] = y[i]
    for i in range(u.shape[0]):
        z[ny + i] = u[i]
    h[:] = bf
    _add_product(h, wf, z)
    _activate(h, kind)
    for layer in range(wh.shape[0]):
        g[:] = bh[layer]
        _add_product(g, wh[layer], h)
        _activate(g, kind)
        h[:] = g
    out[:] = bl
    _add_product(out, wl, h)
    _add_product(out, ws, z)


@numba.njit(cache=True)
def _rollout(y0, u, scheme, middle, total, wf, bf, wh, bh, wl, bl, ws, kind):  # pragma: no cover
    n_steps, d = u.shape[0], y0.shape[0]
    states = np.empty((n_steps + 1, d))
    states[0] = y0
    z = np.empty(wf.shape[0])
    h = np.empty(wf.shape[1])
    g = np.empty(wf.shape[1])
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
                y[i] = y[i] + (k1[i] + middle * (k2[i] + k3[i]) + k4[i]) / total
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
                y[i] = y[i] + (k1[i] + middle * (k2[i] + k3[i]) + k4[i]) / total
        states[n + 1] = y
    return states


def rollout_single(field: PackedField, y0: np.ndarray, u_stages: np.ndarray, scheme: str):
    """States (n_steps+1, d) from y0 (d,); u_stages (n_steps, n_nodes, n_in*k)."""
    check_scheme(scheme)
    return _rollout(
        np.ascontiguousarray(y0, dtype=np.float64),
        np.ascontiguousarray(u_stages, dtype=np.float64), SCHEME_IDS[scheme],
        *STEP_WEIGHTS[scheme],
        field.w_first, field.b_first, field.w_hidden, field.b_hidden,
        field.w_last, field.b_last, field.w_skip, field.activation,
    )


@numba.njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _add_rows(values, row):  # pragma: no cover - compiled
    """values[b, :] += row for every row b."""
    for b in range(values.shape[0]):
        for c in range(values.shape[1]):
            values[b, c] += row[c]


@numba.njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _axpy(out, scale, values):  # pragma: no cover - compiled
    """out += scale * values, flat arrays."""
    for i in range(out.shape[0]):
        out[i] += scale * values[i]


@numba.njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _rollout_batch(y0, u, a, weights, node, state_first, state_skip, input_first, input_skip,
                   b_first, b_last, w_hidden, b_hidden, w_last, kind,
                   states):  # pragma: no cover - compiled
    """states[n + 1] from states[n] = y0 (B, d) for every step n of u (n_steps, n_nodes, B, m).

    The first layer and the linear term are split into their state parts
    (state_first (d, width), state_skip (d, d)) and input parts (input_first,
    input_skip); stage i evaluates the field at y + sum_j a[i, j] k_j with the
    inputs of node[i], the step adds sum_i weights[i] k_i. The loops between the
    BLAS products run over whole contiguous buffers, so they vectorise.
    """
    n_steps, n_nodes = u.shape[0], u.shape[1]
    batch, d = y0.shape
    width = w_last.shape[0]
    n_stages = a.shape[0]
    slopes = np.zeros((n_stages, batch, d))
    stage = np.empty((batch, d))
    projected_first = np.empty((n_nodes, batch, width))
    projected_skip = np.empty((n_nodes, batch, d))
    h = np.empty((batch, width))
    g = np.empty((batch, width))
    skip = np.empty((batch, d))
    out = np.empty((batch, d))
    y = y0.copy()
    flat_y, flat_stage = y.reshape(-1), stage.reshape(-1)
    states[0] = y
    for n in range(n_steps):
        for j in range(n_nodes):
            np.dot(u[n, j], input_first, projected_first[j])
            _add_rows(projected_first[j], b_first)
            np.dot(u[n, j], input_skip, projected_skip[j])
            _add_rows(projected_skip[j], b_last)
        for i in range(n_stages):
            flat_stage[:] = flat_y
            for j in range(i):
                if a[i, j] != 0.0:
                    _axpy(flat_stage, a[i, j], slopes[j].reshape(-1))
            np.dot(stage, state_first, h)
            np.dot(stage, state_skip, skip)
            flat_h = h.reshape(-1)
            _axpy(flat_h, 1.0, projected_first[node[i]].reshape(-1))
            _activate(flat_h, kind)
            for layer in range(w_hidden.shape[0]):
                np.dot(h, w_hidden[layer], g)
                _add_rows(g, b_hidden[layer])
                _activate(g.reshape(-1), kind)
                h, g = g, h
            np.dot(h, w_last, out)
            slope = slopes[i].reshape(-1)
            flat_out, flat_skip = out.reshape(-1), skip.reshape(-1)
            flat_input = projected_skip[node[i]].reshape(-1)
            for c in range(slope.shape[0]):
                slope[c] = flat_out[c] + flat_skip[c] + flat_input[c]
        for i in range(n_stages):
            _axpy(flat_y, weights[i], slopes[i].reshape(-1))
        states[n + 1] = y


def rollout_batch(field: PackedField, y0: np.ndarray, u_stages: np.ndarray,
                  scheme: str) -> np.ndarray:
    """States (n_steps+1, B, d) from y0 (B, d); u_stages (n_steps, n_nodes, B, n_in*k).

    float64 throughout; BLAS runs at its thread pool's size (threadpoolctl limits it).
    """
    tableau = BUTCHER_TABLEAUX[check_scheme(scheme)]
    y0 = np.ascontiguousarray(y0, dtype=np.float64)
    u = np.ascontiguousarray(u_stages, dtype=np.float64)
    d = y0.shape[1]
    states = np.empty((len(u) + 1, *y0.shape))
    parts = [np.ascontiguousarray(part) for part in
             (field.w_first[:d], field.w_skip[:d], field.w_first[d:], field.w_skip[d:])]
    _rollout_batch(y0, u, tableau.a, tableau.b, tableau.node.astype(np.int64), *parts,
                   field.b_first, field.b_last, field.w_hidden, field.b_hidden, field.w_last,
                   field.activation, states)
    return states
