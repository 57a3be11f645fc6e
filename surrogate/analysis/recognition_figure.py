"""Figure of the recognition task: input, noisy traces against the Spin-NODE, accuracies."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from surrogate.analysis.figures import save_figure  # noqa: E402
from surrogate.analysis.recognition import SQUARE  # noqa: E402
from surrogate.io.trace import Trace  # noqa: E402

#: Source name -> (legend label, colour), in the order of the bar chart.
SOURCES = {
    "simulation": ("micromagnetics, thermal", "black"),
    "node": ("Spin-NODE, no noise", "tab:red"),
    "node_input_noise": ("Spin-NODE + input noise", "tab:blue"),
    "stochastic": ("learned stochastic model", "tab:green"),
}


def recognition_figure(labels: np.ndarray, simulation: Trace, sources: dict, accuracy: dict,
                       point_time: float, out_paths: list[Path]) -> list[Path]:
    """Plot the task and its accuracies; write one file per path in `out_paths` (PNG, PDF).

    `simulation` is the noisy device's trace, whose input (the applied drive)
    is drawn on top. `sources` maps each name of SOURCES to (t (s), outputs
    (N, channels)) or (t (s), paths (samples, N, channels)); their first
    channel is drawn. `accuracy` is `experiment recognition-score`'s JSON. `point_time`
    (s) is the hold of one input point.
    """
    t0 = simulation.t[0]
    fig, (ax_in, ax_out, ax_bar) = plt.subplots(
        3, 1, figsize=(9.0, 9.0), gridspec_kw={"height_ratios": [1, 2.2, 1.6]})
    edges_ns = (t0 + np.arange(len(labels) + 1) * point_time) * 1e9
    for axis in (ax_in, ax_out):
        for n in np.flatnonzero(np.asarray(labels) == SQUARE):
            axis.axvspan(edges_ns[n], edges_ns[n + 1], color="0.92", lw=0)
        axis.axvline(edges_ns[accuracy["points"]["train"]], color="0.4", ls=":", lw=1)
    ax_in.plot(simulation.t * 1e9, simulation.inputs[:, 0], color="tab:purple", lw=1)
    ax_in.set_ylabel(f"{simulation.input_names[0]} ({simulation.input_units[0]})")
    ax_in.set_title("input: random sine (white) and square (grey) periods; readout fitted "
                    "left of the dotted line, scored right of it", fontsize=9)
    for name, (label, colour) in SOURCES.items():
        t, record = sources[name]
        if record.ndim == 3:
            low, high = np.percentile(record[:, :, 0], [5, 95], axis=0)
            ax_out.fill_between(t * 1e9, low, high, color=colour, alpha=0.18, lw=0,
                                label=f"{label}, 5-95 % of paths")
            ax_out.plot(t * 1e9, record[0, :, 0], color=colour, lw=0.7, alpha=0.8)
        else:
            ax_out.plot(t * 1e9, record[:, 0], color=colour, lw=1.4 if name == "simulation"
                        else 1.1, ls="-" if name == "simulation" else "--", label=label)
    ax_out.set_xlim(simulation.t[0] * 1e9, simulation.t[-1] * 1e9)
    ax_in.set_xlim(ax_out.get_xlim())
    ax_out.set_xlabel("t (ns)")
    ax_out.set_ylabel(f"{simulation.output_names[0]} ({simulation.output_units[0] or '1'})")
    ax_out.legend(fontsize=7, loc="upper right", ncol=2)
    _accuracy_bars(ax_bar, accuracy)
    fig.tight_layout()
    return save_figure(fig, out_paths, dpi=120)


def _accuracy_bars(axis, accuracy: dict) -> None:
    """Test accuracy of each source (noisy models: mean and spread over paths), the level
    of the better constant answer."""
    names = list(SOURCES)
    values = [100 * accuracy["accuracy"][name] for name in names]
    spreads = [100 * accuracy["accuracy_spread"].get(name, 0.0) for name in names]
    bars = axis.bar(range(len(names)), values, yerr=spreads, capsize=4,
                    color=[SOURCES[name][1] for name in names], alpha=0.75)
    for bar, value in zip(bars, values, strict=True):
        axis.text(bar.get_x() + bar.get_width() / 2, value + 1, f"{value:.1f} %",
                  ha="center", va="bottom", fontsize=8)
    axis.axhline(100 * accuracy["best_constant"], color="0.3", ls="--", lw=1,
                 label=f"best constant answer ({100 * accuracy['best_constant']:.1f} %)")
    axis.set_xticks(range(len(names)), [SOURCES[name][0] for name in names], fontsize=8)
    axis.set_ylabel("test accuracy (%)")
    axis.set_ylim(0, 110)
    axis.legend(fontsize=7, loc="lower right")
