"""Speed and skyrmion survival of the default skyrmion device on magnum.np (SI units).

Runs the `skyrmion` device of the repository's config.yaml under its `train`
drive (Ku1, A_n uniform in [-2, 2], 4 GHz), each field overridable on the
command line (cell size, diameter, Ku1, Dind, drive amplitude dKu, periods,
settle time, seed), and prints the <mz> range of the driven run and the wall
time per stage. Used to choose the CPU default configuration; prints only.

Usage: python -m benchmarks.magnumnp_device_survey [--cell 4e-9] [--dku 3e4] [--periods 16]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import replace
from pathlib import Path

from benchmarks.common import provenance, repository_config, simulate_magnumnp
from surrogate.config.specs import SimulationSpec
from surrogate.engines.magnumnp.base import EngineError, Integrator, Numerics
from surrogate.io.mumax3_table import read_table


def survey_spec(args: argparse.Namespace) -> SimulationSpec:
    """config.yaml's skyrmion device and train drive with the command-line overrides."""
    config = repository_config()
    device = config.devices["skyrmion"]
    drive = config.drives[config.train_drive_of("skyrmion")]
    material = replace(device.material, **{key: value for key, value in
                                           (("Ku1", args.ku), ("Dind", args.dind))
                                           if value is not None})
    device_fields = {"cell_size": args.cell, "diameter": args.diameter,
                     "settle_time": args.settle}
    drive_fields = {"amplitude": args.dku, "n_periods": args.periods, "seed": args.seed}
    device = replace(device, name="survey", material=material,
                     **{key: value for key, value in device_fields.items() if value is not None})
    drive = replace(drive, name="survey",
                    **{key: value for key, value in drive_fields.items() if value is not None})
    return SimulationSpec(device, drive, config.sample_period)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", type=float, help="cell size (m)")
    parser.add_argument("--diameter", type=float, help="disk diameter (m)")
    parser.add_argument("--ku", type=float, help="Ku1 (J/m3)")
    parser.add_argument("--dind", type=float, help="Dind (J/m2)")
    parser.add_argument("--dku", type=float, help="drive amplitude (J/m3)")
    parser.add_argument("--periods", type=int, help="drive periods")
    parser.add_argument("--settle", type=float, help="settle time (s)")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--integrator", choices=("rkf45", "rk4"), default="rkf45")
    parser.add_argument("--atol", type=float, default=1e-5)
    parser.add_argument("--step", type=float, default=0.25e-12, help="rk4 step (s)")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float64")
    args = parser.parse_args()
    spec = survey_spec(args)
    with tempfile.TemporaryDirectory() as tmp:
        numerics = Numerics(integrator=Integrator(args.integrator, atol=args.atol, step=args.step))
        try:
            path = simulate_magnumnp(spec, Path(tmp), dtype=args.dtype, numerics=numerics)
        except EngineError as exc:
            print(json.dumps({"spec": spec.to_dict(), "error": str(exc)}, indent=2))
            return
        mz = read_table(path).column("mz")
        engine = json.loads((Path(tmp) / "engine.json").read_text())
    settle_ns, drive_ns = spec.device.settle_time * 1e9, spec.drive.duration * 1e9
    print(json.dumps({
        "spec": spec.to_dict(),
        "mz": {"first": mz[0], "min": mz.min(), "max": mz.max(), "std": mz.std()},
        "wall_s": engine["wall_s"],
        "s_per_ns": {
            "settle": engine["wall_s"]["settle"] / settle_ns,
            "drive": engine["wall_s"]["drive"] / drive_ns,
        },
        "provenance": provenance(),
    }, indent=2, default=float))


if __name__ == "__main__":
    main()
