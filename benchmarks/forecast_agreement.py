"""Do several models' forecasts agree with each other where they miss the target?

    python -m benchmarks.forecast_agreement TRACE PRED [PRED ...] --interval START:STOP
        [--echo-state START:STOP]

Each PRED is a forecast file of `surrogate predict` over the same stretch of
TRACE; its first output channel is compared with TRACE's first output channel.
`--echo-state` also fits the tuned echo-state network of `surrogate.baselines`
on that window of TRACE and adds its free run (after its teacher-forced
warm-up). The forecasts are compared on the first PRED's time grid, where all
of them are defined. Prints, inside the interval and outside it, the RMS
difference (the channel's unit) of each forecast from the target and of each
pair of forecasts. docs/explanation/accuracy.md uses it on the
real one-skyrmion data with `--interval 9.7e-8:9.8e-8 --echo-state 1e-8:6e-8`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from surrogate.analysis.error_split import forecast_agreement
from surrogate.baselines.echo_state import echo_state_predict, fit_echo_state
from surrogate.io.trace import Trace, TraceError, load_trace
from surrogate.stages.options import CliError, parse_window


def _closed_window(parser: argparse.ArgumentParser, option: str, text: str) -> tuple[float, float]:
    try:
        start, stop = parse_window(text)
    except CliError as exc:
        parser.error(f"{option}: {exc}")
    if start is None or stop is None:
        parser.error(f"{option} '{text}': give both START and STOP in s")
    return start, stop


def _echo_state_forecast(trace: Trace, fit_window: tuple[float, float], grid: np.ndarray):
    """(t, forecast) of the echo-state network fitted on `fit_window` of `trace` (s)."""
    step_s = float(np.median(np.diff(grid)))
    network = fit_echo_state(trace.window(*fit_window), step_s=step_s)
    t, predicted, _ = echo_state_predict(network, trace.window(grid[0], grid[-1] + step_s))
    return t, predicted[:, 0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trace", help="trace (.npz) whose first output channel is the target")
    parser.add_argument("predictions", nargs="+",
                        help="forecast files (.npz) of `surrogate predict`")
    parser.add_argument("--interval", required=True, help="START:STOP in s of the trace's clock")
    parser.add_argument("--echo-state", dest="echo_state", metavar="START:STOP",
                        help="also fit the echo-state network on this window (s) and compare it")
    args = parser.parse_args(argv)
    start_s, stop_s = _closed_window(parser, "--interval", args.interval)
    try:
        trace = load_trace(args.trace)
        forecasts = {Path(path).name: load_trace(path) for path in args.predictions}
    except (OSError, TraceError, ValueError) as exc:
        parser.error(str(exc))
    grid = next(iter(forecasts.values())).t
    series = {label: (forecast.t, forecast.outputs[:, 0]) for label, forecast in forecasts.items()}
    if args.echo_state is not None:
        fit_window = _closed_window(parser, "--echo-state", args.echo_state)
        try:
            series["echo-state network"] = _echo_state_forecast(trace, fit_window, grid)
        except (TraceError, ValueError) as exc:
            parser.error(f"--echo-state on {args.trace}: {exc}")
    first = max(t[0] for t, _ in series.values())
    last = min(t[-1] for t, _ in series.values())
    grid = grid[(grid >= max(first, trace.t[0])) & (grid <= min(last, trace.t[-1]))]
    if len(grid) < 2:
        parser.error(f"the forecasts share no stretch [{first:.6g}, {last:.6g}] s with each "
                     f"other and {args.trace} ([{trace.t[0]:.6g}, {trace.t[-1]:.6g}] s)")
    on_grid = np.stack([np.interp(grid, t, values) for t, values in series.values()])
    target = np.interp(grid, trace.t, trace.outputs[:, 0])
    try:
        agreement = forecast_agreement(grid, on_grid, target, start_s, stop_s)
    except ValueError as exc:
        parser.error(f"{args.predictions} on {args.trace}: {exc}")
    inside = int(np.sum((grid >= start_s) & (grid < stop_s)))
    labels = list(series)
    print(f"channel {trace.output_names[0]}, [{start_s * 1e9:.3f}, {stop_s * 1e9:.3f}) ns: "
          f"{inside} samples inside, {len(grid) - inside} outside (RMS, inside / outside)")
    for index, label in enumerate(labels):
        print(f"  {label} to the target: {agreement.to_target_inside[index]:.4f} / "
              f"{agreement.to_target_outside[index]:.4f}")
    for i, label in enumerate(labels):
        for j in range(i + 1, len(labels)):
            print(f"  {label} to {labels[j]}: {agreement.between_inside[i, j]:.4f} / "
                  f"{agreement.between_outside[i, j]:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
