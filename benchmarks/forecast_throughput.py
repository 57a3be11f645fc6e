"""Forecast speed of the torch-free path: batched throughput, the numpy/compiled crossover,
and whole-process forecasts from files.

Single-threaded throughout (BLAS through threadpoolctl, numba and torch at one
thread). Three parts, each in one run, side by side:

1. Batched throughput at batch 256 (trajectory-steps/s, best of `--repeats`) of
   the default model shape (k=5, two latent dimensions, width 50, depth 2; random
   float32 weights, speed only): `ForecastModel.forecast_batch` end to end, its
   compiled kernel alone (`fused_kernel.rollout_batch`), the numpy rollout, and
   the numpy path of before (`fast_rollout.rollout_batched`, torch model, float32).
   Beside them, the ceiling that BLAS sets: a step needs four products
   (256, 50) x (50, 50) of the hidden layer, timed alone.
2. The crossover: whole-process wall time (median of `--process-runs`) of a
   `python -c` forecast of N model steps through `load_model(...).forecast`,
   with the numpy rollout and with the compiled one forced (`--model`, else the
   random model).
3. With `--model` and `--drive NAME=FILE:SAMPLE_PERIOD` (input samples `.npy` in
   SI, e.g. a config drive rendered once): the whole-process wall time of
   `predict_from_files` on each drive, as the `predict` stage would run it.

    python -m benchmarks.forecast_throughput [--model M.pt --drive test=u.npy:2.5e-12 ...]
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import textwrap  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from benchmarks.common import (  # noqa: E402
    RESULTS_DIR,
    drive_argument,
    write_result_json,
    write_result_markdown,
)
from surrogate.node.checkpoint import Surrogate, save_checkpoint  # noqa: E402
from surrogate.node.embedding import Normalisation  # noqa: E402
from surrogate.node.fast_rollout import rollout_batched  # noqa: E402
from surrogate.node.forecast import load_model  # noqa: E402
from surrogate.node.fused_kernel import rollout_batch  # noqa: E402
from surrogate.node.model import ModelShape, SpinNODE  # noqa: E402
from surrogate.node.numpy_rollout import numpy_rollout, stage_inputs  # noqa: E402

DEFAULT_SHAPE = ModelShape(n_out=1, n_in=1, k=5, hidden=50, depth=2, n_aug=2)
STEP_S = 5e-12


def best_time(call: Callable[[], object], repeats: int) -> float:
    """The shortest wall time (s) of `repeats` calls, after one warm-up call."""
    call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def random_model_file(folder: Path) -> Path:
    """A float32 model of the default shape with random weights, saved with its companion."""
    torch.manual_seed(0)
    model = SpinNODE(DEFAULT_SHAPE)
    with torch.no_grad():  # a damping linear term keeps long free runs bounded
        model.linear.weight.normal_(0.0, 0.01)
        model.linear.weight[:, : DEFAULT_SHAPE.state_dim] -= 0.2 * torch.eye(
            DEFAULT_SHAPE.state_dim)
    surrogate = Surrogate(model, Normalisation(np.zeros(1), np.ones(1)),
                          Normalisation(np.full(1, 8e5), np.full(1, 3e4)),
                          ["Ku1.region100"], ["mz"], ["J/m3"], [""], STEP_S, "rk4",
                          settled_outputs=np.zeros(1))
    return save_checkpoint(surrogate, folder / "random.pt")


def batch_throughput(model_path: Path, batch: int, n_steps: int, repeats: int) -> dict:
    """Trajectory-steps/s of each batched path, and the BLAS ceiling (see the docstring)."""
    shape = DEFAULT_SHAPE
    rng = np.random.default_rng(0)
    drives = 8e5 + 3e4 * rng.standard_normal((batch, n_steps + shape.span, 1))
    forecaster = load_model(model_path)
    u = stage_inputs(forecaster.in_norm.apply(drives.transpose(1, 0, 2)).astype(np.float32),
                     1, shape.k, shape.delay, n_steps, "rk4").astype(np.float64)
    y0 = np.zeros((batch, shape.state_dim))
    field = forecaster.field
    torch_model = SpinNODE(shape)
    torch_model.load_state_dict(_state_dict(forecaster))
    u32 = torch.as_tensor(u, dtype=torch.float32)
    y32 = torch.zeros(batch, shape.state_dim)
    hidden = np.ascontiguousarray(field.w_hidden[0])
    h64 = rng.standard_normal((batch, shape.hidden))
    out64 = np.empty_like(h64)
    h32, hidden32 = h64.astype(np.float32), hidden.astype(np.float32)
    out32 = np.empty_like(h32)

    def four_products(h, weight, out) -> None:
        for _ in range(4):
            np.matmul(h, weight, out=out)

    work = batch * n_steps
    steps_of_products = 200
    # Compile (or load) the kernel first: its np.dot loads scipy's BLAS, which the limit
    # below must find loaded to hold it to one thread.
    rollout_batch(field, y0[:2], u[:2, :, :2], "rk4")
    with threadpool_limits(1):
        timings = {
            "forecast_batch (API, float64, compiled kernel)":
                work / best_time(lambda: forecaster.forecast_batch(drives), repeats),
            "fused_kernel.rollout_batch (kernel alone, float64)":
                work / best_time(lambda: rollout_batch(field, y0, u, "rk4"), repeats),
            "numpy_rollout (float64)":
                work / best_time(lambda: numpy_rollout(field, y0, u, "rk4"), repeats),
            "fast_rollout.rollout_batched (before: numpy + torch tanh, float32)":
                work / best_time(lambda: rollout_batched(torch_model, y32, u32, "rk4"), repeats),
        }
        ceilings = {
            f"{name}: 4 hidden-layer products per step alone":
                batch * steps_of_products / best_time(
                    lambda h=h, w=w, o=o: [four_products(h, w, o)
                                           for _ in range(steps_of_products)], repeats)
            for name, h, w, o in (("float64", h64, hidden, out64),
                                  ("float32", h32, hidden32, out32))
        }
    return {"batch": batch, "n_steps": n_steps, "trajectory_steps_per_s": timings,
            "ceiling_trajectory_steps_per_s": ceilings}


def _state_dict(forecaster) -> dict:
    """The torch state dict of a ForecastModel's arrays (layer order as SpinNODE's net)."""
    state = {}
    for index, (weight, bias) in enumerate(forecaster.layers):
        state[f"net.{2 * index}.weight"] = torch.as_tensor(weight)
        state[f"net.{2 * index}.bias"] = torch.as_tensor(bias)
    state["linear.weight"] = torch.as_tensor(forecaster.linear)
    return state


def process_time(script: str, runs: int) -> float:
    """Median wall time (s) of `runs` `python -c script` processes (argument list, no shell)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              check=False)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise RuntimeError(f"the timed process failed: {done.stderr[-800:]}")
    return statistics.median(times)


def crossover(model_path: Path, folder: Path, lengths: list[int], runs: int) -> list[dict]:
    """Whole-process times of forecasts of each length, numpy rollout against compiled."""
    drive = folder / "drive.npy"
    np.save(drive, 8e5 + 3e4 * np.sin(np.arange(max(lengths) + 1) * 0.05)[:, None])
    rows = []
    for n in lengths:
        row = {"model_steps": n}
        for name, threshold in (("numpy_s", 10**12), ("compiled_s", 0)):
            row[name] = process_time(textwrap.dedent(f"""
                import numpy as np
                import surrogate.node.numpy_rollout as rollouts
                from surrogate.node.forecast import load_model
                rollouts.NUMPY_MAX_TRAJECTORY_STEPS = {threshold}
                load_model({str(model_path)!r}).forecast(np.load({str(drive)!r})[:{n + 1}])
            """), runs)
        rows.append(row)
    return rows


def whole_process(model_path: Path, drives: dict[str, tuple[Path, float]], folder: Path,
                  runs: int) -> dict:
    """Whole-process times (s) of `predict_from_files` on each drive file."""
    result = {}
    for name, (path, sample_period) in drives.items():
        script = textwrap.dedent(f"""
            from surrogate.node.forecast import predict_from_files
            predict_from_files({str(model_path)!r}, {str(path)!r},
                               {str(folder / (name + '.npz'))!r}, sample_period={sample_period!r})
        """)
        result[name] = {"drive_file": str(path), "sample_period_s": sample_period,
                        "median_wall_s": process_time(script, runs),
                        "command": f"python -c {script!r}"}
    return result


def _markdown(record: dict) -> str:
    batch = record["batch"]
    lines = ["# Forecast speed of the torch-free path", "",
             f"One thread. Batch {batch['batch']}, {batch['n_steps']} steps, default model "
             "shape (k=5, n_aug=2, width 50, depth 2), random weights. Machine load average "
             f"at the start: {record['load_average']}.", "",
             "| batched path | trajectory-steps/s |", "|---|---|"]
    lines += [f"| {name} | {value:.3g} |" for name, value in
              {**batch["trajectory_steps_per_s"],
               **{f"ceiling, {k}": v for k, v in batch["ceiling_trajectory_steps_per_s"].items()}
               }.items()]
    lines += ["", "Whole-process wall time (s, median) of a forecast of N model steps "
              f"(`{record['crossover_model']}`):", "",
              "| N | numpy rollout | compiled rollout |", "|---|---|---|"]
    lines += [f"| {row['model_steps']} | {row['numpy_s']:.3f} | {row['compiled_s']:.3f} |"
              for row in record["crossover"]]
    if record["note"]:
        lines += ["", record["note"]]
    if record["whole_process"]:
        lines += ["", "Whole-process wall time (s, median) of `predict_from_files` on "
                  f"`{record['model']}`:", "", "| drive | file | s |", "|---|---|---|"]
        lines += [f"| {name} | `{row['drive_file']}` | {row['median_wall_s']:.3f} |"
                  for name, row in record["whole_process"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--lengths", type=int, nargs="+",
                        default=[1_000, 3_000, 10_000, 30_000, 100_000])
    parser.add_argument("--process-runs", type=int, default=3)
    parser.add_argument("--model", type=Path, help="model file for the whole-process forecasts")
    parser.add_argument("--drive", type=drive_argument, action="append", default=[],
                        help="NAME=FILE.npy:SAMPLE_PERIOD, input samples in SI")
    parser.add_argument("--note", default="", help="how the --model and --drive files were made")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "forecast_throughput")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory(prefix="forecast-throughput-") as scratch:
        folder = Path(scratch)
        model_path = random_model_file(folder)
        record = {
            "load_average": [round(v, 2) for v in os.getloadavg()],
            "batch": batch_throughput(model_path, args.batch, args.steps, args.repeats),
            "crossover": crossover(args.model or model_path, folder, args.lengths,
                                   args.process_runs),
            "model": None if args.model is None else str(args.model),
            "note": args.note,
            "crossover_model": str(args.model or "random weights, default shape"),
            "whole_process": {} if args.model is None else
            whole_process(args.model, {name: (path, period) for name, path, period in args.drive},
                          folder, args.process_runs),
        }
    write_result_json(args.out.with_suffix(".json"), record)
    write_result_markdown(args.out.with_suffix(".md"), _markdown(record))
    print(_markdown(record))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
