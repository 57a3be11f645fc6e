"""The hand-written training gradient against autograd through the module's own RK4."""

from __future__ import annotations

import copy

import pytest
import torch

from surrogate.node.integrators import STAGE_NODES, rk4_rollout
from surrogate.node.model import ModelShape, SpinNODE
from surrogate.node.rollout_gradient import fused_rollout, supports, training_rollout


def _model(**shape) -> SpinNODE:
    torch.manual_seed(0)
    model = SpinNODE(ModelShape(**{"n_out": 2, "n_in": 2, "hidden": 16, **shape})).double()
    for p in model.parameters():  # a non-trivial field: the last layer starts near zero
        if p.requires_grad:
            torch.nn.init.normal_(p, std=0.4)
    return model


def _states_and_gradients(model, y0, u, target, scheme, rollout):
    """States, and the gradients of an MSE loss on them in y0 and every weight."""
    model.zero_grad()
    y0 = y0.clone().requires_grad_(True)
    states = rollout(model, y0, u, scheme)
    torch.mean((states - target) ** 2).backward()
    grads = [p.grad.clone() if p.grad is not None else None for p in model.parameters()]
    return states.detach(), [*grads, y0.grad.clone()]


def _autograd(model, y0, u, scheme):
    return rk4_rollout(model, y0, u, scheme)


@pytest.mark.parametrize(
    ("shape", "scheme"),
    [({"k": 2, "n_aug": 2}, "rk4"), ({"k": 3, "depth": 3, "linear": False}, "rk38"),
     ({"k": 1, "depth": 1}, "rk4"), ({"k": 2, "n_in": 0}, "rk38")],
    ids=["default-augmented", "depth3-no-linear-rk38", "depth1", "no-inputs"],
)
def test_fused_rollout_has_autograds_states_and_gradients(shape, scheme):
    model = _model(**shape)
    n_steps, batch, n_state = 12, 5, model.shape.state_dim
    y0 = torch.randn(batch, n_state, dtype=torch.float64)
    u = torch.randn(n_steps, len(STAGE_NODES[scheme]), batch, model.shape.input_dim,
                    dtype=torch.float64)
    target = torch.randn(n_steps + 1, batch, n_state, dtype=torch.float64)
    expected, expected_grads = _states_and_gradients(model, y0, u, target, scheme, _autograd)
    states, grads = _states_and_gradients(model, y0, u, target, scheme, fused_rollout)
    assert expected.abs().max() > 0.5  # the field moves the state
    torch.testing.assert_close(states, expected, rtol=1e-12, atol=1e-12)
    for mine, reference in zip(grads, expected_grads, strict=True):
        if reference is None:  # the frozen linear term
            assert mine is None
        else:
            assert reference.abs().max() > 0
            torch.testing.assert_close(mine, reference, rtol=1e-10, atol=1e-12)


def test_fused_rollout_in_float32_is_as_close_to_float64_as_autograd():
    """Training runs in float32: the fused path's rounding error is autograd's order
    (both 1e-6 to 1e-5 of the largest value here, over six random draws)."""
    torch.manual_seed(1)
    y0, u, target = torch.randn(8, 4), torch.randn(20, 3, 8, 4), torch.randn(21, 8, 4)
    model = _model(k=2)
    exact = _states_and_gradients(model, y0.double(), u.double(), target.double(), "rk4",
                                  _autograd)
    model32 = copy.deepcopy(model).float()
    for rollout in (_autograd, fused_rollout):
        states, grads = _states_and_gradients(model32, y0, u, target, "rk4", rollout)
        assert states.dtype == torch.float32 and all(g.dtype == torch.float32 for g in grads)
        for mine, reference in zip([states, *grads], [exact[0], *exact[1]], strict=True):
            error = (mine.double() - reference).abs().max() / reference.abs().max()
            assert error < 5e-5


def test_other_activations_train_through_autograd():
    model = _model(k=2, activation="silu")
    y0, u = torch.randn(3, 4, dtype=torch.float64), torch.randn(4, 3, 3, 4, dtype=torch.float64)
    assert not supports(model)
    torch.testing.assert_close(training_rollout(model, y0, u, "rk4"),
                               rk4_rollout(model, y0, u, "rk4"), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="tanh only, not silu"):
        fused_rollout(model, y0, u, "rk4")
    with pytest.raises(ValueError, match="3 stage nodes for scheme 'rk38'"):
        fused_rollout(_model(k=2), y0, u, "rk38")
