"""Standard problem 4 on magnum.np with one numerical ingredient swapped at a time (SI units).

Each variant is `benchmarks.magnumnp_sp4.Sp4Settings` with one field changed
from the baseline (magnum.np's Newell demag kernel, RKF45 at 1e-6, mumax3's
gamma, the BB minimiser to 1 A/m, float64). `--variant NAME` runs one variant
and writes benchmarks/results/magnumnp_sp4_swaps/NAME.json; `--table` collects
those into benchmarks/results/magnumnp_sp4_swaps.md. Run variants one at a
time (one thread each):

    for v in $(python -m benchmarks.magnumnp_sp4_swaps --list); do
        python -m benchmarks.magnumnp_sp4_swaps --variant $v; done
    python -m benchmarks.magnumnp_sp4_swaps --table
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

import numpy as np

from benchmarks.common import RESULTS_DIR, write_result_markdown
from benchmarks.magnumnp_sp4 import MUMAX3, TOLERANCE, Sp4Settings, run_and_record

DEFAULTS = Sp4Settings()  # the benchmark's own defaults, for the command lines

SWAPS_DIR = RESULTS_DIR / "magnumnp_sp4_swaps"
TABLE = RESULTS_DIR / "magnumnp_sp4_swaps.md"
BASE = replace(DEFAULTS, demag_kernel="newell")
VARIANTS: dict[str, tuple[str, Sp4Settings]] = {
    "baseline": ("Newell kernel, RKF45 1e-6, mumax3's gamma, minimiser to 1 A/m, float64",
                 BASE),
    "gamma_magnumnp": ("gamma 1.76086e11 rad/(T s) (magnum.np's) instead of mumax3's 1.7595e11",
                       replace(BASE, gamma="magnumnp")),
    "demag_p40": ("Newell near field to 40 cell diagonals (default 20)", replace(BASE, demag_p=40)),
    "demag_kernel_mumax3": ("mumax3's brute-force demag kernel (DemagAccuracy 6, float32)",
                            replace(BASE, demag_kernel="mumax3")),
    "demag_kernel_mumax3_accuracy12": ("mumax3's brute-force demag kernel at DemagAccuracy 12",
                                       replace(BASE, demag_kernel="mumax3",
                                               demag_accuracy=12.0)),
    "rkf45_1e-7": ("RKF45 atol = rtol = 1e-7 (default 1e-6)", replace(BASE, tolerance=1e-7)),
    "mumax3_dp45_float32": ("mumax3's Dormand-Prince stepper, MaxErr 1e-5, float32",
                            replace(BASE, integrator="mumax3_dp45", tolerance=1e-5,
                                    dtype="float32")),
    "relax_llg": ("relaxed by the LLG at alpha = 1 to 1 A/m instead of the minimiser",
                  replace(BASE, relax="llg")),
    "relax_tol_0.01": ("minimiser to 0.01 A/m (default 1 A/m)", replace(BASE, relax_tol=0.01)),
    "all_mumax3": ("mumax3's kernel and its Dormand-Prince stepper at MaxErr 1e-5, float32",
                   replace(BASE, demag_kernel="mumax3", integrator="mumax3_dp45", tolerance=1e-5,
                           dtype="float32")),
}


def command_line(settings: Sp4Settings) -> str:
    """The `python -m benchmarks.magnumnp_sp4` flags that reproduce `settings`."""
    flags = []
    for name, value in vars(settings).items():
        if name != "sample" and value != getattr(DEFAULTS, name):
            flags.append(f"--{name.replace('_', '-')} {value}")
    return " ".join(["python -m benchmarks.magnumnp_sp4", *flags])


def kernel_comparison() -> list[str]:
    """Markdown rows: mumax3's SP4 kernel against magnum.np's Newell kernel, entry by entry."""
    import torch

    from benchmarks.magnumnp_sp4 import sp4_problem
    from surrogate.engines.magnumnp.base import import_magnumnp
    from surrogate.engines.magnumnp.mumax3_kernel import MUMAX3_DEMAG_ACCURACY, mumax3_kernel

    device, _ = sp4_problem()
    cell = tuple(size / n for size, n in zip(device.size, device.grid, strict=True))
    film = {key: values[:, :, 0] for key, values in
            mumax3_kernel(device.grid, cell, MUMAX3_DEMAG_ACCURACY).items()}
    import_magnumnp("float64", 1)
    from magnumnp.field_terms.demag import demag_f, demag_g

    scaled = np.array(cell) / min(cell)
    shape = film[(0, 0)].shape
    index = torch.meshgrid(*[torch.fft.fftfreq(n, 1 / n) for n in (*shape, 1)], indexing="ij")

    def newell(perm, func):
        x, y, z = (index[i] * scaled[i] for i in perm)
        steps = [scaled[i] for i in perm]
        return func(x, y, z, *steps, *steps, BASE.demag_p).numpy()[:, :, 0]

    newell_kernel = {(0, 0): newell([0, 1, 2], demag_f), (0, 1): newell([0, 1, 2], demag_g),
                     (1, 1): newell([1, 2, 0], demag_f), (2, 2): newell([2, 0, 1], demag_f)}
    rows = ["| entry | self, mumax3 | self, Newell | (1,0) mumax3 | (1,0) Newell "
            "| sum over the kernel, mumax3 | sum, Newell | max abs difference |",
            "|---|---|---|---|---|---|---|---|"]
    for (i, j), ours in newell_kernel.items():
        theirs = film[(i, j)]
        rows.append(f"| N{'xyz'[i]}{'xyz'[j]} | {theirs[0, 0]:.6f} | {ours[0, 0]:.6f} "
                    f"| {theirs[1, 0]:.6f} | {ours[1, 0]:.6f} | {theirs.sum():.6f} "
                    f"| {ours.sum():.6f} | {np.abs(theirs - ours).max():.2e} |")
    return rows


def table() -> str:
    """Markdown table of every variant result found in SWAPS_DIR."""
    mx3_end, mx3_relaxed = MUMAX3["m_1ns"], MUMAX3["m_relaxed"]
    lines = [
        "# Standard problem 4 on magnum.np: one ingredient swapped at a time",
        "",
        f"mumax3 (test/standardproblem4.mx3): relaxed <m> = ({mx3_relaxed[0]:.5f}, "
        f"{mx3_relaxed[1]:.5f}, 0), <m>(1 ns) = ({mx3_end[0]:.5f}, {mx3_end[1]:.5f}, "
        f"{mx3_end[2]:.5f}). Target: every component within {TOLERANCE:g}. 'shift' is the "
        "<my> gap divided by d<my>/dt at 1 ns: the time offset that would explain it.",
        "",
        "| variant | relaxed <m> | <m> at 1 ns | d<mx> d<my> d<mz> at 1 ns | shift (ps) "
        "| first <mx> = 0 (ns) | pass | wall (s) | command |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, (description, settings) in VARIANTS.items():
        path = SWAPS_DIR / f"{name}.json"
        if not path.is_file():
            empty = " |" * 6
            lines.append(f"| {name}: {description} | not run |{empty} `{command_line(settings)}` |")
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        summary = {**record["measured"], "checks": record["checks"], "pass": record["pass"]}
        relaxed, end = summary["m_relaxed"], summary["m_1ns"]
        checks = summary["checks"]["m_1ns"]
        diffs = " ".join(f"{checks[c]['diff']:+.1e}" for c in ("mx", "my", "mz"))
        wall = summary["wall_s"]["relax"] + summary["wall_s"]["switch"]
        lines.append(
            f"| {name}: {description} | ({relaxed[0]:.5f}, {relaxed[1]:.5f}, {relaxed[2]:.5f}) "
            f"| ({end[0]:.5f}, {end[1]:.5f}, {end[2]:.5f}) | {diffs} "
            f"| {summary['my_gap_as_time_shift_s'] * 1e12:+.2f} "
            f"| {summary['first_mx_zero_crossing_s'] * 1e9:.4f} | {summary['pass']} | {wall:.0f} "
            f"| `{command_line(settings)}` |")
    lines += ["", "Demag kernels of the SP4 mesh (h = N Ms m; index offsets in cells; "
              "the sums run over the zero-padded kernel):", "", *kernel_comparison()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--variant", choices=sorted(VARIANTS))
    action.add_argument("--list", action="store_true", help="print the variant names")
    action.add_argument("--table", action="store_true", help=f"write {TABLE.name}")
    args = parser.parse_args()
    if args.list:
        print("\n".join(VARIANTS))
    elif args.table:
        write_result_markdown(TABLE, table())
        print(TABLE.read_text(encoding="utf-8"))
    else:
        record = run_and_record(VARIANTS[args.variant][1], SWAPS_DIR / f"{args.variant}.json")
        print(args.variant, record["measured"]["m_1ns"], "pass:", record["pass"])


if __name__ == "__main__":
    main()
