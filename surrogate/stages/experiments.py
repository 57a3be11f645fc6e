"""The `experiment` group: the recognition task, the parameter sweep and the Mackey-Glass
reservoir (times in s, SI units)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from surrogate.config.recognition_spec import RecognitionExperiment
from surrogate.stages.options import (
    CliError,
    add_command,
    add_group,
    declare_paths,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
)

#: Output records of the recognition task: source name -> command-line option's dest.
RECOGNITION_RECORDS = {"simulation": "simulation", "node": "node",
                       "node_input_noise": "input_noise", "stochastic": "stochastic"}

#: The options naming those records, with their help.
RECOGNITION_OPTIONS = (
    ("--simulation", "trace of the simulated noisy device"),
    ("--node", "the Spin-NODE's prediction (predict)"),
    ("--input-noise", "paths of the Spin-NODE with input noise (noise predict)"),
    ("--stochastic", "paths of the learned stochastic model (noise sample)"),
)


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


def cmd_parameter_sweep(args: argparse.Namespace) -> None:
    from surrogate.analysis.parameter_sweep import sweep_points
    from surrogate.config.parameter_sweep_spec import ParameterSweepSpec
    from surrogate.io.atomic import write_json_atomic
    from surrogate.io.provenance import check_prediction_belongs
    from surrogate.io.trace import load_trace

    skip = ParameterSweepSpec.skip_time if args.skip_time is None else args.skip_time
    simulated, predicted = load_trace(args.trace), load_trace(args.prediction)
    check_prediction_belongs(args.trace, simulated.metadata, args.prediction, predicted.metadata)
    channel = args.channel or simulated.output_names[0]
    points = sweep_points(simulated, predicted, args.swept, skip=skip,
                          per_step=args.per_step, channel=channel)
    if not points:
        raise CliError(f"{args.trace}: no held segment longer than --skip-time "
                       f"{skip} s after a step of one input, with the other --swept "
                       "inputs at their base; nothing to measure")
    write_json_atomic(Path(args.out), {
        "trace": str(args.trace), "prediction": str(args.prediction), "channel": channel,
        "skip_time_s": skip, "per_step": args.per_step, "points": points,
    })
    print(f"{args.out}: {len(points)} held values")


def _reservoir_inputs(args: argparse.Namespace):
    """The run of experiments.mackey_glass that `args.run` names, its drive and the trace."""
    from surrogate.config.loader import load_config
    from surrogate.config.mackey_glass_spec import experiment_of
    from surrogate.io.trace import load_trace

    run_config = load_config(args.config)
    experiment = experiment_of(run_config, str(args.config))
    run = experiment.run(args.run)
    trace = load_trace(Path(args.trace))
    traced_drive = trace.metadata.get("drive")
    if traced_drive != run.drive:
        raise CliError(f"{args.trace}: field 'drive' of its metadata is {traced_drive!r}; "
                       f"run '{args.run}' of {args.config} uses drive '{run.drive}'")
    channel = run_config.outputs_of(experiment.device)[0]
    return experiment, run, run_config.drives[run.drive], trace, channel


def cmd_reservoir(args: argparse.Namespace) -> None:
    import numpy as np

    from surrogate.analysis.reservoir import horizon_scores, node_states, predict_ahead
    from surrogate.io.atomic import write_json_atomic
    from surrogate.physics.drives import masked_series

    experiment, run, drive, trace, channel = _reservoir_inputs(args)
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


def _register_recognition(sub) -> None:
    p = add_command(sub, "sine-square",
                    "the random sine/square input of the recognition task and its labels",
                    cmd_sine_square)
    p.add_argument("--periods", type=positive_int, required=True, help="sine or square periods")
    p.add_argument("--points-per-period", dest="points_per_period", type=positive_int,
                   default=RecognitionExperiment.points_per_period)
    p.add_argument("--seed", type=non_negative_int, default=RecognitionExperiment.seed)
    p.add_argument("--out", required=True, help="input values, one a line (a values_file)")
    p.add_argument("--labels", required=True, help="labels, one a line: 0 sine, 1 square")
    declare_paths(p, (), ("out", "labels"))

    p = add_command(sub, "recognition-score",
                    "sine/square accuracy of a linear readout on four output records",
                    cmd_recognition_score)
    p.add_argument("--labels", required=True, help="labels file of experiment sine-square")
    for option, text in RECOGNITION_OPTIONS:
        p.add_argument(option, required=True, help=text)
    p.add_argument("--point-time", dest="point_time", type=positive_float, required=True,
                   help="hold time of one input point (s)")
    p.add_argument("--train-points", dest="train_points", type=positive_int, required=True,
                   help="the first points, on which the readout is fitted")
    p.add_argument("--taps", type=positive_int, default=RecognitionExperiment.taps)
    p.add_argument("--delays", type=non_negative_int, default=RecognitionExperiment.delays)
    p.add_argument("--ridge", type=non_negative_float, default=RecognitionExperiment.ridge)
    p.add_argument("--out", required=True, help="accuracy JSON")
    declare_paths(p, ("labels", "simulation", "node", "input_noise", "stochastic"), ("out",))


def _register_sweep_reservoir(sub) -> None:
    p = add_command(sub, "parameter-sweep",
                    "amplitude and frequency per held input value, simulated and predicted",
                    cmd_parameter_sweep)
    p.add_argument("trace", help="simulated or imported trace whose inputs are held in segments")
    p.add_argument("prediction", help="the Spin-NODE's prediction of that trace (evaluate)")
    p.add_argument("--swept", action="append", required=True,
                   help="an input column swept on this trace, e.g. Ku1.region100")
    p.add_argument("--skip-time", type=non_negative_float,
                   help="left out after each step before measuring (s; default: "
                   "ParameterSweepSpec.skip_time)")
    p.add_argument("--per-step", action="store_true",
                   help="divide each amplitude by its step (per unit of the stepped input)")
    p.add_argument("--channel", help="output measured (default: the trace's first)")
    p.add_argument("--out", required=True, help="sweep JSON")
    declare_paths(p, ("trace", "prediction"), ("out",))

    p = add_command(sub, "reservoir", "Mackey-Glass reservoir readout: NRMSE against horizon",
                    cmd_reservoir)
    p.add_argument("config", help="configuration YAML with experiments.mackey_glass")
    p.add_argument("trace", help="the device's response to the run's drive (.npz, simulated "
                   "or predicted)")
    p.add_argument("--run", required=True, choices=("simulated", "full"),
                   help="which run of experiments.mackey_glass the trace is")
    p.add_argument("--out", required=True, help="result JSON")
    declare_paths(p, ("config", "trace"), ("out",))


def register(sub) -> None:
    """The `experiment` group: sine-square, recognition-score, parameter-sweep, reservoir."""
    group = add_group(sub, "experiment", "the recognition task, the parameter sweep and the "
                      "Mackey-Glass reservoir")
    _register_recognition(group)
    _register_sweep_reservoir(group)
