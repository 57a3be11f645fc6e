"""Where the authors' one-skyrmion table leaves its training window: the near-collapse.

    python -m benchmarks.near_collapse

Reads ⟨mz⟩ of ../shared/reference/mumax3/1skyrmion_voltage_train (no model, no
simulation) and measures what the forecast on the split [10, 60) ns -> [60, 110) ns
faces: the largest ⟨mz⟩ of the training window, the largest of the held-out window and
its time, and when the skyrmion annihilates (the last time ⟨mz⟩ is below
`--annihilated-above`). Writes benchmarks/results/near_collapse.{json,png}.
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.common import (  # noqa: E402
    MUMAX3_REFERENCE_DIR,
    RESULTS_DIR,
    shared_input,
    write_result_json,
)
from surrogate import read_table  # noqa: E402

TABLE = MUMAX3_REFERENCE_DIR / "1skyrmion_voltage_train" / "table.txt"
TRAIN = (1.0e-8, 6.0e-8)  # s, the training window of the benchmarks and of figure 1
HELD_OUT = (6.0e-8, 1.1e-7)  # s, the held-out window


def _inside(t: np.ndarray, window: tuple[float, float]) -> np.ndarray:
    return (t >= window[0]) & (t < window[1])


def measure(t: np.ndarray, mz: np.ndarray, annihilated_above: float) -> dict:
    """The training window's largest ⟨mz⟩, the held-out peak, and the annihilation time (s)."""
    train, held = _inside(t, TRAIN), _inside(t, HELD_OUT)
    peak = int(np.flatnonzero(held)[np.argmax(mz[held])])
    below = np.flatnonzero(mz < annihilated_above)
    annihilation = float(t[below[-1] + 1]) if below.size and below[-1] + 1 < t.size else None
    return {
        "train_window_s": list(TRAIN),
        "held_out_window_s": list(HELD_OUT),
        "train_max_mz": float(mz[train].max()),
        "held_out_peak_mz": float(mz[peak]),
        "held_out_peak_t_s": float(t[peak]),
        "held_out_peak_above_train_max": bool(mz[peak] > mz[train].max()),
        "annihilated_above_mz": annihilated_above,
        "annihilation_t_s": annihilation,
    }


def plot(t: np.ndarray, mz: np.ndarray, record: dict, path) -> None:
    """⟨mz⟩ over the whole table with the windows shaded, and a zoom on the held-out peak."""
    fig, (whole, zoom) = plt.subplots(1, 2, figsize=(11, 3.6), width_ratios=(2.2, 1))
    ns = t * 1e9
    for axis in (whole, zoom):
        axis.plot(ns, mz, lw=0.6, color="tab:blue")
        axis.axhline(record["train_max_mz"], color="tab:green", ls="--", lw=1,
                     label="largest ⟨mz⟩ of the training window")
        axis.set_xlabel("t (ns)")
    whole.axvspan(*(np.array(TRAIN) * 1e9), color="tab:green", alpha=0.12, label="training")
    whole.axvspan(*(np.array(HELD_OUT) * 1e9), color="tab:orange", alpha=0.12, label="held out")
    if record["annihilation_t_s"] is not None:
        whole.axvline(record["annihilation_t_s"] * 1e9, color="k", lw=0.8, ls=":",
                      label="annihilation")
    whole.set_ylabel("⟨mz⟩ (authors' mumax3 table)")
    whole.legend(loc="lower left", fontsize=7)
    peak = record["held_out_peak_t_s"] * 1e9
    top = max(record["held_out_peak_mz"], record["train_max_mz"])
    zoom.set_xlim(peak - 0.5, peak + 0.5)
    zoom.set_ylim(top - 0.05, top + 0.004)  # the tops of the peaks only
    zoom.set_title(f"held-out peak at {peak:.2f} ns, tops only", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annihilated-above", type=float, default=0.9,
                        help="⟨mz⟩ above which, for the rest of the table, the skyrmion is gone")
    args = parser.parse_args(argv)
    table = read_table(shared_input(TABLE))
    t, mz = table.column("t"), table.column("mz")
    record = {"benchmark": "the authors' one-skyrmion table: the held-out near-collapse",
              "table": "../shared/reference/mumax3/1skyrmion_voltage_train/table.txt",
              **measure(t, mz, args.annihilated_above)}
    plot(t, mz, record, RESULTS_DIR / "near_collapse.png")
    write_result_json(RESULTS_DIR / "near_collapse.json", record)
    print(record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
