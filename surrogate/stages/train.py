"""The Spin-NODE's commands: `train`, `evaluate` and `predict` (times in s, SI units)."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path

from surrogate.stages.options import (
    WINDOW_HELP,
    CliError,
    add_command,
    declare_paths,
    json_option,
    non_negative_int,
    positive_float,
    positive_int,
    set_threads,
    windowed,
)


def train_settings(args: argparse.Namespace):
    """TrainSettings from --settings-json overlaid with explicit options, type-checked once."""
    from surrogate.config.model_settings import SettingsError, parse_model_settings

    values = json_option("--settings-json", args.settings_json) if args.settings_json else {}
    for name in ("k", "delay", "hidden", "depth", "seed", "max_minutes", "max_iterations"):
        value = getattr(args, name)
        if value is not None:
            values[name] = value
    try:
        return parse_model_settings(values, "--settings-json")
    except SettingsError as exc:
        raise CliError(str(exc)) from exc


def training_sidecars(out_path: Path) -> list[tuple[str, Path]]:
    """(what, path) of each file `train --out out_path` writes besides it, for the check
    of every write before work (surrogate.node.sidecars, imported only when called)."""
    from surrogate.node.sidecars import training_sidecars as sidecars

    return sidecars(out_path)


def cmd_train(args: argparse.Namespace) -> None:
    from surrogate.io.trace import load_trace
    from surrogate.node.sidecars import Resume
    from surrogate.node.training import train_model

    set_threads(args.threads)
    traces = [windowed(load_trace(path), args.window) for path in args.trace]
    if args.low_pass is not None:
        from surrogate.analysis.spectra import resolved_band

        traces = [resolved_band(trace, args.low_pass) for trace in traces]
    settings = train_settings(args)
    report = train_model(traces, settings, Path(args.out), progress=not args.quiet,
                         resume=Resume(args.resume), trace_labels=list(args.trace))
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
    ("extrapolate", "--extrapolate", ("drive", "inputs")),
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
    """`predict`: torch-free (node/forecast.py); jsonschema and engine code for --drive only."""
    sources = [args.trace_or_drive is not None, args.drive is not None, args.inputs is not None]
    if sum(sources) != 1:
        raise CliError("give exactly one of: a trace file, --drive CONFIG:DRIVE, --inputs FILE")
    refuse_unused_options(args, ("trace", "drive", "inputs")[sources.index(True)],
                          PREDICT_MODE_OPTIONS)
    started = time.perf_counter()
    if args.inputs is not None:
        from surrogate.node.forecast import predict_from_files

        predicted = predict_from_files(args.model, args.inputs, args.out,
                                       prefix_path=args.prefix, sample_period=args.sample_period,
                                       allow_partial=args.allow_partial,
                                       extrapolate=args.extrapolate)
    else:
        from surrogate.io.trace import save_trace

        predicted = _on_trace(args) if args.trace_or_drive is not None else _on_drive(args)
        save_trace(predicted, args.out)
    print(f"{args.out}: {len(predicted.t)} steps in {time.perf_counter() - started:.3f} s")


def _on_trace(args: argparse.Namespace):
    """The prediction of `predict MODEL TRACE`: the trace's inputs drive the model, its
    first outputs set the state."""
    from surrogate.io.trace import load_trace
    from surrogate.node.forecast import predict_trace

    trace = load_trace(Path(args.trace_or_drive))
    return predict_trace(Path(args.model), windowed(trace, args.window),
                         allow_partial=args.allow_partial)


def _on_drive(args: argparse.Namespace):
    """The forecast of `predict --drive CONFIG:DRIVE`: the drive rendered from the config,
    checked against the training envelope as `--inputs` is."""
    from surrogate.config.loader import load_config
    from surrogate.engines.drive_series import drive_input_series
    from surrogate.node.forecast import checked_forecast, load_model, read_prefix

    model = load_model(Path(args.model), allow_partial=args.allow_partial)
    device = args.device or model.metadata.get("trained_on", {}).get("device")
    if device is None:
        raise CliError(f"{args.model}: the model file does not name its device; give --device")
    run = load_config(args.drive_config)
    series = drive_input_series(run.simulation_spec(device, args.drive_name))
    prefix_source = f"--prefix {args.prefix}"
    prefix = None if args.prefix is None else read_prefix(Path(args.prefix), model, prefix_source)
    predicted = checked_forecast(model, series, prefix,
                                 f"--drive {args.drive_config}:{args.drive_name}", prefix_source,
                                 args.extrapolate)
    predicted.metadata.update(model=str(args.model), device=device, drive=args.drive_name,
                              config=str(args.drive_config))
    return predicted


class DriveReference(argparse.Action):
    """`--drive CONFIG:DRIVE`: stores the config path and the drive name apart."""

    def __call__(self, parser, namespace, value, option_string=None):
        config_path, _, drive = value.rpartition(":")
        if not config_path or not drive:
            raise argparse.ArgumentError(self, f"'{value}' is not CONFIG:DRIVE")
        namespace.drive, namespace.drive_config, namespace.drive_name = value, config_path, drive


def _register_train(sub) -> None:
    p = add_command(sub, "train", "train a Spin-NODE on one or more traces", cmd_train)
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
    # The values of surrogate.node.sidecars.Resume (not imported here: it is under node).
    p.add_argument("--resume", action="store_const", const="strict", default="no",
                   help="continue from OUT's periodic checkpoint (OUT.partial.pt) if it exists; "
                   "one that cannot be resumed (other settings or data, NaN weights, counts "
                   "beyond the settings, unreadable) is refused")
    p.add_argument("--resume-or-restart", dest="resume", action="store_const",
                   const="or-restart", help="as --resume, but a checkpoint that cannot be "
                   "resumed is moved aside to OUT.partial.pt.invalid with a warning and training "
                   "starts afresh (the workflow's choice)")
    p.add_argument("--settings-json", help="further TrainSettings as JSON")
    p.add_argument("--low-pass", dest="low_pass", type=positive_float,
                   help="train on the outputs low-passed at this frequency (Hz): the drift "
                        "of a stochastic model")
    p.add_argument("--report", help="write the training report as JSON here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--threads", type=positive_int, default=1, help="torch threads (default 1)")
    p.set_defaults(sidecars={"--out": training_sidecars})
    declare_paths(p, ("trace",), ("out", "report"))


def _register_evaluate(sub) -> None:
    p = add_command(sub, "evaluate", "free-running prediction and its NRMSE", cmd_evaluate)
    p.add_argument("model")
    p.add_argument("trace")
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--json", help="write the result as JSON here")
    p.add_argument("--pred-out", help="write the predicted trace here")
    p.add_argument("--allow-partial", action="store_true",
                   help="accept a periodic checkpoint of an unfinished training")
    p.add_argument("--threads", type=positive_int, default=1, help="torch threads (default 1)")
    declare_paths(p, ("model", "trace"), ("json", "pred_out"))


def _register_predict(sub) -> None:
    p = add_command(sub, "predict", "free-running prediction of a trace's or a drive's outputs",
                    cmd_predict)
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
    p.add_argument("--extrapolate", action="store_const", const=True,
                   help="forecast --drive or --inputs even far outside the ranges the model "
                   "saw in training (a warning instead of a refusal)")
    p.add_argument("--allow-partial", action="store_true",
                   help="accept a periodic checkpoint of an unfinished training")
    p.set_defaults(drive_config=None, drive_name=None)
    declare_paths(p, ("model", "trace_or_drive", "drive_config", "inputs", "prefix"), ("out",))


def register(sub) -> None:
    """`train`, `evaluate` and `predict`, in that order."""
    _register_train(sub)
    _register_evaluate(sub)
    _register_predict(sub)
