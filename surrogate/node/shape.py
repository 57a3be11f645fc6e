"""The sizes of a Spin-NODE, without torch: what a forecast needs to lay out its state."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ModelShape:
    """Sizes of the vector field: channels, embedding, MLP width/depth, activation.

    The embedding holds k samples of each output, `delay` model steps apart.
    """

    n_out: int
    n_in: int
    k: int = 2
    hidden: int = 50
    depth: int = 2
    activation: str = "tanh"
    n_aug: int = 0
    linear: bool = True
    delay: int = 1

    @property
    def span(self) -> int:
        """Model-grid samples that one embedded state covers: (k - 1) * delay + 1."""
        return (self.k - 1) * self.delay + 1

    @property
    def state_dim(self) -> int:
        return self.n_out * self.k + self.n_aug

    @property
    def input_dim(self) -> int:
        return self.n_in * self.k

    def as_dict(self) -> dict:
        return asdict(self)
