"""The `summary` group: the benchmark table (TSV) and metrics.json (times in s)."""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Sequence
from pathlib import Path

from surrogate.stages.options import add_command, add_group, declare_paths

SUMMARY_COLUMNS = (
    "device", "drive", "simulated_time_s", "engine", "engine_hardware", "engine_wall_s",
    "engine_cpu_s", "engine_timed_part", "surrogate_hardware", "compute_only_s",
    "compute_only_cpu_s", "whole_process_s", "speedup_compute_only", "speedup_whole_process",
    "speedup_compute_only_cpu", "nrmse",
)


def summary_row(record: dict) -> dict:
    """One row of the benchmark table (times in s) from a benchmark record."""
    from surrogate.engines.hardware import describe

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


def cmd_benchmarks(args: argparse.Namespace) -> None:
    from surrogate.analysis.benchmark import read_benchmark

    write_summary([read_benchmark(Path(path)) for path in args.benchmark], Path(args.out))
    print(Path(args.out).read_text(), end="")


def cmd_metrics(args: argparse.Namespace) -> None:
    from surrogate.analysis.summary import collect_metrics
    from surrogate.io.atomic import write_json_atomic

    metrics = collect_metrics([Path(p) for p in args.eval], [Path(p) for p in args.train_report],
                              [Path(p) for p in args.benchmark])
    write_json_atomic(Path(args.out), metrics)
    print(json.dumps(metrics["summary"], indent=2))


def register(sub) -> None:
    """The `summary` group: benchmarks, metrics."""
    group = add_group(sub, "summary", "collect result files: the benchmark table, metrics.json")
    p = add_command(group, "benchmarks", "one TSV row per benchmark JSON", cmd_benchmarks)
    p.add_argument("--benchmark", action="append", required=True, help="benchmark JSON")
    p.add_argument("--out", required=True, help="summary TSV")
    declare_paths(p, ("benchmark",), ("out",))

    p = add_command(group, "metrics", "collect evaluation results into one JSON", cmd_metrics)
    p.add_argument("--eval", action="append", required=True, help="evaluation JSON")
    p.add_argument("--train-report", action="append", default=[], help="training report JSON")
    p.add_argument("--benchmark", action="append", default=[],
                   help="benchmark JSON: its speed-ups join the summary of its drive")
    p.add_argument("--out", required=True)
    declare_paths(p, ("eval", "train_report", "benchmark"), ("out",))
