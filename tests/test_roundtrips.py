"""Property tests: what we write, we read back unchanged (OVF text and Binary 4, mumax3 tables,
traces), for any finite values and any shape hypothesis draws."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import ovf2io
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from surrogate.io.mumax3_table import read_table, write_table
from surrogate.io.ovf import format_ovf_text, read_ovf
from surrogate.io.trace import Trace, load_trace, save_trace

FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)
FINITE32 = st.floats(allow_nan=False, allow_infinity=False, width=32)
NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}(\.region[0-9]{1,3})?", fullmatch=True)
UNIT = st.sampled_from(["", "s", "J/m3", "J/m2", "A/m2", "T", "ohm"])
CELL = st.tuples(*[st.floats(1e-10, 1e-7)] * 3)
SHAPE = st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 2), st.sampled_from([1, 3]))
PROPERTY = settings(max_examples=40, deadline=None)
SCRATCH = tempfile.mkdtemp(prefix="surrogate-roundtrips-")


@st.composite
def fields(draw, elements=FINITE):
    return draw(arrays(np.float64, draw(SHAPE), elements=elements))


def _scratch(name: str) -> Path:
    """A fresh path in a temporary folder removed with the test session's temp root."""
    return Path(tempfile.mkdtemp(prefix="roundtrip-", dir=SCRATCH)) / name


@PROPERTY
@given(values=fields(), cell=CELL)
def test_ovf_text_round_trip(values, cell):
    labels = tuple(f"c{i}" for i in range(values.shape[-1]))
    path = _scratch("field.ovf")
    path.write_text(format_ovf_text(values, cell, title="f", labels=labels))
    read = read_ovf(path)
    assert read.values.shape == values.shape
    np.testing.assert_array_equal(read.values, values)
    assert read.labels == list(labels)
    np.testing.assert_allclose(read.mesh.cell_size, cell, rtol=1e-15)


@PROPERTY
@given(values=fields(FINITE32), cell=CELL)
def test_ovf_binary4_round_trip(values, cell):
    path = _scratch("field.ovf")
    labels = [f"c{i}" for i in range(values.shape[-1])]
    ovf2io.write_ovf_rectangular(values, path, p0=tuple(c / 2 for c in cell), cellsize=cell,
                                 title="f", valuelabels=labels, valueunits=["1"],
                                 representation="bin4")
    read = read_ovf(path)
    np.testing.assert_array_equal(read.values, values.astype(np.float32).astype(np.float64))


@PROPERTY
@given(data=st.data())
def test_table_round_trip(data):
    names = data.draw(st.lists(NAME, min_size=1, max_size=5, unique=True))
    units = data.draw(st.lists(UNIT, min_size=len(names), max_size=len(names)))
    rows = data.draw(st.integers(1, 20))
    values = data.draw(arrays(np.float64, (rows, len(names)), elements=FINITE))
    path = write_table(_scratch("table.txt"), names, units, values)
    table = read_table(path)
    assert table.names == names and table.units == units
    np.testing.assert_array_equal(table.data, values)


@PROPERTY
@given(data=st.data())
def test_trace_round_trip(data):
    n = data.draw(st.integers(2, 50))
    dt = data.draw(st.floats(1e-13, 1e-9))
    t0 = data.draw(st.floats(0.0, 1e-6))
    n_in, n_out = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    names = data.draw(st.lists(NAME, min_size=n_in + n_out, max_size=n_in + n_out, unique=True))
    units = data.draw(st.lists(UNIT, min_size=n_in + n_out, max_size=n_in + n_out))
    inputs = data.draw(arrays(np.float64, (n, n_in), elements=FINITE))
    outputs = data.draw(arrays(np.float64, (n, n_out), elements=FINITE))
    metadata = data.draw(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5),
                                         max_size=3))
    trace = Trace(t0 + dt * np.arange(n), inputs, outputs, names[:n_in], names[n_in:],
                  units[:n_in], units[n_in:], metadata)
    read = load_trace(save_trace(trace, _scratch("trace.npz")))
    for field in ("t", "inputs", "outputs"):
        np.testing.assert_array_equal(getattr(read, field), getattr(trace, field))
    assert (read.input_names, read.output_names) == (trace.input_names, trace.output_names)
    assert (read.input_units, read.output_units) == (trace.input_units, trace.output_units)
    assert read.metadata == metadata


def teardown_module() -> None:
    shutil.rmtree(SCRATCH, ignore_errors=True)
