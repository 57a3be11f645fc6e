"""Figure 5: the surrogate's speed-up over the engine against its held-out NRMSE."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator  # noqa: E402

from surrogate.analysis.figures import save_figure  # noqa: E402

# The speed-up of the Spin-NODE over mumax3 reported in the paper.
PAPER_SPEEDUP = 200.0
PAPER_SOURCE = "Chen et al., Nat. Commun. 13, 1016 (2022)"


def _plain_number(value: float, _position: int) -> str:
    """A tick label such as 0.03 or 0.2."""
    return f"{value:g}"


def speed_accuracy_figure(records: Sequence[dict], outputs: Sequence[Path]) -> list[Path]:
    """The speed-ups (log axis) against the held-out NRMSE (log axis), one point per device.

    `records` are benchmark records (`surrogate.analysis.benchmark`): compute only
    by wall and by CPU time (where the engine records CPU time), and the whole
    process. The paper's 200x is a horizontal reference line.
    """
    fig, axis = plt.subplots(figsize=(6.4, 4.6))
    styles = (("speedup_compute_only", "compute only, wall time (warm forecast)", "o", "tab:red"),
              ("speedup_compute_only_cpu", "compute only, CPU time", "^", "tab:orange"),
              ("speedup_whole_process", "whole `predict` process, wall time", "s", "tab:blue"))
    for key, label, marker, colour in styles:
        shown = [r for r in records if r.get(key) is not None]
        if shown:
            axis.scatter([r["nrmse"] for r in shown], [r[key] for r in shown], marker=marker,
                         color=colour, label=label, zorder=3)
    # Labels of points in the right half of the (log) NRMSE range end at their point, so
    # that a long device name stays inside the axes.
    nrmses = [r["nrmse"] for r in records]
    middle = math.sqrt(min(nrmses) * max(nrmses)) if nrmses and min(nrmses) > 0 else math.inf
    for record in records:
        right_half = record["nrmse"] > middle
        axis.annotate(f"{record['device']} ({record['engine']['name']})",
                      (record["nrmse"], record["speedup_compute_only"]),
                      textcoords="offset points", xytext=(-6, 6) if right_half else (6, 4),
                      ha="right" if right_half else "left", fontsize=8)
    axis.axhline(PAPER_SPEEDUP, color="grey", ls="--", lw=1.0,
                 label=f"{PAPER_SPEEDUP:.0f}x, {PAPER_SOURCE}")
    axis.set_xscale("log")
    axis.set_yscale("log")
    # Matplotlib's default minor labels of a log axis under a decade wide overlap;
    # label 1, 2, 3 and 5 of each decade as plain numbers instead.
    axis.xaxis.set_minor_locator(LogLocator(subs=(2.0, 3.0, 5.0)))
    for formatter in (axis.xaxis.set_major_formatter, axis.xaxis.set_minor_formatter):
        formatter(FuncFormatter(_plain_number))
    axis.set_xlabel("held-out NRMSE (1)")
    axis.set_ylabel("speed-up over the engine, same simulated time (1)")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8, loc="best")
    if nrmses and min(nrmses) > 0:
        axis.set_xlim(min(nrmses) / 2.0, max(nrmses) * 2.0)
    fig.tight_layout()
    return save_figure(fig, outputs)
