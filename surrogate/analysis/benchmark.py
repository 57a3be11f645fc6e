"""Benchmark records read back: the engine's timing from a simulation's `engine.json`, the
held-out NRMSE of an `evaluate --json` result and the benchmark JSON (times in s).

The engine's side is the wall time of its driven stage where the engine records
stages (magnum.np), else the wall time of the whole run (mumax3: relaxation and
settling included, which overstates the engine's time for the drive alone;
`timed_part` says which). The records are written by `surrogate.stages.benchmark`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

DRIVE_STAGE = "drive stage"
WHOLE_RUN = "whole run (relaxation, settling and drive)"


class BenchmarkError(ValueError):
    """A file the benchmark reads is missing a field or holds a bad value."""


@dataclass(frozen=True)
class EngineTiming:
    """The engine's side: its name, hardware record, the wall time (s) of `timed_part`
    and its CPU time (s) where the engine records one."""

    engine: str
    hardware: dict
    wall_s: float
    timed_part: str
    total_wall_s: float
    cpu_s: float | None


def read_json(path: Path) -> dict:
    """A JSON object from `path`; errors name the file."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise BenchmarkError(f"{path}: not a readable JSON file ({exc})") from exc
    if not isinstance(data, dict):
        raise BenchmarkError(f"{path}: expected a JSON object")
    return data


def _positive(path: Path, field: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value <= 0:
        raise BenchmarkError(f"{path}: field '{field}' must be a finite number > 0, got {value!r}")
    return float(value)


def engine_timing(path: Path) -> EngineTiming:
    """The engine's wall time (s) for the driven run, from a simulation's `engine.json`."""
    record = read_json(path)
    total = _positive(path, "wall_time_s", record.get("wall_time_s"))
    stages = record.get("wall_s")
    cpu = None
    if isinstance(stages, dict) and "drive" in stages:
        wall, part = _positive(path, "wall_s.drive", stages["drive"]), DRIVE_STAGE
        cpu_stages = record.get("cpu_s")
        if isinstance(cpu_stages, dict) and "drive" in cpu_stages:
            cpu = _positive(path, "cpu_s.drive", cpu_stages["drive"])
    else:
        wall, part = total, WHOLE_RUN
    hardware = record.get("hardware")
    if not isinstance(hardware, dict):
        device = str(record.get("device", "unrecorded"))
        hardware = {"kind": "gpu" if device.startswith("cuda") else "cpu",
                    "name": f"unrecorded ({device})", "threads": record.get("threads", "?"),
                    "cores": "?"}
    return EngineTiming(str(record.get("engine", "unrecorded")), hardware, wall, part, total,
                        cpu)


def held_out_nrmse(path: Path) -> float:
    """The free-running NRMSE of an `evaluate --json` result."""
    value = read_json(path).get("nrmse")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value < 0:
        raise BenchmarkError(f"{path}: field 'nrmse' must be a finite number >= 0, got {value!r}")
    return float(value)


def read_benchmark(path: Path) -> dict:
    """A benchmark record written by `benchmark_device`; errors name the file and field."""
    record = read_json(path)
    for field in ("device", "drive", "engine", "surrogate"):
        if field not in record:
            raise BenchmarkError(f"{path}: field '{field}' is missing")
    for field in ("simulated_time_s", "speedup_compute_only", "speedup_whole_process"):
        _positive(path, field, record.get(field))
    if not isinstance(record.get("nrmse"), int | float) or not math.isfinite(record["nrmse"]):
        raise BenchmarkError(f"{path}: field 'nrmse' must be a finite number")
    return record
