"""Spin-NODE vs linear ARX and an echo-state network on real one-skyrmion mumax3 data.

Trains on t in [10, 60) ns of ../shared/reference/mumax3/1skyrmion_voltage_train
(mz driven by Ku1, 2.5 ps samples, model step 5 ps), evaluates free running on
[60, 110) ns, times rollouts at batch 1 and 256 and a 10^6-step rollout, and
writes one markdown table to benchmarks/results/surrogate_benchmark.md. The
Spin-NODE is trained once per seed; its row gives the median held-out NRMSE.
Exits cleanly when ../shared is absent. Single-threaded torch, like the CPU
pipeline; timings on a shared machine are noisy, ratios within one run hold.

    python -m benchmarks.surrogate_benchmark [--minutes 3] [--k 2] [--hidden 100] [--seeds 0 1 2]
        [--restarts 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from benchmarks.common import (
    MUMAX3_REFERENCE_DIR,
    RESULTS_DIR,
    shared_input,
    write_result_markdown,
)
from surrogate.analysis.error_split import worst_interval
from surrogate.baselines.arx import arx_free_run, arx_predict, fit_arx
from surrogate.baselines.echo_state import echo_state_predict, fit_echo_state
from surrogate.io.mumax3_table import read_table
from surrogate.io.trace import Trace
from surrogate.metrics import nrmse
from surrogate.node.checkpoint import load_checkpoint
from surrogate.node.fast_rollout import pack, rollout_batched, rollout_single
from surrogate.node.integrators import InputGrid, stage_inputs
from surrogate.node.model import ModelShape, SpinNODE
from surrogate.node.rollout import EvaluationResult, evaluate_model
from surrogate.node.training import TrainSettings, train_model

TABLE = MUMAX3_REFERENCE_DIR / "1skyrmion_voltage_train" / "table.txt"
TRAIN_S, TEST_S = (10e-9, 60e-9), (60e-9, 110e-9)
STEP_S = 5e-12


def skyrmion_trace(path: Path) -> Trace:
    """mz driven by Ku1.region100 from a mumax3 table."""
    table = read_table(path)
    return Trace(table.column("t"), table.column("Ku1.region100")[:, None],
                 table.column("mz")[:, None], ["Ku1.region100"], ["mz"], ["J/m3"], [""],
                 {"engine": "mumax3", "source": str(path)})


def _on_grid(result: EvaluationResult, t: np.ndarray) -> np.ndarray:
    """A Spin-NODE's free-running forecast (SI) interpolated onto the times `t` (s)."""
    return np.stack([np.interp(t, result.t, column) for column in result.predicted.T], axis=1)


def best_time(run, repeats: int = 3) -> float:
    """Shortest wall time (s) of `repeats` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def node_speeds(model: SpinNODE, scheme: str, n_in: int) -> dict[str, float]:
    """Trajectory-steps/s at batch 1 (fused numba) and 256 (batched numpy, model dtype)."""
    rng = np.random.default_rng(0)
    d, m = model.shape.state_dim, model.shape.input_dim
    n_nodes = 3 if scheme == "rk4" else 4
    u1 = 0.5 * rng.standard_normal((100_000, n_nodes, m))
    packed = pack(model)
    rollout_single(packed, np.zeros(d), u1[:10], scheme)  # compile
    single = best_time(lambda: rollout_single(packed, np.zeros(d), u1, scheme))
    u256 = torch.as_tensor(0.5 * rng.standard_normal((200, n_nodes, 256, m)))
    y256 = torch.zeros(256, d)
    batched = best_time(lambda: rollout_batched(model, y256, u256, scheme))
    return {"batch1": len(u1) / single, "batch256": 256 * len(u256) / batched}


def million_steps(model: SpinNODE, scheme: str, n_in: int) -> float:
    """Wall time (s) of a 10^6-step single-trajectory rollout, inputs prepared included."""
    drive = np.sin(np.arange(10**6 + model.shape.k + 1) * 2 * np.pi / 50.0)
    grid = InputGrid(torch.as_tensor(np.repeat(drive[:, None], n_in, axis=1)), 1, model.shape.k)
    packed = pack(model)

    def run():
        u = stage_inputs(grid, torch.zeros(1), 10**6, scheme)[:, :, 0].numpy()
        rollout_single(packed, np.zeros(model.shape.state_dim), u, scheme)

    return best_time(run, repeats=1)


def arx_speeds(model, n_in: int) -> dict[str, float]:
    rng = np.random.default_rng(0)
    lag = max(model.na, model.nb - 1, 1)
    x1, u1 = np.zeros((1, lag, 1)), rng.standard_normal((1, 10**6, n_in))
    arx_free_run(model, x1, u1[:, :10])  # compile
    single = best_time(lambda: arx_free_run(model, x1, u1))
    x256, u256 = np.zeros((256, lag, 1)), rng.standard_normal((256, 4000, n_in))
    batched = best_time(lambda: arx_free_run(model, x256, u256))
    return {"batch1": u1.shape[1] / single, "batch256": 256 * u256.shape[1] / batched,
            "million_s": single}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="training budget (min)")
    parser.add_argument("--hidden", type=int, default=100, help="MLP width")
    parser.add_argument("--k", type=int, default=2, help="delays of the output in the state")
    parser.add_argument("--delay", type=int, default=1,
                        help="spacing of those delays (model steps of 5 ps)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--restarts", type=int, default=2,
                        help="models trained side by side per seed (TrainSettings.restarts)")
    parser.add_argument("--esn-nodes", dest="esn_nodes", type=int, default=300)
    parser.add_argument("--out", type=Path,
                        default=RESULTS_DIR / "surrogate_benchmark.md")
    return parser


@dataclass(frozen=True)
class NodeRun:
    """One seed's Spin-NODE: training wall time (s), report, free runs, loaded model."""

    train_s: float
    report: object
    train: EvaluationResult
    test: EvaluationResult
    surrogate: object


@dataclass(frozen=True)
class EchoStateRun:
    """The echo-state network: training wall time (s), NRMSEs, held-out forecast and rate."""

    model: object
    train_s: float
    train_nrmse: float
    test_nrmse: float
    steps_per_s: float
    t: np.ndarray
    predicted: np.ndarray
    target: np.ndarray


def train_seeds(args: argparse.Namespace, train: Trace, test: Trace) -> list[NodeRun]:
    """One Spin-NODE per seed, sorted by held-out NRMSE."""
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            settings = TrainSettings(k=args.k, delay=args.delay, hidden=args.hidden,
                                     max_minutes=args.minutes, seed=seed, step_s=STEP_S,
                                     restarts=args.restarts)
            model_path = Path(tmp) / f"node{seed}.pt"
            start = time.perf_counter()
            report = train_model(train, settings, model_path, progress=False)
            runs.append(NodeRun(time.perf_counter() - start, report,
                                evaluate_model(model_path, train),
                                evaluate_model(model_path, test), load_checkpoint(model_path)))
    return sorted(runs, key=lambda run: run.test.nrmse)


def node_rows(args: argparse.Namespace, median: NodeRun) -> list[tuple]:
    """Table rows of the median seed's Spin-NODE and of an untrained width-50 model."""
    surrogate = median.surrogate
    node = node_speeds(surrogate.model, surrogate.scheme, 1)
    node_million = million_steps(surrogate.model, surrogate.scheme, 1)
    torch.manual_seed(0)
    width50 = SpinNODE(ModelShape(1, 1, k=2, hidden=50))
    node50_million = million_steps(width50, surrogate.scheme, 1)
    node50 = node_speeds(width50, surrogate.scheme, 1)
    return [
        (f"Spin-NODE k={args.k}, delay {args.delay}, width {args.hidden}, median of seeds "
         f"{args.seeds} "
         f"(median run: {median.report.iterations} it)",
         median.train_s, median.train.nrmse, median.test.nrmse, node["batch1"],
         node["batch256"], node_million),
        ("Spin-NODE k=2, width 50 (untrained, speed only)", None, None, None, node50["batch1"],
         node50["batch256"], node50_million),
    ]


def arx_row(train: Trace, test: Trace) -> tuple:
    """Table row of the linear ARX model."""
    start = time.perf_counter()
    arx = fit_arx(train, na=4, nb=4, step_s=STEP_S)
    arx_train_s = time.perf_counter() - start
    arx_train, arx_test = (nrmse(*arx_predict(arx, part)[1:]) for part in (train, test))
    arx_speed = arx_speeds(arx, 1)
    return ("linear ARX na=4, nb=4", arx_train_s, arx_train, arx_test, arx_speed["batch1"],
            arx_speed["batch256"], arx_speed["million_s"])


def echo_state_run(args: argparse.Namespace, train: Trace, test: Trace) -> EchoStateRun:
    """Fit the echo-state network and time its held-out forecast."""
    start = time.perf_counter()
    esn = fit_echo_state(train, n_nodes=args.esn_nodes, step_s=STEP_S)
    esn_train_s = time.perf_counter() - start
    esn_train = nrmse(*echo_state_predict(esn, train)[1:])
    start = time.perf_counter()
    esn_t, predicted, target = echo_state_predict(esn, test)
    rate = len(esn_t) / (time.perf_counter() - start)
    return EchoStateRun(esn, esn_train_s, esn_train, nrmse(predicted, target), rate, esn_t,
                        predicted, target)


def echo_state_row(args: argparse.Namespace, esn: EchoStateRun) -> tuple:
    """Table row of the echo-state network."""
    settings = esn.model.hyperparameters
    return (f"echo-state network, {args.esn_nodes} nodes (radius "
            f"{settings['spectral_radius']:g}, leak {settings['leak']:g}, "
            f"ridge {settings['ridge']:g}, input scale "
            f"{settings['input_scale']:g})", esn.train_s, esn.train_nrmse, esn.test_nrmse,
            esn.steps_per_s, None, None)


def summary_paragraph(args: argparse.Namespace, runs: list[NodeRun], median: NodeRun,
                      esn: EchoStateRun) -> str:
    """The text above the table: the command, per-seed NRMSEs, the hybrid and the worst ns."""
    # A hybrid candidate of docs/explanation/accuracy.md: the mean of the two forecasts,
    # on the echo-state network's grid (after its warm-up), for every seed's model.
    hybrid_test = [nrmse(0.5 * (esn.predicted + _on_grid(run.test, esn.t)), esn.target)
                   for run in runs]
    worst = [worst_interval(run.test.t, run.test.predicted, run.test.target, 1e-9)
             for run in runs]
    return (
        f"Train t in [10, 60) ns (val = last 20 %), test free running on [60, 110) ns; "
        f"model step {STEP_S * 1e12:g} ps; training budget {args.minutes:g} min; "
        f"torch threads 1; `python -m benchmarks.surrogate_benchmark --minutes {args.minutes:g} "
        f"--k {args.k} --delay {args.delay} --hidden {args.hidden} "
        f"--seeds {' '.join(map(str, args.seeds))} "
        f"--restarts {args.restarts}`. Each seed trains {args.restarts} model(s) side by side, "
        f"one process each, and keeps the better on validation. Held-out NRMSE per seed: "
        + ", ".join(f"{run.report.model_path.stem}: {run.test.nrmse:.4f}" for run in runs)
        + f". The echo-state network's held-out NRMSE is "
        f"{esn.test_nrmse / median.test.nrmse:.2f} "
        f"times the Spin-NODE's median. The mean of the Spin-NODE's and the echo-state "
        f"network's forecasts, per seed (same order), scores "
        + ", ".join(f"{score:.4f}" for score in hybrid_test)
        + f" (median {np.median(hybrid_test):.4f}), on the echo-state network's grid. "
        f"Per seed (same order), the worst nanosecond of the held-out free run, its share "
        f"of the squared error, the NRMSE without it and the NRMSE if the run were exact "
        f"outside it: "
        + ", ".join(f"[{part.start_s * 1e9:.0f}, {part.stop_s * 1e9:.0f}) ns, "
                    f"{100 * part.share:.0f} %, {part.nrmse_without:.4f}, "
                    f"{part.nrmse_of_interval:.4f}" for part in worst)
        + ". "
        f"The echo-state network's hyperparameters are chosen on the "
        f"last 20 % of the training window; its NRMSEs leave out a teacher-forced warm-up of "
        f"{esn.model.washout} steps at the start of each window."
    )


def markdown(paragraph: str, rows: list[tuple]) -> str:
    """The result file: title, paragraph and one table row per model."""
    lines = [
        "# Surrogate benchmark: one skyrmion, mz driven by Ku1 (real mumax3 data)",
        "",
        paragraph,
        "",
        "| model | train time (s) | train NRMSE | held-out NRMSE | steps/s batch 1 "
        "| traj-steps/s batch 256 | 10^6-step rollout (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, *values in rows:
        formats = ["{:.1f}", "{:.4f}", "{:.4f}", "{:.3g}", "{:.3g}", "{:.2f}"]
        cells = ["-" if v is None else f.format(v) for f, v in zip(formats, values, strict=True)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    table = shared_input(TABLE)
    torch.set_num_threads(1)
    trace = skyrmion_trace(table)
    train, test = trace.window(*TRAIN_S), trace.window(*TEST_S)
    runs = train_seeds(args, train, test)
    median = runs[len(runs) // 2]
    rows = node_rows(args, median)
    rows.append(arx_row(train, test))
    esn = echo_state_run(args, train, test)
    rows.append(echo_state_row(args, esn))
    text = markdown(summary_paragraph(args, runs, median, esn), rows)
    print(text)
    write_result_markdown(args.out, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
