"""Fast free-running rollouts of a Spin-NODE (no autograd), from its torch module.

`pack` copies the weights for the compiled single-trajectory loop of
fused_kernel.py (`rollout_single`, torch-free). `rollout_batched` runs B
trajectories at once in numpy, in the model's dtype, one BLAS matrix product
per layer and stage into preallocated buffers. Its first layer and linear skip
are split into a state part and an input part; the input part is computed for
all stage nodes of a step in one product, so each stage multiplies only the
state. Both take the stage inputs of `integrators.stage_inputs` and follow its
schemes exactly, so they agree with the training path `integrators.rk4_rollout`
to rounding. Activations come from `model.ACTIVATIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from surrogate.node.fused_kernel import rollout_single
from surrogate.node.model import ACTIVATIONS, SpinNODE
from surrogate.node.packed_field import PackedField, pack_arrays
from surrogate.node.schemes import STEP_WEIGHTS, check_scheme

__all__ = ["pack", "rollout_batched", "rollout_single", "split"]


def pack(model: SpinNODE) -> PackedField:
    """Copy the model's weights into contiguous, transposed float64 arrays."""
    return pack_arrays([(w.detach().cpu().numpy(), b.detach().cpu().numpy())
                        for w, b in model.mlp_weights()],
                       model.linear.weight.detach().cpu().numpy(), model.shape.activation)


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
