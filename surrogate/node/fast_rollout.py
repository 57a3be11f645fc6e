"""Fast free-running rollouts of a Spin-NODE (no autograd).

`rollout_single` runs one long trajectory in float64 in a numba loop over the
packed MLP weights (no per-step framework overhead; the products and tanh are
vectorised, so sums are reordered within rounding). `rollout_batched` runs B
trajectories at once in numpy, in the model's dtype, one BLAS matrix product
per layer and stage into preallocated buffers. Its first layer and linear skip
are split into a state part and an input part; the input part is computed for
all stage nodes of a step in one product, so each stage multiplies only the
state. Both take the stage inputs of `integrators.stage_inputs` and follow its
schemes exactly, so they agree with the training path `integrators.rk4_rollout`
to rounding. Activations come from `model.ACTIVATIONS`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
import torch

from surrogate.node.integrators import STAGE_NODES, STEP_WEIGHTS, check_scheme
from surrogate.node.model import ACTIVATIONS, SpinNODE

# Index of each activation in model.ACTIVATIONS, as `_act` branches on it.
ACTIVATION_IDS = {name: index for index, name in enumerate(ACTIVATIONS)}
# Index of each scheme in integrators.STAGE_NODES, as `_rollout` branches on it (0: rk4).
SCHEME_IDS = {name: index for index, name in enumerate(STAGE_NODES)}


#: Floating-point liberties for the compiled loops: reassociation and fused multiply-add,
#: so the sums vectorise, but NaN and infinity keep their meaning (a diverging rollout
#: stays non-finite and is caught).
_FASTMATH = {"contract", "reassoc", "nsz", "arcp", "afn"}
#: 1/n! for n = 16 .. 0: Horner coefficients of exp on [-0.625, 0] (truncation < 1e-18).
_EXP_TAYLOR = np.array([1.0 / math.factorial(n) for n in range(16, -1, -1)])


@dataclass(frozen=True)
class PackedField:
    """MLP weights in float64, transposed to (inputs, outputs): first layer, stacked
    hidden layers, last layer, linear skip; and the biases."""

    w_first: np.ndarray
    b_first: np.ndarray
    w_hidden: np.ndarray
    b_hidden: np.ndarray
    w_last: np.ndarray
    b_last: np.ndarray
    w_skip: np.ndarray
    activation: int


def pack(model: SpinNODE) -> PackedField:
    """Copy the model's weights into contiguous, transposed float64 arrays."""
    layers = [(w.detach().double().numpy().T, b.detach().double().numpy())
              for w, b in model.mlp_weights()]
    hidden = layers[1:-1]
    width = layers[0][0].shape[1]
    return PackedField(
        np.ascontiguousarray(layers[0][0]), np.ascontiguousarray(layers[0][1]),
        np.ascontiguousarray(np.stack([w for w, _ in hidden]) if hidden
                             else np.zeros((0, width, width))),
        np.ascontiguousarray(np.stack([b for _, b in hidden]) if hidden
                             else np.zeros((0, width))),
        np.ascontiguousarray(layers[-1][0]), np.ascontiguousarray(layers[-1][1]),
        np.ascontiguousarray(model.linear.weight.detach().double().numpy().T),
        ACTIVATION_IDS[model.shape.activation],
    )


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
    """Activation number `kind` of model.ACTIVATIONS: tanh, relu, gelu, silu."""
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
    return _rollout(
        np.ascontiguousarray(y0, dtype=np.float64),
        np.ascontiguousarray(u_stages, dtype=np.float64), SCHEME_IDS[scheme],
        *STEP_WEIGHTS[scheme],
        field.w_first, field.b_first, field.w_hidden, field.b_hidden,
        field.w_last, field.b_last, field.w_skip, field.activation,
    )


@dataclass(frozen=True)
class SplitField:
    """MLP weights for batched rollouts, transposed for row-major batches (B, features).

    The first layer and the linear skip are split at the state/input boundary:
    f(y, u) = MLP(y W_y + u W_u + b) + y S_y + u S_u.
    """

    first_state: np.ndarray
    first_input: np.ndarray
    first_bias: np.ndarray
    hidden: tuple[tuple[np.ndarray, np.ndarray], ...]
    last: np.ndarray
    last_bias: np.ndarray
    skip_state: np.ndarray
    skip_input: np.ndarray
    activation: str


def split(model: SpinNODE) -> SplitField:
    """The model's weights as a SplitField in the model's own dtype."""
    dtype = np.dtype(str(next(model.parameters()).dtype).removeprefix("torch."))
    layers = [(w.detach().cpu().numpy().T.astype(dtype), b.detach().cpu().numpy().astype(dtype))
              for w, b in model.mlp_weights()]
    skip = model.linear.weight.detach().cpu().numpy().T.astype(dtype)
    d = model.shape.state_dim
    (w_first, b_first), (w_last, b_last) = layers[0], layers[-1]
    return SplitField(
        np.ascontiguousarray(w_first[:d]), np.ascontiguousarray(w_first[d:]), b_first,
        tuple((np.ascontiguousarray(w), b) for w, b in layers[1:-1]),
        np.ascontiguousarray(w_last), b_last,
        np.ascontiguousarray(skip[:d]), np.ascontiguousarray(skip[d:]),
        model.shape.activation,
    )


class _BatchedField:
    """f(y, u) for a batch, into preallocated buffers; the input part is set once per step."""

    def __init__(self, field: SplitField, batch: int, n_nodes: int, dtype: np.dtype):
        self.field = field
        width = field.first_bias.shape[0]
        d = field.last_bias.shape[0]
        self.input_first = np.empty((n_nodes, batch, width), dtype)
        self.input_skip = np.empty((n_nodes, batch, d), dtype)
        self.skip = np.empty((batch, d), dtype)
        # Two hidden-layer buffers, each with a tensor view for the in-place activation.
        hidden = [np.empty((batch, width), dtype) for _ in range(2)]
        self.hidden_buffers = [(array, torch.from_numpy(array)) for array in hidden]
        self.activate_ = ACTIVATIONS[field.activation].apply_

    def set_inputs(self, u_nodes: np.ndarray) -> None:
        """Input parts of the first layer and skip for every node: u_nodes (n_nodes, B, m)."""
        f = self.field
        np.matmul(u_nodes, f.first_input, out=self.input_first)
        self.input_first += f.first_bias
        np.matmul(u_nodes, f.skip_input, out=self.input_skip)
        self.input_skip += f.last_bias

    def __call__(self, y: np.ndarray, node: int, out: np.ndarray) -> None:
        f = self.field
        (h, h_view), (g, g_view) = self.hidden_buffers
        np.matmul(y, f.first_state, out=h)
        h += self.input_first[node]
        self.activate_(h_view)
        for weight, bias in f.hidden:
            np.matmul(h, weight, out=g)
            g += bias
            self.activate_(g_view)
            (h, h_view), (g, g_view) = (g, g_view), (h, h_view)
        np.matmul(h, f.last, out=out)
        np.matmul(y, f.skip_state, out=self.skip)
        out += self.skip
        out += self.input_skip[node]


def rollout_batched(
    model: SpinNODE,
    y0: torch.Tensor,
    u_stages: torch.Tensor,
    scheme: str,
    kicks: np.ndarray | None = None,
) -> torch.Tensor:
    """States (n_steps+1, B, d) from y0 (B, d); u_stages (n_steps, n_nodes, B, n_in*k).

    Runs in numpy in the model's dtype (see the module docstring); returns a
    tensor of that dtype. `kicks` (n_steps, B, d), if given, is added to the
    state after each step (in the model's dtype): the increments of a
    stochastic model.
    """
    check_scheme(scheme)
    field = split(model)
    dtype = field.last.dtype
    u = np.ascontiguousarray(torch.as_tensor(u_stages).cpu().numpy(), dtype=dtype)
    n_steps, n_nodes, batch = u.shape[0], u.shape[1], y0.shape[0]
    states = np.empty((n_steps + 1, batch, field.last_bias.shape[0]), dtype)
    if kicks is not None and kicks.shape != (n_steps, *states.shape[1:]):
        raise ValueError(f"kicks have shape {kicks.shape}, expected {(n_steps, *states.shape[1:])}")
    if kicks is not None:
        kicks = np.asarray(kicks, dtype=dtype)
    states[0] = torch.as_tensor(y0).cpu().numpy()
    rhs = _BatchedField(field, batch, n_nodes, dtype)
    k1, k2, k3, k4, tmp = (np.empty_like(states[0]) for _ in range(5))
    middle, total = STEP_WEIGHTS[scheme]
    for n in range(n_steps):
        y, nxt = states[n], states[n + 1]
        rhs.set_inputs(u[n])
        rhs(y, 0, k1)
        if scheme == "rk4":
            np.multiply(k1, 0.5, out=tmp)
            tmp += y
            rhs(tmp, 1, k2)
            np.multiply(k2, 0.5, out=tmp)
            tmp += y
            rhs(tmp, 1, k3)
            np.add(y, k3, out=tmp)
            rhs(tmp, 2, k4)
        else:
            np.multiply(k1, 1.0 / 3.0, out=tmp)
            tmp += y
            rhs(tmp, 1, k2)
            np.multiply(k1, -1.0 / 3.0, out=tmp)
            tmp += k2
            tmp += y
            rhs(tmp, 2, k3)
            np.subtract(k1, k2, out=tmp)
            tmp += k3
            tmp += y
            rhs(tmp, 3, k4)
        np.add(k2, k3, out=tmp)
        tmp *= middle
        tmp += k1
        tmp += k4
        tmp /= total
        np.add(y, tmp, out=nxt)
        if kicks is not None:
            nxt += kicks[n]
    return torch.from_numpy(states)
