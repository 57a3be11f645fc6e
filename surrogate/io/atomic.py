"""Atomic file writes: a result appears under its name only once it is complete."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from surrogate.io.write_plan import name_max

TEMPORARY_SUFFIX = ".tmp"
# Bytes a temporary name adds to the final one: two dots, mkstemp's 8 random characters,
# the suffix.
TEMPORARY_EXTRA_BYTES = 2 + 8 + len(TEMPORARY_SUFFIX)


class OutputWriteError(OSError):
    """A result could not be written (e.g. the disk is full); the message names the file."""


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _disk_full(folder: Path) -> bool:
    try:
        return os.statvfs(folder).f_bavail == 0
    except OSError:
        return False


def temporary_prefix(name: str, limit: int) -> str:
    """`.NAME.` for the temporary file of `name`, NAME cut (on a character boundary)
    so that the prefix, mkstemp's random part and the suffix fit in `limit` bytes."""
    room = limit - TEMPORARY_EXTRA_BYTES
    encoded = os.fsencode(name)
    if len(encoded) > room:
        name = encoded[:max(room, 0)].decode("utf-8", errors="ignore")
    return f".{name}."


@contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success rename it to `path`.

    The parent folder is created. The file gets the permissions of any file
    the user creates (0666 less the umask), not mkstemp's private 0600. If the
    block raises, the temporary file is removed and `path` keeps whatever it
    held before; a full disk is reported as "no space left" with the path.
    A `path` that exists but is not a regular file (a folder, `/dev/null`, a
    pipe) is refused before anything is written: a rename would replace it.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        raise OutputWriteError(
            errno.EINVAL, f"{path}: not a regular file (a folder, a device or a pipe); "
            "results are only written to files, and renaming one over it would replace it"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(
        dir=path.parent, prefix=temporary_prefix(path.name, name_max(path.parent)),
        suffix=TEMPORARY_SUFFIX)
    os.close(handle)
    try:
        os.chmod(tmp_name, 0o666 & ~_current_umask())
        yield Path(tmp_name)
        os.replace(tmp_name, path)
    except Exception as exc:
        # Writers report a full disk variously (OSError ENOSPC, or torch's RuntimeError
        # "unexpected pos"), so the free space itself decides.
        if getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or _disk_full(path.parent):
            raise OutputWriteError(
                errno.ENOSPC, f"{path}: no space left on the device; the previous file is kept"
            ) from exc
        raise
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def write_json_atomic(path: str | os.PathLike, payload: dict) -> Path:
    """Write `payload` as indented JSON to `path` atomically; returns the path."""
    path = Path(path)
    with atomic_write(path) as tmp:
        tmp.write_text(json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n")
    return path
