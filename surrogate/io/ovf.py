"""OVF files: read OVF 2.0 fields, write OVF 2.0 text files mumax3 loads. SI units.

Reading goes through ovf2io (OVF 2.0 only: `Data Text`, `Binary 4`, `Binary 8`)
after our own checks, so a truncated file, a wrong binary control number
(1234567.0 for Binary 4, 123456789012345.0 for Binary 8) or a missing header
key is reported with the file name instead of a bare numpy error.

OVF 1.0 files (OOMMF's `# OOMMF: rectangular mesh v1.0`) are rejected with an
OvfError: mumax3 3.10/3.11 writes OVF 2.0 unless a script sets `OutputFormat`
to an OVF1 format (our templates never do), nothing else in this project
produces OVF 1.0, and ovf2io cannot read it. Convert such files to OVF 2.0
with OOMMF's `avf2ovf -ovf 2`.

Writing produces the header layout mumax3's own OVF2 text output uses (as in
the authors' `sequence_amp2.ovf`), with every value at full double precision;
mumax3 stores loaded data as float32, so a value reaches the solver rounded to
about 7 significant digits.
"""

from __future__ import annotations

import os
import shlex
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import ovf2io

_CONTROL = {4: ("<f", 1234567.0), 8: ("<d", 123456789012345.0)}
_REQUIRED = ("xnodes", "ynodes", "znodes", "valuedim", "xstepsize", "ystepsize", "zstepsize")


class OvfError(ValueError):
    """An OVF file is missing, truncated, of an unsupported version or malformed."""


@dataclass(frozen=True)
class Mesh:
    """Rectangular mesh: `nodes` (nx, ny, nz), `cell_size` and corner `origin` (m).

    Values are as the header states them: old mumax3 versions wrote step sizes
    of 0, which are kept, not guessed.
    """

    nodes: tuple[int, int, int]
    cell_size: tuple[float, float, float]
    origin: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass
class OvfField:
    """A field on a mesh: `values` has shape (nx, ny, nz, valuedim), x fastest on disk."""

    values: np.ndarray
    mesh: Mesh
    labels: list[str]
    units: list[str]
    title: str
    path: Path | None = None


def read_ovf(path: str | os.PathLike) -> OvfField:
    """Read an OVF 2.0 file (text, Binary 4 or Binary 8); errors name the file.

    NaN or infinite values are refused.
    """
    path = Path(path)
    if not path.is_file():
        raise OvfError(f"{path}: OVF file not found")
    header, data_offset, representation = _scan(path)
    nodes = tuple(int(header[k]) for k in ("xnodes", "ynodes", "znodes"))
    valuedim = int(header["valuedim"])
    count = valuedim * nodes[0] * nodes[1] * nodes[2]
    _check_data_block(path, data_offset, representation, count)
    try:
        parsed = ovf2io.read_ovf(path)
    except Exception as exc:  # ovf2io raises bare Exception/ValueError
        raise OvfError(f"{path}: ovf2io could not read it ({exc})") from exc
    meta = parsed["metadata"]
    labels = list(meta["valuelabels"])
    values = np.stack([np.asarray(parsed["data"][k], dtype=np.float64) for k in labels], axis=-1)
    if not np.all(np.isfinite(values)):
        raise OvfError(f"{path}: the data block holds NaN or infinite values")
    mesh = Mesh(
        nodes,
        tuple(float(meta[k]) for k in ("xstepsize", "ystepsize", "zstepsize")),
        tuple(float(meta[k]) for k in ("xmin", "ymin", "zmin")),
    )
    return OvfField(values, mesh, labels, list(meta["valueunits"]), str(meta["title"]), path)


def _scan(path: Path) -> tuple[dict[str, str], int, str]:
    """Header keys, byte offset of the data block and its representation."""
    header: dict[str, str] = {}
    with open(path, "rb") as stream:
        first = stream.readline().decode("utf-8", "replace").strip()
        if "OVF 2.0" not in first:
            raise OvfError(
                f"{path}: first line '{first}' is not '# OOMMF OVF 2.0'; OVF 1.0 (OOMMF) files "
                "are not supported, convert them with OOMMF's 'avf2ovf -ovf 2'"
            )
        for raw in stream:
            line = raw.decode("utf-8", "replace").strip()
            key, _, value = line.lstrip("#").partition(":")
            key, value = key.strip().lower(), value.strip()
            if key == "begin" and value.lower().startswith("data"):
                representation = value[4:].strip().lower()
                missing = [k for k in _REQUIRED if k not in header]
                if missing:
                    raise OvfError(f"{path}: header lacks field(s) {missing}")
                labels = shlex.split(header.get("valuelabels", ""))
                if len(labels) != int(header["valuedim"]):
                    raise OvfError(
                        f"{path}: field 'valuelabels' names {len(labels)} components, "
                        f"'valuedim' is {header['valuedim']}"
                    )
                if representation not in ("text", "binary 4", "binary 8"):
                    raise OvfError(f"{path}: field 'Begin: Data' has unknown '{value}'")
                return header, stream.tell(), representation
            if value:
                header[key] = value
    raise OvfError(f"{path}: no '# Begin: Data' line; the file is truncated or not OVF")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_data_block(path: Path, offset: int, representation: str, count: int) -> None:
    with open(path, "rb") as stream:
        stream.seek(offset)
        if representation == "text":
            text = stream.read().decode("utf-8", "replace")
            numbers = [w for line in text.splitlines() if not line.lstrip().startswith("#")
                       for w in line.split()]
            if len(numbers) < count:
                raise OvfError(
                    f"{path}: text data holds {len(numbers)} values, the header needs {count} "
                    "(truncated file)"
                )
            try:
                np.array(numbers[:count], dtype=np.float64)
            except ValueError:
                bad = next(w for w in numbers[:count] if not _is_number(w))
                raise OvfError(f"{path}: text data holds '{bad}', not a number") from None
            return
        size = int(representation.split()[1])
        fmt, control = _CONTROL[size]
        head = stream.read(size)
        if len(head) < size:
            raise OvfError(f"{path}: Binary {size} data block is empty (truncated file)")
        found = struct.unpack(fmt, head)[0]
        if found != control:
            raise OvfError(
                f"{path}: Binary {size} control number is {found!r}, expected {control!r} "
                "(corrupt file or wrong byte order)"
            )
        available = len(stream.read(count * size))
        if available < count * size:
            raise OvfError(
                f"{path}: Binary {size} data holds {available // size} values, the header "
                f"needs {count} (truncated file)"
            )


def format_ovf_text(
    values: np.ndarray,
    cell_size: tuple[float, float, float],
    *,
    title: str,
    labels: tuple[str, ...],
    units: tuple[str, ...] | None = None,
) -> str:
    """A field as mumax3-style OVF2 text, one cell per line, x fastest.

    `values` is a 1-D sequence (an N x 1 x 1 scalar mesh, so mumax3 reads value
    n with `s.Get(0, n, 0, 0)`), a scalar field (nx, ny, nz) or a field
    (nx, ny, nz, valuedim) with one label per component. `cell_size` (m) sets
    the header mesh; `units` default to "1".
    """
    field = np.asarray(values, dtype=np.float64)
    if field.ndim == 1:
        field = field.reshape(-1, 1, 1)
    if field.ndim == 3:
        field = field[..., np.newaxis]
    if field.ndim != 4 or field.size == 0:
        raise OvfError(f"OVF '{title}': values must be 1-D, 3-D or 4-D, not {field.shape}")
    valuedim = field.shape[3]
    units = tuple(units) if units is not None else ("1",) * valuedim
    if len(labels) != valuedim or len(units) != valuedim:
        raise OvfError(f"OVF '{title}': {valuedim} components need as many labels and units")
    if not np.all(np.isfinite(field)):
        raise OvfError(f"OVF '{title}': values hold NaN or infinite entries")
    nx, ny, nz = field.shape[:3]
    dx, dy, dz = (float(c) for c in cell_size)
    header = [
        "# OOMMF OVF 2.0", "# Segment count: 1", "# Begin: Segment", "# Begin: Header",
        f"# Title: {title}", "# meshtype: rectangular", "# meshunit: m",
        "# xmin: 0", "# ymin: 0", "# zmin: 0",
        f"# xmax: {nx * dx!r}", f"# ymax: {ny * dy!r}", f"# zmax: {nz * dz!r}",
        f"# valuedim: {valuedim}", f"# valuelabels: {' '.join(labels)}",
        f"# valueunits: {' '.join(units)}",
        "# Desc: Total simulation time:  0  s",
        f"# xbase: {dx / 2!r}", f"# ybase: {dy / 2!r}", f"# zbase: {dz / 2!r}",
        f"# xnodes: {nx}", f"# ynodes: {ny}", f"# znodes: {nz}",
        f"# xstepsize: {dx!r}", f"# ystepsize: {dy!r}", f"# zstepsize: {dz!r}",
        "# End: Header", "# Begin: Data Text",
    ]
    cells = field.transpose(2, 1, 0, 3).reshape(-1, valuedim)
    if valuedim == 1:
        body = "\n".join(map(repr, cells[:, 0].tolist()))
    else:
        body = "\n".join(" ".join(map(repr, cell)) for cell in cells.tolist())
    footer = "# End: Data Text\n# End: Segment\n"
    return "\n".join(header) + "\n" + body + "\n" + footer
