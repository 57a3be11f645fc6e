"""Collecting evaluation results into `results/metrics.json`."""

from __future__ import annotations

import json
from pathlib import Path


def _read(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable JSON result ({exc})") from exc


def collect_metrics(eval_paths: list[Path], train_report_paths: list[Path],
                    benchmark_paths: list[Path] = ()) -> dict:
    """Merge evaluation JSONs (`.../{device}/{drive}.json`), training reports and benchmarks.

    The summary gives, per evaluation, the NRMSE and the simulation's and
    `evaluate`'s wall times (s). The speed-ups are those of the benchmark of the
    same device and drive (`surrogate.analysis.benchmark`): the engine against
    the surrogate's warm forecast (compute only) and against a whole `predict`
    process, over the same simulated time; null where no benchmark was given.
    """
    from surrogate.analysis.benchmark import read_benchmark

    evaluations = {str(path): _read(path) for path in eval_paths}
    reports = {str(path): _read(path) for path in train_report_paths}
    benchmarks = {str(path): read_benchmark(path) for path in benchmark_paths}
    by_run = {f"{record['device']}/{record['drive']}": (path, record)
              for path, record in benchmarks.items()}
    summary = {}
    for path, result in evaluations.items():
        simulated = result.get("simulation_wall_time_s")
        predicted = result.get("prediction_wall_time_s")
        run = f"{Path(path).parent.name}/{Path(path).stem}"
        benchmark_path, benchmark = by_run.get(run, (None, None))
        summary[run] = {
            "nrmse": result["nrmse"],
            "simulated_time_s": result.get("simulated_time_s"),
            "simulation_wall_time_s": simulated,
            "prediction_wall_time_s": predicted,
            "speedup_compute_only": None if benchmark is None
            else benchmark["speedup_compute_only"],
            "speedup_whole_process": None if benchmark is None
            else benchmark["speedup_whole_process"],
            "benchmark": benchmark_path,
        }
    return {"summary": summary, "evaluations": evaluations, "training": reports,
            "benchmarks": benchmarks}
