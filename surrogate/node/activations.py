"""The activations a Spin-NODE may use, by name, and their numpy forms (no torch).

`ACTIVATION_NAMES` fixes the order: the torch table (`model.ACTIVATIONS`) is
keyed in it and the compiled kernels (`fused_kernel.py`) number the
activations by their position in it. The numpy forms apply in place.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

ACTIVATION_NAMES = ("tanh", "relu", "gelu", "silu")


def _tanh_(x: np.ndarray) -> None:
    np.tanh(x, out=x)


def _relu_(x: np.ndarray) -> None:
    np.maximum(x, 0.0, out=x)


def _gelu_(x: np.ndarray) -> None:
    """The exact (erf) form: x (1 + erf(x / sqrt 2)) / 2."""
    x *= 0.5 * (1.0 + np.vectorize(math.erf, otypes=[x.dtype])(x / math.sqrt(2.0)))


def _silu_(x: np.ndarray) -> None:
    """x sigmoid(x) = x (1 + tanh(x/2)) / 2, the form the compiled kernel uses."""
    x *= 0.5 * (1.0 + np.tanh(0.5 * x))


NUMPY_ACTIVATIONS: dict[str, Callable[[np.ndarray], None]] = dict(
    zip(ACTIVATION_NAMES, (_tanh_, _relu_, _gelu_, _silu_), strict=True)
)


def check_activation(name: str) -> str:
    """`name` if it is one of ACTIVATION_NAMES, else a ValueError naming the choices."""
    if name not in ACTIVATION_NAMES:
        raise ValueError(f"activation '{name}' is not one of {sorted(ACTIVATION_NAMES)}")
    return name
