"""The one NRMSE module: per-channel mean and the pooled variant."""

from __future__ import annotations

import numpy as np
import pytest

from surrogate.metrics import nrmse, pooled_nrmse


def test_nrmse_averages_the_channels_and_pooled_nrmse_pools_them():
    target = np.stack([np.sin(np.linspace(0, 6, 200)), 10 * np.cos(np.linspace(0, 6, 200))], 1)
    predicted = target + np.array([0.1, 0.1])
    per_channel = [0.1 / target[:, 0].std(), 0.1 / target[:, 1].std()]
    assert nrmse(predicted, target) == pytest.approx(np.mean(per_channel), rel=1e-12)
    assert pooled_nrmse(predicted, target) == pytest.approx(0.1 / target.std(), rel=1e-12)
    assert nrmse(predicted, target) != pytest.approx(pooled_nrmse(predicted, target))


def test_nrmse_refuses_a_constant_target_and_mismatched_shapes():
    with pytest.raises(ValueError, match="constant"):
        nrmse(np.ones(5), np.ones(5))
    with pytest.raises(ValueError, match="differ"):
        nrmse(np.ones(5), np.ones(4))
