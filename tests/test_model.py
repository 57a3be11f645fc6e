"""The vector field and the batched RK4 against the torchdiffeq reference path."""

from __future__ import annotations

import math

import pytest
import torch
from torchdiffeq import odeint

from surrogate.node.integrators import InputGrid, rk4_rollout, stage_inputs
from surrogate.node.model import ModelShape, SpinNODE


def _model(**shape) -> SpinNODE:
    torch.manual_seed(0)
    model = SpinNODE(ModelShape(**{"n_out": 2, "n_in": 2, "hidden": 16, **shape})).double()
    for p in model.parameters():  # a non-trivial field: the last layer starts near zero
        torch.nn.init.normal_(p, std=0.4)
    return model


def test_field_is_mlp_plus_linear_term():
    model = _model(k=3, n_aug=1, depth=3)
    y, u = torch.randn(5, 7, dtype=torch.float64), torch.randn(5, 6, dtype=torch.float64)
    z = torch.cat([y, u], dim=1)
    expected = model.net(z) + model.linear(z)
    torch.testing.assert_close(model(y, u), expected, rtol=1e-12, atol=1e-12)
    assert model(y, u).shape == (5, 7)
    frozen = SpinNODE(ModelShape(1, 1, linear=False))
    assert not frozen.linear.weight.requires_grad and not frozen.linear.weight.any()


@pytest.mark.parametrize(
    "shape",
    [{"k": 2, "n_aug": 2, "depth": 2}, {"k": 3, "depth": 1, "activation": "silu"},
     {"k": 1, "depth": 3, "linear": False}, {"k": 2, "n_in": 0}],
    ids=["default", "depth1-silu", "depth3-no-linear", "no-inputs"],
)
def test_rollout_field_is_the_same_field_with_the_same_gradients(shape):
    """The training path's fused field: the same rollout and weight gradients as the module."""
    model = _model(**shape)
    n_steps, batch = 6, 5
    y0 = torch.randn(batch, model.shape.state_dim, dtype=torch.float64)
    u = torch.randn(n_steps, 3, batch, model.shape.input_dim, dtype=torch.float64)
    target = torch.randn(n_steps + 1, batch, model.shape.state_dim, dtype=torch.float64)

    def loss_and_gradients(fused: bool):
        model.zero_grad()
        if fused:
            field, projected = model.rollout_field(u)
            states = rk4_rollout(field, y0, projected, "rk4")
        else:
            states = rk4_rollout(model, y0, u, "rk4")
        loss = torch.mean((states - target) ** 2)
        loss.backward()
        return states.detach(), [p.grad.clone() if p.grad is not None else None
                                 for p in model.parameters()]

    reference, reference_grads = loss_and_gradients(fused=False)
    fused, fused_grads = loss_and_gradients(fused=True)
    assert reference.abs().max() > 0.1  # the field moves the state
    torch.testing.assert_close(fused, reference, rtol=1e-12, atol=1e-12)
    for mine, expected in zip(fused_grads, reference_grads, strict=True):
        if expected is None:  # the frozen linear term
            assert mine is None
        else:
            torch.testing.assert_close(mine, expected, rtol=1e-10, atol=1e-12)


def test_bad_activation_is_named():
    with pytest.raises(ValueError, match="activation 'sigmoid'"):
        SpinNODE(ModelShape(1, 1, activation="sigmoid"))


def test_input_interpolation_is_linear_between_samples():
    u = torch.tensor([[0.0, 10.0], [1.0, 20.0], [3.0, 40.0], [7.0, 80.0]], dtype=torch.float64)
    grid = InputGrid(u, stride=1, k=2)
    stacked = grid.stack_at(torch.tensor([0.5, 2.0], dtype=torch.float64)).tolist()
    assert stacked == [[0.5, 15.0, 2.0, 30.0], [3.0, 40.0, 7.0, 80.0]]
    with pytest.raises(ValueError, match="beyond the 4 recorded"):
        grid.stack_at(torch.tensor([2.5], dtype=torch.float64))
    assert InputGrid(u, stride=2, k=1).stack_at(torch.tensor([0.5]))[0, 0] == 1.0


def test_spaced_delays_read_the_inputs_delay_model_steps_apart():
    u = torch.arange(24.0, dtype=torch.float64).reshape(12, 2)  # row i holds 2i and 2i + 1
    grid = InputGrid(u, stride=2, k=3, delay=2)  # recorded samples tau*2, tau*2 + 4, tau*2 + 8
    stacked = grid.stack_at(torch.tensor([0.0, 0.25, 1.5], dtype=torch.float64)).tolist()
    assert stacked == [[0.0, 1.0, 8.0, 9.0, 16.0, 17.0], [1.0, 2.0, 9.0, 10.0, 17.0, 18.0],
                       [6.0, 7.0, 14.0, 15.0, 22.0, 23.0]]
    with pytest.raises(ValueError, match="beyond the 12 recorded"):
        grid.stack_at(torch.tensor([1.75], dtype=torch.float64))
    assert ModelShape(1, 1, k=3, delay=2).span == 5
    with pytest.raises(ValueError, match="invalid model shape"):
        SpinNODE(ModelShape(1, 1, delay=0))


def torchdiffeq_rollout(model, y0, grid: InputGrid, start: float, n_steps: int) -> torch.Tensor:
    """The independent reference: torchdiffeq's odeint (rk4 = the 3/8 rule), step 1,
    the inputs read at each stage time from the same InputGrid."""

    def rhs(tau: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return model(y, grid.stack_at(tau.reshape(1)).to(y.dtype).expand(len(y), -1))

    t = start + torch.arange(n_steps + 1, dtype=y0.dtype)
    return odeint(rhs, y0, t, method="rk4", options={"step_size": 1.0})


@pytest.mark.parametrize("stride", [1, 2])
def test_batched_rk38_matches_torchdiffeq(stride):
    model = _model()
    u = torch.sin(torch.linspace(0, 12, 81, dtype=torch.float64))[:, None] * torch.tensor([1, -0.5])
    grid = InputGrid(u, stride=stride, k=2)
    starts = torch.tensor([0.0, 3.0, 7.0])
    y0 = torch.randn(3, 4, dtype=torch.float64)
    n_steps = 25
    batched = rk4_rollout(model, y0, stage_inputs(grid, starts, n_steps, "rk38"), "rk38")
    for b, start in enumerate(starts.tolist()):
        reference = torchdiffeq_rollout(model, y0[b : b + 1], grid, start, n_steps)
        torch.testing.assert_close(batched[:, b], reference[:, 0], rtol=1e-12, atol=1e-12)


def test_classic_rk4_has_fourth_order_error():
    class Rotation(torch.nn.Module):  # dy/dtau = w J y + (0, u) with u = 0: exact rotation
        def forward(self, y, u):
            return 0.3 * torch.stack([-y[:, 1], y[:, 0]], dim=1) + 0 * u[:, :1]

    grid = InputGrid(torch.zeros(400, 1, dtype=torch.float64), stride=1, k=1)
    field, errors = Rotation(), []
    for n_steps, scale in ((20, 1.0), (40, 0.5)):
        y0 = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
        states = rk4_rollout(lambda y, u, s=scale: s * field(y, u), y0,
                             stage_inputs(grid, torch.zeros(1), n_steps, "rk4"), "rk4")
        angle = 0.3 * 20
        exact = torch.tensor([math.cos(angle), math.sin(angle)], dtype=torch.float64)
        errors.append(float((states[-1, 0] - exact).norm()))
    assert 12 < errors[0] / errors[1] < 20  # halving the step divides the error by ~16
