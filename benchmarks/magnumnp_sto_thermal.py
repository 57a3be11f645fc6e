"""Noisy traces of the thermal vortex oscillator (magnum.np at 300 K), for the stochastic surrogate.

The device is the 200 nm permalloy disk of benchmarks/magnumnp_sto_thiele.py
with J_dc = -2.5e11 A/m2, at T = 300 K and with alpha raised to 0.1, so the
spin torque stays below its threshold: the core performs thermally driven,
damped gyration around the disk centre. Its correlation time is then a few ns,
so one CPU-sized run (tens of ns) holds many correlation times and its variance
and spectrum can be estimated. With alpha = 0.01 it would be ~10 ns.

Each seed of the thermal field gives an independent trace; the stochastic
benchmark trains on one seed and judges on another.

Usage: PYTHONPATH=. python benchmarks/magnumnp_sto_thermal.py --seed 1 --duration 24e-9 \
           --out /tmp/sto_thermal/seed1
Writes OUT/table.txt (mumax3 layout: t, mx, my, mz, Jx, Jy, Jz) and OUT/engine.json.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from surrogate.config.specs import HeldSequenceDrive, SimulationSpec, VortexOscillator
from surrogate.engines.magnumnp.vortex import run_magnumnp_oscillator

THERMAL_DEVICE_FIELDS = {
    "name": "vortex_sto_thermal", "alpha": 0.1, "alpha_settle": 0.1, "settle_time": 3e-9,
    "J_dc": -2.5e11, "temperature": 300.0,
}
SAMPLE_PERIOD = 10e-12  # s


def thermal_spec(base: VortexOscillator, seed: int, duration: float) -> SimulationSpec:
    """The thermal oscillator for thermal seed `seed`, at constant J_dc for `duration` (s)."""
    device = replace(base, **THERMAL_DEVICE_FIELDS, thermal_seed=seed)
    hold = 1e-9
    drive = HeldSequenceDrive(name=f"dc_seed{seed}", parameter="J", amplitude=0.0,
                              hold_time=hold, n_steps=int(round(duration / hold)), seed=seed)
    return SimulationSpec(device=device, drive=drive, sample_period=SAMPLE_PERIOD)


def main() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from magnumnp_sto_thiele import DEVICE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--duration", type=float, default=24e-9, help="s, after settling")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    run_magnumnp_oscillator(thermal_spec(DEVICE, args.seed, args.duration), args.out,
                            progress=False)


if __name__ == "__main__":
    main()
