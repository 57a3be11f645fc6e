"""Input samples without outputs: what a surrogate needs to forecast a drive.

An InputSeries is the input half of a trace: sample times t (s) on a
uniform grid and one column per input channel, in SI units, named as the
engine's table names them (e.g. `Ku1.region100` in J/m3). It is read from a
CSV file (a header row of unique channel names, an optional first column `t`
in s) or a `.npy` array of real floats (N,) for one channel or (N, channels),
at most `strict_arrays.MAX_ROWS` rows, or built from a config drive.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from surrogate.io.strict_arrays import ArrayInputError, check_row_count, load_npy_rows


class InputSeriesError(ValueError):
    """An input file is unreadable or its samples are malformed; the message names the file."""


@dataclass(frozen=True)
class InputSeries:
    """Input samples `values` (N, channels) in SI at times `t` (N,) in s, uniformly spaced."""

    t: np.ndarray
    values: np.ndarray
    names: list[str]
    units: list[str]

    @property
    def dt(self) -> float:
        """Sample spacing (s)."""
        return float(self.t[1] - self.t[0])

    def validate(self, source: str = "inputs") -> None:
        """Refuse NaN/infinity, a shape that does not match the names, or uneven sampling."""
        if self.values.ndim != 2 or self.values.shape != (len(self.t), len(self.names)):
            raise InputSeriesError(
                f"{source}: {self.values.shape} input samples do not match {len(self.t)} times "
                f"and channels {self.names}"
            )
        if len(self.names) != len(self.units):
            raise InputSeriesError(
                f"{source}: {len(self.names)} channels but {len(self.units)} units"
            )
        if len(self.t) < 2:
            raise InputSeriesError(f"{source}: needs at least 2 samples, has {len(self.t)}")
        for label, array in (("t", self.t), ("input values", self.values)):
            if not np.all(np.isfinite(array)):
                raise InputSeriesError(f"{source}: {label} hold NaN or infinity")
        steps = np.diff(self.t)
        if np.any(steps <= 0) or np.ptp(steps) > 1e-6 * steps.mean():
            raise InputSeriesError(f"{source}: times are not evenly spaced and increasing")


def read_input_series(
    path: str | os.PathLike, names: list[str], units: list[str], sample_period: float
) -> InputSeries:
    """Input samples from a CSV or `.npy` file, for a model with inputs `names` (`units`).

    A `.npy` array holds the columns in the order of `names`, one row every
    `sample_period` (s) from t = 0. A CSV file's header names its columns; they
    must be `names` (any order), optionally after a column `t` (s), which then
    replaces `sample_period`.
    """
    path = Path(path)
    if not path.is_file():
        raise InputSeriesError(f"{path}: input file not found")
    try:
        if path.suffix == ".npy":
            values = load_npy_rows(path, list(names), str(path))
            t = np.arange(len(values)) * sample_period
        else:
            t, values = _read_csv(path, names, sample_period)
    except ArrayInputError as exc:
        raise InputSeriesError(str(exc)) from exc
    series = InputSeries(t, values, list(names), list(units))
    series.validate(str(path))
    return series


def _read_csv(path: Path, names: list[str], sample_period: float) -> tuple[np.ndarray, np.ndarray]:
    with path.open(newline="") as handle:
        rows = []
        for row in csv.reader(line for line in handle if line.strip()):
            rows.append(row)
            check_row_count(len(rows) - 1, len(rows[0]), str(path), counted_all=False)
    if not rows:
        raise InputSeriesError(f"{path}: empty input file")
    header = [cell.strip() for cell in rows[0]]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InputSeriesError(f"{path}: header names the columns {repeated} more than once")
    missing = [name for name in names if name not in header]
    if missing:
        raise InputSeriesError(f"{path}: header {header} lacks the model's inputs {missing}")
    try:
        data = np.array([[float(cell) for cell in row] for row in rows[1:]], dtype=np.float64)
    except ValueError as exc:
        raise InputSeriesError(f"{path}: a value is not a number ({exc})") from exc
    if data.ndim != 2 or data.shape[1] != len(header):
        raise InputSeriesError(f"{path}: rows do not all have the header's {len(header)} columns")
    values = data[:, [header.index(name) for name in names]]
    t = data[:, header.index("t")] if "t" in header else np.arange(len(data)) * sample_period
    return t, values
