"""Run any `SimulationSpec` on magnum.np: one registry from device kind to its run class.

The drive is read from the data files `render` wrote beside the mumax3 script
(`surrogate.engines.drive_files.read_drive`), never redrawn, so both engines
run the same waveform. magnum.np itself is imported only when a run starts.
"""

from __future__ import annotations

from pathlib import Path

from surrogate.config.engines import check_supported
from surrogate.config.parameters import DRIVABLE
from surrogate.config.specs import SimulationSpec
from surrogate.engines.drive_files import read_drive
from surrogate.engines.magnumnp.base import MagnumRun, Numerics
from surrogate.engines.magnumnp.skyrmion import SkyrmionRun
from surrogate.engines.magnumnp.sp4 import StandardProblem4Run
from surrogate.engines.magnumnp.vortex import VortexRun
from surrogate.engines.table_layout import input_columns

#: Device kind -> the magnum.np run of that device.
RUNS: dict[str, type[MagnumRun]] = {
    "skyrmion": SkyrmionRun,
    "vortex_oscillator": VortexRun,
    "standard_problem_4": StandardProblem4Run,
}
#: Unit of the table's input columns of devices without drive channels.
FIELD_UNIT = "T"


def run_magnumnp(
    spec: SimulationSpec, out_dir: Path, drive_folder: Path, *, dtype: str = "float64",
    threads: int = 1, progress: bool = True, numerics: Numerics | None = None,
    timeout_s: float | None = None,
) -> Path:
    """Simulate `spec`; write `out_dir/table.txt` (mumax3 layout) and return its path.

    `drive_folder` holds the drive data files and region map `render` wrote
    (the script's folder). Also writes `m_relaxed.ovf`, `m_final.ovf` (OVF2) and
    `engine.json`. `numerics` replaces the device kind's default settings;
    past `timeout_s` of wall time (checked between integration steps) it raises
    EngineError.
    Raises ValueError naming the field for a device or drive magnum.np does not
    run, DriveSpecError for missing or mismatched data files, and EngineError
    if magnum.np fails to import, the integration diverges or the magnetic
    texture is lost; table.txt appears only when the whole run succeeded.
    """
    check_supported("magnumnp", spec)
    run_class = RUNS[spec.device.kind]
    plan = read_drive(spec, drive_folder) if spec.device.kind in DRIVABLE else None
    columns = input_columns(spec)
    units = [ch.unit for ch in plan.channels] if plan is not None else [FIELD_UNIT] * len(columns)
    if len(units) != len(columns):
        raise ValueError(f"spec '{spec.device.name}': input columns {columns} do not match the "
                         f"drive's {len(units)} channels")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in ("table.txt", "engine.json"):
        (out_dir / stale).unlink(missing_ok=True)
    run = run_class(spec, out_dir, plan, data_folder=drive_folder, numerics=numerics,
                    dtype=dtype, threads=threads, timeout_s=timeout_s,
                    progress=progress)
    return run.execute(columns, units)
