"""One GPU per job on a machine with several: a lock file per GPU slot.

`snakemake --resources gpu=N` runs up to N GPU jobs at once but does not say
which GPU each should use. A job claims a slot instead: the file
`<lock_dir>/gpu<i>.lock` for GPU i. The claim is an exclusive, non-blocking
`flock` on that file, which the kernel grants atomically to one open
file; the holder writes its PID into the file. The kernel drops the lock
when the holder's process ends, however it ends (`kill -9` included), so a
crashed job cannot leak its slot: a file whose PID names a dead process is
simply free to the next claim. Lock files stay in place and are reused.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Where slot files live unless SURROGATE_GPU_LOCK_DIR says otherwise: shared by every
#: workflow on the machine, so two runs side by side do not pick the same GPU.
DEFAULT_LOCK_DIR = Path(tempfile.gettempdir()) / "surrogate-gpu-slots"
#: Seconds between two looks for a free slot while all are taken.
POLL_INTERVAL_S = 1.0


class GpuSlotTimeout(TimeoutError):
    """No GPU slot became free in time."""


def lock_dir_from_environment() -> Path:
    """SURROGATE_GPU_LOCK_DIR, or DEFAULT_LOCK_DIR."""
    return Path(os.environ.get("SURROGATE_GPU_LOCK_DIR") or DEFAULT_LOCK_DIR)


def slot_path(lock_dir: Path, index: int) -> Path:
    """The lock file of GPU `index`."""
    return Path(lock_dir) / f"gpu{index}.lock"


def slot_holder(lock_dir: Path, index: int) -> int | None:
    """PID written by the last claimer of slot `index` (it may have ended), or None."""
    try:
        text = slot_path(lock_dir, index).read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def _try_claim(path: Path) -> int | None:
    """An open descriptor holding the lock on `path`, or None when another process holds it."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        return None
    os.ftruncate(descriptor, 0)
    os.write(descriptor, f"{os.getpid()}\n".encode())
    return descriptor


@contextmanager
def claim_gpu_slot(count: int, lock_dir: Path | None = None,
                   timeout_s: float | None = None) -> Iterator[int]:
    """Hold the lowest free of GPU slots 0..count-1 for the `with` block and yield its index.

    Waits while all are held; GpuSlotTimeout after `timeout_s` (s), naming the holders.
    """
    if count < 1:
        raise ValueError(f"GPU slot count must be at least 1, not {count}")
    lock_dir = lock_dir_from_environment() if lock_dir is None else Path(lock_dir)
    lock_dir.mkdir(parents=True, exist_ok=True)
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        for index in range(count):
            descriptor = _try_claim(slot_path(lock_dir, index))
            if descriptor is not None:
                try:
                    yield index
                finally:
                    os.close(descriptor)
                return
        if deadline is not None and time.monotonic() >= deadline:
            holders = {index: slot_holder(lock_dir, index) for index in range(count)}
            raise GpuSlotTimeout(f"all {count} GPU slots in {lock_dir} stayed taken for "
                                 f"{timeout_s} s; holders (slot: PID): {holders}")
        time.sleep(POLL_INTERVAL_S)
