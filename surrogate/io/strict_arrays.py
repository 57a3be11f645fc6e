"""Strict reading of arrays a user hands in (forecast inputs, prefix states), SI units.

Only real floating-point numbers are taken (a complex array would lose its
imaginary part, an integer or text array is a different file); the shape must
be the declared one, (rows, channels), or (rows,) for one channel, so that
columns are never read as time samples; and the row count is bounded before
the data is read, stating the memory the array would take.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

# Rows of a user array: 20x the 10^6-step Mackey-Glass forecast of the workflow.
MAX_ROWS = 20_000_000
FLOAT64_BYTES = 8


class ArrayInputError(ValueError):
    """A user array of the wrong type, shape or size; the message names its source."""


def check_row_count(rows: int, columns: int, source: str, counted_all: bool = True) -> None:
    """ArrayInputError when `rows` exceeds MAX_ROWS, with the memory the array would take;
    `counted_all` False: reading stopped there, so the file holds at least `rows`."""
    if rows > MAX_ROWS:
        gigabytes = rows * max(columns, 1) * FLOAT64_BYTES / 1e9
        count = f"{rows:,} rows" if counted_all else f"more than {MAX_ROWS:,} rows"
        raise ArrayInputError(
            f"{source}: {count} of {columns} columns would take {'' if counted_all else 'over '}"
            f"{gigabytes:.1f} GB as float64 before any work (and the forecast several times "
            f"that); at most {MAX_ROWS:,} rows are read: split the series")


def check_real_float(dtype: np.dtype, source: str) -> None:
    """ArrayInputError unless `dtype` is a real floating-point type."""
    if dtype.kind == "c":
        raise ArrayInputError(f"{source}: holds complex numbers ({dtype}); give real values "
                              "(the imaginary part would be lost)")
    if dtype.kind != "f":
        raise ArrayInputError(f"{source}: holds {dtype} values; give real floating-point "
                              "numbers (float64)")


def as_rows(array: np.ndarray, channels: list[str], source: str) -> np.ndarray:
    """`array` as float64 (rows, len(channels)); a 1-D array only for one channel."""
    check_real_float(array.dtype, source)
    if array.ndim == 0:
        raise ArrayInputError(f"{source}: holds a single number; expected rows of "
                              f"{len(channels)} columns {channels}")
    if array.ndim == 1 and len(channels) == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[1] != len(channels):
        raise ArrayInputError(f"{source}: has shape {array.shape}; expected (rows, "
                              f"{len(channels)}) for the columns {channels}")
    check_row_count(array.shape[0], array.shape[1], source)
    values = np.asarray(array, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise ArrayInputError(f"{source}: holds NaN or infinity")
    return values


def load_npy_rows(path: str | os.PathLike, channels: list[str], source: str) -> np.ndarray:
    """A `.npy` file as float64 (rows, len(channels)); its type and shape are checked from
    the header, before the data is read."""
    path = Path(path)
    try:
        mapped = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ArrayInputError(f"{source}: not a readable .npy array ({exc})") from exc
    if not isinstance(mapped, np.ndarray):
        raise ArrayInputError(f"{source}: not a single .npy array")
    check_real_float(mapped.dtype, source)
    if mapped.ndim:
        check_row_count(mapped.shape[0], int(np.prod(mapped.shape[1:])), source)
    return as_rows(np.array(mapped), channels, source)
