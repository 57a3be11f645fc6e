"""The thermal recognition oscillator on magnum.np at 300 K: stochastic Heun against RKF45.

Device: config.yaml's `vortex_recognition_thermal` (the oscillator of the
recognition experiment: a 100 nm disk, 20 nm thick, 5 nm cells, 20 x 20 x 1,
alpha 0.03, J_dc = -1e12 A/m2) at T = 300 K, sampled every config
`sample_period` (2.5 ps) as the experiment samples it, under a constant J_dc
(the `recognition_train` drive with amplitude 0: held steps of 100 ps, so the
engine stops at the same drive switches). Each run settles for `--settle`, then
runs `--duration`; each (integrator, seed) runs in its own process with one
torch thread, one after the other, so the speeds are side by side in one run.

Speed: simulated ns of the drive per CPU minute and per wall minute of the
drive stage (the settling stage holds torch.compile's warm-up of the field
terms, a fixed cost), and the same over settle + drive as engine.json gives
them. Statistics over the drive: <mx^2 + my^2>
of the mean in-plane m, the gyration frequency, and the linewidth (FWHM of a
Lorentzian line, Hz) from the phase diffusion of mx + i my: the variance of the
phase increment over a lag tau, detrended, grows as 2 pi FWHM tau; the slope is
fitted over lags `LAGS`. Seeds give the spread of each integrator's statistics.

Stability probe: Heun is explicit, so its step is bounded by the fastest
(exchange) spin waves of the mesh; `--probe-steps` runs seed 1 for
`--probe-duration` at each longer step and records whether the vortex survived
(the engine's texture check) and the speed.

Usage: python -m benchmarks.magnumnp_thermal_heun [--duration 2e-9] [--settle 2e-10]
       [--seeds 1 2] [--heun-step 2.5e-13] [--probe-steps 4e-13 5e-13 6e-13]
       [--probe-duration 4e-10]
Writes benchmarks/results/magnumnp_thermal_heun.{json,md}; runs under
benchmarks/runs/thermal_heun/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.common import (
    REPO_ROOT,
    RESULTS_DIR,
    RUNS_DIR,
    repository_config,
    simulate_magnumnp,
    write_result_json,
    write_result_markdown,
)
from surrogate.config.specs import SimulationSpec
from surrogate.engines.magnumnp.base import Integrator, Numerics
from surrogate.engines.magnumnp.vortex import THERMAL_STEP
from surrogate.io.mumax3_table import read_table

DEVICE = "vortex_recognition_thermal"
DRIVE = "recognition_train"
TEMPERATURE = 300.0  # K
LAGS = np.arange(20, 201, 20)  # samples: 50-500 ps at 2.5 ps
RUNS = RUNS_DIR / "thermal_heun"

CHILD = """
import json, sys
from pathlib import Path
from benchmarks.magnumnp_thermal_heun import run_variant
integrator, step, seed, settle, duration, out = json.loads(sys.argv[1])
run_variant(integrator, step, seed, settle, duration, Path(out))
"""


def thermal_spec(seed: int, settle: float, duration: float) -> SimulationSpec:
    """The recognition oscillator at 300 K, thermal seed `seed`, under J_dc for `duration` (s)."""
    config = repository_config()
    device = replace(config.devices[DEVICE], temperature=TEMPERATURE, thermal_seed=seed,
                     settle_time=settle)
    base = config.drives[DRIVE]
    drive = replace(base, name="dc", amplitude=0.0,
                    n_steps=int(round(duration / base.hold_time)))
    return SimulationSpec(device=device, drive=drive, sample_period=config.sample_period)


def run_variant(integrator: str, step: float, seed: int, settle: float, duration: float,
                out: Path) -> None:
    """One run (in this process) with `integrator` 'rkf45' (atol = rtol = 1e-5) or 'heun'."""
    numerics = Numerics(integrator=Integrator(integrator, step=step))
    simulate_magnumnp(thermal_spec(seed, settle, duration), out, progress=False,
                      numerics=numerics, threads=1)


def oscillator_statistics(table: np.ndarray, sample_period: float) -> dict:
    """<mx^2 + my^2>, gyration frequency (Hz) and phase-diffusion linewidth (Hz) of a trace."""
    mx, my = table[:, 1], table[:, 2]
    phase = np.unwrap(np.arctan2(my, mx))  # the core gyrates around the disk centre
    t = np.arange(len(phase)) * sample_period
    slope, _ = np.polyfit(t, phase, 1)
    variances = [np.var(phase[lag:] - phase[:-lag] - slope * lag * sample_period)
                 for lag in LAGS]
    diffusion, _ = np.polyfit(LAGS * sample_period, variances, 1)
    return {"mean_inplane_m2": float(np.mean(mx**2 + my**2)),
            "frequency_Hz": float(abs(slope) / (2 * np.pi)),
            "linewidth_Hz": float(diffusion / (2 * np.pi))}


def run_child(integrator: str, step: float, seed: int, settle: float, duration: float,
              out: Path) -> subprocess.CompletedProcess:
    """`run_variant` in a child process (magnum.np's import changes torch's global state)."""
    payload = json.dumps([integrator, step, seed, settle, duration, str(out)])
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), CUDA_DEVICE="-1")
    return subprocess.run([sys.executable, "-c", CHILD, payload], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, check=False)


def measure(integrator: str, step: float, seed: int, args: argparse.Namespace) -> dict:
    """Run one variant in a child process; its speed and statistics."""
    out = RUNS / f"{integrator}_seed{seed}"
    load_before = os.getloadavg()
    done = run_child(integrator, step, seed, args.settle, args.duration, out)
    if done.returncode != 0:
        raise SystemExit(f"{integrator} seed {seed} failed:\n{done.stderr[-3000:]}")
    record = json.loads((out / "engine.json").read_text())
    spec = thermal_spec(seed, args.settle, args.duration)
    drive_ns = args.duration * 1e9
    return {
        "integrator": integrator, "step_s": step if integrator == "heun" else None,
        "atol": record["integrator"]["atol"], "seed": seed,
        "simulated_ns": record["simulated_s"] * 1e9, "llg_steps": record["llg_steps"],
        "cpu_s": record["cpu_s"], "wall_s": record["wall_s"],
        "ns_per_cpu_minute": drive_ns / record["cpu_s"]["drive"] * 60.0,
        "ns_per_wall_minute": drive_ns / record["wall_s"]["drive"] * 60.0,
        "ns_per_cpu_minute_with_settle": record["simulated_ns_per_cpu_minute"],
        "load_average_1min_before_after": [load_before[0], os.getloadavg()[0]],
        **oscillator_statistics(read_table(out / "table.txt").data, spec.sample_period),
    }


def probe(step: float, args: argparse.Namespace) -> dict:
    """Heun at `step` (s), seed 1, for `--probe-duration`: did the vortex survive, how fast."""
    out = RUNS / f"probe_heun_{step:g}"
    done = run_child("heun", step, 1, args.settle, args.probe_duration, out)
    if done.returncode != 0:
        return {"step_s": step, "survived": False, "error": done.stderr.strip().splitlines()[-1]}
    record = json.loads((out / "engine.json").read_text())
    return {"step_s": step, "survived": True, "error": None,
            "ns_per_cpu_minute": args.probe_duration * 1e9 / record["cpu_s"]["drive"] * 60.0}


def spread(rows: list[dict], key: str) -> tuple[float, float]:
    """Mean and sample standard deviation of `key` over `rows` (std 0 for one row)."""
    values = np.array([row[key] for row in rows])
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=2e-9, help="driven run (s)")
    parser.add_argument("--settle", type=float, default=2e-10, help="settling run (s)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--heun-step", type=float, default=THERMAL_STEP, help="s")
    parser.add_argument("--probe-steps", type=float, nargs="*", default=[4e-13, 5e-13, 6e-13])
    parser.add_argument("--probe-duration", type=float, default=4e-10, help="s")
    args = parser.parse_args()
    rows = [measure(name, step, seed, args) for seed in args.seeds
            for name, step in (("rkf45", 0.0), ("heun", args.heun_step))]
    probes = [probe(step, args) for step in args.probe_steps]
    summary = {}
    for name in ("rkf45", "heun"):
        runs = [row for row in rows if row["integrator"] == name]
        summary[name] = {key: spread(runs, key) for key in (
            "ns_per_cpu_minute", "ns_per_wall_minute", "ns_per_cpu_minute_with_settle",
            "mean_inplane_m2", "frequency_Hz", "linewidth_Hz")}
    ratio = summary["heun"]["ns_per_cpu_minute"][0] / summary["rkf45"]["ns_per_cpu_minute"][0]
    ratio_with_settle = (summary["heun"]["ns_per_cpu_minute_with_settle"][0]
                         / summary["rkf45"]["ns_per_cpu_minute_with_settle"][0])
    results = {"device": DEVICE, "temperature_K": TEMPERATURE, "settle_s": args.settle,
               "duration_s": args.duration, "threads": 1, "cpu_count": os.cpu_count(),
               "heun_over_rkf45_ns_per_cpu_minute": ratio,
               "heun_over_rkf45_ns_per_cpu_minute_with_settle": ratio_with_settle,
               "summary": summary, "runs": rows, "probe_duration_s": args.probe_duration,
               "stability_probe": probes}
    write_result_json(RESULTS_DIR / "magnumnp_thermal_heun.json", results)
    lines = [
        "# Thermal recognition oscillator at 300 K: stochastic Heun against RKF45", "",
        f"`{DEVICE}` at {TEMPERATURE:g} K, {args.settle * 1e9:g} ns settling + "
        f"{args.duration * 1e9:g} ns at J_dc, sampled every 2.5 ps; one torch thread; "
        f"seeds {args.seeds}. Mean +- sample std over seeds.", "",
        "| integrator | drive ns / CPU min | drive ns / wall min | <mx^2+my^2> | f (GHz) "
        "| FWHM (MHz) |",
        "|---|---|---|---|---|---|",
    ]
    for name, label in (("rkf45", "RKF45 atol 1e-5"),
                        ("heun", f"Heun, step {args.heun_step * 1e12:g} ps")):
        s = summary[name]
        lines.append(
            f"| {label} | {s['ns_per_cpu_minute'][0]:.2f} +- {s['ns_per_cpu_minute'][1]:.2f} | "
            f"{s['ns_per_wall_minute'][0]:.2f} +- {s['ns_per_wall_minute'][1]:.2f} | "
            f"{s['mean_inplane_m2'][0]:.5f} +- {s['mean_inplane_m2'][1]:.5f} | "
            f"{s['frequency_Hz'][0] / 1e9:.4f} +- {s['frequency_Hz'][1] / 1e9:.4f} | "
            f"{s['linewidth_Hz'][0] / 1e6:.1f} +- {s['linewidth_Hz'][1] / 1e6:.1f} |")
    loads = [load for row in rows for load in row["load_average_1min_before_after"]]
    lines += ["", f"Heun / RKF45, simulated ns per CPU minute of the drive: **{ratio:.2f}x** "
              f"({ratio_with_settle:.2f}x over settle + drive, torch.compile's warm-up included).",
              f"1-minute load average during the runs: {min(loads):.2f}-{max(loads):.2f} "
              f"on {os.cpu_count()} cores (a shared machine)."]
    lines += ["", f"Stability probe (Heun, seed 1, {args.probe_duration * 1e9:g} ns after "
              "settling):", ""]
    for row in probes:
        outcome = (f"vortex kept, {row['ns_per_cpu_minute']:.2f} drive ns / CPU min"
                   if row["survived"] else f"failed: {row['error']}")
        lines.append(f"- step {row['step_s'] * 1e12:g} ps: {outcome}")
    write_result_markdown(RESULTS_DIR / "magnumnp_thermal_heun.md", "\n".join(lines))


if __name__ == "__main__":
    main()
