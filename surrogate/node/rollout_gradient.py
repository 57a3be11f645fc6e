"""The training rollout with a hand-written gradient: RK4 of a tanh Spin-NODE in numba.

`fused_rollout(model, y0, u_stages, scheme)` returns the states (n_steps+1, B,
state_dim) that `integrators.rk4_rollout(field, y0, projected, scheme)` returns
for `field, projected = model.rollout_field(u_stages)`, and is differentiable in
the same tensors: the model's weights and `y0`. Its forward pass runs every
step and stage of the batch in one compiled loop and keeps the stage states and
activations; its backward pass walks the steps in reverse (the discrete adjoint
of the scheme) and backpropagates through the MLP by hand. Autograd then sees
one operation instead of about twenty per stage, which is where a training
step's time went (benchmarks/results/training_step_speed.md). The products are
BLAS calls and sums are reordered, so states and gradients equal autograd's to
rounding (tests/test_rollout_gradient.py).

Only the tanh activation has this path (`supports`); the others keep autograd.
The weights are arranged as `SpinNODE.field_parts` gives them: the first layer
and the linear term stacked, their input part and both biases projected for
every stage beforehand, so each stage multiplies only the state. Time is in
model steps (dtau = 1), as everywhere in node/.
"""

from __future__ import annotations

import functools

import numba
import numpy as np
import torch
from threadpoolctl import ThreadpoolController

from surrogate.node.fused_kernel import _FASTMATH, _activate, _add_product
from surrogate.node.integrators import rk4_rollout
from surrogate.node.model import ModelShape, SpinNODE
from surrogate.node.schemes import BUTCHER_TABLEAUX, STAGE_NODES, check_scheme


@functools.cache
def _blas_controller() -> ThreadpoolController:
    """The thread pools of the loaded BLAS libraries, scipy's (the one numba's np.dot
    calls) loaded first."""
    import scipy.linalg.cython_blas  # noqa: F401

    return ThreadpoolController()


def _blas_threads():
    """A context that holds the BLAS libraries to torch's thread count. OpenBLAS
    otherwise threads even 256 x 50 products, and two trainings side by side (the
    restarts) then run several times slower than one alone."""
    return _blas_controller().limit(limits=torch.get_num_threads(), user_api="blas")


def supports(model: SpinNODE) -> bool:
    """Whether `fused_rollout` can train this model (tanh activation)."""
    return model.shape.activation == "tanh"


@numba.njit(cache=True, error_model="numpy")
def _add_row_products(out, x, weights):  # pragma: no cover - compiled
    """out += x @ weights for a narrow x (B, S), row by row (weights (S, n))."""
    for row in range(x.shape[0]):
        _add_product(out[row], weights, x[row])


@numba.njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _add_small_product_t(out, x, weights):  # pragma: no cover - compiled
    """out += x @ weights.T for a narrow out (B, S)."""
    for row in range(x.shape[0]):
        for s in range(out.shape[1]):
            total = 0.0
            for column in range(x.shape[1]):
                total += x[row, column] * weights[s, column]
            out[row, s] += total


@numba.njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _add_outer(out, x, y):  # pragma: no cover - compiled
    """out += x.T @ y for a narrow x (B, S): out (S, n), y (B, n)."""
    for row in range(x.shape[0]):
        for s in range(x.shape[1]):
            value = x[row, s]
            for column in range(y.shape[1]):
                out[s, column] += value * y[row, column]


@numba.njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _forward(y0, proj_hidden, proj_out, w_state_hidden, w_state_out, w_hidden, b_hidden,
             w_last, a, b, node):  # pragma: no cover - compiled
    """States (L+1, B, S), stage states (L, 4, B, S) and activations (L, 4, D, B, H)."""
    n_steps, _, batch, width = proj_hidden.shape
    n_state = y0.shape[1]
    depth = w_hidden.shape[0] + 1
    states = np.empty((n_steps + 1, batch, n_state), y0.dtype)
    stage_states = np.empty((n_steps, 4, batch, n_state), y0.dtype)
    activations = np.empty((n_steps, 4, depth, batch, width), y0.dtype)
    slopes = np.empty((4, batch, n_state), y0.dtype)
    states[0] = y0
    for step in range(n_steps):
        y = states[step]
        for stage in range(4):
            z = stage_states[step, stage]
            z[:] = y
            for j in range(stage):
                if a[stage, j] != 0.0:
                    z += a[stage, j] * slopes[j]
            h = activations[step, stage, 0]
            h[:] = proj_hidden[step, node[stage]]
            _add_row_products(h, z, w_state_hidden)
            _activate(h.reshape(-1), 0)
            for layer in range(depth - 1):
                nxt = activations[step, stage, layer + 1]
                nxt[:] = np.dot(activations[step, stage, layer], w_hidden[layer])
                nxt += b_hidden[layer]
                _activate(nxt.reshape(-1), 0)
            slope = slopes[stage]
            slope[:] = np.dot(activations[step, stage, depth - 1], w_last)
            slope += proj_out[step, node[stage]]
            _add_row_products(slope, z, w_state_out)
        nxt_state = states[step + 1]
        nxt_state[:] = y
        for stage in range(4):
            nxt_state += b[stage] * slopes[stage]
    return states, stage_states, activations


@numba.njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _backward(grad_states, stage_states, activations, w_state_hidden, w_state_out, w_hidden,
              w_last, a, b, node, n_nodes):  # pragma: no cover - compiled
    """Gradients of the loss from its gradient in every state (L+1, B, S): in the
    order y0, projected hidden part, projected output part, the two state
    matrices, the hidden layers' weights and biases, the last layer."""
    n_steps, _, depth, batch, width = activations.shape
    n_state = grad_states.shape[2]
    dtype = grad_states.dtype
    grad_proj_hidden = np.zeros((n_steps, n_nodes, batch, width), dtype)
    grad_proj_out = np.zeros((n_steps, n_nodes, batch, n_state), dtype)
    grad_w_state_hidden = np.zeros_like(w_state_hidden)
    grad_w_state_out = np.zeros_like(w_state_out)
    grad_w_hidden = np.zeros_like(w_hidden)
    grad_b_hidden = np.zeros((w_hidden.shape[0], width), dtype)
    grad_w_last = np.zeros_like(w_last)
    w_last_t = np.ascontiguousarray(w_last.T)
    w_hidden_t = np.empty_like(w_hidden)
    for layer in range(w_hidden.shape[0]):
        w_hidden_t[layer] = w_hidden[layer].T
    grad_y = grad_states[n_steps].copy()
    grad_slopes = np.empty((4, batch, n_state), dtype)
    grad_stage = np.empty((4, batch, n_state), dtype)
    for step in range(n_steps - 1, -1, -1):
        for stage in range(3, -1, -1):
            grad_slope = grad_slopes[stage]
            grad_slope[:] = b[stage] * grad_y
            for later in range(stage + 1, 4):
                if a[later, stage] != 0.0:
                    grad_slope += a[later, stage] * grad_stage[later]
            z = stage_states[step, stage]
            grad_proj_out[step, node[stage]] += grad_slope
            grad_w_last += np.dot(activations[step, stage, depth - 1].T, grad_slope)
            grad_h = np.dot(grad_slope, w_last_t)
            for layer in range(depth - 1, 0, -1):
                h = activations[step, stage, layer]
                grad_h *= 1.0 - h * h
                grad_w_hidden[layer - 1] += np.dot(activations[step, stage, layer - 1].T, grad_h)
                grad_b_hidden[layer - 1] += grad_h.sum(axis=0)
                grad_h = np.dot(grad_h, w_hidden_t[layer - 1])
            h = activations[step, stage, 0]
            grad_h *= 1.0 - h * h
            grad_proj_hidden[step, node[stage]] += grad_h
            grad_z = grad_stage[stage]
            grad_z[:] = 0.0
            _add_small_product_t(grad_z, grad_h, w_state_hidden)
            _add_small_product_t(grad_z, grad_slope, w_state_out)
            _add_outer(grad_w_state_hidden, z, grad_h)
            _add_outer(grad_w_state_out, z, grad_slope)
        for stage in range(4):
            grad_y += grad_stage[stage]
        grad_y += grad_states[step]
    return (grad_y, grad_proj_hidden, grad_proj_out, grad_w_state_hidden, grad_w_state_out,
            grad_w_hidden, grad_b_hidden, grad_w_last)


class _FusedRollout(torch.autograd.Function):
    """States of the RK4 rollout; the inputs are numpy-ready tensors of one dtype."""

    @staticmethod
    def forward(ctx, y0, proj_hidden, proj_out, w_state_hidden, w_state_out, w_hidden,
                b_hidden, w_last, scheme):
        tableau = BUTCHER_TABLEAUX[scheme]
        real = np.float32 if y0.dtype == torch.float32 else np.float64
        a, b, node = tableau.a.astype(real), tableau.b.astype(real), tableau.node
        arrays = [t.detach().contiguous().numpy() for t in
                  (y0, proj_hidden, proj_out, w_state_hidden, w_state_out, w_hidden, b_hidden,
                   w_last)]
        with _blas_threads():
            states, stage_states, activations = _forward(*arrays, a, b, node)
        ctx.saved = (stage_states, activations, arrays[3], arrays[4], arrays[5], arrays[7],
                     a, b, node, proj_hidden.shape[1])
        return torch.from_numpy(states)

    @staticmethod
    def backward(ctx, grad_states):
        with _blas_threads():
            grads = _backward(grad_states.detach().contiguous().numpy(), *ctx.saved)
        return (*(torch.from_numpy(g) for g in grads), None)


def fused_rollout(model: SpinNODE, y0: torch.Tensor, u_stages: torch.Tensor,
                  scheme: str) -> torch.Tensor:
    """States (n_steps+1, B, state_dim) from `y0` (B, state_dim) with stacked inputs
    `u_stages` (n_steps, n_nodes, B, input_dim) from `integrators.stage_inputs`;
    differentiable in the model's weights and `y0`. Needs `supports(model)`."""
    check_scheme(scheme)
    if not supports(model):
        raise ValueError(f"fused_rollout supports tanh only, not {model.shape.activation}")
    if u_stages.shape[1] != len(STAGE_NODES[scheme]):
        raise ValueError(f"{u_stages.shape[1]} stage nodes for scheme '{scheme}'")
    parts = model.field_parts(u_stages)
    width = parts.width
    hidden = parts.hidden_layers
    w_hidden = (torch.stack([weight for weight, _ in hidden]) if hidden
                else y0.new_zeros((0, width, width)))
    b_hidden = torch.stack([b for _, b in hidden]) if hidden else y0.new_zeros((0, width))
    return _FusedRollout.apply(
        y0, parts.projected[..., :width], parts.projected[..., width:],
        parts.state_part[:, :width], parts.state_part[:, width:], w_hidden, b_hidden,
        parts.last, scheme)


def compile_kernels(dtype: torch.dtype) -> None:
    """Compile (or load from numba's cache) the kernels for `dtype` with a one-step
    rollout of a tiny model, so that a timed training does not pay it: the first
    compile takes about 20 s, later processes load it in under a second."""
    model = SpinNODE(ModelShape(1, 1, k=1, hidden=2)).to(dtype)
    y0 = torch.zeros(1, 1, dtype=dtype)
    fused_rollout(model, y0, torch.zeros(1, 3, 1, 1, dtype=dtype), "rk4").sum().backward()


def autograd_rollout(model: SpinNODE, y0: torch.Tensor, u_stages: torch.Tensor,
                     scheme: str) -> torch.Tensor:
    """The same states through `integrators.rk4_rollout` of `model.rollout_field`, for
    autograd to differentiate: any activation."""
    field, projected = model.rollout_field(u_stages)
    return rk4_rollout(field, y0, projected, scheme)


def training_rollout(model: SpinNODE, y0: torch.Tensor, u_stages: torch.Tensor,
                     scheme: str) -> torch.Tensor:
    """`fused_rollout` where the model supports it, else `autograd_rollout`: the same
    states and gradients to rounding."""
    if supports(model):
        return fused_rollout(model, y0, u_stages, scheme)
    return autograd_rollout(model, y0, u_stages, scheme)
