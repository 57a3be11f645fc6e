"""Speed of the magnum.np vortex oscillator on this machine: T = 0 vs 300 K, float64 vs float32.

Each variant runs in its own process (magnum.np's dtype is process-wide) with
one torch thread, on the oscillator `sto_thiele` of benchmarks/configs/vortex.yaml
at J_dc: 0.2 ns of settling and `--duration` of driven run. At T = 0 the run
starts from a core displaced by the holding field (a centred core at T = 0 does
not move and would flatter the speed); at 300 K from the relaxed, centred core.
Speeds are read from each run's engine.json: simulated ns per wall minute and
per CPU minute (the machine is shared, so the CPU figure is the steadier one).

Usage: python -m benchmarks.magnumnp_sto_speed [--duration 1e-9]
Writes benchmarks/results/magnumnp_sto_speed.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from benchmarks.common import (
    REPO_ROOT,
    RESULTS_DIR,
    RUNS_DIR,
    write_result_json,
    write_result_markdown,
)

RESULTS = RESULTS_DIR
VARIANTS = [(0.0, "float64"), (0.0, "float32"), (300.0, "float64"), (300.0, "float32")]

CHILD = """
import json, sys
from dataclasses import replace
from pathlib import Path
from benchmarks.magnumnp_sto_thiele import DEVICE, run_engine
temperature, dtype, duration, out = float(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4]
device = replace(DEVICE, temperature=temperature, settle_time=2e-10, thermal_seed=1)
run_engine(device, duration, Path(out), dtype=dtype, displaced=temperature == 0.0)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=1e-9, help="driven run (s)")
    parser.add_argument("--work", type=Path, default=RUNS_DIR / "sto_speed")
    args = parser.parse_args()
    rows = []
    for temperature, dtype in VARIANTS:
        out = args.work / f"T{temperature:g}_{dtype}"
        command = [sys.executable, "-c", CHILD, str(temperature), dtype, str(args.duration),
                   str(out)]
        subprocess.run(command, check=True, cwd=REPO_ROOT)
        record = json.loads((out / "engine.json").read_text())
        rows.append({
            "temperature_K": temperature, "dtype": dtype,
            "simulated_ns": record["simulated_s"] * 1e9,
            "wall_s": record["wall_s"], "cpu_s": record["cpu_s"],
            "ns_per_wall_minute": record["simulated_ns_per_wall_minute"],
            "ns_per_cpu_minute": record["simulated_ns_per_cpu_minute"],
        })
    results = {"threads": 1, "duration_s": args.duration, "runs": rows}
    write_result_json(RESULTS / "magnumnp_sto_speed.json", results)
    lines = [
        "# magnum.np vortex oscillator speed (1 torch thread)", "",
        "200 nm disk, 10 nm thick, 5 nm cells (40 x 40 x 1), RKF45 atol 1e-5, J_dc driving.",
        "", "| T (K) | dtype | ns / wall min | ns / CPU min | drive wall s | drive CPU s |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['temperature_K']:g} | {row['dtype']} | {row['ns_per_wall_minute']:.2f} | "
            f"{row['ns_per_cpu_minute']:.2f} | {row['wall_s']['drive']:.1f} | "
            f"{row['cpu_s']['drive']:.1f} |"
        )
    lines += ["", "Measured on a shared machine (see the provenance line)."]
    write_result_markdown(RESULTS / "magnumnp_sto_speed.md", "\n".join(lines))


if __name__ == "__main__":
    main()
