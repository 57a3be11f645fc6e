"""The Spin-NODE's training settings (a config's `model` section), typed and checked once.

`TrainSettings` holds every default; `parse_model_settings` builds it from a
mapping (the config's section, or JSON given on the command line), checking each
value against the field's annotation. The training itself is `surrogate.node.training`.
"""

from __future__ import annotations

import math
import numbers
import types
import typing
from dataclasses import dataclass


class SettingsError(ValueError):
    """A training setting is unknown, of the wrong type or out of range.

    The message names it; `field` is the setting's name, if one setting is at fault.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def check_embedding(k: int, delay: int, owner: str = "") -> None:
    """Refuse a delay embedding of k < 1 samples, or delays less than one model step apart.

    The one check of the embedding's sizes: the settings, the model shape and
    `node.embedding.delay_embed` call it; `owner` ("TrainSettings.") prefixes the
    field in the message.
    """
    for name, value in (("k", k), ("delay", delay)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise SettingsError(f"{owner}{name} must be a whole number >= 1 ({name}={value!r})",
                                field=name)


@dataclass
class TrainSettings:
    """Model shape, optimiser and budget. Times in s except `max_minutes`.

    `step_s` is the model step, a whole number of samples (None: the multiple
    of the sample spacing nearest the paper's 5 ps, at least one sample). Window
    lengths are in model steps, and so is `delay`, the spacing of the k delays
    of the embedding. In the L-BFGS phase every function evaluation
    counts as an iteration, and the cap is checked between its steps, so a
    capped run may end a few iterations past `max_iterations`. The model-shape
    fields (k to delay) are also `node.model.ModelShape`'s defaults.
    """

    k: int = 2
    hidden: int = 50
    depth: int = 2
    activation: str = "tanh"
    n_aug: int = 0
    delay: int = 1
    seed: int = 0
    max_minutes: float = 5.0
    max_iterations: int | None = None
    dtype: str = "float32"
    step_s: float | None = None
    scheme: str = "rk4"
    window: int = 20
    window_max: int = 50
    curriculum: float = 0.8
    batch: int = 256
    lr: float = 5e-3
    lr_final: float = 3e-4
    clip: float = 1.0
    ema: float = 0.99
    val_fraction: float = 0.2
    val_every: int = 100
    patience: int = 30
    checkpoint_every_s: float = 60.0
    val_horizon: int = 0
    finetune_fraction: float = 0.5
    finetune_window: int = 100
    restarts: int = 1

    def validate(self) -> None:
        """Raise SettingsError naming the first bad field (`TrainSettings.<field>`)."""
        check_embedding(self.k, self.delay, "TrainSettings.")
        positive = ("hidden", "depth", "window", "window_max", "batch", "val_every",
                    "patience", "max_minutes", "lr", "lr_final")
        for name in positive:
            if not getattr(self, name) > 0:
                self._refuse(name, f"must be > 0, got {getattr(self, name)}")
        if self.window_max < self.window:
            self._refuse("window_max", "must be >= window")
        if not 0 < self.val_fraction < 1:
            self._refuse("val_fraction", f"must be in (0, 1), got {self.val_fraction}")
        if not 0 <= self.ema < 1:
            self._refuse("ema", f"must be in [0, 1), got {self.ema}")
        if self.dtype not in ("float32", "float64"):
            self._refuse("dtype", f"must be float32 or float64, got {self.dtype}")
        if not 0 <= self.finetune_fraction < 1:
            self._refuse("finetune_fraction", f"must be in [0, 1), got {self.finetune_fraction}")
        for name in ("restarts", "finetune_window"):
            if getattr(self, name) < 1:
                self._refuse(name, f"must be >= 1, got {getattr(self, name)}")
        if self.val_horizon < 0:
            self._refuse("val_horizon", f"must be >= 0, got {self.val_horizon}")
        if self.max_iterations is not None and self.max_iterations < 1:
            self._refuse("max_iterations", "must be >= 1 or None")

    @staticmethod
    def _refuse(name: str, reason: str) -> None:
        raise SettingsError(f"TrainSettings.{name} {reason}", field=name)


def _allowed_types(hint: object) -> tuple[type, ...]:
    """The Python types a JSON/YAML value of a field annotated `hint` may have."""
    members = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    allowed: list[type] = []
    for member in members:
        allowed += [int, float] if member is float else [member]
    return tuple(allowed)


def _type_name(hint: object) -> str:
    members = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    return " or ".join("None" if member is type(None) else member.__name__ for member in members)


def parse_model_settings(values: dict, source: str, section: str = "") -> TrainSettings:
    """TrainSettings from a mapping of field -> value, checked against each field's annotation.

    Refuses unknown fields, values of the wrong type (a bool is not a number),
    NaN and infinity, and out-of-range values (`TrainSettings.validate`). Errors
    are SettingsError naming `source` (a file or an option) and the field,
    prefixed by `section` ("model") when given.
    """
    if not isinstance(values, dict):
        raise SettingsError(f"{source}: {section or 'model settings'} must be a mapping, "
                            f"got {type(values).__name__}")
    hints = typing.get_type_hints(TrainSettings)
    unknown = sorted(set(values) - set(hints))
    if unknown:
        raise SettingsError(f"{source}: unknown model settings {unknown}; known: {sorted(hints)}")

    def where(name: str) -> str:
        return f"{source}: field '{section}.{name}'" if section else f"{source}: field '{name}'"

    for name, value in values.items():
        allowed = _allowed_types(hints[name])
        if (isinstance(value, bool) and bool not in allowed) or not isinstance(value, allowed):
            raise SettingsError(f"{where(name)} must be {_type_name(hints[name])}, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise SettingsError(f"{where(name)} is not a finite number")
    settings = TrainSettings(**values)
    try:
        settings.validate()
    except SettingsError as exc:
        raise SettingsError(f"{where(exc.field)}: {exc}", field=exc.field) from exc
    return settings
