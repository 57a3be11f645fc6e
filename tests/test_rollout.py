"""The fast inference paths agree with the torch training path (float64, to rounding)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from surrogate.node.checkpoint import Surrogate
from surrogate.node.embedding import Normalisation
from surrogate.node.fast_rollout import pack, rollout_batched, rollout_single
from surrogate.node.integrators import InputGrid, rk4_rollout, stage_inputs
from surrogate.node.model import ModelShape, SpinNODE
from surrogate.node.rollout import predict_normalised, rollouts_from_every_state


def _model(activation: str = "tanh", depth: int = 2, n_aug: int = 0) -> SpinNODE:
    torch.manual_seed(2)
    model = SpinNODE(ModelShape(1, 2, k=2, hidden=12, depth=depth, activation=activation,
                                n_aug=n_aug)).double()
    for p in model.parameters():
        torch.nn.init.normal_(p, std=0.3)
    return model


def _grid(n: int = 301) -> InputGrid:
    t = torch.linspace(0, 30, n, dtype=torch.float64)
    return InputGrid(torch.stack([torch.sin(t), torch.cos(0.7 * t)], dim=1), stride=1, k=2)


@pytest.mark.parametrize(
    ("scheme", "activation", "depth", "n_aug"),
    [("rk4", "tanh", 2, 0), ("rk38", "tanh", 1, 1), ("rk4", "gelu", 3, 0), ("rk4", "relu", 2, 1),
     ("rk38", "silu", 2, 0)],
)
def test_fused_single_trajectory_matches_reference(scheme, activation, depth, n_aug):
    model, grid = _model(activation, depth, n_aug), _grid()
    n_steps = 250
    y0 = torch.tensor([[0.3, -0.2] + [0.0] * n_aug], dtype=torch.float64)
    u = stage_inputs(grid, torch.zeros(1), n_steps, scheme)
    with torch.no_grad():
        reference = rk4_rollout(model, y0, u, scheme)[:, 0].numpy()
    fused = rollout_single(pack(model), y0[0].numpy(), u[:, :, 0].numpy(), scheme)
    scale = np.abs(reference).max()
    assert np.abs(fused - reference).max() <= 1e-6 * scale
    assert np.abs(fused - reference).max() <= 1e-10 * scale  # in fact to rounding


@pytest.mark.parametrize(
    ("scheme", "activation", "depth", "n_aug"),
    [("rk4", "tanh", 2, 0), ("rk38", "gelu", 3, 1), ("rk4", "relu", 1, 0), ("rk38", "silu", 2, 0)],
)
def test_batched_numpy_rollout_matches_torch_reference(scheme, activation, depth, n_aug):
    model, grid = _model(activation, depth, n_aug), _grid()
    starts = torch.tensor([0.0, 3.0, 17.0])
    y0 = torch.cat([torch.randn(3, 2, dtype=torch.float64) * 0.3,
                    torch.zeros(3, n_aug, dtype=torch.float64)], dim=1)
    u = stage_inputs(grid, starts, 150, scheme)
    with torch.no_grad():
        reference = rk4_rollout(model, y0, u, scheme)
    batched = rollout_batched(model, y0, u, scheme)
    assert batched.dtype == torch.float64
    torch.testing.assert_close(batched, reference, rtol=1e-10, atol=1e-12)


def test_batched_rollout_runs_in_float32_for_a_float32_model():
    model, grid = _model(), _grid()
    y0 = torch.randn(5, 2, dtype=torch.float64) * 0.3
    u = stage_inputs(grid, torch.arange(5.0), 100, "rk4")
    with torch.no_grad():
        reference = rk4_rollout(model, y0, u, "rk4")
    batched = rollout_batched(model.float(), y0, u, "rk4")
    assert batched.dtype == torch.float32
    torch.testing.assert_close(batched.double(), reference, rtol=1e-4, atol=1e-4)


def test_batched_rollout_matches_reference_and_single():
    model, grid = _model(), _grid()
    starts = torch.tensor([0.0, 5.0, 11.0, 40.0])
    y0 = torch.randn(4, 2, dtype=torch.float64) * 0.3
    u = stage_inputs(grid, starts, 200, "rk4")
    with torch.no_grad():
        reference = rk4_rollout(model, y0, u, "rk4")
    batched = rollout_batched(model, y0, u, "rk4")
    torch.testing.assert_close(batched, reference, rtol=1e-12, atol=1e-12)
    single = rollout_single(pack(model), y0[2].numpy(), u[:, :, 2].numpy(), "rk4")
    np.testing.assert_allclose(single, reference[:, 2].numpy(), rtol=1e-10, atol=1e-12)


def test_arx_recovers_a_linear_system():
    from surrogate.baselines.arx import arx_predict, fit_arx
    from surrogate.io.trace import Trace
    from surrogate.metrics import nrmse

    def arx_nrmse(model, trace):
        _, predicted, target = arx_predict(model, trace)
        return nrmse(predicted, target)

    rng = np.random.default_rng(0)
    u = rng.standard_normal(600)
    x = np.zeros(600)
    for n in range(1, 599):
        x[n + 1] = 1.2 * x[n] - 0.5 * x[n - 1] + 0.3 * u[n + 1] + 0.1
    trace = Trace(np.arange(600) * 5e-12, u[:, None], x[:, None], ["u"], ["x"], ["T"], [""])
    model = fit_arx(trace.window(0, 2e-9), na=2, nb=1)
    assert arx_nrmse(model, trace.window(2e-9, None)) < 1e-6
    assert arx_nrmse(fit_arx(trace.window(0, 2e-9), na=1, nb=1), trace) > 0.05


def test_vectorised_tanh_is_tanh_to_rounding_and_keeps_non_finite_values():
    from surrogate.node.fused_kernel import _activate
    from surrogate.node.packed_field import ACTIVATION_IDS

    x = np.concatenate([np.linspace(-30.0, 30.0, 600_001), [1e-300, -1e-300, 0.0]])
    values = x.copy()
    _activate(values, ACTIVATION_IDS["tanh"])
    assert np.abs(values - np.tanh(x)).max() <= 3.2e-15
    special = np.array([np.nan, np.inf, -np.inf])
    _activate(special, ACTIVATION_IDS["tanh"])
    assert np.isnan(special[0]) and list(special[1:]) == [1.0, -1.0]


def test_a_still_field_keeps_the_spaced_initial_state():
    """With f = 0 (k = 3, delay 2) the state stays [x_0, x_2, x_4]: the free run reads x_0
    from each of its 8 states, then x_2 and x_4 for two samples each; the rollout from
    state i keeps its newest delay, x_(i+4)."""
    model = SpinNODE(ModelShape(1, 1, k=3, delay=2)).double()
    for parameter in model.parameters():
        torch.nn.init.zeros_(parameter)
    unit = Normalisation(np.zeros(1), np.ones(1))
    surrogate = Surrogate(model, unit, unit, ["u"], ["x"], ["T"], ["m"], 5e-12, "rk4")
    x, u = np.arange(12.0)[:, None], np.zeros((12, 1))
    predicted = predict_normalised(surrogate, x, u, stride=1)
    np.testing.assert_array_equal(predicted[:, 0], [0.0] * 8 + [2.0, 2.0, 4.0, 4.0])
    rollouts = rollouts_from_every_state(surrogate, x, u, stride=1, horizon=3)
    np.testing.assert_array_equal(rollouts[..., 0], np.tile(np.arange(4.0, 9.0), (3, 1)))
    with pytest.raises(ValueError, match="more than 5 samples"):
        predict_normalised(surrogate, x[:5], u, stride=1)
