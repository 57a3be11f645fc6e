"""Collecting evaluation results into `results/metrics.json`."""

from __future__ import annotations

import json
from pathlib import Path


def _read(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable JSON result ({exc})") from exc


def collect_metrics(eval_paths: list[Path], train_report_paths: list[Path]) -> dict:
    """Merge evaluation JSONs (`.../{device}/{drive}.json`) and training reports.

    The summary gives, per evaluation, the NRMSE, the simulation's and the
    surrogate's wall times (s) and their ratio, measured in the same run.
    """
    evaluations = {str(path): _read(path) for path in eval_paths}
    reports = {str(path): _read(path) for path in train_report_paths}
    summary = {}
    for path, result in evaluations.items():
        simulated = result.get("simulation_wall_time_s")
        predicted = result.get("prediction_wall_time_s")
        summary[f"{Path(path).parent.name}/{Path(path).stem}"] = {
            "nrmse": result["nrmse"],
            "simulated_time_s": result.get("simulated_time_s"),
            "simulation_wall_time_s": simulated,
            "prediction_wall_time_s": predicted,
            "speedup": (simulated / predicted) if simulated and predicted else None,
        }
    return {"summary": summary, "evaluations": evaluations, "training": reports}
