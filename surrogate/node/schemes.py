"""The fixed-step schemes of the rollouts, without torch: stage nodes and Butcher tableaux.

"rk4" is the classic scheme (stages at 0, 1/2, 1/2, 1); "rk38" is the 3/8 rule
(stages at 0, 1/3, 2/3, 1) that torchdiffeq's `method="rk4"` uses. Times are
in model steps (one step = dtau = 1); see integrators.py for the input rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STAGE_NODES = {"rk4": (0.0, 0.5, 1.0), "rk38": (0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0)}
#: The weights of each scheme's step, y + (k1 + w (k2 + k3) + k4) / n, as (w, n): the one
#: place they are written (the tableaux below, integrators.rk4_step and the kernels read them).
STEP_WEIGHTS = {"rk4": (2.0, 6.0), "rk38": (3.0, 8.0)}


@dataclass(frozen=True)
class ButcherTableau:
    """A four-stage explicit scheme: stage i evaluates the field at y + sum_j a[i, j] k_j
    with the inputs of stage node `node[i]` (an index into STAGE_NODES), and the
    step is y + sum_i b[i] k_i."""

    a: np.ndarray
    b: np.ndarray
    node: np.ndarray


def _step_weights(scheme: str) -> np.ndarray:
    """The b row of a scheme's tableau: (1, w, w, 1) / n from STEP_WEIGHTS."""
    middle, total = STEP_WEIGHTS[scheme]
    return np.array([1.0, middle, middle, 1.0]) / total


# The schemes of `integrators.rk4_step` as tables, for the compiled training path
# (rollout_gradient.py) and the forecasts (numpy_rollout.py, fused_kernel.rollout_batch);
# tests/test_rollout_gradient.py checks that the two agree.
BUTCHER_TABLEAUX = {
    "rk4": ButcherTableau(
        np.array([[0.0, 0.0, 0.0, 0.0], [0.5, 0.0, 0.0, 0.0], [0.0, 0.5, 0.0, 0.0],
                  [0.0, 0.0, 1.0, 0.0]]),
        _step_weights("rk4"), np.array([0, 1, 1, 2])),
    "rk38": ButcherTableau(
        np.array([[0.0, 0.0, 0.0, 0.0], [1.0 / 3.0, 0.0, 0.0, 0.0],
                  [-1.0 / 3.0, 1.0, 0.0, 0.0], [1.0, -1.0, 1.0, 0.0]]),
        _step_weights("rk38"), np.array([0, 1, 2, 3])),
}


def check_scheme(scheme: str) -> str:
    if scheme not in STAGE_NODES:
        raise ValueError(f"scheme '{scheme}' is not one of {sorted(STAGE_NODES)}")
    return scheme
