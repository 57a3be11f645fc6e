"""The Spin-NODE vector field: dy/dtau = f(y, u_stack), an MLP.

`y` is the delay-embedded normalised output (n_out*k values, delay-major, the
delays `delay` model steps apart) plus `n_aug` optional latent dimensions that
start at zero; `u_stack` holds the k delayed samples of every normalised input
(n_in*k values), at the same delays. Time `tau` is in units of the model step,
so one step is dtau = 1.

f = MLP(y, u) + L [y, u]: the linear term L starts at zero and lets the linear
part of the response be learnt quickly; `linear=False` freezes it at zero,
which leaves the paper's pure MLP.

`SpinNODE.rollout_field` is the same f arranged for a whole batched rollout,
the training path: the inputs' share of the first layer and of L is computed
once for every step and stage, so each evaluation multiplies only the state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import torch
from torch import nn
from torch.nn import functional

from surrogate.config.model_settings import SettingsError, check_embedding
from surrogate.node.activations import ACTIVATION_NAMES
from surrogate.node.integrators import Field
from surrogate.node.shape import ModelShape


@dataclass(frozen=True)
class ActivationFunction:
    """An activation as `apply` (returns a new tensor) and `apply_` (in place, no autograd)."""

    apply: Callable[[torch.Tensor], torch.Tensor]
    apply_: Callable[[torch.Tensor], torch.Tensor]


def _gelu_(x: torch.Tensor) -> torch.Tensor:
    return x.copy_(functional.gelu(x))


# The one activation table. The model's layers use `apply`, the batched numpy
# rollout `apply_` on its buffers; the fused numba rollout compiles the same
# formulas, indexed by their position here. gelu is the exact (erf) form.
ACTIVATIONS: dict[str, ActivationFunction] = dict(zip(ACTIVATION_NAMES, (
    ActivationFunction(torch.tanh, torch.tanh_),
    ActivationFunction(torch.relu, torch.relu_),
    ActivationFunction(functional.gelu, _gelu_),
    ActivationFunction(functional.silu, partial(functional.silu, inplace=True)),
), strict=True))


class Activation(nn.Module):
    """The activation `name` of ACTIVATIONS as a layer (no parameters)."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self.function = ACTIVATIONS[name].apply

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.function(x)


@dataclass(frozen=True)
class FieldParts:
    """The field f(y, u) = W_last h(y, u) + state_part[:, width:] y + projected[..., width:]
    arranged for a rollout, with the first layer's pre-activation
    state_part[:, :width] y + projected[..., :width]. Weights are transposed to
    (inputs, outputs); `projected` (..., B, width + state_dim) holds the input
    part of the first layer and of the linear term with both biases, at every
    stage node; `hidden_layers` are (weight, bias) of the layers between."""

    state_part: torch.Tensor
    projected: torch.Tensor
    hidden_layers: list[tuple[torch.Tensor, torch.Tensor]]
    last: torch.Tensor
    width: int
    activation: str


class SpinNODE(nn.Module):
    """MLP vector field of the embedded state and the stacked inputs."""

    def __init__(self, shape: ModelShape):
        super().__init__()
        if shape.activation not in ACTIVATIONS:
            raise ValueError(
                f"activation '{shape.activation}' is not one of {sorted(ACTIVATIONS)}"
            )
        try:
            check_embedding(shape.k, shape.delay)
        except SettingsError as exc:
            raise ValueError(f"invalid model shape {shape}: {exc}") from exc
        if min(shape.n_out, shape.hidden, shape.depth) < 1 or shape.n_in < 0:
            raise ValueError(f"invalid model shape {shape}")
        self.shape = shape
        layers: list[nn.Module] = []
        width = shape.state_dim + shape.input_dim
        for _ in range(shape.depth):
            layers += [nn.Linear(width, shape.hidden), Activation(shape.activation)]
            width = shape.hidden
        last = nn.Linear(width, shape.state_dim)
        nn.init.zeros_(last.bias)
        last.weight.data.mul_(0.1)
        layers.append(last)
        self.net = nn.Sequential(*layers)
        self.linear = nn.Linear(shape.state_dim + shape.input_dim, shape.state_dim, bias=False)
        nn.init.zeros_(self.linear.weight)
        self.linear.requires_grad_(shape.linear)

    def forward(self, y: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        """dy/dtau for states `y` (B, state_dim) and stacked inputs `u` (B, input_dim)."""
        z = torch.cat([y, u], dim=-1)
        return self.net(z) + self.linear(z)

    def field_parts(self, u_stages: torch.Tensor) -> FieldParts:
        """This field's weights arranged for one batched rollout (see FieldParts).

        `u_stages` (..., B, input_dim) are the stacked inputs at every stage node,
        as from `integrators.stage_inputs`. The first layer and the linear term are
        stacked into one matrix and split into a state part and an input part; the
        input part, both biases of the first and last layers included, is applied
        to all of `u_stages` at once. The weights are read here: take new parts
        after each optimiser step.
        """
        n_state = self.shape.state_dim
        layers = self.mlp_weights()
        (w_first, b_first), (w_last, b_last) = layers[0], layers[-1]
        stacked = torch.cat([w_first, self.linear.weight])
        bias = torch.cat([b_first, b_last])
        projected = torch.addmm(bias, u_stages.flatten(0, -2), stacked[:, n_state:].t())
        return FieldParts(
            state_part=stacked[:, :n_state].t(),
            projected=projected.reshape(*u_stages.shape[:-1], len(bias)),
            hidden_layers=[(weight.t(), b) for weight, b in layers[1:-1]],
            last=w_last.t(),
            width=self.shape.hidden,
            activation=self.shape.activation,
        )

    def rollout_field(self, u_stages: torch.Tensor) -> tuple[Field, torch.Tensor]:
        """This field for one batched rollout: (field, projected inputs).

        `field(y, projected[step, node])` equals `self(y, u_stages[step, node])` to
        rounding, gradients included, so `rk4_rollout(field, y0, projected, scheme)`
        is `rk4_rollout(self, y0, u_stages, scheme)` with fewer operations per
        step; `field_parts` says how.
        """
        parts = self.field_parts(u_stages)
        activation = ACTIVATIONS[parts.activation].apply
        width = parts.width

        def field(y: torch.Tensor, projection: torch.Tensor) -> torch.Tensor:
            first = torch.addmm(projection, y, parts.state_part)
            h = activation(first[:, :width])
            for weight, b in parts.hidden_layers:
                h = activation(torch.addmm(b, h, weight))
            return torch.addmm(first[:, width:], h, parts.last)

        return field, parts.projected

    def mlp_weights(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """(weight, bias) of each linear layer, first to last."""
        return [(m.weight, m.bias) for m in self.net if isinstance(m, nn.Linear)]
