"""Where a model's free-run error lies: its worst interval and the NRMSE without it.

    python -m benchmarks.worst_interval MODEL TRACE [--window START:STOP] [--width 1e-9]

Runs MODEL free on TRACE (windowed like `surrogate evaluate`), cuts the run
into back-to-back intervals of `--width` s and prints the NRMSE, the interval
with the largest share of the squared error, that share, the NRMSE of the
rest, and the NRMSE the run would have if it were exact outside that interval
(a floor that no improvement elsewhere can go below). docs/explanation/accuracy.md
uses it on the real one-skyrmion data with
`--window 6e-8:1.1e-7`.
"""

from __future__ import annotations

import argparse
import sys

from surrogate.analysis.error_split import worst_interval
from surrogate.io.trace import load_trace
from surrogate.node.rollout import evaluate_model
from surrogate.stages.options import CliError, positive_float, windowed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="model checkpoint (.pt)")
    parser.add_argument("trace", help="trace (.npz) with the model's inputs and outputs")
    parser.add_argument("--window", help="START:STOP in s of the trace's clock")
    parser.add_argument("--width", type=positive_float, default=1e-9, help="interval width (s)")
    args = parser.parse_args(argv)
    try:
        trace = windowed(load_trace(args.trace), args.window)
    except CliError as exc:
        parser.error(str(exc))
    result = evaluate_model(args.model, trace)
    try:
        worst = worst_interval(result.t, result.predicted, result.target, args.width)
    except ValueError as exc:
        parser.error(f"{args.model} on {args.trace}: {exc}")
    print(f"NRMSE {result.nrmse:.4f}; worst interval [{worst.start_s * 1e9:.3f}, "
          f"{worst.stop_s * 1e9:.3f}) ns holds {100 * worst.share:.0f} % of the squared error; "
          f"NRMSE without it {worst.nrmse_without:.4f}; exact elsewhere, the NRMSE would be "
          f"{worst.nrmse_of_interval:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
