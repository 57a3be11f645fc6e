"""One run of the recommended CPU oscillator (device + held J drive) through the engine, timed.

The device `vortex_sto` and its training drive are read from the oscillator
profile (config.yaml + profiles/oscillator/oscillator.yaml): the
200 nm permalloy disk of benchmarks.magnumnp_sto_thiele at T = 0, relaxed
under a 5 mT in-plane field that displaces the core by ~10 nm (`relax_field`),
settled at alpha = 0.01 under J_dc (the gyration grows towards its limit cycle),
then J held at J_dc + amplitude * A_n for `hold_time` each. It reports the wall
and CPU time, the gyration frequency (from <my>), and plots the trace.

Usage: python -m benchmarks.magnumnp_sto_default [--work benchmarks/runs/sto_default]
Writes benchmarks/results/magnumnp_sto_default.{json,png,md}.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from benchmarks.common import (
    RESULTS_DIR,
    RUNS_DIR,
    repository_config,
    simulate_magnumnp,
    write_result_json,
    write_result_markdown,
)
from benchmarks.magnumnp_sto_thiele import windowed_frequency
from surrogate.config.specs import SimulationSpec
from surrogate.io.mumax3_table import read_table

RESULTS = RESULTS_DIR
PROFILE = "profiles/oscillator/oscillator.yaml"
SAMPLE_PERIOD = 5e-12  # s, this benchmark's table sampling (the profile's is config.yaml's)


def oscillator_spec() -> SimulationSpec:
    """The profile's `vortex_sto` device under its training drive."""
    config = repository_config(PROFILE)
    device = config.devices["vortex_sto"]
    drive = config.drives[config.train_drive_of("vortex_sto")]
    return SimulationSpec(device=device, drive=drive, sample_period=SAMPLE_PERIOD)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=RUNS_DIR / "sto_default")
    out = parser.parse_args().work
    spec = oscillator_spec()
    oscillator, drive = spec.device, spec.drive
    start, cpu = time.perf_counter(), time.process_time()
    table = read_table(simulate_magnumnp(spec, out))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    engine = json.loads((out / "engine.json").read_text())
    t, mx, my, jz = (table.column(name) for name in ("t", "mx", "my", "Jz"))
    periods = windowed_frequency(t, mx, my)
    results = {
        "config": f"config.yaml + {PROFILE}",
        "spec": spec.to_dict(),
        "wall_s_in_process": wall,
        "cpu_s_in_process": cpu,
        "engine": engine,
        "periods": periods,
        "m_inplane_first_last": [float(np.hypot(mx[0], my[0])), float(np.hypot(mx[-1], my[-1]))],
    }
    write_result_json(RESULTS / "magnumnp_sto_default.json", results)
    _plot(t, mx, my, jz, RESULTS / "magnumnp_sto_default.png")
    f = np.asarray(periods["f_Hz"])
    lines = [
        "# Recommended CPU oscillator: one run", "",
        f"Device: {asdict(oscillator)}", "", f"Drive: {asdict(drive)}", "",
        f"Relaxed under relax_field = {oscillator.relax_field} T.", "",
        f"- wall {wall:.0f} s, CPU {cpu:.0f} s in the process (import included); "
        f"engine stages (wall s): {engine['wall_s']}",
        f"- simulated ns per wall minute {engine['simulated_ns_per_wall_minute']:.2f}, per CPU "
        f"minute {engine['simulated_ns_per_cpu_minute']:.2f}",
        f"- gyration frequency in 0.5 ns windows of the driven run ({len(f)} windows): "
        f"{f.min() / 1e9 if len(f) else float('nan'):.3f}-"
        f"{f.max() / 1e9 if len(f) else float('nan'):.3f} GHz",
    ]
    write_result_markdown(RESULTS / "magnumnp_sto_default.md", "\n".join(lines))


def _plot(t, mx, my, jz, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_m, ax_j) = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
    ax_m.plot(t * 1e9, mx, lw=0.7, label="<mx>")
    ax_m.plot(t * 1e9, my, lw=0.7, label="<my>")
    ax_m.set(ylabel="<m>")
    ax_m.legend(fontsize=7)
    ax_j.plot(t * 1e9, jz, lw=0.8)
    ax_j.set(xlabel="t (ns)", ylabel="Jz (A/m2)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
