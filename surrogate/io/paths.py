"""Ensembles of noisy output paths, as `noise sample` and `noise predict` write them (SI units).

The `.npz` holds `t` (N,) in s and `paths` (samples, N, outputs) in the
outputs' SI units.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np


class PathsError(ValueError):
    """A paths file is missing, malformed or holds non-finite numbers."""


def load_paths(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """(t (N,) in s, paths (samples, N, outputs)); errors name the file and the field."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: np.asarray(data[name], dtype=np.float64) for name in ("t", "paths")
                      if name in data}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise PathsError(f"{path}: not a readable paths file ({exc})") from exc
    for name in ("t", "paths"):
        if name not in arrays:
            raise PathsError(f"{path}: field '{name}' is missing")
        if not np.all(np.isfinite(arrays[name])):
            raise PathsError(f"{path}: field '{name}' holds NaN or infinite values")
    t, paths = arrays["t"], arrays["paths"]
    if t.ndim != 1 or paths.ndim != 3 or paths.shape[1] != len(t) or len(t) < 2:
        raise PathsError(f"{path}: field 'paths' has shape {paths.shape}, expected "
                         f"(samples, {len(t)}, outputs) for 't' of shape {t.shape}")
    return t, paths
