"""Read the committed result files under benchmarks/results/ with their provenance.

Every result file carries its provenance: a JSON file a `provenance` object (written by
`benchmarks.common.write_result_json`), a Markdown file a "Produced by ..." paragraph
(`write_result_markdown`) or, where variant runs are rows of one file, a table whose
rows carry their own command, commit, machine and date. The results page and the
README's headline table are built from these files only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "benchmarks" / "results"
PRODUCED = re.compile(
    r"Produced by `(?P<command>[^`]*)` at commit (?P<commit>[0-9a-f]{7,40})"
    r"(?P<dirty> \(with uncommitted changes\))?, (?P<date>[^;]+); [^;]+; "
    r"(?P<machine>[^;]+?) \((?P<platform>[^)]*)\)\.")
ROW_COLUMNS = ("command", "commit", "machine", "date")


@dataclass(frozen=True)
class Provenance:
    """Where one measurement came from."""

    command: str
    commit: str
    machine: str
    date: str


@dataclass(frozen=True)
class ResultFile:
    """One committed result file, its title and the provenance of each run it holds."""

    path: Path
    title: str
    provenance: tuple[Provenance, ...]

    @property
    def name(self) -> str:
        return self.path.relative_to(RESULTS).as_posix()


def result_paths(results: Path = RESULTS) -> list[Path]:
    """Every result file (JSON and Markdown), sorted, sub-folders included."""
    return sorted(path for path in results.rglob("*")
                  if path.is_file() and path.suffix in (".json", ".md"))


def table_rows(text: str) -> list[dict[str, str]]:
    """Rows of every Markdown table in `text` whose header names all of ROW_COLUMNS."""
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif set(cells) <= {"---", ":---", "---:"}:
            continue
        elif all(column in header for column in ROW_COLUMNS):
            rows.append(dict(zip(header, cells, strict=False)))
    return rows


def _from_json(record: dict) -> tuple[Provenance, ...]:
    info = record.get("provenance")
    if not isinstance(info, dict):
        return ()
    machine = info.get("machine", {})
    dirty = " (with uncommitted changes)" if info.get("git_dirty") else ""
    return (Provenance(info.get("command", ""), info.get("git_commit", "") + dirty,
                       f"{machine.get('cpu_model', '?')}, {machine.get('cpu_cores', '?')} cores",
                       info.get("finished_utc", "")),)


def _from_markdown(text: str) -> tuple[Provenance, ...]:
    found = [Provenance(m["command"], m["commit"] + (m["dirty"] or ""), m["machine"], m["date"])
             for m in PRODUCED.finditer(" ".join(text.split()))]
    if not found:
        found = [Provenance(row["command"].strip("`"), row["commit"], row["machine"], row["date"])
                 for row in table_rows(text)]
    return tuple(found)


def read_result(path: Path) -> ResultFile:
    """The title and provenance of one result file (an empty provenance when it has none)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        record = json.loads(text)
        title = str(record.get("benchmark") or path.stem.replace("_", " "))
        return ResultFile(path, title, _from_json(record))
    heading = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")),
                   path.stem.replace("_", " "))
    return ResultFile(path, heading, _from_markdown(text))


def read_all(results: Path = RESULTS) -> list[ResultFile]:
    """Every result file under `results`."""
    return [read_result(path) for path in result_paths(results)]


def load_json(name: str, results: Path = RESULTS) -> dict:
    """The record of the JSON result file `name` (relative to `results`)."""
    return json.loads((results / name).read_text(encoding="utf-8"))
