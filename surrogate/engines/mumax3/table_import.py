"""Import a mumax3 table (a `table.txt` or a `.out` directory) as a Trace. SI units.

The trace time is the table's `t` column (s, absolute simulation time as
mumax3 writes it); inputs and outputs are table columns chosen by name, with
the units of the header. The metadata records where the data came from and,
for a `.out` directory, the numbers assigned in the script that produced it
(`X.mx3` beside `X.out`, or the one `.mx3` inside it) and the mumax3 version
line of its `log.txt`.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from surrogate.io.mumax3_table import Table, TableError, read_table
from surrogate.io.trace import Trace, TraceError

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_ASSIGNMENT = re.compile(rf"^\s*(?P<name>[A-Za-z_]\w*)\s*:?=\s*(?P<value>{_NUMBER})\s*(?://.*)?$")
_VECTOR = re.compile(
    rf"^\s*(?P<name>[A-Za-z_]\w*)\s*:?=\s*vector\(\s*(?P<x>{_NUMBER})\s*,"
    rf"\s*(?P<y>{_NUMBER})\s*,\s*(?P<z>{_NUMBER})\s*\)"
)
_CALL = re.compile(r"^\s*(?P<name>SetGridsize|SetCellsize|TableAutosave)\((?P<args>[^)]*)\)",
                   re.IGNORECASE)
_VERSION = re.compile(r"mumax\S*\s+(?P<version>\d+\.\d+\S*)", re.IGNORECASE)


def import_table(
    path: Path,
    input_names: list[str],
    output_names: list[str],
    *,
    metadata: dict | None = None,
) -> Trace:
    """The columns `input_names` and `output_names` of a mumax3 table as a Trace.

    `metadata` is merged over the recorded provenance (`engine` defaults to
    "mumax3"). Raises TableError naming the file for a missing column and
    TraceError naming the file for NaN values or non-increasing times.
    """
    path = Path(path)
    table = read_table(path)
    if not input_names or not output_names:
        raise TableError(f"{table.path}: at least one input and one output column are needed")
    for name in [*input_names, *output_names, "t"]:
        table.column(name)
    record = {"source": str(table.path.resolve()), "engine": "mumax3",
              "table_columns": _column_list(table)}
    if path.is_dir():
        record.update(_out_dir_provenance(path))
    record.update(metadata or {})
    try:
        return Trace(
            table.column("t"),
            table.data[:, [table.names.index(n) for n in input_names]],
            table.data[:, [table.names.index(n) for n in output_names]],
            list(input_names), list(output_names),
            [table.unit(n) for n in input_names], [table.unit(n) for n in output_names],
            record,
        )
    except TraceError as exc:
        raise TraceError(f"{table.path}: {exc}") from exc


def _column_list(table: Table) -> list[str]:
    return [f"{name} ({unit})" for name, unit in zip(table.names, table.units, strict=True)]


def _out_dir_provenance(out_dir: Path) -> dict:
    """Script parameters and mumax3 version for a `.out` directory, where found."""
    found: dict = {}
    beside = out_dir.with_suffix(".mx3")
    scripts = [beside] if beside.is_file() else sorted(out_dir.glob("*.mx3"))
    if len(scripts) == 1:
        text = scripts[0].read_text(encoding="utf-8", errors="replace")
        found["script"] = str(scripts[0].resolve())
        found["script_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        found["script_parameters"] = script_parameters(text)
    elif scripts:
        found["scripts_found"] = [str(s.resolve()) for s in scripts]
    log = out_dir / "log.txt"
    if log.is_file():
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines()[:20]:
            match = _VERSION.search(line)
            if match:
                found["mumax3_version"] = match["version"]
                break
    return found


def script_parameters(text: str) -> dict[str, list]:
    """Numbers a mumax3 script assigns, in order: `name -> [value, ...]`.

    Covers `Name = number`, `name := number`, `Name = vector(x, y, z)` and the
    calls SetGridsize, SetCellsize and TableAutosave (their literal arguments).
    Repeated assignments (e.g. `alpha` before and after settling) keep every value.
    """
    found: dict[str, list] = {}
    for line in text.splitlines():
        for pattern in (_VECTOR, _ASSIGNMENT):
            match = pattern.match(line)
            if match:
                groups = match.groupdict()
                value = ([float(groups[k]) for k in "xyz"] if "x" in groups
                         else float(groups["value"]))
                found.setdefault(groups["name"], []).append(value)
                break
        call = _CALL.match(line)
        if call:
            args = [a.strip() for a in call["args"].split(",") if a.strip()]
            values = [float(a) if re.fullmatch(_NUMBER, a) else a for a in args]
            found.setdefault(call["name"], []).append(values)
    return found
