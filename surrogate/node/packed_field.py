"""A Spin-NODE's weights packed for the rollouts without torch (numpy and numba alike)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from surrogate.node.activations import ACTIVATION_NAMES
from surrogate.node.schemes import STAGE_NODES

# Index of each activation in activations.ACTIVATION_NAMES, as `_act` branches on it.
ACTIVATION_IDS = {name: index for index, name in enumerate(ACTIVATION_NAMES)}
# Index of each scheme in schemes.STAGE_NODES, as `fused_kernel._rollout` branches on it (0: rk4).
SCHEME_IDS = {name: index for index, name in enumerate(STAGE_NODES)}


@dataclass(frozen=True)
class PackedField:
    """MLP weights in float64, transposed to (inputs, outputs): first layer, stacked
    hidden layers, last layer, linear skip; and the biases."""

    w_first: np.ndarray
    b_first: np.ndarray
    w_hidden: np.ndarray
    b_hidden: np.ndarray
    w_last: np.ndarray
    b_last: np.ndarray
    w_skip: np.ndarray
    activation: int


def pack_arrays(layers: list[tuple[np.ndarray, np.ndarray]], skip: np.ndarray,
                activation: str) -> PackedField:
    """A PackedField from each linear layer's (weight (out, in), bias (out,)), first to
    last, and the linear term's weight (state_dim, state_dim + input_dim), as torch
    stores them."""
    transposed = [(np.asarray(w, dtype=np.float64).T, np.asarray(b, dtype=np.float64))
                  for w, b in layers]
    hidden = transposed[1:-1]
    width = transposed[0][0].shape[1]
    return PackedField(
        np.ascontiguousarray(transposed[0][0]), np.ascontiguousarray(transposed[0][1]),
        np.ascontiguousarray(np.stack([w for w, _ in hidden]) if hidden
                             else np.zeros((0, width, width))),
        np.ascontiguousarray(np.stack([b for _, b in hidden]) if hidden
                             else np.zeros((0, width))),
        np.ascontiguousarray(transposed[-1][0]), np.ascontiguousarray(transposed[-1][1]),
        np.ascontiguousarray(np.asarray(skip, dtype=np.float64).T),
        ACTIVATION_IDS[activation],
    )
