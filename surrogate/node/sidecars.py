"""The files a training writes beside its model file: their names, and what `train`
does with a periodic checkpoint it finds (no torch import).

The face checks these names before any work (surrogate.io.write_plan): a
sidecar must not be an input, another output, or too long for the file system.
"""

from __future__ import annotations

import enum
import os
from pathlib import Path

from surrogate.node.weights_file import weights_path


def partial_path(out_path: str | os.PathLike) -> Path:
    """Where periodic checkpoints of a training towards `out_path` go: `MODEL.partial.pt`.

    The final name is written only when training ends, so a killed run never
    leaves a file there that looks finished; `load_checkpoint` refuses the
    sidecar unless asked.
    """
    out_path = Path(out_path)
    return out_path.with_name(f"{out_path.stem}.partial{out_path.suffix}")


def candidate_path(out_path: str | os.PathLike, seed: int) -> Path:
    """Where the restart with `seed` of a training towards `out_path` goes:
    `MODEL.seed{seed}.candidate.pt`, a name no workflow stage reads; it is
    removed once the best restart has been copied to `out_path`."""
    out_path = Path(out_path)
    return out_path.with_name(f"{out_path.stem}.seed{seed}.candidate{out_path.suffix}")


def invalid_partial_path(sidecar: str | os.PathLike, number: int = 1) -> Path:
    """Where a periodic checkpoint that cannot be resumed is moved aside and kept for
    inspection: `MODEL.partial.pt.invalid`, then `.invalid.2`, ... (`number`)."""
    sidecar = Path(sidecar)
    suffix = ".invalid" if number == 1 else f".invalid.{number}"
    return sidecar.with_name(f"{sidecar.name}{suffix}")


def free_invalid_partial_path(sidecar: str | os.PathLike) -> Path:
    """The first `invalid_partial_path` of `sidecar` that no file holds yet."""
    number = 1
    while invalid_partial_path(sidecar, number).exists():
        number += 1
    return invalid_partial_path(sidecar, number)


def training_sidecars(out_path: str | os.PathLike) -> list[tuple[str, Path]]:
    """(what, path) of each file a training towards `out_path` writes besides it."""
    sidecar = partial_path(out_path)
    return [("checkpoint sidecar", sidecar), ("moved-aside sidecar", invalid_partial_path(sidecar)),
            ("model file's companion", weights_path(out_path)),
            ("checkpoint sidecar's companion", weights_path(sidecar))]


class Resume(enum.Enum):
    """What `train` does with the sidecar of its model file."""

    NO = "no"  # ignore it; training starts afresh and overwrites it
    STRICT = "strict"  # resume it, or refuse an invalid one
    OR_RESTART = "or-restart"  # resume it, or move an invalid one aside and start afresh

    def __bool__(self) -> bool:
        return self is not Resume.NO

    @classmethod
    def of(cls, value: bool | Resume) -> Resume:
        """A policy from `train_model`'s `resume` (True is STRICT)."""
        if isinstance(value, Resume):
            return value
        return cls.STRICT if value else cls.NO
