"""Scheduler requests of a job, estimated before it runs: wall time (min) and memory (MB).

A simulation's cost grows with its cells times its simulated time (settling plus
drive). The per-cell figures are upper bounds of what was measured:

- magnum.np on one CPU core: 0.17 s per cell and simulated ns at 1 nm cells, about
  0.13 at 4 nm, 0.05 for the vortex oscillator at 300 K (measured by
  benchmarks/magnumnp_sto_speed.py and the default run's own simulation timings).
- mumax3 on a GPU: the paper's Mackey-Glass run, at least 5300 samples of 500 ps
  (2.65 us) on 6400 cells in about 3 days (../shared/README.md), is 0.015 s per
  cell and simulated ns.

`auto` is costed as magnum.np, the engine it falls back to on a node without a GPU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from surrogate.config.loader import simulation_bytes
from surrogate.config.specs import SimulationSettings, SimulationSpec

#: Wall time (s) per cell and simulated ns, by engine (see the module docstring).
SECONDS_PER_CELL_NS = {"magnumnp": 0.2, "mumax3": 0.02, "auto": 0.2}
#: Wall time (s) of a simulation job besides stepping: imports, relaxing, writing files.
SIMULATION_OVERHEAD_S = 120.0
#: Resident memory (MB) of a simulation job before its grid: Python, torch and the engine.
#: A 400-cell magnum.np simulation peaked at 484 MB resident (Snakemake's benchmark file
#: of `simulate`, 2026-11-30); this leaves three times that.
SIMULATION_BASE_MB = 1500
#: Shortest runtime (min) requested for a simulation: queueing a job costs more than this.
MIN_SIMULATION_MINUTES = 5
#: Wall time (min) of a training job besides its `max_minutes` budget: imports, the
#: final free-running rollouts over the trace and saving.
TRAIN_OVERHEAD_MINUTES = 5
#: The engine's own time limit ends this many minutes before the scheduler's, so a
#: run that overruns fails with our message and log instead of being killed.
ENGINE_TIMEOUT_MARGIN_MINUTES = 1


class CostLimitError(ValueError):
    """A job's estimated cost exceeds the configured limit."""


@dataclass(frozen=True)
class SimulationCost:
    """Scheduler requests of one simulation's first attempt: `runtime_minutes` (min) and
    `mem_mb` (MB)."""

    runtime_minutes: int
    mem_mb: int


def simulated_seconds(spec: SimulationSpec) -> float:
    """Simulated time of one run (s): the device's settling stage (if any) plus the drive."""
    return getattr(spec.device, "settle_time", 0.0) + spec.drive.duration


def cell_count(spec: SimulationSpec) -> int:
    """Cells of the device's grid."""
    return math.prod(int(n) for n in spec.device.grid)


def simulation_cost(spec: SimulationSpec, engine: str,
                    settings: SimulationSettings) -> SimulationCost:
    """Estimated requests of `spec` on `engine`; CostLimitError names the device, the drive
    and the limit (`simulation.runtime_minutes` or `simulation.mem_mb`) it exceeds."""
    step_s = cell_count(spec) * simulated_seconds(spec) * 1e9 * SECONDS_PER_CELL_NS[engine]
    runtime = math.ceil((SIMULATION_OVERHEAD_S + step_s) / 60.0)
    runtime = max(runtime, MIN_SIMULATION_MINUTES)
    mem_mb = SIMULATION_BASE_MB + math.ceil(simulation_bytes(spec.device) / 2**20)
    where = (f"simulation of device '{spec.device.name}' with drive '{spec.drive.name}' "
             f"({cell_count(spec)} cells, {simulated_seconds(spec):.3g} s simulated, "
             f"engine {engine})")
    if runtime > settings.runtime_minutes:
        raise CostLimitError(
            f"{where}: estimated {runtime} min of wall time exceeds the limit "
            f"simulation.runtime_minutes = {settings.runtime_minutes}; raise the limit, use "
            "larger cells or a shorter drive"
        )
    if mem_mb > settings.mem_mb:
        raise CostLimitError(
            f"{where}: estimated {mem_mb} MB of memory exceeds the limit "
            f"simulation.mem_mb = {settings.mem_mb}; raise the limit or use larger cells"
        )
    return SimulationCost(runtime_minutes=runtime, mem_mb=mem_mb)


def retry_runtime_minutes(first_minutes: int, attempt: int) -> int:
    """Runtime (min) of attempt `attempt` (1, 2, ...): a run killed at its walltime is
    resubmitted with proportionally more time."""
    return first_minutes * attempt


def engine_timeout_minutes(runtime_minutes: float, settings: SimulationSettings) -> float:
    """The engine's own wall-time limit (min) in a job of `runtime_minutes` (min): a margin
    before the scheduler's kill, and at most `simulation.timeout_minutes`."""
    return min(settings.timeout_minutes, runtime_minutes - ENGINE_TIMEOUT_MARGIN_MINUTES)


def train_runtime_minutes(max_minutes: float) -> int:
    """Scheduler runtime (min) of a training job with a `max_minutes` (min) budget."""
    return math.ceil(max_minutes) + TRAIN_OVERHEAD_MINUTES
