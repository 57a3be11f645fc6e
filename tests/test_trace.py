"""The trace file round-trips and rejects malformed content."""

from __future__ import annotations

import numpy as np
import pytest

from surrogate.io.trace import Trace, TraceError, load_trace, save_trace


def make_trace(n: int = 50) -> Trace:
    t = 1e-9 + 2.5e-12 * np.arange(n)
    ku = 8e5 + 1e5 * np.sin(2 * np.pi * 4e9 * t)
    mz = 0.7 + 0.01 * np.cos(2 * np.pi * 4e9 * t)
    return Trace(t, ku[:, None], mz[:, None], ["Ku1.region100"], ["mz"], ["J/m3"], [""],
                 {"engine": "magnumnp", "spec": {"device": {"cell_size": 4e-9}}})


def test_round_trip_is_exact(tmp_path):
    trace = make_trace()
    path = save_trace(trace, tmp_path / "sub" / "trace.npz")
    loaded = load_trace(path)
    np.testing.assert_array_equal(loaded.t, trace.t)
    np.testing.assert_array_equal(loaded.inputs, trace.inputs)
    np.testing.assert_array_equal(loaded.outputs, trace.outputs)
    assert loaded.input_names == ["Ku1.region100"] and loaded.output_units == [""]
    assert loaded.metadata == trace.metadata
    assert not list((tmp_path / "sub").glob("*.tmp"))


def test_window_selects_half_open_interval():
    trace = make_trace(100)
    part = trace.window(trace.t[10], trace.t[20])
    assert len(part.t) == 10 and part.t[0] == trace.t[10]
    with pytest.raises(TraceError, match="window"):
        trace.window(0.0, 1e-12)


def test_channel_lookup_names_the_channel():
    with pytest.raises(TraceError, match="no output channel 'mx'"):
        make_trace().output("mx")


def test_nan_is_rejected():
    trace = make_trace()
    outputs = trace.outputs.copy()
    outputs[3] = np.nan
    with pytest.raises(TraceError, match="'outputs'"):
        Trace(trace.t, trace.inputs, outputs, ["Ku1.region100"], ["mz"], ["J/m3"], [""])


def test_corrupt_file_names_the_file(tmp_path):
    path = tmp_path / "bad.npz"
    path.write_bytes(b"not a zip file")
    with pytest.raises(TraceError, match="bad.npz"):
        load_trace(path)


def test_missing_field_is_named(tmp_path):
    path = tmp_path / "partial.npz"
    np.savez(path, t=np.arange(3.0))
    with pytest.raises(TraceError, match="partial.npz: missing field 'inputs'"):
        load_trace(path)
