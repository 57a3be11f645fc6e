"""The trace file: one self-describing `.npz` per simulation (SI units throughout).

A trace holds the sample times `t` (s), named input channels (the drive, e.g.
`Ku1.region100` in J/m3) and named output channels (e.g. `mz`, dimensionless),
each with its unit, plus a JSON metadata dictionary (engine, device spec, drive,
wall time). Everything downstream of extraction reads only this format.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from surrogate.io.atomic import atomic_write

FORMAT_VERSION = 1


class TraceError(ValueError):
    """A trace file is missing, malformed or inconsistent."""


#: Largest deviation of one time step from the mean step, as a fraction of it. mumax3's
#: table times miss their autosave grid by about 0.3 % of the period.
UNEVEN_TOLERANCE = 0.05


@dataclass
class Trace:
    """Sampled device response: `t` (s), inputs (T, n_in), outputs (T, n_out)."""

    t: np.ndarray
    inputs: np.ndarray
    outputs: np.ndarray
    input_names: list[str]
    output_names: list[str]
    input_units: list[str]
    output_units: list[str]
    metadata: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.t = np.asarray(self.t, dtype=np.float64)
        self.inputs = np.asarray(self.inputs, dtype=np.float64).reshape(len(self.t), -1)
        self.outputs = np.asarray(self.outputs, dtype=np.float64).reshape(len(self.t), -1)
        self.validate()

    @property
    def dt(self) -> float:
        """Mean sample spacing (s)."""
        return float((self.t[-1] - self.t[0]) / (len(self.t) - 1))

    def validate(self, source: str = "trace") -> None:
        """Raise TraceError naming the field if the arrays are inconsistent."""
        if self.t.ndim != 1 or len(self.t) < 2:
            raise TraceError(f"{source}: field 't' needs at least 2 samples")
        checks = [
            ("input_names", self.input_names, self.inputs.shape[1]),
            ("input_units", self.input_units, self.inputs.shape[1]),
            ("output_names", self.output_names, self.outputs.shape[1]),
            ("output_units", self.output_units, self.outputs.shape[1]),
        ]
        for name, values, expected in checks:
            if len(values) != expected:
                raise TraceError(
                    f"{source}: field '{name}' has {len(values)} entries for {expected} channels"
                )
        for name, values in (("input_names", self.input_names),
                             ("output_names", self.output_names)):
            repeated = sorted({v for v in values if list(values).count(v) > 1})
            if repeated:
                raise TraceError(f"{source}: field '{name}' names {repeated} more than once")
        shared = sorted(set(self.input_names) & set(self.output_names))
        if shared:
            raise TraceError(
                f"{source}: {shared} are both inputs and outputs; a model would see the "
                "answer in its input"
            )
        steps = np.diff(self.t)
        if np.any(steps <= 0):
            raise TraceError(f"{source}: field 't' is not strictly increasing")
        mean_step = (self.t[-1] - self.t[0]) / (len(self.t) - 1)
        if np.max(np.abs(steps - mean_step)) > UNEVEN_TOLERANCE * mean_step:
            raise TraceError(
                f"{source}: field 't' is unevenly sampled: steps from {steps.min():.6g} to "
                f"{steps.max():.6g} s around a mean of {mean_step:.6g} s; resample it on a fixed "
                "step first"
            )
        for name, array in (("t", self.t), ("inputs", self.inputs), ("outputs", self.outputs)):
            if not np.all(np.isfinite(array)):
                raise TraceError(f"{source}: field '{name}' holds NaN or infinite values")

    def input(self, name: str) -> np.ndarray:
        """One input channel by name."""
        return self.inputs[:, _index(self.input_names, name, "input")]

    def output(self, name: str) -> np.ndarray:
        """One output channel by name."""
        return self.outputs[:, _index(self.output_names, name, "output")]

    def check_covers(self, start: float | None, stop: float | None, option: str) -> None:
        """TraceError, naming `option`, when the window START:STOP (s) reaches past the
        data: before the first sample or beyond the last sample's step, with half a
        step of tolerance for rounding (None leaves that side open)."""
        first, end = self.t[0], self.t[-1] + self.dt
        slack = 0.5 * self.dt
        if (start is not None and start < first - slack) or (stop is not None
                                                              and stop > end + slack):
            raise TraceError(
                f"{option} {_seconds(start)}:{_seconds(stop)} s reaches past the data, which "
                f"covers {first:.6g}..{end:.6g} s ({len(self.t)} samples every "
                f"{self.dt:.6g} s); give a window inside it"
            )

    def window(self, start: float | None, stop: float | None) -> Trace:
        """The samples with start <= t < stop (s); None leaves that side open."""
        keep = np.ones(len(self.t), dtype=bool)
        if start is not None:
            keep &= self.t >= start - 1e-6 * self.dt
        if stop is not None:
            keep &= self.t < stop - 1e-6 * self.dt
        if keep.sum() < 2:
            raise TraceError(
                f"window {start}:{stop} s holds {keep.sum()} samples; "
                f"the trace spans {self.t[0]:.6g}..{self.t[-1]:.6g} s"
            )
        return Trace(
            self.t[keep], self.inputs[keep], self.outputs[keep],
            list(self.input_names), list(self.output_names),
            list(self.input_units), list(self.output_units), dict(self.metadata),
        )


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def _index(names: list[str], name: str, kind: str) -> int:
    if name not in names:
        raise TraceError(f"no {kind} channel '{name}'; the trace has {names}")
    return names.index(name)


def save_trace(trace: Trace, path: str | os.PathLike) -> Path:
    """Write the trace atomically to `path` (.npz, uncompressed) and return the path.

    Uncompressed: the 10^6-step Mackey-Glass forecast spent 1.2 s of its 9 s in
    zlib for a 30 % smaller file (float samples barely compress).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format_version": np.array(FORMAT_VERSION),
        "t": trace.t,
        "inputs": trace.inputs,
        "outputs": trace.outputs,
        "input_names": np.array(trace.input_names, dtype=str),
        "output_names": np.array(trace.output_names, dtype=str),
        "input_units": np.array(trace.input_units, dtype=str),
        "output_units": np.array(trace.output_units, dtype=str),
        "metadata": np.array(json.dumps(trace.metadata, default=str)),
    }
    with atomic_write(path) as tmp, open(tmp, "wb") as stream:
        np.savez(stream, **payload)
    return path


def load_trace(path: str | os.PathLike) -> Trace:
    """Read a trace written by `save_trace`; errors name the file and the field."""
    path = Path(path)
    if not path.is_file():
        raise TraceError(f"{path}: trace file not found")
    with open(path, "rb") as stream:
        if stream.read(4) != b"PK\x03\x04":
            raise TraceError(f"{path}: not a trace file (a .npz archive written by save_trace)")
    try:
        with np.load(path, allow_pickle=False) as data:
            fields = {key: data[key] for key in data.files}
    except Exception as exc:  # zipfile/pickle errors vary; report them uniformly
        raise TraceError(f"{path}: not a readable trace file ({exc})") from exc
    required = ["t", "inputs", "outputs", "input_names", "output_names",
                "input_units", "output_units", "metadata"]
    for key in required:
        if key not in fields:
            raise TraceError(f"{path}: missing field '{key}'")
    try:
        metadata = json.loads(str(fields["metadata"]))
    except json.JSONDecodeError as exc:
        raise TraceError(f"{path}: field 'metadata' is not valid JSON ({exc})") from exc
    try:
        return Trace(
            fields["t"], fields["inputs"], fields["outputs"],
            [str(v) for v in fields["input_names"]], [str(v) for v in fields["output_names"]],
            [str(v) for v in fields["input_units"]], [str(v) for v in fields["output_units"]],
            metadata,
        )
    except TraceError as exc:
        raise TraceError(f"{path}: {exc}") from exc
