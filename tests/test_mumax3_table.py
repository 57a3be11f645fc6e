"""mumax3 table.txt parsing: real tables, any columns, and clear errors for corrupt files."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from surrogate.io.mumax3_table import (
    TableError,
    format_header,
    parse_header,
    read_table,
    write_table,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference" / "mumax3"
VOLTAGE_TABLE = SHARED / "1skyrmion_voltage_train" / "table.txt"
PMA_DMI_TABLE = SHARED / "1skyrmion_input_PMA_DMI_train" / "table.txt"
needs_shared = pytest.mark.skipif(not VOLTAGE_TABLE.is_file(), reason="../shared not present")


@needs_shared
def test_real_voltage_table_parses_fast() -> None:
    start = time.perf_counter()
    table = read_table(VOLTAGE_TABLE)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"parsing took {elapsed:.2f} s"
    assert table.names == ["t", "mx", "my", "mz", "Ku1.region100"]
    assert table.units == ["s", "", "", "", "J/m3"]
    # 150 ns every 2.5 ps from t = 1 ns, both ends included: 60 000 intervals, 60 001 rows.
    assert table.data.shape == (60001, 5)
    assert table.column("t")[0] == 1e-9
    assert table.column("t")[-1] == pytest.approx(151e-9, rel=1e-12)
    np.testing.assert_allclose(np.diff(table.column("t")).mean(), 2.5e-12, rtol=1e-9)
    assert table.data[0].tolist() == [1e-09, -3.7964742e-10, 6.074359e-09, 0.7680944, 800000.0]
    ku = table.column("Ku1.region100")
    assert 8e5 - 2e5 <= ku.min() < 7e5 and 9e5 < ku.max() <= 8e5 + 2e5


@needs_shared
def test_real_two_input_table_has_dind_column() -> None:
    table = read_table(PMA_DMI_TABLE.parent)  # a directory means its table.txt
    assert table.names[-1] == "Dind.region100" and table.unit("Dind.region100") == "J/m2"
    assert table.data.shape == (30001, 6)


def test_fixture_with_vector_region_and_variable_columns() -> None:
    table = read_table(FIXTURES / "mumax3_table.txt")
    assert table.names == ["t", "mx", "my", "mz", "Ku1.region100", "B_extx", "B_exty",
                           "B_extz", "I_dc"]
    assert table.unit("B_exty") == "T" and table.unit("I_dc") == "A" and table.unit("mz") == ""
    assert table.data.shape == (41, 9)
    assert table.column("t")[1] == 1.0025e-09
    assert table.column("Ku1.region100")[1] == pytest.approx(806279.06, rel=1e-7)


def test_header_round_trip_and_units_with_spaces() -> None:
    names, units = parse_header("# t (s)\tE_total (J)\tmy var (A/m)\tm.region3x ()\r\n")
    assert names == ["t", "E_total", "my var", "m.region3x"]
    assert units == ["s", "J", "A/m", ""]
    assert parse_header(format_header(names, units)) == (names, units)


def test_write_read_round_trip_is_lossless(tmp_path: Path) -> None:
    data = np.array([[1e-9, 0.1234567890123, 8e5 + 1e-7], [1.0025069274732152e-09, -1e-300, 3.0]])
    names, units = ["t", "mz", "Ku1.region100"], ["s", "", "J/m3"]
    path = write_table(tmp_path / "table.txt", names, units, data)
    table = read_table(path)
    np.testing.assert_array_equal(table.data, data)


def _corrupt(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "table.txt"
    path.write_text(text)
    return path


HEADER = "# t (s)\tmx ()\tmy ()\tmz ()\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("1e-9\t0\t0\t1\n2e-9\t0\t0.1\t0.9", r"line 3 is truncated"),
        ("1e-9\t0\t0\t1\n2e-9\t0\t0.1\n3e-9\t0\t0\t1\n", r"line 3 has 3 columns, the header"),
        ("1e-9\t0\t0\t1\n\n2e-9\t0\tabc\t1\n", r"line 4, column 3: 'abc' is not a number"),
        ("", r"header but no data rows"),
        ("1e-9\t0\t0\n2e-9\t0\t0\n", r"line 2 has 3 columns, the header names 4"),
    ],
)
def test_corrupt_tables_name_file_and_line(tmp_path: Path, body: str, message: str) -> None:
    path = _corrupt(tmp_path, HEADER + body)
    with pytest.raises(TableError, match=message) as info:
        read_table(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"empty"),
        ("t (s)\tmz ()\n1\t2\n", r"line 1 is not a mumax3 header"),
        ("# t (s)\tmz\n1\t2\n", r"header column 2 'mz' is not of the form"),
        ("# t (s)\tmz ()\tmz ()\n1\t2\t3\n", r"names column\(s\) \['mz'\] more than once"),
    ],
)
def test_bad_headers_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = _corrupt(tmp_path, text)
    with pytest.raises(TableError, match=message) as info:
        read_table(path)
    assert str(path) in str(info.value)


def test_missing_file_and_missing_column(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="table file not found"):
        read_table(tmp_path / "nothing.out")
    table = read_table(_corrupt(tmp_path, HEADER + "1e-9\t0\t0\t1\n"))
    with pytest.raises(TableError, match=r"no column 'Ku1.region100'") as info:
        table.column("Ku1.region100")
    assert str(tmp_path / "table.txt") in str(info.value)
