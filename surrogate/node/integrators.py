"""Fixed-step RK4 for the driven Spin-NODE in torch, batched: the training path.

node/fast_rollout.py runs the same schemes without autograd for prediction;
the tests check both against this module and this module against torchdiffeq.

Time `tau` is in model steps (one step = `stride` recorded samples, dtau = 1).
Rule for the inputs between samples, used identically in training, validation
and prediction: each input channel is linearly interpolated between its
recorded samples. The stacked input at time tau is
`[u(tau*s), u(tau*s + ds), ..., u(tau*s + (k-1)ds)]` in recorded-sample
positions (s = stride, d = the embedding's delay in model steps). With
stride 2 the classic scheme's half-step stages fall on recorded samples, so
they see the exact drive.

Schemes: "rk4" is the classic scheme (stages at 0, 1/2, 1/2, 1); "rk38" is the
3/8 rule (stages at 0, 1/3, 2/3, 1) that torchdiffeq's `method="rk4"` uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from surrogate.node.embedding import delay_offsets
from surrogate.node.schemes import STAGE_NODES, STEP_WEIGHTS, check_scheme

Field = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass
class InputGrid:
    """Normalised inputs on the recorded grid (T, n_in) and how the model reads them."""

    u: torch.Tensor
    stride: int
    k: int
    delay: int = 1

    def stack_at(self, tau: torch.Tensor) -> torch.Tensor:
        """Stacked inputs (..., n_in*k) at model times `tau` (any shape)."""
        last = len(self.u) - 1
        offsets = torch.as_tensor(delay_offsets(self.k, self.delay) * self.stride,
                                  dtype=torch.float64)
        pos = tau.to(torch.float64).unsqueeze(-1) * self.stride + offsets
        if pos.numel() and (pos.min() < -1e-9 or pos.max() > last + 1e-6):
            raise ValueError(
                f"input needed at recorded sample {float(pos.max()):.3f}, "
                f"beyond the {len(self.u)} recorded input samples"
            )
        pos = pos.clamp(0.0, float(last))
        lo = pos.floor().long().clamp(max=max(last - 1, 0))
        w = (pos - lo).to(self.u.dtype).unsqueeze(-1)
        hi = (lo + 1).clamp(max=last)
        values = self.u[lo] * (1 - w) + self.u[hi] * w
        return values.flatten(-2)


def stage_inputs(grid: InputGrid, starts: torch.Tensor, n_steps: int, scheme: str) -> torch.Tensor:
    """Inputs at every stage node: (n_steps, n_nodes, B, n_in*k) for start times `starts` (B,)."""
    nodes = torch.tensor(STAGE_NODES[check_scheme(scheme)], dtype=torch.float64)
    steps = torch.arange(n_steps, dtype=torch.float64)
    tau = steps[:, None, None] + nodes[None, :, None] + starts.to(torch.float64)[None, None, :]
    return grid.stack_at(tau)


def rk4_step(field: Field, y: torch.Tensor, u_nodes: torch.Tensor, scheme: str) -> torch.Tensor:
    """One step of size 1 from `y` (B, d) with inputs `u_nodes` (n_nodes, B, n_in*k)."""
    middle, total = STEP_WEIGHTS[scheme]
    k1 = field(y, u_nodes[0])
    if scheme == "rk4":
        k2 = field(y + 0.5 * k1, u_nodes[1])
        k3 = field(y + 0.5 * k2, u_nodes[1])
        k4 = field(y + k3, u_nodes[2])
    else:
        k2 = field(y + k1 / 3.0, u_nodes[1])
        k3 = field(y + k2 - k1 / 3.0, u_nodes[2])
        k4 = field(y + k1 - k2 + k3, u_nodes[3])
    return y + (k1 + middle * (k2 + k3) + k4) / total


def rk4_rollout(
    field: Field, y0: torch.Tensor, u_stages: torch.Tensor, scheme: str
) -> torch.Tensor:
    """States (n_steps+1, B, d) from `y0` (B, d), inputs from `stage_inputs`."""
    check_scheme(scheme)
    states = [y0]
    y = y0
    for u_nodes in u_stages:
        y = rk4_step(field, y, u_nodes, scheme)
        states.append(y)
    return torch.stack(states)
