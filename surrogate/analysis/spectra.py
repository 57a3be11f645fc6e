"""Power spectral density (Welch) and the statistics used to compare noisy traces. SI units.

`welch_psd` is the one-sided PSD of each column (unit^2/Hz), averaged over
Hann-windowed segments with half overlap, each segment's mean removed. Its
integral over frequency is the variance of the signal.
"""

from __future__ import annotations

import numpy as np

from surrogate.io.trace import Trace


def welch_psd(
    x: np.ndarray, sample_period: float, segment: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """(frequencies (Hz), PSD (F, channels), number of segments) of `x` (N,) or (N, channels)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if not 2 <= segment <= len(x):
        raise ValueError(f"PSD segment of {segment} samples does not fit {len(x)} samples")
    window = np.hanning(segment)
    hop = segment // 2
    starts = range(0, len(x) - segment + 1, hop)
    spectra = []
    for start in starts:
        piece = x[start : start + segment]
        piece = (piece - piece.mean(axis=0)) * window[:, None]
        spectra.append(np.abs(np.fft.rfft(piece, axis=0)) ** 2)
    psd = np.mean(spectra, axis=0) * sample_period / np.sum(window**2)
    one_sided = np.full(len(psd), 2.0)  # negative frequencies folded in, except DC and Nyquist
    one_sided[0] = 1.0
    if segment % 2 == 0:
        one_sided[-1] = 1.0
    psd *= one_sided[:, None]
    return np.fft.rfftfreq(segment, sample_period), psd, len(spectra)


def peak_and_width(freqs: np.ndarray, psd: np.ndarray) -> tuple[float, float]:
    """Frequency of the PSD maximum and its full width at half maximum (Hz), interpolated.

    The width is measured between the half-maximum crossings on either side of
    the peak (the lower one clipped at 0 Hz).
    """
    top = int(np.argmax(psd))
    half = psd[top] / 2.0

    def crossing(indices) -> float:
        previous = top
        for i in indices:
            if psd[i] < half:
                fraction = (psd[previous] - half) / (psd[previous] - psd[i])
                return float(freqs[previous] + fraction * (freqs[i] - freqs[previous]))
            previous = i
        return float(freqs[previous])

    upper = crossing(range(top + 1, len(psd)))
    lower = crossing(range(top - 1, -1, -1))
    return float(freqs[top]), upper - lower


def low_pass(x: np.ndarray, sample_period: float, cutoff: float) -> np.ndarray:
    """Zero-phase Gaussian low-pass of `x` (N,) or (N, channels), gain 1/2 at `cutoff` (Hz).

    Real or complex input; the signal is mirrored at both ends before filtering,
    so the edges do not wrap around.
    """
    x = np.asarray(x)
    if not 0 < cutoff < 0.5 / sample_period:
        raise ValueError(f"low-pass cutoff {cutoff!r} Hz is not below Nyquist "
                         f"({0.5 / sample_period!r} Hz)")
    padded = np.concatenate([x[::-1], x, x[::-1]])
    frequencies = np.fft.fftfreq(len(padded), sample_period)
    gain = np.exp(-0.5 * np.log(2.0) * (frequencies / cutoff) ** 2)
    gain = gain.reshape(-1, *([1] * (x.ndim - 1)))
    filtered = np.fft.ifft(np.fft.fft(padded, axis=0) * gain, axis=0)[len(x) : 2 * len(x)]
    return filtered if np.iscomplexobj(x) else filtered.real


def resolved_band(trace: Trace, cutoff: float) -> Trace:
    """The trace with its outputs low-passed at `cutoff` (Hz), to train the drift on.

    Observation noise on the start of a training window biases a least-squares
    drift towards too much damping (regression dilution). Training the drift on
    the band the state resolves, and fitting the noise on the raw trace,
    avoids most of it.
    """
    smooth = low_pass(trace.outputs, float(trace.dt), cutoff)
    metadata = dict(trace.metadata, low_pass_Hz=cutoff)
    return Trace(trace.t, trace.inputs, smooth, list(trace.input_names),
                 list(trace.output_names), list(trace.input_units), list(trace.output_units),
                 metadata)
