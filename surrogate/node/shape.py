"""The sizes of a Spin-NODE, without torch: what a forecast needs to lay out its state."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from surrogate.config.model_settings import TrainSettings
from surrogate.node.embedding import span

#: The model-shape defaults are the training settings' (one place for each default).
_DEFAULTS = TrainSettings()


@dataclass(frozen=True)
class ModelShape:
    """Sizes of the vector field: channels, embedding, MLP width/depth, activation.

    The embedding holds k samples of each output, `delay` model steps apart.
    """

    n_out: int
    n_in: int
    k: int = _DEFAULTS.k
    hidden: int = _DEFAULTS.hidden
    depth: int = _DEFAULTS.depth
    activation: str = _DEFAULTS.activation
    n_aug: int = _DEFAULTS.n_aug
    linear: bool = True
    delay: int = _DEFAULTS.delay

    @classmethod
    def from_settings(cls, settings: TrainSettings, n_out: int, n_in: int) -> ModelShape:
        """The shape of a model of `n_out` outputs and `n_in` inputs with these settings."""
        return cls(n_out, n_in, settings.k, settings.hidden, settings.depth, settings.activation,
                   settings.n_aug, delay=settings.delay)

    @property
    def span(self) -> int:
        """Model-grid samples that one embedded state covers: (k - 1) * delay + 1."""
        return span(self.k, self.delay)

    @property
    def embedded_dim(self) -> int:
        """Values of the delay-embedded outputs: the state without its latent dimensions."""
        return self.n_out * self.k

    @property
    def state_dim(self) -> int:
        return self.embedded_dim + self.n_aug

    @property
    def input_dim(self) -> int:
        return self.n_in * self.k

    def as_dict(self) -> dict:
        return asdict(self)
