"""Learned stochastic Spin-NODE on the thermal vortex oscillator: variance and PSD, held out.

Takes noisy traces of one device from benchmarks.magnumnp_sto_thermal
(magnum.np at 300 K, each its own thermal seed). It trains the drift on the
`--train` trace low-passed at 3 GHz (k = 1, outputs <mx>, <my>, input Jz;
validation by rollouts of `val_horizon` steps), fits the diffusion and
observation noise on the raw trace (surrogate/stochastic.py), and for every
`--test` trace draws `--samples` paths as long as it, started from its first
state. The model never sees the test traces. For each it compares:
- the variance of each output over the trace;
- the PSD of <mx> (the magnetoresistance signal, R = R_P + dR (1 - <mx>)/2):
  peak frequency, half-power width, and the band-mean |log10| distance from
  the model's mean PSD, over the gyration band (f <= 5 GHz, ten times the
  gyration frequency) and over every bin above 1 % of the peak.

Tolerance: the simulation is one finite realisation, so even a perfect model's
single path differs from its ensemble mean. Each model path is as long as the
test trace, so the spread of a statistic over the paths is the spread one
simulation of that length has. A statistic matches when the simulated value
lies within the central 95 % of the paths' values.

Usage: for seed in 1 2 3; do python -m benchmarks.magnumnp_sto_thermal --seed $seed; done
       python -m benchmarks.stochastic_oscillator [--train TABLE] [--test TABLE ...]
The defaults read benchmarks/runs/sto_thermal/seed1 (train) and seed2, seed3 (test).
Writes benchmarks/results/stochastic_oscillator.{md,json,png}.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from benchmarks.common import (
    RESULTS_DIR,
    produced_input,
    write_result_json,
    write_result_markdown,
)
from benchmarks.magnumnp_sto_thermal import thermal_run_dir
from surrogate.analysis.spectra import peak_and_width, resolved_band, welch_psd
from surrogate.io.mumax3_table import read_table
from surrogate.io.trace import Trace
from surrogate.node.checkpoint import load_checkpoint
from surrogate.node.training import TrainSettings, train_model
from surrogate.noise.stochastic import fit_noise, sample_paths

RESULTS = RESULTS_DIR
TRAIN_SEED, TEST_SEEDS = 1, (2, 3)
OUTPUTS = ["mx", "my"]
SEGMENT_S = 4e-9  # Welch segment (s): 0.25 GHz resolution
LAGS = (10, 50)  # model steps (100-500 ps): past the decorrelation of a ~10 GHz spin-wave mode
VAL_HORIZON = 50  # model steps (500 ps): a quarter of the gyration period
DRIFT_CUTOFF_HZ = 3e9  # six times the gyration frequency, below the ~10 GHz spin-wave mode
GYRATION_BAND_HZ = 5e9
BAND_FLOOR = 0.01


def oscillator_trace(path: Path) -> Trace:
    """<mx>, <my> driven by Jz from an oscillator table (mumax3 layout)."""
    table = read_table(path)
    outputs = np.stack([table.column(name) for name in OUTPUTS], axis=1)
    return Trace(table.column("t"), table.column("Jz")[:, None], outputs, ["Jz"], OUTPUTS,
                 ["A/m2"], ["", ""], {"source": str(path)})


def spectrum(x: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
    freqs, psd, _ = welch_psd(x, dt, int(round(SEGMENT_S / dt)))
    return freqs, psd[:, 0]


def log_distance(psd: np.ndarray, reference: np.ndarray, band: np.ndarray) -> float:
    """Band-mean |log10(psd / reference)|."""
    return float(np.mean(np.abs(np.log10(psd[band] / reference[band]))))


def check(value: float, samples: np.ndarray) -> dict:
    """The value, the samples' mean and central 95 %, and whether the value is inside."""
    low, high = (float(q) for q in np.quantile(samples, [0.025, 0.975]))
    return {"sim": float(value), "model_mean": float(np.mean(samples)), "model_95": [low, high],
            "inside": bool(low <= value <= high)}


def judge(test: Trace, paths: np.ndarray, deterministic: np.ndarray) -> dict:
    """Variance and PSD statistics of the simulation against the model's paths."""
    dt = float(test.dt)
    result = {"test_ns": float(test.t[-1] - test.t[0]) * 1e9, "variance": {}}
    for i, name in enumerate(OUTPUTS):
        result["variance"][name] = check(test.outputs[:, i].var(), paths[:, :, i].var(axis=1))
        result["variance"][name]["deterministic"] = float(deterministic[0, :, i].var())
    freqs, sim_psd = spectrum(test.outputs[:, 0], dt)
    path_psd = np.stack([spectrum(p[:, 0], dt)[1] for p in paths])
    mean_psd = path_psd.mean(axis=0)
    peaks = np.array([peak_and_width(freqs, p) for p in path_psd])
    sim_peak, sim_width = peak_and_width(freqs, sim_psd)
    result["psd_mx"] = {
        "peak_GHz": check(sim_peak / 1e9, peaks[:, 0] / 1e9),
        "width_GHz": check(sim_width / 1e9, peaks[:, 1] / 1e9),
    }
    bands = {"gyration band": freqs <= GYRATION_BAND_HZ,
             "all bins above 1 % of the peak": sim_psd > BAND_FLOOR * sim_psd.max()}
    for label, band in bands.items():
        distances = np.array([log_distance(p, mean_psd, band) for p in path_psd])
        entry = check(log_distance(sim_psd, mean_psd, band), distances)
        entry["inside"] = bool(entry["sim"] <= entry["model_95"][1])  # one-sided: a distance
        entry["band_GHz"] = [float(freqs[band].min() / 1e9), float(freqs[band].max() / 1e9)]
        result["psd_mx"][f"log_distance, {label}"] = entry
    result["plot"] = {"freqs": freqs, "sim_psd": sim_psd, "path_psd": path_psd,
                      "path_var": paths[:, :, 0].var(axis=1)}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=thermal_run_dir(TRAIN_SEED) / "table.txt",
                        help="noisy table to train on")
    parser.add_argument("--test", type=Path, nargs="+",
                        default=[thermal_run_dir(seed) / "table.txt" for seed in TEST_SEEDS],
                        help="noisy tables of other thermal seeds (held out)")
    parser.add_argument("--minutes", type=float, default=3.0, help="drift training budget")
    parser.add_argument("--samples", type=int, default=200, help="model paths per test trace")
    parser.add_argument("--hidden", type=int, default=50)
    parser.add_argument("--lags", type=int, nargs=2, default=LAGS, metavar=("FIRST", "LAST"),
                        help="residual lags of the noise fit (model steps)")
    parser.add_argument("--out", type=Path, default=RESULTS / "stochastic_oscillator")
    args = parser.parse_args(argv)
    for path in (args.train, *args.test):
        produced_input(path, "python -m benchmarks.magnumnp_sto_thermal --seed N")
    torch.set_num_threads(1)
    train = oscillator_trace(args.train)
    settings = TrainSettings(k=1, hidden=args.hidden, max_minutes=args.minutes,
                             step_s=float(train.dt), val_horizon=VAL_HORIZON, seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        report = train_model(resolved_band(train, DRIFT_CUTOFF_HZ), settings,
                             Path(tmp) / "drift.pt", progress=False)
        train_s = time.perf_counter() - start
        surrogate = load_checkpoint(Path(tmp) / "drift.pt")
    start = time.perf_counter()
    noise = fit_noise(surrogate, train, lags=tuple(args.lags))
    fit_s = time.perf_counter() - start
    silent = replace(noise, diffusion=[0.0] * len(OUTPUTS), observation=[0.0] * len(OUTPUTS))

    judged = {}
    for seed, path in enumerate(args.test, start=1):
        test = oscillator_trace(path)
        start = time.perf_counter()
        _, paths = sample_paths(surrogate, noise, test, args.samples, seed=seed)
        sample_s = time.perf_counter() - start
        _, deterministic = sample_paths(surrogate, silent, test, 1)
        judged[str(path)] = dict(judge(test, paths, deterministic), sample_s=sample_s,
                                 example=paths[0], trace=test)
    results = {
        "train_table": str(args.train), "sample_period_s": float(train.dt),
        "train_ns": float(train.t[-1] - train.t[0]) * 1e9,
        "train_variance": {name: float(v) for name, v in zip(OUTPUTS, train.outputs.var(axis=0),
                                                               strict=True)},
        "drift": {"train_s": train_s, "iterations": report.iterations,
                  "best_iteration": report.best_iteration, "stopped_by": report.stopped_by,
                  "val_horizon": VAL_HORIZON, "val_nrmse": report.best_val_nrmse,
                  "hidden": args.hidden},
        "noise": {"diffusion": noise.diffusion, "observation": noise.observation,
                  "lags": list(args.lags), "fit_s": fit_s},
        "tests": {path: {k: v for k, v in r.items() if k not in ("plot", "example", "trace")}
                  for path, r in judged.items()},
    }
    write_result_json(args.out.with_suffix(".json"), results)
    _plot(judged, args.out.with_suffix(".png"))
    text = _markdown(results, args)
    write_result_markdown(args.out.with_suffix(".md"), text)
    print(text)
    return 0


def _row(label: str, entry: dict, digits: str) -> str:
    low, high = entry["model_95"]
    return (f"| {label} | {entry['sim']:{digits}} | {entry['model_mean']:{digits}} | "
            f"{low:{digits}} - {high:{digits}} | {'yes' if entry['inside'] else 'NO'} |")


def _markdown(r: dict, args) -> str:
    tests = " ".join(str(p) for p in args.test)
    drift, noise = r["drift"], r["noise"]
    lines = [
        "# Learned stochastic Spin-NODE: thermal vortex oscillator, held-out thermal seeds", "",
        f"Trained on {r['train_ns']:.1f} ns of `{args.train}` (one thermal seed), sampled every "
        f"{r['sample_period_s'] * 1e12:g} ps; judged on other seeds it never saw. Command: "
        f"`python -m benchmarks.stochastic_oscillator --train {args.train} "
        f"--test {tests} --minutes {args.minutes:g} --samples {args.samples} "
        f"--lags {args.lags[0]} {args.lags[1]}`.", "",
        f"- drift: trained on the trace low-passed at {DRIFT_CUTOFF_HZ / 1e9:g} GHz; k = 1, "
        f"width {drift['hidden']}, {drift['iterations']} iterations in "
        f"{drift['train_s']:.0f} s ({drift['stopped_by']}); best validation NRMSE of "
        f"{drift['val_horizon']}-step rollouts {drift['val_nrmse']:.3f} (iteration "
        f"{drift['best_iteration']})",
        f"- noise fitted over lags {noise['lags'][0]}-{noise['lags'][1]} in {noise['fit_s']:.1f} "
        f"s (normalised units): diffusion {np.round(noise['diffusion'], 4).tolist()} per "
        f"sqrt(step), observation {np.round(noise['observation'], 4).tolist()}",
        "- variance of the training trace: "
        + ", ".join(f"<{k}> {v:.3e}" for k, v in r["train_variance"].items()),
    ]
    for path, t in r["tests"].items():
        lines += [
            "", f"## Held out: `{path}` ({t['test_ns']:.1f} ns; {args.samples} paths in "
            f"{t['sample_s']:.2f} s)", "",
            "| statistic | simulation | model (mean) | model paths, central 95 % | inside? |",
            "|---|---|---|---|---|",
        ]
        for name, v in t["variance"].items():
            lines.append(_row(f"variance of <{name}> (drift alone: {v['deterministic']:.1e})",
                              v, ".3e"))
        psd = t["psd_mx"]
        lines.append(_row("PSD peak of <mx> (GHz)", psd["peak_GHz"], ".3f"))
        lines.append(_row("PSD half-power width (GHz)", psd["width_GHz"], ".3f"))
        for key, entry in psd.items():
            if key.startswith("log_distance"):
                band = f"{entry['band_GHz'][0]:.2f}-{entry['band_GHz'][1]:.2f} GHz"
                lines.append(_row(f"mean abs log10 PSD distance, {key.split(', ')[1]} ({band})",
                                  entry, ".3f"))
    lines += [
        "",
        f"PSD: Welch, Hann window, {SEGMENT_S * 1e9:g} ns segments with half overlap. "
        "Tolerance: each model path is as long as the held-out trace, so the spread of a "
        "statistic over the paths is the spread one simulation of that length has; a "
        "statistic matches when the simulated value is inside the central 95 % (for the "
        "distances, below the 97.5th percentile).",
    ]
    return "\n".join(lines) + "\n"


def _plot(judged: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(judged), 3, figsize=(14, 4 * len(judged)), squeeze=False)
    for (name, r), (ax_t, ax_f, ax_v) in zip(judged.items(), axes, strict=True):
        test, plot = r["trace"], r["plot"]
        t = (test.t - test.t[0]) * 1e9
        shown = t <= 6.0
        ax_t.plot(t[shown], test.outputs[shown, 0], lw=0.8, label="magnum.np, held-out seed")
        ax_t.plot(t[shown], r["example"][shown, 0], lw=0.8, label="stochastic Spin-NODE path")
        ax_t.set(xlabel="t (ns)", ylabel="<mx>", title=f"{Path(name).parent.name}: <mx>")
        ax_t.legend(fontsize=7)
        ghz = plot["freqs"] / 1e9
        low, high = np.quantile(plot["path_psd"], [0.025, 0.975], axis=0)
        ax_f.fill_between(ghz, low, high, color="C1", alpha=0.25, label="model paths, 95 %")
        ax_f.semilogy(ghz, plot["path_psd"].mean(axis=0), color="C1", label="model, mean")
        ax_f.semilogy(ghz, plot["sim_psd"], color="C0", label="magnum.np, held-out seed")
        ax_f.axvline(GYRATION_BAND_HZ / 1e9, color="grey", lw=0.8, ls=":")
        ax_f.set(xlabel="f (GHz)", ylabel="PSD of <mx> (1/Hz)", xlim=(0, 15),
                 title="PSD of <mx> (dotted: end of the gyration band)")
        ax_f.legend(fontsize=7)
        ax_v.hist(plot["path_var"], bins=30, color="C1", alpha=0.6, label="model paths")
        ax_v.axvline(r["variance"]["mx"]["sim"], color="C0", lw=2, label="held-out simulation")
        ax_v.set(xlabel="variance of <mx> over the trace", ylabel="paths",
                 title="variance of <mx>")
        ax_v.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    sys.exit(main())
