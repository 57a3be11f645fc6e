"""Magnetoresistance channels: the R(m) law, the demodulated envelope, trace channels."""

from __future__ import annotations

import numpy as np
import pytest

from surrogate.analysis.magnetoresistance import (
    MagnetoresistanceError,
    add_resistance_channels,
    amplitude_envelope,
    dominant_frequency,
    resistance,
)
from surrogate.io.trace import Trace


def test_resistance_limits_and_reference_direction() -> None:
    m = np.array([[0, 0, 1], [0, 0, -1], [1, 0, 0], [0.0, 0.0, 0.0]])
    r = resistance(m, 100.0, 10.0, (0, 0, 2))  # p is normalised
    np.testing.assert_allclose(r, [100.0, 110.0, 105.0, 105.0])
    r_x = resistance(m, 100.0, 10.0, (1, 0, 0))
    np.testing.assert_allclose(r_x, [105.0, 105.0, 100.0, 105.0])
    tilted = resistance(np.array([[0.6, 0.0, 0.8]]), 50.0, 4.0, (1, 0, 1))
    np.testing.assert_allclose(tilted, 50.0 + 2.0 * (1 - 1.4 / np.sqrt(2)))


@pytest.mark.parametrize(("args", "message"), [
    ((np.zeros((3, 2)), 1.0, 1.0, (0, 0, 1)), "shape"),
    ((np.zeros((3, 3)), 1.0, 1.0, (0, 0, 0)), "'reference'"),
    ((np.zeros((3, 3)), 0.0, 1.0, (0, 0, 1)), "r_parallel > 0"),
    ((np.zeros((3, 3)), 1.0, -1.0, (0, 0, 1)), "delta_r >= 0"),
])
def test_resistance_errors(args: tuple, message: str) -> None:
    with pytest.raises(MagnetoresistanceError, match=message):
        resistance(*args)


def _gyrating(n: int = 8000, dt: float = 5e-12, jitter: float = 0.0):
    """In-plane gyration at 250 MHz with amplitude a(t) modulated at 5 MHz."""
    rng = np.random.default_rng(1)
    t = 1e-9 + dt * np.arange(n) + jitter * dt * rng.uniform(-1, 1, n)
    a = 0.3 + 0.1 * np.sin(2 * np.pi * 5e6 * t)
    phase = 2 * np.pi * 250e6 * t
    m = np.column_stack([a * np.cos(phase), a * np.sin(phase), np.full(n, 0.05)])
    return t, a, m


@pytest.mark.parametrize("jitter", [0.0, 0.01])
def test_envelope_recovers_modulated_amplitude(jitter: float) -> None:
    t, a, m = _gyrating(jitter=jitter)
    r = resistance(m, 100.0, 20.0, (1, 0, 0))
    assert dominant_frequency(t, r) == pytest.approx(250e6, rel=0.01)
    envelope = amplitude_envelope(t, r, 250e6, 50e6)
    core = slice(500, -500)
    np.testing.assert_allclose(envelope[core], 10.0 * a[core], rtol=0.02)


def test_envelope_cutoff_is_minus_3_db() -> None:
    t = 5e-12 * np.arange(20000)
    carrier, offset, cutoff = 250e6, 20e6, 20e6
    signal = np.cos(2 * np.pi * (carrier + offset) * t)
    envelope = amplitude_envelope(t, signal, carrier, cutoff)
    assert np.median(envelope[2000:-2000]) == pytest.approx(1 / np.sqrt(2), rel=0.02)


@pytest.mark.parametrize(("carrier", "cutoff"), [(250e6, 0.0), (250e6, 300e6), (2e11, 1e6)])
def test_envelope_rejects_bad_frequencies(carrier: float, cutoff: float) -> None:
    t = 5e-12 * np.arange(100)
    with pytest.raises(MagnetoresistanceError, match="Nyquist"):
        amplitude_envelope(t, np.sin(t), carrier, cutoff)


def test_envelope_rejects_irregular_times() -> None:
    t = np.cumsum(np.random.default_rng(0).uniform(1e-12, 9e-12, 100))
    with pytest.raises(MagnetoresistanceError, match="uniform grid"):
        amplitude_envelope(t, np.sin(t), 1e9, 1e8)


def test_trace_channels_added_with_units_and_metadata() -> None:
    t, a, m = _gyrating()
    trace = Trace(t, np.ones((len(t), 1)), m, ["J"], ["mx", "my", "mz"], ["A/m2"],
                  ["", "", ""], {"engine": "mumax3"})
    out = add_resistance_channels(trace, r_parallel=100.0, delta_r=20.0, reference=(1, 0, 0),
                                  envelope_cutoff=50e6)
    assert out.output_names == ["mx", "my", "mz", "R", "R_envelope"]
    assert out.output_units[-2:] == ["Ohm", "Ohm"]
    np.testing.assert_allclose(out.output("R"), 110.0 - 10.0 * m[:, 0])
    np.testing.assert_allclose(out.output("R_envelope")[500:-500], 10.0 * a[500:-500],
                               rtol=0.02)
    record = out.metadata["magnetoresistance"]
    assert record["carrier_frequency"] == pytest.approx(250e6, rel=0.01)
    assert record["envelope_cutoff"] == 50e6 and out.metadata["engine"] == "mumax3"
    plain = add_resistance_channels(trace, r_parallel=1.0, delta_r=1.0, reference=(0, 0, 1))
    assert plain.output_names[-1] == "R"
    with pytest.raises(MagnetoresistanceError, match="already has output channel"):
        add_resistance_channels(plain, r_parallel=1.0, delta_r=1.0, reference=(0, 0, 1))
    only_mz = Trace(t, np.ones((len(t), 1)), m[:, 2], ["J"], ["mz"], ["A/m2"], [""])
    with pytest.raises(MagnetoresistanceError, match=r"lacks output channel\(s\) \['mx', 'my'\]"):
        add_resistance_channels(only_mz, r_parallel=1.0, delta_r=1.0, reference=(0, 0, 1))
