"""Choosing the micromagnetic engine: `auto`, `mumax3` or `magnumnp`."""

from __future__ import annotations

import os
import shutil
import subprocess

from surrogate.config.engines import ENGINE_CHOICES

# CUDA_VISIBLE_DEVICES (or a SLURM GPU variable) set to one of these hides every GPU.
NO_GPU_VALUES = frozenset({"", "-1", "none", "nodevfiles"})


def visible_gpu_count() -> int:
    """NVIDIA GPUs visible to this process: the `GPU n:` lines of `nvidia-smi -L`, 0 without it."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip().lower() in NO_GPU_VALUES:
        return 0
    if shutil.which("nvidia-smi") is None:
        return 0
    try:
        listing = subprocess.run(
            ["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return 0
    if listing.returncode != 0:
        return 0
    return sum(line.startswith("GPU ") for line in listing.stdout.splitlines())


def gpu_visible() -> bool:
    """True when an NVIDIA GPU is visible to this process (nvidia-smi lists one)."""
    return visible_gpu_count() > 0


def resolve_engine(requested: str, executable: str = "mumax3") -> str:
    """The engine that will run: `auto` takes mumax3 when it is on PATH and a GPU is visible."""
    if requested not in ENGINE_CHOICES:
        raise ValueError(f"engine '{requested}' is not one of {ENGINE_CHOICES}")
    if requested != "auto":
        return requested
    if shutil.which(executable) is not None and gpu_visible():
        return "mumax3"
    return "magnumnp"
