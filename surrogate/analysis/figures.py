"""Figures: simulated against predicted outputs, for the training and held-out drives."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from surrogate.io.atomic import atomic_write  # noqa: E402
from surrogate.io.trace import Trace  # noqa: E402
from surrogate.metrics import nrmse  # noqa: E402


def overlay_figure(
    simulated: dict[str, Trace], predicted: dict[str, Trace], channel: str, out_path: Path,
    title: str = "",
) -> Path:
    """Plot each drive's simulated and predicted `channel` against time (ns), with its input.

    `simulated` and `predicted` map a label (e.g. "train", "test") to traces.
    """
    labels = list(simulated)
    fig, axes = plt.subplots(
        2, len(labels), figsize=(6.5 * len(labels), 5.5), sharex="col",
        gridspec_kw={"height_ratios": [3, 1]}, squeeze=False,
    )
    for column, label in enumerate(labels):
        sim, pred = simulated[label], predicted[label]
        t_ns = sim.t * 1e9
        score = nrmse(pred.output(channel), np.interp(pred.t, sim.t, sim.output(channel)))
        top, bottom = axes[0, column], axes[1, column]
        top.plot(t_ns, sim.output(channel), color="black", lw=1.2, label="micromagnetics")
        top.plot(pred.t * 1e9, pred.output(channel), color="tab:red", lw=1.0, ls="--",
                 label="Spin-NODE (free-running)")
        top.set_title(f"{label} drive: NRMSE = {score:.3f}")
        top.set_ylabel(f"<{channel}>")
        top.legend(loc="best", fontsize=8)
        name, unit = sim.input_names[0], sim.input_units[0]
        bottom.plot(t_ns, sim.inputs[:, 0], color="tab:blue", lw=0.8)
        bottom.set_ylabel(f"{name} ({unit})")
        bottom.set_xlabel("t (ns)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, [out_path])[0]


def save_figure(fig, out_paths: Sequence[str | Path], dpi: int = 110) -> list[Path]:
    """Write `fig` atomically under each path, in the format its suffix names (.png,
    .pdf), then close it; returns the paths."""
    written = []
    for path in map(Path, out_paths):
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as scratch:
            fig.savefig(scratch, dpi=dpi, format=path.suffix.lstrip("."))
        written.append(path)
    plt.close(fig)
    return written
