"""Parameters as inputs: the response of a device held at fixed parameter values. SI units.

A sweep trace holds its inputs constant over segments and steps them from one
segment to the next: e.g. Ku1 (J/m3) stepped through several values while
Dind (J/m2) stays at its base, then the reverse; or, as in the authors'
tables, Ku1 held at each value while a short Dind pulse excites the skyrmion.
A held input column is one that changes at fewer than `HELD_CHANGE_FRACTION`
of its samples; a driven column (a sine) changes at almost every sample and
is not segmented on. A segment is a maximal run of samples over which every
held column is constant; its exciting step is the change of the one held
column that changed at its start (segments where several changed at once, or
the first segment, have no single step and are not measured). The base of a
column is the value it holds longest.

A measured segment is a point of the sweep over each swept column whose other
swept columns sit at their base there: its held value is that column's value.
With `per_step` it must also be entered by a step of that column itself, so
that every amplitude of one sweep is per unit of the same quantity.

Per segment, the oscillation of an output x(t) is measured over the window
[start + skip, stop), after the transient of the step (`skip` in s):

- amplitude: half the peak-to-peak of x minus its least-squares straight line
  over the window (dimensionless for <mz>). After a step the breathing mode
  rings and decays: the largest swing is at the start of the window, so this
  is the ringing envelope within the window's first period. With
  `per_step` it is divided by |step| (per unit of the stepped column).
- frequency (Hz): the peak of the periodogram of the same detrended, Hann
  windowed samples, zero-padded to `ZERO_PADDING` times their number and
  refined by a parabola through the peak and its neighbours (log power). For
  one decaying mode it is within 0.5 % when the window holds at least three
  periods, and reads up to 3 % low with two (tests/test_parameter_sweep.py);
  two modes closer than about 1/T (T the window length) are not told apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from surrogate.io.trace import Trace

#: A column that changes at fewer than this fraction of its samples is held, not driven.
HELD_CHANGE_FRACTION = 0.01
#: A change smaller than this fraction of a column's largest magnitude is table round-off.
CHANGE_TOLERANCE = 1e-6
#: The periodogram is zero-padded to this many times the window's sample count.
ZERO_PADDING = 16
#: Fewest samples a measurement window must hold.
MIN_WINDOW_SAMPLES = 8


@dataclass(frozen=True)
class Segment:
    """Samples [start, stop) of a trace over which every held input is constant.

    `values` maps each held column name to its value (SI); `stepped` names the
    one held column whose value changed at the segment's start, and `step` is
    that change (SI); both are None when no single column changed.
    """

    start: int
    stop: int
    values: dict[str, float]
    stepped: str | None
    step: float | None


def changes(column: np.ndarray) -> np.ndarray:
    """Boolean per sample after the first: the value differs from the one before it."""
    column = np.asarray(column, dtype=np.float64)
    scale = float(np.max(np.abs(column))) if len(column) else 0.0
    return np.abs(np.diff(column)) > CHANGE_TOLERANCE * max(scale, np.finfo(float).tiny)


def same_value(a: float, b: float) -> bool:
    """Whether two held values are equal up to table round-off."""
    return not changes(np.array([a, b]))[0]


def held_columns(trace: Trace) -> list[str]:
    """Input columns of `trace` that are piecewise constant (held), in trace order."""
    return [name for name in trace.input_names
            if np.mean(changes(trace.input(name))) < HELD_CHANGE_FRACTION]


def held_segments(trace: Trace, names: list[str]) -> list[Segment]:
    """The segments of constant held inputs `names` of `trace`, in time order."""
    if not names:
        raise ValueError(f"{trace.metadata.get('source', 'trace')}: no held input column to "
                         f"segment on among {trace.input_names}")
    columns = {name: trace.input(name) for name in names}
    boundaries = np.flatnonzero(np.any([changes(c) for c in columns.values()], axis=0)) + 1
    bounds = np.r_[0, boundaries, len(trace.t)]
    segments = []
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        values = {name: float(column[start]) for name, column in columns.items()}
        stepped, step = None, None
        if segments:
            previous = segments[-1].values
            changed = [name for name in names if not same_value(previous[name], values[name])]
            if len(changed) == 1:
                stepped, step = changed[0], values[changed[0]] - previous[changed[0]]
        segments.append(Segment(int(start), int(stop), values, stepped, step))
    return segments


def base_values(trace: Trace, segments: list[Segment]) -> dict[str, float]:
    """Per held column, the value it holds for the longest total time (s)."""
    bases = {}
    for name in segments[0].values:
        held: list[list[float]] = []  # [value, total time]
        for segment in segments:
            value = segment.values[name]
            span = float(trace.t[segment.stop - 1] - trace.t[segment.start])
            for entry in held:
                if same_value(entry[0], value):
                    entry[1] += span
                    break
            else:
                held.append([value, span])
        bases[name] = max(held, key=lambda entry: entry[1])[0]
    return bases


def oscillation(t: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """(amplitude, frequency in Hz) of samples x at times t (s), as the module defines them."""
    t = np.asarray(t, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if len(t) < MIN_WINDOW_SAMPLES:
        raise ValueError(f"{len(t)} samples are too few to measure an oscillation "
                         f"(at least {MIN_WINDOW_SAMPLES})")
    detrended = x - np.polyval(np.polyfit(t - t[0], x, 1), t - t[0])
    amplitude = 0.5 * float(np.ptp(detrended))
    spacing = float(np.mean(np.diff(t)))
    padded = ZERO_PADDING * len(x)
    power = np.abs(np.fft.rfft(detrended * np.hanning(len(x)), n=padded)) ** 2
    top = 1 + int(np.argmax(power[1:]))
    frequency = top / (padded * spacing)
    if 1 < top < len(power) - 1 and np.all(power[top - 1 : top + 2] > 0):
        below, peak, above = np.log(power[top - 1 : top + 2])
        curvature = below - 2.0 * peak + above
        if curvature < 0:
            frequency += 0.5 * (below - above) / curvature / (padded * spacing)
    return amplitude, float(frequency)


def sweep_points(simulated: Trace, predicted: Trace, swept: list[str], *, skip: float,
                 per_step: bool, channel: str | None = None) -> list[dict]:
    """Amplitude and frequency of the simulated and predicted output per held value.

    Segments come from the held inputs of `simulated`; each with one exciting
    step, whose window after `skip` (s) holds enough samples of both traces, is
    measured (each trace on its own samples) and becomes a point of the sweep
    over every column of `swept` whose other swept columns are at their base.
    `channel` defaults to the first output. Values are SI.
    """
    channel = channel or simulated.output_names[0]
    held = held_columns(simulated)
    missing = [name for name in swept if name not in held]
    if missing:
        raise ValueError(f"{simulated.metadata.get('source', 'trace')}: swept columns {missing} "
                         f"are not held inputs of the trace (held: {held})")
    segments = held_segments(simulated, held)
    bases = base_values(simulated, segments)
    points = []
    for segment in segments:
        if segment.stepped is None:
            continue
        start = simulated.t[segment.start] + skip
        stop = (simulated.t[segment.stop - 1] if segment.stop == len(simulated.t)
                else simulated.t[segment.stop])
        measured = {}
        for label, trace in (("simulation", simulated), ("node", predicted)):
            inside = (trace.t >= start) & (trace.t < stop)
            if np.count_nonzero(inside) < MIN_WINDOW_SAMPLES:
                break
            amplitude, frequency = oscillation(trace.t[inside], trace.output(channel)[inside])
            if per_step:
                amplitude /= abs(segment.step)
            measured[label] = {"amplitude": amplitude, "frequency_hz": frequency}
        if len(measured) < 2:
            continue
        units = dict(zip(simulated.input_names, simulated.input_units, strict=True))
        for name in swept:
            if per_step and segment.stepped != name:
                continue
            if all(same_value(segment.values[other], bases[other])
                   for other in swept if other != name):
                points.append({
                    "parameter": name, "unit": units[name], "held_value": segment.values[name],
                    "stepped": segment.stepped, "step": segment.step,
                    "step_unit": units[segment.stepped], "window_s": [float(start), float(stop)],
                    **measured,
                })
    return points
