"""Speed and skyrmion survival of the paper's skyrmion device on magnum.np (SI units).

Runs the one-skyrmion disk (paper material unless overridden) at a chosen cell
size and Ku1 drive amplitude dKu (A_n uniform in [-2, 2], 4 GHz), and prints the
<mz> range of the driven run and the wall time per stage. Used to choose the
CPU default configuration.

Usage: python benchmarks/magnumnp_device_survey.py --cell 4e-9 --dku 3e4 --periods 16
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from surrogate.config.specs import Material, RandomSineDrive, SimulationSpec, SkyrmionDevice
from surrogate.engines.magnumnp.skyrmion import EngineError, Integrator, run_magnumnp
from surrogate.io.mumax3_table import read_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", type=float, default=4e-9, help="cell size (m)")
    parser.add_argument("--diameter", type=float, default=80e-9, help="disk diameter (m)")
    parser.add_argument("--ku", type=float, default=8e5, help="Ku1 (J/m3)")
    parser.add_argument("--dind", type=float, default=3.5e-3, help="Dind (J/m2)")
    parser.add_argument("--dku", type=float, default=3e4, help="drive amplitude (J/m3)")
    parser.add_argument("--periods", type=int, default=16, help="drive periods of 250 ps")
    parser.add_argument("--settle", type=float, default=1e-9, help="settle time (s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--integrator", choices=("rkf45", "rk4"), default="rkf45")
    parser.add_argument("--atol", type=float, default=1e-5)
    parser.add_argument("--step", type=float, default=0.25e-12, help="rk4 step (s)")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float64")
    args = parser.parse_args()
    material = Material(Ms=580e3, Aex=15e-12, Ku1=args.ku, Dind=args.dind)
    device = SkyrmionDevice(
        "survey", material, args.diameter, 1e-9, args.cell, 40e-9, settle_time=args.settle
    )
    drive = RandomSineDrive("survey", "Ku1", args.dku, 4e9, args.periods, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        integrator = Integrator(args.integrator, args.atol, args.step)
        try:
            path = run_magnumnp(
                SimulationSpec(device, drive), Path(tmp), dtype=args.dtype,
                integrator=integrator,
            )
        except EngineError as exc:
            print(json.dumps({"args": vars(args), "error": str(exc)}, indent=2))
            return
        mz = read_table(path).column("mz")
        engine = json.loads((Path(tmp) / "engine.json").read_text())
    settle_ns, drive_ns = args.settle * 1e9, args.periods / 4.0
    print(json.dumps({
        "args": vars(args),
        "mz": {"first": mz[0], "min": mz.min(), "max": mz.max(), "std": mz.std()},
        "wall_s": engine["wall_s"],
        "s_per_ns": {
            "settle": engine["wall_s"]["settle"] / settle_ns,
            "drive": engine["wall_s"]["drive"] / drive_ns,
        },
    }, indent=2))


if __name__ == "__main__":
    main()
