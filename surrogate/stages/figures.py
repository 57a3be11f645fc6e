"""The `figure` group: the workflow's figures from traces, models and result files."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from surrogate.stages.experiments import (
    RECOGNITION_OPTIONS,
    read_labels,
    recognition_sources,
)
from surrogate.stages.options import (
    CliError,
    add_command,
    add_group,
    declare_paths,
    json_option,
    positive_float,
)

FIGURE_FILES_HELP = "figure file; the suffix sets the format (.png, .pdf); repeatable"


def cmd_overlay(args: argparse.Namespace) -> None:
    from surrogate.analysis.figures import overlay_figure
    from surrogate.io.trace import load_trace

    simulated = {"train": load_trace(args.train_trace), "test": load_trace(args.test_trace)}
    predicted = {"train": load_trace(args.train_pred), "test": load_trace(args.test_pred)}
    overlay_figure(simulated, predicted, args.channel, Path(args.out), title=args.title)
    print(args.out)


def cmd_skyrmion(args: argparse.Namespace) -> None:
    from surrogate.analysis.skyrmion_figure import skyrmion_figure
    from surrogate.io.trace import load_trace
    from surrogate.node.checkpoint import load_checkpoint

    if not len(args.model) == len(args.train_pred) == len(args.test_pred):
        raise CliError("give one --train-pred and one --test-pred per --model, in order")
    predicted = {}
    for model, train, test in zip(args.model, args.train_pred, args.test_pred, strict=True):
        k = load_checkpoint(Path(model)).shape.k
        if k in predicted:
            raise CliError(f"--model {model}: a second model with k = {k}")
        predicted[k] = (load_trace(train), load_trace(test))
    simulated = (load_trace(args.train_trace), load_trace(args.test_trace))
    for path in skyrmion_figure(simulated, predicted, args.channel, args.out):
        print(path)


def cmd_speed(args: argparse.Namespace) -> None:
    from surrogate.analysis.benchmark import read_benchmark
    from surrogate.analysis.speed_figure import speed_accuracy_figure

    records = [read_benchmark(Path(path)) for path in args.benchmark]
    for path in speed_accuracy_figure(records, args.out):
        print(path)


def benchmark_wall_time(path: Path) -> float:
    """The wall time `s` (s) of a Snakemake benchmark TSV's first run; errors name the file."""
    rows = [line.split("\t") for line in path.read_text().splitlines() if line.strip()]
    if len(rows) < 2 or "s" not in rows[0]:
        raise CliError(f"{path}: not a Snakemake benchmark file (no column 's' and a row)")
    try:
        value = float(rows[1][rows[0].index("s")])
    except (ValueError, IndexError) as exc:
        raise CliError(f"{path}: column 's' of the first row is not a number") from exc
    if not math.isfinite(value) or value < 0:
        raise CliError(f"{path}: column 's' holds {value!r}, not a wall time")
    return value


def cmd_mackey_glass(args: argparse.Namespace) -> None:
    from surrogate.analysis.reservoir import log10_gap
    from surrogate.analysis.reservoir_figure import mackey_glass_figure
    from surrogate.io.atomic import write_json_atomic

    results = {key: json.loads(Path(getattr(args, key)).read_text())
               for key in ("simulated", "node_simulated", "node_full")}
    wall = None if args.node_full_benchmark is None else benchmark_wall_time(
        Path(args.node_full_benchmark))
    mackey_glass_figure(results, [Path(path) for path in args.out], wall)
    summary = {
        "node_full_run_wall_time_s": wall,
        "node_full_run": f"{results['node_full']['n_samples']} samples x "
                         f"{results['node_full']['n_virtual_nodes']} virtual nodes",
        "node_against_micromagnetics": log10_gap(results["node_simulated"],
                                                 results["simulated"]),
        "nrmse": {key: dict(zip(result["horizons"], result["nrmse"], strict=True))
                  for key, result in results.items()},
    }
    if args.summary:
        write_json_atomic(Path(args.summary), summary)
    gap = summary["node_against_micromagnetics"]
    print(f"{', '.join(args.out)}: worst |log10 NRMSE gap| {gap['worst_log10_gap']:.3f} "
          f"at H = {gap['worst_horizon']}")


def read_sweep(path: Path) -> dict:
    """An `experiment parameter-sweep` JSON; errors name the file and the missing field."""
    def refuse(constant: str) -> float:
        raise CliError(f"{path}: holds {constant}, not a finite number")

    try:
        sweep = json.loads(Path(path).read_text(), parse_constant=refuse)
    except (OSError, json.JSONDecodeError) as exc:
        raise CliError(f"{path}: not a readable sweep JSON ({exc})") from exc
    for key in ("channel", "per_step", "points"):
        if key not in sweep:
            raise CliError(f"{path}: field '{key}' is missing; write it with "
                           "experiment parameter-sweep")
    return sweep


def cmd_parameters(args: argparse.Namespace) -> None:
    from surrogate.analysis.parameter_sweep_figure import parameter_sweep_figure

    sweeps = [read_sweep(Path(path)) for path in args.sweep]
    for path, sweep in zip(args.sweep[1:], sweeps[1:], strict=True):
        if (sweep["channel"], sweep["per_step"]) != (sweeps[0]["channel"], sweeps[0]["per_step"]):
            raise CliError(f"{path}: field 'channel'/'per_step' differs from {args.sweep[0]}")
    points = [point for sweep in sweeps for point in sweep["points"]]
    written = parameter_sweep_figure(points, sweeps[0]["per_step"], sweeps[0]["channel"],
                                     [Path(args.png), Path(args.pdf)], title=args.title)
    print(" ".join(map(str, written)))


def cmd_recognition(args: argparse.Namespace) -> None:
    from surrogate.analysis.recognition_figure import recognition_figure
    from surrogate.io.trace import load_trace

    accuracy = json_option(args.accuracy, Path(args.accuracy).read_text())
    recognition_figure(read_labels(Path(args.labels)), load_trace(args.simulation),
                       recognition_sources(args), accuracy, args.point_time,
                       [Path(args.out), Path(args.pdf)])
    print(args.out, args.pdf)


def _register_overlays(sub) -> None:
    p = add_command(sub, "overlay", "overlay simulated and predicted outputs", cmd_overlay)
    p.add_argument("--train-trace", required=True)
    p.add_argument("--train-pred", required=True)
    p.add_argument("--test-trace", required=True)
    p.add_argument("--test-pred", required=True)
    p.add_argument("--channel", default="mz")
    p.add_argument("--title", default="")
    p.add_argument("--out", required=True)
    declare_paths(p, ("train_trace", "train_pred", "test_trace", "test_pred"), ("out",))

    p = add_command(sub, "skyrmion", "figure 1: input, simulated and predicted output for the "
                    "training and test drives, one row per model", cmd_skyrmion)
    p.add_argument("--train-trace", required=True)
    p.add_argument("--test-trace", required=True)
    p.add_argument("--model", action="append", required=True, help="model file (gives its k)")
    p.add_argument("--train-pred", action="append", required=True,
                   help="that model's prediction of the training drive")
    p.add_argument("--test-pred", action="append", required=True,
                   help="that model's prediction of the test drive")
    p.add_argument("--channel", default="mz")
    p.add_argument("--out", action="append", required=True, help=FIGURE_FILES_HELP)
    declare_paths(p, ("train_trace", "test_trace", "model", "train_pred", "test_pred"), ("out",))

    p = add_command(sub, "speed", "figure 5: speed-ups against held-out NRMSE", cmd_speed)
    p.add_argument("--benchmark", action="append", required=True, help="benchmark JSON")
    p.add_argument("--out", action="append", required=True, help=FIGURE_FILES_HELP)
    declare_paths(p, ("benchmark",), ("out",))


def _register_experiment_figures(sub) -> None:
    p = add_command(sub, "mackey-glass", "figure 2: Mackey-Glass overlay and log10 NRMSE "
                    "against horizon", cmd_mackey_glass)
    p.add_argument("--simulated", required=True, help="reservoir JSON of the micromagnetic run")
    p.add_argument("--node-simulated", required=True,
                   help="reservoir JSON of the Spin-NODE on the same drive")
    p.add_argument("--node-full", required=True, help="reservoir JSON of the Spin-NODE full run")
    p.add_argument("--node-full-benchmark",
                   help="Snakemake benchmark TSV of the full run's predict (its wall time)")
    p.add_argument("--out", required=True, action="append", help="figure file (.png, .pdf)")
    p.add_argument("--summary", help="JSON: the NODE's wall time and its log10 NRMSE gap")
    declare_paths(p, ("simulated", "node_simulated", "node_full", "node_full_benchmark"),
                  ("out", "summary"))

    p = add_command(sub, "parameters", "figure 3: amplitude and frequency against each held "
                    "parameter", cmd_parameters)
    p.add_argument("--sweep", action="append", required=True, help="sweep JSON")
    p.add_argument("--png", required=True)
    p.add_argument("--pdf", required=True)
    p.add_argument("--title", default="")
    declare_paths(p, ("sweep",), ("png", "pdf"))

    p = add_command(sub, "recognition", "figure of the recognition task: traces and accuracies",
                    cmd_recognition)
    p.add_argument("--labels", required=True, help="labels file of experiment sine-square")
    for option, text in RECOGNITION_OPTIONS:
        p.add_argument(option, required=True, help=text)
    p.add_argument("--accuracy", required=True,
                   help="accuracy JSON of experiment recognition-score")
    p.add_argument("--point-time", dest="point_time", type=positive_float, required=True,
                   help="hold time of one input point (s)")
    p.add_argument("--out", required=True, help="PNG")
    p.add_argument("--pdf", required=True, help="PDF")
    declare_paths(p, ("labels", "simulation", "node", "input_noise", "stochastic", "accuracy"),
                  ("out", "pdf"))


def register(sub) -> None:
    """The `figure` group: overlay, skyrmion, speed, mackey-glass, parameters, recognition."""
    group = add_group(sub, "figure", "the workflow's figures")
    _register_overlays(group)
    _register_experiment_figures(group)
