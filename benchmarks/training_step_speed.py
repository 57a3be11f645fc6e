"""A training step's forward and backward pass: autograd against the hand-written gradient.

Times `loss.backward()` of an MSE on a batched RK4 rollout, float32, one torch
thread, for the shapes training uses: an L-BFGS evaluation (80 windows of 100
steps, the real one-skyrmion data's multiple shooting) and Adam batches (256
windows of 50 and 20 steps), at width 50, and the L-BFGS shape at width 100.
Both paths run in this one process, alternately, best of `--repeats`; the
ratio is what to compare across machines. Writes
benchmarks/results/training_step_speed.md.

    python -m benchmarks.training_step_speed [--repeats 5] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

from benchmarks.common import RESULTS_DIR, write_result_markdown
from surrogate.node.model import ModelShape, SpinNODE
from surrogate.node.rollout_gradient import autograd_rollout, compile_kernels, fused_rollout

SHAPES = [  # (windows, steps, width, what it stands for)
    (80, 100, 50, "L-BFGS evaluation"),
    (256, 50, 50, "Adam batch, longest windows"),
    (256, 20, 50, "Adam batch, first windows"),
    (80, 100, 100, "L-BFGS evaluation"),
]


def step_time(rollout, model, y0, u, target, repeats: int) -> float:
    """Shortest wall time (s) of one forward and backward pass of the RK4 `rollout`."""
    times = []
    for _ in range(repeats + 1):  # the first pass warms up
        start = time.perf_counter()
        model.zero_grad()
        torch.mean((rollout(model, y0, u, "rk4")[1:] - target) ** 2).backward()
        times.append(time.perf_counter() - start)
    return min(times[1:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "training_step_speed.md")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    torch.set_num_threads(1)
    compile_kernels(torch.float32)
    rows = []
    for windows, steps, width, role in SHAPES:
        torch.manual_seed(0)
        model = SpinNODE(ModelShape(1, 1, k=2, hidden=width)).float()
        y0, u = torch.randn(windows, 2), torch.randn(steps, 3, windows, 2)
        target = torch.randn(steps, windows, 2)
        autograd = step_time(autograd_rollout, model, y0, u, target, args.repeats)
        fused = step_time(fused_rollout, model, y0, u, target, args.repeats)
        rows.append(f"| {role}: {windows} windows × {steps} steps, width {width} "
                    f"| {1e3 * autograd:.1f} | {1e3 * fused:.1f} | {autograd / fused:.2f} |")
    text = "\n".join([
        "# A training step: autograd against the hand-written gradient",
        "",
        f"Forward and backward pass of an MSE on a batched RK4 rollout, float32, one torch "
        f"thread, best of {args.repeats} after a warm-up; both paths in one process. "
        f"`python -m benchmarks.training_step_speed --repeats {args.repeats}`.",
        "",
        "| shape | autograd (ms) | hand-written (ms) | ratio |",
        "|---|---|---|---|",
        *rows,
    ]) + "\n"
    print(text)
    write_result_markdown(args.out, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
