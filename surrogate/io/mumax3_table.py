"""mumax3 `table.txt`: read and write, in mumax3's exact header style (3.10 / 3.11).

The header is one line, `# t (s)\tmx ()\tmy ()\tmz ()\tKu1.region100 (J/m3)`,
then tab-separated numeric rows, each ending in a newline. A column is named
as in the header with the unit dropped (`mz`, `Ku1.region100`, `B_extx`, a
`TableAddVar` name); units are kept separately (SI, '' when dimensionless).

mumax3 ends every row with a newline, so a file whose last line lacks one was
cut off mid-row (a crashed or still-running simulation) and is rejected.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_COLUMN = re.compile(r"^(?P<name>.+?)\s*\((?P<unit>[^()]*)\)$")


class TableError(ValueError):
    """A mumax3 table is missing, truncated or malformed."""


@dataclass
class Table:
    """Columns of a mumax3 table: names, SI units and a (rows, columns) array."""

    names: list[str]
    units: list[str]
    data: np.ndarray
    path: Path | None = None

    def column(self, name: str) -> np.ndarray:
        """One column by name (unit dropped), e.g. `mz` or `Ku1.region100`."""
        if name not in self.names:
            where = f"{self.path}: " if self.path else ""
            raise TableError(f"{where}no column '{name}'; the table has {self.names}")
        return self.data[:, self.names.index(name)]

    def unit(self, name: str) -> str:
        """The unit of a column, as written in the header ('' if dimensionless)."""
        self.column(name)
        return self.units[self.names.index(name)]


def parse_header(line: str, path: Path | str = "table") -> tuple[list[str], list[str]]:
    """Split a mumax3 header line into column names and units."""
    line = line.rstrip("\r\n")
    if not line.startswith("#"):
        raise TableError(f"{path}: line 1 is not a mumax3 header (it must start with '#')")
    names, units = [], []
    for position, field_text in enumerate(line[1:].strip().split("\t"), start=1):
        match = _COLUMN.match(field_text.strip())
        if match is None:
            raise TableError(
                f"{path}: line 1, header column {position} '{field_text}' "
                "is not of the form 'name (unit)'"
            )
        names.append(match["name"].strip())
        units.append(match["unit"].strip())
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise TableError(f"{path}: line 1 names column(s) {duplicates} more than once")
    return names, units


def read_table(path: str | os.PathLike) -> Table:
    """Read a mumax3 table; a `.out` directory means its `table.txt`.

    Raises TableError naming the file and the line for a missing file, a bad
    header, a header without rows, a truncated last row, a row with the wrong
    number of columns or non-numeric text.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "table.txt"
    if not path.is_file():
        raise TableError(f"{path}: table file not found")
    text = path.read_text(encoding="utf-8", errors="replace")
    header, _, body = text.partition("\n")
    if not header.strip():
        raise TableError(f"{path}: the file is empty (no header line)")
    names, units = parse_header(header, path)
    lines = body.split("\n")
    if lines[-1] != "":
        raise TableError(
            f"{path}: line {len(lines) + 1} is truncated (the file ends mid-row, "
            f"without a newline): '{lines[-1][:80]}'"
        )
    rows = [line for line in lines[:-1] if line.strip() and not line.startswith("#")]
    if not rows:
        raise TableError(f"{path}: the table has a header but no data rows")
    try:
        data = np.loadtxt(rows, delimiter="\t", dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise TableError(f"{path}: {_describe_bad_line(lines, len(names))}") from exc
    if data.shape[1] != len(names):
        raise TableError(
            f"{path}: line 2 has {data.shape[1]} columns, the header names {len(names)}"
        )
    return Table(names, units, data, path)


def _describe_bad_line(lines: list[str], n_columns: int) -> str:
    """The first data line that is not `n_columns` tab-separated numbers."""
    for line_number, line in enumerate(lines, start=2):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\r").split("\t")
        if len(fields) != n_columns:
            return f"line {line_number} has {len(fields)} columns, the header names {n_columns}"
        for column, text in enumerate(fields, start=1):
            try:
                float(text)
            except ValueError:
                return f"line {line_number}, column {column}: '{text}' is not a number"
    return "data rows are not tab-separated numbers"


def format_header(names: list[str], units: list[str]) -> str:
    """The mumax3 header line for these columns (without newline)."""
    return "# " + "\t".join(f"{name} ({unit})" for name, unit in zip(names, units, strict=True))


def write_table(
    path: str | os.PathLike, names: list[str], units: list[str], data: np.ndarray
) -> Path:
    """Write a table in mumax3's layout and header style, lossless (17 digits); returns the path."""
    path = Path(path)
    data = np.asarray(data, dtype=np.float64).reshape(-1, len(names))
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(format_header(names, units) + "\n")
        np.savetxt(stream, data, delimiter="\t", fmt="%.17g")
    return path
