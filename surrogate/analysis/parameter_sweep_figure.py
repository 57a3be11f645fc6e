"""Figure 3, parameters as inputs: amplitude and frequency against each held parameter."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from surrogate.analysis.figures import save_figure  # noqa: E402

SOURCES = (("simulation", "micromagnetics", "black", "o", "-"),
           ("node", "Spin-NODE", "tab:red", "x", "--"))


def parameter_sweep_figure(points: list[dict], per_step: bool, channel: str,
                           out_paths: list[Path], title: str = "") -> list[Path]:
    """Amplitude (top) and frequency (GHz, bottom) against each swept parameter, one column each.

    `points` are those of surrogate.analysis.parameter_sweep.sweep_points (SI);
    the figure is written to every path of `out_paths` (its format by suffix).
    """
    parameters = list(dict.fromkeys(point["parameter"] for point in points))
    if not parameters:
        raise ValueError("no sweep point to plot: no held segment was long enough to measure")
    fig, axes = plt.subplots(2, len(parameters), figsize=(5.0 * len(parameters), 6.5),
                             squeeze=False, sharex="col")
    for column, name in enumerate(parameters):
        chosen = sorted((p for p in points if p["parameter"] == name),
                        key=lambda p: p["held_value"])
        unit = chosen[0]["unit"]
        values = [p["held_value"] for p in chosen]
        for key, label, color, marker, style in SOURCES:
            amplitude = [p[key]["amplitude"] for p in chosen]
            frequency = [p[key]["frequency_hz"] / 1e9 for p in chosen]
            axes[0, column].plot(values, amplitude, color=color, marker=marker, ls=style,
                                 label=label)
            axes[1, column].plot(values, frequency, color=color, marker=marker, ls=style,
                                 label=label)
        step_units = sorted({p["step_unit"] for p in chosen})
        amplitude_label = (f"ringing amplitude of <{channel}>\nper unit step "
                           f"(1/({', '.join(step_units)}))"
                           if per_step else f"ringing amplitude of <{channel}>")
        axes[0, column].set_ylabel(amplitude_label)
        axes[1, column].set_ylabel(f"frequency of <{channel}> (GHz)")
        axes[1, column].set_xlabel(f"held {name} ({unit})")
        axes[0, column].legend(loc="best", fontsize=8)
        for axis in axes[:, column]:
            axis.grid(alpha=0.3)
            axis.ticklabel_format(axis="x", style="sci", scilimits=(-3, 3))
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, out_paths)
