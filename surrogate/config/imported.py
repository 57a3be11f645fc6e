"""Devices with `source: imported`: existing mumax3 tables instead of simulations.

Such a device names, per drive, a mumax3 `table.txt` or `.out` directory
(`tables`), optionally with a time window of that table (`{path, window: [START,
STOP]}`, s of the table's own clock, START <= t < STOP), so that one table can
give both a training and a held-out drive; and the table columns that are its
inputs (`inputs`); its outputs
are the device's `outputs` (default mz). The workflow imports each table into a
trace (`python -m surrogate import-mumax3`) instead of rendering and
simulating it; training, evaluation and every later stage are unchanged.
Relative table paths are resolved against the working directory, like every
other file a config names (`values_file`, `series_file`): run Snakemake from
the repository root.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The value of a device's `source` key that makes it imported.
IMPORTED = "imported"


@dataclass(frozen=True)
class ImportedTable:
    """One drive of an imported device: a table path and the window (s) of it to use.

    `window` is (START, STOP) in seconds of the table's own `t` column, START <= t < STOP;
    None uses the whole table.
    """

    path: str
    window: tuple[float, float] | None = None


@dataclass(frozen=True)
class ImportedDevice:
    """A device known only from mumax3 tables: drive name -> table (and window), input columns."""

    name: str
    tables: dict[str, ImportedTable]
    inputs: tuple[str, ...]
    source: str = IMPORTED

    def table_of(self, drive: str) -> Path:
        """The `table.txt` of one drive (a `.out` directory's table.txt)."""
        path = Path(self.tables[drive].path)
        return path / "table.txt" if path.is_dir() else path

    def driven_parameters(self) -> tuple[str, ...]:
        """The material parameters of the input columns ('Ku1.region100' -> 'Ku1')."""
        return tuple(column.split(".")[0] for column in self.inputs)

    def window_of(self, drive: str) -> tuple[float, float] | None:
        """The (START, STOP) window in s of one drive's table, or None for all of it."""
        return self.tables[drive].window


def is_imported(raw_device: dict) -> bool:
    """Whether a device's config mapping has `source: imported`."""
    return raw_device.get("source") == IMPORTED


def imported_table(raw_table: str | dict) -> ImportedTable:
    """An ImportedTable from a (schema-valid) `tables` entry: a path, or {path, window}."""
    if isinstance(raw_table, str):
        return ImportedTable(raw_table)
    window = raw_table.get("window")
    return ImportedTable(raw_table["path"], None if window is None else
                         (float(window[0]), float(window[1])))


def imported_device(name: str, raw_device: dict) -> ImportedDevice:
    """An ImportedDevice from its (schema-valid) config mapping."""
    tables = {drive: imported_table(raw) for drive, raw in raw_device["tables"].items()}
    return ImportedDevice(name, tables, tuple(raw_device["inputs"]))


def check_windows(device: ImportedDevice, source: str) -> None:
    """ValueError naming `source` and the field for each window whose STOP is not after START."""
    for drive, table in device.tables.items():
        if table.window is not None and table.window[1] <= table.window[0]:
            raise ValueError(
                f"{source}: field 'devices.{device.name}.tables.{drive}.window': "
                f"{list(table.window)}: STOP must be greater than START (s of the table "
                f"{device.table_of(drive)})"
            )


def check_tables(device: ImportedDevice, source: str) -> None:
    """ValueError naming `source`, the field and the path for each table that is not there."""
    for drive in device.tables:
        path = device.table_of(drive)
        if not path.is_file():
            raise ValueError(
                f"{source}: field 'devices.{device.name}.tables.{drive}': {path}: no mumax3 "
                "table (give a table.txt or a .out directory holding one; relative paths are "
                "read from the working directory)"
            )
