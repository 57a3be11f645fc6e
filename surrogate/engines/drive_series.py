"""A drive's input columns computed from the config alone, without simulating it."""

from __future__ import annotations

import numpy as np

from surrogate.config.parameters import DRIVABLE
from surrogate.config.specs import SimulationSpec
from surrogate.engines.drive_files import drive_plan
from surrogate.engines.table_layout import expected_table_rows, input_columns
from surrogate.io.input_series import InputSeries


def drive_input_series(spec: SimulationSpec) -> InputSeries:
    """The input columns a complete table of `spec` holds, at drive times t (s) from 0.

    Same names, units and values (base + offset, SI) as the engines write, one
    row every `sample_period` (s): what the surrogate needs to forecast the drive.
    """
    if spec.device.kind not in DRIVABLE:
        raise ValueError(f"device '{spec.device.name}' of kind '{spec.device.kind}' has no "
                         "drive channels to forecast")
    plan = drive_plan(spec)
    t = np.arange(expected_table_rows(spec)) * spec.sample_period
    series = InputSeries(t, plan.values(t), input_columns(spec), [ch.unit for ch in plan.channels])
    series.validate(f"drive '{spec.drive.name}'")
    return series
