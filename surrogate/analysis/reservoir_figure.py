"""Figure 2: Mackey-Glass prediction with the skyrmion reservoir, micromagnetics against
the Spin-NODE (target and readout prediction for one horizon; log10 NRMSE against H)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from surrogate.analysis.figures import save_figure  # noqa: E402

#: Curve label and style per reservoir result, in drawing order.
CURVES = {
    "simulated": ("micromagnetics", {"color": "black", "marker": "o", "ms": 3, "lw": 1.2}),
    "node_simulated": ("Spin-NODE, same drive", {"color": "tab:red", "ls": "--", "lw": 1.2}),
    "node_full": ("Spin-NODE, full run", {"color": "tab:blue", "lw": 1.0}),
}


def mackey_glass_figure(results: dict[str, dict], out_paths: list[Path],
                        node_wall_time_s: float | None = None) -> list[Path]:
    """Draw figure 2 from the `experiment reservoir` JSON results keyed as in CURVES; one
    file per path.

    Left: the test targets and the readouts' predictions at the overlay
    horizon, against the sample index. Right: log10 NRMSE against H (samples).
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    overlay = results["simulated"]["overlay"]
    start = overlay["first_test_sample"]
    index = start + np.arange(len(overlay["target"]))
    left.plot(index, overlay["target"], color="0.6", lw=2.5, label="Mackey-Glass target")
    for key in ("simulated", "node_simulated"):
        label, style = CURVES[key]
        left.plot(index, results[key]["overlay"]["prediction"], label=f"readout of {label}",
                  **{k: v for k, v in style.items() if k not in ("marker", "ms")})
    left.set_xlabel("sample k (dimensionless)")
    left.set_ylabel(f"x(k + {overlay['horizon']}) (dimensionless)")
    left.set_title(f"test samples of the micromagnetic run, H = {overlay['horizon']}")
    left.legend(fontsize=8)
    for key, (label, style) in CURVES.items():
        result = results[key]
        tag = (f"{label} ({result['n_samples']} samples x {result['n_virtual_nodes']} nodes of "
               f"{result['hold_time_s'] * 1e12:.3g} ps)")
        right.plot(result["horizons"], np.log10(result["nrmse"]), label=tag, **style)
    right.set_xlabel("horizon H (samples ahead)")
    right.set_ylabel("log10 NRMSE (dimensionless)")
    title = "readout NRMSE against horizon"
    if node_wall_time_s is not None:
        title += f"; Spin-NODE full run {node_wall_time_s:.1f} s wall"
    right.set_title(title)
    right.legend(fontsize=8)
    fig.tight_layout()
    return save_figure(fig, out_paths)
