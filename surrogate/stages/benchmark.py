"""`benchmark`: the surrogate's speed against the engine on the same held-out drive (times in s).

The engine's side is read from the simulation's `engine.json`
(`surrogate.analysis.benchmark.engine_timing`). The surrogate's side is measured
two ways over the same simulated duration:

- compute only: `load_model(MODEL, compiled=True).forecast` of the drive's
  inputs in this process, after one warm-up call (numba's cache load
  excluded), median of runs; its CPU time too, set against the engine's CPU
  time of the driven stage where recorded (on a shared machine wall times
  include waiting for a core);
- whole process: `python -m surrogate predict MODEL --inputs DRIVE.npy
  --sample-period DT` spawned as a subprocess (argument list, no shell), median
  of runs. The drive's input samples are written to DRIVE.npy once, untimed,
  so the timed process is what a script forecasting a drive runs: model file,
  inputs file, forecast, trace written (no config file, jsonschema or engine code).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from surrogate.stages.options import (
    CliError,
    add_command,
    declare_paths,
    json_option,
    positive_int,
    set_threads,
)


def timed_runs(call: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall times and CPU times of this process (s) of `runs` calls of `call`."""
    walls, cpus = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
    return walls, cpus


def compute_only_times(model: Path, series, runs: int) -> tuple[list[float], list[float], int]:
    """Wall and CPU times (s) of `runs` forecasts of the input series `series` by the
    compiled kernels, after one warm-up, and the number of model steps."""
    from surrogate.node.forecast import load_model

    forecaster = load_model(model, compiled=True)
    steps = len(forecaster.forecast(series).t)
    walls, cpus = timed_runs(lambda: forecaster.forecast(series), runs)
    return walls, cpus, steps


def predict_command(model: Path, drive: Path, sample_period: float, out: Path) -> list[str]:
    """The argument list of the `predict` process that is timed whole. It forecasts the
    held-out drive that `evaluate` already scored, wherever that lies against the training
    envelope, so it extrapolates where `evaluate` would."""
    return [sys.executable, "-m", "surrogate", "predict", str(model), "--inputs", str(drive),
            "--sample-period", repr(sample_period), "--extrapolate", "--out", str(out)]


def whole_process_times(model: Path, series, runs: int) -> tuple[list[float], list[str]]:
    """Wall times (s) of `runs` `predict` processes of the input samples of `series`, written
    once (untimed) to a `.npy` file in a temporary folder, where each process writes too."""
    import numpy as np

    from surrogate.analysis.benchmark import BenchmarkError

    with tempfile.TemporaryDirectory(prefix="surrogate-benchmark-") as folder:
        drive = Path(folder) / "drive.npy"
        np.save(drive, series.values)
        command = predict_command(model, drive, series.dt, Path(folder) / "forecast.npz")

        def run_once() -> None:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise BenchmarkError(f"{model}: `predict --inputs` of the drive failed: "
                                     f"{done.stderr.strip()[-500:]}")

        return timed_runs(run_once, runs)[0], command


def benchmark_device(
    model: Path, run, device: str, drive: str, engine_json: Path, evaluation: Path,
    *, runs: int = 7, process_runs: int = 3,
) -> dict:
    """The benchmark record of one device of the RunConfig `run` on its held-out drive
    (times in s)."""
    import torch

    from surrogate.analysis.benchmark import engine_timing, held_out_nrmse
    from surrogate.engines.drive_series import drive_input_series
    from surrogate.engines.hardware import cpu_record

    spec = run.simulation_spec(device, drive)
    engine = engine_timing(engine_json)
    nrmse = held_out_nrmse(evaluation)
    series = drive_input_series(spec)
    compute, compute_cpu, steps = compute_only_times(model, series, runs)
    process, command = whole_process_times(model, series, process_runs)
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
            "hardware": cpu_record(torch.get_num_threads()),
            "model": str(model),
            "steps": steps,
            "compute_only_s": compute_s,
            "compute_only_runs_s": compute,
            "compute_only_cpu_s": compute_cpu_s,
            "compute_only_cpu_runs_s": compute_cpu,
            "compute_only_rollout": "compiled",
            "whole_process_s": process_s,
            "whole_process_runs_s": process,
            "whole_process_command": ["python", *command[1:]],
        },
        "speedup_compute_only": engine.wall_s / compute_s,
        "speedup_whole_process": engine.wall_s / process_s,
        "speedup_compute_only_cpu": None if engine.cpu_s is None or compute_cpu_s <= 0
        else engine.cpu_s / compute_cpu_s,
    }


def cmd_benchmark(args: argparse.Namespace) -> None:
    from surrogate.config.loader import load_config, parse_config
    from surrogate.io.atomic import write_json_atomic
    from surrogate.io.provenance import check_evaluation_belongs

    set_threads(args.threads)
    if (args.config is None) == (args.spec_json is None):
        raise CliError("benchmark needs exactly one of: a CONFIG file, --spec-json")
    check_evaluation_belongs(args.eval, args.model, args.device, args.drive)
    run = (load_config(args.config) if args.config is not None
           else parse_config(json_option("--spec-json", args.spec_json), "--spec-json"))
    record = benchmark_device(
        Path(args.model), run, args.device, args.drive, Path(args.engine_json),
        Path(args.eval), runs=args.runs, process_runs=args.process_runs,
    )
    write_json_atomic(Path(args.out), record)
    print(f"{args.out}: compute only {record['surrogate']['compute_only_s']:.4g} s "
          f"({record['speedup_compute_only']:.4g}x), whole process "
          f"{record['surrogate']['whole_process_s']:.4g} s "
          f"({record['speedup_whole_process']:.4g}x), NRMSE {record['nrmse']:.4g}")


def register(sub) -> None:
    """`benchmark`."""
    p = add_command(sub, "benchmark", "time the surrogate against the engine on a held-out drive",
                    cmd_benchmark)
    p.add_argument("model")
    p.add_argument("config", nargs="?", help="configuration YAML holding the device and drive")
    p.add_argument("--spec-json", help="the configuration as JSON instead of a file")
    p.add_argument("--device", required=True)
    p.add_argument("--drive", required=True, help="the held-out drive that was simulated")
    p.add_argument("--engine-json", required=True, help="the simulation's engine.json")
    p.add_argument("--eval", required=True, help="evaluate --json result on that drive")
    p.add_argument("--runs", type=positive_int, default=7,
                   help="timed forecasts after the warm-up (median taken)")
    p.add_argument("--process-runs", type=positive_int, default=3,
                   help="timed `predict` processes (median taken)")
    p.add_argument("--threads", type=positive_int, default=1, help="torch threads (default 1)")
    p.add_argument("--out", required=True, help="benchmark JSON")
    declare_paths(p, ("model", "config", "engine_json", "eval"), ("out",))
