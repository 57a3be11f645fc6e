"""The paper's one-skyrmion device on magnum.np against real mumax3 output. SI units.

Device `paper_1skyrmion` and drive `mumax3_sequence_amp2` of
benchmarks/configs/skyrmion.yaml (Chen et al. 2022): 80 nm disk, 80 x 80 x 1
cells of 1 nm, Ms 580 kA/m, Aex 15 pJ/m, Ku1 0.8 MJ/m^3, Dind 3.5 mJ/m^2; a
40 nm Néel skyrmion seeded, relaxed, 1 ns at alpha 0.1, then driven at alpha 0.01 by
Ku1 = 8e5 + 1e5 A_n sin(2 pi 4 GHz t), with the A_n that mumax3 used:
A_n = 4 (s_n - 1) - 2 from `sequence_amp2.ovf`, written as the drive data file
that `render` wrote beside the script (the file both engines read), so the
run replays mumax3's drive. <mz> of the driven run is
compared with `table.txt` of ../shared/reference/mumax3/1skyrmion_voltage_train
(NRMSE over the common time span, and an overlay PNG). The run is slow on a
CPU, so the driven duration is an option (default 0.5 ns).

Exits 0 with a message, writing nothing, when ../shared is absent.

Usage: python -m benchmarks.magnumnp_paper_device [--drive-ns 0.5] [--settle-ns 1.0]
       [--run-dir benchmarks/runs/paper_device] [--compare-only]
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.common import (
    MUMAX3_REFERENCE_DIR,
    RESULTS_DIR,
    RUNS_DIR,
    benchmark_config,
    shared_input,
    write_result_json,
)
from surrogate.config.specs import SimulationSpec
from surrogate.engines.drive_files import drive_plan, write_data_files
from surrogate.engines.magnumnp.runner import run_magnumnp
from surrogate.engines.mumax3.render import render_simulation
from surrogate.io.atomic import atomic_write
from surrogate.io.mumax3_table import read_table
from surrogate.metrics import nrmse

REFERENCE = MUMAX3_REFERENCE_DIR / "1skyrmion_voltage_train"


def paper_spec(settle_time: float, n_periods: int) -> SimulationSpec:
    """The paper's device and Ku1 drive (config) with `settle_time` (s) and `n_periods`."""
    spec = benchmark_config("skyrmion").simulation_spec("paper_1skyrmion", "mumax3_sequence_amp2")
    return replace(spec, device=replace(spec.device, settle_time=settle_time),
                   drive=replace(spec.drive, n_periods=n_periods))


def mumax3_amplitudes(path: Path) -> np.ndarray:
    """A_n = 4 (s_n - 1) - 2 from the text OVF2 sequence file that the mumax3 run used."""
    from ovf2io import read_ovf

    values = np.concatenate([np.ravel(v) for v in read_ovf(path)["data"].values()])
    return 4.0 * (values - 1.0) - 2.0


def render_with_amplitudes(spec: SimulationSpec, run_dir: Path, amplitudes: np.ndarray) -> None:
    """Render `spec` into `run_dir`, then replace its drive data file by `amplitudes` (A_n)."""
    render_simulation(spec, run_dir, overwrite=True)
    plan = drive_plan(spec)
    (channel,) = plan.channels
    if len(amplitudes) != len(channel.values):
        raise ValueError(f"{len(amplitudes)} mumax3 amplitudes for a drive of "
                         f"{len(channel.values)} periods")
    replayed = replace(plan, channels=(replace(channel, values=np.asarray(amplitudes)),))
    for name, text in write_data_files(replayed, spec.device.cell_size).items():
        with atomic_write(run_dir / name) as tmp:
            tmp.write_text(text, encoding="utf-8")


def compare(table_path: Path, reference_path: Path) -> dict:
    """<mz> of magnum.np interpolated at mumax3's sample times, over the common span.

    Both tables start at the first instant of their driven run, so times are
    compared from there (t - t[0]): the settle time of the two runs may differ.
    """
    ours, theirs = read_table(table_path), read_table(reference_path)
    t_ours = ours.column("t") - ours.column("t")[0]
    t_ref = theirs.column("t") - theirs.column("t")[0]
    keep = t_ref <= t_ours[-1] + 1e-15
    t = t_ref[keep]
    mz_ours = np.interp(t, t_ours, ours.column("mz"))
    mz_ref = theirs.column("mz")[keep]
    ku_ours = np.interp(t, t_ours, ours.column("Ku1.region100"))
    return {
        "t": t, "mz": mz_ours, "mz_mumax3": mz_ref,
        "nrmse_mz": nrmse(mz_ours, mz_ref),
        "max_abs_diff_mz": float(np.max(np.abs(mz_ours - mz_ref))),
        "max_abs_diff_Ku1": float(np.max(np.abs(ku_ours - theirs.column("Ku1.region100")[keep]))),
        "mz0": float(mz_ours[0]), "mz0_mumax3": float(mz_ref[0]),
    }


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.plot(result["t"] * 1e9, result["mz_mumax3"], label="mumax3 (reference table)", lw=1.5)
    ax.plot(result["t"] * 1e9, result["mz"], "--", label="magnum.np 2.2.0 (CPU)", lw=1.2)
    ax.set_xlabel("time from the start of the drive (ns)")
    ax.set_ylabel("<mz>")
    ax.set_title(f"Paper one-skyrmion device, NRMSE = {result['nrmse_mz']:.3g}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drive-ns", type=float, default=0.5, help="driven duration (ns)")
    parser.add_argument("--settle-ns", type=float, default=1.0, help="settle at alpha 0.1 (ns)")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float64")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR)
    parser.add_argument(
        "--run-dir", type=Path, default=RUNS_DIR / "paper_device",
        help="where the magnum.np run writes table.txt, engine.json and OVF snapshots",
    )
    parser.add_argument(
        "--compare-only", action="store_true", help="compare the table already in --run-dir"
    )
    args = parser.parse_args()
    reference = shared_input(REFERENCE)
    frequency = benchmark_config("skyrmion").drives["mumax3_sequence_amp2"].frequency
    n_periods = math.ceil(args.drive_ns * 1e-9 * frequency - 1e-9)
    spec = paper_spec(args.settle_ns * 1e-9, n_periods)
    amplitudes = mumax3_amplitudes(reference / "sequence_amp2.ovf")[:n_periods]
    if not args.compare_only:
        render_with_amplitudes(spec, args.run_dir, amplitudes)
        run_magnumnp(spec, args.run_dir, args.run_dir, dtype=args.dtype)
    engine = json.loads((args.run_dir / "engine.json").read_text())
    result = compare(args.run_dir / "table.txt", reference / "table.txt")
    args.results.mkdir(parents=True, exist_ok=True)
    plot(result, args.results / "magnumnp_paper_device.png")
    record = {
        "benchmark": "paper one-skyrmion device vs mumax3 1skyrmion_voltage_train",
        "config": "benchmarks/configs/skyrmion.yaml",
        "settle_s": engine["simulated_s"] - spec.drive.duration,
        "drive_s": spec.drive.duration,
        "n_compared_samples": len(result["t"]),
        **{k: v for k, v in result.items() if k not in ("t", "mz", "mz_mumax3")},
        "engine": engine,
    }
    write_result_json(args.results / "magnumnp_paper_device.json", record)
    print(json.dumps({k: v for k, v in record.items() if k != "engine"}, indent=2))


if __name__ == "__main__":
    main()
