"""Figure 1: the skyrmion's input, and simulated against predicted output at several k."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from surrogate.analysis.figures import save_figure  # noqa: E402
from surrogate.io.trace import Trace  # noqa: E402
from surrogate.metrics import nrmse  # noqa: E402

DRIVE_LABELS = ("training", "test")


def skyrmion_figure(
    simulated: Sequence[Trace], predicted: dict[int, Sequence[Trace]], channel: str,
    outputs: Sequence[Path],
) -> list[Path]:
    """One column per drive (training, test): the input, then one panel per k.

    `simulated` holds the training and test traces; `predicted[k]` the free-running
    predictions of the model of embedding dimension k on the same two drives.
    Times in ns; the input in its SI unit; the output as recorded (dimensionless
    for a magnetisation component). Each panel's title gives the NRMSE.
    """
    ks = sorted(predicted)
    fig, axes = plt.subplots(
        1 + len(ks), len(simulated), figsize=(6.0 * len(simulated), 1.8 + 2.4 * len(ks)),
        sharex="col", squeeze=False, gridspec_kw={"height_ratios": [1] + [2] * len(ks)},
    )
    for column, sim in enumerate(simulated):
        label = DRIVE_LABELS[column] if column < len(DRIVE_LABELS) else f"drive {column}"
        t_ns = sim.t * 1e9
        top = axes[0, column]
        top.plot(t_ns, sim.inputs[:, 0], color="tab:blue", lw=0.8)
        top.set_title(f"{label} drive")
        top.set_ylabel(f"{sim.input_names[0]} ({sim.input_units[0]})")
        unit = sim.output_units[sim.output_names.index(channel)]
        for row, k in enumerate(ks, start=1):
            pred = predicted[k][column]
            truth = np.interp(pred.t, sim.t, sim.output(channel))
            axis = axes[row, column]
            axis.plot(t_ns, sim.output(channel), color="black", lw=1.1, label="micromagnetics")
            axis.plot(pred.t * 1e9, pred.output(channel), color="tab:red", lw=0.9, ls="--",
                      label=f"Spin-NODE, k = {k}")
            axis.set_title(f"k = {k}: NRMSE {nrmse(pred.output(channel), truth):.3f}",
                           fontsize=9)
            axis.set_ylabel(f"<{channel}> ({unit or '1'})")
            axis.legend(loc="lower left", fontsize=7)
        axes[-1, column].set_xlabel("t (ns)")
    fig.tight_layout()
    return save_figure(fig, outputs, dpi=130)
