"""Every file a command will write, checked against its inputs before any work.

A command declares its inputs and outputs as (option, path) pairs; an output
may bring sidecars (a training's periodic checkpoint `MODEL.partial.pt`), each
checked as strictly as the output itself and reported under the output's
option. Refused: a write that is an input (also through a link) or another
write, a folder, a folder that cannot be created or written, and a name longer
than the file system allows. The temporary names of atomic writes
(surrogate.io.atomic) are kept within the limit by construction.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# Name length (bytes) assumed where the file system does not say (POSIX NAME_MAX on Linux).
DEFAULT_NAME_MAX = 255

Sidecars = Callable[[Path], list[tuple[str, Path]]]


class WritePlanError(ValueError):
    """A file a command would write is unsafe or impossible; the message names the option."""


@dataclass(frozen=True)
class PlannedWrite:
    """A file a command writes: the user's `option`, the resolved `path`, and `what` it
    is when it is not the option's own file (e.g. "checkpoint sidecar")."""

    option: str
    path: Path
    what: str = ""

    def label(self) -> str:
        """How an error names it: `--out X.pt`, or `--out X.pt: its checkpoint sidecar Y`."""
        return f"{self.option} {self.path}" if not self.what else (
            f"{self.option}: its {self.what} {self.path}")


def planned_writes(outputs: Sequence[tuple[str, Path]],
                   sidecars: Mapping[str, Sidecars] | None = None) -> list[PlannedWrite]:
    """Each output, then the sidecars `sidecars[option](path)` of each output."""
    writes = [PlannedWrite(option, path) for option, path in outputs]
    sidecars = sidecars or {}
    writes += [PlannedWrite(option, Path(side).resolve(), what)
               for option, path in outputs if option in sidecars
               for what, side in sidecars[option](path)]
    return writes


def name_max(folder: Path) -> int:
    """The longest file name (bytes) the file system of the existing `folder` accepts."""
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError):
        return DEFAULT_NAME_MAX


def existing_ancestor(path: Path) -> Path:
    """The nearest folder above `path` (or `path` itself) that exists."""
    for candidate in path.parents:
        if candidate.exists():
            return candidate
    return Path(path.anchor)


def _same_file(first: Path, second: Path) -> bool:
    if first == second:
        return True
    try:
        return first.exists() and second.exists() and os.path.samefile(first, second)
    except OSError:
        return False


def _check_place(write: PlannedWrite) -> None:
    """Every new name fits (checked first: a stat of a name too long fails), the folder
    exists or can be made and is writable, and the path is not a folder."""
    path = write.path
    folder = existing_ancestor(path)
    limit = name_max(folder) if folder.is_dir() else DEFAULT_NAME_MAX
    for part in path.relative_to(folder).parts:
        size = len(os.fsencode(part))
        if size > limit:
            raise WritePlanError(
                f"{write.label()}: the name '{part}' is {size} bytes long; the file system of "
                f"{folder} allows at most {limit}")
    if path.is_dir():
        raise WritePlanError(f"{write.label()}: is a directory; give a file name")
    if not folder.is_dir():
        raise WritePlanError(f"{write.label()}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WritePlanError(f"{write.label()}: the folder {folder} is not writable")


def check_write_plan(inputs: Sequence[tuple[str, Path]], writes: Sequence[PlannedWrite]) -> None:
    """WritePlanError, naming the user's option, for the first unsafe write."""
    for position, write in enumerate(writes):
        for input_option, input_path in inputs:
            if _same_file(write.path, input_path):
                raise WritePlanError(f"{write.label()}: is also the input {input_option}; "
                                     "a command never writes over its own input")
        for other in writes[:position]:
            if _same_file(write.path, other.path):
                raise WritePlanError(f"{write.label()}: is also the output {other.label()}")
        _check_place(write)
