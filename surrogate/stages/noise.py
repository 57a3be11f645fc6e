"""The `noise` group: stochastic models of a noisy device (times in s, SI units).

`noise fit` and `noise sample`: a k = 1 model's diffusion and observation noise, and
paths drawn from it. `noise fit-input` and `noise predict`: Gaussian noise on the inputs.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

from surrogate.stages.options import (
    WINDOW_HELP,
    CliError,
    add_command,
    add_group,
    declare_paths,
    non_negative_int,
    positive_float,
    positive_int,
    windowed,
)


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
    """sigma from a `noise fit-input` JSON file; errors name the file and the field."""
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


def _register_stochastic(sub) -> None:
    p = add_command(sub, "fit", "fit a k=1 model's diffusion and observation noise on a noisy "
                    "trace", cmd_fit_noise)
    p.add_argument("model")
    p.add_argument("trace")
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--lags", default="1:8",
                   help="FIRST:LAST residual lags fitted, in model steps (default 1:8)")
    p.add_argument("--out", required=True, help="noise-model JSON")
    declare_paths(p, ("model", "trace"), ("out",))

    p = add_command(sub, "sample", "noisy paths of the stochastic model on a trace's drive",
                    cmd_sample)
    p.add_argument("model")
    p.add_argument("noise", help="noise-model JSON from `noise fit`")
    p.add_argument("trace_or_drive")
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--samples", type=positive_int, default=32)
    p.add_argument("--seed", type=non_negative_int, default=0)
    p.add_argument("--out", required=True, help=".npz with t (s), paths (samples, N, outputs)")
    declare_paths(p, ("model", "noise", "trace_or_drive"), ("out",))


def _register_input_noise(sub) -> None:
    p = add_command(sub, "fit-input", "fit the sigma of Gaussian input noise from the one-step "
                    "residual", cmd_fit_input_noise)
    p.add_argument("model")
    p.add_argument("trace")
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--probe", type=positive_float,
                   help="noise level (normalised input units) at which the spread is measured")
    p.add_argument("--seed", type=non_negative_int, default=0)
    p.add_argument("--out", required=True, help="input-noise JSON")
    declare_paths(p, ("model", "trace"), ("out",))

    p = add_command(sub, "predict", "free-running predictions with Gaussian noise on the inputs",
                    cmd_predict_noisy)
    p.add_argument("model")
    p.add_argument("noise", help="input-noise JSON from `noise fit-input`")
    p.add_argument("trace_or_drive")
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--samples", type=positive_int, default=32)
    p.add_argument("--seed", type=non_negative_int, default=0)
    p.add_argument("--out", required=True,
                   help=".npz with t (s), paths (samples, N, outputs) in SI units, sigma")
    declare_paths(p, ("model", "noise", "trace_or_drive"), ("out",))


def register(sub) -> None:
    """The `noise` group: fit, sample, fit-input, predict."""
    group = add_group(sub, "noise", "stochastic models of a noisy device and input noise")
    _register_stochastic(group)
    _register_input_noise(group)
