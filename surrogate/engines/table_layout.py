"""The layout of a simulation's table, the same for both engines.

Both engines write mumax3's layout: t, mx, my, mz, then the drive's input
columns named here, one row every `sample_period` (s).
"""

from __future__ import annotations

from surrogate.config.parameters import MUMAX3_NAMES
from surrogate.config.specs import (
    ParameterInputsDrive,
    SimulationSpec,
    StandardProblem4,
    VortexOscillator,
)


def expected_table_rows(spec: SimulationSpec) -> int:
    """Rows a complete run writes at least: one per sample period of the drive.

    mumax3 writes a row at the drive start and one each `sample_period` after;
    whether the row at exactly the end time appears depends on float rounding,
    so the guaranteed count is duration / sample_period.
    """
    return int(round(spec.drive.duration / spec.sample_period))


def input_columns(spec: SimulationSpec) -> list[str]:
    """The table columns (mumax3 names, unit dropped) that record the drive of `spec`.

    Skyrmion devices: `<parameter>.region<input_region>` per driven parameter,
    the region average mumax3 writes for `TableAdd(<parameter>.Region(r))`; with
    grains no region carries the bare input, so the column is a `TableAddVar`
    named `<parameter>_input` holding base + offset. The vortex oscillator:
    `Jz` (A/m2); standard problem 4: the B_ext components (T).
    """
    device, drive = spec.device, spec.drive
    if isinstance(device, VortexOscillator):
        return [f"{MUMAX3_NAMES['J']}z"]
    if isinstance(device, StandardProblem4):
        return ["B_extx", "B_exty", "B_extz"]
    inputs = drive.inputs if isinstance(drive, ParameterInputsDrive) else (drive,)
    names = [MUMAX3_NAMES[item.parameter] for item in inputs]
    if device.grains is not None:
        return [f"{name}_input" for name in names]
    return [f"{name}.region{device.input_region}" for name in names]
