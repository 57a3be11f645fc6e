"""The compiled free-running rollouts of a Spin-NODE, without torch: numba loops.

`rollout_single` runs one long trajectory in float64 in one fused loop over the
MLP weights laid out for it (PackedSingle: dot products over contiguous inputs,
eight outputs at a time; the input's share of each layer computed once per stage
node; no allocation and no per-step framework overhead; the products and tanh
are vectorised, so sums are reordered within rounding). `rollout_batch` runs B
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
from dataclasses import dataclass

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


#: Rows of a weight matrix that `_dense` computes at once (a multiple of the SIMD width):
#: eight independent dot products share each load of the input vector.
_ROWS = 8


@numba.njit(cache=True, fastmath=_FASTMATH, error_model="numpy", inline="always")
def _dense(out, weights, bias, vector):  # pragma: no cover - compiled
    """out = bias + weights @ vector, weights (rows, len(vector)) with rows a multiple of
    _ROWS; eight rows at a time, each a dot product over the contiguous input axis."""
    for r in range(0, weights.shape[0], _ROWS):
        s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
        for c in range(vector.shape[0]):
            value = vector[c]
            s0 += weights[r, c] * value
            s1 += weights[r + 1, c] * value
            s2 += weights[r + 2, c] * value
            s3 += weights[r + 3, c] * value
            s4 += weights[r + 4, c] * value
            s5 += weights[r + 5, c] * value
            s6 += weights[r + 6, c] * value
            s7 += weights[r + 7, c] * value
        out[r] = bias[r] + s0
        out[r + 1] = bias[r + 1] + s1
        out[r + 2] = bias[r + 2] + s2
        out[r + 3] = bias[r + 3] + s3
        out[r + 4] = bias[r + 4] + s4
        out[r + 5] = bias[r + 5] + s5
        out[r + 6] = bias[r + 6] + s6
        out[r + 7] = bias[r + 7] + s7


@numba.njit(cache=True, fastmath=_FASTMATH, error_model="numpy", inline="always")
def _field(state, driven, state_first, w_hidden, b_hidden, w_out, kind, h, g, features,
           slope):  # pragma: no cover - compiled
    """slope[:d] = f(state, u), with `driven` (input_bias + u @ PackedSingle.input_weights)
    holding the input's share of the first layer and of the output; h, g, features: scratch."""
    d, width = state.shape[0], w_hidden.shape[2]
    padded_width = state_first.shape[1]
    h[:] = driven[:padded_width]
    _add_product(h, state_first, state)
    _activate(h, kind)
    for layer in range(w_hidden.shape[0]):
        _dense(g, w_hidden[layer], b_hidden[layer], h[:width])
        _activate(g, kind)
        h, g = g, h
    for i in range(width):
        features[i] = h[i]
    for i in range(d):
        features[width + i] = state[i]
    _dense(slope, w_out, driven[padded_width:], features)


@numba.njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _rollout(y0, u, scheme, middle, total, input_weights, input_bias, state_first, w_hidden,
             b_hidden, w_out, kind):  # pragma: no cover - compiled
    """States (n_steps+1, d) from y0 by the steps of integrators.rk4_step (scheme 0: rk4,
    else rk38), the inputs' share of the field computed once per stage node."""
    n_steps, n_nodes, d = u.shape[0], u.shape[1], y0.shape[0]
    padded_width, padded_d = state_first.shape[1], w_out.shape[0]
    states = np.empty((n_steps + 1, d))
    states[0] = y0
    driven = np.empty((n_nodes, input_weights.shape[1]))
    h, g = np.zeros(padded_width), np.zeros(padded_width)
    features = np.empty(w_out.shape[1])
    k1, k2, k3, k4 = np.empty(padded_d), np.empty(padded_d), np.empty(padded_d), np.empty(padded_d)
    y, stage = y0.copy(), np.empty(d)
    for n in range(n_steps):
        for j in range(n_nodes):
            driven[j] = input_bias
            _add_product(driven[j], input_weights, u[n, j])
        _field(y, driven[0], state_first, w_hidden, b_hidden, w_out, kind, h, g, features, k1)
        if scheme == 0:
            for i in range(d):
                stage[i] = y[i] + 0.5 * k1[i]
            _field(stage, driven[1], state_first, w_hidden, b_hidden, w_out, kind, h, g,
                   features, k2)
            for i in range(d):
                stage[i] = y[i] + 0.5 * k2[i]
            _field(stage, driven[1], state_first, w_hidden, b_hidden, w_out, kind, h, g,
                   features, k3)
            for i in range(d):
                stage[i] = y[i] + k3[i]
            _field(stage, driven[2], state_first, w_hidden, b_hidden, w_out, kind, h, g,
                   features, k4)
        else:
            for i in range(d):
                stage[i] = y[i] + k1[i] / 3.0
            _field(stage, driven[1], state_first, w_hidden, b_hidden, w_out, kind, h, g,
                   features, k2)
            for i in range(d):
                stage[i] = y[i] + k2[i] - k1[i] / 3.0
            _field(stage, driven[2], state_first, w_hidden, b_hidden, w_out, kind, h, g,
                   features, k3)
            for i in range(d):
                stage[i] = y[i] + k1[i] - k2[i] + k3[i]
            _field(stage, driven[3], state_first, w_hidden, b_hidden, w_out, kind, h, g,
                   features, k4)
        for i in range(d):
            y[i] = y[i] + (k1[i] + middle * (k2[i] + k3[i]) + k4[i]) / total
            states[n + 1, i] = y[i]
    return states


def _padded_rows(matrix: np.ndarray, rows: int) -> np.ndarray:
    """`matrix` (r, c) with zero rows below it up to `rows`, C-contiguous float64."""
    out = np.zeros((rows, matrix.shape[1]))
    out[: len(matrix)] = matrix
    return out


def _padded(vector: np.ndarray, length: int) -> np.ndarray:
    """`vector` with zeros after it up to `length`."""
    return _padded_rows(vector[:, None], length)[:, 0]


@dataclass(frozen=True)
class PackedSingle:
    """A PackedField laid out for `_rollout`, outputs padded with zeros to a multiple of
    _ROWS (W: padded width, D: padded state size, m inputs). The products over the
    hidden state (width or more inputs) are dot products, (outputs, inputs); those over
    the few inputs and state values are sums of columns, (inputs, outputs), as
    `_add_product` takes them.

    input_weights (m, W + D) and input_bias: the input's share of the first layer and
    of the linear term, with their biases; state_first (d, W): the first layer's state
    rows; w_hidden (L, W, width), b_hidden (L, W); w_out (D, width + d): the last layer
    beside the linear term's state rows.
    """

    input_weights: np.ndarray
    input_bias: np.ndarray
    state_first: np.ndarray
    w_hidden: np.ndarray
    b_hidden: np.ndarray
    w_out: np.ndarray
    activation: int

    @classmethod
    def from_field(cls, field: PackedField, state_dim: int) -> PackedSingle:
        d, width = state_dim, field.b_first.shape[0]
        padded_width, padded_d = (-(-n // _ROWS) * _ROWS for n in (width, d))
        return cls(
            np.ascontiguousarray(np.concatenate(
                [_padded_rows(field.w_first[d:].T, padded_width),
                 _padded_rows(field.w_skip[d:].T, padded_d)]).T),
            np.concatenate([_padded(field.b_first, padded_width),
                            _padded(field.b_last, padded_d)]),
            np.ascontiguousarray(_padded_rows(field.w_first[:d].T, padded_width).T),
            np.stack([_padded_rows(w.T, padded_width) for w in field.w_hidden])
            if len(field.w_hidden) else np.zeros((0, padded_width, width)),
            np.stack([_padded(b, padded_width) for b in field.b_hidden])
            if len(field.b_hidden) else np.zeros((0, padded_width)),
            _padded_rows(np.concatenate([field.w_last, field.w_skip[:d]]).T, padded_d),
            field.activation,
        )


def rollout_single(field: PackedField, y0: np.ndarray, u_stages: np.ndarray, scheme: str):
    """States (n_steps+1, d) from y0 (d,); u_stages (n_steps, n_nodes, n_in*k)."""
    check_scheme(scheme)
    y0 = np.ascontiguousarray(y0, dtype=np.float64)
    single = PackedSingle.from_field(field, y0.shape[0])
    return _rollout(
        y0, np.ascontiguousarray(u_stages, dtype=np.float64), SCHEME_IDS[scheme],
        *STEP_WEIGHTS[scheme], single.input_weights, single.input_bias, single.state_first,
        single.w_hidden, single.b_hidden, single.w_out, single.activation,
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
