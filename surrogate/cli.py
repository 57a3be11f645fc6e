"""Command line: `python -m surrogate <command> ...`. Times are in seconds (SI)."""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, fields
from pathlib import Path

from surrogate.config.parameter_sweep_spec import ParameterSweepSpec
from surrogate.config.recognition_spec import RecognitionExperiment
from surrogate.config.specs import SimulationSettings
from surrogate.engines.select import ENGINES
from surrogate.node.sidecars import Resume, training_sidecars

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


def non_negative_float(text: str) -> float:
    """argparse type: a finite number >= 0."""
    value = finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be >= 0")
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


def non_negative_int(text: str) -> int:
    """argparse type: a whole number >= 0 (a seed, a count that may be none)."""
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from exc
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be >= 0")
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
                found.append((args.path_labels.get(name, name), Path(item).resolve()))
    return found


def check_output_paths(args: argparse.Namespace) -> None:
    """Refuse, before any work, a write (sidecars included) that is an input, another
    output, a directory, in a folder that cannot be written, or a name too long."""
    from surrogate.io.write_plan import check_write_plan, planned_writes

    writes = planned_writes(_paths(args, args.output_args), getattr(args, "sidecars", None))
    check_write_plan(_paths(args, args.input_args), writes)


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


def windowed(trace, text: str | None):
    """`trace` cut to the `--window` START:STOP (s), or whole when `text` is None."""
    start, stop = parse_window(text)
    if start is None and stop is None:
        return trace
    trace.check_covers(start, stop, "--window")
    return trace.window(start, stop)


def cmd_render(args: argparse.Namespace) -> None:
    from surrogate.config.loader import load_config, parse_config

    from .pipeline import render_stage

    if args.spec_json is not None and args.config is not None:
        raise CliError(f"render takes a CONFIG file or --spec-json, not both: {args.config} "
                       "would be ignored")
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

    trace = windowed(import_table(Path(args.path), args.input, args.output), args.window)
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
    for name in ("k", "delay", "hidden", "depth", "seed", "max_minutes", "max_iterations"):
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
    traces = [windowed(load_trace(path), args.window) for path in args.trace]
    if args.low_pass is not None:
        from surrogate.noise.stochastic import resolved_band

        traces = [resolved_band(trace, args.low_pass) for trace in traces]
    settings = train_settings(args)
    report = train_model(traces, settings, Path(args.out), progress=not args.quiet,
                         resume=args.resume, trace_labels=list(args.trace))
    summary = asdict(report) if hasattr(report, "__dataclass_fields__") else dict(report)
    trace_names = args.trace[0] if len(args.trace) == 1 else list(args.trace)
    summary.update({"trace": trace_names, "window": args.window, "low_pass_Hz": args.low_pass,
                    "settings": asdict(settings)})
    if args.report:
        from surrogate.io.atomic import write_json_atomic

        write_json_atomic(Path(args.report), summary)
    print(json.dumps({key: summary[key] for key in summary if key != "settings"}, default=str))


def cmd_evaluate(args: argparse.Namespace) -> None:
    from surrogate.io.provenance import evaluation_provenance, prediction_provenance
    from surrogate.io.trace import load_trace
    from surrogate.node.rollout import evaluate_model

    set_threads(args.threads)
    trace = windowed(load_trace(args.trace), args.window)
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
        **evaluation_provenance(args.model, trace.metadata),
    }
    if args.pred_out:
        from surrogate.io.trace import Trace, save_trace

        metadata = dict(trace.metadata, prediction_of=str(args.trace), model=str(args.model),
                        **prediction_provenance(args.trace))
        predicted = Trace(
            result.t, result.inputs, result.predicted, list(trace.input_names),
            list(trace.output_names), list(trace.input_units), list(trace.output_units), metadata,
        )
        save_trace(predicted, args.pred_out)
    if args.json:
        from surrogate.io.atomic import write_json_atomic

        write_json_atomic(Path(args.json), summary)
    print(f"NRMSE {summary['nrmse']:.6g}")


# predict: (dest, option, the sources it applies to); any other source would ignore it.
PREDICT_MODE_OPTIONS = (
    ("window", "--window", ("trace",)),
    ("device", "--device", ("drive",)),
    ("sample_period", "--sample-period", ("inputs",)),
    ("prefix", "--prefix", ("drive", "inputs")),
)
SOURCE_LABELS = {"trace": "a trace file", "drive": "--drive", "inputs": "--inputs"}


def refuse_unused_options(args: argparse.Namespace, source: str,
                          table: tuple[tuple[str, str, tuple[str, ...]], ...]) -> None:
    """CliError for an option given that the chosen `source` would ignore."""
    for dest, option, sources in table:
        if getattr(args, dest) is not None and source not in sources:
            applies = " or ".join(SOURCE_LABELS[name] for name in sources)
            raise CliError(f"{option} applies only with {applies}; with {SOURCE_LABELS[source]} "
                           "it would be ignored")


def cmd_predict(args: argparse.Namespace) -> None:
    from surrogate.io.trace import Trace, load_trace, save_trace
    from surrogate.node.rollout import predict_trace

    sources = [args.trace_or_drive is not None, args.drive is not None, args.inputs is not None]
    if sum(sources) != 1:
        raise CliError("give exactly one of: a trace file, --drive CONFIG:DRIVE, --inputs FILE")
    refuse_unused_options(args, ("trace", "drive", "inputs")[sources.index(True)],
                          PREDICT_MODE_OPTIONS)
    started = time.perf_counter()
    if args.trace_or_drive is not None:
        trace = load_trace(Path(args.trace_or_drive))
        predicted: Trace = predict_trace(Path(args.model), windowed(trace, args.window),
                                         allow_partial=args.allow_partial)
    else:
        predicted = _forecast(args)
    save_trace(predicted, args.out)
    print(f"{args.out}: {len(predicted.t)} steps in {time.perf_counter() - started:.3f} s")


def _forecast(args: argparse.Namespace):
    """The prediction of `predict --drive` or `predict --inputs`: no simulated outputs."""
    from surrogate.io.input_series import read_input_series
    from surrogate.node.checkpoint import load_checkpoint
    from surrogate.node.envelope import check_envelope
    from surrogate.node.forecast import forecast

    surrogate = load_checkpoint(Path(args.model), allow_partial=args.allow_partial)
    source = {"model": str(args.model)}
    if args.drive is not None:
        from surrogate.config.loader import load_config
        from surrogate.engines.drive_series import drive_input_series

        device = args.device or surrogate.metadata.get("trained_on", {}).get("device")
        if device is None:
            raise CliError(f"{args.model}: the model file does not name its device; give --device")
        run = load_config(args.drive_config)
        series = drive_input_series(run.simulation_spec(device, args.drive_name))
        source.update(device=device, drive=args.drive_name, config=str(args.drive_config))
        label = f"--drive {args.drive_config}:{args.drive_name}"
    else:
        series = read_input_series(args.inputs, surrogate.input_names, surrogate.input_units,
                                   args.sample_period or surrogate.step_s)
        source.update(inputs=str(args.inputs))
        label = f"--inputs {args.inputs}"
    check_envelope(surrogate.metadata, "inputs", series.names, series.units, series.values, label)
    prefix = None if args.prefix is None else _read_prefix(Path(args.prefix), surrogate)
    if prefix is not None:
        check_envelope(surrogate.metadata, "outputs", surrogate.output_names,
                       surrogate.output_units, prefix, f"--prefix {args.prefix}")
    predicted = forecast(surrogate, series, prefix)
    predicted.metadata.update(source)
    return predicted


def _read_prefix(path: Path, surrogate):
    """The model's first outputs (rows, channels) in SI on its grid: from a .npy file, or
    the output channels of a trace (.npz) taken every model step."""
    from surrogate.io.strict_arrays import load_npy_rows
    from surrogate.io.trace import load_trace
    from surrogate.node.rollout import channels, stride_for

    if path.suffix == ".npz":
        trace = load_trace(path)
        return channels(trace, surrogate.output_names, "output")[:: stride_for(surrogate.step_s,
                                                                                trace)]
    return load_npy_rows(path, surrogate.output_names, f"--prefix {path}")


class DriveReference(argparse.Action):
    """`--drive CONFIG:DRIVE`: stores the config path and the drive name apart."""

    def __call__(self, parser, namespace, value, option_string=None):
        config_path, _, drive = value.rpartition(":")
        if not config_path or not drive:
            raise argparse.ArgumentError(self, f"'{value}' is not CONFIG:DRIVE")
        namespace.drive, namespace.drive_config, namespace.drive_name = value, config_path, drive


def cmd_fit_noise(args: argparse.Namespace) -> None:
    from surrogate.io.trace import load_trace
    from surrogate.node.checkpoint import load_checkpoint
    from surrogate.noise.stochastic import fit_noise

    trace = windowed(load_trace(Path(args.trace)), args.window)
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
    trace = windowed(load_trace(Path(args.trace_or_drive)), args.window)
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

    trace = windowed(load_trace(Path(args.trace)), args.window)
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
    trace = windowed(load_trace(Path(args.trace_or_drive)), args.window)
    started = time.perf_counter()
    t, paths = predict_noisy(Path(args.model), trace, sigma, args.samples, seed=args.seed)
    with atomic_write(args.out) as tmp, open(tmp, "wb") as stream:
        np.savez(stream, t=t, paths=paths, sigma=sigma)
    print(f"{args.out}: {args.samples} paths of {len(t)} steps in "
          f"{time.perf_counter() - started:.3f} s")


def cmd_benchmark(args: argparse.Namespace) -> None:
    from surrogate.analysis.benchmark import benchmark_device
    from surrogate.io.atomic import write_json_atomic
    from surrogate.io.provenance import check_evaluation_belongs

    set_threads(args.threads)
    if (args.config is None) == (args.spec_json is None):
        raise CliError("benchmark needs exactly one of: a CONFIG file, --spec-json")
    check_evaluation_belongs(args.eval, args.model, args.device, args.drive)
    with _config_file(args) as config:
        record = benchmark_device(
            Path(args.model), config, args.device, args.drive, Path(args.engine_json),
            Path(args.eval), runs=args.runs, process_runs=args.process_runs,
        )
    write_json_atomic(Path(args.out), record)
    print(f"{args.out}: compute only {record['surrogate']['compute_only_s']:.4g} s "
          f"({record['speedup_compute_only']:.4g}x), whole process "
          f"{record['surrogate']['whole_process_s']:.4g} s "
          f"({record['speedup_whole_process']:.4g}x), NRMSE {record['nrmse']:.4g}")


@contextmanager
def _config_file(args: argparse.Namespace):
    """The config file benchmark's `predict` process reads: CONFIG, or --spec-json written out."""
    if args.config is not None:
        yield Path(args.config)
        return
    import yaml

    # Written by PyYAML, whose floats YAML reads back as numbers (JSON's 4e-09 is a string).
    settings = json_option("--spec-json", args.spec_json)
    with tempfile.TemporaryDirectory(prefix="surrogate-config-") as folder:
        path = Path(folder) / "config.yaml"
        path.write_text(yaml.safe_dump(settings))
        yield path


def cmd_benchmark_summary(args: argparse.Namespace) -> None:
    from surrogate.analysis.benchmark import read_benchmark, write_summary

    write_summary([read_benchmark(Path(path)) for path in args.benchmark], Path(args.out))
    print(Path(args.out).read_text(), end="")


def cmd_skyrmion_figure(args: argparse.Namespace) -> None:
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


def cmd_speed_figure(args: argparse.Namespace) -> None:
    from surrogate.analysis.benchmark import read_benchmark
    from surrogate.analysis.speed_figure import speed_accuracy_figure

    records = [read_benchmark(Path(path)) for path in args.benchmark]
    for path in speed_accuracy_figure(records, args.out):
        print(path)


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

    metrics = collect_metrics([Path(p) for p in args.eval], [Path(p) for p in args.train_report],
                              [Path(p) for p in args.benchmark])
    write_json_atomic(Path(args.out), metrics)
    print(json.dumps(metrics["summary"], indent=2))


def cmd_parameter_sweep(args: argparse.Namespace) -> None:
    from surrogate.analysis.parameter_sweep import sweep_points
    from surrogate.io.atomic import write_json_atomic
    from surrogate.io.provenance import check_prediction_belongs
    from surrogate.io.trace import load_trace

    simulated, predicted = load_trace(args.trace), load_trace(args.prediction)
    check_prediction_belongs(args.trace, simulated.metadata, args.prediction, predicted.metadata)
    channel = args.channel or simulated.output_names[0]
    points = sweep_points(simulated, predicted, args.swept, skip=args.skip_time,
                          per_step=args.per_step, channel=channel)
    if not points:
        raise CliError(f"{args.trace}: no held segment longer than --skip-time "
                       f"{args.skip_time} s after a step of one input, with the other --swept "
                       "inputs at their base; nothing to measure")
    write_json_atomic(Path(args.out), {
        "trace": str(args.trace), "prediction": str(args.prediction), "channel": channel,
        "skip_time_s": args.skip_time, "per_step": args.per_step, "points": points,
    })
    print(f"{args.out}: {len(points)} held values")


def read_sweep(path: Path) -> dict:
    """A `parameter-sweep` JSON; errors name the file and the missing field."""
    def refuse(constant: str) -> float:
        raise CliError(f"{path}: holds {constant}, not a finite number")

    try:
        sweep = json.loads(Path(path).read_text(), parse_constant=refuse)
    except (OSError, json.JSONDecodeError) as exc:
        raise CliError(f"{path}: not a readable sweep JSON ({exc})") from exc
    for key in ("channel", "per_step", "points"):
        if key not in sweep:
            raise CliError(f"{path}: field '{key}' is missing; write it with parameter-sweep")
    return sweep


def cmd_parameter_sweep_figure(args: argparse.Namespace) -> None:
    from surrogate.analysis.parameter_sweep_figure import parameter_sweep_figure

    sweeps = [read_sweep(Path(path)) for path in args.sweep]
    for path, sweep in zip(args.sweep[1:], sweeps[1:], strict=True):
        if (sweep["channel"], sweep["per_step"]) != (sweeps[0]["channel"], sweeps[0]["per_step"]):
            raise CliError(f"{path}: field 'channel'/'per_step' differs from {args.sweep[0]}")
    points = [point for sweep in sweeps for point in sweep["points"]]
    written = parameter_sweep_figure(points, sweeps[0]["per_step"], sweeps[0]["channel"],
                                     [Path(args.png), Path(args.pdf)], title=args.title)
    print(" ".join(map(str, written)))


def cmd_reservoir(args: argparse.Namespace) -> None:
    import numpy as np

    from surrogate.analysis.reservoir import horizon_scores, node_states, predict_ahead
    from surrogate.config.loader import load_config
    from surrogate.config.mackey_glass_spec import experiment_of
    from surrogate.io.atomic import write_json_atomic
    from surrogate.io.trace import load_trace
    from surrogate.physics.drives import masked_series

    run_config = load_config(args.config)
    experiment = experiment_of(run_config, str(args.config))
    run = experiment.run(args.run)
    drive = run_config.drives[run.drive]
    trace = load_trace(Path(args.trace))
    traced_drive = trace.metadata.get("drive")
    if traced_drive != run.drive:
        raise CliError(f"{args.trace}: field 'drive' of its metadata is {traced_drive!r}; "
                       f"run '{args.run}' of {args.config} uses drive '{run.drive}'")
    channel = run_config.outputs_of(experiment.device)[0]
    states = node_states(trace.t - trace.t[0], trace.output(channel), drive.n_virtual_nodes,
                         drive.hold_time, drive.n_samples)
    series = masked_series(drive)[: len(states)]
    scores = horizon_scores(states, series, run.discard, run.train, experiment.ridge,
                            experiment.max_horizon, experiment.min_test_samples)
    horizon = min(experiment.overlay_horizon, scores.horizons[-1])
    target, predicted = predict_ahead(states, series, horizon, run.discard, run.train,
                                      experiment.ridge)
    result = {
        "trace": str(args.trace), "run": args.run, "drive": run.drive, "channel": channel,
        "engine": trace.metadata.get("engine"), "n_samples": int(len(states)),
        "n_virtual_nodes": drive.n_virtual_nodes, "hold_time_s": drive.hold_time,
        "discard": run.discard, "train": run.train, "ridge": experiment.ridge,
        "horizons": scores.horizons, "nrmse": scores.nrmse, "n_test": scores.n_test,
        "overlay": {"horizon": horizon, "first_test_sample": run.discard + run.train + horizon,
                    "target": np.asarray(target).tolist(),
                    "prediction": np.asarray(predicted).tolist()},
    }
    write_json_atomic(Path(args.out), result)
    print(f"{args.out}: NRMSE at H = 0: {scores.nrmse[0]:.4g}, at H = {scores.horizons[-1]}: "
          f"{scores.nrmse[-1]:.4g}")


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


def cmd_mackey_glass_figure(args: argparse.Namespace) -> None:
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
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--out", required=True, help="trace file (.npz)")
    p.set_defaults(func=cmd_import_mumax3)
    declare_paths(p, ("path",), ("out",))

    p = sub.add_parser("train", help="train a Spin-NODE on one or more traces")
    p.add_argument("trace", nargs="+",
                   help="trace files (.npz) of one device with the same channels and sample "
                        "spacing; each keeps its last val_fraction for validation, and the "
                        "first is the model's reference (units, metadata, settled state)")
    p.add_argument("--out", required=True, help="model checkpoint")
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--k", type=positive_int, help="delay-embedding dimension")
    p.add_argument("--delay", type=positive_int,
                   help="model steps between the delays (default 1)")
    p.add_argument("--hidden", type=positive_int, help="MLP width")
    p.add_argument("--depth", type=positive_int, help="hidden layers")
    p.add_argument("--seed", type=non_negative_int)
    p.add_argument("--max-minutes", dest="max_minutes", type=positive_float,
                   help="training wall-time cap")
    p.add_argument("--max-iterations", dest="max_iterations", type=positive_int,
                   help="iteration cap: with a fixed seed, training is then bit-identical")
    p.add_argument("--resume", action="store_const", const=Resume.STRICT, default=Resume.NO,
                   help="continue from OUT's periodic checkpoint (OUT.partial.pt) if it exists; "
                   "one that cannot be resumed (other settings or data, NaN weights, counts "
                   "beyond the settings, unreadable) is refused")
    p.add_argument("--resume-or-restart", dest="resume", action="store_const",
                   const=Resume.OR_RESTART, help="as --resume, but a checkpoint that cannot be "
                   "resumed is moved aside to OUT.partial.pt.invalid with a warning and training "
                   "starts afresh (the workflow's choice)")
    p.add_argument("--settings-json", help="further TrainSettings as JSON")
    p.add_argument("--low-pass", dest="low_pass", type=positive_float,
                   help="train on the outputs low-passed at this frequency (Hz): the drift "
                        "of a stochastic model")
    p.add_argument("--report", help="write the training report as JSON here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--threads", type=positive_int, default=1, help="torch threads (default 1)")
    p.set_defaults(func=cmd_train, sidecars={"--out": training_sidecars})
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

    p = sub.add_parser("predict", help="free-running prediction of a trace's or a drive's outputs")
    p.add_argument("model")
    p.add_argument(
        "trace_or_drive", nargs="?",
        help="trace file (.npz): its inputs drive the model, its first samples set the state",
    )
    p.add_argument("--drive", action=DriveReference, metavar="CONFIG:DRIVE",
                   help="forecast a drive of a config file without simulating it")
    p.add_argument("--device", help="the device of --drive (default: the model's own)")
    p.add_argument("--inputs", help="forecast input samples (SI) from a CSV file (header of "
                   "channel names, optional column t in s) or a .npy array (N, inputs)")
    p.add_argument("--sample-period", type=positive_float,
                   help="spacing (s) of the rows of --inputs without a t column "
                   "(default: the model step)")
    p.add_argument("--prefix", help="first (k-1)*delay + 1 outputs (SI) on the model grid, "
                   ".npy or a trace (.npz); default: the settled state stored in the model file")
    p.add_argument("--out", required=True, help="predicted trace (.npz)")
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--allow-partial", action="store_true",
                   help="accept a periodic checkpoint of an unfinished training")
    p.set_defaults(func=cmd_predict, drive_config=None, drive_name=None)
    declare_paths(p, ("model", "trace_or_drive", "drive_config", "inputs", "prefix"), ("out",))

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
    p.add_argument("--seed", type=non_negative_int, default=0)
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
    p.add_argument("--seed", type=non_negative_int, default=0)
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
    p.add_argument("--seed", type=non_negative_int, default=0)
    p.add_argument("--out", required=True,
                   help=".npz with t (s), paths (samples, N, outputs) in SI units, sigma")
    p.set_defaults(func=cmd_predict_noisy)
    declare_paths(p, ("model", "noise", "trace_or_drive"), ("out",))

    p = sub.add_parser("benchmark", help="time the surrogate against the engine on a held-out "
                       "drive: compute only and whole process")
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
    p.set_defaults(func=cmd_benchmark)
    declare_paths(p, ("model", "config", "engine_json", "eval"), ("out",))

    p = sub.add_parser("benchmark-summary", help="one TSV row per benchmark JSON")
    p.add_argument("--benchmark", action="append", required=True, help="benchmark JSON")
    p.add_argument("--out", required=True, help="summary TSV")
    p.set_defaults(func=cmd_benchmark_summary)
    declare_paths(p, ("benchmark",), ("out",))

    p = sub.add_parser("skyrmion-figure", help="figure 1: input, simulated and predicted output "
                       "for the training and test drives, one row per model")
    p.add_argument("--train-trace", required=True)
    p.add_argument("--test-trace", required=True)
    p.add_argument("--model", action="append", required=True, help="model file (gives its k)")
    p.add_argument("--train-pred", action="append", required=True,
                   help="that model's prediction of the training drive")
    p.add_argument("--test-pred", action="append", required=True,
                   help="that model's prediction of the test drive")
    p.add_argument("--channel", default="mz")
    p.add_argument("--out", action="append", required=True,
                   help="figure file; the suffix sets the format (.png, .pdf); repeatable")
    p.set_defaults(func=cmd_skyrmion_figure)
    declare_paths(p, ("train_trace", "test_trace", "model", "train_pred", "test_pred"), ("out",))

    p = sub.add_parser("speed-figure", help="figure 5: speed-ups against held-out NRMSE")
    p.add_argument("--benchmark", action="append", required=True, help="benchmark JSON")
    p.add_argument("--out", action="append", required=True,
                   help="figure file; the suffix sets the format (.png, .pdf); repeatable")
    p.set_defaults(func=cmd_speed_figure)
    declare_paths(p, ("benchmark",), ("out",))
    p = sub.add_parser("sine-square",
                       help="the random sine/square input of the recognition task and its labels")
    p.add_argument("--periods", type=positive_int, required=True, help="sine or square periods")
    p.add_argument("--points-per-period", dest="points_per_period", type=positive_int,
                   default=RecognitionExperiment.points_per_period)
    p.add_argument("--seed", type=non_negative_int, default=RecognitionExperiment.seed)
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
    p.add_argument("--delays", type=non_negative_int, default=RecognitionExperiment.delays)
    p.add_argument("--ridge", type=non_negative_float, default=RecognitionExperiment.ridge)
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

    p = sub.add_parser("parameter-sweep",
                       help="amplitude and frequency per held input value, simulated and predicted")
    p.add_argument("trace", help="simulated or imported trace whose inputs are held in segments")
    p.add_argument("prediction", help="the Spin-NODE's prediction of that trace (evaluate)")
    p.add_argument("--swept", action="append", required=True,
                   help="an input column swept on this trace, e.g. Ku1.region100")
    p.add_argument("--skip-time", type=non_negative_float, default=ParameterSweepSpec.skip_time,
                   help="left out after each step before measuring (s)")
    p.add_argument("--per-step", action="store_true",
                   help="divide each amplitude by its step (per unit of the stepped input)")
    p.add_argument("--channel", help="output measured (default: the trace's first)")
    p.add_argument("--out", required=True, help="sweep JSON")
    p.set_defaults(func=cmd_parameter_sweep)
    declare_paths(p, ("trace", "prediction"), ("out",))

    p = sub.add_parser("parameter-sweep-figure",
                       help="figure 3: amplitude and frequency against each held parameter")
    p.add_argument("--sweep", action="append", required=True, help="sweep JSON")
    p.add_argument("--png", required=True)
    p.add_argument("--pdf", required=True)
    p.add_argument("--title", default="")
    p.set_defaults(func=cmd_parameter_sweep_figure)
    declare_paths(p, ("sweep",), ("png", "pdf"))

    p = sub.add_parser("metrics", help="collect evaluation results into one JSON")
    p.add_argument("--eval", action="append", required=True, help="evaluation JSON")
    p.add_argument("--train-report", action="append", default=[], help="training report JSON")
    p.add_argument("--benchmark", action="append", default=[],
                   help="benchmark JSON: its speed-ups join the summary of its drive")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_metrics)
    declare_paths(p, ("eval", "train_report", "benchmark"), ("out",))
    declare_paths(p, ("eval", "train_report"), ("out",))

    p = sub.add_parser("reservoir", help="Mackey-Glass reservoir readout: NRMSE against horizon")
    p.add_argument("config", help="configuration YAML with experiments.mackey_glass")
    p.add_argument("trace", help="the device's response to the run's drive (.npz, simulated "
                   "or predicted)")
    p.add_argument("--run", required=True, choices=("simulated", "full"),
                   help="which run of experiments.mackey_glass the trace is")
    p.add_argument("--out", required=True, help="result JSON")
    p.set_defaults(func=cmd_reservoir)
    declare_paths(p, ("config", "trace"), ("out",))

    p = sub.add_parser("mackey-glass-figure",
                       help="figure 2: Mackey-Glass overlay and log10 NRMSE against horizon")
    p.add_argument("--simulated", required=True, help="reservoir JSON of the micromagnetic run")
    p.add_argument("--node-simulated", required=True,
                   help="reservoir JSON of the Spin-NODE on the same drive")
    p.add_argument("--node-full", required=True, help="reservoir JSON of the Spin-NODE full run")
    p.add_argument("--node-full-benchmark",
                   help="Snakemake benchmark TSV of the full run's predict (its wall time)")
    p.add_argument("--out", required=True, action="append", help="figure file (.png, .pdf)")
    p.add_argument("--summary", help="JSON: the NODE's wall time and its log10 NRMSE gap")
    p.set_defaults(func=cmd_mackey_glass_figure)
    declare_paths(p, ("simulated", "node_simulated", "node_full", "node_full_benchmark"),
                  ("out", "summary"))
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
