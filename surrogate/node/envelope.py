"""The training envelope: the range of each input and output channel a model was trained
on (SI units), stored in its model file, and the check of forecast inputs and prefix
states against it.

A value outside the range is measured in training ranges: (distance beyond the
nearer end) / (max - min). Beyond `FAR_OUTSIDE` ranges a forecast is refused, naming
the channel and the factor (a unit slip, 10^6 for a normalised output), unless the
caller asks to extrapolate; beyond `NEAR_OUTSIDE` it goes ahead with a warning on
stderr. Model files written before the envelope was stored are not checked.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from surrogate.io.trace import Trace

FAR_OUTSIDE = 1.0  # training ranges beyond the envelope: refused
NEAR_OUTSIDE = 0.1  # training ranges beyond the envelope: a warning
ENVELOPE_KEY = "envelope"


class EnvelopeError(ValueError):
    """Forecast inputs or states far outside what the model saw in training."""


def training_envelope(traces: Sequence[Trace], inputs: list[str],
                      outputs: list[str]) -> dict:
    """{"inputs": {name: [min, max]}, "outputs": {...}} over every training trace (SI)."""
    def ranges(names: list[str], read) -> dict:
        return {name: [float(min(read(trace, name).min() for trace in traces)),
                       float(max(read(trace, name).max() for trace in traces))]
                for name in names}
    return {"inputs": ranges(inputs, Trace.input), "outputs": ranges(outputs, Trace.output)}


def outside_factor(values: np.ndarray, low: float, high: float) -> float:
    """How many training ranges (high - low) `values` reach beyond [low, high]."""
    span = max(high - low, 1e-12 * max(abs(low), abs(high)), np.finfo(float).tiny)
    beyond = max(low - float(np.min(values)), float(np.max(values)) - high, 0.0)
    return beyond / span


def check_envelope(metadata: dict, part: str, names: list[str], units: list[str],
                   values: np.ndarray, source: str, extrapolate: bool = False) -> None:
    """EnvelopeError for a channel of `values` (rows, channels) in SI far outside the
    model's training range of `part` ("inputs" or "outputs"), a warning instead with
    `extrapolate`; a warning when moderately outside. Nothing when the model file
    stores no envelope."""
    envelope = metadata.get(ENVELOPE_KEY, {}).get(part)
    if not envelope:
        return
    for column, (name, unit) in enumerate(zip(names, units, strict=True)):
        if name not in envelope:
            continue
        low, high = envelope[name]
        channel = values[:, column]
        factor = outside_factor(channel, low, high)
        where = (f"{source}: channel '{name}' spans {channel.min():.4g}..{channel.max():.4g} "
                 f"{unit}, {factor:.3g} training ranges outside the {low:.4g}..{high:.4g} "
                 f"{unit} the model saw in training")
        if factor > FAR_OUTSIDE and not extrapolate:
            raise EnvelopeError(f"{where}; refused: a forecast there is an extrapolation "
                                "(check the unit)")
        if factor > NEAR_OUTSIDE:
            print(f"warning: {where}; the forecast extrapolates", file=sys.stderr)
