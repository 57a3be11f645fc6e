"""Importing mumax3 tables and .out directories as traces, with provenance."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from surrogate.engines.mumax3.table_import import import_table, script_parameters
from surrogate.io.mumax3_table import TableError, read_table
from surrogate.io.trace import TraceError, load_trace, save_trace

FIXTURES = Path(__file__).resolve().parent / "fixtures"
VOLTAGE_TABLE = (Path(__file__).resolve().parents[2] / "shared" / "reference" / "mumax3"
                 / "1skyrmion_voltage_train" / "table.txt")


def _out_dir(tmp_path: Path, name: str = "skyrmion1") -> Path:
    out = tmp_path / f"{name}.out"
    out.mkdir()
    shutil.copy(FIXTURES / "mumax3_table.txt", out / "table.txt")
    return out


def test_fixture_table_columns_and_units(tmp_path: Path) -> None:
    trace = import_table(FIXTURES / "mumax3_table.txt", ["Ku1.region100", "I_dc"],
                         ["mz", "B_exty"])
    table = read_table(FIXTURES / "mumax3_table.txt")
    np.testing.assert_array_equal(trace.t, table.column("t"))
    np.testing.assert_array_equal(trace.input("I_dc"), table.column("I_dc"))
    np.testing.assert_array_equal(trace.output("B_exty"), table.column("B_exty"))
    assert trace.input_units == ["J/m3", "A"] and trace.output_units == ["", "T"]
    assert trace.metadata["engine"] == "mumax3"
    assert trace.metadata["source"] == str((FIXTURES / "mumax3_table.txt").resolve())
    assert "Ku1.region100 (J/m3)" in trace.metadata["table_columns"]
    reloaded = load_trace(save_trace(trace, tmp_path / "trace.npz"))
    np.testing.assert_array_equal(reloaded.outputs, trace.outputs)
    assert reloaded.metadata == trace.metadata


def test_out_dir_records_script_beside_and_version(tmp_path: Path) -> None:
    out = _out_dir(tmp_path)
    (tmp_path / "skyrmion1.mx3").write_text("Msat = 580000.0\nalpha = 0.1\nRelax()\nalpha = 0.01\n")
    (out / "log.txt").write_text("//mumax 3.10 [linux_amd64 go1.14(gc) CUDA-11.0]\nMsat = 1\n")
    trace = import_table(out, ["Ku1.region100"], ["mz"], metadata={"engine": "mumax3-3.10",
                                                                   "run": 7})
    meta = trace.metadata
    assert meta["source"] == str((out / "table.txt").resolve())
    assert meta["script"] == str((tmp_path / "skyrmion1.mx3").resolve())
    assert meta["script_parameters"]["Msat"] == [580e3]
    assert meta["script_parameters"]["alpha"] == [0.1, 0.01]
    assert meta["mumax3_version"] == "3.10"
    assert meta["engine"] == "mumax3-3.10" and meta["run"] == 7
    assert len(meta["script_sha256"]) == 64


def test_out_dir_with_script_inside(tmp_path: Path) -> None:
    out = _out_dir(tmp_path, "other")
    (out / "device.mx3").write_text("Msat  = 580e3\nNx := 80\nanisU = vector(0,0,1)\n"
                                    "SetGridsize(Nx, Ny, 1)\n")
    meta = import_table(out, ["Ku1.region100"], ["mz"]).metadata
    assert meta["script_parameters"] == {"Msat": [580e3], "Nx": [80.0], "anisU": [[0, 0, 1]],
                                         "SetGridsize": [["Nx", "Ny", 1.0]]}


def test_script_parameters_of_rendered_and_plain_text() -> None:
    params = script_parameters("Ku1 = 8e5 // comment\nalpha=.1\nalpha = 1E-2\nx := -3\n")
    assert params == {"Ku1": [8e5], "alpha": [0.1, 0.01], "x": [-3.0]}


@pytest.mark.skipif(not VOLTAGE_TABLE.is_file(), reason="../shared not present")
def test_real_reference_table_imports() -> None:
    trace = import_table(VOLTAGE_TABLE, ["Ku1.region100"], ["mz"])
    assert trace.inputs.shape == (60001, 1) and trace.input_units == ["J/m3"]
    assert trace.output_units == [""]
    assert trace.dt == pytest.approx(2.5e-12, rel=1e-9)


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"mumax3_table.txt: no column 'Dind.region100'"):
        import_table(FIXTURES / "mumax3_table.txt", ["Dind.region100"], ["mz"])
    with pytest.raises(TableError, match="at least one input and one output"):
        import_table(FIXTURES / "mumax3_table.txt", [], ["mz"])


def test_nan_in_table_names_file(tmp_path: Path) -> None:
    path = tmp_path / "table.txt"
    path.write_text("# t (s)\tmz ()\tKu1.region100 (J/m3)\n1e-9\t0.5\t8e5\n2e-9\tNaN\t8e5\n")
    with pytest.raises(TraceError, match=rf"{path}: .*'outputs' holds NaN"):
        import_table(path, ["Ku1.region100"], ["mz"])


@pytest.mark.skipif(not VOLTAGE_TABLE.is_file(), reason="../shared not present")
def test_real_two_input_table_imports_both_inputs() -> None:
    table = VOLTAGE_TABLE.parents[1] / "1skyrmion_input_PMA_DMI_train" / "table.txt"
    trace = import_table(table, ["Ku1.region100", "Dind.region100"], ["mz"])
    assert trace.input_units == ["J/m3", "J/m2"] and trace.inputs.shape == (30001, 2)
    dind = trace.input("Dind.region100")
    assert 2.5e-3 < dind.min() < 3.0e-3 < dind.max() < 3.5e-3
