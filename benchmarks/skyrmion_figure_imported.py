"""Metrics of figure 1 (skyrmion, k = 1 and k = 2) made from imported mumax3 tables.

Reads what `snakemake --profile profiles/imported_skyrmion
results/figures/skyrmion.png` wrote for DEVICE: the evaluations of both models
(results/eval/DEVICE{,_k1}/*.json), their training reports
(results/models/DEVICE{,_k1}.json) and Snakemake's training timings
(results/benchmarks/train/DEVICE{,_k1}.tsv), and writes one small JSON with, per
model, the free-running NRMSE of ⟨mz⟩ on every evaluated drive (the training and
the held-out window), the training iterations and minutes, and the wall and CPU
seconds of training. Times in s unless named minutes.

    python -m benchmarks.skyrmion_figure_imported --device authors_skyrmion \
        --out benchmarks/results/skyrmion_figure_imported.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.common import produced_input, workflow_metrics_arguments, write_result_json
from benchmarks.parameters_as_inputs import job_seconds

FIGURE_COMMAND = ("snakemake --profile profiles/imported_skyrmion --nolock -j2 "
                  "results/figures/skyrmion.png")
MODELS = {"k1": "_k1", "k2": ""}  # model label -> suffix of its results name


def model_metrics(results: Path, name: str) -> dict:
    """NRMSE per evaluated drive, training report and training timing of one model."""
    report = json.loads(produced_input(results / "models" / f"{name}.json",
                                       FIGURE_COMMAND).read_text())
    evaluations = {path.stem: json.loads(path.read_text())["nrmse"]
                   for path in sorted((results / "eval" / name).glob("*.json"))}
    return {
        "nrmse": evaluations,
        "training": {key: report.get(key) for key in
                     ("minutes", "iterations", "stopped_by", "best_val_nrmse",
                      "final_train_nrmse")},
        "train_job_seconds": job_seconds(produced_input(
            results / "benchmarks" / "train" / f"{name}.tsv", FIGURE_COMMAND)),
    }


def main(argv: list[str] | None = None) -> int:
    args = workflow_metrics_arguments(__doc__, argv)
    produced_input(args.results / "figures" / "skyrmion.png", FIGURE_COMMAND)
    record = {"device": args.device, "figure_command": FIGURE_COMMAND,
              "models": {label: model_metrics(args.results, args.device + suffix)
                         for label, suffix in MODELS.items()}}
    write_result_json(args.out, record)
    for label, metrics in record["models"].items():
        print(f"{label}: NRMSE {metrics['nrmse']}, {metrics['training']['iterations']} "
              f"iterations in {metrics['training']['minutes']:.2f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
