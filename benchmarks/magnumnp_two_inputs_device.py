"""The paper's two-input device on magnum.np against real mumax3 output. SI units.

Device `paper_two_inputs` and drive `mumax3_ku1_dind` of
benchmarks/configs/two_inputs_device.yaml (Chen et al. 2022): 100 nm disk,
100 x 100 x 1 cells of 1 nm, Ms 580 kA/m, Aex 15 pJ/m, Ku1 0.8 MJ/m^3, Dind
3.0 mJ/m^2; a 40 nm Néel skyrmion seeded, relaxed, settled at alpha 0.1, then
driven at alpha 0.01 by
Ku1 = 8e5 + 5e4 A_n sin(2 pi 4 GHz t) (one A_n per 250 ps) and
Dind = 3e-3 + 4e-4 B_m sin(2 pi 0.4 GHz t) (one B_m per 2.5 ns) together,
with the amplitudes mumax3 used: A_n = 2 (s_n - 1) - 1 and
B_m = 2 (s_(3000+m) - 1) - 1 from `sequence_amp3.ovf`.

The drive is rendered from the config (mumax3 script and data files, under
`<run-dir>/render`), the two data files are overwritten with the authors'
amplitudes in render's layout, and magnum.np runs the first `--drive-ns` of
them: both inputs are cut to that span (Dind to a fraction of its period),
with data files for the cut drive in `<run-dir>/drive`. <mz> is compared with
`table.txt` of ../shared/reference/mumax3/1skyrmion_input_PMA_DMI_train (NRMSE
over the common time span, and an overlay PNG), and the table's input columns
with ours.

Exits 0 with a message, writing nothing, when ../shared is absent.

Usage: python -m benchmarks.magnumnp_two_inputs_device [--drive-ns 0.5] [--settle-ns 0.2]
       [--run-dir benchmarks/runs/two_inputs_device] [--compare-only]
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
from surrogate.config.loader import RunConfig
from surrogate.config.specs import SimulationSpec
from surrogate.engines.drive_files import DrivePlan, read_drive, write_data_files
from surrogate.engines.magnumnp.runner import run_magnumnp
from surrogate.engines.table_layout import input_columns
from surrogate.io.mumax3_table import read_table
from surrogate.io.ovf import read_ovf
from surrogate.metrics import nrmse
from surrogate.stages.simulate import render_stage

REFERENCE = MUMAX3_REFERENCE_DIR / "1skyrmion_input_PMA_DMI_train"
CONFIG, DEVICE, DRIVE = "two_inputs_device", "paper_two_inputs", "mumax3_ku1_dind"
#: Index in sequence_amp3.ovf of the first Dind amplitude B_0 (the authors' script).
DIND_SEQUENCE_START = 3000
#: How close (dimensionless) <mz> at the start of the drive must be to mumax3's.
MZ0_TOLERANCE = 0.005


def authors_amplitudes(path: Path) -> dict[str, np.ndarray]:
    """A_n (Ku1) and B_m (Dind), 2 (s - 1) - 1 of the values s of `sequence_amp3.ovf`."""
    amplitudes = 2.0 * (read_ovf(path).values.reshape(-1) - 1.0) - 1.0
    return {"Ku1": amplitudes[:DIND_SEQUENCE_START], "Dind": amplitudes[DIND_SEQUENCE_START:]}


def with_amplitudes(plan: DrivePlan, amplitudes: dict[str, np.ndarray]) -> DrivePlan:
    """`plan` with each channel's data values set from `amplitudes`, in render's layout.

    One value per step of the shortest period, so an amplitude of a channel
    with a longer period repeats over the steps of its period.
    """
    channels = []
    for channel in plan.channels:
        repeat = round(1.0 / (plan.step * channel.frequency))
        needed = math.ceil(plan.n_steps / repeat)
        values = np.repeat(amplitudes[channel.parameter][:needed], repeat)[: plan.n_steps]
        channels.append(replace(channel, values=values))
    return replace(plan, channels=tuple(channels))


def render_authors_drive(config: RunConfig, folder: Path,
                         amplitudes: dict[str, np.ndarray]) -> DrivePlan:
    """Render the config's device and drive into `folder`, then put in the authors' amplitudes.

    Overwrites the drive data files render wrote; returns the drive as read back.
    """
    render_stage(config, DEVICE, DRIVE, folder)
    spec = config.simulation_spec(DEVICE, DRIVE)
    plan = with_amplitudes(read_drive(spec, folder), amplitudes)
    for name, text in write_data_files(plan, spec.device.cell_size).items():
        (folder / name).write_text(text, encoding="utf-8")
    return read_drive(spec, folder)


def cut_spec(spec: SimulationSpec, n_steps: int, settle_time: float) -> SimulationSpec:
    """`spec` settled for `settle_time` (s) with every input cut to its first `n_steps` steps.

    The engine runs for spec.drive.duration, so each input lasts n_steps of
    the shortest period: a fraction of a period for the slower ones.
    """
    step = 1.0 / max(item.frequency for item in spec.drive.inputs)
    inputs = tuple(replace(item, n_periods=n_steps * step * item.frequency)
                   for item in spec.drive.inputs)
    return replace(spec, device=replace(spec.device, settle_time=settle_time),
                   drive=replace(spec.drive, inputs=inputs))


def write_cut_drive(plan: DrivePlan, n_steps: int, cell_size: float, folder: Path) -> None:
    """Data files of the first `n_steps` steps of `plan` into `folder` (render's file names)."""
    channels = tuple(replace(ch, values=ch.values[:n_steps]) for ch in plan.channels)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in write_data_files(DrivePlan(channels, plan.step, n_steps),
                                       cell_size).items():
        (folder / name).write_text(text, encoding="utf-8")


def compare(table_path: Path, reference_path: Path, plan: DrivePlan,
            columns: list[str]) -> dict:
    """<mz> and the inputs of magnum.np at mumax3's sample times, over the common span.

    Both tables start at the first instant of their driven run, so times are
    compared from there (t - t[0]). The input `columns` are compared twice:
    our table's, interpolated; and our drive `plan` evaluated at mumax3's times.
    """
    ours, theirs = read_table(table_path), read_table(reference_path)
    t_ours = ours.column("t") - ours.column("t")[0]
    t_ref = theirs.column("t") - theirs.column("t")[0]
    keep = t_ref <= t_ours[-1] + 1e-15
    t = t_ref[keep]
    mz_ours = np.interp(t, t_ours, ours.column("mz"))
    mz_ref = theirs.column("mz")[keep]
    drive_values = plan.values(t)
    inputs = {}
    for index, name in enumerate(columns):
        reference = theirs.column(name)[keep]
        inputs[name] = {
            "max_abs_diff_table": float(np.max(np.abs(
                np.interp(t, t_ours, ours.column(name)) - reference))),
            "max_abs_diff_drive": float(np.max(np.abs(drive_values[:, index] - reference))),
        }
    return {
        "t": t, "mz": mz_ours, "mz_mumax3": mz_ref, "inputs_mumax3": theirs.data[keep],
        "compared_span_s": float(t[-1]),
        "nrmse_mz": nrmse(mz_ours, mz_ref),
        "max_abs_diff_mz": float(np.max(np.abs(mz_ours - mz_ref))),
        "mz0": float(mz_ours[0]), "mz0_mumax3": float(mz_ref[0]),
        "inputs": inputs,
    }


def plot(result: dict, reference_names: list[str], path: Path) -> None:
    """<mz> of both engines over the drive, and mumax3's Ku1 and Dind, against time (ns)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t_ns = result["t"] * 1e9
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5), sharex=True,
                                      gridspec_kw={"height_ratios": (2, 1)})
    top.plot(t_ns, result["mz_mumax3"], label="mumax3 (reference table)", lw=1.5)
    top.plot(t_ns, result["mz"], "--", label="magnum.np 2.2.0 (CPU)", lw=1.2)
    top.set_ylabel("<mz>")
    top.set_title(f"Paper two-input device (Ku1 and Dind driven), "
                  f"NRMSE = {result['nrmse_mz']:.3g}")
    top.legend()
    inputs = result["inputs_mumax3"]
    ku = bottom.plot(t_ns, inputs[:, reference_names.index("Ku1.region100")] * 1e-6,
                     color="tab:green", label="Ku1 (MJ/m³)")
    bottom.set_ylabel("Ku1 (MJ/m³)")
    twin = bottom.twinx()
    dind = twin.plot(t_ns, inputs[:, reference_names.index("Dind.region100")] * 1e3,
                     color="tab:red", label="Dind (mJ/m²)")
    twin.set_ylabel("Dind (mJ/m²)")
    bottom.legend(handles=ku + dind, loc="lower left")
    bottom.set_xlabel("time from the start of the drive (ns)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drive-ns", type=float, default=0.5, help="driven duration (ns)")
    parser.add_argument("--settle-ns", type=float, default=0.2,
                        help="settle at alpha 0.1 (ns); the authors settled 1 ns")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float64")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR)
    parser.add_argument(
        "--run-dir", type=Path, default=RUNS_DIR / "two_inputs_device",
        help="where render writes (render/), the cut drive goes (drive/) and magnum.np "
             "writes table.txt, engine.json and OVF snapshots (out/)",
    )
    parser.add_argument(
        "--compare-only", action="store_true", help="compare the table already in --run-dir"
    )
    args = parser.parse_args()
    reference = shared_input(REFERENCE)
    config = benchmark_config(CONFIG)
    full_spec = config.simulation_spec(DEVICE, DRIVE)
    plan = render_authors_drive(config, args.run_dir / "render",
                                authors_amplitudes(reference / "sequence_amp3.ovf"))
    n_steps = math.ceil(args.drive_ns * 1e-9 / plan.step - 1e-9)
    if not 1 <= n_steps <= plan.n_steps:
        raise SystemExit(f"--drive-ns {args.drive_ns}: must be > 0 and at most "
                         f"{plan.duration * 1e9:g} ns (drive '{DRIVE}' of {CONFIG}.yaml)")
    spec = cut_spec(full_spec, n_steps, args.settle_ns * 1e-9)
    drive_folder, out_dir = args.run_dir / "drive", args.run_dir / "out"
    if not args.compare_only:
        write_cut_drive(plan, n_steps, spec.device.cell_size, drive_folder)
        run_magnumnp(spec, out_dir, drive_folder, dtype=args.dtype, threads=1)
    cut_plan = read_drive(spec, drive_folder)
    engine = json.loads((out_dir / "engine.json").read_text(encoding="utf-8"))
    result = compare(out_dir / "table.txt", reference / "table.txt", cut_plan,
                     input_columns(spec))
    args.results.mkdir(parents=True, exist_ok=True)
    plot(result, read_table(reference / "table.txt").names,
         args.results / "magnumnp_two_inputs_device.png")
    record = {
        "benchmark": "paper two-input device vs mumax3 1skyrmion_input_PMA_DMI_train",
        "config": f"benchmarks/configs/{CONFIG}.yaml",
        "settle_s": spec.device.settle_time,
        "drive_s": spec.drive.duration,
        "n_compared_samples": len(result["t"]),
        **{k: v for k, v in result.items() if k not in ("t", "mz", "mz_mumax3", "inputs_mumax3")},
        "mz0_within_tolerance": abs(result["mz0"] - result["mz0_mumax3"]) <= MZ0_TOLERANCE,
        "mz0_tolerance": MZ0_TOLERANCE,
        "engine": engine,
    }
    write_result_json(args.results / "magnumnp_two_inputs_device.json", record)
    print(json.dumps({k: v for k, v in record.items() if k != "engine"}, indent=2))


if __name__ == "__main__":
    main()
