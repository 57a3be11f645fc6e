"""Echo-state baseline: learns a simple driven system, chooses hyperparameters on validation."""

from __future__ import annotations

import numpy as np
import pytest

from surrogate.baselines.echo_state import echo_state_predict, fit_echo_state
from surrogate.io.trace import Trace
from surrogate.metrics import nrmse


def _low_pass(n: int, seed: int) -> Trace:
    """x' = (u - x) / tau with a held random input, tau = 20 samples of 1 ps."""
    rng = np.random.default_rng(seed)
    u = np.repeat(rng.uniform(-1, 1, n // 50 + 1), 50)[:n]
    x = np.zeros(n)
    for i in range(1, n):
        x[i] = x[i - 1] + (u[i] - x[i - 1]) / 20.0
    t = np.arange(n) * 1e-12
    return Trace(t, u[:, None], x[:, None] ** 3, ["u"], ["x3"], [""], [""])


def test_echo_state_predicts_a_held_out_drive_of_a_nonlinear_low_pass():
    model = fit_echo_state(_low_pass(6000, 1), n_nodes=100)
    assert model.hyperparameters["val_nrmse"] < 0.2
    t, predicted, target = echo_state_predict(model, _low_pass(3000, 2))
    assert len(t) == len(predicted) == 3000 - model.washout
    assert nrmse(predicted, target) < 0.15


def test_echo_state_rejects_a_trace_shorter_than_its_washout():
    with pytest.raises(ValueError, match="too few"):
        fit_echo_state(_low_pass(500, 1), n_nodes=20)
