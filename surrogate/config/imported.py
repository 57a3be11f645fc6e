"""Devices with `source: imported`: existing mumax3 tables instead of simulations.

Such a device names, per drive, a mumax3 `table.txt` or `.out` directory
(`tables`), and the table columns that are its inputs (`inputs`); its outputs
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
class ImportedDevice:
    """A device known only from mumax3 tables: drive name -> table path, input columns."""

    name: str
    tables: dict[str, str]
    inputs: tuple[str, ...]
    source: str = IMPORTED

    def table_of(self, drive: str) -> Path:
        """The `table.txt` of one drive (a `.out` directory's table.txt)."""
        path = Path(self.tables[drive])
        return path / "table.txt" if path.is_dir() else path


def is_imported(raw_device: dict) -> bool:
    """Whether a device's config mapping has `source: imported`."""
    return raw_device.get("source") == IMPORTED


def imported_device(name: str, raw_device: dict) -> ImportedDevice:
    """An ImportedDevice from its (schema-valid) config mapping."""
    return ImportedDevice(name, dict(raw_device["tables"]), tuple(raw_device["inputs"]))


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
