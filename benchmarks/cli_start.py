"""Start-up of the command line: whole-process wall times of `python -m surrogate`.

Each command runs as a fresh process (argument list, no shell), `--runs` times,
one after another; the median is reported beside the interpreter's own start
(`python -c pass`), all in one run:

- `python -m surrogate --help` (the face builds every command's parser);
- `python -m surrogate predict --help`;
- with `--model` and `--drive NAME=FILE:SAMPLE_PERIOD` (input samples `.npy` in
  SI, one row every SAMPLE_PERIOD s, e.g. from `python -m benchmarks.forecast_inputs`):
  `python -m surrogate predict MODEL --inputs FILE --sample-period SAMPLE_PERIOD
  --out ...`, the whole forecast process the `benchmark` stage times.

    python -m benchmarks.cli_start [--model M.pt --drive test=u.npy:2.5e-12 ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import (
    RESULTS_DIR,
    drive_argument,
    write_result_json,
    write_result_markdown,
)

#: The limit issue 29 sets for `python -m surrogate --help` (s, median of 5, 2-core machine).
HELP_LIMIT_S = 0.3


def process_times(command: list[str], runs: int) -> list[float]:
    """Wall times (s) of `runs` processes of `command`; a failing one stops the benchmark."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}")
    return times


def commands(args: argparse.Namespace, folder: Path) -> list[tuple[str, list[str]]]:
    """(label, argument list) of every timed process."""
    python = sys.executable
    timed = [("python -c pass (the interpreter alone)", [python, "-c", "pass"]),
             ("python -m surrogate --help", [python, "-m", "surrogate", "--help"]),
             ("python -m surrogate predict --help",
              [python, "-m", "surrogate", "predict", "--help"])]
    for name, path, sample_period in args.drive:
        timed.append((f"python -m surrogate predict MODEL --inputs {path.name} (drive {name})",
                      [python, "-m", "surrogate", "predict", str(args.model), "--inputs",
                       str(path), "--sample-period", repr(sample_period),
                       "--out", str(folder / f"{name}.npz")]))
    return timed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="processes per command (median)")
    parser.add_argument("--model", type=Path, help="model file of the timed forecasts")
    parser.add_argument("--drive", type=drive_argument, action="append", default=[],
                        help="NAME=FILE:SAMPLE_PERIOD: a forecast of these input samples")
    parser.add_argument("--note", default="", help="a sentence on the inputs, for the result")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "cli_start.md")
    args = parser.parse_args(argv)
    if args.drive and args.model is None:
        parser.error("--drive needs --model")
    load = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory(prefix="cli-start-") as folder:
        for label, command in commands(args, Path(folder)):
            times = process_times(command, args.runs)
            rows.append({"command": label, "median_s": statistics.median(times), "runs_s": times})
            print(f"{label}: {statistics.median(times):.3f} s", file=sys.stderr)
    help_s = rows[1]["median_s"]
    record = {"runs": args.runs, "load_average_at_start": list(load), "model": str(args.model),
              "help_limit_s": HELP_LIMIT_S, "help_within_limit": help_s <= HELP_LIMIT_S,
              "note": args.note, "processes": rows}
    write_result_json(args.out.with_suffix(".json"), record)
    table = "\n".join(f"| {row['command']} | {row['median_s']:.3f} | "
                      f"{min(row['runs_s']):.3f}..{max(row['runs_s']):.3f} |" for row in rows)
    text = (f"# Start-up of the command line\n\nWall time (s) of whole processes, median of "
            f"{args.runs}, one after another; machine load average at the start: "
            f"{[round(x, 2) for x in load]}. Issue 29 asks `python -m surrogate --help` "
            f"<= {HELP_LIMIT_S} s: {help_s:.3f} s.\n\n"
            f"| process | median (s) | range (s) |\n|---|---|---|\n{table}\n\n{args.note}")
    write_result_markdown(args.out, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
