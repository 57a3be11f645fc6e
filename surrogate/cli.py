"""Command line: `python -m surrogate <command> ...`. Times are in seconds (SI)."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import asdict, fields
from pathlib import Path

from surrogate.config.recognition_spec import RecognitionExperiment
from surrogate.config.specs import SimulationSettings
from surrogate.engines.select import ENGINES

WINDOW_HELP = "START:STOP in seconds of the trace's own clock; either side may be empty"


class CliError(ValueError):
    """Bad command-line input."""


def finite_float(text: str) -> float:
    """argparse type: a finite number (NaN and infinity are refused)."""
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from exc
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"'{text}' is not a finite number")
    return value


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0."""
    value = finite_float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be > 0")
    return value


def positive_int(text: str) -> int:
    """argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return value


def declare_paths(parser: argparse.ArgumentParser, inputs: tuple[str, ...],
                  outputs: tuple[str, ...]) -> None:
    """Record which arguments of a command are files it reads and files it writes."""
    labels = {action.dest: (action.option_strings[-1] if action.option_strings else action.dest)
              for action in parser._actions}
    parser.set_defaults(input_args=inputs, output_args=outputs, path_labels=labels)


def _paths(args: argparse.Namespace, names: tuple[str, ...]) -> list[tuple[str, Path]]:
    """(option, resolved path) for each named argument that was given (lists flattened)."""
    found = []
    for name in names:
        value = getattr(args, name, None)
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                found.append((args.path_labels[name], Path(item).resolve()))
    return found


def check_output_paths(args: argparse.Namespace) -> None:
    """Refuse, before any work, an output that is an input, another output or a directory."""
    inputs = _paths(args, args.input_args)
    outputs = _paths(args, args.output_args)
    for position, (option, path) in enumerate(outputs):
        for input_option, input_path in inputs:
            if path == input_path:
                raise CliError(f"{option} {path}: is also the input {input_option}; "
                               "a command never writes over its own input")
        for other_option, other_path in outputs[:position]:
            if path == other_path:
                raise CliError(f"{option} {path}: is also the output {other_option}")
        if path.is_dir():
            raise CliError(f"{option} {path}: is a directory; give a file name")


def parse_window(text: str | None) -> tuple[float | None, float | None]:
    """'1e-8:6e-8' -> (1e-8, 6e-8); '' on a side means open."""
    if text is None:
        return (None, None)
    parts = text.split(":")
    if len(parts) != 2:
        raise CliError(f"--window '{text}': expected START:STOP in seconds")
    try:
        start, stop = (float(part) if part.strip() else None for part in parts)
    except ValueError as exc:
        raise CliError(f"--window '{text}': {exc}") from exc
    if start is not None and stop is not None and stop <= start:
        raise CliError(f"--window '{text}': STOP must be greater than START")
    return start, stop


def json_option(option: str, text: str) -> dict:
    """A JSON object given on the command line; errors name the option. NaN/Infinity refused."""
    def refuse(constant: str) -> float:
        raise CliError(f"{option}: {constant} is not a finite number")

    try:
        value = json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as exc:
        raise CliError(f"{option}: not valid JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise CliError(f"{option}: expected a JSON object, got {type(value).__name__}")
    return value


def _windowed(trace, text: str | None):
    start, stop = parse_window(text)
    return trace if start is None and stop is None else trace.window(start, stop)


def cmd_render(args: argparse.Namespace) -> None:
    from surrogate.config.loader import load_config, parse_config

    from .pipeline import render_stage

    if args.spec_json is not None:
        config = parse_config(json_option("--spec-json", args.spec_json), "--spec-json")
    elif args.config is not None:
        config = load_config(args.config)
    else:
        raise CliError("render needs a CONFIG file or --spec-json")
    script = render_stage(config, args.device, args.drive, Path(args.out))
    print(script)


def cmd_simulate(args: argparse.Namespace) -> None:
    from .pipeline import simulate_stage

    table = simulate_stage(
        Path(args.spec), Path(args.script), Path(args.table), engine=args.engine,
        log_path=Path(args.log), dtype=args.dtype, threads=args.threads,
        timeout_minutes=args.timeout_minutes,
    )
    print(table)


def cmd_extract(args: argparse.Namespace) -> None:
    from .pipeline import extract_stage

    trace = extract_stage(Path(args.table), Path(args.spec), args.output, Path(args.out))
    print(f"{args.out}: {len(trace.t)} samples, inputs {trace.input_names}, "
          f"outputs {trace.output_names}")


def cmd_import_mumax3(args: argparse.Namespace) -> None:
    from surrogate.engines.mumax3.table_import import import_table
    from surrogate.io.trace import save_trace

    trace = import_table(Path(args.path), args.input, args.output)
    save_trace(trace, args.out)
    print(f"{args.out}: {len(trace.t)} samples over {trace.t[0]:.6g}..{trace.t[-1]:.6g} s, "
          f"inputs {trace.input_names}, outputs {trace.output_names}")


def train_settings(args: argparse.Namespace):
    """TrainSettings from --settings-json overlaid with explicit options."""
    from surrogate.node.training import TrainSettings

    known = {field.name for field in fields(TrainSettings)}
    values = json_option("--settings-json", args.settings_json) if args.settings_json else {}
    unknown = sorted(set(values) - known)
    if unknown:
        raise CliError(f"--settings-json: unknown model settings {unknown}; known: {sorted(known)}")
    for name in ("k", "hidden", "depth", "seed", "max_minutes", "max_iterations"):
        value = getattr(args, name)
        if value is not None:
            values[name] = value
    kinds = {"int": (int,), "float": (int, float), "str": (str,)}
    for item in fields(TrainSettings):
        if item.name not in values or values[item.name] is None:
            continue
        value = values[item.name]
        allowed = kinds[str(item.type).split(" | ")[0]]
        if isinstance(value, bool) or not isinstance(value, allowed):
            raise CliError(f"--settings-json: field '{item.name}' must be {item.type}, "
                           f"got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise CliError(f"--settings-json: field '{item.name}' is not a finite number")
    return TrainSettings(**values)


def set_threads(count: int) -> None:
    """Torch intra-op threads: one is fastest for these small models on a busy 2-core CPU."""
    import torch

    if count < 1:
        raise CliError(f"--threads {count}: must be at least 1")
    torch.set_num_threads(count)


def cmd_train(args: argparse.Namespace) -> None:
    from surrogate.io.trace import load_trace
    from surrogate.node.training import train_model

    set_threads(args.threads)
    trace = _windowed(load_trace(args.trace), args.window)
    if args.low_pass is not None:
        from surrogate.noise.stochastic import resolved_band

        trace = resolved_band(trace, args.low_pass)
    settings = train_settings(args)
    report = train_model(trace, settings, Path(args.out), progress=not args.quiet,
                         resume=args.resume)
    summary = asdict(report) if hasattr(report, "__dataclass_fields__") else dict(report)
    summary.update({"trace": str(args.trace), "window": args.window, "low_pass_Hz": args.low_pass,
                    "settings": asdict(settings)})
    if args.report:
        from surrogate.io.atomic import write_json_atomic

        write_json_atomic(Path(args.report), summary)
    print(json.dumps({key: summary[key] for key in summary if key != "settings"}, default=str))


def cmd_evaluate(args: argparse.Namespace) -> None:
    from surrogate.io.trace import load_trace
    from surrogate.node.rollout import evaluate_model

    set_threads(args.threads)
    trace = _windowed(load_trace(args.trace), args.window)
    started = time.perf_counter()
    result = evaluate_model(Path(args.model), trace, allow_partial=args.allow_partial)
    wall = time.perf_counter() - started
    summary = {
        "model": str(args.model), "trace": str(args.trace), "window": args.window,
        "nrmse": float(result.nrmse),
        "nrmse_per_channel": {k: float(v) for k, v in result.nrmse_per_channel.items()},
        "samples": int(len(trace.t)), "simulated_time_s": float(trace.t[-1] - trace.t[0]),
        "prediction_wall_time_s": wall,
        "simulation_wall_time_s": trace.metadata.get("simulation_wall_time_s"),
    }
    if args.pred_out:
        from surrogate.io.trace import Trace, save_trace

        metadata = dict(trace.metadata, prediction_of=str(args.trace), model=str(args.model))
        predicted = Trace(
            result.t, result.inputs, result.predicted, list(trace.input_names),
            list(trace.output_names), list(trace.input_units), list(trace.output_units), metadata,
        )
        save_trace(predicted, args.pred_out)
    if args.json:
        from surrogate.io.atomic import write_json_atomic

        write_json_atomic(Path(args.json), summary)
    print(f"NRMSE {summary['nrmse']:.6g}")


def cmd_predict(args: argparse.Namespace) -> None:
    from surrogate.io.trace import Trace, load_trace, save_trace
    from surrogate.node.rollout import predict_trace

    trace = load_trace(Path(args.trace_or_drive))
    started = time.perf_counter()
    predicted: Trace = predict_trace(Path(args.model), _windowed(trace, args.window),
                                     allow_partial=args.allow_partial)
    save_trace(predicted, args.out)
    print(f"{args.out}: {len(predicted.t)} steps in {time.perf_counter() - started:.3f} s")


def cmd_fit_noise(args: argparse.Namespace) -> None:
    from surrogate.io.trace import load_trace
    from surrogate.node.checkpoint import load_checkpoint
    from surrogate.noise.stochastic import fit_noise

    trace = _windowed(load_trace(Path(args.trace)), args.window)
    try:
        first, last = (int(part) for part in args.lags.split(":"))
    except ValueError as exc:
        raise CliError(f"--lags '{args.lags}': expected FIRST:LAST in model steps") from exc
    noise = fit_noise(load_checkpoint(Path(args.model)), trace, lags=(first, last))
    noise.save(args.out)
    print(f"{args.out}: diffusion {noise.diffusion} per sqrt(step), observation "
          f"{noise.observation} (normalised units)")


def cmd_sample(args: argparse.Namespace) -> None:
    import numpy as np

    from surrogate.io.atomic import atomic_write
    from surrogate.io.trace import load_trace
    from surrogate.node.checkpoint import load_checkpoint
    from surrogate.noise.stochastic import NoiseModel, sample_paths

    surrogate = load_checkpoint(Path(args.model))
    trace = _windowed(load_trace(Path(args.trace_or_drive)), args.window)
    started = time.perf_counter()
    t, paths = sample_paths(surrogate, NoiseModel.load(args.noise), trace, args.samples,
                            seed=args.seed)
    with atomic_write(args.out) as tmp, open(tmp, "wb") as stream:
        np.savez(stream, t=t, paths=paths, output_names=np.array(surrogate.output_names),
                 output_units=np.array(surrogate.output_units))
    print(f"{args.out}: {args.samples} paths of {len(t)} steps in "
          f"{time.perf_counter() - started:.3f} s")


def cmd_fit_input_noise(args: argparse.Namespace) -> None:
    from surrogate.io.atomic import write_json_atomic
    from surrogate.io.trace import load_trace
    from surrogate.noise.input_noise import fit_input_noise

    trace = _windowed(load_trace(Path(args.trace)), args.window)
    options = {} if args.probe is None else {"probe": args.probe}
    sigma = fit_input_noise(Path(args.model), trace, seed=args.seed, **options)
    write_json_atomic(Path(args.out), {"sigma": sigma, "model": str(args.model),
                                       "trace": str(args.trace), "window": args.window})
    print(f"{args.out}: input-noise sigma {sigma:.6g} (normalised input units)")


def read_input_noise(path: Path) -> float:
    """sigma from a `fit-input-noise` JSON file; errors name the file and the field."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise CliError(f"{path}: not a readable input-noise JSON file ({exc})") from exc
    sigma = data.get("sigma") if isinstance(data, dict) else None
    if isinstance(sigma, bool) or not isinstance(sigma, int | float):
        raise CliError(f"{path}: field 'sigma' must be a number, got {sigma!r}")
    if not math.isfinite(sigma) or sigma < 0:
        raise CliError(f"{path}: field 'sigma' must be finite and >= 0, got {sigma}")
    return float(sigma)


def cmd_predict_noisy(args: argparse.Namespace) -> None:
    import numpy as np

    from surrogate.io.atomic import atomic_write
    from surrogate.io.trace import load_trace
    from surrogate.noise.input_noise import predict_noisy

    sigma = read_input_noise(Path(args.noise))
    if args.samples < 1:
        raise CliError(f"--samples {args.samples}: must be at least 1")
    trace = _windowed(load_trace(Path(args.trace_or_drive)), args.window)
    started = time.perf_counter()
    t, paths = predict_noisy(Path(args.model), trace, sigma, args.samples, seed=args.seed)
    with atomic_write(args.out) as tmp, open(tmp, "wb") as stream:
        np.savez(stream, t=t, paths=paths, sigma=sigma)
    print(f"{args.out}: {args.samples} paths of {len(t)} steps in "
          f"{time.perf_counter() - started:.3f} s")


def read_labels(path: Path):
    """Point labels (0 sine, 1 square) from a `sine-square` labels file; errors name the file."""
    import numpy as np

    try:
        labels = np.loadtxt(path, ndmin=1)
    except (OSError, ValueError) as exc:
        raise CliError(f"{path}: not a readable labels file ({exc})") from exc
    if len(labels) < 2 or not np.all(np.isin(labels, (0, 1))):
        raise CliError(f"{path}: labels must be at least two values, each 0 (sine) or 1 (square)")
    return labels.astype(int)


#: Output records of the recognition task: source name -> command-line option's dest.
RECOGNITION_RECORDS = {"simulation": "simulation", "node": "node",
                       "node_input_noise": "input_noise", "stochastic": "stochastic"}


def recognition_sources(args: argparse.Namespace) -> dict:
    """The four output records of the recognition task: name -> (t (s), outputs or paths)."""
    from surrogate.io.paths import load_paths
    from surrogate.io.trace import load_trace

    simulation, node = load_trace(args.simulation), load_trace(args.node)
    return {"simulation": (simulation.t, simulation.outputs), "node": (node.t, node.outputs),
            "node_input_noise": load_paths(args.input_noise),
            "stochastic": load_paths(args.stochastic)}


def cmd_sine_square(args: argparse.Namespace) -> None:
    import numpy as np

    from surrogate.analysis.recognition import sine_square_sequence
    from surrogate.io.atomic import atomic_write

    values, labels = sine_square_sequence(args.periods, args.points_per_period, args.seed)
    with atomic_write(args.out) as tmp:
        np.savetxt(tmp, values, fmt="%.17g")
    with atomic_write(args.labels) as tmp:
        np.savetxt(tmp, labels, fmt="%d")
    print(f"{args.out}: {len(values)} points, {int(labels.sum())} of them square")


def cmd_recognition_score(args: argparse.Namespace) -> None:
    import numpy as np

    from surrogate.analysis.recognition import (
        Readout,
        constant_answer_accuracy,
        score_outputs,
        score_paths,
    )
    from surrogate.io.atomic import write_json_atomic

    labels = read_labels(Path(args.labels))
    sources = recognition_sources(args)
    readout = Readout(start=float(sources["simulation"][0][0]), point_time=args.point_time,
                      n_train=args.train_points, taps=args.taps, delays=args.delays,
                      ridge=args.ridge)
    result = {"accuracy": {}, "train_accuracy": {}, "accuracy_spread": {}, "path_accuracies": {}}
    for name, (t, record) in sources.items():
        if record.ndim == 2:
            score = score_outputs(t, record, labels, readout)
            result["accuracy"][name] = score.test_accuracy
            result["train_accuracy"][name] = score.train_accuracy
            continue
        scores = score_paths(t, record, labels, readout)
        tests = [score.test_accuracy for score in scores]
        result["accuracy"][name] = float(np.mean(tests))
        result["train_accuracy"][name] = float(np.mean([s.train_accuracy for s in scores]))
        result["accuracy_spread"][name] = float(np.std(tests))
        result["path_accuracies"][name] = tests
    result.update(best_constant=constant_answer_accuracy(labels, args.train_points),
                  points={"train": args.train_points, "test": len(labels) - args.train_points},
                  readout={"point_time_s": args.point_time, "taps": args.taps,
                           "delays": args.delays, "ridge": args.ridge},
                  sources={name: str(getattr(args, dest))
                           for name, dest in RECOGNITION_RECORDS.items()})
    write_json_atomic(Path(args.out), result)
    print(json.dumps(result["accuracy"]))


def cmd_recognition_figure(args: argparse.Namespace) -> None:
    from surrogate.analysis.recognition_figure import recognition_figure
    from surrogate.io.trace import load_trace

    accuracy = json_option(args.accuracy, Path(args.accuracy).read_text())
    recognition_figure(read_labels(Path(args.labels)), load_trace(args.simulation),
                       recognition_sources(args), accuracy, args.point_time,
                       [Path(args.out), Path(args.pdf)])
    print(args.out, args.pdf)


def cmd_figure(args: argparse.Namespace) -> None:
    from surrogate.analysis.figures import overlay_figure
    from surrogate.io.trace import load_trace

    simulated = {"train": load_trace(args.train_trace), "test": load_trace(args.test_trace)}
    predicted = {"train": load_trace(args.train_pred), "test": load_trace(args.test_pred)}
    overlay_figure(simulated, predicted, args.channel, Path(args.out), title=args.title)
    print(args.out)


def cmd_metrics(args: argparse.Namespace) -> None:
    from surrogate.analysis.summary import collect_metrics
    from surrogate.io.atomic import write_json_atomic

    metrics = collect_metrics([Path(p) for p in args.eval], [Path(p) for p in args.train_report])
    write_json_atomic(Path(args.out), metrics)
    print(json.dumps(metrics["summary"], indent=2))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m surrogate",
        description="mumax3 / magnum.np simulations to Spin-Neural-ODE surrogates (SI units).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("render", help="render a device's mumax3 script without running it")
    p.add_argument("config", nargs="?", help="configuration YAML")
    p.add_argument("--spec-json", help="the configuration as JSON instead of a file")
    p.add_argument("--device", required=True)
    p.add_argument("--drive", required=True)
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=cmd_render)
    declare_paths(p, ("config",), ())

    p = sub.add_parser("simulate", help="run one rendered simulation with the chosen engine")
    p.add_argument("--spec", required=True, help="spec.json written by render")
    p.add_argument("--script", required=True, help="rendered .mx3 script")
    p.add_argument("--table", required=True, help="where the table.txt must land")
    p.add_argument("--engine", default="auto", choices=ENGINES)
    p.add_argument("--log", required=True, help="log file")
    p.add_argument("--dtype", default=SimulationSettings.dtype, choices=["float32", "float64"])
    p.add_argument("--threads", type=positive_int, default=SimulationSettings.threads)
    p.add_argument("--timeout-minutes", type=positive_float,
                   default=SimulationSettings.timeout_minutes, help="engine wall-time limit (min)")
    p.set_defaults(func=cmd_simulate)
    declare_paths(p, ("spec", "script"), ("table", "log"))

    p = sub.add_parser("extract", help="turn an engine's table into a trace file")
    p.add_argument("table")
    p.add_argument("--spec", required=True, help="spec.json written by render")
    p.add_argument("--output", action="append", required=True, help="output column, e.g. mz")
    p.add_argument("--out", required=True, help="trace file (.npz)")
    p.set_defaults(func=cmd_extract)
    declare_paths(p, ("table", "spec"), ("out",))

    p = sub.add_parser("import-mumax3", help="import a mumax3 table.txt or .out directory")
    p.add_argument("path", help="table.txt or a .out directory")
    p.add_argument("--input", action="append", required=True, help="input column (Ku1.region100)")
    p.add_argument("--output", action="append", required=True, help="output column, e.g. mz")
    p.add_argument("--out", required=True, help="trace file (.npz)")
    p.set_defaults(func=cmd_import_mumax3)
    declare_paths(p, ("path",), ("out",))

    p = sub.add_parser("train", help="train a Spin-NODE on a trace")
    p.add_argument("trace")
    p.add_argument("--out", required=True, help="model checkpoint")
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--k", type=int, help="delay-embedding dimension")
    p.add_argument("--hidden", type=int, help="MLP width")
    p.add_argument("--depth", type=int, help="hidden layers")
    p.add_argument("--seed", type=int)
    p.add_argument("--max-minutes", dest="max_minutes", type=positive_float,
                   help="training wall-time cap")
    p.add_argument("--max-iterations", dest="max_iterations", type=positive_int,
                   help="iteration cap: with a fixed seed, training is then bit-identical")
    p.add_argument("--resume", action="store_true",
                   help="continue from OUT's periodic checkpoint (OUT.partial.pt) if it exists")
    p.add_argument("--settings-json", help="further TrainSettings as JSON")
    p.add_argument("--low-pass", dest="low_pass", type=positive_float,
                   help="train on the outputs low-passed at this frequency (Hz): the drift "
                        "of a stochastic model")
    p.add_argument("--report", help="write the training report as JSON here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--threads", type=positive_int, default=1, help="torch threads (default 1)")
    p.set_defaults(func=cmd_train)
    declare_paths(p, ("trace",), ("out", "report"))

    p = sub.add_parser("evaluate", help="free-running prediction and its NRMSE")
    p.add_argument("model")
    p.add_argument("trace")
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--json", help="write the result as JSON here")
    p.add_argument("--pred-out", help="write the predicted trace here")
    p.add_argument("--allow-partial", action="store_true",
                   help="accept a periodic checkpoint of an unfinished training")
    p.add_argument("--threads", type=positive_int, default=1, help="torch threads (default 1)")
    p.set_defaults(func=cmd_evaluate)
    declare_paths(p, ("model", "trace"), ("json", "pred_out"))

    p = sub.add_parser("predict", help="free-running prediction of a trace's outputs")
    p.add_argument("model")
    p.add_argument(
        "trace_or_drive",
        help="trace file (.npz): its inputs drive the model, its first samples set the state",
    )
    p.add_argument("--out", required=True, help="predicted trace (.npz)")
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--allow-partial", action="store_true",
                   help="accept a periodic checkpoint of an unfinished training")
    p.set_defaults(func=cmd_predict)
    declare_paths(p, ("model", "trace_or_drive"), ("out",))

    p = sub.add_parser("fit-noise",
                       help="fit a k=1 model's diffusion and observation noise on a noisy trace")
    p.add_argument("model")
    p.add_argument("trace")
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--lags", default="1:8",
                   help="FIRST:LAST residual lags fitted, in model steps (default 1:8)")
    p.add_argument("--out", required=True, help="noise-model JSON")
    p.set_defaults(func=cmd_fit_noise)
    declare_paths(p, ("model", "trace"), ("out",))

    p = sub.add_parser("sample", help="noisy paths of the stochastic model on a trace's drive")
    p.add_argument("model")
    p.add_argument("noise", help="noise-model JSON from fit-noise")
    p.add_argument("trace_or_drive")
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--samples", type=positive_int, default=32)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help=".npz with t (s), paths (samples, N, outputs)")
    p.set_defaults(func=cmd_sample)
    declare_paths(p, ("model", "noise", "trace_or_drive"), ("out",))

    p = sub.add_parser("fit-input-noise",
                       help="fit the sigma of Gaussian input noise from the one-step residual")
    p.add_argument("model")
    p.add_argument("trace")
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--probe", type=positive_float,
                   help="noise level (normalised input units) at which the spread is measured")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="input-noise JSON")
    p.set_defaults(func=cmd_fit_input_noise)
    declare_paths(p, ("model", "trace"), ("out",))

    p = sub.add_parser("predict-noisy",
                       help="free-running predictions with Gaussian noise on the inputs")
    p.add_argument("model")
    p.add_argument("noise", help="input-noise JSON from fit-input-noise")
    p.add_argument("trace_or_drive")
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--samples", type=positive_int, default=32)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True,
                   help=".npz with t (s), paths (samples, N, outputs) in SI units, sigma")
    p.set_defaults(func=cmd_predict_noisy)
    declare_paths(p, ("model", "noise", "trace_or_drive"), ("out",))

    p = sub.add_parser("sine-square",
                       help="the random sine/square input of the recognition task and its labels")
    p.add_argument("--periods", type=positive_int, required=True, help="sine or square periods")
    p.add_argument("--points-per-period", dest="points_per_period", type=positive_int,
                   default=RecognitionExperiment.points_per_period)
    p.add_argument("--seed", type=int, default=RecognitionExperiment.seed)
    p.add_argument("--out", required=True, help="input values, one a line (a values_file)")
    p.add_argument("--labels", required=True, help="labels, one a line: 0 sine, 1 square")
    p.set_defaults(func=cmd_sine_square)
    declare_paths(p, (), ("out", "labels"))

    recognition_records = (
        ("--simulation", "trace of the simulated noisy device"),
        ("--node", "the Spin-NODE's prediction (predict)"),
        ("--input-noise", "paths of the Spin-NODE with input noise (predict-noisy)"),
        ("--stochastic", "paths of the learned stochastic model (sample)"),
    )
    p = sub.add_parser("recognition-score",
                       help="sine/square accuracy of a linear readout on four output records")
    p.add_argument("--labels", required=True, help="labels file of sine-square")
    for option, text in recognition_records:
        p.add_argument(option, required=True, help=text)
    p.add_argument("--point-time", dest="point_time", type=positive_float, required=True,
                   help="hold time of one input point (s)")
    p.add_argument("--train-points", dest="train_points", type=positive_int, required=True,
                   help="the first points, on which the readout is fitted")
    p.add_argument("--taps", type=positive_int, default=RecognitionExperiment.taps)
    p.add_argument("--delays", type=int, default=RecognitionExperiment.delays)
    p.add_argument("--ridge", type=finite_float, default=RecognitionExperiment.ridge)
    p.add_argument("--out", required=True, help="accuracy JSON")
    p.set_defaults(func=cmd_recognition_score)
    declare_paths(p, ("labels", "simulation", "node", "input_noise", "stochastic"), ("out",))

    p = sub.add_parser("recognition-figure",
                       help="figure of the recognition task: traces and accuracies")
    p.add_argument("--labels", required=True, help="labels file of sine-square")
    for option, text in recognition_records:
        p.add_argument(option, required=True, help=text)
    p.add_argument("--accuracy", required=True, help="accuracy JSON of recognition-score")
    p.add_argument("--point-time", dest="point_time", type=positive_float, required=True,
                   help="hold time of one input point (s)")
    p.add_argument("--out", required=True, help="PNG")
    p.add_argument("--pdf", required=True, help="PDF")
    p.set_defaults(func=cmd_recognition_figure)
    declare_paths(p, ("labels", "simulation", "node", "input_noise", "stochastic", "accuracy"),
                  ("out", "pdf"))

    p = sub.add_parser("figure", help="overlay simulated and predicted outputs")
    p.add_argument("--train-trace", required=True)
    p.add_argument("--train-pred", required=True)
    p.add_argument("--test-trace", required=True)
    p.add_argument("--test-pred", required=True)
    p.add_argument("--channel", default="mz")
    p.add_argument("--title", default="")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_figure)
    declare_paths(p, ("train_trace", "train_pred", "test_trace", "test_pred"), ("out",))

    p = sub.add_parser("metrics", help="collect evaluation results into one JSON")
    p.add_argument("--eval", action="append", required=True, help="evaluation JSON")
    p.add_argument("--train-report", action="append", default=[], help="training report JSON")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_metrics)
    declare_paths(p, ("eval", "train_report"), ("out",))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        check_output_paths(args)
        args.func(args)
    except (ValueError, OSError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
