"""Speed of the surrogate against the engine on the same held-out drive (times in s).

The engine's side is read from the simulation's `engine.json`: the wall time of
its driven stage where the engine records stages (magnum.np), else the wall
time of the whole run (mumax3: relaxation and settling included, which
overstates the engine's time for the drive alone; `timed_part` says which).
The surrogate's side is measured two ways over the same
simulated duration:

- compute only: `forecast` of the drive's inputs in this process, after one
  warm-up call (numba's compilation or cache load excluded), median of runs;
  its CPU time too, set against the engine's CPU time of the driven stage
  where recorded (on a shared machine wall times include waiting for a core);
- whole process: `python -m surrogate predict MODEL --drive CONFIG:DRIVE`
  spawned as a subprocess (argument list, no shell), median of runs.
"""

from __future__ import annotations

import csv
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from surrogate.engines.hardware import cpu_record, describe

DRIVE_STAGE = "drive stage"
WHOLE_RUN = "whole run (relaxation, settling and drive)"
SUMMARY_COLUMNS = (
    "device", "drive", "simulated_time_s", "engine", "engine_hardware", "engine_wall_s",
    "engine_cpu_s", "engine_timed_part", "surrogate_hardware", "compute_only_s",
    "compute_only_cpu_s", "whole_process_s", "speedup_compute_only", "speedup_whole_process",
    "speedup_compute_only_cpu", "nrmse",
)


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


def _read_json(path: Path) -> dict:
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
    record = _read_json(path)
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
    value = _read_json(path).get("nrmse")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value < 0:
        raise BenchmarkError(f"{path}: field 'nrmse' must be a finite number >= 0, got {value!r}")
    return float(value)


def timed_runs(call: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall times and CPU times of this process (s) of `runs` calls of `call`."""
    walls, cpus = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
    return walls, cpus


def compute_only_times(model: Path, spec, runs: int) -> tuple[list[float], list[float], int]:
    """Wall and CPU times (s) of `runs` forecasts of the drive of `spec`, after one warm-up,
    and the number of model steps."""
    from surrogate.engines.drive_series import drive_input_series
    from surrogate.node.checkpoint import load_checkpoint
    from surrogate.node.forecast import forecast

    surrogate = load_checkpoint(model)
    series = drive_input_series(spec)
    steps = len(forecast(surrogate, series).t)
    walls, cpus = timed_runs(lambda: forecast(surrogate, series), runs)
    return walls, cpus, steps


def predict_command(model: Path, config: Path, drive: str, device: str, out: Path) -> list[str]:
    """The argument list of the `predict` process that is timed whole."""
    return [sys.executable, "-m", "surrogate", "predict", str(model),
            "--drive", f"{config}:{drive}", "--device", device, "--out", str(out)]


def whole_process_times(model: Path, config: Path, drive: str, device: str,
                        runs: int) -> tuple[list[float], list[str]]:
    """Wall times (s) of `runs` `predict` processes, each writing into a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="surrogate-benchmark-") as folder:
        command = predict_command(model, config, drive, device, Path(folder) / "forecast.npz")

        def run_once() -> None:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise BenchmarkError(f"{model}: `predict --drive {config}:{drive}` failed: "
                                     f"{done.stderr.strip()[-500:]}")

        return timed_runs(run_once, runs)[0], command


def benchmark_device(
    model: Path, config: Path, device: str, drive: str, engine_json: Path, evaluation: Path,
    *, runs: int = 7, process_runs: int = 3,
) -> dict:
    """The benchmark record of one device on its held-out drive (times in s)."""
    from surrogate.config.loader import load_config

    spec = load_config(config).simulation_spec(device, drive)
    engine = engine_timing(engine_json)
    nrmse = held_out_nrmse(evaluation)
    compute, compute_cpu, steps = compute_only_times(model, spec, runs)
    process, command = whole_process_times(model, config, drive, device, process_runs)
    compute_s, process_s = statistics.median(compute), statistics.median(process)
    compute_cpu_s = statistics.median(compute_cpu)
    return {
        "device": device,
        "drive": drive,
        "simulated_time_s": spec.drive.duration,
        "nrmse": nrmse,
        "nrmse_source": str(evaluation),
        "engine": {
            "name": engine.engine, "hardware": engine.hardware, "wall_s": engine.wall_s,
            "timed_part": engine.timed_part, "total_wall_s": engine.total_wall_s,
            "cpu_s": engine.cpu_s, "source": str(engine_json),
        },
        "surrogate": {
            "hardware": cpu_record(_torch_threads()),
            "model": str(model),
            "steps": steps,
            "compute_only_s": compute_s,
            "compute_only_runs_s": compute,
            "compute_only_cpu_s": compute_cpu_s,
            "compute_only_cpu_runs_s": compute_cpu,
            "whole_process_s": process_s,
            "whole_process_runs_s": process,
            "whole_process_command": ["python", *command[1:]],
        },
        "speedup_compute_only": engine.wall_s / compute_s,
        "speedup_whole_process": engine.wall_s / process_s,
        "speedup_compute_only_cpu": None if engine.cpu_s is None or compute_cpu_s <= 0
        else engine.cpu_s / compute_cpu_s,
    }


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def read_benchmark(path: Path) -> dict:
    """A benchmark record written by `benchmark_device`; errors name the file and field."""
    record = _read_json(path)
    for field in ("device", "drive", "engine", "surrogate"):
        if field not in record:
            raise BenchmarkError(f"{path}: field '{field}' is missing")
    for field in ("simulated_time_s", "speedup_compute_only", "speedup_whole_process"):
        _positive(path, field, record.get(field))
    if not isinstance(record.get("nrmse"), int | float) or not math.isfinite(record["nrmse"]):
        raise BenchmarkError(f"{path}: field 'nrmse' must be a finite number")
    return record


def summary_row(record: dict) -> dict:
    """One row of the summary table (times in s)."""
    engine, surrogate = record["engine"], record["surrogate"]
    return {
        "device": record["device"],
        "drive": record["drive"],
        "simulated_time_s": f"{record['simulated_time_s']:.6g}",
        "engine": engine["name"],
        "engine_hardware": describe(engine["hardware"]),
        "engine_wall_s": f"{engine['wall_s']:.4g}",
        "engine_cpu_s": _optional(engine.get("cpu_s")),
        "engine_timed_part": engine["timed_part"],
        "surrogate_hardware": describe(surrogate["hardware"]),
        "compute_only_s": f"{surrogate['compute_only_s']:.4g}",
        "compute_only_cpu_s": _optional(surrogate.get("compute_only_cpu_s")),
        "whole_process_s": f"{surrogate['whole_process_s']:.4g}",
        "speedup_compute_only": f"{record['speedup_compute_only']:.4g}",
        "speedup_whole_process": f"{record['speedup_whole_process']:.4g}",
        "speedup_compute_only_cpu": _optional(record.get("speedup_compute_only_cpu")),
        "nrmse": f"{record['nrmse']:.4g}",
    }


def _optional(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def write_summary(records: Sequence[dict], out: Path) -> Path:
    """The TSV summary, one row per device, written atomically."""
    from surrogate.io.atomic import atomic_write

    with atomic_write(out) as tmp, open(tmp, "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=SUMMARY_COLUMNS, delimiter="\t")
        writer.writeheader()
        for record in records:
            writer.writerow(summary_row(record))
    return Path(out)
