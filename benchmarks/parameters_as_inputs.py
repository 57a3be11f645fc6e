"""Metrics of one figure-3 set (parameters as inputs), collected from the workflow's results.

Reads what `snakemake ... results/figures/parameters_as_inputs.png` wrote for
DEVICE: the sweep JSONs (results/parameter_sweep/DEVICE/*.json), the
evaluations (results/eval/DEVICE/*.json), the training report
(results/models/DEVICE.json) and Snakemake's per-job timings
(results/benchmarks/{simulate,train}/...), and writes one small JSON with, per
sweep drive, each held value's amplitude and frequency (micromagnetics and
Spin-NODE) and their mean relative differences, plus the NRMSE of every
evaluated drive and the CPU time of simulation and training. SI units.

    python -m benchmarks.parameters_as_inputs --device authors_two_inputs \
        --out benchmarks/results/parameters_as_inputs_imported.json
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np

from benchmarks.common import produced_input, workflow_metrics_arguments, write_result_json

FIGURE_COMMAND = "snakemake results/figures/parameters_as_inputs.png (with the device's config)"


def job_seconds(path: Path) -> dict:
    """Wall and CPU seconds of one Snakemake `benchmark:` TSV."""
    with open(path, encoding="utf-8") as stream:
        row = next(csv.DictReader(stream, delimiter="\t"))
    return {"wall_s": float(row["s"]), "cpu_s": float(row["cpu_time"])}


def sweep_summary(sweep: dict) -> dict:
    """Mean relative amplitude and frequency differences, Spin-NODE against micromagnetics."""
    points = sweep["points"]
    amplitude = [abs(p["node"]["amplitude"] / p["simulation"]["amplitude"] - 1) for p in points]
    frequency = [abs(p["node"]["frequency_hz"] / p["simulation"]["frequency_hz"] - 1)
                 for p in points]
    return {"points": len(points), "mean_relative_amplitude_difference": float(np.mean(amplitude)),
            "mean_relative_frequency_difference": float(np.mean(frequency))}


def main(argv: list[str] | None = None) -> int:
    args = workflow_metrics_arguments(__doc__, argv)
    sweep_dir = produced_input(args.results / "parameter_sweep" / args.device, FIGURE_COMMAND)
    sweeps = {path.stem: json.loads(path.read_text()) for path in sorted(sweep_dir.glob("*.json"))}
    evaluations = {path.stem: json.loads(path.read_text())["nrmse"]
                   for path in sorted((args.results / "eval" / args.device).glob("*.json"))}
    report = json.loads(produced_input(args.results / "models" / f"{args.device}.json",
                                       FIGURE_COMMAND).read_text())
    timings = {"train": job_seconds(args.results / "benchmarks" / "train" / f"{args.device}.tsv")}
    for path in sorted((args.results / "benchmarks" / "simulate" / args.device).glob("*.tsv")):
        timings[f"simulate {path.stem}"] = job_seconds(path)
    record = {
        "device": args.device,
        "training": {key: report.get(key) for key in
                     ("minutes", "iterations", "best_val_nrmse", "final_train_nrmse")},
        "nrmse": evaluations,
        "job_seconds": timings,
        "cpu_seconds_total": sum(item["cpu_s"] for item in timings.values()),
        "sweeps": {drive: {**sweep_summary(sweep), "skip_time_s": sweep["skip_time_s"],
                           "per_step": sweep["per_step"], "channel": sweep["channel"],
                           "held": [{key: p[key] for key in ("parameter", "held_value",
                                                             "stepped", "step", "simulation",
                                                             "node")}
                                    for p in sweep["points"]]}
                   for drive, sweep in sweeps.items()},
    }
    write_result_json(args.out, record)
    print(json.dumps({drive: {k: v for k, v in item.items() if k != "held"}
                      for drive, item in record["sweeps"].items()}, indent=2))
    print(f"NRMSE {evaluations}; CPU s {record['cpu_seconds_total']:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
