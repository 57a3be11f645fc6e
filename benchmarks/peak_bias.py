"""How far a model's short rollouts from the true state miss a trace's highest peaks.

    python -m benchmarks.peak_bias MODEL TRACE --above 0.96 [--window START:STOP]
        [--horizons 5 100] [--after-peaks LEAD]

For each horizon h (model steps), starts an h-step rollout from every true
embedded state of TRACE (windowed like `surrogate evaluate`) and compares the
predicted first output with the recorded one at the local maxima of that
output above `--above` (its SI unit). A mean error far from zero, at h = 5
already, is a bias of the vector field itself and not an error that a long
free run accumulated. docs/explanation/accuracy.md uses it on
the real one-skyrmion data.
"""

from __future__ import annotations

import argparse
import sys

from surrogate.analysis.error_split import errors_after_peaks, peak_bias
from surrogate.io.trace import load_trace
from surrogate.node.checkpoint import load_checkpoint
from surrogate.node.rollout import normalised_channels, rollouts_from_every_state
from surrogate.stages.options import CliError, finite_float, windowed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="model checkpoint (.pt)")
    parser.add_argument("trace", help="trace (.npz) with the model's inputs and outputs")
    parser.add_argument("--above", type=finite_float, required=True,
                        help="peaks higher than this, in the first output's SI unit")
    parser.add_argument("--window", help="START:STOP in s of the trace's clock")
    parser.add_argument("--horizons", type=int, nargs="+", default=[5, 100],
                        help="rollout lengths in model steps")
    parser.add_argument("--after-peaks", dest="after_peaks", type=int, metavar="LEAD",
                        help="per peak, the error of the longest rollout started LEAD "
                             "model steps before it")
    args = parser.parse_args(argv)
    try:
        trace = windowed(load_trace(args.trace), args.window)
    except CliError as exc:
        parser.error(str(exc))
    surrogate = load_checkpoint(args.model)
    x, u, stride = normalised_channels(surrogate, trace)
    recorded = surrogate.out_norm.invert(x)[:, 0]
    first = surrogate.shape.span - 1
    for horizon in args.horizons:
        if horizon < 1:
            parser.error(f"--horizons: {horizon} is not a positive number of steps")
    for horizon in args.horizons:
        rollouts = surrogate.out_norm.invert(
            rollouts_from_every_state(surrogate, x, u, stride, horizon)
        )[..., 0]
        predicted = rollouts[-1]
        if horizon == max(args.horizons):
            longest = rollouts
        # the rollout from state i ends on sample i + span - 1 + horizon
        target = recorded[first + horizon : first + horizon + len(predicted)]
        try:
            bias = peak_bias(predicted, target, args.above)
        except ValueError as exc:
            parser.error(f"{args.model} on {args.trace}: {exc}")
        print(f"horizon {horizon} steps: {surrogate.output_names[0]} predicted minus recorded "
              f"at {bias.count} peaks above {args.above:g}: mean {bias.mean_error:+.4f}")
    if args.after_peaks is not None:
        # rollouts[h, i] starts from the state whose newest sample is recorded[i + first]
        try:
            peaks = errors_after_peaks(longest, recorded[first:], args.above, args.after_peaks)
        except ValueError as exc:
            parser.error(f"{args.model} on {args.trace}: {exc}")
        times = trace.t[::stride][first:]
        for peak in peaks:
            print(f"peak at {times[peak.index]:.6e} s, {peak.height:.4f}: {len(longest)}-step "
                  f"rollout from {args.after_peaks} steps before, RMS error {peak.rms_error:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
