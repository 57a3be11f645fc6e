"""Spin-NODE with two inputs (Ku1, Dind) on real mumax3 data, tested segment by segment.

Trains once on ../shared/reference/mumax3/1skyrmion_input_PMA_DMI_train (mz
driven by Ku1.region100 and Dind.region100, 5 ps samples) and then, without any
tuning, predicts the two acceptance tables in 1skyrmion_input_PMA_DMI_test:
`Ku_ext_DMI` (Ku1 held at 21 values while Dind is driven) and `DMI_ext_Ku`
(Dind held at 16 values while Ku1 is driven). Each segment (a run of constant
held value) is predicted free running from its true initial state. Per segment
it reports the NRMSE and, as in the paper's Fig. 4, the oscillation amplitude
(half the peak-to-peak of mz after the first `SETTLE_S`) and the dominant
frequency (FFT peak) of the prediction against mumax3.
Writes benchmarks/results/surrogate_two_inputs.md; exits cleanly without ../shared.

    python -m benchmarks.surrogate_two_inputs [--minutes 5] [--hidden 100] [--seed S]
        [--settings-json J]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from benchmarks.common import (
    MUMAX3_REFERENCE_DIR,
    RESULTS_DIR,
    shared_input,
    write_result_markdown,
)
from surrogate.io.mumax3_table import read_table
from surrogate.io.trace import Trace
from surrogate.node.rollout import evaluate_model
from surrogate.node.training import TrainingError, TrainSettings, train_model

DATA = MUMAX3_REFERENCE_DIR
INPUTS = ["Ku1.region100", "Dind.region100"]
TESTS = {"Ku_ext_DMI": "Ku1.region100", "DMI_ext_Ku": "Dind.region100"}
SETTLE_S = 1e-9
# Each setting measured over seeds 0-2: benchmarks/results/surrogate_two_inputs.md.
DEFAULT_SETTINGS = '{"n_aug": 2, "k": 5}'


def table_trace(path: Path) -> Trace:
    """mz driven by Ku1 and Dind from a mumax3 table."""
    table = read_table(path)
    return Trace(table.column("t"), np.stack([table.column(n) for n in INPUTS], axis=1),
                 table.column("mz")[:, None], INPUTS, ["mz"],
                 [table.unit(n) for n in INPUTS], [""], {"engine": "mumax3", "source": str(path)})


def segments(values: np.ndarray, t: np.ndarray) -> list[tuple[float, float, float]]:
    """(start s, stop s, held value) of each run of constant `values` (float noise ignored)."""
    jumps = np.flatnonzero(np.abs(np.diff(values)) > 1e-3 * np.ptp(values)) + 1
    bounds = np.r_[0, jumps, len(values)]
    return [(t[a], t[b - 1] + 0.5 * (t[1] - t[0]), float(np.median(values[a:b])))
            for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def oscillation(t: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """(amplitude, dominant frequency in Hz) of x after SETTLE_S."""
    keep = t >= t[0] + SETTLE_S
    x = x[keep] - x[keep].mean()
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), d=float(np.mean(np.diff(t))))
    return 0.5 * float(np.ptp(x)), float(freqs[1:][np.argmax(spectrum[1:])])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="training budget (min)")
    parser.add_argument("--hidden", type=int, default=100, help="MLP width")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--settings-json", default=DEFAULT_SETTINGS,
                        help=f"further TrainSettings fields as JSON (default {DEFAULT_SETTINGS}: "
                             "two latent dimensions, as config.yaml's model)")
    parser.add_argument("--out", type=Path,
                        default=RESULTS_DIR / "surrogate_two_inputs.md")
    args = parser.parse_args(argv)
    train_path = shared_input(DATA / "1skyrmion_input_PMA_DMI_train" / "table.txt")
    torch.set_num_threads(1)
    try:
        settings = TrainSettings(hidden=args.hidden, max_minutes=args.minutes, seed=args.seed,
                                 **json.loads(args.settings_json))
        settings.validate()
    except (TypeError, ValueError, TrainingError) as exc:
        parser.error(f"--settings-json {args.settings_json!r}: {exc}")
    lines = ["# Two inputs (Ku1, Dind): one skyrmion in a 100 nm disk, real mumax3 data", ""]
    with tempfile.TemporaryDirectory() as tmp:
        model_path = Path(tmp) / "node.pt"
        start = time.perf_counter()
        report = train_model(table_trace(train_path), settings, model_path, progress=False)
        lines += [
            f"Trained on the whole train table (last 20 % for validation) in "
            f"{time.perf_counter() - start:.0f} s, {report.iterations} iterations, width "
            f"{args.hidden}, k={settings.k}, step 5 ps: validation NRMSE "
            f"{report.best_val_nrmse:.4f}, "
            f"train NRMSE {report.final_train_nrmse:.4f}. Test tables never used in training or "
            f"tuning; each segment predicted free running from its true initial state; amplitude "
            f"and frequency measured after the first {SETTLE_S * 1e9:g} ns of a segment. "
            f"`python -m benchmarks.surrogate_two_inputs --minutes {args.minutes:g} "
            f"--hidden {args.hidden}" + (f" --seed {args.seed}" if args.seed else "")
            + (f" --settings-json '{args.settings_json}'"
               if args.settings_json != DEFAULT_SETTINGS else "")
            + "`.",
        ]
        for name, held in TESTS.items():
            trace = table_trace(DATA / "1skyrmion_input_PMA_DMI_test" / name / "table.txt")
            unit = trace.input_units[INPUTS.index(held)]
            lines += ["", f"## {name}: {held} held, the other input driven", "",
                      f"| {held} ({unit}) | NRMSE | amplitude mumax3 | amplitude NODE "
                      f"| amp. error | f mumax3 (GHz) | f NODE (GHz) |",
                      "|---|---|---|---|---|---|---|"]
            scores = []
            for start_s, stop_s, value in segments(trace.input(held), trace.t):
                result = evaluate_model(model_path, trace.window(start_s, stop_s))
                amp_true, f_true = oscillation(result.t, result.target[:, 0])
                amp_node, f_node = oscillation(result.t, result.predicted[:, 0])
                scores.append((result.nrmse, abs(amp_node / amp_true - 1),
                               abs(f_node - f_true) / f_true))
                lines.append(f"| {value:.5g} | {result.nrmse:.4f} | {amp_true:.4g} | "
                             f"{amp_node:.4g} | {100 * scores[-1][1]:.1f} % | {f_true / 1e9:.3f} "
                             f"| {f_node / 1e9:.3f} |")
            mean = np.mean(scores, axis=0)
            lines.append(f"| **mean** | **{mean[0]:.4f}** | | | **{100 * mean[1]:.1f} %** | | "
                         f"rel. error **{100 * mean[2]:.1f} %** |")
    text = "\n".join(lines) + "\n"
    print(text)
    write_result_markdown(args.out, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
