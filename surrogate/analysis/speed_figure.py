"""Figure 5: the surrogate's speed-up over the engine against its held-out NRMSE.

Legibility is built in, not left to chance: the legend sits below the axes, so
it covers no point, and each device's label is placed where its box overlaps
no other label and no marker (`place_labels`, with the figure's own renderer),
tried at growing distances around its point and joined to it by a thin line
unless it sits right beside it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from surrogate.analysis.figures import save_figure  # noqa: E402

# The speed-up of the Spin-NODE over mumax3 reported in the paper.
PAPER_SPEEDUP = 200.0
PAPER_SOURCE = "Chen et al., Nat. Commun. 13, 1016 (2022)"
STYLES = (("speedup_compute_only", "compute only, wall time (warm forecast)", "o", "tab:red"),
          ("speedup_compute_only_cpu", "compute only, CPU time", "^", "tab:orange"),
          ("speedup_whole_process", "whole `predict` process, wall time", "s", "tab:blue"))
MARKER_AREA = 36.0  # points^2, matplotlib's default scatter size
LABEL_FONT_SIZE = 8
#: Offsets (points) tried around a point for its label, nearest first: right, left, above,
#: below, then the diagonals, at each distance.
_DISTANCES = (6.0, 12.0, 20.0, 30.0, 44.0, 60.0, 80.0)
_DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))


def _plain_number(value: float, _position: int) -> str:
    """A tick label such as 0.03 or 0.2."""
    return f"{value:g}"


def device_label(record: dict) -> str:
    """The label of a benchmark record's point: device (engine)."""
    return f"{record['device']} ({record['engine']['name']})"


def marker_boxes(axis, records: Sequence[dict]) -> list[Bbox]:
    """Display-space boxes of every drawn marker (the figure's final layout)."""
    half = math.sqrt(MARKER_AREA) / 2.0 * axis.figure.dpi / 72.0 + 1.0
    boxes = []
    for key, *_ in STYLES:
        for record in records:
            if record.get(key) is not None:
                x, y = axis.transData.transform((record["nrmse"], record[key]))
                boxes.append(Bbox.from_extents(x - half, y - half, x + half, y + half))
    return boxes


def label_box(label, renderer) -> Bbox:
    """Display-space box of a label's text alone, without its leader line."""
    label.update_positions(renderer)
    return Text.get_window_extent(label, renderer)


def _alignment(dx: int, dy: int) -> dict:
    return {"ha": {1: "left", -1: "right", 0: "center"}[dx],
            "va": {1: "bottom", -1: "top", 0: "center"}[dy]}


def place_labels(axis, records: Sequence[dict]) -> list:
    """One label per record beside its compute-only point, overlapping no other label and
    no marker, inside the axes; returns the Text artists (raises if one finds no place)."""
    figure = axis.figure
    renderer = figure.canvas.get_renderer()
    inside = axis.get_window_extent(renderer)
    taken = marker_boxes(axis, records)
    labels = []
    for record in sorted(records, key=lambda r: (-r["speedup_compute_only"], r["nrmse"])):
        anchor = (record["nrmse"], record["speedup_compute_only"])
        for distance, (dx, dy) in itertools.product(_DISTANCES, _DIRECTIONS):
            scale = distance / math.hypot(dx, dy)
            leader = {"arrowprops": {"arrowstyle": "-", "lw": 0.5, "color": "0.4",
                                     "shrinkA": 0.0, "shrinkB": 3.0}} \
                if distance > _DISTANCES[0] or dy else {}
            text = axis.annotate(device_label(record), anchor, textcoords="offset points",
                                 xytext=(dx * scale, dy * scale), fontsize=LABEL_FONT_SIZE,
                                 **_alignment(dx, dy), **leader)
            box = label_box(text, renderer).padded(2.0)
            fits = (inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0
                    and box.y1 <= inside.y1)
            if fits and not any(box.overlaps(other) for other in taken):
                taken.append(box)
                labels.append(text)
                break
            text.remove()
        else:
            raise ValueError(f"no room for the label of {device_label(record)} in figure 5")
    return labels


def speed_accuracy_axes(records: Sequence[dict]):
    """The drawn figure and its axes: the speed-ups (log axis) against the held-out NRMSE
    (log axis), one point per device and timing, labelled by `place_labels`."""
    fig = plt.figure(figsize=(6.4, 5.0))
    axis = fig.add_axes((0.12, 0.23, 0.84, 0.73))
    for key, label, marker, colour in STYLES:
        shown = [r for r in records if r.get(key) is not None]
        if shown:
            axis.scatter([r["nrmse"] for r in shown], [r[key] for r in shown], marker=marker,
                         s=MARKER_AREA, color=colour, label=label, zorder=3)
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
    nrmses = [r["nrmse"] for r in records]
    speedups = [r[key] for r in records for key, *_ in STYLES if r.get(key) is not None]
    if nrmses and min(nrmses) > 0:
        # Room around the points for their labels: labels of long names need width.
        axis.set_xlim(min(nrmses) / 3.0, max(nrmses) * 3.0)
        axis.set_ylim(min(min(speedups), PAPER_SPEEDUP) / 4.0,
                      max(max(speedups), PAPER_SPEEDUP) * 6.0)
    # Below the axes: a legend inside them could cover a point.
    fig.legend(*axis.get_legend_handles_labels(), loc="lower center", ncol=2, fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, 0.0))
    place_labels(axis, records)
    return fig, axis


def speed_accuracy_figure(records: Sequence[dict], outputs: Sequence[Path]) -> list[Path]:
    """Figure 5 written to `outputs` (.png, .pdf); see `speed_accuracy_axes`.

    `records` are benchmark records (`surrogate.analysis.benchmark`): compute only
    by wall and by CPU time (where the engine records CPU time), and the whole
    process. The paper's 200x is a horizontal reference line.
    """
    fig, _ = speed_accuracy_axes(records)
    return save_figure(fig, outputs)
