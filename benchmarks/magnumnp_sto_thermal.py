"""Noisy traces of the thermal vortex oscillator (magnum.np at 300 K), for the stochastic surrogate.

The device is `sto_thermal` of benchmarks/configs/vortex.yaml: the 200 nm
permalloy disk of benchmarks.magnumnp_sto_thiele with J_dc = -2.5e11 A/m2, at
T = 300 K and with alpha raised to 0.1, so the spin torque stays below its
threshold: the core performs thermally driven, damped gyration around the disk
centre. Its correlation time is then a few ns, so one CPU-sized run (tens of
ns) holds many correlation times and its variance and spectrum can be
estimated. With alpha = 0.01 it would be ~10 ns.

Each seed of the thermal field gives an independent trace; the stochastic
benchmark trains on one seed and judges on another.

Usage: python -m benchmarks.magnumnp_sto_thermal --seed 1 [--duration 24e-9]
Writes benchmarks/runs/sto_thermal/seed<SEED>/table.txt (mumax3 layout: t, mx,
my, mz, Jx, Jy, Jz) and engine.json, which benchmarks.stochastic_oscillator reads.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from benchmarks.common import RUNS_DIR, benchmark_config, simulate_magnumnp
from surrogate.config.specs import SimulationSpec

SAMPLE_PERIOD = 10e-12  # s
THERMAL_RUNS = RUNS_DIR / "sto_thermal"


def thermal_run_dir(seed: int) -> Path:
    """Where the run of thermal seed `seed` writes its table."""
    return THERMAL_RUNS / f"seed{seed}"


def thermal_spec(seed: int, duration: float) -> SimulationSpec:
    """`sto_thermal` for thermal seed `seed`, at constant J_dc for `duration` (s)."""
    config = benchmark_config("vortex")
    device = replace(config.devices["sto_thermal"], thermal_seed=seed)
    base = config.drives["dc_thermal"]
    drive = replace(base, name=f"dc_seed{seed}", seed=seed,
                    n_steps=int(round(duration / base.hold_time)))
    return SimulationSpec(device=device, drive=drive, sample_period=SAMPLE_PERIOD)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--duration", type=float, default=24e-9, help="s, after settling")
    parser.add_argument("--out", type=Path, help="default benchmarks/runs/sto_thermal/seed<SEED>")
    args = parser.parse_args()
    simulate_magnumnp(thermal_spec(args.seed, args.duration),
                      args.out or thermal_run_dir(args.seed), progress=False)


if __name__ == "__main__":
    main()
