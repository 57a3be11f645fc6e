"""Magnetoresistance output channels from the averaged magnetization. SI units (Ohm, s, Hz).

R(t) = R_P + dR * (1 - m . p) / 2, with p the unit reference (fixed-layer)
direction, R_P the parallel resistance and dR = R_AP - R_P. The law is linear
in the local unit magnetization, so its average over the cells equals the law
applied to the averaged m; <m> is therefore used as it is, never renormalised
(a vortex has |<m>| << 1, and renormalising would erase its gyration amplitude).

For an oscillator the measured quantity is the amplitude of the R oscillation.
`amplitude_envelope` demodulates it: the signal minus its mean is mixed down
with exp(-2 pi i f0 t), low-passed by a zero-phase Gaussian filter whose gain
is 1/sqrt(2) (-3 dB) at the stated cut-off, and 2|.| is the envelope.
"""

from __future__ import annotations

import numpy as np

from surrogate.analysis.spectra import low_pass
from surrogate.io.trace import Trace

M_CHANNELS = ("mx", "my", "mz")


class MagnetoresistanceError(ValueError):
    """Inconsistent magnetoresistance parameters or input arrays."""


def resistance(m: np.ndarray, r_parallel: float, delta_r: float,
               reference: tuple[float, float, float]) -> np.ndarray:
    """R (Ohm) for averaged magnetization `m` of shape (T, 3) and reference direction p."""
    m = np.asarray(m, dtype=np.float64)
    if m.ndim != 2 or m.shape[1] != 3:
        raise MagnetoresistanceError(f"m must have shape (T, 3), got {m.shape}")
    p = np.asarray(reference, dtype=np.float64)
    norm = np.linalg.norm(p)
    if p.shape != (3,) or not norm > 0:
        raise MagnetoresistanceError(f"field 'reference' must be a non-zero 3-vector, got {p}")
    if not delta_r >= 0 or not r_parallel > 0:
        raise MagnetoresistanceError(
            f"need r_parallel > 0 and delta_r >= 0, got {r_parallel!r} and {delta_r!r}"
        )
    return r_parallel + delta_r * (1.0 - m @ (p / norm)) / 2.0


def dominant_frequency(t: np.ndarray, signal: np.ndarray) -> float:
    """Frequency (Hz) of the largest non-zero spectral peak of a uniformly sampled signal."""
    dt = _uniform_step(t)
    spectrum = np.abs(np.fft.rfft(signal - np.mean(signal)))
    spectrum[0] = 0.0
    return float(np.fft.rfftfreq(len(signal), dt)[np.argmax(spectrum)])


def amplitude_envelope(t: np.ndarray, signal: np.ndarray, carrier_frequency: float,
                       cutoff: float) -> np.ndarray:
    """Amplitude envelope (unit of `signal`) around `carrier_frequency`, low-passed at `cutoff`.

    Requires cutoff < carrier_frequency < Nyquist frequency. The signal is
    mirrored at both ends before filtering, so the edges do not wrap around.
    """
    t = np.asarray(t, dtype=np.float64)
    signal = np.asarray(signal, dtype=np.float64)
    dt = _uniform_step(t)
    nyquist = 0.5 / dt
    if not 0 < cutoff < carrier_frequency < nyquist:
        raise MagnetoresistanceError(
            f"need 0 < cutoff ({cutoff!r} Hz) < carrier_frequency ({carrier_frequency!r} Hz)"
            f" < Nyquist ({nyquist!r} Hz)"
        )
    mixed = (signal - signal.mean()) * np.exp(-2j * np.pi * carrier_frequency * (t - t[0]))
    return 2.0 * np.abs(low_pass(mixed, dt, cutoff))


def add_resistance_channels(
    trace: Trace,
    *,
    r_parallel: float,
    delta_r: float,
    reference: tuple[float, float, float],
    envelope_cutoff: float | None = None,
    carrier_frequency: float | None = None,
) -> Trace:
    """A copy of `trace` with output `R` (Ohm) and, given a cut-off, `R_envelope` (Ohm).

    Reads outputs `mx`, `my`, `mz`. Without `carrier_frequency` the dominant
    frequency of R is used. The parameters are recorded under
    metadata["magnetoresistance"].
    """
    missing = [name for name in M_CHANNELS if name not in trace.output_names]
    if missing:
        raise MagnetoresistanceError(
            f"trace lacks output channel(s) {missing}; it has {trace.output_names}"
        )
    m = np.column_stack([trace.output(name) for name in M_CHANNELS])
    r = resistance(m, r_parallel, delta_r, reference)
    channels, names = [r], ["R"]
    record = {"r_parallel": r_parallel, "delta_r": delta_r, "reference": list(reference)}
    if envelope_cutoff is not None:
        carrier = (dominant_frequency(trace.t, r) if carrier_frequency is None
                   else carrier_frequency)
        channels.append(amplitude_envelope(trace.t, r, carrier, envelope_cutoff))
        names.append("R_envelope")
        record.update(envelope_cutoff=envelope_cutoff, carrier_frequency=carrier)
    clash = [name for name in names if name in trace.output_names]
    if clash:
        raise MagnetoresistanceError(f"trace already has output channel(s) {clash}")
    metadata = dict(trace.metadata, magnetoresistance=record)
    return Trace(
        trace.t, trace.inputs, np.column_stack([trace.outputs, *channels]),
        list(trace.input_names), [*trace.output_names, *names],
        list(trace.input_units), [*trace.output_units, *["Ohm"] * len(names)], metadata,
    )


def _uniform_step(t: np.ndarray) -> float:
    """Mean sample step (s); samples may jitter around a uniform grid by up to 5 % of it.

    mumax3's table autosave writes at the first solver step past each multiple of
    the period, so its times sit up to about 1 % of a step off the grid.
    """
    t = np.asarray(t, dtype=np.float64)
    if t.ndim != 1 or len(t) < 4:
        raise MagnetoresistanceError("need at least 4 sample times")
    dt = float((t[-1] - t[0]) / (len(t) - 1))
    deviation = float(np.max(np.abs(t - (t[0] + dt * np.arange(len(t))))))
    if not dt > 0 or deviation > 0.05 * dt:
        raise MagnetoresistanceError(
            f"sample times deviate from a uniform grid of step {dt!r} s by {deviation!r} s"
            " (more than 5 %); resample first"
        )
    return dt
